"""Production-safety accidents (生产安全事故): grade, reporting deadlines, late and missed reports,
casualty re-reports, investigation. Pure functions: the time is always a parameter.

Source: 国务院令第493号《生产安全事故报告和调查处理条例》; every number comes from the
`accident_grades` rule table. Pass local (Asia/Shanghai) datetimes: periods counted in days start
from the local calendar day of the accident.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Iterable, Mapping, NamedTuple

from services.datacenter.ruletables import RuleTable, band_for, decimal
from services.kit.errors import FieldViolation, invalid

GRADES = (("general", "一般"), ("large", "较大"), ("major", "重大"), ("extraordinary", "特别重大"))

# GB 6441-1986 appendix A, in the standard's order: the n-th entry is type n (01..20).
ACCIDENT_TYPES = (
    ("object_strike", "物体打击"), ("vehicle", "车辆伤害"), ("machinery", "机械伤害"), ("lifting", "起重伤害"),
    ("electric_shock", "触电"), ("drowning", "淹溺"), ("scald_burn", "灼烫"), ("fire", "火灾"),
    ("fall_from_height", "高处坠落"), ("collapse", "坍塌"), ("roof_fall", "冒顶片帮"), ("water_inrush", "透水"),
    ("blasting", "放炮"), ("explosive_explosion", "火药爆炸"), ("gas_explosion", "瓦斯爆炸"),
    ("boiler_explosion", "锅炉爆炸"), ("vessel_explosion", "容器爆炸"), ("other_explosion", "其它爆炸"),
    ("poisoning_asphyxia", "中毒和窒息"), ("other_injury", "其它伤害"),
)

# The agencies a report climbs through, lowest first (art. 10).
REPORT_LEVELS = (("county", "县级"), ("city", "设区的市级"), ("province", "省级"), ("state_council", "国务院"))
INVESTIGATING_LEVELS = REPORT_LEVELS
FLAG_STATUSES = (("on_time", "按时报告"), ("late", "迟报"), ("missing", "漏报"), ("pending", "待报告"))

_GRADE_ZH = dict(GRADES)
_FLAG_ZH = dict(FLAG_STATUSES)
_TYPE_CODES = {code for code, _ in ACCIDENT_TYPES}
CASUALTY_FIELDS = ("deaths", "missing", "serious_injuries", "minor_injuries")


def gb6441_number(accident_type: str) -> str:
    """The standard's two-digit number of a type code: object_strike → "01"."""
    return f"{[c for c, _ in ACCIDENT_TYPES].index(accident_type) + 1:02d}"


# --- grade ----------------------------------------------------------------------------------------

def grade(*, deaths: int, missing: int, serious_injuries: int, direct_loss_cny: Decimal, table: RuleTable) -> str:
    """The highest grade any one column reaches (art. 3); the missing count as dead."""
    body = table.body
    columns = {"deaths": deaths + missing, "serious_injuries": serious_injuries, "direct_loss_cny": direct_loss_cny}
    reached = [band_for(body["bands"][col], value)["grade"] for col, value in columns.items()]
    return max(reached, key=body["grade_order"].index)


@dataclass(frozen=True)
class Figures:
    deaths: int
    missing: int
    serious_injuries: int
    minor_injuries: int = 0
    direct_loss_cny: Decimal = Decimal(0)


def grade_of(figures: Figures, table: RuleTable) -> str:
    return grade(deaths=figures.deaths, missing=figures.missing, serious_injuries=figures.serious_injuries,
                 direct_loss_cny=figures.direct_loss_cny, table=table)


# --- reporting (arts. 9-11) -----------------------------------------------------------------------

@dataclass(frozen=True)
class Deadline:
    level: str       # the agency level the report must reach
    level_zh: str
    due: datetime


def reporting_deadlines(*, occurred_at: datetime, grade: str, table: RuleTable) -> list[Deadline]:
    """When each agency level must have the report. The unit reports to the county within the
    first period; each level then has `per_level_hours` to pass it up, as far as the grade goes.

    The law counts each level's two hours from when it received the report; this schedule assumes
    each level received it at its own deadline, so it is the latest lawful timeline."""
    r = table.body["reporting"]
    top = r["report_up_to"][grade]
    out, due = [], occurred_at + timedelta(hours=r["unit_to_county_hours"])
    for level, level_zh in REPORT_LEVELS:
        out.append(Deadline(level, level_zh, due))
        if level == top:
            return out
        due += timedelta(hours=r["per_level_hours"])
    raise LookupError(f"unknown report level {top!r}")


@dataclass(frozen=True)
class Report:
    level: str
    reported_at: datetime


@dataclass(frozen=True)
class Flag:
    level: str
    level_zh: str
    due: datetime
    status: str              # on_time | late (迟报) | missing (漏报) | pending (not due yet)
    status_zh: str
    reported_at: datetime | None


def late_reports(*, deadlines: Iterable[Deadline], reports: Iterable[Report], now: datetime) -> list[Flag]:
    """One flag per deadline. A report exactly at the due time is on time; the earliest report to a
    level counts, since a later one is a correction, not the report."""
    first: dict[str, datetime] = {}
    for rep in reports:
        if rep.level not in first or rep.reported_at < first[rep.level]:
            first[rep.level] = rep.reported_at
    flags = []
    for d in deadlines:
        at = first.get(d.level)
        if at is not None:
            status = "on_time" if at <= d.due else "late"
        else:
            status = "missing" if now > d.due else "pending"
        flags.append(Flag(d.level, d.level_zh, d.due, status, _FLAG_ZH[status], at))
    return flags


# --- casualty re-reports (art. 13) ----------------------------------------------------------------

def _casualty_days(is_road_or_fire: bool, table: RuleTable) -> int:
    return table.body["casualty_update_days"]["road_traffic_or_fire" if is_road_or_fire else "default"]


def casualty_update_window(*, occurred_at: datetime, is_road_or_fire: bool, table: RuleTable) -> datetime:
    """The instant the re-report window closes (exclusive). "自事故发生之日起30日内": the day of the
    accident is not counted (民法典 art. 201) and the last day runs to midnight (art. 203)."""
    last_day = occurred_at.date() + timedelta(days=_casualty_days(is_road_or_fire, table))
    return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=occurred_at.tzinfo)


class CasualtyUpdate(NamedTuple):
    figures: Figures
    grade: str


def apply_casualty_update(current: Figures, update: Mapping[str, int], *, reported_at: datetime,
                          occurred_at: datetime, is_road_or_fire: bool, table: RuleTable) -> CasualtyUpdate:
    """The figures after a re-report (`update` holds the new absolute counts) and the grade
    recomputed from them. The grade usually rises; it falls when the missing are found alive,
    because the missing only counted as dead provisionally."""
    problems: list[FieldViolation] = []
    if reported_at < occurred_at:
        problems.append(FieldViolation("reported_at", "reported_at.before_occurrence", "续报时间早于事故发生时间",
                                       "The re-report is dated before the accident"))
    elif reported_at >= casualty_update_window(occurred_at=occurred_at, is_road_or_fire=is_road_or_fire, table=table):
        days = _casualty_days(is_road_or_fire, table)
        problems.append(FieldViolation(
            "reported_at", "reported_at.after_window",
            f"伤亡人数变化应自事故发生之日起{days}日内补报，已超过补报期限",
            f"Casualty changes must be re-reported within {days} days of the accident; the window has closed"))
    if not update:
        problems.append(FieldViolation("update", "update.empty", "续报未包含任何伤亡人数", "The re-report changes no casualty figure"))
    for key, value in update.items():
        if key not in CASUALTY_FIELDS:
            problems.append(FieldViolation(key, f"{key}.not_updatable", f"伤亡续报不能修改“{key}”",
                                           f"A casualty re-report cannot change {key}"))
        elif not _is_count(value):
            problems.append(FieldViolation(key, f"{key}.invalid", "人数应为非负整数", "Counts must be non-negative integers"))
    if problems:
        raise invalid(*problems)
    figures = replace(current, **update)
    return CasualtyUpdate(figures, grade_of(figures, table))


# --- investigation (arts. 19, 29) -----------------------------------------------------------------

def investigation_due(*, occurred_at: datetime, extension_days: int = 0, table: RuleTable) -> date:
    """The last day for the investigation report: 60 days from the accident's day, plus an approved
    extension of at most 60 days."""
    inv = table.body["investigation"]
    if not isinstance(extension_days, int) or isinstance(extension_days, bool) or extension_days < 0:
        raise invalid(FieldViolation("extension_days", "extension_days.invalid", "延长天数应为非负整数",
                                     "The extension must be a non-negative number of days"))
    if extension_days > inv["max_extension_days"]:
        raise invalid(FieldViolation(
            "extension_days", "extension_days.too_long",
            f"事故调查报告提交期限最长延长{inv['max_extension_days']}日",
            f"The investigation deadline may be extended by at most {inv['max_extension_days']} days"))
    return occurred_at.date() + timedelta(days=inv["days"] + extension_days)


def investigating_level(grade: str, *, table: RuleTable) -> str:
    """Which government investigates: 一般 county, 较大 city, 重大 province, 特别重大 State Council."""
    return table.body["investigating_level"][grade]


# --- record validation ----------------------------------------------------------------------------

def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def violations(record: Mapping, *, table: RuleTable, now: datetime) -> list[FieldViolation]:
    """Cross-field checks of an accident record: occurred_at, the four casualty counts,
    direct_loss_cny, and optionally accident_type and a stated grade (which must match the figures)."""
    out: list[FieldViolation] = []
    occurred_at = record.get("occurred_at")
    if occurred_at is None:
        out.append(FieldViolation("occurred_at", "occurred_at.required", "事故发生时间不能为空", "The time of the accident is required"))
    elif not isinstance(occurred_at, datetime):
        out.append(FieldViolation("occurred_at", "occurred_at.invalid", "事故发生时间格式不正确", "The time of the accident is not a date and time"))
    elif occurred_at > now:
        out.append(FieldViolation("occurred_at", "occurred_at.future", "事故发生时间不能晚于当前时间", "The accident cannot be in the future"))

    for key, zh in (("deaths", "死亡人数"), ("missing", "失踪人数"), ("serious_injuries", "重伤人数"), ("minor_injuries", "轻伤人数")):
        value = record.get(key)
        if value is None:
            out.append(FieldViolation(key, f"{key}.required", f"{zh}不能为空（没有请填0）", f"{key} is required (0 if none)"))
        elif not _is_count(value):
            out.append(FieldViolation(key, f"{key}.invalid", f"{zh}应为非负整数", f"{key} must be a non-negative integer"))

    loss = record.get("direct_loss_cny")
    if loss is None:
        out.append(FieldViolation("direct_loss_cny", "direct_loss_cny.required", "直接经济损失不能为空（没有请填0）", "The direct loss is required (0 if none)"))
    else:
        try:
            amount = decimal(loss)
        except (TypeError, ValueError):
            amount = None
        # Money is recorded to the fen: more decimals would be a unit mistake.
        if amount is None or amount < 0 or amount.as_tuple().exponent < -2:
            out.append(FieldViolation("direct_loss_cny", "direct_loss_cny.invalid", "直接经济损失应为不小于0的金额（元，最多两位小数）",
                                      "The direct loss must be an amount in CNY of at least 0 with at most 2 decimals"))

    if (kind := record.get("accident_type")) is not None and kind not in _TYPE_CODES:
        out.append(FieldViolation("accident_type", "accident_type.unknown", "事故类别不在GB 6441-1986的20类之内",
                                  "The accident type is not one of the 20 in GB 6441-1986"))

    stated = record.get("grade")
    if stated is not None and not any(v.field in ("deaths", "missing", "serious_injuries", "direct_loss_cny") for v in out):
        computed = grade(deaths=record["deaths"], missing=record["missing"], serious_injuries=record["serious_injuries"],
                         direct_loss_cny=decimal(record["direct_loss_cny"]), table=table)
        if stated != computed:
            out.append(FieldViolation("grade", "grade.mismatch",
                                      f"事故等级应为“{_GRADE_ZH[computed]}”（按死亡、重伤人数和直接经济损失中最高的一项确定）",
                                      f"The grade should be {computed}: the highest reached by deaths, serious injuries or direct loss"))
    return out
