"""Enterprise classes A/B/C/D for a year (企业安全生产分类分级监管) and key targets (重点检查对象).
Pure functions over plain data: no I/O, no clock.

Direction: A = 低风险、守法良好 (fewest inspections) … D = 高风险 (most inspections). Some provinces
publish the opposite letters (A = 重点); here the letters follow the Shanxi 2025 cap table of
RULES.md §14 [confirmed] — non-coal mines A/B/C/D 1/1/2/4, other sectors 1/2/4/6 inspections a year —
so that one letter means the same thing here and in services/supervision/inspections/planning.py.

Rule (every number in the table `enterprise_class`, ./tables; its source marks what is [verify]):
- score: the sum of each factor's points — the sector's base risk; the standardization grade
  (一级 fewest points, none most); the accidents in the look-back window (from `look_back_start`,
  1 January `look_back_years` years before the classified year, to the day of classifying, so that
  a reclassification during the year counts the year's accidents so far; the caller selects them):
  a fatal one (deaths ≥ `fatal_min_deaths`) and a non-fatal one each add points, up to a maximum;
  the major hazard sources by level (up to a maximum); the open hidden hazards — general, major and,
  again on top of major, overdue major — each so many points up to a maximum; the risk colour
  (`none`: not graded); the credit grade (`none`: not rated);
- class: the band of the score, lo <= score < hi (services/kit/ruletables.py);
- floors: a fact in the table's `floors` (a fatal accident in the window, an accident of a listed
  grade, an overdue major hazard, a listed credit grade, being on the serious-dishonesty list)
  raises the class to at least the floor's class; the score is unchanged;
- key target: the class is in `key.classes`, or the enterprise has a major hazard source of a level
  in `key.major_hazard_levels`, or its sector is in `key.sectors`.
The factors come back with their points and a Chinese reason, floors as factors of 0 points."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Mapping, NamedTuple

from services.kit import ruletables
from services.kit.ruletables import RuleTable
from services.supervision import sectors

TABLES_DIR = Path(__file__).parent / "tables"

STANDARDIZATION_ZH = {"1": "一级", "2": "二级", "3": "三级"}
MAJOR_HAZARD_LEVEL_ZH = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
ACCIDENT_GRADE_ZH = {"general": "一般", "large": "较大", "major": "重大", "extraordinary": "特别重大"}
COLOUR_ZH = {"red": "红色（重大风险）", "orange": "橙色（较大风险）", "yellow": "黄色（一般风险）", "blue": "蓝色（低风险）"}
CREDIT_GRADES = ("A", "B", "C", "D")


def tables() -> tuple[RuleTable, ...]:
    """Every table shipped in ./tables, read afresh (callers keep the result)."""
    return ruletables.load_dir(TABLES_DIR)


def table_for(year: int) -> RuleTable:
    """The `enterprise_class` table in force for classing `year` (on its 1 January)."""
    return ruletables.effective(tables(), "enterprise_class", date(year, 1, 1))


def look_back_start(year: int, table: RuleTable) -> date:
    """The first day of the look-back window for accidents when classing `year`."""
    return date(year - table.body["look_back_years"], 1, 1)


class Factor(NamedTuple):
    factor: str
    points: int
    reason_zh: str


@dataclass(frozen=True)
class Classification:
    uscc: str
    klass: str
    score: int
    band_class: str                 # the class of the score alone, before any floor
    key: bool
    key_reasons_zh: tuple[str, ...]
    inputs: dict                    # the facts judged, as checked
    factors: tuple[Factor, ...]
    table: tuple[str, date]         # the rule table's name and effective_from


def _problem(zh: str, en: str) -> ValueError:
    return ValueError(f"{zh} / {en}")


def _count(value, zh: str, en: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _problem(f"{zh}应为非负整数：{value!r}", f"{en} must be a non-negative integer: {value!r}")
    return value


def _inputs(enterprise: Mapping, body: dict) -> dict:
    sector = enterprise.get("sector")
    if sector not in body["points"]["sector"]:
        raise _problem(f"未知行业代码：{sector!r}", f"unknown sector code: {sector!r}")
    grade = enterprise.get("standardization_grade")
    if grade is not None and grade not in STANDARDIZATION_ZH:
        raise _problem(f"未知安全生产标准化等级：{grade!r}", f"unknown standardization grade: {grade!r}")
    colour = enterprise.get("risk_colour")
    if colour is not None and colour not in COLOUR_ZH:
        raise _problem(f"未知安全风险等级颜色：{colour!r}", f"unknown risk colour: {colour!r}")
    credit = enterprise.get("credit_grade")
    if credit is not None and credit not in CREDIT_GRADES:
        raise _problem(f"未知安全生产信用等级：{credit!r}", f"unknown credit grade: {credit!r}")
    levels = tuple(enterprise.get("major_hazard_sources") or ())
    for level in levels:
        if level not in MAJOR_HAZARD_LEVEL_ZH:
            raise _problem(f"未知重大危险源等级：{level!r}", f"unknown major hazard source level: {level!r}")
    accidents = []
    for a in enterprise.get("accidents") or ():
        if a.get("grade") not in ACCIDENT_GRADE_ZH:
            raise _problem(f"未知事故等级：{a.get('grade')!r}", f"unknown accident grade: {a.get('grade')!r}")
        accidents.append({"occurred_on": a.get("occurred_on"), "deaths": _count(a.get("deaths", 0), "死亡人数", "deaths"),
                          "grade": a["grade"]})
    hazards = enterprise.get("open_hazards") or {}
    open_hazards = {k: _count(hazards.get(k, 0), "未整改隐患数", f"open_hazards.{k}") for k in ("general", "major", "overdue_major")}
    if open_hazards["overdue_major"] > open_hazards["major"]:
        raise _problem("超期重大隐患数不能多于未整改重大隐患数", "overdue major hazards are counted among the open major ones")
    return {
        "uscc": enterprise["uscc"], "sector": sector, "standardization_grade": grade, "risk_colour": colour,
        "accidents": tuple(accidents), "major_hazard_sources": levels,
        "open_hazards": open_hazards,
        "credit_grade": credit, "listed_dishonest": bool(enterprise.get("listed_dishonest")),
    }


def _capped(n: int, rule: dict) -> int:
    return min(n * rule["each"], rule["max"])


def _factors(facts: dict, body: dict) -> list[Factor]:
    points = body["points"]
    sector, grade, colour, credit = facts["sector"], facts["standardization_grade"], facts["risk_colour"], facts["credit_grade"]
    out = [Factor("sector", points["sector"][sector], f"行业：{sectors.NAMES[sector]}"),
           Factor("standardization_grade", points["standardization_grade"][grade or "none"],
                  f"安全生产标准化{STANDARDIZATION_ZH[grade]}" if grade else "未取得安全生产标准化等级")]
    rule = points["accidents"]
    fatal = sum(1 for a in facts["accidents"] if a["deaths"] >= rule["fatal_min_deaths"])
    other = len(facts["accidents"]) - fatal
    out.append(Factor("accidents", min(fatal * rule["fatal"] + other * rule["non_fatal"], rule["max"]),
                      f"回溯期内发生死亡事故{fatal}起、其他事故{other}起" if facts["accidents"] else "回溯期内未发生生产安全事故"))
    rule = points["major_hazard_sources"]
    levels = facts["major_hazard_sources"]
    counted = "、".join(f"{MAJOR_HAZARD_LEVEL_ZH[lv]}{levels.count(lv)}处" for lv in sorted(set(levels)))
    out.append(Factor("major_hazard_sources", min(sum(rule["levels"][lv] for lv in levels), rule["max"]),
                      f"重大危险源：{counted}" if levels else "无重大危险源"))
    rule, open_ = points["open_hazards"], facts["open_hazards"]
    out.append(Factor("open_hazards", sum(_capped(open_[k], rule[k]) for k in ("general", "major", "overdue_major")),
                      f"未整改一般隐患{open_['general']}项、重大隐患{open_['major']}项（其中超期{open_['overdue_major']}项）"
                      if open_["general"] or open_["major"] else "无未整改隐患"))
    out.append(Factor("risk_colour", points["risk_colour"][colour or "none"],
                      f"安全风险等级：{COLOUR_ZH[colour]}" if colour else "未评定安全风险等级"))
    out.append(Factor("credit_grade", points["credit_grade"][credit or "none"],
                      f"安全生产信用等级：{credit}级" if credit else "未评定安全生产信用等级"))
    return out


def _floor_reason(floor: dict, facts: dict, body: dict) -> str | None:
    """Why `floor` applies to the facts (Chinese), or None when it does not."""
    when = floor["when"]
    if when == "fatal_accident":
        min_deaths = body["points"]["accidents"]["fatal_min_deaths"]
        n = sum(1 for a in facts["accidents"] if a["deaths"] >= min_deaths)
        return f"回溯期内发生死亡事故{n}起" if n else None
    if when == "accident_grade":
        hit = [a["grade"] for a in facts["accidents"] if a["grade"] in floor["grades"]]
        return f"回溯期内发生{'、'.join(sorted({ACCIDENT_GRADE_ZH[g] for g in hit}))}事故" if hit else None
    if when == "overdue_major_hazard":
        n = facts["open_hazards"]["overdue_major"]
        return f"重大事故隐患超期未整改{n}项" if n else None
    if when == "credit_grade":
        return f"安全生产信用等级为{facts['credit_grade']}级" if facts["credit_grade"] in floor["grades"] else None
    if when == "listed_dishonest":
        return "列入安全生产严重失信主体名单" if facts["listed_dishonest"] else None
    raise _problem(f"分类规则表中未知的兜底条件：{when!r}", f"unknown floor condition in the class table: {when!r}")


def class_for_score(score: int, table: RuleTable) -> str:
    """The class of a score alone (the band lo <= score < hi)."""
    return ruletables.band_for(table.body["bands"], score)["class"]


def _key_reasons(klass: str, facts: Mapping, body: dict) -> tuple[str, ...]:
    key = body["key"]
    reasons = [f"{klass}类"] if klass in key["classes"] else []
    levels = sorted({lv for lv in facts.get("major_hazard_sources") or () if lv in key["major_hazard_levels"]})
    reasons += [f"{MAJOR_HAZARD_LEVEL_ZH[lv]}重大危险源" for lv in levels]
    if facts.get("sector") in key["sectors"]:
        reasons.append(f"{sectors.NAMES[facts['sector']]}企业")
    return tuple(reasons)


def classify(enterprise: Mapping, *, table: RuleTable) -> Classification:
    """The class of `enterprise` under `table` (the `enterprise_class` version for the year, `table_for`).
    `enterprise`: uscc, sector, standardization_grade, risk_colour, accidents ({occurred_on, deaths,
    grade}, those of the look-back window: see `look_back_start`), major_hazard_sources (levels "1".."4"),
    open_hazards {general, major, overdue_major}, credit_grade, listed_dishonest. ValueError (Chinese /
    English) on a value the table does not know."""
    body = table.body
    facts = _inputs(enterprise, body)
    factors = _factors(facts, body)
    score = sum(f.points for f in factors)
    order = body["classes"]
    band_class = klass = class_for_score(score, table)
    for floor in body["floors"]:
        reason = _floor_reason(floor, facts, body)
        if reason is None:
            continue
        factors.append(Factor(f"floor:{floor['when']}", 0, f"{reason}，类别不低于{floor['at_least']}类"))
        if order.index(floor["at_least"]) > order.index(klass):
            klass = floor["at_least"]
    reasons = _key_reasons(klass, facts, body)
    return Classification(uscc=facts["uscc"], klass=klass, score=score, band_class=band_class, key=bool(reasons),
                          key_reasons_zh=reasons, inputs=facts, factors=tuple(factors),
                          table=(table.name, table.effective_from))


def key_target(classification: Classification, enterprise: Mapping, *, table: RuleTable) -> bool:
    """Whether the enterprise is a key target (重点检查对象) with that class: see the module docstring."""
    return bool(_key_reasons(classification.klass, enterprise, table.body))
