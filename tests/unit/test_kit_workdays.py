"""The PRC working-day calendar: the 2026 notice (国办发明电〔2025〕7号) as the package knows it,
the Spring Festival and National Day with their make-up days, a year boundary into a year not yet
published (provisional) and the same deadline becoming final once the year is entered."""
from datetime import date

import pytest

from services.kit import workdays
from services.kit.errors import InvalidArgument

YEARS = workdays.package_years()
CAL = workdays.Calendar({2025: YEARS[2025], 2026: YEARS[2026]})


def test_the_package_knows_the_2026_notice_with_its_make_up_days():
    y = YEARS[2026]
    assert sorted(y.workdays) == [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
                                  date(2026, 10, 10)]
    assert all(date(2026, 2, d) in y.holidays for d in range(15, 24)), "春节 2月15日至23日"
    assert all(date(2026, 10, d) in y.holidays for d in range(1, 8)), "国庆 10月1日至7日"
    assert y.holidays[date(2026, 2, 16)] == "春节" and y.workdays[date(2026, 10, 10)] == "国庆节"


@pytest.mark.parametrize("day, working", [
    (date(2026, 2, 13), True),    # Friday before the holiday
    (date(2026, 2, 14), True),    # Saturday, made a working day
    (date(2026, 2, 15), False), (date(2026, 2, 20), False), (date(2026, 2, 23), False),   # Monday, still 春节
    (date(2026, 2, 24), True),
    (date(2026, 2, 28), True),    # Saturday, made a working day
    (date(2026, 3, 1), False),    # an ordinary Sunday
    (date(2026, 9, 20), True), (date(2026, 10, 1), False), (date(2026, 10, 7), False), (date(2026, 10, 8), True),
    (date(2026, 10, 10), True), (date(2026, 10, 11), False),
])
def test_working_days_of_2026(day, working):
    assert CAL.is_working_day(day) is working


def test_five_working_days_across_the_spring_festival():
    # 11, 12, 13, 14 (make-up Saturday), then 24: the 5-working-day notice of an application received on 10 February
    d = CAL.add_working_days(date(2026, 2, 10), 5)
    assert d == workdays.Deadline(date(2026, 2, 24), False)
    assert CAL.add_working_days(date(2026, 2, 10), 4).day == date(2026, 2, 14)


def test_twenty_working_days_across_mid_autumn_and_national_day():
    # from 2026-09-18 (Fri): 9/20 (Sun, make-up) is the 1st; 9/25-27 中秋 and 10/1-7 国庆 do not count;
    # 10/8 is the 9th, 10/10 (Sat, make-up) the 11th, 10/22 the 20th
    d = CAL.add_working_days(date(2026, 9, 18), 20)
    assert d == workdays.Deadline(date(2026, 10, 22), False)
    assert CAL.add_working_days(date(2026, 9, 18), 11).day == date(2026, 10, 10)
    assert CAL.add_working_days(date(2026, 9, 18), 9).day == date(2026, 10, 8)


def test_start_day_is_not_counted_and_zero_days_is_the_start():
    assert CAL.add_working_days(date(2026, 3, 2), 0).day == date(2026, 3, 2)
    assert CAL.add_working_days(date(2026, 3, 2), 1).day == date(2026, 3, 3)
    assert CAL.working_days_between(date(2026, 2, 10), date(2026, 2, 24)) == 5
    assert CAL.working_days_between(date(2026, 2, 24), date(2026, 2, 10)) == 0


def test_a_deadline_into_an_unpublished_year_is_provisional_until_the_year_is_entered():
    d = CAL.add_working_days(date(2026, 12, 21), 20)
    assert d.provisional and d.unknown_years == (2027,)
    # weekends alone: 12/22-12/31 (8), then 1/1 (Fri) counts while 2027 is unknown
    assert d.day == date(2027, 1, 18)
    assert d.as_json()["note"] == workdays.PROVISIONAL_ZH
    entered = workdays.parse_year(2027, [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}])
    final = workdays.Calendar({**CAL.years, 2027: entered}).add_working_days(date(2026, 12, 21), 20)
    assert final == workdays.Deadline(date(2027, 1, 19), False), "元旦 no longer counts: one day later, and final"


def test_a_deadline_within_a_known_year_is_never_provisional_and_calendar_days_never_are():
    assert not CAL.add_working_days(date(2026, 1, 5), 20).provisional
    assert workdays.deadline(CAL, date(2026, 12, 25), 30, "calendar") == workdays.Deadline(date(2027, 1, 24), False)
    with pytest.raises(ValueError):
        workdays.deadline(CAL, date(2026, 1, 1), 1, "lunar")


def test_year_boundary_from_the_last_working_day_of_2025():
    # 1-3 January 2026 are 元旦; 4 January (a Sunday) is its make-up working day
    assert CAL.add_working_days(date(2025, 12, 31), 1).day == date(2026, 1, 4)
    assert CAL.add_working_days(date(2025, 12, 31), 2).day == date(2026, 1, 5)


@pytest.mark.parametrize("days, code", [
    ([{"date": "2026-02-01", "kind": "holiday"}], "date.year"),
    ([{"date": "2027-02-08", "kind": "holiday"}, {"date": "2027-02-10", "kind": "workday"}], "workday.weekday"),
    ([{"date": "2027-02-08", "kind": "holiday"}, {"date": "2027-02-08", "kind": "holiday"}], "date.repeated"),
    ([{"date": "2027-02-08", "kind": "rest"}], "kind.enum"),
    ([{"date": "8 Feb", "kind": "holiday"}], "date.format"),
    ([{"date": "2027-02-06", "kind": "workday"}], "days.required"),
])
def test_an_administrators_entry_is_checked_day_by_day(days, code):
    with pytest.raises(InvalidArgument) as refused:
        workdays.parse_year(2027, days)
    assert code in [v.code for v in refused.value.violations]


def test_day_names_for_the_calendar_page():
    assert CAL.day_name(date(2026, 2, 14)) == "调休上班（春节）"
    assert CAL.day_name(date(2026, 10, 3)) == "国庆节"
    assert CAL.day_name(date(2026, 3, 3)) == ""
