"""services.datacenter.accidents.rules against 国务院令第493号 and GB 6441-1986."""
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from services.datacenter.accidents import rules
from services.datacenter.accidents.rules import Deadline, Figures, Report
from services.datacenter.ruletables import effective, load_defaults
from services.kit.errors import InvalidArgument

CJK = re.compile(r"[\u4e00-\u9fff]")
TABLE = effective(load_defaults(), "accident_grades", date(2026, 1, 1))
T0 = datetime(2026, 5, 10, 14, 30)
Z = Decimal(0)


def grade(deaths=0, missing=0, serious=0, loss=Z):
    return rules.grade(deaths=deaths, missing=missing, serious_injuries=serious, direct_loss_cny=Decimal(loss), table=TABLE)


def assert_bilingual(violations):
    assert violations
    for v in violations:
        assert CJK.search(v.message_zh), v
        assert v.message_en and not CJK.search(v.message_en), v


# --- option lists ---------------------------------------------------------------------------------

def test_grades_in_ascending_order():
    assert rules.GRADES == (("general", "一般"), ("large", "较大"), ("major", "重大"), ("extraordinary", "特别重大"))


def test_the_twenty_gb6441_types_in_the_standards_order():
    labels = [zh for _, zh in rules.ACCIDENT_TYPES]
    assert labels == ["物体打击", "车辆伤害", "机械伤害", "起重伤害", "触电", "淹溺", "灼烫", "火灾", "高处坠落", "坍塌",
                      "冒顶片帮", "透水", "放炮", "火药爆炸", "瓦斯爆炸", "锅炉爆炸", "容器爆炸", "其它爆炸", "中毒和窒息", "其它伤害"]
    assert len({code for code, _ in rules.ACCIDENT_TYPES}) == 20


@pytest.mark.parametrize("code, number", [("object_strike", "01"), ("fire", "08"), ("poisoning_asphyxia", "19"), ("other_injury", "20")])
def test_gb6441_number(code, number):
    assert rules.gb6441_number(code) == number


# --- grade: every band edge of every column -------------------------------------------------------

@pytest.mark.parametrize("deaths, expected", [
    (0, "general"), (2, "general"), (3, "large"), (9, "large"), (10, "major"), (29, "major"), (30, "extraordinary"), (300, "extraordinary"),
])
def test_grade_by_deaths(deaths, expected):
    assert grade(deaths=deaths) == expected


@pytest.mark.parametrize("deaths, missing, expected", [
    (0, 2, "general"), (2, 1, "large"), (0, 3, "large"), (9, 1, "major"), (5, 5, "major"), (20, 9, "major"), (29, 1, "extraordinary"),
])
def test_missing_count_as_dead(deaths, missing, expected):
    assert grade(deaths=deaths, missing=missing) == expected


@pytest.mark.parametrize("serious, expected", [
    (0, "general"), (9, "general"), (10, "large"), (49, "large"), (50, "major"), (99, "major"), (100, "extraordinary"),
])
def test_grade_by_serious_injuries(serious, expected):
    assert grade(serious=serious) == expected


@pytest.mark.parametrize("loss, expected", [
    ("0", "general"), ("9999999.99", "general"), ("10000000", "large"), ("49999999.99", "large"),
    ("50000000", "major"), ("99999999.99", "major"), ("100000000", "extraordinary"), ("100000000.00", "extraordinary"),
])
def test_grade_by_direct_loss(loss, expected):
    assert grade(loss=loss) == expected


@pytest.mark.parametrize("kwargs, expected", [
    (dict(deaths=1, serious=10, loss="100"), "large"),                 # injuries alone lift it
    (dict(deaths=3, serious=0, loss="60000000"), "major"),             # loss beats deaths
    (dict(deaths=30, serious=1, loss="0"), "extraordinary"),
    (dict(deaths=2, serious=9, loss="9999999.99"), "general"),         # just under everywhere
    (dict(deaths=2, missing=1, serious=49, loss="49999999.99"), "large"),
])
def test_grade_is_the_highest_band_any_column_reaches(kwargs, expected):
    assert grade(**kwargs) == expected


@given(st.integers(0, 200), st.integers(0, 200), st.integers(0, 300), st.integers(0, 2 * 10**8), st.integers(0, 50))
def test_more_casualties_never_lower_the_grade(deaths, missing, serious, loss, extra):
    order = [c for c, _ in rules.GRADES]
    base = order.index(grade(deaths, missing, serious, loss))
    assert order.index(grade(deaths + extra, missing, serious, loss)) >= base
    assert order.index(grade(deaths, missing + extra, serious, loss)) >= base
    assert order.index(grade(deaths, missing, serious + extra, loss)) >= base
    assert order.index(grade(deaths, missing, serious, loss + extra * 10**6)) >= base


# --- reporting deadlines --------------------------------------------------------------------------

@pytest.mark.parametrize("g, levels", [
    ("general", ["county", "city"]),
    ("large", ["county", "city", "province"]),
    ("major", ["county", "city", "province", "state_council"]),
    ("extraordinary", ["county", "city", "province", "state_council"]),
])
def test_reports_climb_as_far_as_the_grade_requires(g, levels):
    deadlines = rules.reporting_deadlines(occurred_at=T0, grade=g, table=TABLE)
    assert [d.level for d in deadlines] == levels
    assert [d.due for d in deadlines] == [T0 + timedelta(hours=h) for h in (1, 3, 5, 7)][:len(levels)]


def test_deadlines_carry_chinese_level_names():
    deadlines = rules.reporting_deadlines(occurred_at=T0, grade="major", table=TABLE)
    assert [d.level_zh for d in deadlines] == ["县级", "设区的市级", "省级", "国务院"]


def test_deadlines_keep_the_time_zone():
    tz = timezone(timedelta(hours=8))
    d = rules.reporting_deadlines(occurred_at=T0.replace(tzinfo=tz), grade="general", table=TABLE)
    assert d[0].due == datetime(2026, 5, 10, 15, 30, tzinfo=tz)


# --- late and missed reports ----------------------------------------------------------------------

COUNTY = Deadline("county", "县级", T0 + timedelta(hours=1))
CITY = Deadline("city", "设区的市级", T0 + timedelta(hours=3))


def statuses(reports, now):
    return [f.status for f in rules.late_reports(deadlines=[COUNTY, CITY], reports=reports, now=now)]


def test_report_exactly_at_the_due_time_is_on_time_one_second_later_is_late():
    assert statuses([Report("county", COUNTY.due), Report("city", CITY.due + timedelta(seconds=1))], now=T0 + timedelta(days=1)) == ["on_time", "late"]


def test_unreported_level_is_pending_until_due_and_missing_after():
    reports = [Report("county", T0 + timedelta(minutes=20))]
    assert statuses(reports, now=CITY.due) == ["on_time", "pending"]
    assert statuses(reports, now=CITY.due + timedelta(seconds=1)) == ["on_time", "missing"]


def test_the_earliest_report_to_a_level_counts():
    reports = [Report("county", T0 + timedelta(hours=5)), Report("county", T0 + timedelta(minutes=50))]
    flags = rules.late_reports(deadlines=[COUNTY], reports=reports, now=T0 + timedelta(hours=6))
    assert (flags[0].status, flags[0].reported_at) == ("on_time", T0 + timedelta(minutes=50))


def test_reports_to_levels_without_a_deadline_are_ignored():
    assert statuses([Report("province", T0)], now=T0) == ["pending", "pending"]


def test_flags_carry_chinese_labels():
    flags = rules.late_reports(deadlines=[COUNTY, CITY], reports=[Report("county", COUNTY.due + timedelta(minutes=1))], now=T0 + timedelta(days=1))
    assert [(f.status, f.status_zh) for f in flags] == [("late", "迟报"), ("missing", "漏报")]
    assert dict(rules.FLAG_STATUSES)["on_time"] and dict(rules.FLAG_STATUSES)["pending"]


# --- casualty re-reports --------------------------------------------------------------------------

def test_casualty_window_is_thirty_days_from_the_accident_day():
    closes = rules.casualty_update_window(occurred_at=T0, is_road_or_fire=False, table=TABLE)
    assert closes == datetime(2026, 6, 10, 0, 0)   # 10 May not counted; 30th day is 9 June, to midnight


def test_casualty_window_is_seven_days_for_road_traffic_and_fire():
    closes = rules.casualty_update_window(occurred_at=T0, is_road_or_fire=True, table=TABLE)
    assert closes == datetime(2026, 5, 18, 0, 0)


def test_casualty_window_keeps_the_time_zone():
    tz = timezone(timedelta(hours=8))
    assert rules.casualty_update_window(occurred_at=T0.replace(tzinfo=tz), is_road_or_fire=True, table=TABLE).tzinfo is tz


CURRENT = Figures(deaths=2, missing=0, serious_injuries=5, minor_injuries=3, direct_loss_cny=Decimal("1200000"))


def update(changes, at, road_or_fire=False, current=CURRENT):
    return rules.apply_casualty_update(current, changes, reported_at=at, occurred_at=T0, is_road_or_fire=road_or_fire, table=TABLE)


def test_a_third_death_within_the_window_raises_the_grade():
    figures, g = update({"deaths": 3}, datetime(2026, 6, 9, 23, 59, 59))
    assert figures == Figures(3, 0, 5, 3, Decimal("1200000"))
    assert g == "large"


def test_the_grade_is_recomputed_from_the_latest_figures_and_can_fall():
    before = Figures(deaths=1, missing=2, serious_injuries=0)
    assert rules.grade_of(before, TABLE) == "large"
    figures, g = update({"missing": 0}, T0 + timedelta(days=1), current=before)   # the missing were found alive
    assert (figures.deaths, figures.missing, g) == (1, 0, "general")


def test_an_update_when_the_window_closes_is_refused_with_both_languages():
    with pytest.raises(InvalidArgument) as e:
        update({"deaths": 3}, datetime(2026, 6, 10, 0, 0))
    assert [v.code for v in e.value.violations] == ["reported_at.after_window"]
    assert "30日" in e.value.violations[0].message_zh and "30 days" in e.value.violations[0].message_en
    assert_bilingual(e.value.violations)


def test_road_and_fire_updates_close_after_seven_days():
    update({"deaths": 3}, datetime(2026, 5, 17, 23, 59), road_or_fire=True)
    with pytest.raises(InvalidArgument) as e:
        update({"deaths": 3}, datetime(2026, 5, 18, 0, 0), road_or_fire=True)
    assert "7日" in e.value.violations[0].message_zh


def test_an_update_before_the_accident_is_refused():
    with pytest.raises(InvalidArgument) as e:
        update({"deaths": 3}, T0 - timedelta(minutes=1))
    assert [v.code for v in e.value.violations] == ["reported_at.before_occurrence"]


@pytest.mark.parametrize("changes, code", [
    ({}, "update.empty"),
    ({"direct_loss_cny": 5}, "direct_loss_cny.not_updatable"),
    ({"deaths": -1}, "deaths.invalid"),
    ({"serious_injuries": 1.5}, "serious_injuries.invalid"),
    ({"missing": True}, "missing.invalid"),
])
def test_malformed_updates_are_refused(changes, code):
    with pytest.raises(InvalidArgument) as e:
        update(changes, T0 + timedelta(days=1))
    assert [v.code for v in e.value.violations] == [code]
    assert_bilingual(e.value.violations)


# --- investigation --------------------------------------------------------------------------------

@pytest.mark.parametrize("extension, due", [(0, date(2026, 7, 9)), (1, date(2026, 7, 10)), (60, date(2026, 9, 7))])
def test_investigation_due(extension, due):
    assert rules.investigation_due(occurred_at=T0, extension_days=extension, table=TABLE) == due


@pytest.mark.parametrize("extension, code", [(61, "extension_days.too_long"), (-1, "extension_days.invalid"), (True, "extension_days.invalid")])
def test_investigation_extension_beyond_sixty_days_is_refused(extension, code):
    with pytest.raises(InvalidArgument) as e:
        rules.investigation_due(occurred_at=T0, extension_days=extension, table=TABLE)
    assert [v.code for v in e.value.violations] == [code]
    assert_bilingual(e.value.violations)


@pytest.mark.parametrize("g, level", [("general", "county"), ("large", "city"), ("major", "province"), ("extraordinary", "state_council")])
def test_investigating_level(g, level):
    assert rules.investigating_level(g, table=TABLE) == level
    assert level in dict(rules.INVESTIGATING_LEVELS)


# --- record validation ----------------------------------------------------------------------------

NOW = datetime(2026, 5, 11, 9, 0)


def record(**overrides):
    r = dict(occurred_at=T0, deaths=1, missing=0, serious_injuries=2, minor_injuries=4, direct_loss_cny=Decimal("350000.50"))
    r.update(overrides)
    return r


def codes(r):
    return [v.code for v in rules.violations(r, table=TABLE, now=NOW)]


def test_good_record_has_no_violations():
    assert codes(record()) == []
    assert codes(record(accident_type="fall_from_height", grade="general", direct_loss_cny="0")) == []


def test_occurred_at_may_be_now_but_not_later():
    assert codes(record(occurred_at=NOW)) == []
    assert codes(record(occurred_at=NOW + timedelta(seconds=1))) == ["occurred_at.future"]


@pytest.mark.parametrize("overrides, expected", [
    (dict(occurred_at=None), ["occurred_at.required"]),
    (dict(occurred_at=date(2026, 5, 10)), ["occurred_at.invalid"]),
    (dict(deaths=-1), ["deaths.invalid"]),
    (dict(missing=None), ["missing.required"]),
    (dict(serious_injuries=2.0), ["serious_injuries.invalid"]),
    (dict(minor_injuries=False), ["minor_injuries.invalid"]),
    (dict(direct_loss_cny=Decimal("-0.01")), ["direct_loss_cny.invalid"]),
    (dict(direct_loss_cny="12.345"), ["direct_loss_cny.invalid"]),
    (dict(direct_loss_cny="很多"), ["direct_loss_cny.invalid"]),
    (dict(direct_loss_cny=None), ["direct_loss_cny.required"]),
    (dict(accident_type="meteor"), ["accident_type.unknown"]),
    (dict(grade="large"), ["grade.mismatch"]),
    (dict(deaths=3, grade="general"), ["grade.mismatch"]),
])
def test_each_problem(overrides, expected):
    r = record(**overrides)
    assert codes(r) == expected
    assert_bilingual(rules.violations(r, table=TABLE, now=NOW))


def test_the_stated_grade_is_not_checked_when_the_figures_are_bad():
    assert codes(record(deaths=-1, grade="large")) == ["deaths.invalid"]


def test_every_problem_is_reported_at_once_in_field_order():
    r = dict(occurred_at=NOW + timedelta(days=1), deaths=-1, missing=0, serious_injuries="2", direct_loss_cny=-5)
    assert codes(r) == ["occurred_at.future", "deaths.invalid", "serious_injuries.invalid", "minor_injuries.required", "direct_loss_cny.invalid"]


def test_mismatch_message_names_the_right_grade():
    [v] = rules.violations(record(deaths=3, grade="general"), table=TABLE, now=NOW)
    assert "较大" in v.message_zh and "large" in v.message_en
