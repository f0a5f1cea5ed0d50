"""Hazardous-chemical major hazard sources (危险化学品重大危险源): identification and grading per
GB 18218-2018, filing and reassessment dates, CAS numbers. Pure functions.

Thresholds Q, correction factors β and α and the grade bands come from the rule tables
`gb18218_substances` (table 1 with each row's hazard categories, and table 3),
`gb18218_category_thresholds` (table 2), `gb18218_beta_categories` (table 4), `gb18218_alpha`
(table 5) and `gb18218_grades` (table 6); the filing and reassessment periods from
`major_hazard_deadlines`.
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
    row: int | None = None                 # 表1序号; None when Q came from table 2
    categories: tuple[str, ...] = ()       # hazard categories: the row's own (plus a typed one that raised β), or those given


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


_SEPARATORS = re.compile(r"[\s,，、;；/]+")


def categories_of(raw) -> list[str]:
    """The hazard categories a chemical entry gives: a list, or one string with several codes
    separated by commas, 、, semicolons or spaces ("W5.1, J4"). Upper-cased, de-duplicated, in order."""
    if raw is None:
        return []
    parts = raw if isinstance(raw, (list, tuple)) else _SEPARATORS.split(str(raw))
    out: list[str] = []
    for part in parts:
        code = str(part).strip().upper()
        if code and code not in out:
            out.append(code)
    return out


def _hazard_class(code: str) -> str:
    """W5.1 → W5, W1.3 → W1, W2 → W2; every J code → J (acute toxicity)."""
    return "J" if code.startswith("J") else code.split(".")[0]


def cas_index(substances: RuleTable) -> dict[str, str]:
    """Every CAS number that names a table 1 substance (its key and its `also_cas`) → its key."""
    index: dict[str, str] = {}
    for key, entry in substances.body["substances"].items():
        index[key] = key
        for other in entry.get("also_cas", ()):
            index[other] = key
    return index


def _category_beta(code: str, beta_categories: RuleTable) -> Decimal:
    return decimal(beta_categories.body["categories"][code]["beta"])


def _own_beta(entry: Mapping, beta_categories: RuleTable) -> Decimal:
    """β of a table 1 row: its table 3 β, else the largest table 4 β of its categories, else 1."""
    if entry.get("beta") is not None:
        return decimal(entry["beta"])
    return max((_category_beta(c, beta_categories) for c in entry.get("categories") or ()),
               default=decimal(beta_categories.body["default_beta"]))


def _named_beta(entry: Mapping, given: Sequence[str], beta_categories: RuleTable) -> tuple[Decimal, tuple[str, ...]]:
    """β of a table 1 substance, and the categories it came from.

    Table 3 first. Otherwise the substance's own categories (the table carries them) decide, and a
    category the user typed counts only if it is another sub-class of one of those hazard classes
    (W5.1 for a category-2 liquid worked above its boiling point) and gives a larger β: what the
    user types can raise β to what the process conditions call for, never lower it below the
    substance's own, and a category from an unrelated class is ignored."""
    own = tuple(entry.get("categories") or ())
    if entry.get("beta") is not None:
        return decimal(entry["beta"]), own
    beta, used = _own_beta(entry, beta_categories), own
    classes = {_hazard_class(c) for c in own}
    for code in given:
        if _hazard_class(code) in classes and _category_beta(code, beta_categories) > beta:
            beta, used = _category_beta(code, beta_categories), tuple(dict.fromkeys((*own, code)))
    return beta, used


def _table1_row(entry: Mapping, row: int | None, beta_categories: RuleTable) -> tuple[int, Mapping] | None:
    """The table 1 row a CAS names. One CAS for several rows (nitrocellulose 37–42, ammonium nitrate
    43–45): the row given, or when none is, the row with the smallest Q (then the larger β, then the
    lower number), so that the CAS alone never understates the hazard. None when `row` is not one of its rows."""
    if "rows" not in entry:
        return (entry["row"], entry) if row in (None, entry["row"]) else None
    rows = {int(n): e for n, e in entry["rows"].items()}
    if row is not None:
        return (row, rows[row]) if row in rows else None

    def order(item):
        n, e = item
        q = Decimal("Infinity") if e.get("threshold_t") is None else decimal(e["threshold_t"])
        return q, -_own_beta(e, beta_categories), n
    return min(rows.items(), key=order)


def _row_number(value) -> int | None | bool:
    """表1序号 as given: None when absent, False when not a whole number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else False


def assess(*, chemicals: Sequence[Mapping], population_500m: int, substances: RuleTable,
           beta_categories: RuleTable, alpha: RuleTable, grades: RuleTable,
           category_thresholds: RuleTable) -> Assessment:
    """Identify and grade one unit from the chemicals it holds:
    [{cas, max_quantity_t, category=None, table1_row=None}].

    Q: table 1 for a substance it names (by CAS, `substances`); otherwise table 2 by the hazard
    categories given (`category_thresholds`), the smallest Q when there are several (4.1.2 b).
    β: table 3 for a named toxic gas; otherwise table 4 (`beta_categories`) by the substance's own
    categories, the largest β when there are several (see `_named_beta` for what a typed category
    may change); for an unnamed substance by the categories given, likewise the largest.
    Raises InvalidArgument listing every bad entry (field `chemicals[i].cas` etc.)."""
    known = substances.body["substances"]
    index = cas_index(substances)
    thresholds = category_thresholds.body["categories"]
    codes = set(thresholds) & set(beta_categories.body["categories"])
    problems: list[FieldViolation] = []
    if not chemicals:
        problems.append(FieldViolation("chemicals", "chemicals.required", "至少填写一种危险化学品", "List at least one hazardous chemical"))
    if isinstance(population_500m, bool) or not isinstance(population_500m, int) or population_500m < 0:
        problems.append(FieldViolation("population_500m", "population_500m.invalid", "500米范围内常住人口应为非负整数",
                                       "The resident population within 500 m must be a non-negative integer"))
    seen: set[tuple[str, int | None]] = set()
    rows = []
    for i, chem in enumerate(chemicals):
        at = f"chemicals[{i}]"
        cas = str(chem.get("cas") or "").strip()
        given = categories_of(chem.get("category"))
        unknown = [c for c in given if c not in codes]
        row = _row_number(chem.get("table1_row"))
        entry = found = None
        if cas in index:
            found = _table1_row(known[index[cas]], None if row is False else row, beta_categories)
        identity = (cas, found[0] if found else None)
        if bad := cas_violations(cas, field=f"{at}.cas"):
            problems += bad
        elif identity in seen:
            # The same substance twice in one unit is a data-entry slip; q is the unit's total.
            # (One CAS may appear once per table 1 row it names: nitrocellulose dry and in solution.)
            problems.append(FieldViolation(f"{at}.cas", "cas.duplicate", f"CAS号 {cas} 重复，请合并为一条（填写该单元内的最大总量）",
                                           f"CAS {cas} is listed twice; give the unit's total in one entry"))
        elif cas not in index:
            if not given:
                problems.append(FieldViolation(
                    f"{at}.cas", "cas.unknown",
                    f"CAS号 {cas} 不在GB 18218表1中；未列名的危险化学品请填写危险性类别（如 W2、W5.1、J1，可填多个），按表2确定临界量",
                    f"CAS {cas} is not in GB 18218 table 1; for a substance not named there give its hazard category "
                    f"(e.g. W2, W5.1, J1; several allowed) and its threshold comes from table 2"))
            elif row not in (None, False):
                problems.append(FieldViolation(f"{at}.table1_row", "table1_row.unknown", f"CAS号 {cas} 不在GB 18218表1中，不能填写表1序号",
                                               f"CAS {cas} is not in GB 18218 table 1, so it has no table 1 row"))
        elif row is not False and found is None:
            problems.append(FieldViolation(f"{at}.table1_row", "table1_row.unknown",
                                           f"GB 18218表1第{row}项不是CAS号 {cas} 的物质",
                                           f"Row {row} of GB 18218 table 1 is not the substance with CAS {cas}"))
        elif found is not None and found[1].get("threshold_t") is None:
            problems.append(FieldViolation(f"{at}.cas", "cas.threshold_missing", f"{found[1]['name_zh']}（{cas}）的临界量尚未录入规则表",
                                           f"The threshold quantity of CAS {cas} has not been entered in the rule table"))
        else:
            entry = found
        seen.add(identity)

        try:
            q = decimal(chem.get("max_quantity_t"))
        except (TypeError, ValueError):
            q = None
        if q is None or q <= 0:
            problems.append(FieldViolation(f"{at}.max_quantity_t", "max_quantity_t.invalid", "最大储存（在线）量应为大于0的吨数",
                                           "The maximum quantity must be a positive number of tonnes"))
        if unknown:
            problems.append(FieldViolation(f"{at}.category", "category.unknown",
                                           f"危险性类别“{'、'.join(unknown)}”不在GB 18218表2、表4中（应为 J1—J5、W1.1—W11 等符号）",
                                           f"Hazard category {', '.join(unknown)} is not in GB 18218 tables 2 and 4 (use J1-J5, W1.1-W11 ...)"))
        if row is False:
            problems.append(FieldViolation(f"{at}.table1_row", "table1_row.invalid", "表1序号应为1至85的整数",
                                           "The table 1 row must be a whole number from 1 to 85"))
        rows.append((cas, chem, entry, q, given))
    if problems:
        raise invalid(*problems)

    items, s, weighted = [], Decimal(0), Decimal(0)
    for cas, chem, entry, q, given in rows:
        if entry is not None:   # named in table 1
            number, named = entry
            threshold = decimal(named["threshold_t"])
            beta, used = _named_beta(named, given, beta_categories)
            name = named["name_zh"]
        else:                   # table 2: the smallest Q and the largest β of the categories given
            number = None
            threshold = min(decimal(thresholds[c]["threshold_t"]) for c in given)
            beta = max(_category_beta(c, beta_categories) for c in given)
            used = tuple(given)
            name = str(chem.get("name") or "").strip() or f"未列名危险化学品（{'、'.join(given)}）"
        ratio = q / threshold
        s += ratio
        weighted += beta * ratio
        items.append(Item(cas, name, q, threshold, beta, _truncate(ratio), number, used))
    a = decimal(band_for(alpha.body["bands"], population_500m)["alpha"])
    r = a * weighted
    is_major = s >= 1
    g = band_for(grades.body["bands"], r)["grade"] if is_major else None
    return Assessment(s=_truncate(s), r=_truncate(r), is_major=is_major, grade=g,
                      grade_zh=_GRADE_ZH.get(g), alpha=a, items=tuple(items))


# --- the substance dictionary (what forms and the API list) -------------------------------------

def substance_entries(substances: RuleTable, beta_categories: RuleTable) -> list[dict]:
    """Table 1 as a dictionary, one entry per CAS key, in table order: code (CAS) and name as every
    dictionary has them, the other CAS numbers that find the same row, Q, the hazard categories and
    the β they give (table 3's for the named toxic gases). A CAS that is several rows
    (nitrocellulose, ammonium nitrate) lists them, with the smallest Q as its own."""
    out = []
    for cas, entry in substances.body["substances"].items():
        rows = sorted(((int(n), e) for n, e in entry["rows"].items()) if "rows" in entry else [(entry["row"], entry)])
        number, chosen = _table1_row(entry, None, beta_categories)
        item = {"code": cas, "cas": cas, "name": entry["name_zh"], "name_zh": entry["name_zh"],
                "alias_zh": entry.get("alias_zh") or "", "also_cas": list(entry.get("also_cas", ())), "row": number,
                "threshold_t": decimal(chosen["threshold_t"]), "categories": list(chosen.get("categories") or ()),
                "beta": _own_beta(chosen, beta_categories)}
        if len(rows) > 1:
            item["rows"] = [{"row": n, "name_zh": e["name_zh"], "threshold_t": decimal(e["threshold_t"]),
                             "categories": list(e.get("categories") or ()), "beta": _own_beta(e, beta_categories)} for n, e in rows]
        out.append(item)
    return sorted(out, key=lambda e: e["row"])


# --- filing and reassessment ----------------------------------------------------------------------

def filing_due(assessed_on: date, table: RuleTable) -> date:
    """Last day to file (备案) after the assessment report: the report's day is not counted."""
    return assessed_on + timedelta(days=table.body["filing_days"])


def reassessment_due(assessed_on: date, table: RuleTable) -> date:
    """The next safety assessment is due on the same day `reassessment_years` later."""
    return add_months(assessed_on, 12 * table.body["reassessment_years"])
