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
          category_thresholds=effective(TABLES, "gb18218_category_thresholds", AT),
          alpha=effective(TABLES, "gb18218_alpha", AT), grades=effective(TABLES, "gb18218_grades", AT))
DEADLINES = effective(TABLES, "major_hazard_deadlines", AT)

AMMONIA, CHLORINE, BENZENE, TOLUENE, METHANOL, CO = "7664-41-7", "7782-50-5", "71-43-2", "108-88-3", "67-56-1", "630-08-0"
H2S, HYDROGEN, LPG, METHANE, ACETYLENE, ETHER, GASOLINE = "7783-06-4", "1333-74-0", "68476-85-7", "74-82-8", "74-86-2", "60-29-7", "86290-81-5"
TNT, NITROCELLULOSE, AMMONIUM_NITRATE = "118-96-7", "9004-70-0", "6484-52-2"
ISOBUTANE, DIBORANE = "75-28-5", "19287-45-7"     # not named in table 1


def assess(*chemicals, population=1):
    return rules.assess(chemicals=list(chemicals), population_500m=population, **KW)


def chem(cas, q, category=None, row=None):
    return {"cas": cas, "max_quantity_t": q, "category": category, "table1_row": row}


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


# --- β and Q by row class (GB 18218-2018 表1—表4) ------------------------------------------------

def test_table3_toxic_gas_takes_its_threshold_and_beta_from_tables_1_and_3():
    # H2S: Q = 5 t (table 1), β = 5 (table 3). 10 t, 1–29 residents (α 1):
    # S = 10/5 = 2; R = 1 × 5 × 2 = 10, which is 三级 (10 ≤ R < 50).
    a = assess(chem(H2S, 10))
    [item] = a.items
    assert (item.threshold_q, item.beta, item.row) == (Decimal("5"), Decimal("5"), 10)
    assert (a.s, a.r, a.grade) == (Decimal("2.0000"), Decimal("10.0000"), "3")


@pytest.mark.parametrize("cas, q", [("630-08-0", "20"), ("7647-01-0", "20"), ("74-83-9", "10"), ("7783-06-4", "5"), ("7664-39-3", "1"),
                                    ("10102-44-0", "1"), ("74-90-8", "1"), ("7803-51-2", "1"), ("624-83-9", "0.75")])
def test_the_table3_gases_that_had_no_threshold_now_have_one(cas, q):
    [item] = assess(chem(cas, 1)).items
    assert item.threshold_q == Decimal(q)


def test_hydrogen_is_a_flammable_gas_with_beta_one_and_a_half_without_any_category_typed():
    # Table 1: Q = 5 t; its own category W2 gives β = 1.5 (table 4). (The old table gave β = 1.)
    # 6 t, nobody within 500 m (α 0.5): S = 6/5 = 1.2; R = 0.5 × 1.5 × 1.2 = 0.9 → 四级.
    a = assess(chem(HYDROGEN, 6), population=0)
    [item] = a.items
    assert (item.beta, item.categories) == (Decimal("1.5"), ("W2",))
    assert (a.s, a.r, a.grade) == (Decimal("1.2000"), Decimal("0.9000"), "4")


@pytest.mark.parametrize("cas", [LPG, METHANE, ACETYLENE, "74-98-6", "8006-14-2", "74-85-1", "75-01-4"])
def test_every_named_flammable_gas_gets_beta_one_and_a_half(cas):
    assert assess(chem(cas, 100)).items[0].beta == Decimal("1.5")


def test_propane_butane_and_natural_gas_are_the_rows_that_print_their_cas():
    # 液化石油气 (row 52) prints 68476-85-7, 74-98-6 (propane), 106-97-8 (butane); 甲烷、天然气 (row 49) 74-82-8 and 8006-14-2.
    a = assess(chem("74-98-6", 25), chem("106-97-8", 25), chem("8006-14-2", 50))
    assert [(i.row, i.threshold_q) for i in a.items] == [(52, Decimal("50")), (52, Decimal("50")), (49, Decimal("50"))]
    assert a.s == Decimal("2.0000")


def test_flammable_liquids_take_the_beta_of_their_own_w5_sub_class():
    # Benzene and toluene are category 2 (W5.3, β 1); ether and gasoline category 1 (W5.1, β 1.5).
    a = assess(chem(BENZENE, 25), chem(TOLUENE, 250), chem(ETHER, 5), chem(GASOLINE, 100))
    assert [(i.threshold_q, i.beta) for i in a.items] == [(Decimal("50"), Decimal("1")), (Decimal("500"), Decimal("1")),
                                                         (Decimal("10"), Decimal("1.5")), (Decimal("200"), Decimal("1.5"))]
    # S = 0.5 + 0.5 + 0.5 + 0.5 = 2; R = 1 × (0.5 + 0.5 + 1.5×0.5 + 1.5×0.5) = 2.5 → 四级
    assert (a.s, a.r, a.grade) == (Decimal("2.0000"), Decimal("2.5000"), "4")


@pytest.mark.parametrize("cas, category, beta", [
    (BENZENE, None, "1"),          # its own W5.3
    (BENZENE, "W5.1", "1.5"),      # worked above its boiling point: another W5 sub-class, larger β
    (BENZENE, "W5.4", "1"),        # same class, no larger β: its own stays
    (BENZENE, "J1", "1"),          # a class benzene does not have: its own category wins
    (BENZENE, "W1.2", "1"),
    (ETHER, "W5.3", "1.5"),        # a typed category never lowers β below the substance's own
    (HYDROGEN, "W5.1", "1.5"),
])
def test_a_typed_category_only_raises_beta_within_the_substances_own_hazard_class(cas, category, beta):
    [item] = assess(chem(cas, 50, category=category)).items
    assert item.beta == Decimal(beta)


def test_the_threshold_of_a_named_substance_is_always_table_1s():
    # Benzene typed as W5.1 (table 2 would say 10 t) keeps table 1's 50 t.
    [item] = assess(chem(BENZENE, 50, category="W5.1")).items
    assert item.threshold_q == Decimal("50")


def test_explosive_takes_beta_two():
    # TNT: Q = 5 t, W1.1 → β = 2. 10 t with 50–99 residents (α 1.5): S = 2; R = 1.5 × 2 × 2 = 6 → 四级.
    a = assess(chem(TNT, 10), population=60)
    [item] = a.items
    assert (item.threshold_q, item.beta, item.categories) == (Decimal("5"), Decimal("2"), ("W1.1",))
    assert (a.s, a.r, a.grade) == (Decimal("2.0000"), Decimal("6.0000"), "4")


def test_one_cas_for_several_rows_takes_the_row_given_or_else_the_smallest_threshold():
    # Nitrocellulose 9004-70-0 is rows 37–42. Without a row: row 37 (Q 1 t, explosive, β 2).
    [default] = assess(chem(NITROCELLULOSE, 2)).items
    assert (default.row, default.threshold_q, default.beta) == (37, Decimal("1"), Decimal("2"))
    # Row 42, the solution: Q 50 t, W5.3, β 1.
    [solution] = assess(chem(NITROCELLULOSE, 2, row=42)).items
    assert (solution.row, solution.threshold_q, solution.beta) == (42, Decimal("50"), Decimal("1"))
    # Ammonium nitrate 6484-52-2: rows 43 (Q 5), 44 (Q 50) and 45 (the fertiliser, Q 200, which prints no CAS).
    assert [assess(chem(AMMONIUM_NITRATE, 10, row=r)).items[0].threshold_q for r in (None, 43, 44, 45)] == \
        [Decimal("5"), Decimal("5"), Decimal("50"), Decimal("200")]


def test_a_cas_may_appear_once_per_table_1_row():
    a = assess(chem(NITROCELLULOSE, 1, row=37), chem(NITROCELLULOSE, 25, row=42))   # 1/1 + 25/50
    assert a.s == Decimal("1.5000")
    assert problems(chem(NITROCELLULOSE, 1), chem(NITROCELLULOSE, 1, row=37)) == [("chemicals[1].cas", "cas.duplicate")]


def test_unlisted_substance_takes_q_from_table_2_and_beta_from_table_4():
    # Isobutane is not named in table 1: as W2, Q = 10 t (table 2), β = 1.5 (table 4).
    # 15 t with 30–49 residents (α 1.2): S = 1.5; R = 1.2 × 1.5 × 1.5 = 2.7 → 四级.
    a = assess({"cas": ISOBUTANE, "name": "异丁烷", "max_quantity_t": 15, "category": "W2"}, population=40)
    [item] = a.items
    assert (item.name_zh, item.row, item.threshold_q, item.beta) == ("异丁烷", None, Decimal("10"), Decimal("1.5"))
    assert (a.s, a.r, a.grade) == (Decimal("1.5000"), Decimal("2.7000"), "4")


def test_unlisted_substance_with_several_hazards_takes_the_smallest_q_and_the_largest_beta():
    # Diborane as a flammable gas (W2: Q 10, β 1.5) and acutely toxic category 1 gas (J1: Q 5, β 4):
    # Q = 5 (4.1.2 b), β = 4. 10 t, α 1: S = 2; R = 4 × 2 = 8 → 四级.
    a = assess(chem(DIBORANE, 10, category="W2, J1"))
    [item] = a.items
    assert (item.threshold_q, item.beta, item.categories) == (Decimal("5"), Decimal("4"), ("W2", "J1"))
    assert (a.s, a.r, a.grade) == (Decimal("2.0000"), Decimal("8.0000"), "4")


@pytest.mark.parametrize("typed", ["W5.1,J4", "w5.1，j4", "W5.1、J4", "W5.1; J4", " W5.1  J4 ", ["W5.1", "J4"]])
def test_several_categories_may_be_typed_in_one_field(typed):
    [item] = assess(chem(ISOBUTANE, 10, category=typed)).items
    assert (item.categories, item.threshold_q, item.beta) == (("W5.1", "J4"), Decimal("10"), Decimal("2"))


@pytest.mark.parametrize("category, q, beta", [
    ("J1", "5", "4"), ("J2", "50", "1"), ("J3", "50", "2"), ("J4", "50", "2"), ("J5", "500", "1"),
    ("W1.1", "1", "2"), ("W1.2", "10", "2"), ("W1.3", "50", "2"), ("W2", "10", "1.5"), ("W3", "150", "1"), ("W4", "50", "1"),
    ("W5.1", "10", "1.5"), ("W5.2", "50", "1"), ("W5.3", "1000", "1"), ("W5.4", "5000", "1"), ("W6.1", "10", "1.5"),
    ("W6.2", "50", "1"), ("W7.1", "10", "1.5"), ("W7.2", "50", "1"), ("W8", "50", "1"), ("W9.1", "50", "1"), ("W9.2", "200", "1"),
    ("W10", "200", "1"), ("W11", "200", "1"),
])
def test_each_table_2_category(category, q, beta):
    [item] = assess(chem(ISOBUTANE, 1, category=category)).items
    assert (item.threshold_q, item.beta) == (Decimal(q), Decimal(beta))


def test_worked_example_mixed_unit():
    # 30 t ammonia (β 2), 20 t benzene as W5.1 (β 1.5), 100 residents (α 2):
    # S = 3 + 0.4 = 3.4; R = 2 × (2×3 + 1.5×0.4) = 13.2 → 三级
    a = assess(chem(AMMONIA, 30), chem(BENZENE, 20, "W5.1"), population=100)
    assert (a.s, a.r, a.is_major, a.grade) == (Decimal("3.4000"), Decimal("13.2000"), True, "3")


def test_mixed_unit_of_every_row_class():
    # 10 t hydrogen (Q 5, β 1.5), 10 t chlorine (Q 5, β 4), 100 t benzene (Q 50, β 1), 20 t isobutane as W2 (Q 10, β 1.5),
    # 100 residents (α 2):  S = 2 + 2 + 2 + 2 = 8;  R = 2 × (1.5×2 + 4×2 + 1×2 + 1.5×2) = 2 × 16 = 32 → 三级
    a = assess(chem(HYDROGEN, 10), chem(CHLORINE, 10), chem(BENZENE, 100), chem(ISOBUTANE, 20, "W2"), population=100)
    assert (a.s, a.r, a.grade) == (Decimal("8.0000"), Decimal("32.0000"), "3")


def test_mixed_unit_reaching_grade_one():
    # 50 t chlorine (Q 5, β 4) and 60 t ammonia (Q 10, β 2), 100 residents (α 2):
    # S = 10 + 6 = 16;  R = 2 × (4×10 + 2×6) = 104 → 一级
    a = assess(chem(CHLORINE, 50), chem(AMMONIA, 60), population=100)
    assert (a.s, a.r, a.grade, a.grade_zh) == (Decimal("16.0000"), Decimal("104.0000"), "1", "一级")


def test_mixed_unit_grade_depends_on_the_named_categories():
    # 20 t LPG (Q 50, W2 β 1.5) and 2 t acetylene (Q 1, W2 β 1.5), 100 residents (α 2):
    # S = 0.4 + 2 = 2.4;  R = 2 × 1.5 × 2.4 = 7.2 → 四级.  (With the old default β = 1, R was 4.8.)
    a = assess(chem(LPG, 20), chem(ACETYLENE, 2), population=100)
    assert (a.s, a.r, a.grade) == (Decimal("2.4000"), Decimal("7.2000"), "4")
    # 200 t LPG and 20 t acetylene: S = 4 + 20 = 24; R = 2 × 1.5 × 24 = 72 → 二级 (it was 48, 三级, with β = 1).
    a = assess(chem(LPG, 200), chem(ACETYLENE, 20), population=100)
    assert (a.s, a.r, a.grade) == (Decimal("24.0000"), Decimal("72.0000"), "2")


# --- refusals -------------------------------------------------------------------------------------

def test_unknown_cas_is_a_violation_on_that_entry():
    assert problems(chem(AMMONIA, 1), chem("7732-18-5", 1)) == [("chemicals[1].cas", "cas.unknown")]


def test_malformed_cas_is_a_violation_on_that_entry():
    assert problems(chem("7664-41-1", 1)) == [("chemicals[0].cas", "cas.check_digit")]
    assert problems({"max_quantity_t": 1}) == [("chemicals[0].cas", "cas.format")]


def test_substance_whose_threshold_is_not_entered_yet_is_refused():
    # Every row of the shipped table has its Q; a later table version might carry a row without one.
    table = KW["substances"]
    body = {"substances": {**table.body["substances"], CO: {**table.body["substances"][CO], "threshold_t": None}}}
    kw = dict(KW, substances=replace(table, body=body))
    with pytest.raises(InvalidArgument) as e:
        rules.assess(chemicals=[chem(CO, 1)], population_500m=1, **kw)
    assert [(v.field, v.code) for v in e.value.violations] == [("chemicals[0].cas", "cas.threshold_missing")]


def test_unknown_cas_without_a_category_asks_for_the_category():
    with pytest.raises(InvalidArgument) as e:
        assess(chem(ISOBUTANE, 20))
    [v] = e.value.violations
    assert (v.field, v.code) == ("chemicals[0].cas", "cas.unknown")
    assert "危险性类别" in v.message_zh and "表2" in v.message_zh and "category" in v.message_en


def test_unknown_category_for_an_unlisted_substance_is_refused_on_the_category():
    assert problems(chem(ISOBUTANE, 20, "W2, X9")) == [("chemicals[0].category", "category.unknown")]
    assert problems(chem(ISOBUTANE, 20, "toxic_gas_other")) == [("chemicals[0].category", "category.unknown")]


@pytest.mark.parametrize("cas, row, code", [
    (NITROCELLULOSE, 43, "table1_row.unknown"),     # 43 is ammonium nitrate
    (BENZENE, 56, "table1_row.unknown"),            # benzene is row 57
    (ISOBUTANE, 1, "table1_row.unknown"),           # not in table 1 at all (given with a category)
    (NITROCELLULOSE, "abc", "table1_row.invalid"),
    (NITROCELLULOSE, True, "table1_row.invalid"),
])
def test_a_table_1_row_that_is_not_the_substances_is_refused(cas, row, code):
    assert problems(chem(cas, 1, "W2" if cas == ISOBUTANE else None, row=row)) == [("chemicals[0].table1_row", code)]


def test_the_right_table_1_row_may_be_given_for_any_substance():
    assert assess(chem(BENZENE, 50, row=57)).items[0].row == 57
    assert assess(chem(NITROCELLULOSE, 10, row="39")).items[0].threshold_q == Decimal("10")


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


# --- the substance dictionary forms and the API list --------------------------------------------

def test_the_substance_dictionary_is_table_1_with_the_beta_the_grading_uses():
    entries = rules.substance_entries(KW["substances"], KW["beta_categories"])
    by_cas = {e["code"]: e for e in entries}
    assert len(entries) == len(KW["substances"].body["substances"]) == 78
    assert [e["row"] for e in entries] == sorted(e["row"] for e in entries), "in the standard's order"
    hydrogen = by_cas["1333-74-0"]
    assert (hydrogen["name"], hydrogen["threshold_t"], hydrogen["categories"], hydrogen["beta"]) == ("氢", Decimal("5"), ["W2"], Decimal("1.5"))
    assert by_cas["7783-06-4"]["beta"] == Decimal("5") and by_cas["7783-06-4"]["threshold_t"] == Decimal("5")  # H₂S, table 3
    nitrocellulose = by_cas["9004-70-0"]
    assert [r["row"] for r in nitrocellulose["rows"]] == [37, 38, 39, 40, 41, 42]
    assert nitrocellulose["threshold_t"] == min(r["threshold_t"] for r in nitrocellulose["rows"])
    for e in entries:  # what the dictionary says is what assess() uses for that CAS alone
        [item] = rules.assess(chemicals=[{"cas": e["code"], "max_quantity_t": 1}], population_500m=1, **KW).items
        assert (item.threshold_q, item.beta) == (e["threshold_t"], e["beta"]), e["code"]
