"""Enterprise risk grading (风险分级管控) and safety standardization grades. Pure functions.

Four colours for four levels. The colour bands and allowed scale values live in the rule tables
`lec` (D = L × E × C), `risk_matrix` (R = L × S), `chemical_diagnosis` (100-point score) and
`standardization` (100-point score → 一级/二级/三级, certificate validity).
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from services.datacenter.ruletables import RuleTable, add_months, band_for, decimal
from services.kit.errors import FieldViolation, invalid

COLOURS = (("red", "重大风险/红"), ("orange", "较大风险/橙"), ("yellow", "一般风险/黄"), ("blue", "低风险/蓝"))
STANDARDIZATION_GRADES = (("1", "一级"), ("2", "二级"), ("3", "三级"))

_FACTOR_ZH = {"l": "事故发生的可能性L", "e": "暴露于危险环境的频繁程度E", "c": "事故后果C", "s": "后果严重程度S"}


def _scale_value(name: str, value, allowed) -> tuple[Decimal | None, list[FieldViolation]]:
    """The value as a Decimal if it is one of `allowed` (compared numerically: 0.5 == "0.50")."""
    try:
        d = decimal(value)
    except (TypeError, ValueError):
        d = None
    options = [decimal(a) for a in allowed]
    if d is None or d not in options:
        shown = "、".join(str(a) for a in allowed)
        return None, [FieldViolation(name, f"{name}.not_allowed", f"{_FACTOR_ZH[name]}只能取 {shown}",
                                     f"{name.upper()} must be one of {', '.join(str(a) for a in allowed)}")]
    return d, []


def lec(l, e, c, table: RuleTable) -> tuple[Decimal, str]:
    """(D, colour) for the 作业条件危险性评价法: D = L × E × C, each from its fixed scale."""
    body = table.body
    values, problems = [], []
    for name, value in (("l", l), ("e", e), ("c", c)):
        d, bad = _scale_value(name, value, body[name.upper()])
        values.append(d)
        problems += bad
    if problems:
        raise invalid(*problems)
    d = values[0] * values[1] * values[2]
    return d, band_for(body["bands"], d)["colour"]


def matrix(l, s, table: RuleTable) -> tuple[int, str]:
    """(R, colour) for the 5×5 risk matrix: R = L × S."""
    body = table.body
    lv, bad_l = _scale_value("l", l, body["L"])
    sv, bad_s = _scale_value("s", s, body["S"])
    if bad_l or bad_s:
        raise invalid(*bad_l, *bad_s)
    r = int(lv * sv)
    return r, band_for(body["bands"], r)["colour"]


def _score(score, body) -> Decimal:
    lo, hi = decimal(body["min_score"]), decimal(body["max_score"])
    try:
        value = decimal(score)
    except (TypeError, ValueError):
        value = None
    if value is None or not lo <= value <= hi:
        raise invalid(FieldViolation("score", "score.out_of_range", f"得分应在{lo}至{hi}之间", f"The score must be between {lo} and {hi}"))
    return value


def diagnosis_colour(score, table: RuleTable) -> str:
    """Colour of a hazardous-chemical enterprise's diagnosis score: the lower, the redder."""
    return band_for(table.body["bands"], _score(score, table.body))["colour"]


def standardization_grade(score, table: RuleTable) -> str | None:
    """"1"/"2"/"3" (一级/二级/三级) for a 100-point review score; None below the lowest grade."""
    return band_for(table.body["bands"], _score(score, table.body))["grade"]


def standardization_valid_until(issued_on: date, table: RuleTable) -> date:
    """Last valid day of a standardization certificate issued on `issued_on`."""
    return add_months(issued_on, table.body["validity_months"]) - timedelta(days=1)


def standardization_renewal_opens(valid_until: date, table: RuleTable) -> date:
    """First day to apply for renewal: `renewal_opens_months_before` the certificate expires."""
    return add_months(valid_until, -table.body["renewal_opens_months_before"])
