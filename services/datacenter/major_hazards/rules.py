"""Hazardous-chemical major hazard sources (危险化学品重大危险源): identification and grading per
GB 18218-2018, filing and reassessment dates, CAS numbers. Pure functions.

Thresholds Q, correction factors β and α and the grade bands come from the rule tables
`gb18218_substances`, `gb18218_beta_categories`, `gb18218_alpha` and `gb18218_grades`;
the filing and reassessment periods from `major_hazard_deadlines`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Mapping, Sequence

from services.datacenter.ruletables import RuleTable, add_months, band_for, decimal
from services.kit.errors import FieldViolation, invalid

GRADES = (("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级"))
RESPONSIBLE_ROLES = (("principal", "主要负责人"), ("technical", "技术负责人"), ("operation", "操作负责人"))
_GRADE_ZH = dict(GRADES)
_PLACES = Decimal("0.0001")

# --- CAS registry numbers -------------------------------------------------------------------------

# 2-7 digits, 2 digits, 1 check digit; registry numbers never start with 0.
CAS_FORMAT = re.compile(r"^[1-9][0-9]{1,6}-[0-9]{2}-[0-9]$")  # ASCII only: \d also matches fullwidth digits


def cas_check_digit(digits: str) -> str:
    """The check digit for the digits before it: the i-th digit from the right weighs i, mod 10."""
    return str(sum(i * int(c) for i, c in enumerate(reversed(digits), start=1)) % 10)


def cas_problem(cas: str) -> str | None:
    """None when valid, else 'format' or 'check_digit'. 7732-18-5 (water) is valid."""
    if not CAS_FORMAT.match(cas):
        return "format"
    digits = cas.replace("-", "")
    if cas_check_digit(digits[:-1]) != digits[-1]:
        return "check_digit"
    return None


_CAS_MESSAGES = {
    "format": ("CAS号格式应为“2至7位数字-2位数字-1位校验位”，如 7664-41-7", "A CAS number looks like 7664-41-7: 2-7 digits, 2 digits, a check digit"),
    "check_digit": ("CAS号校验位错误", "The CAS number's check digit is wrong"),
}


def cas_violations(cas: str, *, field: str = "cas") -> list[FieldViolation]:
    if problem := cas_problem(cas):
        zh, en = _CAS_MESSAGES[problem]
        return [FieldViolation(field, f"cas.{problem}", zh, en)]
    return []


# --- identification and grading (GB 18218-2018 §4) ------------------------------------------------

@dataclass(frozen=True)
class Item:
    cas: str
    name_zh: str
    q: Decimal            # maximum quantity present, t
    threshold_q: Decimal  # Q, t
    beta: Decimal
    ratio: Decimal        # q/Q, rounded down to 4 decimals for display


@dataclass(frozen=True)
class Assessment:
    s: Decimal            # Σ q/Q
    r: Decimal            # α · Σ β·q/Q
    is_major: bool
    grade: str | None     # "1".."4", only for a major hazard source
    grade_zh: str | None
    alpha: Decimal
    items: tuple[Item, ...]


def _truncate(x: Decimal) -> Decimal:
    # Rounded DOWN, so a displayed S or R never reaches a band edge (1, 10, 50, 100) the exact
    # value does not: is_major and the grade are decided on the exact sums and always agree.
    return x.quantize(_PLACES, rounding=ROUND_DOWN)


def _beta(entry: Mapping, category: str | None, beta_categories: RuleTable) -> Decimal:
    """Named toxic gases carry their own β (table 3); otherwise the hazard category's (table 4); else 1."""
    if entry.get("beta") is not None:
        return decimal(entry["beta"])
    if category is not None:
        return decimal(beta_categories.body["categories"][category]["beta"])
    return decimal(beta_categories.body["default_beta"])


def assess(*, chemicals: Sequence[Mapping], population_500m: int, substances: RuleTable,
           beta_categories: RuleTable, alpha: RuleTable, grades: RuleTable) -> Assessment:
    """Identify and grade one unit from the chemicals it holds: [{cas, max_quantity_t, category=None}].
    Raises InvalidArgument listing every bad entry (field `chemicals[i].cas` etc.)."""
    known = substances.body["substances"]
    categories = beta_categories.body["categories"]
    problems: list[FieldViolation] = []
    if not chemicals:
        problems.append(FieldViolation("chemicals", "chemicals.required", "至少填写一种危险化学品", "List at least one hazardous chemical"))
    if isinstance(population_500m, bool) or not isinstance(population_500m, int) or population_500m < 0:
        problems.append(FieldViolation("population_500m", "population_500m.invalid", "500米范围内常住人口应为非负整数",
                                       "The resident population within 500 m must be a non-negative integer"))
    seen: set[str] = set()
    rows = []
    for i, chem in enumerate(chemicals):
        at = f"chemicals[{i}]"
        cas = str(chem.get("cas") or "").strip()
        entry = None
        if bad := cas_violations(cas, field=f"{at}.cas"):
            problems += bad
        elif cas in seen:
            # The same substance twice in one unit is a data-entry slip; q is the unit's total.
            problems.append(FieldViolation(f"{at}.cas", "cas.duplicate", f"CAS号 {cas} 重复，请合并为一条（填写该单元内的最大总量）",
                                           f"CAS {cas} is listed twice; give the unit's total in one entry"))
        elif cas not in known:
            problems.append(FieldViolation(f"{at}.cas", "cas.unknown", f"CAS号 {cas} 不在GB 18218临界量表中",
                                           f"CAS {cas} is not in the GB 18218 threshold table"))
        elif known[cas].get("threshold_t") is None:
            problems.append(FieldViolation(f"{at}.cas", "cas.threshold_missing", f"{known[cas]['name_zh']}（{cas}）的临界量尚未录入规则表",
                                           f"The threshold quantity of CAS {cas} has not been entered in the rule table"))
        else:
            entry = known[cas]
        seen.add(cas)

        try:
            q = decimal(chem.get("max_quantity_t"))
        except (TypeError, ValueError):
            q = None
        if q is None or q <= 0:
            problems.append(FieldViolation(f"{at}.max_quantity_t", "max_quantity_t.invalid", "最大储存（在线）量应为大于0的吨数",
                                           "The maximum quantity must be a positive number of tonnes"))
        category = chem.get("category")
        if category is not None and category not in categories:
            problems.append(FieldViolation(f"{at}.category", "category.unknown", f"危险性类别“{category}”不在校正系数表中",
                                           f"Hazard category {category!r} is not in the correction-factor table"))
        rows.append((cas, entry, q, category))
    if problems:
        raise invalid(*problems)

    items, s, weighted = [], Decimal(0), Decimal(0)
    for cas, entry, q, category in rows:
        threshold = decimal(entry["threshold_t"])
        beta = _beta(entry, category, beta_categories)
        ratio = q / threshold
        s += ratio
        weighted += beta * ratio
        items.append(Item(cas, entry["name_zh"], q, threshold, beta, _truncate(ratio)))
    a = decimal(band_for(alpha.body["bands"], population_500m)["alpha"])
    r = a * weighted
    is_major = s >= 1
    g = band_for(grades.body["bands"], r)["grade"] if is_major else None
    return Assessment(s=_truncate(s), r=_truncate(r), is_major=is_major, grade=g,
                      grade_zh=_GRADE_ZH.get(g), alpha=a, items=tuple(items))


# --- filing and reassessment ----------------------------------------------------------------------

def filing_due(assessed_on: date, table: RuleTable) -> date:
    """Last day to file (备案) after the assessment report: the report's day is not counted."""
    return assessed_on + timedelta(days=table.body["filing_days"])


def reassessment_due(assessed_on: date, table: RuleTable) -> date:
    """The next safety assessment is due on the same day `reassessment_years` later."""
    return add_months(assessed_on, 12 * table.body["reassessment_years"])
