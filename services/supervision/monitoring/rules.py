"""The rules of remote monitoring, as pure functions over plain data (no I/O, no clock):

- which conditions a point is checked for, with their raise and clear values (`checks`), from the
  point's own limits and the rule tables (GB/T 50493 gas set points, the coal methane table,
  deadbands);
- how a point's readings, in time order, raise, raise the level of, and clear its alarms
  (`evaluate`), and when a coal zone's feed power still on is a 断电失效 (`power_cut_failed`);
- the alarm lifecycle raised → acknowledged → disposed → closed, and escalation enterprise →
  county → city;
- the four-colour warning of a source or an enterprise;
- the intake check of one reading; offline; the daily commitment and data quality.

Thresholds come from the tables in ./tables (services/kit/ruletables.py), never from literals."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.kit import config
from services.kit.errors import Conflict, FieldViolation, invalid

SHANGHAI = ZoneInfo(config.TIMEZONE)

LEVELS = {"warning": "一般报警", "critical": "严重报警"}
CONDITIONS = {"high": "超上限", "low": "超下限", "gas": "气体浓度报警", "oxygen_high": "氧气浓度过高", "oxygen_low": "氧气浓度过低",
              "methane": "甲烷超限", "power_cut_failure": "断电失效", "switch": "开关量异常", "offline": "离线"}
STATUSES = {"raised": "待确认", "acknowledged": "已确认", "disposed": "已处置", "closed": "已关闭"}
ESCALATIONS = {"enterprise": "企业", "county": "县区", "city": "市级"}
COLOURS = {"red": "红色预警", "orange": "橙色预警", "yellow": "黄色预警", "blue": "蓝色预警", "none": "正常"}
COLOUR_ORDER = ("none", "blue", "yellow", "orange", "red")
COMMITMENT_STATES = {"normal": "正常运行", "stopped": "停产", "maintenance": "检维修", "special_work": "特殊作业"}
SPECIAL_WORK = {"hot_work": "动火作业", "confined_space": "受限空间作业", "work_at_height": "高处作业", "lifting": "吊装作业",
                "temporary_power": "临时用电作业", "blinding": "盲板抽堵作业", "excavation": "动土作业", "road_closure": "断路作业"}
COMMITMENT_STATUSES = {"on_time": "按时承诺", "late": "逾期承诺", "missing": "未承诺"}


# --- which conditions a point is checked for -------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One condition of one point. `direction` +1: active while value >= raise_at (high side);
    -1: active while value <= raise_at (low side). `critical_at` raises the level (None: never).
    The condition clears once the value is back past `clear_at` (the deadband, or the methane
    restore value). A switch condition is active while the value equals `raise_at`."""
    condition: str
    direction: int
    raise_at: float
    clear_at: float
    level: str = "warning"
    critical_at: float | None = None
    switch: bool = False


def deadband(quantity: str, limit: float, table: dict) -> float:
    return max(abs(limit) * table["deadband_pct"] / 100.0, table["deadband_min"].get(quantity, 0.0))


def _limit_checks(point: dict, quantity: str, table: dict, *, high: str = "high", low: str = "low") -> list[Check]:
    out = []
    h, hh, lo, ll = point.get("high"), point.get("high_high"), point.get("low"), point.get("low_low")
    first_high = h if h is not None else hh
    if first_high is not None:
        out.append(Check(high, +1, first_high, first_high - deadband(quantity, first_high, table),
                         level="warning" if h is not None else "critical", critical_at=hh if h is not None else None))
    first_low = lo if lo is not None else ll
    if first_low is not None:
        out.append(Check(low, -1, first_low, first_low + deadband(quantity, first_low, table),
                         level="warning" if lo is not None else "critical", critical_at=ll if lo is not None else None))
    return out


def _stricter(own: float | None, standard: float | None) -> float | None:
    """GB/T 50493 sets maxima ("≤"): a point may alarm earlier, never later."""
    if standard is None:
        return own
    return standard if own is None else min(own, standard)


def checks(point: dict, *, evaluation: dict, gas: dict, methane: dict) -> tuple[Check, ...]:
    """The conditions `point` (a monitoring.point row) is checked for. Bodies of the rule tables
    alarm_evaluation, gas_setpoints and coal_methane in force."""
    quantity = point["quantity"]
    if quantity == "switch":
        rule = evaluation["switch_abnormal"].get(point.get("switch_kind") or "")
        if not rule:
            return ()  # feed power is judged with its zone's methane (power_cut_failed)
        return (Check("switch", +1, float(rule["state"]), float(rule["state"]), level=rule["level"], switch=True),)
    if quantity == "methane" and point.get("site_type") == "coal_mine" and point.get("coal_location") in methane:
        row = methane[point["coal_location"]]
        alarm, cut, restore = float(row["alarm"]), float(row["cut"]), float(row["restore"])
        # Alarm and cut values equal (return airway): the first excursion already cuts power.
        return (Check("methane", +1, alarm, restore, level="critical" if cut <= alarm else "warning",
                      critical_at=None if cut <= alarm else cut),)
    if quantity == "combustible_gas":
        first = _stricter(point.get("high"), float(gas["combustible_gas"]["first"]))
        second = _stricter(point.get("high_high"), float(gas["combustible_gas"]["second"]))
        return _gas_check(quantity, first, second, evaluation)
    if quantity == "toxic_gas":
        oel = gas["oel_ppm"].get(point.get("gas") or "")
        first = _stricter(point.get("high"), oel * gas["toxic_first_oel"] if oel else None)
        second = _stricter(point.get("high_high"), oel * gas["toxic_second_oel"] if oel else None)
        return _gas_check(quantity, first, second, evaluation)
    if quantity == "oxygen":
        high = _stricter(point.get("high"), float(gas["oxygen"]["high"]))
        low = float(gas["oxygen"]["low"]) if point.get("low") is None else max(point["low"], float(gas["oxygen"]["low"]))
        return (Check("oxygen_high", +1, high, high - deadband(quantity, high, evaluation)),
                Check("oxygen_low", -1, low, low + deadband(quantity, low, evaluation)))
    return tuple(_limit_checks(point, quantity, evaluation))


def _gas_check(quantity: str, first: float | None, second: float | None, evaluation: dict) -> tuple[Check, ...]:
    if first is None and second is None:
        return ()
    start = first if first is not None else second
    crit = second if first is not None and second is not None and second > first else None
    level = "critical" if first is None or (second is not None and second <= first) else "warning"
    return (Check("gas", +1, start, start - deadband(quantity, start, evaluation), level=level, critical_at=crit),)


# --- evaluating readings ---------------------------------------------------------------------------

@dataclass
class Active:
    """What the evaluator knows of a point's open alarm for one condition."""
    alarm_id: int | None
    active: bool
    level: str
    peak: float
    last_value: float
    raised_at: datetime
    last_at: datetime
    critical_at: datetime | None = None


@dataclass(frozen=True)
class Change:
    condition: str
    kind: str          # raised | reactivated | escalated_level | cleared | updated
    at: datetime
    value: float
    level: str
    threshold: float


def _exceeds(check: Check, v: float) -> bool:
    if check.switch:
        return v == check.raise_at
    return v >= check.raise_at if check.direction > 0 else v <= check.raise_at


def _cleared(check: Check, v: float) -> bool:
    if check.switch:
        return v != check.raise_at
    # methane restores below the restore value (< restore); a limit clears past its deadband
    return v < check.clear_at if check.direction > 0 else v > check.clear_at


def _critical(check: Check, v: float) -> bool:
    if check.critical_at is None:
        return False
    return v >= check.critical_at if check.direction > 0 else v <= check.critical_at


def _further(check: Check, a: float, b: float) -> float:
    return max(a, b) if check.direction > 0 else min(a, b)


def evaluate(point_checks: tuple[Check, ...], readings: list[tuple[datetime, float]], states: dict[str, Active]) -> list[Change]:
    """Applies readings (time order, all newer than the point's last evaluated reading) to the
    point's conditions. `states` (condition → Active) is updated in place; the changes say what
    to write. An active alarm follows the value: peak, level (never lowered while open), clear."""
    changes: list[Change] = []
    for check in point_checks:
        state = states.get(check.condition)
        for t, v in readings:
            if state is None or not state.active:
                if not _exceeds(check, v):
                    continue
                level = "critical" if check.level == "critical" or _critical(check, v) else "warning"
                if state is None:
                    state = states[check.condition] = Active(None, True, level, v, v, t, t, t if level == "critical" else None)
                    changes.append(Change(check.condition, "raised", t, v, level, check.raise_at))
                else:  # open but cleared (not yet disposed): it holds again
                    state.active, state.last_value, state.last_at = True, v, t
                    state.peak = _further(check, state.peak, v)
                    if level == "critical" and state.level != "critical":
                        state.level, state.critical_at = "critical", t
                    changes.append(Change(check.condition, "reactivated", t, v, state.level, check.raise_at))
                continue
            if _cleared(check, v):
                state.active, state.last_value, state.last_at = False, v, t
                changes.append(Change(check.condition, "cleared", t, v, state.level, check.raise_at))
                continue
            state.last_value, state.last_at = v, t
            state.peak = _further(check, state.peak, v)
            if state.level != "critical" and _critical(check, v):
                state.level, state.critical_at = "critical", t
                changes.append(Change(check.condition, "escalated_level", t, v, "critical", check.critical_at))
        if state is not None and state.active and readings and not any(c.condition == check.condition for c in changes):
            changes.append(Change(check.condition, "updated", state.last_at, state.last_value, state.level, check.raise_at))
    return changes


def power_cut_failed(feed_on: bool, at: datetime, cut_since: datetime | None, grace_s: float) -> bool:
    """断电失效: the zone's methane reached its cut value at `cut_since` and the feed sensor still
    reports power on `grace_s` later."""
    return feed_on and cut_since is not None and (at - cut_since).total_seconds() >= grace_s


def offline_after(interval_s: int, evaluation: dict) -> float:
    """Seconds of silence after which a point is offline."""
    return max(interval_s * evaluation["offline_intervals"], evaluation["offline_min_seconds"])


# --- the alarm lifecycle ------------------------------------------------------------------------------

def acknowledge(status: str) -> str:
    if status != "raised":
        raise Conflict(f"报警当前为“{STATUSES.get(status, status)}”，不能再确认", f"The alarm is {status}: it cannot be acknowledged")
    return "acknowledged"


def dispose(status: str, *, active: bool, cause: str, measures: str, result: str) -> str:
    """disposed, or closed at once when the condition no longer holds."""
    missing = [FieldViolation(name, f"{name}.required", f"请填写{label}", f"{name} is required")
               for name, label, value in (("cause", "报警原因", cause), ("measures", "处置措施", measures), ("result", "处置结果", result))
               if not value.strip()]
    too_long = [FieldViolation(name, f"{name}.length", f"{label}不超过1000字", f"{name} is at most 1000 characters")
                for name, label, value in (("cause", "报警原因", cause), ("measures", "处置措施", measures), ("result", "处置结果", result))
                if len(value) > 1000]
    if missing or too_long:
        raise invalid(*(missing + too_long))
    if status == "raised":
        raise Conflict("请先确认报警，再填写处置情况", "Acknowledge the alarm before disposing of it")
    if status != "acknowledged":
        raise Conflict(f"报警当前为“{STATUSES.get(status, status)}”，不能再处置", f"The alarm is {status}: it cannot be disposed")
    return "disposed" if active else "closed"


def after_clear(status: str) -> str:
    """A disposed alarm whose condition has cleared is closed; others wait for their handling."""
    return "closed" if status == "disposed" else status


def escalation_kind(condition: str, level: str) -> str:
    return "offline" if condition == "offline" else level


def next_escalation(escalation: str, kind: str, since: datetime, table: dict) -> tuple[str, datetime] | None:
    """(the next step, when it is due) for an alarm not acknowledged; None at the top."""
    steps = table[kind]
    if escalation == "enterprise":
        return "county", since + timedelta(minutes=steps["county"])
    if escalation == "county":
        return "city", since + timedelta(minutes=steps["city"])
    return None


# --- four-colour warnings ---------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenAlarm:
    condition: str
    level: str


def colour(alarms: list[OpenAlarm], *, points: int, offline: int, grade: str | None, table: dict) -> tuple[str, str]:
    """(colour, reason) by the first rule of warning_colours that holds. `grade`: the source's
    grade, or for an enterprise its most severe source's (None without sources)."""
    for rule in table["rules"]:
        level = rule.get("level")
        relevant = [a for a in alarms if a.condition != "offline" and (level is None or a.level == level
                                                                        or (level == "warning" and a.level == "critical"))]
        if rule.get("conditions"):
            relevant = [a for a in relevant if a.condition in rule["conditions"]]
            if not relevant:
                continue
        elif level is not None and len(relevant) < rule.get("min_alarms", 1):
            continue
        if rule.get("grades") and grade not in rule["grades"]:
            continue
        if "min_offline_share" in rule and (points == 0 or offline / points < rule["min_offline_share"]):
            continue
        if "min_offline" in rule and offline < rule["min_offline"]:
            continue
        return rule["colour"], _reason(rule, relevant, offline)
    return "none", ""


def _reason(rule: dict, relevant: list[OpenAlarm], offline: int) -> str:
    if rule.get("conditions"):
        return "、".join(sorted({CONDITIONS.get(a.condition, a.condition) for a in relevant}))
    if rule.get("level"):
        return f"{len(relevant)}条{LEVELS[rule['level']]}未关闭"
    return f"{offline}个监测点离线"


def worst(colours: list[str]) -> str:
    return max(colours, key=COLOUR_ORDER.index, default="none")


def most_severe_grade(grades: list[str | None]) -> str | None:
    """一级 is the most severe: the smallest number."""
    present = sorted(g for g in grades if g)
    return present[0] if present else None


# --- the intake check of one reading -----------------------------------------------------------------

@dataclass(frozen=True)
class Rejection:
    index: int
    point: str
    code: str
    message: str
    message_en: str


_REASONS = {
    "reading.not_object": ("数据格式错误，每条读数应为对象", "Each reading must be an object"),
    "reading.unknown_point": ("未知监测点（或不属于本单位）", "Unknown point (or not yours)"),
    "reading.time_format": ("时间格式错误，应为 ISO 8601（含时区）或 Unix 毫秒", "time must be ISO 8601 with an offset, or Unix milliseconds"),
    "reading.future": ("读数时间晚于当前时间（超出允许的时钟偏差）", "time is in the future beyond the allowed clock skew"),
    "reading.too_old": ("读数时间早于允许补传的时间窗口", "time is older than the accepted window"),
    "reading.value_required": ("须填写 value（数值）或 state（开关量），且只填一项", "Give either value or state"),
    "reading.not_numeric": ("数值不是有限数字", "value is not a finite number"),
    "reading.impossible": ("数值超出该监测参数物理上可能的范围", "value is physically impossible for the quantity"),
}


def reject(index: int, point, code: str) -> Rejection:
    zh, en = _REASONS[code]
    return Rejection(index, point if isinstance(point, str) else "", code, zh, en)


def reading_time_ms(raw) -> int | None:
    """Unix ms from an ISO 8601 string with an offset, or from a number of Unix ms."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return int(raw) if math.isfinite(raw) else None
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        t = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        return None  # a time without its offset is ambiguous
    return int(t.timestamp() * 1000)


def check_reading(index: int, item, catalogue: dict[str, tuple[int, str]], *, now_ms: int, table: dict):
    """(point id, time ms, value) of an acceptable reading, or its Rejection. `catalogue`: the
    caller's in-service points, code → (id, quantity): another enterprise's point is unknown."""
    if not isinstance(item, dict):
        return reject(index, "", "reading.not_object")
    code = item.get("point")
    found = catalogue.get(code) if isinstance(code, str) else None
    if found is None:
        return reject(index, code, "reading.unknown_point")
    t = reading_time_ms(item.get("time"))
    if t is None:
        return reject(index, code, "reading.time_format")
    if t > now_ms + table["future_skew_s"] * 1000:
        return reject(index, code, "reading.future")
    if t < now_ms - table["accept_window_s"] * 1000:
        return reject(index, code, "reading.too_old")
    has_value, has_state = item.get("value") is not None, item.get("state") is not None
    if has_value == has_state:
        return reject(index, code, "reading.value_required")
    raw = item["value"] if has_value else item["state"]
    if isinstance(raw, bool):
        raw = int(raw)
    if not isinstance(raw, (int, float)) or not math.isfinite(raw):
        return reject(index, code, "reading.not_numeric")
    point_id, quantity = found
    lo, hi = table["physical"].get(quantity, (-math.inf, math.inf))
    if not lo <= raw <= hi or (quantity == "switch" and raw not in (0, 1)):
        return reject(index, code, "reading.impossible")
    return point_id, t, float(raw)


# --- the daily safety commitment -------------------------------------------------------------------

def deadline(day: date, table: dict, tz) -> datetime:
    hh, mm = (int(x) for x in table["deadline"].split(":"))
    return datetime.combine(day, time(hh, mm), tzinfo=tz)


def commitment_violations(sources: list[dict], known_sources: set[int]) -> list[FieldViolation]:
    out = []
    if not sources:
        out.append(FieldViolation("sources", "sources.required", "请逐一填报本单位每个重大危险源的状态", "Report every source"))
    seen = set()
    for i, s in enumerate(sources):
        sid = s.get("source_id")
        if sid not in known_sources:
            out.append(FieldViolation(f"sources[{i}].source_id", "source_id.unknown", "不是本单位的重大危险源", "Not one of your sources"))
        if sid in seen:
            out.append(FieldViolation(f"sources[{i}].source_id", "source_id.duplicate", "同一重大危险源重复填报", "Source reported twice"))
        seen.add(sid)
        if s.get("state") not in COMMITMENT_STATES:
            out.append(FieldViolation(f"sources[{i}].state", "state.invalid", "运行状态应为正常运行、停产、检维修或特殊作业", "Unknown state"))
        works = s.get("special_work") or []
        if any(w not in SPECIAL_WORK for w in works):
            out.append(FieldViolation(f"sources[{i}].special_work", "special_work.invalid", "未知的特殊作业类别", "Unknown special work"))
        if s.get("state") == "special_work" and not works:
            out.append(FieldViolation(f"sources[{i}].special_work", "special_work.required", "特殊作业状态须选择作业类别",
                                      "Name the special work"))
        if len(s.get("note") or "") > 500:
            out.append(FieldViolation(f"sources[{i}].note", "note.length", "说明不超过500字", "At most 500 characters"))
    missing = known_sources - seen
    if missing and not out:
        out.append(FieldViolation("sources", "sources.incomplete", f"还有{len(missing)}个重大危险源未填报", f"{len(missing)} sources not reported"))
    return out


# --- data quality ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Quality:
    online_rate: float
    completeness: float
    timeliness: float
    score: float


def quality(*, expected: int, received: int, timely: int, offline_s: int, observed_s: int, table: dict) -> Quality:
    completeness = min(1.0, received / expected) if expected else 1.0
    timeliness = timely / received if received else 0.0
    online = max(0.0, 1.0 - offline_s / observed_s) if observed_s else 1.0
    w = table["weights"]
    score = w["online_rate"] * online + w["completeness"] * completeness + w["timeliness"] * timeliness
    return Quality(round(online, 4), round(completeness, 4), round(timeliness, 4), round(score * 100, 2))


@dataclass
class Ranked:
    key: str
    name: str
    quality: Quality
    extra: dict = field(default_factory=dict)


def rank(rows: list[Ranked]) -> list[tuple[int, Ranked]]:
    """Best score first; equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted(rows, key=lambda r: (-r.quality.score, r.key))
    out, last, rank_no = [], None, 0
    for i, r in enumerate(ordered, start=1):
        if r.quality.score != last:
            rank_no, last = i, r.quality.score
        out.append((rank_no, r))
    return out
