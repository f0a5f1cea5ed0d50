"""Incidents of the emergency platform (services/emergency/incidents/rules.py): the report clock at
each edge (on time at the deadline, a second late, missing), the follow-up slots, the response-level
suggestion at each grade and at the 100,000 relocation edge, the task moves, and the bodies refused
field by field in Chinese and English."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.datacenter.accidents.rules import ACCIDENT_TYPES
from services.emergency.incidents import rules, views
from services.emergency.incidents.servicer import TABLES, tables_on
from services.kit.auth import Principal
from services.kit.errors import Conflict, InvalidArgument, NotFound, PermissionDenied

SH = rules.SHANGHAI
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SH)
T = tables_on(NOW)
REPORTING, LEVELS, TYPES, GROUPS = T["incident_reporting"], T["response_levels"], T["incident_types"], T["command_groups"]


def codes(exc) -> list[str]:
    return [v.code for v in exc.value.violations]


def body(**over) -> dict:
    b = {"title": "崆峒化工储罐区中毒事故", "type": "production_accident", "subtype": "poisoning_asphyxia", "region_code": "620802",
         "address": "崆峒区工业园区纬一路8号", "lon": 106.68, "lat": 35.54, "occurred_at": "2026-12-02T09:10:00+08:00",
         "reported_at": "2026-12-02T09:20:00+08:00", "source": "phone", "uscc": "91620802MA71KT001D",
         "casualties": {"deaths": 1, "injured": 3, "serious_injuries": 1}, "description": "液氨泄漏，1人死亡，3人受伤"}
    return b | over


def staff(*role_names, region="620802", kind="staff") -> Principal:
    return Principal(subject="s", client_id="c", username="u", kind=kind, roles=frozenset(role_names), region=region)


# --- tables -----------------------------------------------------------------------------------------

def test_the_tables_load_with_their_sources_and_say_what_is_unverified():
    names = {t.name for t in TABLES}
    assert names == {"incident_types", "incident_reporting", "response_levels", "command_groups"}
    reporting = next(t for t in TABLES if t.name == "incident_reporting")
    assert "河南" in reporting.source and "已核实为省级示例" in reporting.source and "甘肃" in reporting.source and "待核实" in reporting.source
    assert all(t.source.strip() for t in TABLES)


def test_the_gb6441_types_are_the_data_centres_codes():
    production = rules.types_of(TYPES)["production_accident"]
    assert [tuple(x) for x in production["subtypes"]] == list(ACCIDENT_TYPES), "the data centre checks the same 20 codes"
    assert production["accident_category"] == "production" and production["subtype_required"]


def test_an_incident_before_the_first_table_is_judged_by_the_first():
    assert tables_on(datetime(2020, 5, 1, tzinfo=SH))["incident_reporting"] == REPORTING


# --- who ----------------------------------------------------------------------------------------------

def test_only_emergency_staff_of_the_region_see_an_incident():
    row = {"region_code": "620802001"}
    assert rules.visible(staff("emergency-duty-officer"), row) is row
    assert rules.visible(staff("emergency-commander", region="620800"), row) is row
    with pytest.raises(NotFound):
        rules.visible(staff("emergency-duty-officer", region="620821"), row)
    for p in (staff("supervision-inspector"), staff("enterprise", kind="enterprise"), staff("integrator", kind="integrator")):
        with pytest.raises(PermissionDenied):
            rules.visible(p, row)
    with pytest.raises(PermissionDenied):
        rules.require_commander(staff("emergency-duty-officer"))
    rules.require_commander(staff("platform-admin"))


def test_closed_and_merged_incidents_take_notes_only():
    rules.open_for_writes({"status": "stabilised"})
    for status in ("closed", "merged"):
        with pytest.raises(Conflict):
            rules.open_for_writes({"status": status})


# --- the incident's body ------------------------------------------------------------------------------

def test_a_good_body():
    f = rules.incident(body(), types_table=TYPES, now=NOW)
    assert f["casualties"] == {"deaths": 1, "missing": 0, "injured": 3, "serious_injuries": 1, "trapped": 0, "affected": 0, "to_relocate": 0}
    assert f["reported_at"] == datetime(2026, 12, 2, 9, 20, tzinfo=SH) and f["uscc"] == "91620802MA71KT001D" and f["first_report"] is None
    assert rules.makes_accident(f, TYPES)
    assert not rules.makes_accident(f | {"uscc": None}, TYPES) and not rules.makes_accident(f | {"type": "natural_disaster"}, TYPES)


@pytest.mark.parametrize("over, field, code", [
    ({"title": ""}, "title", "title.required"),
    ({"title": "事故"}, "title", "title.min_length"),
    ({"type": None}, "type", "type.required"),
    ({"type": "meteor"}, "type", "type.enum"),
    ({"subtype": None}, "subtype", "subtype.required"),
    ({"subtype": "earthquake"}, "subtype", "subtype.enum"),
    ({"region_code": "620800"}, "region_code", "region_code.format"),
    ({"region_code": ""}, "region_code", "region_code.required"),
    ({"address": " "}, "address", "address.required"),
    ({"lat": None}, "lat", "lat.required"),
    ({"lon": 150.0}, "lon", "lon.range"),
    ({"occurred_at": "2026-12-02 09:10"}, "occurred_at", "occurred_at.format"),
    ({"occurred_at": "2026-12-02T10:05:01+08:00", "reported_at": None}, "occurred_at", "occurred_at.future"),
    ({"reported_at": "2026-12-02T09:00:00+08:00"}, "reported_at", "reported_at.before_occurred"),
    ({"reported_at": "2026-12-02T10:06:00+08:00"}, "reported_at", "reported_at.future"),
    ({"source": "pigeon"}, "source", "source.enum"),
    ({"source": None}, "source", "source.required"),
    ({"uscc": "91620802MA71KT001X"}, "uscc", "uscc.format"),
    ({"casualties": {"deaths": -1}}, "casualties.deaths", "casualties.deaths.range"),
    ({"casualties": {"deaths": True}}, "casualties.deaths", "casualties.deaths.range"),
    ({"casualties": {"ghosts": 1}}, "casualties.ghosts", "casualties.ghosts.unknown"),
    ({"casualties": {"injured": 1, "serious_injuries": 2}}, "casualties.serious_injuries", "casualties.serious_injuries.exceeds"),
    ({"description": None}, "description", "description.required"),
    ({"first_report": {"cause": "阀门失效"}}, "first_report.course", "first_report.course.required"),
    ({"first_report": "首报"}, "first_report", "first_report.type"),
])
def test_a_body_is_refused_field_by_field_in_both_languages(over, field, code):
    with pytest.raises(InvalidArgument) as refused:
        rules.incident(body(**over), types_table=TYPES, now=NOW)
    v = next(v for v in refused.value.violations if v.code == code)
    assert v.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in v.message_zh), "the Chinese message"
    assert v.message_en and v.message_en.isascii(), "the English message"


def test_every_problem_of_a_body_is_reported_at_once():
    with pytest.raises(InvalidArgument) as refused:
        rules.incident({}, types_table=TYPES, now=NOW)
    assert set(codes(refused)) >= {"title.required", "type.required", "region_code.required", "address.required", "occurred_at.required",
                                   "source.required", "description.required"}


def test_an_intake_gives_the_time_learned_and_the_source():
    intake = {"id": 7, "channel": "hotline_12350", "received_at": "2026-12-02T09:30:00+08:00", "content": "群众举报"}
    f = rules.incident(body(reported_at=None, source=None), types_table=TYPES, now=NOW, intake=intake)
    assert f["reported_at"] == datetime(2026, 12, 2, 9, 30, tzinfo=SH) and f["source"] == "hotline_12350"
    # a channel that is not one of the sources is no default: the body must say
    with pytest.raises(InvalidArgument) as refused:
        rules.incident(body(reported_at=None, source=None), types_table=TYPES, now=NOW, intake=intake | {"channel": "walk_in"})
    assert codes(refused) == ["source.required"]


def test_a_natural_disaster_needs_no_subtype_and_no_enterprise():
    f = rules.incident(body(type="natural_disaster", subtype=None, uscc=None), types_table=TYPES, now=NOW)
    assert f["subtype"] is None and not rules.makes_accident(f, TYPES)


def test_the_first_report_may_come_with_the_body():
    f = rules.incident(body(first_report={"course": "已疏散周边群众", "phoned_at": "2026-12-02T09:25:00+08:00"}), types_table=TYPES, now=NOW)
    assert f["first_report"]["course"] == "已疏散周边群众" and f["first_report"]["phoned_at"] == datetime(2026, 12, 2, 9, 25, tzinfo=SH)
    assert f["first_report"]["casualties"] == f["casualties"]


# --- changes ------------------------------------------------------------------------------------------

ROW = {"id": 5, "status": "reported", "casualties": rules.casualties({"deaths": 1, "injured": 3}, []), "uscc": None,
       "occurred_at": datetime(2026, 12, 2, 9, 10, tzinfo=SH)}


def test_changes_take_the_updatable_fields_only():
    ch = rules.changes({"version": 3, "title": "崆峒化工液氨泄漏事故", "casualties": {"deaths": 2}}, row=ROW)
    assert ch["title"] == "崆峒化工液氨泄漏事故" and ch["casualties"]["deaths"] == 2 and ch["casualties"]["injured"] == 3
    with pytest.raises(InvalidArgument) as refused:
        rules.changes({"type": "other", "occurred_at": "2026-12-02T09:00:00+08:00"}, row=ROW)
    assert codes(refused) == ["type.not_updatable", "occurred_at.not_updatable"]
    with pytest.raises(InvalidArgument) as refused:
        rules.changes({"version": 3}, row=ROW)
    assert codes(refused) == ["body.empty"]
    with pytest.raises(InvalidArgument) as refused:
        rules.changes({"uscc": "91620802MA71KT001D"}, row=ROW | {"uscc": "91620821MA72JC002N"})
    assert codes(refused) == ["uscc.not_updatable"]


@pytest.mark.parametrize("current, target, ok", [
    ("reported", "responding", True), ("reported", "stabilised", True), ("responding", "stabilised", True),
    ("stabilised", "responding", True), ("responding", "reported", False), ("stabilised", "reported", False),
])
def test_status_moves(current, target, ok):
    if ok:
        assert rules.changes({"status": target}, row=ROW | {"status": current})["status"] == target
    else:
        with pytest.raises(InvalidArgument) as refused:
            rules.changes({"status": target}, row=ROW | {"status": current})
        assert codes(refused) == ["status.transition"]


def test_closing_and_merging_through_changes():
    with pytest.raises(InvalidArgument) as refused:
        rules.changes({"status": "closed"}, row=ROW | {"status": "stabilised"})
    assert codes(refused) == ["status.use_closure"]
    assert rules.changes({"status": "merged", "merged_into": 9}, row=ROW) == {"status": "merged", "merged_into": 9}
    for b, code in (({"status": "merged"}, "merged_into.required"), ({"status": "merged", "merged_into": 5}, "merged_into.self"),
                    ({"merged_into": 9}, "merged_into.without_status")):
        with pytest.raises(InvalidArgument) as refused:
            rules.changes(b, row=ROW)
        assert codes(refused) == [code]


# --- the report chain ---------------------------------------------------------------------------------

LEARNED = datetime(2026, 12, 2, 9, 20, tzinfo=SH)


@pytest.mark.parametrize("grade, phone, written", [
    ("extraordinary", 15, 35), ("major", 15, 35), ("large", 30, 60), ("general", None, 360)])
def test_first_report_deadlines_per_grade(grade, phone, written):
    p, w = rules.first_deadlines(learned_at=LEARNED, grade=grade, table=REPORTING)
    assert p == (LEARNED + timedelta(minutes=phone) if phone else None)
    assert w == LEARNED + timedelta(minutes=written)


def test_a_report_at_its_deadline_is_on_time_a_second_later_late_none_missing():
    due = LEARNED + timedelta(minutes=35)
    assert rules.flag(due, due, NOW) == "on_time"
    assert rules.flag(due + timedelta(seconds=1), due, NOW) == "late"
    assert rules.flag(due - timedelta(minutes=20), due, NOW) == "on_time"
    assert rules.flag(None, due, due) == "pending", "at the deadline itself it is not missing yet"
    assert rules.flag(None, due, due + timedelta(seconds=1)) == "missing"


def incident_row(**over):
    return {"reported_at": LEARNED, "status": "responding", "stabilised_at": None} | over


def rep(i, kind, at, number=0, grade="major", phoned=None):
    return {"id": i, "kind": kind, "number": number, "reported_at": at, "phoned_at": phoned, "grade": grade}


def test_the_clock_judges_the_first_report_by_the_grade_known_when_it_was_made():
    first = rep(1, "first", LEARNED + timedelta(minutes=50), grade="large")   # 较大: written within 60 min
    clock = rules.report_clock(incident=incident_row(), reports=[first], grade="major", table=REPORTING, now=NOW)
    assert clock["reports"][1]["status"] == "on_time", "the grade rose to 重大 later: the report was on time for 较大"
    assert clock["reports"][1]["phone_status"] == "late", "but 较大 asks for a phone report within 30 min"
    phoned = rep(1, "first", LEARNED + timedelta(minutes=50), grade="large", phoned=LEARNED + timedelta(minutes=30))
    clock = rules.report_clock(incident=incident_row(), reports=[phoned], grade="major", table=REPORTING, now=NOW)
    assert clock["reports"][1]["phone_status"] == "on_time" and not clock["reports"][1]["late"]


def test_a_missing_first_report_runs_on_todays_grade():
    clock = rules.report_clock(incident=incident_row(), reports=[], grade="major", table=REPORTING, now=LEARNED + timedelta(minutes=35))
    assert clock["next"]["kind"] == "first" and clock["next"]["status"] == "pending" and clock["next"]["phone_status"] == "missing"
    assert clock["next"]["late"] and clock["late_count"] == 1
    clock = rules.report_clock(incident=incident_row(), reports=[], grade="major", table=REPORTING,
                               now=LEARNED + timedelta(minutes=35, seconds=1))
    assert clock["next"]["status"] == "missing" and clock["next"]["status_name"] == "漏报"
    clock = rules.report_clock(incident=incident_row(), reports=[], grade="general", table=REPORTING, now=LEARNED + timedelta(hours=5))
    assert clock["next"]["status"] == "pending" and clock["next"]["phone_due"] is None and clock["late_count"] == 0


@pytest.mark.parametrize("first_at, number, due", [
    ("2026-12-02T10:20:00", 1, "2026-12-02T17:00:00"),
    ("2026-12-02T10:20:00", 2, "2026-12-03T08:00:00"),
    ("2026-12-02T10:20:00", 3, "2026-12-03T17:00:00"),
    ("2026-12-02T16:00:00", 1, "2026-12-02T17:00:00"),   # exactly 60 min before the slot: that slot
    ("2026-12-02T16:00:01", 1, "2026-12-03T08:00:00"),   # a second less: the next one
    ("2026-12-02T07:30:00", 1, "2026-12-02T17:00:00"),
    ("2026-12-02T23:50:00", 1, "2026-12-03T08:00:00"),
])
def test_follow_ups_are_due_at_the_daily_times(first_at, number, due):
    at = datetime.fromisoformat(first_at).replace(tzinfo=SH)
    assert rules.follow_up_due(first_at=at, number=number, table=REPORTING) == datetime.fromisoformat(due).replace(tzinfo=SH)


def test_follow_ups_are_flagged_and_the_next_one_expected():
    first_at = datetime(2026, 12, 2, 10, 20, tzinfo=SH)
    reports = [rep(1, "first", first_at), rep(2, "follow_up", datetime(2026, 12, 2, 17, 0, tzinfo=SH), number=1),
               rep(3, "follow_up", datetime(2026, 12, 3, 8, 0, 1, tzinfo=SH), number=2)]
    now = datetime(2026, 12, 3, 17, 0, 1, tzinfo=SH)
    clock = rules.report_clock(incident=incident_row(reported_at=first_at - timedelta(minutes=10)), reports=reports, grade="major",
                               table=REPORTING, now=now)
    assert clock["reports"][2]["status"] == "on_time" and clock["reports"][3]["status"] == "late"
    assert clock["next"]["label"] == "续报（第3次）" and clock["next"]["status"] == "missing"
    assert clock["late_count"] == 2


def test_the_final_report_is_due_a_day_after_the_incident_stabilised():
    first_at = datetime(2026, 12, 2, 10, 20, tzinfo=SH)
    stabilised = datetime(2026, 12, 4, 12, 0, tzinfo=SH)
    inc = incident_row(reported_at=first_at, status="stabilised", stabilised_at=stabilised)
    clock = rules.report_clock(incident=inc, reports=[rep(1, "first", first_at)], grade="general", table=REPORTING, now=stabilised)
    assert clock["next"]["kind"] == "final" and clock["next"]["due"] == stabilised + timedelta(hours=24)
    final = rep(2, "final", stabilised + timedelta(hours=24))
    clock = rules.report_clock(incident=inc, reports=[rep(1, "first", first_at), final], grade="general", table=REPORTING, now=NOW)
    assert clock["reports"][2]["status"] == "on_time" and clock["next"] is None
    late = rep(2, "final", stabilised + timedelta(hours=24, seconds=1))
    clock = rules.report_clock(incident=inc, reports=[rep(1, "first", first_at), late], grade="general", table=REPORTING, now=NOW)
    assert clock["reports"][2]["status"] == "late"


def test_reports_come_in_their_order_and_are_numbered():
    row = {"occurred_at": datetime(2026, 12, 2, 9, 10, tzinfo=SH), "casualties": ROW["casualties"]}
    with pytest.raises(Conflict):
        rules.report({"kind": "follow_up", "course": "x"}, row=row, existing=[], now=NOW)
    first = rules.report({"kind": "first", "course": "已处置"}, row=row, existing=[], now=NOW)
    assert first["number"] == 0
    with pytest.raises(Conflict):
        rules.report({"kind": "first", "course": "x"}, row=row, existing=[{"kind": "first", "number": 0}], now=NOW)
    two = rules.report({"kind": "follow_up", "course": "x", "casualties": {"deaths": 3}}, row=row,
                       existing=[{"kind": "first", "number": 0}, {"kind": "follow_up", "number": 1}], now=NOW)
    assert two["number"] == 2 and two["casualties"]["deaths"] == 3 and two["casualties"]["injured"] == 3
    with pytest.raises(InvalidArgument) as refused:
        rules.report({"kind": "final", "course": "x"}, row=row, existing=[{"kind": "first", "number": 0}], now=NOW)
    assert codes(refused) == ["cause.required"], "the 终报 states the cause"
    with pytest.raises(Conflict):
        rules.report({"kind": "follow_up", "course": "x"}, row=row, existing=[{"kind": "first", "number": 0}, {"kind": "final", "number": 0}],
                     now=NOW)
    with pytest.raises(InvalidArgument) as refused:
        rules.report({"kind": "later", "course": "x"}, row=row, existing=[], now=NOW)
    assert codes(refused) == ["kind.enum"]
    with pytest.raises(InvalidArgument) as refused:
        rules.report({"kind": "follow_up", "course": "x", "phoned_at": "2026-12-02T09:30:00+08:00", "direct_loss_cny": "1.234"},
                     row=row, existing=[{"kind": "first", "number": 0}], now=NOW)
    assert codes(refused) == ["direct_loss_cny.range", "phoned_at.first_only"]


def test_the_clock_grade_falls_back_to_the_level_then_to_general():
    kw = {"levels_table": LEVELS, "reporting_table": REPORTING}
    assert rules.clock_grade(accident_grade="large", level=1, **kw) == "large"
    assert rules.clock_grade(accident_grade=None, level=2, **kw) == "major"
    assert rules.clock_grade(accident_grade=None, level=None, **kw) == "general"


# --- response level -----------------------------------------------------------------------------------

@pytest.mark.parametrize("grade, level", [("extraordinary", 1), ("major", 2), ("large", 3), ("general", 4)])
def test_the_suggestion_follows_the_grade(grade, level):
    s = rules.suggest_level(grade=grade, figures={}, table=LEVELS)
    assert s["level"] == level and s["level_name"] == ["Ⅰ级", "Ⅱ级", "Ⅲ级", "Ⅳ级"][level - 1]
    assert s["basis"] == [f"事故等级为{rules.GRADE_ZH[grade]}"]


@pytest.mark.parametrize("to_relocate, grade, level", [
    (99_999, "general", 4), (100_000, "general", 1), (100_001, "large", 1), (99_999, None, None), (100_000, None, 1)])
def test_relocating_100000_people_is_level_one(to_relocate, grade, level):
    s = rules.suggest_level(grade=grade, figures={"to_relocate": to_relocate}, table=LEVELS)
    assert (s or {}).get("level") == level
    if level == 1:
        assert "需紧急转移安置人数达到10万人" in s["basis"]


def test_a_decision_needs_a_reason_when_it_differs_from_the_suggestion():
    s = rules.suggest_level(grade="large", figures={}, table=LEVELS)
    assert rules.level_decision({"level": 3}, suggestion=s, table=LEVELS) == {"level": 3, "reason": "", "plan_name": None, "suggested": 3}
    with pytest.raises(InvalidArgument) as refused:
        rules.level_decision({"level": 2}, suggestion=s, table=LEVELS)
    assert codes(refused) == ["reason.required"] and "建议" in refused.value.violations[0].message_zh
    assert rules.level_decision({"level": 2, "reason": "夜间救援困难", "plan_name": "危化品事故专项预案"}, suggestion=s,
                                table=LEVELS)["plan_name"] == "危化品事故专项预案"
    with pytest.raises(InvalidArgument) as refused:
        rules.level_decision({"level": 4}, suggestion=None, table=LEVELS)
    assert codes(refused) == ["reason.required"]
    for bad in (0, 5, "Ⅰ", True):
        with pytest.raises(InvalidArgument) as refused:
            rules.level_decision({"level": bad, "reason": "x"}, suggestion=s, table=LEVELS)
        assert "level.enum" in codes(refused)


# --- command and tasks --------------------------------------------------------------------------------

def test_the_command_structure():
    cmd = rules.command({"commander": {"name": "张指挥", "phone": "13909330001"},
                         "groups": [{"code": "medical", "leader": {"name": "李医生"}, "members": [{"name": "王护士", "phone": "0933-8212345"}]},
                                    {"code": "rescue", "leader": {"name": "赵队长", "phone": "13909330002"}}]}, table=GROUPS)
    assert [g["code"] for g in cmd["groups"]] == ["rescue", "medical"], "in the table's order"
    assert cmd["groups"][0]["name"] == "抢险救援组"
    masked = rules.masked_command(cmd, mask=True)
    assert masked["commander"]["phone"] == "139****0001" and masked["groups"][1]["members"][0]["phone"] == "093*****2345"
    assert rules.masked_command(cmd, mask=False)["commander"]["phone"] == "13909330001"
    with pytest.raises(InvalidArgument) as refused:
        rules.command({"groups": [{"code": "rescue", "leader": {"name": "赵"}}, {"code": "rescue", "leader": {"name": "钱队长", "phone": "x"}},
                                  {"code": "magic", "leader": {"name": "孙队长"}}]}, table=GROUPS)
    assert codes(refused) == ["commander.name.required", "groups[0].leader.name.min_length", "groups.code.duplicate",
                              "groups[1].leader.phone.format", "groups.code.enum"]


def test_a_task_goes_to_one_group_of_the_command_or_one_team():
    t = rules.task({"title": "关闭储罐区进料阀", "group": "rescue", "due_at": "2026-12-02T12:00:00+08:00"}, group_codes=["rescue"], now=NOW)
    assert t["group"] == "rescue" and t["team_id"] is None
    assert rules.task({"title": "搜救", "team_id": 12}, group_codes=[], now=NOW)["team_id"] == 12
    for b, code in (({"title": "x"}, "assignee.one"), ({"title": "x", "group": "rescue", "team_id": 1}, "assignee.one"),
                    ({"title": "x", "group": "medical"}, "group.not_in_command"), ({"title": "x", "team_id": "a"}, "team_id.type"),
                    ({"title": "x", "group": "rescue", "due_at": "2026-12-02T10:00:00+08:00"}, "due_at.past"),
                    ({"group": "rescue"}, "title.required")):
        with pytest.raises(InvalidArgument) as refused:
            rules.task(b, group_codes=["rescue"], now=NOW)
        assert codes(refused) == [code]


ALL = ("assigned", "accepted", "in_progress", "done", "cancelled")
ALLOWED = {("assigned", "accepted"), ("accepted", "in_progress"), ("in_progress", "done"), ("assigned", "cancelled"),
           ("accepted", "cancelled"), ("in_progress", "cancelled")}


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_task_moves(current, target):
    note = {"note": "撤销"} if target == "cancelled" else {}
    if (current, target) in ALLOWED:
        assert rules.task_move(current, {"status": target} | note)["status"] == target
    else:
        with pytest.raises(Conflict):
            rules.task_move(current, {"status": target} | note)


def test_a_cancellation_gives_its_reason_and_an_open_task_past_due_is_overdue():
    with pytest.raises(InvalidArgument) as refused:
        rules.task_move("assigned", {"status": "cancelled"})
    assert codes(refused) == ["note.required"]
    due = NOW - timedelta(seconds=1)
    assert rules.task_overdue({"status": "in_progress", "due_at": due}, NOW)
    assert not rules.task_overdue({"status": "in_progress", "due_at": NOW}, NOW), "at the due time it is not overdue yet"
    assert not rules.task_overdue({"status": "done", "due_at": due}, NOW)
    assert not rules.task_overdue({"status": "assigned", "due_at": None}, NOW)


# --- close-out and the data centre's accident ---------------------------------------------------------

def test_closure_needs_a_stabilised_incident_and_its_final_report():
    final = [{"kind": "first"}, {"kind": "final"}]
    ok = rules.closure({"summary": "处置完毕", "evaluation": "响应及时"}, row={"status": "stabilised"}, reports=final)
    assert ok == {"summary": "处置完毕", "evaluation": "响应及时", "lessons": None, "plan_changes": None}
    with pytest.raises(Conflict):
        rules.closure({"summary": "x", "evaluation": "y"}, row={"status": "responding"}, reports=final)
    with pytest.raises(Conflict):
        rules.closure({"summary": "x", "evaluation": "y"}, row={"status": "stabilised"}, reports=[{"kind": "first"}])
    with pytest.raises(InvalidArgument) as refused:
        rules.closure({}, row={"status": "stabilised"}, reports=final)
    assert codes(refused) == ["summary.required", "evaluation.required"]


def test_the_accident_record_for_the_data_centre():
    f = rules.incident(body(), types_table=TYPES, now=NOW)
    rec = rules.accident_record(f, types_table=TYPES, creator_region="620802", now=NOW)
    assert rec | {"reports": None} == {
        "uscc": "91620802MA71KT001D", "title": "崆峒化工储罐区中毒事故", "occurred_at": "2026-12-02T09:10:00+08:00",
        "place": "崆峒区工业园区纬一路8号", "category": "production", "accident_type": "poisoning_asphyxia", "deaths": 1, "missing": 0,
        "serious_injuries": 1, "minor_injuries": 2, "direct_loss_cny": 0.0, "description": "液氨泄漏，1人死亡，3人受伤",
        "status": "reported", "reports": None}
    assert rec["reports"] == [{"level": "county", "reported_at": "2026-12-02T09:20:00+08:00"},
                              {"level": "city", "reported_at": "2026-12-02T10:00:00+08:00"}], "the city sees it on the platform at once"
    assert rules.accident_record(f, types_table=TYPES, creator_region="620800", now=NOW)["reports"] == [
        {"level": "city", "reported_at": "2026-12-02T09:20:00+08:00"}]


def test_only_the_accidents_own_figures_are_sent_to_the_data_centre():
    old = rules.casualties({"deaths": 1, "injured": 3, "serious_injuries": 1}, [])
    assert rules.accident_changes(old, old | {"trapped": 4, "affected": 100}) == {}
    assert rules.accident_changes(old, old | {"deaths": 3, "injured": 5}) == {"deaths": 3, "minor_injuries": 4}
    assert rules.accident_changes(old, old, direct_loss_cny=rules._money("1500000.50", "x", "x", [])) == {"direct_loss_cny": 1500000.5}


def test_the_view_flags_late_reports_and_overdue_tasks():
    row = {"id": 1, "title": "崆峒化工储罐区中毒事故", "type": "production_accident", "subtype": "poisoning_asphyxia", "region_code": "620802",
           "address": "x", "lon": None, "lat": None, "occurred_at": LEARNED - timedelta(minutes=10), "reported_at": LEARNED,
           "source": "phone", "uscc": None, "enterprise_name": None, "casualties": ROW["casualties"], "direct_loss_cny": None,
           "description": "x", "status": "responding", "stabilised_at": None, "merged_into": None, "level": 3, "level_suggested": 3,
           "level_reason": None, "plan_name": None, "level_decided_by": "x", "level_decided_at": NOW, "accident_id": None,
           "command": {"commander": {"name": "张指挥", "phone": "13909330001"}, "groups": [{"code": "rescue", "name": "抢险救援组",
                                                                                        "leader": {"name": "赵队长"}, "members": []}]},
           "closure": None, "closed_at": None, "closed_by": None, "created_by": "x", "created_at": NOW, "updated_at": NOW, "version": 4}
    first = rep(1, "first", LEARNED + timedelta(minutes=40), grade="major") | {k: None for k, _, _ in rules.REPORT_TEXT} | {
        "casualties": ROW["casualties"], "direct_loss_cny": None, "reporter": "崆峒区应急值班员"}
    task = {"id": 3, "title": "关阀", "group_code": "rescue", "team_id": None, "team_name": None, "due_at": NOW - timedelta(minutes=1),
            "note": None, "status": "accepted", "created_by": "x", "created_at": NOW, "updated_by": "x", "updated_at": NOW, "version": 2}
    v = views.incident_view(row, reports=[first], tasks=[task], accident=None, accident_error=None, tables=T, now=NOW, mask_phones=True,
                            timeline_count=5)
    assert v["reports"][0]["status_name"] == "迟报" and v["reports"][0]["late"], "重大: written within 35 min"
    assert v["tasks"][0]["overdue"] and v["tasks"][0]["group_name"] == "抢险救援组"
    assert [s["status"] for s in v["tasks"][0]["next_statuses"]] == ["in_progress", "cancelled"]
    assert v["command"]["commander"]["phone"] == "139****0001"
    assert v["level_name"] == "Ⅲ级" and v["county_name"] == "崆峒区" and v["type_name"] == "生产安全事故" and v["subtype_name"] == "中毒和窒息"
    assert v["suggestion"] is None, "no accident grade from the data centre, nobody to relocate"
