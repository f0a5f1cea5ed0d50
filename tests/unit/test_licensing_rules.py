"""行政许可 rules (services/supervision/licensing/rules.py) against the real rule table and the 2026
State Council holiday notice (from the chinese-calendar package): the correction notice limit and
deemed acceptance, the decision period in working and in calendar days across the Spring Festival
and National Day, a year whose notice is not published yet, pauses, the one extension, renewal,
certificate numbers and the state machine's refusals."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from services.kit import ruletables, workdays
from services.kit.errors import Conflict, InvalidArgument
from services.kit.workdays import Calendar, Year
from services.supervision.licensing import rules

TABLE = ruletables.effective(ruletables.load_dir(Path(rules.__file__).parent / "tables"), "licence_types", date(2026, 1, 1)).body
PACKAGE = workdays.package_years()
CAL = Calendar({y: PACKAGE[y] for y in (2025, 2026)})           # 2027's notice is not published yet
# 2027 as an administrator might enter it: New Year's Day on Friday 1 January, nothing else needed here.
CAL_2027 = Calendar({**CAL.years, 2027: Year(2027, {date(2027, 1, 1): "元旦"}, {})})
DEFAULT = "precursor_production_filing"   # the 行政许可法 default: 20 working days from acceptance, +10
SCOPE = "盐酸、硫酸（第三类易制毒化学品）生产"


@contextmanager
def refused(zh: str):
    """A Conflict whose Chinese detail says `zh`."""
    with pytest.raises(Conflict) as e:
        yield
    assert zh in e.value.detail_zh, e.value.detail_zh


def application(**over) -> dict:
    base = {"id": 1, "licence_type": DEFAULT, "kind": "new", "status": "submitted", "received_on": date(2026, 3, 2),
            "accepted_on": None, "deemed_accepted": False, "pauses": [], "extension": None, "correction": None, "decision": None,
            "decided_on": None, "delivered_on": None, "closed_on": None, "materials": [], "scope": SCOPE, "licence_state": None}
    return base | over


def accepted(on: date, **over) -> dict:
    return application(status="under_review", received_on=on, accepted_on=on, **over)


def clock(app: dict, today: date, cal: Calendar = CAL) -> rules.Clock:
    return rules.clock(app, calendar=cal, table=TABLE, today=today)


# --- the table -----------------------------------------------------------------------------------

def test_the_table_is_consistent_and_covers_every_data_centre_licence_type():
    from services.datacenter.licences.rules import LICENCE_TYPES
    rules.check_table(TABLE)
    assert set(TABLE["types"]) == {code for code, _ in LICENCE_TYPES}
    for code, rule in TABLE["types"].items():
        assert rule["promised_days"] <= rule["legal_days"], code
        assert rule["source"], code


def test_a_table_promising_more_than_the_law_allows_is_refused():
    broken = TABLE | {"types": {DEFAULT: TABLE["types"][DEFAULT] | {"promised_days": 25}}}
    with pytest.raises(ValueError, match="promised_days"):
        rules.check_table(broken)


def test_certificate_numbers_follow_the_formats():
    ws, pf, ls = (TABLE["types"][t] for t in ("work_safety", "fireworks_wholesale", "fireworks_retail"))
    assert rules.certificate_number(ws, province="甘", year=2026, serial=12, sector="non_coal_mine") == "(甘)FM安许证字〔2026〕000012"
    assert rules.certificate_number(ws, province="甘", year=2026, serial=12, sector="hazchem_production") == "(甘)WH安许证字〔2026〕000012"
    assert rules.certificate_number(pf, province="甘", year=2026, serial=12, sector=None) == "(甘)PF〔2026〕00012"
    assert rules.certificate_number(ls, province="甘", year=2026, serial=12, sector=None) == "(甘)LS〔2026〕00012"


def test_validity_ends_the_day_before_the_anniversary():
    assert rules.valid_until(TABLE["types"]["work_safety"], start=date(2026, 3, 15)) == date(2029, 3, 14)
    assert rules.valid_until(TABLE["types"]["fireworks_retail"], start=date(2026, 3, 15)) == date(2028, 3, 14)


# --- submission and the one correction notice ----------------------------------------------------

def test_a_submission_names_every_bad_field_at_once():
    with pytest.raises(InvalidArgument) as e:
        rules.submission({"licence_type": "driving_licence", "materials": [{"code": "x"}]}, table=TABLE)
    assert {v.field for v in e.value.violations} == {"licence_type", "scope"}
    with pytest.raises(InvalidArgument) as e:
        rules.submission({"licence_type": "work_safety", "scope": "金属非金属矿山开采", "materials": [{"code": "nope"}]}, table=TABLE)
    assert {v.field for v in e.value.violations} == {"sector", "materials[0].code"}
    with pytest.raises(InvalidArgument) as e:
        rules.submission({"licence_type": "hazchem_operation", "scope": "x", "sector": "non_coal_mine"}, table=TABLE)
    assert [v.code for v in e.value.violations] == ["sector.not_applicable"]


def test_incomplete_materials_are_accepted_and_listed_as_missing():
    fields = rules.submission({"licence_type": DEFAULT, "scope": SCOPE, "materials": [{"code": "filing_form"}]}, table=TABLE)
    missing = rules.missing_materials(fields["materials"], TABLE["types"][DEFAULT])
    assert [m["code"] for m in missing] == ["business_licence", "products_list"]


def test_the_notice_is_possible_on_working_day_5_and_too_late_on_day_6():
    app = application()                                 # received Monday 2026-03-02
    assert rules.notice_due(app, calendar=CAL, table=TABLE).day == date(2026, 3, 9)
    notice = rules.correction(app, {"missing": ["business_licence", "products_list"]}, calendar=CAL, table=TABLE, today=date(2026, 3, 9))
    assert [m["code"] for m in notice["missing"]] == ["business_licence", "products_list"]
    with refused("即为受理"):
        rules.correction(app, {"missing": ["business_licence"]}, calendar=CAL, table=TABLE, today=date(2026, 3, 10))
    assert not rules.deemed_accepted(app, calendar=CAL, table=TABLE, today=date(2026, 3, 9))
    assert rules.deemed_accepted(app, calendar=CAL, table=TABLE, today=date(2026, 3, 10))
    assert rules.acceptance(app, calendar=CAL, table=TABLE, today=date(2026, 3, 9)) == (date(2026, 3, 9), False)
    assert rules.acceptance(app, calendar=CAL, table=TABLE, today=date(2026, 3, 10)) == (date(2026, 3, 2), True)


def test_deemed_acceptance_starts_the_clock_on_the_day_of_receipt():
    c = clock(application(), date(2026, 3, 10))
    assert c.deemed_accepted and c.accepted_on == date(2026, 3, 2)
    assert c.decision_due.day == date(2026, 3, 30) and not c.overdue


def test_the_notice_limit_counts_working_days_across_the_spring_festival():
    app = application(received_on=date(2026, 2, 12))    # Thursday before the holiday
    # 13 (Fri), 14 (Sat, make-up day), then 15–23 off, 24, 25, 26
    assert rules.notice_due(app, calendar=CAL, table=TABLE).day == date(2026, 2, 26)


def test_the_notice_lists_known_materials_once():
    app = application()
    for body, field in (({"missing": []}, "missing"), ({"missing": ["passport"]}, "missing[0]"),
                        ({"missing": ["filing_form", "filing_form"]}, "missing")):
        with pytest.raises(InvalidArgument) as e:
            rules.correction(app, body, calendar=CAL, table=TABLE, today=date(2026, 3, 3))
        assert e.value.violations[0].field == field


def test_a_second_correction_notice_is_refused():
    notice = rules.correction(application(), {"missing": ["products_list"]}, calendar=CAL, table=TABLE, today=date(2026, 3, 3))
    waiting = application(status="correction_requested", correction=notice)
    with pytest.raises(Conflict):
        rules.correction(waiting, {"missing": ["business_licence"]}, calendar=CAL, table=TABLE, today=date(2026, 3, 4))
    materials = rules.resubmission(waiting, {"materials": [{"code": "products_list", "reference": "sha256:ab"}]}, table=TABLE)
    resubmitted = application(received_on=date(2026, 3, 5), correction=notice, materials=materials)
    with refused("不能再次告知"):
        rules.correction(resubmitted, {"missing": ["business_licence"]}, calendar=CAL, table=TABLE, today=date(2026, 3, 5))


def test_a_resubmission_must_bring_what_the_notice_listed():
    notice = {"notified_on": date(2026, 3, 3), "missing": [{"code": "products_list", "name": "…"}], "note": ""}
    waiting = application(status="correction_requested", correction=notice)
    with pytest.raises(InvalidArgument) as e:
        rules.resubmission(waiting, {"materials": [{"code": "business_licence"}]}, table=TABLE)
    assert e.value.violations[0].code == "materials.still_missing"


def test_the_correction_stops_a_receipt_counted_clock_until_resubmission():
    waiting = application(licence_type="hazchem_operation", status="correction_requested")
    assert clock(waiting, date(2026, 3, 20)).decision_due is None
    again = application(licence_type="hazchem_operation", received_on=date(2026, 3, 20))
    assert clock(again, date(2026, 3, 20)).decision_due.day == date(2026, 4, 19)  # 30 calendar days from the new receipt


# --- the decision period -------------------------------------------------------------------------

def test_a_decision_on_working_day_20_is_on_time_and_on_day_21_overdue():
    app = accepted(date(2026, 3, 2))
    assert clock(app, date(2026, 3, 2)).decision_due.day == date(2026, 3, 30)
    on_time = clock(app | {"status": "approved", "decision": "approved", "decided_on": date(2026, 3, 30)}, date(2026, 4, 2))
    assert not on_time.overdue and on_time.working_days_used == 20 and on_time.working_days_left == 0
    late = clock(app | {"status": "approved", "decision": "approved", "decided_on": date(2026, 3, 31)}, date(2026, 4, 2))
    assert late.overdue and late.working_days_used == 21
    assert not clock(app, date(2026, 3, 30)).overdue and clock(app, date(2026, 3, 31)).overdue


def test_the_promised_days_come_first():
    c = clock(accepted(date(2026, 3, 2)), date(2026, 3, 17))
    assert c.promised_due.day == date(2026, 3, 16) and c.beyond_promise and not c.overdue
    assert c.working_days_used == 11 and c.working_days_left == 9 and c.days_left == 9


def test_the_period_skips_the_spring_festival_and_counts_its_make_up_days():
    # from Friday 6 February: 9–13, Saturday 14 (make-up), 15–23 off, 24–27, Saturday 28 (make-up), 2–6 March, 9–12 March
    c = clock(accepted(date(2026, 2, 6)), date(2026, 2, 6))
    assert c.decision_due.day == date(2026, 3, 12) and not c.decision_due.provisional
    weekends_only = clock(accepted(date(2026, 2, 6)), date(2026, 2, 6), cal=Calendar())
    assert weekends_only.decision_due.day == date(2026, 3, 6) and weekends_only.decision_due.provisional


def test_the_period_skips_mid_autumn_and_national_day_and_counts_their_make_up_days():
    # from Friday 18 September: Sunday 20 (make-up), 21–24, 25 off (中秋), 28–30, 1–7 October off, 8, 9,
    # Saturday 10 (make-up), 12–16, 19–22
    assert clock(accepted(date(2026, 9, 18)), date(2026, 9, 18)).decision_due.day == date(2026, 10, 22)


def test_a_deadline_in_an_unpublished_year_is_provisional_until_the_year_is_entered():
    app = accepted(date(2026, 12, 15))
    before = clock(app, date(2026, 12, 15))
    assert before.decision_due.day == date(2027, 1, 12) and before.decision_due.provisional
    assert before.decision_due.as_json()["note"] == workdays.PROVISIONAL_ZH
    after = clock(app, date(2026, 12, 15), cal=CAL_2027)
    assert after.decision_due.day == date(2027, 1, 13) and not after.decision_due.provisional
    stored = rules.stored_deadlines(app, calendar=CAL, table=TABLE, today=date(2026, 12, 15))
    assert stored["decision_due"] == date(2027, 1, 12) and stored["decision_due_provisional"]
    recomputed = rules.stored_deadlines(app, calendar=CAL_2027, table=TABLE, today=date(2026, 12, 15))
    assert recomputed["decision_due"] == date(2027, 1, 13) and not recomputed["decision_due_provisional"]


def test_the_work_safety_licence_has_45_calendar_days_from_receipt():
    app = application(licence_type="work_safety", received_on=date(2026, 9, 1), accepted_on=date(2026, 9, 4), status="under_review")
    c = clock(app, date(2026, 9, 4))
    assert c.day_type == "calendar" and c.starts_on == date(2026, 9, 1)
    assert c.decision_due.day == date(2026, 10, 16) and not c.decision_due.provisional   # National Day does not stop it
    assert c.days_used == 3 and c.days_left == 42
    into_2027 = clock(application(licence_type="work_safety", received_on=date(2026, 12, 1)), date(2026, 12, 1))
    assert into_2027.decision_due.day == date(2027, 1, 15) and not into_2027.decision_due.provisional
    assert not clock(app | {"decided_on": date(2026, 10, 16), "decision": "approved", "status": "approved"}, date(2026, 10, 20)).overdue
    assert clock(app | {"decided_on": date(2026, 10, 17), "decision": "approved", "status": "approved"}, date(2026, 10, 20)).overdue


def test_paused_days_do_not_count():
    pause = {"kind": "on_site_check", "started_on": date(2026, 3, 10), "ended_on": date(2026, 3, 13), "note": "", "result": "合格"}
    c = clock(accepted(date(2026, 3, 2), pauses=[pause]), date(2026, 3, 16))
    assert c.paused_days == 3                            # Wednesday 11 to Friday 13
    assert c.decision_due.day == date(2026, 4, 2)       # 30 March + 3 working days
    assert c.working_days_used == 7                      # 3–10 March and 16 March
    open_pause = pause | {"ended_on": None}
    running = clock(application(status="on_site_check", accepted_on=date(2026, 3, 2), pauses=[open_pause]), date(2026, 3, 17))
    assert running.paused and running.paused_days == 5 and running.decision_due.day == date(2026, 4, 7)
    assert running.working_days_used == 6               # the clock stood still from 11 March


def test_pauses_are_recorded_in_order_and_within_the_review():
    app = accepted(date(2026, 3, 2))
    pause = rules.pause_started(app, {"kind": "expert_review"}, today=date(2026, 3, 5))
    assert pause["started_on"] == date(2026, 3, 5) and pause["ended_on"] is None
    with pytest.raises(InvalidArgument):
        rules.pause_started(app, {"kind": "lunch"}, today=date(2026, 3, 5))
    with pytest.raises(InvalidArgument):
        rules.pause_started(app, {"kind": "hearing", "started_on": "2026-03-01"}, today=date(2026, 3, 5))
    paused = app | {"status": "expert_review", "pauses": [pause]}
    with pytest.raises(InvalidArgument):                 # the result of the review is required
        rules.pause_ended(paused, {}, today=date(2026, 3, 9))
    ended = rules.pause_ended(paused, {"result": "专家组评审通过"}, today=date(2026, 3, 9))
    assert ended[-1]["ended_on"] == date(2026, 3, 9)
    with pytest.raises(Conflict):
        rules.pause_started(paused, {"kind": "hearing"}, today=date(2026, 3, 9))


def test_the_period_is_extended_by_10_working_days_once():
    app = accepted(date(2026, 3, 2))
    ext = rules.extension(app, {"approved_by": "局长 张三", "reason": "需组织专家现场复核"}, calendar=CAL, table=TABLE, today=date(2026, 3, 27))
    assert ext["days"] == 10
    c = clock(app | {"extension": ext}, date(2026, 3, 31))
    assert c.extended and c.decision_due.day == date(2026, 4, 14) and not c.overdue   # 30 March + 10, 6 April (清明) off
    with refused("只能延长一次"):
        rules.extension(app | {"extension": ext}, {"approved_by": "局长", "reason": "再议"}, calendar=CAL, table=TABLE,
                        today=date(2026, 4, 1))


def test_an_extension_needs_the_heads_approval_and_a_reason_and_time_left():
    app = accepted(date(2026, 3, 2))
    with pytest.raises(InvalidArgument) as e:
        rules.extension(app, {}, calendar=CAL, table=TABLE, today=date(2026, 3, 27))
    assert {v.field for v in e.value.violations} == {"approved_by", "reason"}
    with refused("已超过审查期限"):
        rules.extension(app, {"approved_by": "局长", "reason": "x"}, calendar=CAL, table=TABLE, today=date(2026, 3, 31))
    work_safety = application(licence_type="work_safety", status="under_review", accepted_on=date(2026, 3, 2))
    with refused("不能延长"):
        rules.extension(work_safety, {"approved_by": "局长", "reason": "x"}, calendar=CAL, table=TABLE, today=date(2026, 3, 3))


# --- the decision, delivery and publication ------------------------------------------------------

def test_a_refusal_needs_reasons_and_an_approval_may_narrow_the_scope():
    app = accepted(date(2026, 3, 2))
    with pytest.raises(InvalidArgument) as e:
        rules.decision(app, {"decision": "refused"}, today=date(2026, 3, 20))
    assert e.value.violations[0].field == "reasons"
    with pytest.raises(InvalidArgument):
        rules.decision(app, {"decision": "maybe"}, today=date(2026, 3, 20))
    assert rules.decision(app, {"decision": "approved", "scope": "盐酸生产"}, today=date(2026, 3, 20))["scope"] == "盐酸生产"
    assert rules.decision(app, {"decision": "approved"}, today=date(2026, 3, 20))["scope"] == SCOPE


def test_delivery_within_10_and_publication_within_7_working_days_of_the_decision():
    decided = accepted(date(2026, 9, 1)) | {"status": "approved", "decision": "approved", "decided_on": date(2026, 9, 24)}
    c = clock(decided, date(2026, 9, 24))
    # 28–30 September, 8, 9, Saturday 10 (make-up), 12 … : 25 September and 1–7 October are off
    assert c.publication_due.day == date(2026, 10, 12) and c.delivery_due.day == date(2026, 10, 15)
    assert not c.delivery_overdue and clock(decided, date(2026, 10, 16)).delivery_overdue
    refused = decided | {"status": "refused", "decision": "refused"}
    assert clock(refused, date(2026, 9, 24)).publication_due is None and clock(refused, date(2026, 9, 24)).delivery_due


def test_delivery_records_how_and_when():
    issued = accepted(date(2026, 3, 2)) | {"status": "certificate_issued", "decided_on": date(2026, 3, 20)}
    d = rules.delivery(issued, {"method": "in_person", "recipient": "王秀兰"}, today=date(2026, 3, 23))
    assert d == {"method": "in_person", "recipient": "王秀兰", "on": date(2026, 3, 23)}
    with pytest.raises(InvalidArgument):
        rules.delivery(issued, {"method": "pigeon", "recipient": "王秀兰", "delivered_on": "2026-03-01"}, today=date(2026, 3, 23))


@pytest.mark.parametrize("status, action", [
    ("submitted", "decide"), ("correction_requested", "accept"), ("accepted", "end_pause"), ("on_site_check", "decide"),
    ("on_site_check", "start_pause"), ("approved", "deliver"), ("refused", "issue_certificate"), ("approved", "withdraw"),
    ("delivered", "accept"), ("withdrawn", "resubmit"), ("under_review", "renew"), ("refused", "suspend")])
def test_the_state_machine_refuses_steps_out_of_order(status, action):
    with pytest.raises(Conflict):
        rules.require_status(status, action)


def test_an_application_is_withdrawn_only_before_the_decision():
    assert rules.withdrawal(application(status="on_site_check"), {"reason": "企业搬迁"}) == "企业搬迁"
    with pytest.raises(Conflict):
        rules.withdrawal(application(status="refused"), {})


# --- renewal, change, suspension, revocation -----------------------------------------------------

LICENCE = {"issued_on": date(2023, 6, 1), "valid_until": date(2026, 5, 31), "suspended": False, "revoked": False}
ISSUED_WS = application(licence_type="work_safety", status="delivered", licence_state="valid", scope="金属非金属矿山开采")


def renewal(today: date, accidents=(), app=ISSUED_WS, licence=LICENCE) -> dict:
    return rules.renewal(app, licence=licence, accidents=list(accidents), table=TABLE, today=today)


def test_renewal_opens_three_months_before_expiry_and_closes_at_expiry():
    with refused("2026-02-28"):
        renewal(date(2026, 2, 27))
    assert renewal(date(2026, 2, 28))["opens"] == date(2026, 2, 28)
    assert renewal(date(2026, 5, 31))["closes"] == date(2026, 5, 31)
    with refused("已过有效期"):
        renewal(date(2026, 6, 1))


def test_renewal_without_re_review_unless_a_fatal_accident_in_the_period():
    assert renewal(date(2026, 4, 1))["without_review"]
    injuries = {"id": "7", "occurred_on": date(2024, 8, 1), "deaths": 0, "missing": 0}
    earlier = {"id": "8", "occurred_on": date(2023, 5, 31), "deaths": 2, "missing": 0}
    assert renewal(date(2026, 4, 1), [injuries, earlier])["without_review"]
    fatal = {"id": "9", "occurred_on": date(2025, 1, 3), "deaths": 0, "missing": 1}
    verdict = renewal(date(2026, 4, 1), [injuries, fatal])
    assert not verdict["without_review"] and verdict["fatal_accidents"] == ["9"]
    hazchem = ISSUED_WS | {"licence_type": "hazchem_operation"}
    assert not renewal(date(2026, 4, 1), app=hazchem)["without_review"]   # that type always re-reviews


def test_a_suspended_or_revoked_licence_is_not_renewed():
    with refused("暂扣"):
        renewal(date(2026, 4, 1), licence=LICENCE | {"suspended": True})
    with refused("吊销"):
        renewal(date(2026, 4, 1), licence=LICENCE | {"revoked": True})


def test_a_change_names_the_new_scope_and_why():
    change = rules.change_request(ISSUED_WS, {"scope": "金属非金属矿山开采（地下）", "reason": "开采方式变化"})
    assert change["scope"] == {"from": "金属非金属矿山开采", "to": "金属非金属矿山开采（地下）"}
    with pytest.raises(InvalidArgument):
        rules.change_request(ISSUED_WS, {"scope": "金属非金属矿山开采", "reason": "无"})


def test_suspension_and_revocation_need_reasons_and_happen_once():
    with pytest.raises(InvalidArgument):
        rules.licence_action(ISSUED_WS, {}, action="suspend", today=date(2026, 4, 1))
    done = rules.licence_action(ISSUED_WS, {"reasons": "发生较大事故", "until": "2026-07-01"}, action="suspend", today=date(2026, 4, 1))
    assert done["until"] == date(2026, 7, 1)
    with pytest.raises(Conflict):
        rules.licence_action(ISSUED_WS | {"licence_state": "suspended"}, {"reasons": "x"}, action="suspend", today=date(2026, 4, 2))
    assert rules.licence_action(ISSUED_WS | {"licence_state": "suspended"}, {"reasons": "x"}, action="revoke", today=date(2026, 4, 2))
    with pytest.raises(Conflict):
        rules.licence_action(ISSUED_WS | {"licence_state": "revoked"}, {"reasons": "x"}, action="revoke", today=date(2026, 4, 2))
