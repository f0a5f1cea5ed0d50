"""services.datacenter.major_hazards.rules against GB 18218-2018."""
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from services.datacenter.major_hazards import rules
from services.datacenter.ruletables import effective, load_defaults
from services.kit.errors import InvalidArgument

CJK = re.compile(r"[\u4e00-\u9fff]")
TABLES = load_defaults()
AT = date(2026, 1, 1)
KW = dict(substances=effective(TABLES, "gb18218_substances", AT), beta_categories=effective(TABLES, "gb18218_beta_categories", AT),
          alpha=effective(TABLES, "gb18218_alpha", AT), grades=effective(TABLES, "gb18218_grades", AT))
DEADLINES = effective(TABLES, "major_hazard_deadlines", AT)

AMMONIA, CHLORINE, BENZENE, TOLUENE, METHANOL, CO = "7664-41-7", "7782-50-5", "71-43-2", "108-88-3", "67-56-1", "630-08-0"


def assess(*chemicals, population=1):
    return rules.assess(chemicals=list(chemicals), population_500m=population, **KW)


def chem(cas, q, category=None):
    return {"cas": cas, "max_quantity_t": q, "category": category}


def problems(*chemicals, population=1):
    with pytest.raises(InvalidArgument) as e:
        assess(*chemicals, population=population)
    for v in e.value.violations:
        assert CJK.search(v.message_zh) and v.message_en and not CJK.search(v.message_en), v
    return [(v.field, v.code) for v in e.value.violations]


# --- CAS numbers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("cas", ["7732-18-5", "7664-41-7", "50-00-0", "10102-44-0", "68476-85-7", "1333-74-0"])
def test_valid_cas_numbers(cas):
    assert rules.cas_problem(cas) is None
    assert rules.cas_violations(cas) == []


@pytest.mark.parametrize("cas, problem", [
    ("7732-18-4", "check_digit"), ("7664-41-1", "check_digit"),
    ("", "format"), ("7664417", "format"), ("7-41-7", "format"), ("07664-41-7", "format"), ("12345678-41-7", "format"),
    ("7664-4-17", "format"), ("7664-41-77", "format"), ("７６６４-41-7", "format"), (" 7664-41-7", "format"),
])
def test_invalid_cas_numbers(cas, problem):
    assert rules.cas_problem(cas) == problem
    [v] = rules.cas_violations(cas, field="chemicals[0].cas")
    assert (v.field, v.code) == ("chemicals[0].cas", f"cas.{problem}")


def test_cas_check_digit_worked_example():
    # 7732-18-5: 8×1 + 1×2 + 2×3 + 3×4 + 7×5 + 7×6 = 105 → 5
    assert rules.cas_check_digit("773218") == "5"


@given(st.integers(10, 9_999_999), st.integers(0, 99))
def test_any_number_with_its_computed_check_digit_is_valid(first, second):
    body = f"{first}{second:02d}"
    cas = f"{first}-{second:02d}-{rules.cas_check_digit(body)}"
    assert rules.cas_problem(cas) is None
    wrong = (int(rules.cas_check_digit(body)) + 1) % 10
    assert rules.cas_problem(f"{first}-{second:02d}-{wrong}") == "check_digit"


# --- identification: S = Σ q/Q, major when S ≥ 1 -------------------------------------------------

@pytest.mark.parametrize("q, s, major", [
    ("9.9999", "0.9999", False),
    ("10", "1.0000", True),          # S = 1 exactly is a major hazard source
    ("10.0001", "1.0000", True),
    ("0.001", "0.0001", False),
])
def test_identification_edge_with_one_substance(q, s, major):
    a = assess(chem(AMMONIA, q))
    assert (a.s, a.is_major) == (Decimal(s), major)


def test_s_just_below_one_is_rounded_down_so_it_never_shows_as_one():
    a = assess(chem(TOLUENE, "499.99999"))       # S = 0.99999998
    assert (a.s, a.is_major, a.grade) == (Decimal("0.9999"), False, None)


def test_s_sums_the_ratios_of_every_substance():
    a = assess(chem(AMMONIA, 5), chem(BENZENE, 20), chem(METHANOL, 50))   # 0.5 + 0.4 + 0.1
    assert (a.s, a.is_major) == (Decimal("1.0000"), True)
    assert [(i.cas, i.ratio) for i in a.items] == [(AMMONIA, Decimal("0.5000")), (BENZENE, Decimal("0.4000")), (METHANOL, Decimal("0.1000"))]


def test_items_describe_each_substance():
    [item] = assess(chem("75-44-5", "0.15")).items
    assert (item.name_zh, item.q, item.threshold_q, item.beta, item.ratio) == ("碳酰氯（光气）", Decimal("0.15"), Decimal("0.3"), Decimal("20"), Decimal("0.5000"))


def test_quantities_may_be_given_as_numbers_or_strings():
    assert assess(chem(AMMONIA, 12.5)).s == assess(chem(AMMONIA, "12.5")).s == assess(chem(AMMONIA, Decimal("12.5"))).s == Decimal("1.25")


# --- grade: R = α · Σ β·q/Q -----------------------------------------------------------------------
# Ammonia: Q = 10 t, β = 2; with 1–29 residents α = 1, so R = q / 5.

@pytest.mark.parametrize("q, r, grade, grade_zh", [
    ("10", "2.0000", "4", "四级"),
    ("49.995", "9.9990", "4", "四级"),
    ("50", "10.0000", "3", "三级"),          # R = 10 is 三级
    ("249.995", "49.9990", "3", "三级"),
    ("250", "50.0000", "2", "二级"),         # R = 50 is 二级
    ("499.995", "99.9990", "2", "二级"),
    ("500", "100.0000", "1", "一级"),        # R = 100 is 一级
    ("5000", "1000.0000", "1", "一级"),
])
def test_grade_band_edges(q, r, grade, grade_zh):
    a = assess(chem(AMMONIA, q))
    assert (a.r, a.grade, a.grade_zh) == (Decimal(r), grade, grade_zh)


def test_r_just_below_an_edge_is_rounded_down_and_graded_below_it():
    a = assess(chem(AMMONIA, "49.99999999"))   # R = 9.999999998
    assert (a.r, a.grade) == (Decimal("9.9999"), "4")


@pytest.mark.parametrize("population, alpha", [
    (0, "0.5"), (1, "1.0"), (29, "1.0"), (30, "1.2"), (49, "1.2"), (50, "1.5"), (99, "1.5"), (100, "2.0"), (100000, "2.0"),
])
def test_alpha_band_edges(population, alpha):
    a = assess(chem(AMMONIA, 10), population=population)
    assert a.alpha == Decimal(alpha)
    assert a.r == Decimal(alpha) * 2


def test_not_major_has_r_but_no_grade():
    a = assess(chem(CHLORINE, 1))
    assert (a.is_major, a.grade, a.grade_zh, a.r) == (False, None, None, Decimal("0.8000"))


def test_named_toxic_gas_beta_wins_over_the_category():
    [item] = assess(chem(CHLORINE, 5, category="W2")).items
    assert item.beta == 4


@pytest.mark.parametrize("category, beta", [(None, "1"), ("W5.1", "1.5"), ("J1", "4"), ("W1.2", "2"), ("toxic_gas_other", "2")])
def test_other_substances_take_their_categorys_beta_or_one(category, beta):
    [item] = assess(chem(BENZENE, 50, category=category)).items
    assert item.beta == Decimal(beta)


def test_worked_example_mixed_unit():
    # 30 t ammonia (β 2), 20 t benzene as W5.1 (β 1.5), 100 residents (α 2):
    # S = 3 + 0.4 = 3.4; R = 2 × (2×3 + 1.5×0.4) = 13.2 → 三级
    a = assess(chem(AMMONIA, 30), chem(BENZENE, 20, "W5.1"), population=100)
    assert (a.s, a.r, a.is_major, a.grade) == (Decimal("3.4000"), Decimal("13.2000"), True, "3")


# --- refusals -------------------------------------------------------------------------------------

def test_unknown_cas_is_a_violation_on_that_entry():
    assert problems(chem(AMMONIA, 1), chem("7732-18-5", 1)) == [("chemicals[1].cas", "cas.unknown")]


def test_malformed_cas_is_a_violation_on_that_entry():
    assert problems(chem("7664-41-1", 1)) == [("chemicals[0].cas", "cas.check_digit")]
    assert problems({"max_quantity_t": 1}) == [("chemicals[0].cas", "cas.format")]


def test_substance_whose_threshold_is_not_entered_yet_is_refused():
    assert problems(chem(CO, 1)) == [("chemicals[0].cas", "cas.threshold_missing")]


def test_duplicate_cas_is_refused():
    assert problems(chem(AMMONIA, 1), chem(AMMONIA, 2)) == [("chemicals[1].cas", "cas.duplicate")]


@pytest.mark.parametrize("q", [0, "0", -1, "-0.5", None, "abc", True])
def test_non_positive_or_missing_quantity_is_refused(q):
    assert problems(chem(AMMONIA, q)) == [("chemicals[0].max_quantity_t", "max_quantity_t.invalid")]


def test_unknown_category_is_refused():
    assert problems(chem(BENZENE, 1, "W99")) == [("chemicals[0].category", "category.unknown")]


def test_empty_list_is_refused():
    assert problems() == [("chemicals", "chemicals.required")]


@pytest.mark.parametrize("population", [-1, 1.5, True, None])
def test_bad_population_is_refused(population):
    assert problems(chem(AMMONIA, 1), population=population) == [("population_500m", "population_500m.invalid")]


def test_every_problem_is_reported_at_once():
    found = problems(chem("1-11-1", 0), chem(AMMONIA, 1, "nope"), population=-3)
    assert found == [("population_500m", "population_500m.invalid"), ("chemicals[0].cas", "cas.format"),
                     ("chemicals[0].max_quantity_t", "max_quantity_t.invalid"), ("chemicals[1].category", "category.unknown")]


def test_unknown_cas_message_names_the_number():
    with pytest.raises(InvalidArgument) as e:
        assess(chem("7732-18-5", 1))
    v = e.value.violations[0]
    assert "7732-18-5" in v.message_zh and "7732-18-5" in v.message_en and "GB 18218" in v.message_zh


# --- dates, roles ---------------------------------------------------------------------------------

@pytest.mark.parametrize("assessed, due", [(date(2026, 3, 1), date(2026, 3, 16)), (date(2026, 12, 20), date(2027, 1, 4))])
def test_filing_due_fifteen_days_after_the_assessment(assessed, due):
    assert rules.filing_due(assessed, DEADLINES) == due


@pytest.mark.parametrize("assessed, due", [(date(2026, 3, 1), date(2029, 3, 1)), (date(2024, 2, 29), date(2027, 2, 28))])
def test_reassessment_every_three_years(assessed, due):
    assert rules.reassessment_due(assessed, DEADLINES) == due


def test_option_lists():
    assert rules.RESPONSIBLE_ROLES == (("principal", "主要负责人"), ("technical", "技术负责人"), ("operation", "操作负责人"))
    assert rules.GRADES == (("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级"))


def test_a_newer_alpha_table_applies_only_from_its_date():
    old = KW["alpha"]
    body = {"bands": [{"from": 0, "to": 1, "alpha": "0.5"}, {"from": 1, "to": 20, "alpha": "1.0"}, {"from": 20, "to": 50, "alpha": "1.2"},
                      {"from": 50, "to": 100, "alpha": "1.5"}, {"from": 100, "to": None, "alpha": "2.0"}]}
    tables = TABLES + (replace(old, effective_from=date(2030, 1, 1), body=body, source="某省补充规定（测试）"),)

    def alpha_on(day):
        kw = dict(KW, alpha=effective(tables, "gb18218_alpha", day))
        return rules.assess(chemicals=[chem(AMMONIA, 10)], population_500m=25, **kw).alpha

    assert alpha_on(date(2029, 12, 31)) == Decimal("1.0")
    assert alpha_on(date(2030, 1, 1)) == Decimal("1.2")
