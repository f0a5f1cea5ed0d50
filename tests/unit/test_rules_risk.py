"""services.datacenter.enterprises.risk: LEC, the 5×5 matrix, diagnosis colours, standardization."""
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from itertools import product

import pytest

from services.datacenter.enterprises import risk
from services.datacenter.ruletables import band_for, effective, load_defaults
from services.kit.errors import InvalidArgument

CJK = re.compile(r"[\u4e00-\u9fff]")
TABLES = load_defaults()
AT = date(2026, 1, 1)
LEC, MATRIX, DIAG, STD = (effective(TABLES, n, AT) for n in ("lec", "risk_matrix", "chemical_diagnosis", "standardization"))

L_VALUES = ("10", "6", "3", "1", "0.5", "0.2", "0.1")
E_VALUES = ("10", "6", "3", "2", "1", "0.5")
C_VALUES = ("100", "40", "15", "7", "3", "1")


def refused(fn, *args):
    with pytest.raises(InvalidArgument) as e:
        fn(*args)
    for v in e.value.violations:
        assert CJK.search(v.message_zh) and v.message_en and not CJK.search(v.message_en), v
    return [(v.field, v.code) for v in e.value.violations]


def test_option_lists():
    assert risk.COLOURS == (("red", "重大风险/红"), ("orange", "较大风险/橙"), ("yellow", "一般风险/黄"), ("blue", "低风险/蓝"))
    assert risk.STANDARDIZATION_GRADES == (("1", "一级"), ("2", "二级"), ("3", "三级"))


# --- LEC ------------------------------------------------------------------------------------------

def published_lec_colour(d: Decimal) -> str:
    """RULES.md §4: D ≥ 320 red, 160–<320 orange, 70–<160 yellow, < 70 blue."""
    return "red" if d >= 320 else "orange" if d >= 160 else "yellow" if d >= 70 else "blue"


@pytest.mark.parametrize("l, e, c", list(product(L_VALUES, E_VALUES, C_VALUES)))
def test_every_allowed_lec_combination(l, e, c):
    d, colour = risk.lec(l, e, c, LEC)
    assert d == Decimal(l) * Decimal(e) * Decimal(c)
    assert colour == published_lec_colour(d)


@pytest.mark.parametrize("d, colour", [
    ("0", "blue"), ("69.99", "blue"), ("70", "yellow"), ("159.99", "yellow"), ("160", "orange"),
    ("319.99", "orange"), ("320", "red"), ("10000", "red"),
])
def test_lec_band_edges(d, colour):
    # 160 and 320 are not products of the fixed scales, so the edges are checked on the table itself.
    assert band_for(LEC.body["bands"], d)["colour"] == colour


@pytest.mark.parametrize("l, e, c, d, colour", [
    ("10", "1", "7", "70", "yellow"),       # exactly on the 70 edge
    ("3", "3", "7", "63", "blue"),
    ("10", "1", "15", "150", "yellow"),
    ("10", "6", "3", "180", "orange"),
    ("10", "10", "3", "300", "orange"),
    ("3", "3", "40", "360", "red"),
])
def test_lec_values_near_the_edges(l, e, c, d, colour):
    assert risk.lec(l, e, c, LEC) == (Decimal(d), colour)


def test_lec_accepts_numbers_and_equivalent_decimals():
    assert risk.lec(0.5, 6, 40, LEC) == (Decimal("120.0"), "yellow")
    assert risk.lec("0.50", "6.0", Decimal("40"), LEC)[1] == "yellow"


def test_lec_refuses_values_off_the_scales_all_at_once():
    assert refused(risk.lec, 5, 4, 50, LEC) == [("l", "l.not_allowed"), ("e", "e.not_allowed"), ("c", "c.not_allowed")]
    assert refused(risk.lec, "abc", 6, 40, LEC) == [("l", "l.not_allowed")]
    assert refused(risk.lec, True, 6, 40, LEC) == [("l", "l.not_allowed")]


def test_lec_message_lists_the_allowed_values():
    with pytest.raises(InvalidArgument) as e:
        risk.lec(10, 6, 50, LEC)
    assert "100、40、15、7、3、1" in e.value.violations[0].message_zh


def test_a_province_may_move_the_red_edge_in_a_newer_table():
    body = {**LEC.body, "bands": [{"from": None, "to": "70", "colour": "blue"}, {"from": "70", "to": "160", "colour": "yellow"},
                                  {"from": "160", "to": "300", "colour": "orange"}, {"from": "300", "to": None, "colour": "red"}]}
    tables = TABLES + (replace(LEC, effective_from=date(2027, 1, 1), body=body, source="某省风险分级管控办法（测试）"),)
    assert risk.lec(10, 10, 3, effective(tables, "lec", date(2026, 12, 31)))[1] == "orange"
    assert risk.lec(10, 10, 3, effective(tables, "lec", date(2027, 1, 1)))[1] == "red"


# --- risk matrix ----------------------------------------------------------------------------------

def published_matrix_colour(r: int) -> str:
    """RULES.md §4: 20–25 red, 9–16 orange, 4–8 yellow, 1–3 blue."""
    return "red" if r >= 20 else "orange" if r >= 9 else "yellow" if r >= 4 else "blue"


@pytest.mark.parametrize("l, s", list(product(range(1, 6), range(1, 6))))
def test_every_matrix_cell(l, s):
    assert risk.matrix(l, s, MATRIX) == (l * s, published_matrix_colour(l * s))


@pytest.mark.parametrize("l, s, r, colour", [
    (1, 3, 3, "blue"), (2, 2, 4, "yellow"), (2, 4, 8, "yellow"), (3, 3, 9, "orange"), (4, 4, 16, "orange"), (4, 5, 20, "red"), (5, 5, 25, "red"),
])
def test_matrix_edges(l, s, r, colour):
    assert risk.matrix(l, s, MATRIX) == (r, colour)


def test_matrix_refuses_values_off_the_scale():
    assert refused(risk.matrix, 0, 6, MATRIX) == [("l", "l.not_allowed"), ("s", "s.not_allowed")]
    assert refused(risk.matrix, 2.5, 1, MATRIX) == [("l", "l.not_allowed")]


# --- hazardous-chemical diagnosis score -----------------------------------------------------------

@pytest.mark.parametrize("score, colour", [
    (0, "red"), ("59.99", "red"), (60, "orange"), ("74.99", "orange"), (75, "yellow"), ("89.99", "yellow"), (90, "blue"), (100, "blue"),
])
def test_diagnosis_colour_edges(score, colour):
    assert risk.diagnosis_colour(score, DIAG) == colour


@pytest.mark.parametrize("score", [-1, "-0.01", "100.01", 101, "abc", None, True])
def test_diagnosis_score_out_of_range(score):
    assert refused(risk.diagnosis_colour, score, DIAG) == [("score", "score.out_of_range")]


# --- standardization ------------------------------------------------------------------------------

@pytest.mark.parametrize("score, grade", [
    (0, None), ("59.99", None), (60, "3"), ("74.99", "3"), (75, "2"), ("89.99", "2"), (90, "1"), (100, "1"),
])
def test_standardization_grade_edges(score, grade):
    assert risk.standardization_grade(score, STD) == grade


@pytest.mark.parametrize("score", [-0.5, 100.5, "x"])
def test_standardization_score_out_of_range(score):
    assert refused(risk.standardization_grade, score, STD) == [("score", "score.out_of_range")]


def test_standardization_certificate_dates():
    until = risk.standardization_valid_until(date(2026, 4, 1), STD)
    assert until == date(2029, 3, 31)
    assert risk.standardization_renewal_opens(until, STD) == date(2028, 12, 31)
