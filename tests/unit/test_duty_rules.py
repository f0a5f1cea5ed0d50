"""值班值守 pure rules (services/emergency/duty/rules.py) with the shipped rule tables: shift validation
and overlap, handovers, spot-check timing at the edge of the limit, which days need a daily report
(a holiday, a make-up working day, a sensitive period, an ordinary day), intake validation and
masking, state transitions, the automatic intake of a red warning."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from services.emergency.duty import rules
from services.emergency.duty.thresholds import TABLES, table_on
from services.kit import roles, workdays
from services.kit.auth import Principal
from services.kit.errors import Conflict, InvalidArgument, NotFound, PermissionDenied

SH = rules.SHANGHAI
DAY = date(2026, 12, 2)
SHIFTS = table_on("duty_shifts", DAY)
AGENCIES = table_on("duty_agencies", DAY)["agencies"]
REPORTING = table_on("duty_reporting_days", DAY)
INTAKE = table_on("duty_intake", DAY)
CAL = workdays.Calendar(workdays.package_years())


def staff(region: str = "620802", *role_names: str) -> Principal:
    return Principal(subject="s", client_id="safety-web", username="u", kind="staff",
                     roles=frozenset(role_names or (roles.EMERGENCY_DUTY_OFFICER,)), region=region, display_name="值班员甲")


def enterprise(uscc: str = "91620802MA71KT001D", region: str | None = "620802") -> Principal:
    return Principal(subject="e", client_id="ent-x", username="service-account-ent-x", kind="enterprise", roles=frozenset({roles.ENTERPRISE}),
                     region=region, uscc=uscc)


def codes_of(exc) -> list[str]:
    return [v.code for v in exc.value.violations]


def good_shift(**over) -> dict:
    body = {"region_code": "620802", "day": DAY.isoformat(), "shift": "day",
            "leader": {"name": "张局长", "post": "副局长", "phone": "13909331234"},
            "officers": [{"name": "李值班", "phone": "0933-8212345"}, {"name": "王值班"}],
            "contacts": [{"label": "值班电话", "phone": "0933-8211110"}, {"label": "举报", "phone": "12350"}]}
    return body | over


# --- the tables -----------------------------------------------------------------------------------

def test_every_duty_table_names_its_source_and_marks_what_is_unverified():
    names = {t.name for t in TABLES}
    assert names == {"duty_shifts", "duty_spot_check", "duty_reporting_days", "duty_agencies", "duty_intake"}
    for t in TABLES:
        assert "RULES.md" in t.source, t.name
        assert "待核实" in t.source, f"{t.name}: practice, not a confirmed rule"


def test_the_agencies_are_the_city_and_its_seven_counties():
    assert set(AGENCIES) == {"620800", "620802", "620821", "620822", "620823", "620825", "620826", "620881"}
    assert table_on("duty_agencies", DAY)["reporting"] == ["620802", "620821", "620822", "620823", "620825", "620826", "620881"]


# --- 排班 -------------------------------------------------------------------------------------------

def test_a_good_shift_is_timed_by_the_table():
    s = rules.shift(good_shift(), table=SHIFTS, agencies=AGENCIES, today=DAY)
    assert s["starts_at"] == datetime(2026, 12, 2, 8, 30, tzinfo=SH) and s["ends_at"] == datetime(2026, 12, 2, 17, 30, tzinfo=SH)
    assert s["leader"] == {"name": "张局长", "post": "副局长", "phone": "13909331234"}
    assert [o["name"] for o in s["officers"]] == ["李值班", "王值班"] and len(s["contacts"]) == 2


def test_night_and_24_hour_shifts_end_the_next_morning():
    night = rules.shift_window(SHIFTS, DAY, "night")
    full = rules.shift_window(SHIFTS, DAY, "full")
    assert night == (datetime(2026, 12, 2, 17, 30, tzinfo=SH), datetime(2026, 12, 3, 8, 30, tzinfo=SH))
    assert full == (datetime(2026, 12, 2, 8, 30, tzinfo=SH), datetime(2026, 12, 3, 8, 30, tzinfo=SH))


def test_a_shift_without_a_leader_or_officers_is_refused_field_by_field():
    with pytest.raises(InvalidArgument) as e:
        rules.shift(good_shift(leader=None, officers=[]), table=SHIFTS, agencies=AGENCIES, today=DAY)
    assert codes_of(e) == ["leader.required", "officers.count"]
    assert "带班领导" in e.value.violations[0].message_zh and e.value.violations[0].message_en


def test_each_bad_field_is_named():
    body = good_shift(region_code="110000", day="2026-13-01", shift="evening",
                      leader={"name": "", "phone": "1234567"}, officers=[{"name": "李值班"}, {"name": "李值班", "phone": "abc"}],
                      contacts=[{"label": "值班电话"}], note="x" * 501)
    with pytest.raises(InvalidArgument) as e:
        rules.shift(body, table=SHIFTS, agencies=AGENCIES, today=DAY)
    fields = {v.field: v.code for v in e.value.violations}
    assert fields == {"region_code": "region_code.agency", "day": "day.format", "shift": "shift.enum", "leader.name": "leader.name.required",
                      "leader.phone": "leader.phone.format", "officers[1].phone": "officers[1].phone.format",
                      "officers[1].name": "officers.repeated", "contacts[0].phone": "contacts[0].phone.required", "note": "note.max_length"}


def test_wrong_json_types_are_field_errors_not_crashes():
    with pytest.raises(InvalidArgument) as e:
        rules.shift({"region_code": 620802, "day": 5, "shift": ["day"], "leader": "张局长", "officers": "李", "contacts": {}},
                    table=SHIFTS, agencies=AGENCIES, today=DAY)
    assert {v.field for v in e.value.violations} == {"region_code", "day", "shift", "leader", "officers", "contacts"}


def test_the_roster_reaches_the_tables_days_back_and_ahead():
    back, ahead = SHIFTS["roster_past_days"], SHIFTS["roster_ahead_days"]
    rules.shift(good_shift(day=(DAY - timedelta(days=back)).isoformat()), table=SHIFTS, agencies=AGENCIES, today=DAY)
    rules.shift(good_shift(day=(DAY + timedelta(days=ahead)).isoformat()), table=SHIFTS, agencies=AGENCIES, today=DAY)
    for d in (DAY - timedelta(days=back + 1), DAY + timedelta(days=ahead + 1)):
        with pytest.raises(InvalidArgument) as e:
            rules.shift(good_shift(day=d.isoformat()), table=SHIFTS, agencies=AGENCIES, today=DAY)
        assert codes_of(e) == ["day.range"]


def test_shifts_overlap_only_when_their_times_do():
    def held(code, d=DAY, id_=1):
        s, e = rules.shift_window(SHIFTS, d, code)
        return {"id": id_, "starts_at": s, "ends_at": e}
    day, night, full = (rules.shift_window(SHIFTS, DAY, c) for c in ("day", "night", "full"))
    assert rules.overlapping(night, [held("day")]) == [], "白班 ends as 夜班 begins"
    assert rules.overlapping(day, [held("night", DAY - timedelta(days=1))]) == [], "last night's 夜班 ends at 08:30"
    assert rules.overlapping(full, [held("day")]) and rules.overlapping(full, [held("night")])
    assert rules.overlapping(day, [held("full", DAY - timedelta(days=1))]) == []
    assert rules.overlapping(day, [held("day")], ignore=1) == [], "a shift does not clash with itself"


def test_a_change_keeps_the_agency_day_and_shift_and_stops_after_the_handover():
    row = {"region_code": "620802", "day": DAY, "shift": "day", "handed_over": False}
    people = rules.shift_change(good_shift(), row=row, table=SHIFTS)
    assert people["leader"]["name"] == "张局长"
    with pytest.raises(InvalidArgument) as e:
        rules.shift_change(good_shift(shift="night"), row=row, table=SHIFTS)
    assert codes_of(e) == ["shift.immutable"]
    with pytest.raises(Conflict):
        rules.shift_change(good_shift(), row=row | {"handed_over": True}, table=SHIFTS)


def test_phones_are_masked_except_on_the_agencys_own_read():
    row = {"leader": {"name": "张局长", "post": "", "phone": "13909331234"}, "officers": [{"name": "李值班", "phone": "0933-8212345"}],
           "contacts": [{"label": "值班电话", "phone": "0933-8211110"}]}
    masked = rules.masked_people(row, full=False)
    assert masked["leader"]["phone"] == "139****1234" and masked["officers"][0]["phone"] == "093*****2345"
    assert masked["contacts"][0]["phone"] == "093*****1110" and masked["phones_masked"] is True
    whole = rules.masked_people(row, full=True)
    assert whole["leader"]["phone"] == "13909331234" and whole["phones_masked"] is False


def test_the_week_view_runs_monday_to_sunday():
    assert rules.week_of(date(2026, 12, 2)) == (date(2026, 11, 30), date(2026, 12, 6))
    assert rules.roster_range({}, today=DAY) == (date(2026, 11, 30), date(2026, 12, 6))
    assert rules.roster_range({"from": "2026-12-07"}, today=DAY) == (date(2026, 12, 7), date(2026, 12, 13))
    with pytest.raises(InvalidArgument):
        rules.roster_range({"from": "2026-12-07", "to": "2026-12-01"}, today=DAY)
    with pytest.raises(InvalidArgument):
        rules.roster_range({"from": "2026-01-01", "to": "2026-12-31"}, today=DAY)


# --- 交接班 -----------------------------------------------------------------------------------------

def _shift_row(id_: int, code: str, d: date = DAY, **over) -> dict:
    s, e = rules.shift_window(SHIFTS, d, code)
    return {"id": id_, "region_code": "620802", "day": d, "shift": code, "starts_at": s, "ends_at": e, "handed_over": False,
            "leader": {"name": "张局长"}, "officers": [{"name": "李值班"}]} | over


def test_a_handover_goes_to_the_next_shift_between_its_people():
    day, night = _shift_row(1, "day"), _shift_row(2, "night", leader={"name": "赵局长"}, officers=[{"name": "钱值班"}])
    now = datetime(2026, 12, 2, 17, 25, tzinfo=SH)
    h = rules.handover({"handed_by": "李值班", "received_by": "钱值班", "notes": "化工园区报警已处置", "open_matters": ["跟进接报12"]},
                       from_shift=day, to_shift=None, next_shift=night, now=now)
    assert h == {"to_shift_id": 2, "handed_by": "李值班", "received_by": "钱值班", "notes": "化工园区报警已处置", "open_matters": ["跟进接报12"]}
    with pytest.raises(InvalidArgument) as e:
        rules.handover({"handed_by": "路人", "received_by": "李值班"}, from_shift=day, to_shift=None, next_shift=night, now=now)
    assert codes_of(e) == ["handed_by.not_on_shift", "received_by.not_on_shift"]


def test_a_handover_refuses_a_shift_that_is_not_the_next_or_has_not_started_or_is_done():
    day, night = _shift_row(1, "day"), _shift_row(2, "night")
    later = _shift_row(3, "day", DAY + timedelta(days=1))
    body = {"handed_by": "李值班", "received_by": "张局长", "to_shift_id": 3}
    with pytest.raises(InvalidArgument) as e:
        rules.handover(body, from_shift=day, to_shift=later, next_shift=night, now=datetime(2026, 12, 2, 17, 0, tzinfo=SH))
    assert codes_of(e) == ["to_shift_id.not_next"]
    with pytest.raises(InvalidArgument) as e:
        rules.handover({"handed_by": "李值班", "received_by": "张局长"}, from_shift=day, to_shift=None, next_shift=None,
                       now=datetime(2026, 12, 2, 8, 0, tzinfo=SH))
    assert codes_of(e) == ["to_shift_id.none", "shift.not_started"]
    with pytest.raises(Conflict):
        rules.handover(body, from_shift=day | {"handed_over": True}, to_shift=night, next_shift=night, now=datetime.now(SH))


def test_the_handover_lists_open_intakes_without_their_callers():
    listed = rules.open_intake_summary([{"id": 7, "channel": "phone", "received_at": datetime(2026, 12, 2, 1, 0, tzinfo=SH),
                                         "place": "崆峒区西郊", "content": "某化工厂冒烟" * 30, "caller_name": "王志强", "caller_phone": "13909331234"}])
    assert listed[0]["channel_name"] == "电话" and len(listed[0]["summary"]) == 80
    assert "王志强" not in str(listed) and "13909331234" not in str(listed)


# --- 查岗 -------------------------------------------------------------------------------------------

LIMIT = table_on("duty_spot_check", DAY)["answer_within"]
ASKED = datetime(2026, 12, 2, 22, 0, tzinfo=SH)


def _check(**over) -> dict:
    return {"asked_at": ASKED, "limit_seconds": LIMIT["seconds"], "limit_op": LIMIT["op"], "answered_at": None, "response_seconds": None} | over


def test_the_table_gives_five_minutes_inclusive():
    assert LIMIT == {"seconds": 300, "op": "lte"}


def test_an_unanswered_check_is_flagged_only_past_the_limit():
    at_limit = rules.spot_check_state(_check(), now=ASKED + timedelta(seconds=300))
    assert at_limit["state"] == "waiting" and at_limit["flagged"] is False and at_limit["elapsed_seconds"] == 300
    past = rules.spot_check_state(_check(), now=ASKED + timedelta(seconds=301))
    assert past["state"] == "overdue" and past["state_name"] == "超时未应答" and past["flagged"] is True


def test_an_answer_is_judged_by_the_limit_it_was_asked_under():
    assert rules.spot_check_state(_check(answered_at=ASKED, response_seconds=300), now=ASKED + timedelta(hours=5))["state"] == "answered"
    late = rules.spot_check_state(_check(answered_at=ASKED, response_seconds=301), now=ASKED)
    assert late["state"] == "late" and late["flagged"]
    stricter = rules.spot_check_state(_check(answered_at=ASKED, response_seconds=300, limit_op="lt"), now=ASKED)
    assert stricter["state"] == "late", "a table with lt excludes the limit itself"


def test_the_answer_stores_whole_seconds():
    a = rules.spot_check_answer({"answer": "在岗，值班员李值班", "answered_by": "李值班"}, row=_check(), now=ASKED + timedelta(seconds=42.9))
    assert a["response_seconds"] == 42 and a["answered_by"] == "李值班"
    with pytest.raises(Conflict):
        rules.spot_check_answer({"answer": "x", "answered_by": "y"}, row=_check(answered_at=ASKED, response_seconds=1), now=ASKED)
    with pytest.raises(InvalidArgument) as e:
        rules.spot_check_answer({}, row=_check(), now=ASKED)
    assert codes_of(e) == ["answer.required", "answered_by.required"]


def test_only_the_level_above_starts_a_check():
    assert rules.level_above("620802") == "620800" and rules.level_above("620800") is None
    assert rules.require_level_above(staff("620800"), "620802") == "620800"
    with pytest.raises(PermissionDenied):
        rules.require_level_above(staff("620802"), "620802")
    with pytest.raises(PermissionDenied):
        rules.require_level_above(staff("620821"), "620802")
    with pytest.raises(InvalidArgument) as e:
        rules.spot_check_start({"region_code": "620800", "question": "请报告在岗人员"}, agencies=AGENCIES)
    assert codes_of(e) == ["region_code.agency"], "the city is not checked by itself"


def test_only_the_checked_agency_answers():
    rules.require_agency_staff(staff("620802"), "620802")
    rules.require_agency_staff(staff("620802003"), "620802")  # a township's staff work for the county bureau
    with pytest.raises(NotFound):
        rules.require_agency_staff(staff("620800"), "620802")
    with pytest.raises(PermissionDenied):
        rules.require_agency_staff(staff("620802", roles.SUPERVISION_INSPECTOR), "620802")


# --- 日报 / 零报告 -----------------------------------------------------------------------------------

def test_which_days_need_a_daily_report():
    national = rules.reporting_day(date(2026, 10, 1), calendar=CAL, table=REPORTING)
    assert national["required"] and national["reasons"] == ["国庆节"]
    weekend_in_holiday = rules.reporting_day(date(2026, 10, 4), calendar=CAL, table=REPORTING)
    assert weekend_in_holiday["required"], "a weekend inside the holiday is part of it"
    makeup = rules.reporting_day(date(2026, 10, 10), calendar=CAL, table=REPORTING)
    assert date(2026, 10, 10).weekday() == 5 and not makeup["required"], "a make-up working day (调休上班) is not a holiday"
    sensitive = rules.reporting_day(date(2026, 3, 6), calendar=CAL, table=REPORTING)
    assert sensitive["required"] and sensitive["reasons"] == ["全国两会"]
    for ordinary in (date(2026, 11, 18), date(2026, 11, 21)):  # a Wednesday and a plain Saturday
        assert not rules.reporting_day(ordinary, calendar=CAL, table=REPORTING)["required"]
    edge = [rules.reporting_day(d, calendar=CAL, table=REPORTING)["required"] for d in (date(2026, 3, 2), date(2026, 3, 3),
                                                                                        date(2026, 3, 12), date(2026, 3, 13))]
    assert edge == [False, True, True, False], "a sensitive period includes its first and last day"


def test_a_year_without_a_notice_is_judged_by_the_sensitive_periods_and_said_to_be_provisional():
    empty = workdays.Calendar({})
    unknown = rules.reporting_day(date(2026, 10, 1), calendar=empty, table=REPORTING)
    assert not unknown["required"] and unknown["provisional"]
    assert rules.reporting_day(date(2026, 3, 6), calendar=empty, table=REPORTING)["required"]


def test_a_daily_report_checks_its_fields():
    ok = rules.daily_report({"region_code": "620802", "day": "2026-10-01", "nil": True}, today=DAY, calendar=CAL, table=REPORTING,
                            agencies=AGENCIES, reporting=table_on("duty_agencies", DAY)["reporting"])
    assert ok == {"region_code": "620802", "day": date(2026, 10, 1), "nil": True, "content": "", "reasons": ["国庆节"]}
    with pytest.raises(InvalidArgument) as e:
        rules.daily_report({"region_code": "620800", "day": "2026-11-18", "nil": False}, today=DAY, calendar=CAL, table=REPORTING,
                           agencies=AGENCIES, reporting=table_on("duty_agencies", DAY)["reporting"])
    assert codes_of(e) == ["region_code.agency", "day.not_required", "content.required"]
    with pytest.raises(InvalidArgument) as e:
        rules.daily_report({"region_code": "620802", "day": "2027-10-01", "nil": "yes"}, today=DAY, calendar=CAL, table=REPORTING,
                           agencies=AGENCIES, reporting=table_on("duty_agencies", DAY)["reporting"])
    assert codes_of(e)[:1] == ["day.future"] and "nil.type" in codes_of(e)


def test_a_report_is_due_the_next_morning_and_late_after():
    due = rules.report_due(date(2026, 10, 1), REPORTING)
    assert due == datetime(2026, 10, 2, 9, 0, tzinfo=SH)
    assert rules.report_state(None, due=due) == {"state": "missing", "state_name": "未报送", "late": False}
    assert rules.report_state({"nil": True, "submitted_at": due}, due=due) == {"state": "nil", "state_name": "零报告", "late": False}
    assert rules.report_state({"nil": False, "submitted_at": due + timedelta(seconds=1)}, due=due)["late"] is True


# --- 接报 -------------------------------------------------------------------------------------------

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)


def test_a_night_intake_needs_only_channel_content_and_region():
    i = rules.intake({"channel": "phone", "content": "西郊化工园区有异味", "region_code": "620802"}, p=staff(), now=NOW, table=INTAKE)
    assert i["received_at"] == NOW and i["caller_name"] == "" and i["uscc"] is None
    full = rules.intake({"channel": "hotline_12350", "received_at": "2026-12-02T22:40:00+08:00", "caller_name": "王志强",
                         "caller_phone": "139 0933 1234", "caller_unit": "平凉市崆峒化工有限公司", "content": "储罐区泄漏",
                         "place": "崆峒区工业园区纬一路8号", "region_code": "620802003", "uscc": "91620802ma71kt001d",
                         "enterprise_name": "平凉市崆峒化工有限公司"}, p=staff(), now=NOW, table=INTAKE)
    assert full["uscc"] == "91620802MA71KT001D" and full["received_at"] == datetime(2026, 12, 2, 14, 40, tzinfo=timezone.utc)


def test_intake_fields_are_checked_one_by_one():
    with pytest.raises(InvalidArgument) as e:
        rules.intake({"channel": "fax", "received_at": "2026-12-02 22:40", "caller_phone": "call me", "content": " ", "region_code": "620821",
                      "uscc": "91620802MA71KT001X"}, p=staff("620802"), now=NOW, table=INTAKE)
    assert codes_of(e) == ["channel.enum", "received_at.format", "caller_phone.format", "content.required", "uscc.invalid",
                           "region_code.outside"]
    with pytest.raises(InvalidArgument) as e:
        rules.intake({"channel": "enterprise_api", "content": "x", "region_code": "620802"}, p=staff(), now=NOW, table=INTAKE)
    assert codes_of(e) == ["channel.enum"], "企业接口 is the enterprises' own channel"


def test_received_at_may_not_be_in_the_future_nor_too_far_back():
    tolerance, back = INTAKE["future_tolerance_seconds"], INTAKE["max_backdate_days"]
    body = {"channel": "phone", "content": "x", "region_code": "620802"}
    rules.intake(body | {"received_at": (NOW + timedelta(seconds=tolerance)).isoformat()}, p=staff(), now=NOW, table=INTAKE)
    for at, code in ((NOW + timedelta(seconds=tolerance + 1), "received_at.future"), (NOW - timedelta(days=back, seconds=1), "received_at.range")):
        with pytest.raises(InvalidArgument) as e:
            rules.intake(body | {"received_at": at.isoformat()}, p=staff(), now=NOW, table=INTAKE)
        assert codes_of(e) == [code]


def test_an_enterprise_logs_for_itself_whatever_the_body_says():
    i = rules.intake({"channel": "phone", "content": "本企业储罐区液氨泄漏，已启动预案", "region_code": "620821", "uscc": "91620821MA72JC002N"},
                     p=enterprise(), now=NOW, table=INTAKE)
    assert (i["channel"], i["uscc"], i["region_code"]) == ("enterprise_api", "91620802MA71KT001D", "620802")
    assert rules.intake({"content": "x"}, p=enterprise(region=None), now=NOW, table=INTAKE)["region_code"] == "620802", \
        "without a region claim: the credit code's registration region"


def test_callers_are_masked_in_lists_and_whole_on_the_intakes_own_read():
    row = {"id": 1, "channel": "phone", "received_at": NOW, "caller_name": "王志强", "caller_phone": "13909331234", "caller_unit": "", "content": "x",
           "place": "", "region_code": "620802003", "uscc": None, "enterprise_name": None, "status": "open", "incident_id": None,
           "closed_reason": None, "handled_by": None, "handled_at": None, "logged_by": "值班员甲", "logged_by_kind": "staff", "logged_at": NOW,
           "version": 1}
    listed = rules.intake_view(row, full=False, agencies=AGENCIES)
    assert listed["caller_name"] == "王**" and listed["caller_phone"] == "139****1234" and listed["caller_masked"]
    assert listed["agency_name"] == "崆峒区应急管理局" and listed["channel_name"] == "电话" and listed["status_name"] == "待处置"
    own = rules.intake_view(row, full=True, agencies=AGENCIES)
    assert own["caller_name"] == "王志强" and own["caller_phone"] == "13909331234"
    assert rules.mask_name("") == "" and rules.mask_name("欧阳娜娜") == "欧***" and rules.mask_phone("") == ""


def test_intakes_are_visible_to_their_region_and_their_enterprise_only():
    row = {"region_code": "620802003", "uscc": "91620802MA71KT001D"}
    assert rules.visible_intake(staff("620802"), row) is row and rules.visible_intake(staff("620800"), row) is row
    assert rules.visible_intake(enterprise(), row) is row
    for p in (staff("620821"), enterprise("91620821MA72JC002N", "620821")):
        with pytest.raises(NotFound):
            rules.visible_intake(p, row)
    with pytest.raises(NotFound):
        rules.visible_intake(staff("620802"), None)


def test_an_intake_leaves_open_once_and_for_good():
    for to in ("became_incident", "joined", "closed_no_action"):
        rules.transition({"status": "open"}, to)
    for held in ("became_incident", "joined", "closed_no_action"):
        with pytest.raises(Conflict):
            rules.transition({"status": held}, "joined")
    with pytest.raises(Conflict):
        rules.transition({"status": "open"}, "open")


def test_linking_names_either_an_incident_or_a_new_one():
    assert rules.link({"incident_id": 12}) == ("join", 12)
    assert rules.link({"new_incident": {"type": "production_accident"}}) == ("new", {"type": "production_accident"})
    for bad, code in (({}, "link.one_of"), ({"incident_id": 1, "new_incident": {}}, "link.one_of"), ({"incident_id": "12"}, "incident_id.type"),
                      ({"incident_id": True}, "incident_id.type"), ({"new_incident": "x"}, "new_incident.type")):
        with pytest.raises(InvalidArgument) as e:
            rules.link(bad)
        assert codes_of(e) == [code]
    with pytest.raises(InvalidArgument):
        rules.close({"reason": ""})
    assert rules.close({"reason": " 误报，已核实 "}) == "误报，已核实"


def test_the_incident_is_told_what_and_when_not_the_callers_phone():
    row = {"id": 3, "channel": "phone", "received_at": NOW, "caller_name": "王志强", "caller_phone": "13909331234", "content": "储罐泄漏"}
    assert rules.incident_intake(row) == {"id": 3, "channel": "phone", "received_at": NOW, "caller_name": "王志强", "content": "储罐泄漏"}


def test_versions_are_required_and_must_match():
    rules.require_version(3, 3)
    with pytest.raises(InvalidArgument):
        rules.require_version(0, 3)
    with pytest.raises(Conflict):
        rules.require_version(2, 3)


def test_only_emergency_staff_pass():
    assert rules.require_staff(staff("620800")) == "6208" and rules.require_staff(staff("620802")) == "620802"
    no_region = Principal("s", "c", "u", "staff", frozenset({roles.EMERGENCY_COMMANDER}))
    for p in (staff("620802", roles.SUPERVISION_INSPECTOR), enterprise(), no_region):
        with pytest.raises(PermissionDenied):
            rules.require_staff(p)


# --- the red warning ------------------------------------------------------------------------------

def warning(**over) -> dict:
    return {"scope": "enterprise", "scope_id": "91620802MA71KT001D", "uscc": "91620802MA71KT001D", "region_code": "620802", "colour": "red",
            "previous": "orange", "reason": "断电失效", "changed_at": (NOW - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")} | over


def test_a_warning_turning_red_logs_a_monitoring_intake():
    i = rules.monitoring_intake(warning(), table=INTAKE, now=NOW)
    assert i["channel"] == "monitoring_alarm" and i["uscc"] == "91620802MA71KT001D" and i["region_code"] == "620802"
    assert i["received_at"] == NOW - timedelta(minutes=1) and "断电失效" in i["content"] and i["caller_name"] == ""
    assert "重大危险源" in rules.monitoring_intake(warning(scope="source", scope_id="11"), table=INTAKE, now=NOW)["content"]


def test_other_colours_a_red_that_stays_red_and_old_news_log_nothing():
    assert rules.monitoring_intake(warning(colour="orange"), table=INTAKE, now=NOW) is None
    assert rules.monitoring_intake(warning(previous="red"), table=INTAKE, now=NOW) is None
    assert rules.monitoring_intake(warning(colour="none", previous="red"), table=INTAKE, now=NOW) is None
    hours = INTAKE["monitoring"]["max_age_hours"]
    at_edge = (NOW - timedelta(hours=hours)).isoformat()
    assert rules.monitoring_intake(warning(changed_at=at_edge), table=INTAKE, now=NOW) is not None
    too_old = (NOW - timedelta(hours=hours, seconds=1)).isoformat()
    assert rules.monitoring_intake(warning(changed_at=too_old), table=INTAKE, now=NOW) is None
    with pytest.raises(ValueError):
        rules.monitoring_intake(warning(region_code=""), table=INTAKE, now=NOW)


def test_a_shift_leaves_the_roster_only_while_no_handover_names_it():
    rules.shift_removal({"handed_over": False}, handed_to=False)
    with pytest.raises(Conflict):
        rules.shift_removal({"handed_over": True}, handed_to=False)
    with pytest.raises(Conflict):
        rules.shift_removal({"handed_over": False}, handed_to=True)


def test_an_intake_happens_in_a_county_or_a_township():
    body = {"channel": "phone", "content": "x"}
    assert rules.intake(body | {"region_code": "620802003"}, p=staff("620800"), now=NOW, table=INTAKE)["region_code"] == "620802003"
    with pytest.raises(InvalidArgument) as e:
        rules.intake(body | {"region_code": "620800"}, p=staff("620800"), now=NOW, table=INTAKE)
    assert codes_of(e) == ["region_code.county"]
