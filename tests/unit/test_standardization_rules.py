"""安全生产标准化 rules (services/supervision/standardization/rules.py) against the real rule table and
the 2026 State Council holiday notice (from the chinese-calendar package): every band edge with the
table's operators, coal's part minimums, the fatal-accident look-back by the accident's grade, the
six months a system must have run, the notice across National Day 2026 and into 2027 (provisional),
the renewal window, the state machine's refusals, downgrade and revocation."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.kit import ruletables, workdays
from services.kit.errors import Conflict, InvalidArgument
from services.kit.workdays import Calendar, Year
from services.supervision.standardization import rules

TABLE = ruletables.effective(ruletables.load_dir(Path(rules.__file__).parent / "tables"), "standardization_standards",
                             date(2026, 1, 1)).body
GONGMAO, HAZCHEM, COAL = (TABLE["families"][f] for f in ("gongmao", "hazardous_chemicals", "coal"))
PACKAGE = workdays.package_years()
CAL = Calendar({y: PACKAGE[y] for y in (2025, 2026)})           # 2027's notice is not published yet
CAL_2027 = Calendar({**CAL.years, 2027: Year(2027, {date(2027, 1, 1): "元旦"}, {})})
TODAY = date(2026, 12, 2)


@contextmanager
def refused(zh: str):
    """A Conflict whose Chinese detail says `zh`."""
    with pytest.raises(Conflict) as e:
        yield
    assert zh in e.value.detail_zh, e.value.detail_zh


@contextmanager
def field_error(field: str, code: str | None = None):
    with pytest.raises(InvalidArgument) as e:
        yield
    assert field in {v.field for v in e.value.violations}, e.value.violations
    if code:
        assert code in {v.code for v in e.value.violations}, e.value.violations


def application(**over) -> dict:
    base = {"id": 1, "kind": "new", "status": "under_review", "family": "gongmao", "applied_grade": "2", "experts": ["甲", "乙", "丙"],
            "received_on": date(2026, 11, 2), "notice_starts_on": None, "notice_ends_on": None, "objections": []}
    return base | over


def with_total(family: dict, total: str, *, left_out: tuple[str, ...] = ()) -> list[dict]:
    """Scores earning exactly `total` points, element by element up to each one's points; the
    elements `left_out` marked not applicable (缺项)."""
    left, out = Decimal(total), []
    for e in family["elements"]:
        if e["code"] in left_out:
            out.append({"code": e["code"], "score": None, "not_applicable": True})
            continue
        give = min(Decimal(e["points"]), left)
        out.append({"code": e["code"], "score": give, "not_applicable": False})
        left -= give
    return out


def grade_of(family_code: str, scores: list[dict], *, applied: str = "2", accidents=(), on: date = TODAY, dishonest=False) -> str | None:
    app = application(family=family_code, applied_grade=applied)
    return rules.review(app, scores, table=TABLE, family=TABLE["families"][family_code], accidents=accidents,
                        listed_dishonest=dishonest, today=on)["grade"]


# --- the table -----------------------------------------------------------------------------------

def test_the_table_is_consistent_and_covers_every_graded_sector():
    from services.supervision.sectors import NAMES as SECTOR_ZH
    rules.check_table(TABLE)
    graded = {s for f in TABLE["families"].values() for s in f["sectors"]}
    assert graded <= set(SECTOR_ZH)
    assert graded == set(SECTOR_ZH) - {"construction", "transport", "other"}
    for code, f in TABLE["families"].items():
        assert f["source"], code
        assert all(t["op"] in ("gte", "gt", "lte", "lt") for b in f["bands"].values() for t in (b["total"], *(b.get("parts") or {}).values()))


def test_a_table_whose_points_do_not_add_up_is_refused():
    broken = TABLE | {"families": TABLE["families"] | {"gongmao": GONGMAO | {"elements": GONGMAO["elements"][1:]}}}
    with pytest.raises(ValueError, match="add up to 100"):
        rules.check_table(broken)


def test_a_threshold_without_its_operator_is_refused():
    bands = GONGMAO["bands"] | {"1": {"total": {"value": "90"}}}
    broken = TABLE | {"families": TABLE["families"] | {"gongmao": GONGMAO | {"bands": bands}}}
    with pytest.raises(ValueError, match="op gte"):
        rules.check_table(broken)


def test_the_family_comes_from_the_sector():
    assert rules.family_of(TABLE, "hazardous_chemicals")[0] == "hazardous_chemicals"
    assert rules.family_of(TABLE, "machinery")[0] == "gongmao"
    with field_error("sector", "sector.not_graded"):
        rules.family_of(TABLE, "construction")


# --- bands ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("total, grade", [("90", "1"), ("89.9", "2"), ("75", "2"), ("74.9", "3"), ("60", "3"), ("59.9", None)])
def test_every_band_edge_of_the_2011_method(total, grade):
    scores = with_total(GONGMAO, total)
    assert rules.totals(scores, table=TABLE, family=GONGMAO)["total"] == Decimal(total)
    assert grade_of("gongmao", scores, applied="1") == grade


def test_the_operator_decides_whether_the_edge_counts():
    assert rules.meets(Decimal("90"), {"op": "gte", "value": "90"})
    assert not rules.meets(Decimal("90"), {"op": "gt", "value": "90"})
    assert rules.meets(Decimal("89.9"), {"op": "lt", "value": "90"}) and not rules.meets(Decimal("90"), {"op": "lt", "value": "90"})


def test_no_better_grade_than_applied_for_is_awarded():
    assert grade_of("gongmao", with_total(GONGMAO, "95"), applied="2") == "2"
    assert grade_of("gongmao", with_total(GONGMAO, "80"), applied="3") == "3"


def test_a_not_applicable_element_leaves_the_applicable_points():
    """缺项: 重大危险源监控 (5 points) left out, 85.5 of 95 → 90.0; 85.4 of 95 → 89.89… → 89.8 (rounded down)."""
    assert rules.totals(with_total(GONGMAO, "85.5", left_out=("G09",)), table=TABLE, family=GONGMAO)["total"] == Decimal("90.0")
    assert rules.totals(with_total(GONGMAO, "85.4", left_out=("G09",)), table=TABLE, family=GONGMAO)["total"] == Decimal("89.8")


def test_an_element_that_cannot_be_left_out_is_refused():
    with field_error("scores[0].not_applicable", "element.required"):
        rules.scores_entry(application(), {"scores": [{"code": "G01", "not_applicable": True}]}, table=TABLE, family=GONGMAO)


def test_scores_above_the_points_or_with_two_decimals_are_refused():
    with field_error("scores[0].score", "score.range"):
        rules.scores_entry(application(), {"scores": [{"code": "G01", "score": 3.5}]}, table=TABLE, family=GONGMAO)
    with field_error("scores[0].score"):
        rules.scores_entry(application(), {"scores": [{"code": "G02", "score": 4.25}]}, table=TABLE, family=GONGMAO)
    with field_error("scores[1].code", "element.repeated"):
        rules.scores_entry(application(), {"scores": [{"code": "G02", "score": 4}, {"code": "G02", "score": 3}]}, table=TABLE, family=GONGMAO)
    with field_error("scores[0].code", "element.unknown"):
        rules.scores_entry(application(), {"scores": [{"code": "C01", "score": 1}]}, table=TABLE, family=GONGMAO)


def test_the_review_needs_every_element_and_the_experts():
    with field_error("scores", "scores.incomplete"):
        rules.review(application(), with_total(GONGMAO, "90")[1:], table=TABLE, family=GONGMAO, accidents=(), listed_dishonest=False,
                     today=TODAY)
    with field_error("experts", "experts.too_few"):
        rules.review(application(experts=["甲", "乙"]), with_total(GONGMAO, "90"), table=TABLE, family=GONGMAO, accidents=(),
                     listed_dishonest=False, today=TODAY)


# --- coal: the parts -----------------------------------------------------------------------------

def coal(basics: str, disasters: str, professional: str) -> list[dict]:
    """Coal scores whose parts come to these percentages (each element that share of its points)."""
    share = {"safety_basics": Decimal(basics) / 100, "major_disasters": Decimal(disasters) / 100, "professional": Decimal(professional) / 100}
    return [{"code": e["code"], "score": Decimal(e["points"]) * share[e["part"]], "not_applicable": False} for e in COAL["elements"]]


def test_coal_first_grade_needs_each_part_minimum():
    top = coal("90", "90", "90")
    assert rules.totals(top, table=TABLE, family=COAL) == {"total": Decimal("90.0"), "parts": {
        "safety_basics": Decimal("90.0"), "major_disasters": Decimal("90.0"), "professional": Decimal("90.0")}}
    assert rules.unmet_bands(rules.totals(top, table=TABLE, family=COAL), family=COAL, grade="1") == []
    # 安全基础管理 at 85 is enough; 重大灾害防治 at 89 is not, though the total still reaches 90.
    assert not rules.unmet_bands(rules.totals(coal("85", "95", "90"), table=TABLE, family=COAL), family=COAL, grade="1")
    low_disasters = rules.totals(coal("95", "89", "92.5"), table=TABLE, family=COAL)
    assert low_disasters["total"] >= 90
    assert rules.unmet_bands(low_disasters, family=COAL, grade="1") == ["重大灾害防治得分89.0未达到≥90分"]
    assert rules.unmet_bands(rules.totals(coal("84", "100", "100"), table=TABLE, family=COAL), family=COAL, grade="1") == [
        "安全基础管理得分84.0未达到≥85分"]


def test_coal_second_and_third_grades_need_every_part_at_the_band():
    assert not rules.unmet_bands(rules.totals(coal("80", "80", "80"), table=TABLE, family=COAL), family=COAL, grade="2")
    assert rules.unmet_bands(rules.totals(coal("79", "90", "90"), table=TABLE, family=COAL), family=COAL, grade="2") == [
        "安全基础管理得分79.0未达到≥80分"]
    assert grade_of("coal", coal("79", "90", "90")) == "3"
    assert grade_of("coal", coal("70", "70", "69")) is None


# --- preconditions -------------------------------------------------------------------------------

def fatal(on: date, grade: str = "general", deaths: int = 1, missing: int = 0) -> dict:
    return {"id": 7, "occurred_on": on, "deaths": deaths, "missing": missing, "grade": grade}


def test_a_fatal_accident_bars_the_grade_inside_its_look_back_only():
    scores = with_total(GONGMAO, "80")
    assert grade_of("gongmao", scores, accidents=[fatal(date(2025, 12, 3))]) is None          # 未满12个月
    assert grade_of("gongmao", scores, accidents=[fatal(date(2025, 12, 2))]) == "2"           # 12 months to the day: over
    assert grade_of("gongmao", scores, accidents=[fatal(date(2025, 12, 3), deaths=0)]) == "2"  # no one died
    assert grade_of("gongmao", scores, accidents=[fatal(date(2025, 12, 3), deaths=0, missing=1)]) is None  # missing count as dead


def test_coal_first_grade_is_barred_by_the_accidents_grade():
    top = coal("95", "95", "95")
    general, large, extraordinary = fatal(date(2025, 6, 1)), fatal(date(2025, 6, 1), "large", 3), fatal(date(2024, 6, 1), "extraordinary", 30)
    assert grade_of("coal", top, applied="1", accidents=[general], on=date(2026, 5, 31)) is None  # 二级、三级 look back as far [verify]
    assert grade_of("coal", top, applied="1", accidents=[general], on=date(2026, 6, 1)) == "1"    # one year since the general accident
    assert grade_of("coal", top, applied="1", accidents=[large], on=date(2027, 5, 31)) is None
    assert grade_of("coal", top, applied="1", accidents=[large], on=date(2027, 6, 1)) == "1"
    assert grade_of("coal", top, applied="1", accidents=[extraordinary], on=date(2027, 5, 31)) is None
    assert grade_of("coal", top, applied="1", accidents=[extraordinary], on=date(2027, 6, 1)) == "1"


def test_hazardous_chemicals_first_grade_looks_back_two_years():
    scores = with_total(HAZCHEM, "92")
    accident = fatal(date(2025, 1, 10))
    assert grade_of("hazardous_chemicals", scores, applied="1", accidents=[accident], on=date(2026, 12, 2)) == "2"
    assert grade_of("hazardous_chemicals", scores, applied="1", accidents=[accident], on=date(2027, 1, 10)) == "1"


def test_the_dishonesty_hook_bars_every_grade():
    reasons = rules.precondition_violations(table=TABLE, family=GONGMAO, grade="3", accidents=(), on=TODAY, listed_dishonest=True)
    assert [r["code"] for r in reasons] == ["listed_dishonest"]
    assert grade_of("gongmao", with_total(GONGMAO, "95"), dishonest=True) is None
    assert rules.precondition_violations(table=TABLE, family=GONGMAO, grade="3", accidents=(), on=TODAY, listed_dishonest=False) == []


def test_the_review_says_why_better_grades_were_not_reached():
    result = rules.review(application(applied_grade="2"), with_total(GONGMAO, "80"), table=TABLE, family=GONGMAO,
                          accidents=[fatal(date(2026, 6, 1))], listed_dishonest=False, today=TODAY)
    assert result["grade"] is None
    assert [c["grade"] for c in result["considered"]] == ["2", "3"]
    assert all(c["preconditions"][0]["code"] == "fatal_accident" and c["unmet"] == [] for c in result["considered"])


# --- the application -----------------------------------------------------------------------------

def body(**over) -> dict:
    return {"applied_grade": "3", "self_score": 82.5, "system_running_since": "2026-01-15"} | over


def test_the_system_must_have_run_six_months():
    assert rules.submission(body(), table=TABLE, family=HAZCHEM, today=date(2026, 7, 15))["system_running_since"] == date(2026, 1, 15)
    with field_error("system_running_since", "system_running_since.too_recent"):
        rules.submission(body(), table=TABLE, family=HAZCHEM, today=date(2026, 7, 14))
    # 31 August + 6 months is the last day of February.
    assert rules.system_run_violation(date(2025, 8, 31), table=TABLE, today=date(2026, 2, 28)) is None
    assert rules.system_run_violation(date(2025, 8, 31), table=TABLE, today=date(2026, 2, 27)).code == "system_running_since.too_recent"
    with field_error("system_running_since", "system_running_since.future"):
        rules.submission(body(system_running_since="2026-12-03"), table=TABLE, family=HAZCHEM, today=TODAY)


def test_a_submission_names_every_bad_field():
    with pytest.raises(InvalidArgument) as e:
        rules.submission({"applied_grade": "4", "self_score": "很高"}, table=TABLE, family=HAZCHEM, today=TODAY)
    assert {v.field for v in e.value.violations} == {"applied_grade", "self_score", "system_running_since"}
    with field_error("self_score", "self_score.below_grade"):
        rules.submission(body(applied_grade="2", self_score=74.9), table=TABLE, family=HAZCHEM, today=TODAY)
    assert rules.submission(body(applied_grade="2", self_score=75), table=TABLE, family=HAZCHEM, today=TODAY)["self_score"] == 75


def test_first_grade_is_not_applied_for_here():
    with field_error("applied_grade", "applied_grade.outside_platform"):
        rules.submission(body(applied_grade="1", self_score=95), table=TABLE, family=HAZCHEM, today=TODAY)


def test_the_reviewing_agency_follows_the_grade():
    assert rules.agency_of(TABLE, HAZCHEM, "3", region_code="620802", city_code="620800") == "620802"
    assert rules.agency_of(TABLE, HAZCHEM, "2", region_code="620802", city_code="620800") == "620800"
    assert rules.agency_of(TABLE, HAZCHEM, "3", region_code="620802001", city_code="620800") == "620802"


# --- notice, objections, certificate --------------------------------------------------------------

def test_the_notice_runs_five_working_days_across_national_day():
    """Published Wednesday 30 September 2026: 1–7 October are holidays, Saturday 10 October a make-up
    working day; the fifth working day after is Tuesday 13 October."""
    starts, ends = rules.notice(application(status="reviewed"), family=HAZCHEM, calendar=CAL, today=date(2026, 9, 30))
    assert (starts, ends.day, ends.provisional) == (date(2026, 9, 30), date(2026, 10, 13), False)


def test_a_notice_into_2027_is_provisional_until_its_notice_is_entered():
    _, ends = rules.notice(application(status="reviewed"), family=HAZCHEM, calendar=CAL, today=date(2026, 12, 28))
    assert (ends.day, ends.provisional) == (date(2027, 1, 4), True)
    assert ends.as_json()["note"] == workdays.PROVISIONAL_ZH
    _, ends = rules.notice(application(status="reviewed"), family=HAZCHEM, calendar=CAL_2027, today=date(2026, 12, 28))
    assert (ends.day, ends.provisional) == (date(2027, 1, 5), False)               # New Year's Day 2027 is not a working day
    stored = rules.stored_deadlines(application(received_on=date(2026, 12, 28), notice_starts_on=date(2026, 12, 28)), calendar=CAL,
                                    family=HAZCHEM)
    assert stored["notice_ends_provisional"] and stored["review_due_provisional"]


def in_notice(**over) -> dict:
    return application(status="in_notice", notice_starts_on=date(2026, 9, 30), notice_ends_on=date(2026, 10, 13), **over)


def test_objections_are_taken_to_the_notices_last_day():
    raised = rules.objection(in_notice(), {"content": "该企业近期发生过事故"}, today=date(2026, 10, 13))
    assert raised["received_on"] == date(2026, 10, 13)
    with refused("公示期已于2026-10-13结束"):
        rules.objection(in_notice(), {"content": "迟到的异议"}, today=date(2026, 10, 14))
    with field_error("content"):
        rules.objection(in_notice(), {}, today=date(2026, 10, 9))
    with field_error("received_on", "received_on.range"):
        rules.objection(in_notice(), {"content": "异议", "received_on": "2026-09-29"}, today=date(2026, 10, 9))


def test_the_certificate_follows_the_notice_and_objections_need_an_answer():
    with refused("期满后方可发证"):
        rules.certification(in_notice(), {}, today=date(2026, 10, 13))
    assert rules.certification(in_notice(), {}, today=date(2026, 10, 14)) == ""
    objected = in_notice(objections=[{"content": "异议", "received_on": date(2026, 10, 9)}])
    with field_error("objections_handled"):
        rules.certification(objected, {}, today=date(2026, 10, 14))
    assert rules.certification(objected, {"objections_handled": "经核实，异议不成立"}, today=date(2026, 10, 14)) == "经核实，异议不成立"


def test_certificate_number_and_validity():
    assert rules.certificate_number(TABLE, family=HAZCHEM, sector="hazardous_chemicals", grade="3", year=2026, serial=12) == "AQBⅢWH甘202600012"
    assert rules.certificate_number(TABLE, family=GONGMAO, sector="machinery", grade="2", year=2026, serial=3) == "AQBⅡJX甘202600003"
    assert rules.valid_until(TABLE, start=date(2026, 3, 15)) == date(2029, 3, 14)


# --- renewal, downgrade, revocation ---------------------------------------------------------------

def certificate(**over) -> dict:
    return {"grade": "2", "state": "valid", "valid_until": date(2029, 3, 14), "actions": []} | over


def test_the_renewal_window_opens_three_months_before_expiry():
    app = application(status="certified")
    with refused("复评换证自2028-12-14起受理"):
        rules.renewal(app, certificate(), table=TABLE, today=date(2028, 12, 13))
    assert rules.renewal(app, certificate(), table=TABLE, today=date(2028, 12, 14)) == (date(2028, 12, 14), date(2029, 3, 14))
    assert rules.renewal(app, certificate(), table=TABLE, today=date(2029, 3, 14))[1] == date(2029, 3, 14)
    with refused("证书已过期"):
        rules.renewal(app, certificate(), table=TABLE, today=date(2029, 3, 15))
    with refused("证书已撤销"):
        rules.renewal(app, certificate(state="revoked"), table=TABLE, today=date(2029, 1, 5))
    c = rules.clock(app | {"received_on": date(2026, 3, 2)}, certificate=certificate(), calendar=CAL, table=TABLE, family=HAZCHEM,
                    today=date(2028, 12, 14))
    assert c["certificate"]["renewal_open"] and c["certificate"]["renewal_opens"] == date(2028, 12, 14)


def test_downgrade_goes_lower_and_the_lowest_grade_is_revoked_instead():
    app = application(status="certified")
    done = rules.downgrade(app, certificate(), {"to_grade": "3", "reasons": "发生一般死亡事故", "accident_id": "41"}, table=TABLE, today=TODAY)
    assert (done["from_grade"], done["to_grade"], done["accident_id"]) == ("2", "3", "41")
    with field_error("to_grade", "to_grade.enum"):
        rules.downgrade(app, certificate(), {"to_grade": "1", "reasons": "x"}, table=TABLE, today=TODAY)
    with field_error("reasons"):
        rules.downgrade(app, certificate(), {"to_grade": "3"}, table=TABLE, today=TODAY)
    with refused("已是最低等级"):
        rules.downgrade(app, certificate(grade="3"), {"to_grade": "3", "reasons": "x"}, table=TABLE, today=TODAY)
    assert rules.revocation(app, certificate(grade="3", state="downgraded"), {"reasons": "重大事故"}, today=TODAY)["to_grade"] is None
    with refused("证书已撤销"):
        rules.revocation(app, certificate(state="revoked"), {"reasons": "x"}, today=TODAY)
    with refused("证书已换发"):
        rules.downgrade(app, certificate(state="replaced"), {"to_grade": "3", "reasons": "x"}, table=TABLE, today=TODAY)


# --- the state machine ---------------------------------------------------------------------------

@pytest.mark.parametrize("status, call", [
    ("accepted", lambda app: rules.review(app, [], table=TABLE, family=GONGMAO, accidents=(), listed_dishonest=False, today=TODAY)),
    ("submitted", lambda app: rules.scores_entry(app, {"scores": [{"code": "G01", "score": 1}]}, table=TABLE, family=GONGMAO)),
    ("under_review", lambda app: rules.notice(app, family=GONGMAO, calendar=CAL, today=TODAY)),
    ("reviewed", lambda app: rules.certification(app, {}, today=TODAY)),
    ("accepted", lambda app: rules.return_reasons(app, {"reasons": "x"})),
    ("in_notice", lambda app: rules.renewal(app, certificate(), table=TABLE, today=TODAY)),
    ("not_passed", lambda app: rules.revocation(app, certificate(), {"reasons": "x"}, today=TODAY)),
    ("returned", lambda app: rules.objection(app, {"content": "x"}, today=TODAY)),
])
def test_a_step_out_of_order_is_refused(status, call):
    with refused(f"申请当前为“{rules.STATUSES[status]}”"):
        call(application(status=status))


def test_the_clock_counts_the_review_period_in_working_days():
    app = application(status="accepted", received_on=date(2026, 9, 29))
    c = rules.clock(app, certificate=None, calendar=CAL, table=TABLE, family=HAZCHEM, today=date(2026, 10, 30))
    # 20 working days after 29 September 2026 across National Day (and its make-up Saturday 10 October).
    assert c["review_due"] == {"date": "2026-11-02", "provisional": False, "note": ""}
    assert not c["review_overdue"] and c["working_days_left"] == 1
    on_the_day = rules.clock(app, certificate=None, calendar=CAL, table=TABLE, family=HAZCHEM, today=date(2026, 11, 2))
    assert not on_the_day["review_overdue"]
    late = rules.clock(app, certificate=None, calendar=CAL, table=TABLE, family=HAZCHEM, today=date(2026, 11, 3))
    assert late["review_overdue"]
