"""安全生产诚信 rules (services/supervision/credit) against the shipped rule tables: the scoring window
and its decay at every edge, the grade bands at every bound, one fact counted once, the entries the
consumers make from other subsystems' events, the serious-dishonesty list's 3 years and its repair
after 12 months (a listing on 29 February included), the consequences other subsystems read, the
agencies' rating, and the follow-up due a year after an accident's closure."""
from __future__ import annotations

import copy
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.kit.errors import Conflict, InvalidArgument
from services.supervision.credit import agencies, dishonesty, followups, ledger, rules

D = timedelta(days=1)
SCORING = ledger.table(ledger.SCORING, date(2026, 1, 1))
LIST = ledger.table(ledger.LIST, date(2026, 1, 1))
RATING = ledger.table(ledger.AGENCY_RATING, date(2026, 1, 1))
FOLLOW_UP = ledger.table(ledger.FOLLOW_UP, date(2026, 1, 1))
USCC = "91620802MA71KT001D"


@contextmanager
def refused(zh: str):
    with pytest.raises(Conflict) as e:
        yield
    assert zh in e.value.detail_zh, e.value.detail_zh


def fields_of(e: InvalidArgument) -> list[str]:
    return [v.field for v in e.violations]


def entry(kind: str, on: date, *, reference: str = "ref", points: int | None = None) -> dict:
    return {"type": kind, "occurred_on": on, "reference": reference,
            "points": SCORING["event_types"][kind]["points"] if points is None else points}


def score_on(entries: list[dict], day: date, **kw) -> Decimal:
    return rules.score(entries, as_of=day, table=SCORING, **kw).score


# --- the tables --------------------------------------------------------------------------------

def test_the_shipped_tables_are_consistent():
    rules.check_table(SCORING)
    dishonesty.check_table(LIST)
    agencies.check_table(RATING)
    followups.check_table(FOLLOW_UP, credit_types=SCORING["event_types"])
    assert LIST["listing_months"] == 36 and LIST["repair_after_months"] == 12, "RULES.md §5 [confirmed]"
    assert {c["applies_to"] for c in LIST["consequences"]} == set(dishonesty.APPLIES_TO)


@pytest.mark.parametrize("change, message", [
    (lambda t: t["grades"][1]["upper"].update(value=85), "do not meet"),
    (lambda t: t["grades"][1]["upper"].update(op="lte"), "do not meet"),
    (lambda t: t["grades"][0].update(upper={"op": "lt", "value": 200}), "first band"),
    (lambda t: t["event_types"]["recheck_failed"].update(points=0), "non-zero"),
    (lambda t: t["event_types"]["hazard_overdue"]["decay"][1].update(after_months=24), "decay"),
    (lambda t: t["event_types"].pop("commitment_missed"), "commitment_missed"),
    (lambda t: t.update(listed_grade="E"), "listed_grade"),
])
def test_an_inconsistent_scoring_table_is_refused(change, message):
    t = copy.deepcopy(SCORING)
    change(t)
    with pytest.raises(ValueError, match=message):
        rules.check_table(t)


# --- the window and the decay ------------------------------------------------------------------

def test_an_entry_counts_from_its_day_through_the_day_before_its_months_are_up():
    e = entry("recheck_failed", date(2026, 3, 15))                   # -5 for 12 months
    assert score_on([e], date(2026, 3, 14)) == 100, "not before it happened"
    assert score_on([e], date(2026, 3, 15)) == 95
    assert score_on([e], date(2027, 3, 14)) == 95
    assert rules.expires_on(e, SCORING) == date(2027, 3, 14)
    assert score_on([e], date(2027, 3, 15)) == 100


def test_the_decay_step_takes_effect_on_its_month_and_the_entry_ends_with_its_validity():
    e = entry("hazard_overdue", date(2026, 3, 15))                   # -10 for 24 months, half after 12
    assert score_on([e], date(2027, 3, 14)) == 90
    assert score_on([e], date(2027, 3, 15)) == Decimal("95.0")
    assert score_on([e], date(2028, 3, 14)) == Decimal("95.0")
    assert score_on([e], date(2028, 3, 15)) == 100


def test_an_entry_of_29_february_ends_on_the_last_day_of_february():
    e = entry("recheck_failed", date(2028, 2, 29))
    assert rules.expires_on(e, SCORING) == date(2029, 2, 27)
    assert score_on([e], date(2029, 2, 27)) == 95
    assert score_on([e], date(2029, 2, 28)) == 100


# --- the trend ---------------------------------------------------------------------------------

VERSIONS = [(date(2026, 1, 1), SCORING)]


def steps(points: list[dict]) -> list[tuple]:
    return [(p["on"], p["score"], p["grade"], p["listed"]) for p in points]


def test_an_empty_ledger_trends_flat_from_a_year_back_to_the_day_asked():
    points = rules.trend([], since=date(2025, 12, 2), as_of=date(2026, 12, 2), tables=VERSIONS)
    assert steps(points) == [(date(2025, 12, 2), 100, "A", False), (date(2026, 12, 2), 100, "A", False)]
    assert points[-1]["grade_name"] == "诚信"


def test_the_trend_steps_on_an_entrys_first_day_its_decay_and_the_day_after_its_window():
    entries = [entry("recheck_failed", date(2026, 3, 15)), entry("hazard_overdue", date(2026, 5, 10), reference="hazard:1")]
    points = rules.trend(entries, since=date(2026, 6, 1), as_of=date(2028, 6, 1), tables=VERSIONS)
    assert steps(points) == [
        (date(2026, 3, 14), 100, "A", False),            # the day before the ledger's first change, earlier than `since`
        (date(2026, 3, 15), 95, "A", False),
        (date(2026, 5, 10), 85, "B", False),
        (date(2027, 3, 15), 90, "A", False),             # the re-check's 12 months are up
        (date(2027, 5, 10), Decimal("95.0"), "A", False),  # the hazard counts half from month 12
        (date(2028, 5, 10), 100, "A", False),            # and nothing from month 24
        (date(2028, 6, 1), 100, "A", False),
    ]
    assert rules.trend(entries, since=date(2026, 6, 1), as_of=date(2026, 5, 9), tables=VERSIONS)[-1]["score"] == 95, \
        "nothing after the day asked"


def test_a_listing_shows_the_listed_grade_from_its_first_day_to_its_removal():
    listed = lambda d: date(2026, 4, 1) <= d < date(2026, 9, 1)  # noqa: E731
    points = rules.trend([entry("recheck_failed", date(2026, 3, 15))], since=date(2026, 1, 1), as_of=date(2026, 12, 1),
                         tables=VERSIONS, listed_on=listed, extra_days=[date(2026, 4, 1), date(2026, 9, 1)])
    assert steps(points) == [(date(2026, 1, 1), 100, "A", False), (date(2026, 3, 15), 95, "A", False), (date(2026, 4, 1), 95, "D", True),
                             (date(2026, 9, 1), 95, "A", False), (date(2026, 12, 1), 95, "A", False)]


def test_each_point_is_scored_with_the_table_version_in_force_that_day():
    shorter = copy.deepcopy(SCORING)
    shorter["event_types"]["recheck_failed"]["valid_months"] = 6
    points = rules.trend([entry("recheck_failed", date(2026, 3, 15))], since=date(2026, 1, 1), as_of=date(2026, 12, 1),
                         tables=[(date(2026, 1, 1), SCORING), (date(2026, 8, 1), shorter)])
    assert steps(points) == [(date(2026, 1, 1), 100, "A", False), (date(2026, 3, 15), 95, "A", False),
                             (date(2026, 9, 15), 100, "A", False), (date(2026, 12, 1), 100, "A", False)]


# --- the grades --------------------------------------------------------------------------------

@pytest.mark.parametrize("score, grade", [(100, "A"), (90, "A"), (Decimal("89.5"), "B"), (75, "B"), (Decimal("74.5"), "C"),
                                          (60, "C"), (Decimal("59.5"), "D"), (0, "D")])
def test_each_band_includes_its_lower_bound_and_excludes_its_upper_bound(score, grade):
    assert rules.grade_of(Decimal(score), SCORING)["grade"] == grade


def test_the_score_stays_within_floor_and_ceiling_and_a_listed_enterprise_is_graded_d():
    many = [entry("accident_extraordinary", date(2026, 3, d), reference=f"accident:{d}") for d in range(1, 4)]
    s = rules.score(many, as_of=date(2026, 4, 1), table=SCORING)
    assert s.score == 0 and s.grade == "D"
    good = rules.score([entry("other_finding", date(2026, 3, 1), points=5)], as_of=date(2026, 4, 1), table=SCORING)
    assert good.score == 100, "never above the ceiling"
    listed = rules.score([], as_of=date(2026, 4, 1), table=SCORING, listed=True)
    assert (listed.score, listed.grade) == (100, "D")


def test_one_fact_counts_once_at_its_worst_and_two_facts_count_twice():
    general = entry("accident_general", date(2026, 5, 1), reference="accident:9")
    large = entry("accident_large", date(2026, 5, 1), reference="accident:9")  # re-graded after a casualty update
    s = rules.score([general, large], as_of=date(2026, 6, 1), table=SCORING)
    assert s.score == 70 and s.parts == (0, -30)
    other = entry("accident_general", date(2026, 5, 1), reference="accident:10")
    assert score_on([general, large, other], date(2026, 6, 1)) == 60
    two_findings = [entry("other_finding", date(2026, 5, 1), reference="(崆)应急检记〔2026〕3号", points=-3),
                    entry("penalty_warning", date(2026, 5, 1), reference="(崆)应急检记〔2026〕3号")]
    assert score_on(two_findings, date(2026, 6, 1)) == 94, "different types of one record are different facts"


# --- staff entries -----------------------------------------------------------------------------

def test_a_penalty_entry_takes_its_points_from_the_table_and_needs_a_decision_number():
    today = date(2026, 6, 1)
    body = {"uscc": USCC, "type": "penalty_fine", "reason": "未按规定配备安全管理人员", "reference": "(崆)应急罚〔2026〕7号",
            "occurred_on": "2026-05-30"}
    e = rules.staff_entry(body, table=SCORING, today=today)
    assert (e["points"], e["source"], e["occurred_on"]) == (-8, "staff", date(2026, 5, 30))
    with pytest.raises(InvalidArgument) as bad:
        rules.staff_entry(body | {"reference": "罚字第7号", "points": -2, "occurred_on": "2026-06-02", "uscc": USCC[:-1] + "0"},
                          table=SCORING, today=today)
    assert set(fields_of(bad.value)) == {"reference", "points", "occurred_on", "uscc"}


def test_an_other_finding_takes_points_within_its_range():
    body = {"uscc": USCC, "type": "other_finding", "reason": "x", "reference": "检查记录", "occurred_on": "2026-05-30"}
    assert rules.staff_entry(body | {"points": -20}, table=SCORING, today=date(2026, 6, 1))["points"] == -20
    for points in (-21, 0, "-5", True):
        with pytest.raises(InvalidArgument) as bad:
            rules.staff_entry(body | {"points": points}, table=SCORING, today=date(2026, 6, 1))
        assert fields_of(bad.value) == ["points"]
    with pytest.raises(InvalidArgument) as bad:
        rules.staff_entry(body | {"type": "hazard_overdue"}, table=SCORING, today=date(2026, 6, 1))
    assert fields_of(bad.value) == ["type"], "the consumers' types are not for staff"


# --- entries from events -----------------------------------------------------------------------

def hazard(**over) -> dict:
    return {"id": "12", "uscc": USCC, "level": "major", "status": "rectifying", "deadline": "2026-05-10", "closed_at": None,
            "description": "液氨储罐区未设置紧急切断装置"} | over


def test_a_major_hazard_is_overdue_the_day_after_its_deadline_unless_closed_by_then():
    assert rules.hazard_overdue(hazard(), today=date(2026, 5, 10)) is None, "the deadline day is still in time"
    e = rules.hazard_overdue(hazard(), today=date(2026, 5, 11))
    assert (e["type"], e["reference"], e["occurred_on"]) == ("hazard_overdue", "hazard:12", date(2026, 5, 11))
    on_time = hazard(status="closed", closed_at="2026-05-10T23:30:00+08:00")
    assert rules.hazard_overdue(on_time, today=date(2026, 6, 1)) is None
    late = hazard(status="closed", closed_at="2026-05-10T16:30:00Z")    # 00:30 on the 11th in Beijing
    assert rules.hazard_overdue(late, today=date(2026, 6, 1))["occurred_on"] == date(2026, 5, 11)
    assert rules.hazard_overdue(hazard(level="general"), today=date(2026, 6, 1)) is None


def test_an_open_hazard_past_its_deadline_counts_once_with_or_without_its_event():
    copies = [{"id": "12", "deadline": date(2026, 5, 10)}, {"id": "13", "deadline": date(2026, 7, 1)}]
    pending = rules.pending_hazard_entries(copies, as_of=date(2026, 6, 1), table=SCORING)
    assert [p["reference"] for p in pending] == ["hazard:12"] and pending[0]["derived"]
    recorded = rules.priced(rules.hazard_overdue(hazard(), today=date(2026, 5, 20)), SCORING)
    assert score_on([recorded, *pending], date(2026, 6, 1)) == 90


def test_accidents_rechecks_commitments_and_licences_become_entries():
    accident = {"id": "7", "uscc": USCC, "grade": "large", "category": "production", "occurred_at": "2026-04-30T17:00:00Z",
                "title": "储罐区中毒事故"}
    e = rules.accident_entry(accident, table=SCORING)
    assert (e["type"], e["occurred_on"]) == ("accident_large", date(2026, 5, 1))
    assert rules.accident_entry(accident | {"category": "road_traffic"}, table=SCORING) is None
    recheck = {"id": "3", "uscc": USCC, "result": "failed", "done_on": "2026-05-02", "opinion_number": "(崆)应急复查〔2026〕3号"}
    assert rules.recheck_entry(recheck)["reference"] == "(崆)应急复查〔2026〕3号"
    assert rules.recheck_entry(recheck | {"result": "passed"}) is None
    assert rules.commitment_entry({"uscc": USCC, "day": "2026-05-03"})["reference"] == "commitment:2026-05-03"
    suspended = {"action": "suspend", "uscc": USCC, "certificate_number": "(甘)WH安许证字〔2026〕000012",
                 "changed_at": "2026-05-04T01:00:00Z"}
    assert rules.licence_entry(suspended)["type"] == "licence_suspended"
    assert rules.licence_entry(suspended | {"action": "accept"}) is None


# --- the serious-dishonesty list ---------------------------------------------------------------

def listing(listed_on: date, **over) -> dict:
    return {"uscc": USCC, "status": "listed", "listed_on": listed_on, "expires_on": dishonesty.expires_on(listed_on, LIST),
            "removed_on": None, "repairs": []} | over


REPAIR = {"statement": "已缴纳罚款，完成整改", "conditions": [c["code"] for c in LIST["repair_conditions"]]}


def test_a_listing_decision_lists_for_three_years_and_needs_a_situation_of_the_order():
    body = {"uscc": USCC, "situation": "concealed_accident", "facts": "瞒报一起死亡事故", "penalty_number": "(平)应急罚〔2026〕5号"}
    d = dishonesty.decision(body, table=LIST, today=date(2026, 3, 15))
    assert (d["listed_on"], d["expires_on"]) == (date(2026, 3, 15), date(2029, 3, 15))
    with pytest.raises(InvalidArgument) as bad:
        dishonesty.decision(body | {"situation": "late_report", "penalty_number": ""}, table=LIST, today=date(2026, 3, 15))
    assert set(fields_of(bad.value)) == {"situation", "penalty_number"}


def test_repair_opens_the_day_after_the_twelve_months_are_full():
    x = listing(date(2026, 3, 15))
    with refused("自2027-03-16起可以申请"):
        dishonesty.repair_request(x, REPAIR, table=LIST, today=date(2027, 3, 15))
    assert dishonesty.repair_request(x, REPAIR, table=LIST, today=date(2027, 3, 16))["state"] == "pending"


def test_a_listing_of_29_february_opens_repair_on_1_march_and_ends_on_28_february():
    x = listing(date(2024, 2, 29))
    assert dishonesty.repair_opens_on(x["listed_on"], LIST) == date(2025, 3, 1)
    with refused("自2025-03-01起可以申请"):
        dishonesty.repair_request(x, REPAIR, table=LIST, today=date(2025, 2, 28))
    assert dishonesty.repair_request(x, REPAIR, table=LIST, today=date(2025, 3, 1))
    assert x["expires_on"] == date(2027, 2, 28)
    assert dishonesty.state(x, today=date(2027, 2, 28)) == "listed"
    assert dishonesty.state(x, today=date(2027, 3, 1)) == "expired"


def test_a_repair_declares_every_condition_and_waits_for_one_decision():
    x = listing(date(2025, 1, 10))
    with pytest.raises(InvalidArgument) as bad:
        dishonesty.repair_request(x, REPAIR | {"conditions": ["commitment"]}, table=LIST, today=date(2026, 6, 1))
    assert bad.value.violations[0].code == "conditions.missing"
    pending = x | {"repairs": [dishonesty.repair_request(x, REPAIR, table=LIST, today=date(2026, 6, 1))]}
    with refused("已有待审核"):
        dishonesty.repair_request(pending, REPAIR, table=LIST, today=date(2026, 6, 2))
    with pytest.raises(InvalidArgument) as bad:
        dishonesty.repair_decision(pending, {"decision": "refused"}, today=date(2026, 6, 3))
    assert fields_of(bad.value) == ["opinion"], "a refusal gives its reasons"
    with refused("没有待审核"):
        dishonesty.repair_decision(x, {"decision": "approved"}, today=date(2026, 6, 3))


def test_removal_at_expiry_only_from_the_day_after_the_term():
    x = listing(date(2026, 3, 15))
    with refused("期满后方可移出"):
        dishonesty.removal(x, {}, today=date(2029, 3, 15))
    assert dishonesty.removal(x, {}, today=date(2029, 3, 16))["reason"] == "expired"
    with refused("管理期已于2029-03-15届满"):
        dishonesty.repair_request(x, REPAIR, table=LIST, today=date(2029, 3, 16))


def test_consequences_apply_from_the_listing_day_through_the_term_and_end_with_a_removal():
    x = listing(date(2026, 3, 15))
    assert dishonesty.consequences(USCC, date(2026, 3, 14), [x], LIST) == []
    on = dishonesty.consequences(USCC, date(2026, 3, 15), [x], LIST)
    assert {c["applies_to"] for c in on} == {"licensing", "standardization", "plans"}
    assert all(set(c) == {"applies_to", "consequence_zh"} for c in on)
    assert dishonesty.consequences(USCC, date(2029, 3, 15), [x], LIST) == on
    assert dishonesty.consequences(USCC, date(2029, 3, 16), [x], LIST) == []
    repaired = x | {"status": "removed", "removed_on": date(2027, 4, 1)}
    assert dishonesty.consequences(USCC, date(2027, 3, 31), [repaired], LIST) == on
    assert dishonesty.consequences(USCC, date(2027, 4, 1), [repaired], LIST) == []
    assert dishonesty.consequences("91620821MA72JC002N", date(2026, 6, 1), [x], LIST) == [], "another enterprise's listing"


LIST_PRECISE = ledger.table(ledger.LIST, date(2026, 12, 1))


def test_from_2026_12_01_the_plans_consequence_carries_its_precise_rule():
    assert ledger.version(ledger.LIST, date(2026, 11, 30)) == date(2026, 1, 1)
    assert ledger.version(ledger.LIST, date(2026, 12, 1)) == date(2026, 12, 1)
    dishonesty.check_table(LIST_PRECISE)
    on = dishonesty.consequences(USCC, date(2026, 12, 1), [listing(date(2026, 12, 1))], LIST_PRECISE)
    (plans,) = [c for c in on if c["applies_to"] == "plans"]
    assert plans == {"applies_to": "plans", "consequence_zh": "列为重点检查对象，纳入年度执法计划全覆盖检查并提高检查频次",
                     "effect": "key_target", "extra_inspections": 0, "within_cap": True, "reason_zh": "严重失信主体名单（提高检查频次）"}
    assert all(set(c) == {"applies_to", "consequence_zh"} for c in on if c["applies_to"] != "plans")


@pytest.mark.parametrize("change, message", [
    (lambda c: c.update(effect="more_often"), "effect is one of key_target"),
    (lambda c: c.pop("effect"), "effect is one of key_target"),
    (lambda c: c.update(extra_inspections=-1), "extra_inspections"),
    (lambda c: c.update(extra_inspections=True), "extra_inspections"),
    (lambda c: c.update(extra_inspections="1"), "extra_inspections"),
    (lambda c: c.update(within_cap="yes"), "within_cap"),
    (lambda c: c.update(reason_zh=" "), "reason_zh"),
    (lambda c: c.update(applies_to="licensing"), "plans measure only"),
])
def test_an_imprecise_plans_measure_is_refused(change, message):
    t = copy.deepcopy(LIST_PRECISE)
    change(next(c for c in t["consequences"] if c.get("reason_zh")))
    with pytest.raises(ValueError, match=message):
        dishonesty.check_table(t)


def test_names_are_masked_to_the_surname():
    assert dishonesty.mask_name("王志强") == "王**" and dishonesty.mask_name("") == ""


# --- agencies ----------------------------------------------------------------------------------

def test_an_agency_is_rated_from_its_findings():
    f = {"type": "no_site_visit", "points": -10, "reference": "检查记录1", "found_on": date(2026, 1, 10)}  # half after 6 months
    assert agencies.rating([f], as_of=date(2026, 7, 9), table=RATING).score == 90
    assert agencies.rating([f], as_of=date(2026, 7, 10), table=RATING).score == Decimal("95.0")
    assert agencies.rating([f], as_of=date(2027, 1, 10), table=RATING).score == 100
    false = {"type": "false_report", "points": -60, "reference": "(平)应急罚〔2026〕9号", "found_on": date(2026, 2, 1)}
    rated = agencies.rating([f, false], as_of=date(2026, 3, 1), table=RATING)
    assert (rated.score, rated.grade, rated.parts) == (30, "D", (-10, -60))


def test_an_agency_registration_checks_every_field():
    body = {"name": "甘肃某安全评价有限公司", "uscc": USCC, "qualification_type": "safety_assessment", "qualification_number": "APJ-(甘)-001",
            "scope": "金属、非金属矿及其他矿采选业", "valid_until": "2030-12-31", "region_code": "620802"}
    assert agencies.registration(body, table=RATING)["valid_until"] == date(2030, 12, 31)
    with pytest.raises(InvalidArgument) as bad:
        agencies.registration(body | {"qualification_type": "x", "valid_until": "31/12/2030", "region_code": "62"}, table=RATING)
    assert set(fields_of(bad.value)) == {"qualification_type", "valid_until", "region_code"}
    assert agencies.changes({**body, "valid_until": date(2030, 12, 31)}, {"version": 1, "valid_until": "2033-12-31"},
                            table=RATING) == {"valid_until": date(2033, 12, 31)}


# --- follow-ups --------------------------------------------------------------------------------

def test_a_follow_up_is_due_one_year_after_the_closure():
    s = followups.schedule({"status": "closed", "closed_on": "2025-04-30", "uscc": USCC}, table=FOLLOW_UP)
    assert s == {"closed_on": date(2025, 4, 30), "opens_on": date(2026, 2, 28), "due_on": date(2026, 4, 30)}
    leap = followups.schedule({"status": "closed", "closed_on": "2024-02-29", "uscc": USCC}, table=FOLLOW_UP)
    assert leap["due_on"] == date(2025, 2, 28)
    assert followups.schedule({"status": "investigating", "closed_on": None, "uscc": USCC}, table=FOLLOW_UP) is None
    row = s | {"recorded_on": None}
    assert followups.state(row, today=date(2026, 2, 27)) == "upcoming"
    assert followups.state(row, today=date(2026, 2, 28)) == "due"
    assert followups.state(row, today=date(2026, 4, 30)) == "due"
    assert followups.state(row, today=date(2026, 5, 1)) == "overdue"
    assert followups.state(row | {"recorded_on": date(2026, 5, 2)}, today=date(2026, 5, 3)) == "recorded"


def test_a_follow_up_is_recorded_once_inside_or_after_its_window_and_measures_not_carried_out_enter_the_ledger():
    row = {"id": 4, "accident_title": "储罐区中毒事故", "opens_on": date(2026, 2, 28), "due_on": date(2026, 4, 30), "recorded_on": None}
    body = {"measures": [{"measure": "储罐区加装紧急切断装置", "result": "not_implemented"}], "conclusion": "not_implemented",
            "summary": "主要整改措施未落实"}
    with refused("自2026-02-28起可以记录"):
        followups.evaluation(row, body, table=FOLLOW_UP, today=date(2026, 2, 27))
    e = followups.evaluation(row, body, table=FOLLOW_UP, today=date(2026, 5, 5))
    assert e["evaluated_on"] == date(2026, 5, 5)
    entry_ = followups.credit_entry(row, e, table=FOLLOW_UP)
    assert (entry_["type"], entry_["reference"]) == ("follow_up_not_implemented", "follow_up:4")
    assert followups.credit_entry(row, e | {"conclusion": "implemented"}, table=FOLLOW_UP) is None
    with pytest.raises(InvalidArgument) as bad:
        followups.evaluation(row, {"measures": [{"measure": "", "result": "done"}], "conclusion": "x"}, table=FOLLOW_UP,
                             today=date(2026, 3, 1))
    assert set(fields_of(bad.value)) == {"measures[0].measure", "measures[0].result", "conclusion", "summary"}
    with refused("已记录并公开"):
        followups.evaluation(row | {"recorded_on": date(2026, 5, 5)}, body, table=FOLLOW_UP, today=date(2026, 5, 6))
