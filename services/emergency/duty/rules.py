"""值班值守 (ADR 0010 (c), RULES.md §17): pure rules, no I/O.

- **排班**: every agency (the city's or a county's emergency bureau) keeps a roster: a shift per day
  from the rule table `duty_shifts` (白班 / 夜班 / 24小时班 with their times), a leader on duty
  (领导带班, required on every shift), at least one officer, the duty contacts; two shifts of one
  agency never overlap in time. Phones are masked wherever a list shows them.
- **交接班**: a shift hands over to the agency's next shift, from one of its people to one of the
  next shift's, once; the open intakes are listed in the handover as they stood.
- **查岗**: the level above (the city for a county) asks a county's duty desk a question; the answer
  time is stored in seconds; a check answered over the limit of `duty_spot_check`, or still
  unanswered past it, is flagged when read (never by a timer).
- **日报 / 零报告**: on the statutory holidays of the working-day calendar and the sensitive periods
  of `duty_reporting_days`, every county agency of `duty_agencies` reports the day (nil = 零报告).
- **接报**: every incoming report is logged (channel, time, caller, content, place, enterprise) and
  goes open → became_incident | joined | closed_no_action. The caller's name and phone are
  personal data: masked in lists, never in events or logs.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping

from services.kit import codes, jsonio, regions, roles, workdays
from services.kit.auth import Principal
from services.kit.errors import Conflict, FieldViolation, NotFound, PermissionDenied, invalid

SHANGHAI = jsonio.SHANGHAI
STAFF = roles.EMERGENCY_STAFF

CHANNELS = (("phone", "电话"), ("network", "网络"), ("enterprise_api", "企业接口"), ("monitoring_alarm", "监测报警"), ("hotline_12350", "12350"),
            ("superior", "上级交办"))
CHANNEL_ZH = dict(CHANNELS)
STAFF_CHANNELS = ("phone", "network", "monitoring_alarm", "hotline_12350", "superior")   # 企业接口 is the enterprises' own API
STATUSES = (("open", "待处置"), ("became_incident", "已转为事件"), ("joined", "已并入事件"), ("closed_no_action", "已办结（无需处置）"))
STATUS_ZH = dict(STATUSES)
TRANSITIONS = {"open": frozenset({"became_incident", "joined", "closed_no_action"})}
SPOT_STATE_ZH = {"waiting": "待应答", "overdue": "超时未应答", "answered": "按时应答", "late": "超时应答"}
REPORT_STATE_ZH = {"reported": "已报送", "nil": "零报告", "missing": "未报送"}

# 手机 11 digits; 座机 0 + area code + number (with an extension); short service numbers (12350, 110).
_ROSTER_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|\d{3,6})$")
_CALLER_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{1,18}[0-9]$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

NOT_FOUND = ("未找到该记录", "Not found")


# --- who may do what ------------------------------------------------------------------------------

def agency_of(region_code: str) -> str:
    """The agency whose staff work in `region_code`: its county's bureau, or the city's (620800)."""
    return regions.county_of(region_code) or region_code[:6]


def level_above(agency: str) -> str | None:
    """The agency a county answers to (the city, PPCC00); None for the city (the platform stops there)."""
    if not regions.is_well_formed(agency) or regions.level(agency) != "county":
        return None
    return agency[:4] + "00"


def require_staff(p: Principal) -> str:
    """Emergency staff (duty officers, commanders, platform administrators): their region's prefix."""
    if p.kind != "staff" or not p.region or not regions.is_well_formed(p.region) or not p.has_any_role(*STAFF):
        raise PermissionDenied("仅应急值班人员可操作", "Only emergency staff may do this")
    return regions.significant_prefix(p.region)


def require_within(p: Principal, region_code: str | None) -> None:
    if not region_code or not regions.covers(p.region or "", region_code):
        raise NotFound(*NOT_FOUND)


def require_agency_staff(p: Principal, agency: str) -> None:
    """Staff of this very agency (a county's duty desk answers its own spot checks and reports)."""
    require_staff(p)
    if agency_of(p.region) != agency:
        raise NotFound(*NOT_FOUND)


def visible_intake(p: Principal, row: Mapping | None) -> Mapping:
    """Staff within the intake's region, or the enterprise it is about; anything else reads as absent."""
    if row is None:
        raise NotFound(*NOT_FOUND)
    if p.kind == "enterprise":
        if not p.uscc or p.uscc != row.get("uscc"):
            raise NotFound(*NOT_FOUND)
        return row
    require_staff(p)
    require_within(p, row["region_code"])
    return row


def require_version(given: int, held: int) -> None:
    """Optimistic concurrency: a write to an existing record names the version it read."""
    if not given:
        raise invalid(FieldViolation("version", "version.required", "请提供记录的当前版本号（version）", "version is required"))
    if given != held:
        raise Conflict("记录已被他人修改，请刷新后重试", f"The record changed (version {held}, not {given}); reload and retry")


# --- small field helpers --------------------------------------------------------------------------

def _obj(value, field: str, label: str, errors: list) -> dict:
    if isinstance(value, dict):
        return value
    errors.append(FieldViolation(field, f"{field}.required" if value is None else f"{field}.type", f"请填写{label}",
                                 f"{field} must be an object"))
    return {}


def _text(obj: Mapping, key: str, field: str, label: str, errors: list, *, max_length: int, required: bool) -> str:
    """jsonio.text of `obj[key]`, its problems named `field`."""
    return jsonio.text(obj, key, label, errors, max_length=max_length, required=required, field=field)


def _phone(obj: Mapping, key: str, field: str, label: str, errors: list, *, required: bool, pattern: re.Pattern = _ROSTER_PHONE) -> str:
    value = _text(obj, key, field, label, errors, max_length=20, required=required)
    if value and not pattern.match(value):
        errors.append(FieldViolation(field, f"{field}.format", f"{label}格式不正确（手机号、带区号的座机号或短号）",
                                     f"{field} is not a phone number"))
    return value


def _region(value, field: str, errors: list, *, label: str = "所属区域") -> str:
    code = value if isinstance(value, str) else ""
    if not code:
        errors.append(FieldViolation(field, f"{field}.required", f"请选择{label}", f"{field} is required"))
    elif not regions.is_well_formed(code):
        errors.append(FieldViolation(field, f"{field}.format", f"{label}应为行政区划代码", f"{field} must be a GB/T 2260 code"))
        return ""
    return code


def _agency(value, field: str, errors: list, agencies: Mapping[str, str], *, counties_only: bool = False) -> str:
    code = _region(value, field, errors, label="单位（县区）")
    if code and (code not in agencies or (counties_only and regions.level(code) != "county")):
        errors.append(FieldViolation(field, f"{field}.agency", "请选择县（市、区）应急管理部门" if counties_only else "请选择应急管理部门",
                                     f"{field} must be {'a county' if counties_only else 'an'} agency of the table duty_agencies"))
        return ""
    return code


def parse_day(value, field: str, label: str, errors: list) -> date | None:
    try:
        return jsonio.day(value, field=field, label=label)
    except Exception as exc:  # noqa: BLE001 — the day's own field error
        errors.extend(getattr(exc, "violations", ()))
        return None


def parse_time(value, field: str, label: str, errors: list, *, required: bool) -> datetime | None:
    """An ISO 8601 time with its offset (2026-12-02T23:10:00+08:00)."""
    if value in (None, ""):
        if required:
            errors.append(FieldViolation(field, f"{field}.required", f"请填写{label}", f"{field} is required"))
        return None
    try:
        t = datetime.fromisoformat(str(value)) if isinstance(value, str) else None
    except ValueError:
        t = None
    if t is None or t.tzinfo is None:
        errors.append(FieldViolation(field, f"{field}.format", f"{label}应为带时区的时间，如 2026-12-02T23:10:00+08:00",
                                     f"{field} must be an ISO 8601 time with an offset"))
        return None
    return t


def _holds(x: float, op: str, limit: float) -> bool:
    """The table's own operator (RULES.md: never inferred from the wording)."""
    if op == "lte":
        return x <= limit
    if op == "lt":
        return x < limit
    raise ValueError(f"unknown operator {op!r}")


def mask_name(name: str) -> str:
    """A person's name in a list: the surname only, 王志强 → 王**; nothing for nothing."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    return codes.mask_phone(phone) if phone else ""


# --- 排班 -------------------------------------------------------------------------------------------

def shift_types(table: Mapping) -> dict[str, Mapping]:
    return {s["code"]: s for s in table["shifts"]}


def _clock(hhmm: str) -> time:
    m = _HHMM.match(hhmm)
    if not m:
        raise ValueError(f"not HH:MM: {hhmm!r}")
    return time(int(m[1]), int(m[2]))


def shift_window(table: Mapping, day: date, code: str) -> tuple[datetime, datetime]:
    """[start, end) of shift `code` on `day`, Beijing time; an end at or before the start is the next day."""
    t = shift_types(table)[code]
    start = datetime.combine(day, _clock(t["start"]), SHANGHAI)
    end = datetime.combine(day, _clock(t["end"]), SHANGHAI)
    if end <= start:
        end += timedelta(days=1)
    return start, end


def overlapping(window: tuple[datetime, datetime], others: Iterable[Mapping], *, ignore: int | None = None) -> list[Mapping]:
    """The shifts of `others` (with starts_at / ends_at) whose time overlaps `window` (half-open)."""
    start, end = window
    return [o for o in others if o.get("id") != ignore and o["starts_at"] < end and start < o["ends_at"]]


def _person(raw, field: str, label: str, errors: list, *, phone_required: bool, with_post: bool = False) -> dict:
    obj = _obj(raw, field, label, errors)
    if not obj:
        return {}
    out = {"name": _text(obj, "name", f"{field}.name", f"{label}姓名", errors, max_length=50, required=True),
           "phone": _phone(obj, "phone", f"{field}.phone", f"{label}电话", errors, required=phone_required)}
    if with_post:
        out["post"] = _text(obj, "post", f"{field}.post", f"{label}职务", errors, max_length=50, required=False)
    return out


def shift(body: Mapping, *, table: Mapping, agencies: Mapping[str, str], today: date) -> dict:
    """A roster entry, every field checked (all problems at once)."""
    errors: list[FieldViolation] = []
    region_code = _agency(body.get("region_code"), "region_code", errors, agencies)
    day = parse_day(body.get("day"), "day", "值班日期", errors)
    if day is not None and not today - timedelta(days=table["roster_past_days"]) <= day <= today + timedelta(days=table["roster_ahead_days"]):
        errors.append(FieldViolation("day", "day.range", f"值班日期应在{table['roster_past_days']}天前至{table['roster_ahead_days']}天后之间",
                                     f"day must be from {table['roster_past_days']} days ago to {table['roster_ahead_days']} days ahead"))
    code = body.get("shift")
    types = shift_types(table)
    if not isinstance(code, str) or code not in types:
        errors.append(FieldViolation("shift", "shift.enum", "请选择班次（" + "、".join(t["name"] for t in table["shifts"]) + "）",
                                     "shift must be one of " + ", ".join(types)))
    people = people_fields(body, table=table, errors=errors)
    if errors:
        raise invalid(*errors)
    starts_at, ends_at = shift_window(table, day, code)
    return {"region_code": region_code, "day": day, "shift": code, "starts_at": starts_at, "ends_at": ends_at, **people}


def people_fields(body: Mapping, *, table: Mapping, errors: list) -> dict:
    """领导带班 (leader: name, post, phone — required), officers (≥ min), contacts, note."""
    leader = _person(body.get("leader"), "leader", "带班领导", errors, phone_required=True, with_post=True)
    officers_raw = body.get("officers")
    officers: list[dict] = []
    lo, hi = table["officers"]["min"], table["officers"]["max"]
    if not isinstance(officers_raw, list) or not lo <= len(officers_raw) <= hi:
        errors.append(FieldViolation("officers", "officers.count", f"值班员应为{lo}至{hi}人", f"officers must list {lo} to {hi} people"))
    else:
        seen: set[str] = set()
        for i, raw in enumerate(officers_raw):
            o = _person(raw, f"officers[{i}]", "值班员", errors, phone_required=False)
            if o.get("name") and o["name"] in seen:
                errors.append(FieldViolation(f"officers[{i}].name", "officers.repeated", "值班员重复", "an officer is listed twice"))
            seen.add(o.get("name", ""))
            officers.append(o)
    contacts_raw = body.get("contacts", [])
    contacts: list[dict] = []
    if contacts_raw is None:
        contacts_raw = []
    if not isinstance(contacts_raw, list) or len(contacts_raw) > table["contacts_max"]:
        errors.append(FieldViolation("contacts", "contacts.count", f"值班联系方式最多{table['contacts_max']}项",
                                     f"contacts must be a list of at most {table['contacts_max']}"))
    else:
        for i, raw in enumerate(contacts_raw):
            c = _obj(raw, f"contacts[{i}]", "联系方式", errors)
            if c:
                contacts.append({"label": _text(c, "label", f"contacts[{i}].label", "联系方式名称", errors, max_length=20, required=True),
                                 "phone": _phone(c, "phone", f"contacts[{i}].phone", "联系电话", errors, required=True)})
    note = _text(body, "note", "note", "备注", errors, max_length=500, required=False)
    return {"leader": leader, "officers": officers, "contacts": contacts, "note": note}


def shift_change(body: Mapping, *, row: Mapping, table: Mapping) -> dict:
    """A change of a saved shift: its people, contacts and note; the agency, day and shift stay."""
    if row.get("handed_over"):
        raise Conflict("该班次已交班，不能再修改", "The shift has handed over; it can no longer change")
    errors: list[FieldViolation] = []
    for key, held in (("region_code", row["region_code"]), ("day", row["day"].isoformat()), ("shift", row["shift"])):
        if key in body and body[key] != held:
            errors.append(FieldViolation(key, f"{key}.immutable", "已排班次的单位、日期和班次不能修改（可删除后重新排班）",
                                         f"{key} of a saved shift cannot change"))
    people = people_fields(body, table=table, errors=errors)
    if errors:
        raise invalid(*errors)
    return people


def shift_removal(row: Mapping, *, handed_to: bool) -> None:
    """A shift leaves the roster only while no handover names it (the log of who was on duty stays)."""
    if row.get("handed_over") or handed_to:
        raise Conflict("已有交接班记录的班次不能删除", "A shift with a handover cannot be deleted")


def people_names(row: Mapping) -> list[str]:
    return [n for n in [(row.get("leader") or {}).get("name")] + [o.get("name") for o in row.get("officers") or []] if n]


def masked_people(row: Mapping, *, full: bool) -> dict:
    """Leader, officers and contacts, with phones whole only for `full` (the agency's own read)."""
    m = (lambda ph: ph or "") if full else mask_phone
    leader = dict(row.get("leader") or {})
    leader["phone"] = m(leader.get("phone", ""))
    return {"leader": leader, "officers": [o | {"phone": m(o.get("phone", ""))} for o in row.get("officers") or []],
            "contacts": [c | {"phone": m(c.get("phone", ""))} for c in row.get("contacts") or []], "phones_masked": not full}


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week of `day` (the roster's week view)."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def roster_range(query: Mapping[str, str], *, today: date, max_days: int = 62) -> tuple[date, date]:
    errors: list[FieldViolation] = []
    start = parse_day(query.get("from"), "from", "开始日期", errors) if query.get("from") else None
    end = parse_day(query.get("to"), "to", "结束日期", errors) if query.get("to") else None
    if errors:
        raise invalid(*errors)
    if start is None and end is None:
        return week_of(today)
    start = start or end - timedelta(days=6)
    end = end or start + timedelta(days=6)
    if end < start:
        raise invalid(FieldViolation("to", "to.before_from", "结束日期早于开始日期", "to is before from"))
    if (end - start).days > max_days:
        raise invalid(FieldViolation("to", "to.range", f"一次最多查询{max_days}天", f"at most {max_days} days at once"))
    return start, end


# --- 交接班 -----------------------------------------------------------------------------------------

def handover(body: Mapping, *, from_shift: Mapping, to_shift: Mapping | None, next_shift: Mapping | None, now: datetime) -> dict:
    """From a shift to the agency's next one, by one of its people to one of the next shift's."""
    if from_shift.get("handed_over"):
        raise Conflict("该班次已交班", "The shift has already handed over")
    errors: list[FieldViolation] = []
    target = to_shift if to_shift is not None else next_shift
    if "to_shift_id" in body and to_shift is None:
        errors.append(FieldViolation("to_shift_id", "to_shift_id.unknown", "接班班次不存在", "No such shift"))
    elif target is None:
        errors.append(FieldViolation("to_shift_id", "to_shift_id.none", "下一班次尚未排班，请先排班", "The next shift is not on the roster yet"))
    elif target["region_code"] != from_shift["region_code"] or next_shift is None or target["id"] != next_shift["id"]:
        errors.append(FieldViolation("to_shift_id", "to_shift_id.not_next", "只能向本单位的下一班次交班", "Hand over to the agency's next shift"))
    if now < from_shift["starts_at"]:
        errors.append(FieldViolation("handed_by", "shift.not_started", "本班次尚未开始，不能交班", "The shift has not started yet"))
    handed_by = _text(body, "handed_by", "handed_by", "交班人", errors, max_length=50, required=True)
    received_by = _text(body, "received_by", "received_by", "接班人", errors, max_length=50, required=True)
    if handed_by and handed_by not in people_names(from_shift):
        errors.append(FieldViolation("handed_by", "handed_by.not_on_shift", "交班人应为本班次的带班领导或值班员",
                                     "handed_by must be the leader or an officer of this shift"))
    if received_by and target is not None and received_by not in people_names(target):
        errors.append(FieldViolation("received_by", "received_by.not_on_shift", "接班人应为接班班次的带班领导或值班员",
                                     "received_by must be the leader or an officer of the next shift"))
    notes = _text(body, "notes", "notes", "交接事项", errors, max_length=2000, required=False)
    matters_raw = body.get("open_matters") or []
    matters: list[str] = []
    if not isinstance(matters_raw, list) or len(matters_raw) > 20:
        errors.append(FieldViolation("open_matters", "open_matters.count", "待办事项最多20条", "open_matters must be a list of at most 20"))
    else:
        for i, m in enumerate(matters_raw):
            if not isinstance(m, str) or not m.strip() or len(m.strip()) > 200:
                errors.append(FieldViolation(f"open_matters[{i}]", "open_matters.item", "每条待办事项应为1至200个字符",
                                             "each open matter is 1 to 200 characters"))
            else:
                matters.append(m.strip())
    if errors:
        raise invalid(*errors)
    return {"to_shift_id": target["id"], "handed_by": handed_by, "received_by": received_by, "notes": notes, "open_matters": matters}


def open_intake_summary(rows: Iterable[Mapping]) -> list[dict]:
    """The open intakes as a handover lists them: what and when, never who called."""
    return [{"id": r["id"], "channel": r["channel"], "channel_name": CHANNEL_ZH.get(r["channel"], r["channel"]),
             "received_at": r["received_at"], "place": r.get("place") or "", "summary": (r.get("content") or "")[:80]} for r in rows]


# --- 查岗 -------------------------------------------------------------------------------------------

def spot_check_start(body: Mapping, *, agencies: Mapping[str, str]) -> dict:
    errors: list[FieldViolation] = []
    region_code = _agency(body.get("region_code"), "region_code", errors, agencies, counties_only=True)
    question = _text(body, "question", "question", "查岗内容", errors, max_length=500, required=True)
    if errors:
        raise invalid(*errors)
    return {"region_code": region_code, "question": question}


def require_level_above(p: Principal, region_code: str) -> str:
    """查岗 comes from the level above: the caller's agency is the one the checked agency answers to."""
    require_staff(p)
    mine = agency_of(p.region)
    if level_above(region_code) != mine:
        raise PermissionDenied("查岗由上一级应急管理部门发起", "A spot check is started by the level above")
    return mine


def spot_check_answer(body: Mapping, *, row: Mapping, now: datetime) -> dict:
    if row.get("answered_at") is not None:
        raise Conflict("该查岗已应答", "The spot check is already answered")
    errors: list[FieldViolation] = []
    answer = _text(body, "answer", "answer", "应答内容", errors, max_length=1000, required=True)
    answered_by = _text(body, "answered_by", "answered_by", "应答人", errors, max_length=50, required=True)
    if errors:
        raise invalid(*errors)
    return {"answer": answer, "answered_by": answered_by, "answered_at": now, "response_seconds": response_seconds(row["asked_at"], now)}


def response_seconds(asked_at: datetime, answered_at: datetime) -> int:
    """Whole seconds from the question to the answer (never negative: clocks of two copies may differ by a little)."""
    return max(0, int((answered_at - asked_at).total_seconds()))


def spot_check_state(row: Mapping, *, now: datetime) -> dict:
    """How a check stands at read: answered within the limit it was asked under, late, waiting, overdue."""
    limit, op = row["limit_seconds"], row.get("limit_op") or "lte"
    if row.get("answered_at") is not None:
        state = "answered" if _holds(row["response_seconds"], op, limit) else "late"
        waited = row["response_seconds"]
    else:
        waited = response_seconds(row["asked_at"], now)
        state = "waiting" if _holds(waited, op, limit) else "overdue"
    return {"state": state, "state_name": SPOT_STATE_ZH[state], "flagged": state in ("late", "overdue"), "elapsed_seconds": waited}


# --- 日报 / 零报告 -----------------------------------------------------------------------------------

def reporting_day(day: date, *, calendar: workdays.Calendar, table: Mapping) -> dict:
    """Whether `day` needs a daily report, and why: a statutory holiday of the State Council's notice
    (a make-up working day is not one), a named sensitive period, or (if the table says so) a weekend."""
    reasons: list[str] = []
    year = calendar.years.get(day.year)
    if table.get("statutory_holidays") and year is not None and day in year.holidays and day not in year.workdays:
        reasons.append(year.holidays[day] or "法定节假日")
    if table.get("weekends") and day.weekday() >= 5 and calendar.is_working_day(day) is False and not reasons:
        reasons.append("周末")
    for period in table.get("sensitive_periods", ()):
        if date.fromisoformat(period["from"]) <= day <= date.fromisoformat(period["to"]):
            reasons.append(period["name"])
    return {"day": day, "required": bool(reasons), "reasons": reasons,
            "provisional": bool(table.get("statutory_holidays")) and not calendar.known(day.year)}


def report_due(day: date, table: Mapping) -> datetime:
    return datetime.combine(day + timedelta(days=1), _clock(table["due_next_day_at"]), SHANGHAI)


def daily_report(body: Mapping, *, today: date, calendar: workdays.Calendar, table: Mapping, agencies: Mapping[str, str],
                 reporting: Iterable[str]) -> dict:
    errors: list[FieldViolation] = []
    region_code = _agency(body.get("region_code"), "region_code", errors, agencies, counties_only=True)
    if region_code and region_code not in set(reporting):
        errors.append(FieldViolation("region_code", "region_code.not_reporting", "该单位不在日报报送单位之列",
                                     "The agency is not one that reports daily"))
    day = parse_day(body.get("day"), "day", "报送日期", errors)
    need = None
    if day is not None:
        if day > today:
            errors.append(FieldViolation("day", "day.future", "不能报送今后日期的日报", "day is in the future"))
        need = reporting_day(day, calendar=calendar, table=table)
        if not need["required"]:
            errors.append(FieldViolation("day", "day.not_required", "该日不是法定节假日或敏感时期，无需报送日报",
                                         "day is neither a holiday nor a sensitive period"))
    nil = body.get("nil")
    if not isinstance(nil, bool):
        errors.append(FieldViolation("nil", "nil.type", "请选择零报告或填写报告内容", "nil must be true or false"))
    content = _text(body, "content", "content", "报告内容", errors, max_length=4000, required=nil is False)
    if errors:
        raise invalid(*errors)
    return {"region_code": region_code, "day": day, "nil": nil, "content": content, "reasons": need["reasons"]}


def report_state(row: Mapping | None, *, due: datetime) -> dict:
    if row is None:
        return {"state": "missing", "state_name": REPORT_STATE_ZH["missing"], "late": False}
    state = "nil" if row["nil"] else "reported"
    return {"state": state, "state_name": REPORT_STATE_ZH[state], "late": row["submitted_at"] > due}


# --- 接报 -------------------------------------------------------------------------------------------

def intake(body: Mapping, *, p: Principal, now: datetime, table: Mapping) -> dict:
    """An incoming report as logged. An enterprise logs for itself: channel 企业接口, its own credit
    code and region, whatever the body says."""
    errors: list[FieldViolation] = []
    is_enterprise = p.kind == "enterprise"
    if is_enterprise:
        channel = "enterprise_api"
    else:
        channel = body.get("channel")
        if channel not in STAFF_CHANNELS:
            errors.append(FieldViolation("channel", "channel.enum", "请选择接报渠道（" + "、".join(CHANNEL_ZH[c] for c in STAFF_CHANNELS) + "）",
                                         "channel must be one of " + ", ".join(STAFF_CHANNELS)))
    received_at = parse_time(body.get("received_at"), "received_at", "接报时间", errors, required=False) or now
    if received_at > now + timedelta(seconds=table["future_tolerance_seconds"]):
        errors.append(FieldViolation("received_at", "received_at.future", "接报时间不能晚于当前时间", "received_at is in the future"))
    elif received_at < now - timedelta(days=table["max_backdate_days"]):
        errors.append(FieldViolation("received_at", "received_at.range", f"接报时间最多追溯{table['max_backdate_days']}天",
                                     f"received_at is more than {table['max_backdate_days']} days ago"))
    caller_name = _text(body, "caller_name", "caller_name", "报告人姓名", errors, max_length=50, required=False)
    caller_phone = _phone(body, "caller_phone", "caller_phone", "报告人电话", errors, required=False, pattern=_CALLER_PHONE)
    caller_unit = _text(body, "caller_unit", "caller_unit", "报告人单位", errors, max_length=100, required=False)
    content = _text(body, "content", "content", "接报内容", errors, max_length=4000, required=True)
    place = _text(body, "place", "place", "事发地点", errors, max_length=200, required=False)
    enterprise_name = _text(body, "enterprise_name", "enterprise_name", "企业名称", errors, max_length=100, required=False)
    if is_enterprise:
        uscc = p.uscc or ""
        region_code = p.region if p.region and regions.is_well_formed(p.region) else codes.uscc_region(uscc)
    else:
        raw = body.get("uscc")
        uscc = raw.strip().upper() if isinstance(raw, str) else ""
        if raw not in (None, "") and (not isinstance(raw, str) or codes.uscc_problem(uscc)):
            errors.append(FieldViolation("uscc", "uscc.invalid", "统一社会信用代码不正确", "uscc is not a valid credit code"))
        region_code = _region(body.get("region_code"), "region_code", errors, label="事发区域")
        if region_code and regions.county_of(region_code) is None:
            errors.append(FieldViolation("region_code", "region_code.county", "事发区域应为县（区）或乡镇（街道）", "region_code must be a county or township"))
        elif region_code and not regions.covers(p.region or "", region_code):
            errors.append(FieldViolation("region_code", "region_code.outside", "事发区域不在本单位辖区内", "region_code is outside your region"))
    if errors:
        raise invalid(*errors)
    return {"channel": channel, "received_at": received_at, "caller_name": caller_name, "caller_phone": caller_phone,
            "caller_unit": caller_unit, "content": content, "place": place, "region_code": region_code, "uscc": uscc or None,
            "enterprise_name": enterprise_name or None}


def monitoring_intake(data: Mapping, *, table: Mapping, now: datetime) -> dict | None:
    """The intake a four-colour warning event logs by itself: a warning that turned red (the table's
    colours), not older than the table's age when it arrives; None for any other change."""
    rule = table["monitoring"]
    colour, previous = data.get("colour"), data.get("previous")
    if colour not in rule["colours"] or previous in rule["colours"]:
        return None
    uscc, region_code = data.get("uscc") or "", data.get("region_code") or ""
    changed_raw = data.get("changed_at")
    try:
        changed_at = datetime.fromisoformat(str(changed_raw).replace("Z", "+00:00"))
    except ValueError:
        changed_at = None
    if not uscc or not regions.is_well_formed(region_code) or changed_at is None or changed_at.tzinfo is None:
        raise ValueError("warning event without uscc, region_code or changed_at")
    if changed_at < now - timedelta(hours=rule["max_age_hours"]):
        return None
    scope = "重大危险源" if data.get("scope") == "source" else "企业"
    reason = str(data.get("reason") or "")[:500]
    content = f"监测预警：{scope}预警升为红色" + (f"（{reason}）" if reason else "") + f"，统一社会信用代码 {uscc}。"
    return {"channel": "monitoring_alarm", "received_at": changed_at, "caller_name": "", "caller_phone": "", "caller_unit": "远程监控监测预警系统",
            "content": content, "place": "", "region_code": region_code, "uscc": uscc, "enterprise_name": None}


def link(body: Mapping) -> tuple[str, int | dict]:
    """并入事件 {incident_id} or 转为事件 {new_incident: {…}} — exactly one."""
    incident_id, new = body.get("incident_id"), body.get("new_incident")
    if (incident_id is None) == (new is None):
        raise invalid(FieldViolation("incident_id", "link.one_of", "请选择转为新事件或并入已有事件（二选一）",
                                     "Give either incident_id (join) or new_incident (become one)"))
    if incident_id is not None:
        if not isinstance(incident_id, int) or isinstance(incident_id, bool) or not 0 < incident_id < 2**63:
            raise invalid(FieldViolation("incident_id", "incident_id.type", "请选择要并入的事件", "incident_id must be an incident's id"))
        return "join", incident_id
    if not isinstance(new, dict):
        raise invalid(FieldViolation("new_incident", "new_incident.type", "请填写新事件的信息", "new_incident must be an object"))
    return "new", new


def close(body: Mapping) -> str:
    errors: list[FieldViolation] = []
    reason = _text(body, "reason", "reason", "办结理由", errors, max_length=500, required=True)
    if errors:
        raise invalid(*errors)
    return reason


def transition(row: Mapping, to: str) -> None:
    """open → became_incident | joined | closed_no_action; nothing leaves those."""
    if to not in TRANSITIONS.get(row["status"], ()):
        raise Conflict(f"接报已{STATUS_ZH.get(row['status'], row['status'])}，不能再处置",
                       f"The intake is {row['status']}; it can no longer change")


def incident_intake(row: Mapping) -> dict:
    """What the incident is told about the intake (services/emergency/incidents/servicer.py)."""
    return {"id": row["id"], "channel": row["channel"], "received_at": row["received_at"], "caller_name": row["caller_name"],
            "content": row["content"]}


def intake_view(row: Mapping, *, full: bool, agencies: Mapping[str, str]) -> dict:
    """The intake as the REST page shows it; the caller masked unless `full` (the intake's own read)."""
    return {"id": row["id"], "channel": row["channel"], "channel_name": CHANNEL_ZH.get(row["channel"], row["channel"]),
            "received_at": row["received_at"],
            "caller_name": row["caller_name"] if full else mask_name(row["caller_name"]),
            "caller_phone": row["caller_phone"] if full else mask_phone(row["caller_phone"]),
            "caller_unit": row["caller_unit"], "content": row["content"], "place": row["place"], "region_code": row["region_code"],
            "agency_name": agencies.get(agency_of(row["region_code"]), ""), "uscc": row["uscc"], "enterprise_name": row["enterprise_name"],
            "status": row["status"], "status_name": STATUS_ZH[row["status"]], "open": row["status"] == "open",
            "incident_id": row["incident_id"], "closed_reason": row["closed_reason"], "handled_by": row["handled_by"],
            "handled_at": row["handled_at"], "logged_by": row["logged_by"], "logged_by_kind": row["logged_by_kind"],
            "logged_at": row["logged_at"], "caller_masked": not full, "version": row["version"]}
