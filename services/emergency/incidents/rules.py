"""Incidents (突发事件) of the emergency platform: pure rules (ADR 0010 (b), docs/emergency.md).

- Who: emergency staff (应急值班员, 应急指挥长, 平台管理员) of a region act on the incidents of their
  region and everything beneath it; commanders (应急指挥长, 平台管理员) decide the response level, set
  the command structure, change the status and close; anyone else is refused (enterprises' reports
  arrive as duty intakes, services/emergency/duty/).
- An incident's body is checked field by field, answered in Chinese and English; its type, sources,
  report clock, response levels and command groups come from the rule tables in `tables/`.
- The report chain 首报 / 续报 (numbered) / 终报 (RULES: "report what is known first, then add"):
  each report's deadline is computed at read from stored times and the `incident_reporting` table —
  a report exactly at its deadline is on time, a second later is 迟报, a deadline passed with no
  report is 漏报. Nothing here keeps a timer.
- The accident grade is the data centre's (国务院令第493号, computed there): the response-level
  suggestion only maps it (and the number to relocate) through the `response_levels` table.
Every function takes the time as a parameter.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from services.kit import jsonio, regions, roles
from services.kit.auth import Principal
from services.kit.codes import mask_phone, uscc_problem
from services.kit.errors import Conflict, FieldViolation, NotFound, PermissionDenied, invalid

SHANGHAI = ZoneInfo("Asia/Shanghai")

STATUS_ZH = {"reported": "已接报", "responding": "响应中", "stabilised": "已稳定", "closed": "已结案", "merged": "已合并"}
# Status moves through UpdateIncident (commanders); `closed` only through the close-out (CloseIncident).
STATUS_MOVES = {"reported": ("responding", "stabilised", "merged"), "responding": ("stabilised", "merged"),
                "stabilised": ("responding", "closed", "merged"), "closed": (), "merged": ()}
FINISHED = ("closed", "merged")

REPORT_KINDS = {"first": "首报", "follow_up": "续报", "final": "终报"}
TASK_STATUS_ZH = {"assigned": "已下达", "accepted": "已接收", "in_progress": "处置中", "done": "已完成", "cancelled": "已取消"}
TASK_MOVES = {"assigned": ("accepted", "cancelled"), "accepted": ("in_progress", "cancelled"), "in_progress": ("done", "cancelled"),
              "done": (), "cancelled": ()}
TASK_OPEN = ("assigned", "accepted", "in_progress")
# The names of the data centre's grade codes (services/datacenter/accidents/rules.py GRADES): display only.
GRADE_ZH = {"general": "一般", "large": "较大", "major": "重大", "extraordinary": "特别重大"}
FLAG_ZH = {"on_time": "按时报送", "late": "迟报", "missing": "漏报", "pending": "待报送"}
CASUALTIES = (("deaths", "死亡人数"), ("missing", "失踪人数"), ("injured", "受伤人数"), ("serious_injuries", "其中重伤人数"),
              ("trapped", "被困人数"), ("affected", "受影响人数"), ("to_relocate", "需转移安置人数"))
CASUALTY_KEYS = tuple(k for k, _ in CASUALTIES)
MAX_COUNT = 100_000_000
# The fields of a report besides its figures (RULES.md §17: time, place, source and unit are the incident's own).
REPORT_TEXT = (("course", "事件经过及现状", 5000), ("cause", "初步原因", 2000), ("impact", "影响范围", 2000),
               ("trend", "发展趋势", 2000), ("actions", "已采取的措施", 5000), ("requests", "请求支援事项", 2000),
               ("on_site_commander", "现场指挥", 50))
CLOSURE_TEXT = (("summary", "处置总结", 5000, True), ("evaluation", "总结评估", 5000, True), ("lessons", "经验教训", 5000, False),
                ("plan_changes", "预案修订建议", 5000, False))
UPDATABLE = ("title", "address", "lon", "lat", "description", "casualties", "status", "merged_into", "uscc")
_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
SKEW = timedelta(minutes=5)  # a client's clock a little ahead of ours is not a time "in the future"


# --- who --------------------------------------------------------------------------------------------

def require_staff(p: Principal) -> str:
    """Emergency staff of a region; returns the prefix of the region they see."""
    if p.kind != "staff" or not p.region or not p.has_any_role(*roles.EMERGENCY_STAFF):
        raise PermissionDenied("仅应急管理人员可处理突发事件", "Only emergency staff handle incidents")
    return regions.significant_prefix(p.region)


def require_commander(p: Principal) -> None:
    require_staff(p)
    if not p.has_any_role(*roles.EMERGENCY_COMMANDERS):
        raise PermissionDenied("仅应急指挥长或平台管理员可确定响应级别、调整指挥机构、变更状态和结案",
                               "Only commanders decide levels, set the command, change the status and close")


def visible(p: Principal, row: Mapping | None) -> Mapping:
    """The incident if the caller's region covers it; otherwise it reads as absent (404)."""
    require_staff(p)
    if row is None or not regions.covers(p.region, row["region_code"]):
        raise NotFound("未找到该事件", "No such incident")
    return row


def open_for_writes(row: Mapping) -> None:
    """Closed and merged incidents take notes only (the timeline stays the incident's memory)."""
    if row["status"] in FINISHED:
        raise Conflict("事件已结案或已并入其他事件，只能补充记录", "The incident is closed or merged; only notes may be added")


def agency_level(region_code: str) -> str:
    """The level of the agency whose staff work in `region_code` (the data centre's report levels)."""
    return "county" if regions.county_of(region_code) else "city"


# --- small parsers ------------------------------------------------------------------------------------

def _at(value, field: str, label: str, errors: list, *, required: bool) -> datetime | None:
    """An ISO-8601 time with its offset (a time without one is ambiguous)."""
    if value in (None, ""):
        if required:
            errors.append(FieldViolation(field, f"{field}.required", f"请填写{label}", f"{field} is required"))
        return None
    try:
        at = datetime.fromisoformat(str(value))
        at = at if at.tzinfo is not None and 1900 <= at.year <= 2200 else None
    except (ValueError, OverflowError):
        at = None
    if at is None:
        errors.append(FieldViolation(field, f"{field}.format", f"{label}格式应为带时区的时间，如 2026-12-02T09:30:00+08:00",
                                     f"{field} must be an ISO-8601 time with its offset"))
        return None
    return at.astimezone(SHANGHAI)


def _text(body: Mapping, name: str, label: str, errors: list, *, max_length: int, required: bool = False, field: str = "",
          min_length: int = 0) -> str:
    """jsonio.text, optional unless said otherwise."""
    return jsonio.text(body, name, label, errors, max_length=max_length, required=required, field=field, min_length=min_length)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def casualties(raw, errors: list, *, base: Mapping | None = None, field: str = "casualties") -> dict:
    """The seven figures (absolute counts; those not given keep `base`, else 0)."""
    out = {k: int((base or {}).get(k) or 0) for k in CASUALTY_KEYS}
    if raw is None:
        return out
    if not isinstance(raw, Mapping):
        errors.append(FieldViolation(field, f"{field}.type", "伤亡情况应为对象（死亡、失踪、受伤……人数）", f"{field} must be an object"))
        return out
    labels = dict(CASUALTIES)
    for key, value in raw.items():
        if key not in labels:
            errors.append(FieldViolation(f"{field}.{key}", f"{field}.{key}.unknown", f"伤亡情况没有“{key}”一项", f"{field} has no {key}"))
        elif not _is_int(value) or not 0 <= value <= MAX_COUNT:
            errors.append(FieldViolation(f"{field}.{key}", f"{field}.{key}.range", f"{labels[key]}应为非负整数",
                                         f"{field}.{key} must be a non-negative integer"))
        else:
            out[key] = value
    if out["serious_injuries"] > out["injured"]:
        errors.append(FieldViolation(f"{field}.serious_injuries", f"{field}.serious_injuries.exceeds", "重伤人数不能多于受伤人数",
                                     "serious_injuries cannot exceed injured"))
    return out


def _phone(value, field: str, label: str, errors: list) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not _PHONE.match(value.strip()):
        errors.append(FieldViolation(field, f"{field}.format", f"{label}格式不正确", f"{field} is not a phone number"))
        return ""
    return value.strip()


def _money(value, field: str, label: str, errors: list) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)) if not isinstance(value, bool) and isinstance(value, (int, float, str)) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > Decimal("1e13") or amount.as_tuple().exponent < -2:
        errors.append(FieldViolation(field, f"{field}.range", f"{label}应为不小于0的金额（元，最多两位小数）",
                                     f"{field} must be an amount in CNY ≥ 0 with at most 2 decimals"))
        return None
    return amount


# --- the incident -------------------------------------------------------------------------------------

def types_of(table: Mapping) -> dict[str, dict]:
    return {t["code"]: t for t in table["types"]}


def incident(body: Mapping, *, types_table: Mapping, now: datetime, intake: Mapping | None = None) -> dict:
    """A new incident's fields (CreateIncident, or a duty intake becoming one). With an intake, the
    time the agency learned of it (reported_at) and the source default to the intake's."""
    errors: list[FieldViolation] = []
    types = types_of(types_table)
    title = _text(body, "title", "事件名称", errors, max_length=200, required=True, min_length=4)
    code = body.get("type")
    kind = types.get(code) if isinstance(code, str) else None
    if code in (None, ""):
        errors.append(FieldViolation("type", "type.required", "请选择事件类型", "type is required"))
    elif kind is None:
        errors.append(FieldViolation("type", "type.enum", "事件类型不在事件类型表中", "type is not one of the incident types"))
    subtype = body.get("subtype") or None
    if kind is not None:
        subtype = subtype if subtype is None or isinstance(subtype, str) else "?"
        subtypes = dict(kind["subtypes"])
        if subtype is None and kind["subtype_required"]:
            errors.append(FieldViolation("subtype", "subtype.required", f"请选择{kind['subtype_label']}", "subtype is required for this type"))
        elif subtype is not None and subtype not in subtypes:
            errors.append(FieldViolation("subtype", "subtype.enum", f"{kind['subtype_label']}不在该事件类型的类别中",
                                         "subtype is not one of this type's subtypes"))
    region = str(body.get("region_code") or "")
    if not region:
        errors.append(FieldViolation("region_code", "region_code.required", "请选择事发县（区）", "region_code is required"))
    elif not regions.is_well_formed(region) or regions.county_of(region) is None:
        errors.append(FieldViolation("region_code", "region_code.format", "事发地应为县（区）或乡镇（街道）的区划代码",
                                     "region_code must be a county or township code"))
    address = _text(body, "address", "事发地点", errors, max_length=300, required=True)
    lon, lat = location(body, errors)
    occurred = _at(body.get("occurred_at"), "occurred_at", "发生时间", errors, required=True)
    if occurred is not None and occurred > now + SKEW:
        errors.append(FieldViolation("occurred_at", "occurred_at.future", "发生时间不能晚于当前时间", "occurred_at is in the future"))
    default_learned = (intake or {}).get("received_at")
    learned = _at(body.get("reported_at") or default_learned, "reported_at", "接报时间", errors, required=False) or now
    if learned > now + SKEW:
        errors.append(FieldViolation("reported_at", "reported_at.future", "接报时间不能晚于当前时间", "reported_at is in the future"))
    elif occurred is not None and learned < occurred:
        errors.append(FieldViolation("reported_at", "reported_at.before_occurred", "接报时间不能早于发生时间",
                                     "reported_at is before occurred_at"))
    sources = dict(types_table["sources"])
    source = body.get("source") or ((intake or {}).get("channel") if (intake or {}).get("channel") in sources else None)
    if not source:
        errors.append(FieldViolation("source", "source.required", "请选择信息来源", "source is required"))
    elif not isinstance(source, str) or source not in sources:
        errors.append(FieldViolation("source", "source.enum", "信息来源应为电话、网络、企业接口、监测报警、12350或上级交办",
                                     "source is not one of the sources"))
    uscc = body.get("uscc") or None
    if uscc is not None:
        uscc = str(uscc).strip().upper()
        if uscc_problem(uscc):
            errors.append(FieldViolation("uscc", "uscc.format", "统一社会信用代码不正确", "uscc is not a valid credit code"))
    figures = casualties(body.get("casualties"), errors)
    description = _text(body, "description", "事件概况", errors, max_length=5000, required=True)
    first = None
    if body.get("first_report") is not None:
        if not isinstance(body["first_report"], Mapping):
            errors.append(FieldViolation("first_report", "first_report.type", "首报内容应为对象", "first_report must be an object"))
        else:
            first = report_content(body["first_report"], kind="first", errors=errors, now=now, occurred_at=occurred,
                                   figures=figures, prefix="first_report.")
    if errors:
        raise invalid(*errors)
    return {"title": title, "type": code, "subtype": subtype, "region_code": region, "address": address, "lon": lon, "lat": lat,
            "occurred_at": occurred, "reported_at": learned, "source": source, "uscc": uscc, "casualties": figures,
            "description": description, "first_report": first}


def location(body: Mapping, errors: list) -> tuple[float | None, float | None]:
    """lon and lat together (WGS 84, within China's rough bounds) or neither."""
    lon, lat = body.get("lon"), body.get("lat")
    if lon is None and lat is None:
        return None, None
    out = []
    for name, value, lo, hi, label in (("lon", lon, 73, 136, "经度"), ("lat", lat, 3, 54, "纬度")):
        if value is None:
            errors.append(FieldViolation(name, f"{name}.required", "经度和纬度应同时填写", "lon and lat go together"))
            out.append(None)
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            errors.append(FieldViolation(name, f"{name}.range", f"{label}应在{lo}至{hi}之间", f"{name} must be between {lo} and {hi}"))
            out.append(None)
        else:
            out.append(float(value))
    return out[0], out[1]


def changes(body: Mapping, *, row: Mapping) -> dict:
    """UpdateIncident: the fields a body may change (type, place's county, times and source are
    fixed once entered; an enterprise may be named later, once)."""
    errors: list[FieldViolation] = []
    given = {k: v for k, v in body.items() if k != "version"}
    for key in given:
        if key not in UPDATABLE:
            errors.append(FieldViolation(key, f"{key}.not_updatable", f"“{key}”登记后不能修改", f"{key} cannot be changed"))
    out: dict = {}
    if "title" in given:
        out["title"] = _text(given, "title", "事件名称", errors, max_length=200, required=True, min_length=4)
    if "address" in given:
        out["address"] = _text(given, "address", "事发地点", errors, max_length=300, required=True)
    if "description" in given:
        out["description"] = _text(given, "description", "事件概况", errors, max_length=5000, required=True)
    if "lon" in given or "lat" in given:
        out["lon"], out["lat"] = location(given, errors)
    if "casualties" in given:
        out["casualties"] = casualties(given["casualties"], errors, base=row["casualties"])
    if "uscc" in given:
        uscc = str(given.get("uscc") or "").strip().upper()
        if row.get("uscc"):
            errors.append(FieldViolation("uscc", "uscc.not_updatable", "已登记涉事单位，不能更改", "The enterprise is already set"))
        elif uscc_problem(uscc):
            errors.append(FieldViolation("uscc", "uscc.format", "统一社会信用代码不正确", "uscc is not a valid credit code"))
        else:
            out["uscc"] = uscc
    if "status" in given:
        status = given["status"]
        if not isinstance(status, str) or status not in STATUS_ZH:
            errors.append(FieldViolation("status", "status.enum", "状态应为已接报、响应中、已稳定、已合并之一", "status is not a status"))
        elif status == "closed":
            errors.append(FieldViolation("status", "status.use_closure", "结案请填写总结评估", "Close through the close-out"))
        elif status != row["status"] and status not in STATUS_MOVES[row["status"]]:
            errors.append(FieldViolation("status", "status.transition", f"事件不能从“{STATUS_ZH[row['status']]}”变为“{STATUS_ZH[status]}”",
                                         f"An incident cannot go from {row['status']} to {status}"))
        elif status != row["status"]:
            out["status"] = status
    if out.get("status") == "merged" or "merged_into" in given:
        target = given.get("merged_into")
        if out.get("status") != "merged":
            errors.append(FieldViolation("merged_into", "merged_into.without_status", "并入其他事件时状态应为已合并",
                                         "merged_into goes with status merged"))
        elif not _is_int(target) or not 0 < target < 2**63:
            errors.append(FieldViolation("merged_into", "merged_into.required", "请指明并入的事件编号", "merged_into is required"))
        elif target == row["id"]:
            errors.append(FieldViolation("merged_into", "merged_into.self", "不能并入事件本身", "An incident cannot merge into itself"))
        else:
            out["merged_into"] = target
    if errors:
        raise invalid(*errors)
    if not out:
        raise invalid(FieldViolation("body", "body.empty", "没有要修改的内容", "Nothing to change"))
    return out


# --- the report chain ---------------------------------------------------------------------------------

def report_content(body: Mapping, *, kind: str, errors: list, now: datetime, occurred_at: datetime | None, figures: Mapping,
                   prefix: str = "") -> dict:
    """A report's content (RULES.md §17): the course is always required, the cause in the 终报; the
    figures (absolute counts) update the incident's."""
    out = {}
    for name, label, max_length in REPORT_TEXT:
        out[name] = _text(body, name, label, errors, max_length=max_length, field=prefix + name,
                          required=name == "course" or (name == "cause" and kind == "final"))
    out["casualties"] = casualties(body.get("casualties"), errors, base=figures, field=prefix + "casualties")
    out["direct_loss_cny"] = _money(body.get("direct_loss_cny"), prefix + "direct_loss_cny", "直接经济损失", errors)
    out["phoned_at"] = None
    if body.get("phoned_at") not in (None, ""):
        if kind != "first":
            errors.append(FieldViolation(prefix + "phoned_at", f"{prefix}phoned_at.first_only", "电话报告时间只用于首报",
                                         "phoned_at belongs to the first report"))
        else:
            phoned = _at(body.get("phoned_at"), prefix + "phoned_at", "电话报告时间", errors, required=False)
            if phoned is not None and phoned > now + SKEW:
                errors.append(FieldViolation(prefix + "phoned_at", f"{prefix}phoned_at.future", "电话报告时间不能晚于当前时间",
                                             "phoned_at is in the future"))
            elif phoned is not None and occurred_at is not None and phoned < occurred_at:
                errors.append(FieldViolation(prefix + "phoned_at", f"{prefix}phoned_at.before_occurred", "电话报告时间不能早于发生时间",
                                             "phoned_at is before occurred_at"))
            else:
                out["phoned_at"] = phoned
    return out


def report(body: Mapping, *, row: Mapping, existing: Sequence[Mapping], now: datetime) -> dict:
    """AddReport: the kind in its order (one 首报, then 续报 numbered 1, 2, …, one 终报 last) and its content."""
    kind = body.get("kind")
    if not isinstance(kind, str) or kind not in REPORT_KINDS:
        raise invalid(FieldViolation("kind", "kind.enum", "报告类型应为首报、续报或终报", "kind must be first, follow_up or final"))
    kinds = [r["kind"] for r in existing]
    if kind == "first" and "first" in kinds:
        raise Conflict("首报已报送，请报送续报", "The first report was already made")
    if kind != "first" and "first" not in kinds:
        raise Conflict("请先报送首报", "Make the first report first")
    if "final" in kinds:
        raise Conflict("终报已报送，不能再报", "The final report was already made")
    errors: list[FieldViolation] = []
    content = report_content(body, kind=kind, errors=errors, now=now, occurred_at=row["occurred_at"], figures=row["casualties"])
    if errors:
        raise invalid(*errors)
    number = 1 + max((r["number"] for r in existing if r["kind"] == "follow_up"), default=0) if kind == "follow_up" else 0
    return content | {"kind": kind, "number": number}


def report_label(kind: str, number: int) -> str:
    return f"续报（第{number}次）" if kind == "follow_up" else REPORT_KINDS[kind]


def clock_grade(*, accident_grade: str | None, level: int | None, levels_table: Mapping, reporting_table: Mapping) -> str:
    """The grade the report clock runs on: the accident's (the data centre's), else the one the
    decided response level stands for, else the table's `ungraded_as`."""
    if accident_grade:
        return accident_grade
    if level:
        for grade, lvl in levels_table["by_grade"].items():
            if lvl == level:
                return grade
    return reporting_table["ungraded_as"]


def first_deadlines(*, learned_at: datetime, grade: str, table: Mapping) -> tuple[datetime | None, datetime]:
    """(by phone, in writing) for the 首报, counted from when the agency learned of the incident."""
    rule = table["first"][grade]
    phone = learned_at + timedelta(minutes=rule["phone_minutes"]) if rule.get("phone_minutes") is not None else None
    return phone, learned_at + timedelta(minutes=rule["written_minutes"])


def follow_up_due(*, first_at: datetime, number: int, table: Mapping) -> datetime:
    """The `number`-th 续报 is due at the `number`-th of the table's daily times (08:00, 17:00
    Beijing) that is at least `first_after_minutes` after the 首报."""
    rule = table["follow_up"]
    times = sorted(time.fromisoformat(t) for t in rule["daily_at"])
    earliest = first_at.astimezone(SHANGHAI) + timedelta(minutes=rule["first_after_minutes"])
    day, seen = earliest.date(), 0
    while True:
        for t in times:
            slot = datetime.combine(day, t, tzinfo=SHANGHAI)
            if slot >= earliest:
                seen += 1
                if seen == number:
                    return slot
        day += timedelta(days=1)


def final_due(*, stabilised_at: datetime | None, table: Mapping) -> datetime | None:
    if stabilised_at is None:
        return None
    return stabilised_at + timedelta(hours=table["final"]["after_stabilised_hours"])


def flag(made_at: datetime | None, due: datetime | None, now: datetime) -> str:
    """on_time (at the deadline or before), late (迟报), missing (漏报: due and not made), pending."""
    if due is None:
        return "on_time" if made_at is not None else "pending"
    if made_at is not None:
        return "on_time" if made_at <= due else "late"
    return "missing" if now > due else "pending"


def _flagged(status: str) -> dict:
    return {"status": status, "status_name": FLAG_ZH[status], "late": status in ("late", "missing")}


def report_clock(*, incident: Mapping, reports: Sequence[Mapping], grade: str, table: Mapping, now: datetime) -> dict:
    """Each report's deadline and flag, the next one expected and its deadline.

    The 首报's deadline uses the grade stored with it (the grade known when it was made), or today's
    grade while it is still missing: a grade that rises later does not make an on-time report late.
    续报 are expected while the incident is reported or responding, up to the 终报; the 终报 once the
    incident has stabilised."""
    first = next((r for r in reports if r["kind"] == "first"), None)
    final = next((r for r in reports if r["kind"] == "final"), None)
    follow_ups = sorted((r for r in reports if r["kind"] == "follow_up"), key=lambda r: r["number"])
    first_grade = (first or {}).get("grade") or grade
    phone_due, written_due = first_deadlines(learned_at=incident["reported_at"], grade=first_grade, table=table)
    per_report: dict = {}
    out: dict = {"grade": grade, "grade_name": GRADE_ZH.get(grade, grade)}
    if first is not None:
        phoned = min(t for t in (first.get("phoned_at"), first["reported_at"]) if t is not None)
        f = _flagged(flag(first["reported_at"], written_due, now))
        p_status = flag(phoned, phone_due, now) if phone_due else None
        per_report[first["id"]] = f | {"due": written_due, "phone_due": phone_due,
                                       "phone_status": p_status, "phone_status_name": FLAG_ZH.get(p_status or "", None),
                                       "late": f["late"] or p_status == "late"}
        for r in follow_ups:
            due = follow_up_due(first_at=first["reported_at"], number=r["number"], table=table)
            per_report[r["id"]] = _flagged(flag(r["reported_at"], due, now)) | {"due": due}
    expected = None
    if first is None:
        p_status = flag(None, phone_due, now) if phone_due else None
        expected = {"kind": "first", "label": "首报", "number": 0, "due": written_due, "phone_due": phone_due,
                    "phone_status": p_status} | _flagged(flag(None, written_due, now))
        if p_status == "missing":
            expected["late"] = True
    elif final is None and incident["status"] in ("reported", "responding"):
        number = (follow_ups[-1]["number"] if follow_ups else 0) + 1
        due = follow_up_due(first_at=first["reported_at"], number=number, table=table)
        expected = {"kind": "follow_up", "label": report_label("follow_up", number), "number": number, "due": due} | _flagged(
            flag(None, due, now))
    due_final = final_due(stabilised_at=incident.get("stabilised_at"), table=table)
    if final is not None:
        per_report[final["id"]] = _flagged(flag(final["reported_at"], due_final, now)) | {"due": due_final}
    elif expected is None and due_final is not None and incident["status"] in ("stabilised", "closed"):
        expected = {"kind": "final", "label": "终报", "number": 0, "due": due_final} | _flagged(flag(None, due_final, now))
    out["reports"] = per_report
    out["next"] = expected
    out["late_count"] = sum(1 for v in per_report.values() if v["late"]) + (1 if expected and expected["late"] else 0)
    return out


# --- response level -----------------------------------------------------------------------------------

def _compare(x, op: str, value) -> bool:
    return {"gte": x >= value, "gt": x > value, "lte": x <= value, "lt": x < value}[op]


def level_name(level: int | None, table: Mapping) -> str | None:
    return dict((lvl, name) for lvl, name in table["levels"]).get(level) if level else None


def suggest_level(*, grade: str | None, figures: Mapping, table: Mapping) -> dict | None:
    """Ⅰ–Ⅳ from the accident's grade (特别重大 → Ⅰ … 一般 → Ⅳ) and the table's thresholds (Ⅰ when
    100,000 or more are to be relocated); the highest level any of them reaches. None when nothing
    applies (an incident that is not an accident, below every threshold)."""
    found: list[tuple[int, str, str]] = []
    if grade:
        found.append((table["by_grade"][grade], f"事故等级为{GRADE_ZH.get(grade, grade)}", f"accident grade {grade}"))
    for t in table["thresholds"]:
        if _compare(int(figures.get(t["field"]) or 0), t["op"], t["value"]):
            found.append((t["level"], t["reason_zh"], t["reason_en"]))
    if not found:
        return None
    level = min(lvl for lvl, _, _ in found)
    return {"level": level, "level_name": level_name(level, table), "basis": [zh for lvl, zh, _ in found if lvl == level],
            "basis_en": [en for lvl, _, en in found if lvl == level]}


def level_decision(body: Mapping, *, suggestion: Mapping | None, table: Mapping) -> dict:
    """DecideLevel: a level Ⅰ–Ⅳ (1–4); the reason is required when it differs from the suggestion
    (or there is none); the activated plan is optional."""
    errors: list[FieldViolation] = []
    level = body.get("level")
    levels = [lvl for lvl, _ in table["levels"]]
    if not _is_int(level) or level not in levels:
        errors.append(FieldViolation("level", "level.enum", "响应级别应为Ⅰ级至Ⅳ级（1至4）", "level must be 1 to 4"))
    differs = suggestion is None or level != suggestion["level"]
    reason = _text(body, "reason", "理由", errors, max_length=1000)
    if differs and not reason and not any(v.field == "reason" for v in errors):
        errors.append(FieldViolation("reason", "reason.required",
                                     "响应级别与建议级别不同，请说明理由" if suggestion else "尚无建议级别，请说明确定该级别的理由",
                                     "A level other than the suggested one needs a reason"))
    plan = _text(body, "plan_name", "启动的预案", errors, max_length=200)
    if errors:
        raise invalid(*errors)
    return {"level": level, "reason": reason, "plan_name": plan or None, "suggested": suggestion["level"] if suggestion else None}


# --- command structure and tasks ----------------------------------------------------------------------

def _person(raw, field: str, label: str, errors: list, *, required: bool) -> dict | None:
    if raw is None and not required:
        return None
    if not isinstance(raw, Mapping):
        errors.append(FieldViolation(f"{field}.name", f"{field}.name.required", f"请填写{label}姓名", f"{field}.name is required"))
        return None
    name = _text(raw, "name", f"{label}姓名", errors, max_length=50, required=True, field=f"{field}.name", min_length=2)
    phone = _phone(raw.get("phone"), f"{field}.phone", f"{label}电话", errors)
    duty = _text(raw, "duty", f"{label}职务", errors, max_length=100, field=f"{field}.duty")
    return {"name": name, "phone": phone or None, "duty": duty or None}


def command(body: Mapping, *, table: Mapping) -> dict:
    """SetCommand: the commander (总指挥) and the working groups of the table, each with its leader and members."""
    errors: list[FieldViolation] = []
    commander = _person(body.get("commander"), "commander", "总指挥", errors, required=True)
    names = dict(table["groups"])
    raw = body.get("groups") if body.get("groups") is not None else []
    groups = []
    if not isinstance(raw, list):
        errors.append(FieldViolation("groups", "groups.type", "工作组应为列表", "groups must be a list"))
        raw = []
    seen: set[str] = set()
    for i, g in enumerate(raw):
        at = f"groups[{i}]"
        if not isinstance(g, Mapping):
            errors.append(FieldViolation(at, f"{at}.type", "工作组格式不正确", f"{at} must be an object"))
            continue
        code = g.get("code")
        if not isinstance(code, str) or code not in names:
            errors.append(FieldViolation(f"{at}.code", "groups.code.enum", "工作组不在工作组设置表中", f"{at}.code is not a group"))
        elif code in seen:
            errors.append(FieldViolation(f"{at}.code", "groups.code.duplicate", f"{names[code]}重复", f"{at}.code appears twice"))
        else:
            seen.add(code)
        leader = _person(g.get("leader"), f"{at}.leader", "组长", errors, required=True)
        members_raw = g.get("members") if g.get("members") is not None else []
        if not isinstance(members_raw, list) or len(members_raw) > table["max_members"]:
            errors.append(FieldViolation(f"{at}.members", "groups.members.range", f"每组成员不超过{table['max_members']}人",
                                         f"at most {table['max_members']} members"))
            members_raw = []
        members = [x for j, m in enumerate(members_raw)
                   if (x := _person(m, f"{at}.members[{j}]", "成员", errors, required=True)) is not None]
        groups.append({"code": code, "name": names.get(code, ""), "leader": leader, "members": members})
    if errors:
        raise invalid(*errors)
    order = [c for c, _ in table["groups"]]
    groups.sort(key=lambda g: order.index(g["code"]))
    return {"commander": commander, "groups": groups}


def masked_command(cmd: Mapping | None, *, mask: bool) -> dict | None:
    """Phones shown whole to those who edit the structure (commanders), masked for everyone else."""
    if not cmd:
        return None
    def person(x):
        if not x:
            return x
        return x | {"phone": mask_phone(x["phone"]) if mask and x.get("phone") else x.get("phone")}
    return {"commander": person(cmd.get("commander")),
            "groups": [g | {"leader": person(g.get("leader")), "members": [person(m) for m in g.get("members") or []]}
                       for g in cmd.get("groups") or []]}


def task(body: Mapping, *, group_codes: Sequence[str], now: datetime) -> dict:
    """AddTask: a title, to one working group of the command structure or one rescue team (by its
    data-centre id), optionally due at a time in the future."""
    errors: list[FieldViolation] = []
    title = _text(body, "title", "任务内容", errors, max_length=200, required=True)
    group, team = body.get("group") or None, body.get("team_id")
    if group is not None and not isinstance(group, str):
        group = "?"
    if (group is None) == (team is None):
        errors.append(FieldViolation("group", "assignee.one", "请指定一个工作组或一支救援队伍", "Give a group or a team_id, not both"))
    elif group is not None and group not in group_codes:
        errors.append(FieldViolation("group", "group.not_in_command", "该工作组不在本事件的指挥机构中",
                                     "The group is not in the incident's command structure"))
    elif team is not None and (not _is_int(team) or not 0 < team < 2**63):
        errors.append(FieldViolation("team_id", "team_id.type", "救援队伍编号应为正整数", "team_id must be a positive integer"))
    due = _at(body.get("due_at"), "due_at", "完成时限", errors, required=False)
    if due is not None and due <= now:
        errors.append(FieldViolation("due_at", "due_at.past", "完成时限应晚于当前时间", "due_at must be in the future"))
    note = _text(body, "note", "要求", errors, max_length=1000)
    if errors:
        raise invalid(*errors)
    return {"title": title, "group": group, "team_id": team, "due_at": due, "note": note or None}


def task_move(current: str, body: Mapping) -> dict:
    """UpdateTask: assigned → accepted → in_progress → done, or cancelled before done."""
    errors: list[FieldViolation] = []
    target = body.get("status")
    if not isinstance(target, str) or target not in TASK_STATUS_ZH:
        errors.append(FieldViolation("status", "status.enum", "任务状态应为已接收、处置中、已完成或已取消", "status is not a task status"))
    note = _text(body, "note", "说明", errors, max_length=1000, required=target == "cancelled")
    if errors:
        raise invalid(*errors)
    if target not in TASK_MOVES[current]:
        raise Conflict(f"任务不能从“{TASK_STATUS_ZH[current]}”变为“{TASK_STATUS_ZH[target]}”",
                       f"A task cannot go from {current} to {target}")
    return {"status": target, "note": note or None}


def task_overdue(task_row: Mapping, now: datetime) -> bool:
    return task_row["status"] in TASK_OPEN and task_row.get("due_at") is not None and now > task_row["due_at"]


# --- notes and close-out ------------------------------------------------------------------------------

def note(body: Mapping) -> str:
    errors: list[FieldViolation] = []
    text = _text(body, "text", "记录内容", errors, max_length=2000, required=True)
    if errors:
        raise invalid(*errors)
    return text


def closure(body: Mapping, *, row: Mapping, reports: Sequence[Mapping]) -> dict:
    """总结评估: only a stabilised incident whose 终报 was made; summary and evaluation required."""
    if row["status"] != "stabilised":
        raise Conflict("事件尚未处置稳定，不能结案", "Only a stabilised incident can be closed")
    if not any(r["kind"] == "final" for r in reports):
        raise Conflict("请先报送终报，再结案", "Make the final report before closing")
    errors: list[FieldViolation] = []
    out = {name: _text(body, name, label, errors, max_length=max_length, required=required) or None
           for name, label, max_length, required in CLOSURE_TEXT}
    if errors:
        raise invalid(*errors)
    return out


# --- the data centre's accident -----------------------------------------------------------------------

def makes_accident(fields: Mapping, types_table: Mapping) -> bool:
    """An incident of a type that is an accident in the data centre (生产安全事故), with its enterprise."""
    kind = types_of(types_table).get(fields["type"]) or {}
    return bool(kind.get("accident_category") and fields.get("uscc"))


def accident_record(fields: Mapping, *, types_table: Mapping, creator_region: str, now: datetime,
                    direct_loss_cny: Decimal | None = None) -> dict:
    """The accident record the data centre keeps for the incident (services/datacenter/accidents/kind.py).
    Its reports: the agency that learned of it (at reported_at) and, for a county, the city, which sees
    the incident the moment it is registered on the platform."""
    figures = fields["casualties"]
    level = agency_level(creator_region)
    reports = [{"level": level, "reported_at": fields["reported_at"].isoformat()}]
    if level == "county":
        reports.append({"level": "city", "reported_at": max(now, fields["reported_at"]).isoformat()})
    return {"uscc": fields["uscc"], "title": fields["title"], "occurred_at": fields["occurred_at"].isoformat(),
            "place": fields["address"], "category": types_of(types_table)[fields["type"]]["accident_category"],
            "accident_type": fields["subtype"], "deaths": figures["deaths"], "missing": figures["missing"],
            "serious_injuries": figures["serious_injuries"], "minor_injuries": figures["injured"] - figures["serious_injuries"],
            "direct_loss_cny": float(direct_loss_cny or 0), "description": fields["description"], "status": "reported",
            "reports": reports}


def accident_changes(old: Mapping, new: Mapping, *, direct_loss_cny: Decimal | None = None) -> dict:
    """The accident's figures that a change of the incident's casualties (or a loss reported) moves."""
    def fig(c):
        return {"deaths": c["deaths"], "missing": c["missing"], "serious_injuries": c["serious_injuries"],
                "minor_injuries": c["injured"] - c["serious_injuries"]}
    before, after = fig(old), fig(new)
    out = {k: v for k, v in after.items() if v != before[k]}
    if direct_loss_cny is not None:
        out["direct_loss_cny"] = float(direct_loss_cny)
    return out
