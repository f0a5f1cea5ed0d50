"""行政许可 (administrative licensing): the application's state machine and its clock. Pure.

    submitted 已申请 ─(one correction notice, within the notice limit)→ correction_requested 待补正
        ─(materials completed)→ submitted … → accepted 已受理 (or deemed accepted on receipt when
    no notice came within the limit) → under_review 审查中, with pauses on_site_check 现场核查 /
    expert_review 专家评审 / hearing 听证 / testing 检验检测 whose days do not count → approved 准予许可
    or refused 不予许可 → certificate_issued 已制证 (approved only) → delivered 已送达; and withdrawn
    已撤回 from any open state. An issued licence is renewed (延续) or changed (变更) through a new
    application of that kind, and suspended (暂扣) or revoked (吊销) with reasons.

Sources (the periods and limits themselves are in tables/licence_types.*.json, never here):
行政许可法 art. 32 (one notice listing every correction, else accepted on receipt), 38 (a refusal
gives reasons), 42 (the decision period; one extension with the agency head's approval, the reason
told to the applicant; 法律、法规另有规定的依照其规定), 44 (delivery), 45 (hearings, inspections,
testing and expert review do not count), 50 (renewal), 82 (working days); 国务院令第397号 (安全生产
许可证: 45 days from receipt, renewal without re-review when no fatal accident); 双公示.

Counting (services/kit/workdays.py): the start day is not counted; a pause from S to E covers the
days (S, E] in the type's day unit, and the decision period grows by them. Each deadline carries
`provisional` from the calendar (待节假日安排确认) when it reaches into a year not yet entered."""
from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Mapping

from services.kit import workdays
from services.kit.errors import Conflict, FieldViolation, invalid
from services.kit.ruletables import add_months
from services.kit.workdays import Calendar, Deadline

STATUSES = {"submitted": "已申请", "correction_requested": "待补正", "accepted": "已受理", "under_review": "审查中",
            "on_site_check": "现场核查", "expert_review": "专家评审", "hearing": "听证", "testing": "检验检测",
            "approved": "准予许可", "refused": "不予许可", "certificate_issued": "已制证", "delivered": "已送达",
            "withdrawn": "已撤回"}
PAUSES = {"on_site_check": "现场核查", "expert_review": "专家评审", "hearing": "听证", "testing": "检验检测"}
KINDS = {"new": "首次申请", "renewal": "延续", "change": "变更"}
DECISIONS = {"approved": "准予许可", "refused": "不予许可"}
LICENCE_STATES = {"valid": "有效", "suspended": "暂扣", "revoked": "吊销"}
DAY_TYPES = {"working": "工作日", "calendar": "自然日"}
DELIVERY_METHODS = {"in_person": "直接送达", "mail": "邮寄送达", "electronic": "电子送达", "agent": "委托送达"}
REVIEWING = ("accepted", "under_review", *PAUSES)
OPEN = ("submitted", "correction_requested", *REVIEWING)       # not yet decided nor withdrawn
ISSUED = ("certificate_issued", "delivered")                    # a licence exists in the data centre
TEXT_MAX, NOTE_MAX, REFERENCE_MAX, MATERIALS_MAX = 1000, 500, 200, 100

ACTIONS = {"submit": "提交申请", "request_correction": "一次性告知补正", "resubmit": "补正材料", "accept": "受理",
           "start_pause": "开始现场核查/专家评审/听证/检验检测", "end_pause": "结束核查/评审/听证/检测", "extend": "延长审查期限",
           "decide": "作出许可决定", "issue_certificate": "制发许可证", "deliver": "送达", "withdraw": "撤回申请",
           "renew": "申请延续", "change": "申请变更", "suspend": "暂扣许可证", "revoke": "吊销许可证"}
FROM = {  # the statuses each action may be taken from
    "request_correction": ("submitted",),
    "resubmit": ("correction_requested",),
    "accept": ("submitted",),
    "start_pause": ("accepted", "under_review"),
    "end_pause": tuple(PAUSES),
    "extend": REVIEWING,
    "decide": ("accepted", "under_review"),
    "issue_certificate": ("approved",),
    "deliver": ("certificate_issued", "refused"),
    "withdraw": OPEN,
    "renew": ISSUED,
    "change": ISSUED,
    "suspend": ISSUED,
    "revoke": ISSUED,
}
# who takes each action: "party" (the applicant or staff), "staff" (the agency's), "decider" (its head)
WHO = {
    "request_correction": "staff",
    "resubmit": "party",
    "accept": "staff",
    "start_pause": "staff",
    "end_pause": "staff",
    "extend": "decider",
    "decide": "decider",
    "issue_certificate": "staff",
    "deliver": "staff",
    "withdraw": "party",
    "renew": "party",
    "change": "party",
    "suspend": "decider",
    "revoke": "decider",
}


def require_status(status: str, action: str) -> None:
    """Conflict unless `action` may be taken on an application in `status`."""
    if status not in FROM[action]:
        raise Conflict(f"申请当前为“{STATUSES[status]}”，不能{ACTIONS[action]}",
                       f"The application is {status}: it cannot take the action {action}")


# --- the table -----------------------------------------------------------------------------------

def rule_of(table: Mapping, licence_type: str) -> Mapping:
    try:
        return table["types"][licence_type]
    except (KeyError, TypeError):
        raise invalid(FieldViolation("licence_type", "licence_type.unknown", "许可类型不在可选范围内", "Unknown licence type")) from None


def check_table(table: Mapping) -> None:
    """ValueError naming the type when a licence_types body is inconsistent (checked at start-up)."""
    for key in ("province", "correction_notice_working_days", "delivery_working_days", "publication_working_days",
                "fatal_accident_min_deaths", "decision_documents", "agencies", "types"):
        if key not in table:
            raise ValueError(f"licence_types: missing {key}")
    for code, r in table["types"].items():
        where = f"licence_types.{code}"
        if r["day_type"] not in DAY_TYPES or r["counted_from"] not in ("receipt", "acceptance"):
            raise ValueError(f"{where}: day_type must be working|calendar, counted_from receipt|acceptance")
        if r["issuing_level"] not in ("city", "county"):
            raise ValueError(f"{where}: issuing_level must be city or county")
        if not 0 < r["promised_days"] <= r["legal_days"] or r["extension_days"] < 0:
            raise ValueError(f"{where}: need 0 < promised_days <= legal_days and extension_days >= 0")
        if not 0 <= r["renewal"]["window_months"] < r["validity_months"]:
            raise ValueError(f"{where}: the renewal window must be shorter than the validity")
        codes = [m["code"] for m in r["materials"]]
        if len(set(codes)) != len(codes) or not any(m["required"] for m in r["materials"]):
            raise ValueError(f"{where}: material codes must be unique and at least one required")
        fields = {f for _, f, _, _ in string.Formatter().parse(r["number"]["format"]) if f}
        if not fields <= {"province", "sector", "year", "serial"} or "serial" not in fields or "year" not in fields:
            raise ValueError(f"{where}: the number format takes {{province}}, {{sector}}, {{year}}, {{serial}}")
        if ("sector" in fields) != bool(r.get("sectors")):
            raise ValueError(f"{where}: a {{sector}} in the number format needs sectors, and sectors need it")


def agency_of(table: Mapping, rule: Mapping, *, region_code: str, city_code: str) -> tuple[str, Mapping]:
    """(region code, entry) of the agency that issues `rule`'s licence to an enterprise in `region_code`."""
    code = city_code if rule["issuing_level"] == "city" else region_code[:6]
    if code not in table["agencies"]:
        code = city_code
    return code, table["agencies"][code]


def types_view(table: Mapping) -> list[dict]:
    """The licence types as the REST page lists them."""
    return [{"code": code, "name": r["name"], "issuing_level": r["issuing_level"], "legal_days": r["legal_days"],
             "promised_days": r["promised_days"], "extension_days": r["extension_days"], "day_type": r["day_type"],
             "day_type_name": DAY_TYPES[r["day_type"]], "counted_from": r["counted_from"],
             "validity_months": r["validity_months"], "renewal": r["renewal"], "materials": r["materials"],
             "sectors": [{"code": k, **v} for k, v in (r.get("sectors") or {}).items()], "source": r["source"]}
            for code, r in table["types"].items()]


# --- field checks --------------------------------------------------------------------------------

def _text(body: Mapping, name: str, label: str, errors: list, *, required: bool, limit: int = TEXT_MAX) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            errors.append(FieldViolation(name, f"{name}.required", f"请填写{label}", f"{name} is required"))
        return ""
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldViolation(name, f"{name}.type", f"{label}应为文字", f"{name} must be a string"))
        return ""
    if len(value.strip()) > limit:
        errors.append(FieldViolation(name, f"{name}.length", f"{label}不能超过{limit}字", f"{name} has at most {limit} characters"))
        return ""
    return value.strip()


def _day(body: Mapping, name: str, label: str, errors: list) -> date | None:
    value = body.get(name)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.append(FieldViolation(name, f"{name}.format", f"{label}格式应为 YYYY-MM-DD", f"{name} must be YYYY-MM-DD"))
        return None


def _materials(value, rule: Mapping | None, errors: list, *, field: str = "materials") -> list[dict]:
    """[{code, reference}] → [{code, name, reference}]: known codes, each once."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MATERIALS_MAX:
        errors.append(FieldViolation(field, f"{field}.type", f"{field}应为材料数组（至多{MATERIALS_MAX}项）",
                                     f"{field} must be an array of at most {MATERIALS_MAX} materials"))
        return []
    names = {m["code"]: m["name"] for m in rule["materials"]} if rule else {}
    out, seen = [], set()
    for i, item in enumerate(value):
        where = f"{field}[{i}]"
        code = item.get("code") if isinstance(item, dict) else None
        reference = item.get("reference", "") if isinstance(item, dict) else ""
        if rule and code not in names:
            errors.append(FieldViolation(f"{where}.code", "material.unknown", "材料不在该许可类型的材料清单内",
                                         "Not a material of this licence type"))
        elif code in seen:
            errors.append(FieldViolation(f"{where}.code", "material.repeated", "同一材料重复提交", "The same material appears twice"))
        elif not isinstance(reference, str) or len(reference) > REFERENCE_MAX:
            errors.append(FieldViolation(f"{where}.reference", "reference.length", f"材料引用至多{REFERENCE_MAX}字",
                                         f"reference has at most {REFERENCE_MAX} characters"))
        elif rule:
            seen.add(code)
            out.append({"code": code, "name": names[code], "reference": reference.strip()})
    return out


def supplement(body: Mapping, *, rule: Mapping) -> dict:
    """{materials, note} of a renewal that needs review, or of a change."""
    errors: list[FieldViolation] = []
    materials = _materials(body.get("materials"), rule, errors)
    note = _text(body, "note", "备注", errors, required=False, limit=NOTE_MAX)
    if errors:
        raise invalid(*errors)
    return {"materials": materials, "note": note}


def missing_materials(materials: Iterable[Mapping], rule: Mapping) -> list[dict]:
    """The required materials of the type that were not provided."""
    given = {m["code"] for m in materials}
    return [{"code": m["code"], "name": m["name"]} for m in rule["materials"] if m["required"] and m["code"] not in given]


def submission(body: Mapping, *, table: Mapping) -> dict:
    """A new application from the REST body: licence_type, scope (许可范围), sector (安全生产许可证),
    materials, note. Incomplete materials are not an error: the agency answers with one notice."""
    errors: list[FieldViolation] = []
    licence_type = body.get("licence_type")
    rule = table["types"].get(licence_type) if isinstance(licence_type, str) else None
    if rule is None:
        errors.append(FieldViolation("licence_type", "licence_type.unknown", "许可类型不在可选范围内", "Unknown licence type"))
    scope = _text(body, "scope", "许可范围", errors, required=True)
    sector = body.get("sector") or None
    if rule is not None:
        sectors = rule.get("sectors") or {}
        if sectors and sector not in sectors:
            errors.append(FieldViolation("sector", "sector.unknown", f"请选择行业类别：{'、'.join(s['name'] for s in sectors.values())}",
                                         f"sector must be one of {', '.join(sectors)}"))
        elif not sectors and sector is not None:
            errors.append(FieldViolation("sector", "sector.not_applicable", "该许可类型不分行业类别", "This licence type has no sector"))
    materials = _materials(body.get("materials"), rule, errors)
    note = _text(body, "note", "备注", errors, required=False, limit=NOTE_MAX)
    if errors:
        raise invalid(*errors)
    return {"licence_type": licence_type, "scope": scope, "sector": sector, "materials": materials, "note": note}


# --- the steps -----------------------------------------------------------------------------------

def notice_due(app: Mapping, *, calendar: Calendar, table: Mapping) -> Deadline:
    """The last day to send the one correction notice: N working days after receipt."""
    return calendar.add_working_days(app["received_on"], table["correction_notice_working_days"])


def deemed_accepted(app: Mapping, *, calendar: Calendar, table: Mapping, today: date) -> bool:
    """No notice came within the limit: the application counts as accepted on receipt (art. 32)."""
    if app.get("deemed_accepted"):
        return True
    return app["status"] == "submitted" and today > notice_due(app, calendar=calendar, table=table).day


def correction(app: Mapping, body: Mapping, *, calendar: Calendar, table: Mapping, today: date) -> dict:
    """The one notice listing every missing or defective material (art. 32): {notified_on, missing, note}."""
    require_status(app["status"], "request_correction")
    if app.get("correction"):
        raise Conflict("已一次性告知过需要补正的全部内容，不能再次告知补正", "The one correction notice has been sent already")
    due = notice_due(app, calendar=calendar, table=table)
    if today > due.day:
        raise Conflict(f"已超过补正告知期限（{due.day.isoformat()}），申请自收到材料之日起即为受理",
                       f"The correction notice was due by {due.day.isoformat()}: the application counts as accepted on receipt")
    errors: list[FieldViolation] = []
    rule = rule_of(table, app["licence_type"])
    names = {m["code"]: m["name"] for m in rule["materials"]}
    codes = body.get("missing")
    if not isinstance(codes, list) or not codes:
        errors.append(FieldViolation("missing", "missing.required", "请一次列明需要补正的全部材料", "List every material to correct"))
        codes = []
    for i, code in enumerate(codes):
        if code not in names:
            errors.append(FieldViolation(f"missing[{i}]", "material.unknown", "材料不在该许可类型的材料清单内",
                                         "Not a material of this licence type"))
    if len(set(map(str, codes))) != len(codes):
        errors.append(FieldViolation("missing", "missing.repeated", "补正材料重复列出", "A material is listed twice"))
    note = _text(body, "note", "补正说明", errors, required=False, limit=TEXT_MAX)
    if errors:
        raise invalid(*errors)
    return {"notified_on": today, "missing": [{"code": c, "name": names[c]} for c in codes], "note": note}


def resubmission(app: Mapping, body: Mapping, *, table: Mapping) -> list[dict]:
    """The application's materials completed with the ones the notice asked for."""
    require_status(app["status"], "resubmit")
    errors: list[FieldViolation] = []
    given = _materials(body.get("materials"), rule_of(table, app["licence_type"]), errors)
    if errors:
        raise invalid(*errors)
    merged = {m["code"]: m for m in app["materials"]} | {m["code"]: m for m in given}
    still = [m["name"] for m in app["correction"]["missing"] if m["code"] not in {g["code"] for g in given}]
    if still:
        raise invalid(FieldViolation("materials", "materials.still_missing", f"仍缺少补正材料：{'、'.join(still)}",
                                     f"Still missing: {len(still)} of the materials the notice listed"))
    return list(merged.values())


def acceptance(app: Mapping, *, calendar: Calendar, table: Mapping, today: date) -> tuple[date, bool]:
    """(accepted_on, deemed): today, or the day of receipt when the notice limit has passed."""
    require_status(app["status"], "accept")
    if deemed_accepted(app, calendar=calendar, table=table, today=today):
        return app["received_on"], True
    return today, False


def pause_started(app: Mapping, body: Mapping, *, today: date) -> dict:
    """A pause (on-site check, expert review, hearing, testing) from `started_on` (default today)."""
    require_status(app["status"], "start_pause")
    errors: list[FieldViolation] = []
    kind = body.get("kind")
    if kind not in PAUSES:
        errors.append(FieldViolation("kind", "kind.enum", f"类型应为：{'、'.join(PAUSES.values())}", f"kind is one of {', '.join(PAUSES)}"))
    on = _day(body, "started_on", "开始日期", errors) or today
    note = _text(body, "note", "说明", errors, required=False)
    floor = max([app["accepted_on"] or app["received_on"], *(p["ended_on"] for p in app["pauses"])])
    if not errors and not floor <= on <= today:
        errors.append(FieldViolation("started_on", "started_on.range", f"开始日期应在{floor.isoformat()}至今天之间",
                                     f"started_on must be between {floor.isoformat()} and today"))
    if errors:
        raise invalid(*errors)
    return {"kind": kind, "started_on": on, "ended_on": None, "note": note, "result": ""}


def pause_ended(app: Mapping, body: Mapping, *, today: date) -> list[dict]:
    """The pauses with the open one ended on `ended_on` (default today), with its result."""
    require_status(app["status"], "end_pause")
    errors: list[FieldViolation] = []
    on = _day(body, "ended_on", "结束日期", errors) or today
    result = _text(body, "result", "核查/评审/听证/检测结果", errors, required=True)
    *closed, current = app["pauses"]
    if not errors and not current["started_on"] <= on <= today:
        errors.append(FieldViolation("ended_on", "ended_on.range", f"结束日期应在{current['started_on'].isoformat()}至今天之间",
                                     f"ended_on must be between {current['started_on'].isoformat()} and today"))
    if errors:
        raise invalid(*errors)
    return [*closed, current | {"ended_on": on, "result": result}]


def extension(app: Mapping, body: Mapping, *, calendar: Calendar, table: Mapping, today: date) -> dict:
    """The one extension (art. 42): approved by the agency head, its reason told to the applicant,
    asked for before the period runs out. The caller checks the role of who records it."""
    require_status(app["status"], "extend")
    rule = rule_of(table, app["licence_type"])
    if rule["extension_days"] <= 0:
        raise Conflict(f"{rule['name']}的审查期限由法规规定，不能延长", f"The period of {app['licence_type']} cannot be extended")
    if app.get("extension"):
        raise Conflict("审查期限只能延长一次", "The period can be extended once only")
    if clock(app, calendar=calendar, table=table, today=today).overdue:
        raise Conflict("已超过审查期限，不能再延长", "The period has run out: it can no longer be extended")
    errors: list[FieldViolation] = []
    approved_by = _text(body, "approved_by", "批准延长的本机关负责人", errors, required=True, limit=50)
    reason = _text(body, "reason", "延长理由（将告知申请人）", errors, required=True)
    if errors:
        raise invalid(*errors)
    return {"days": rule["extension_days"], "day_type": rule["day_type"], "approved_by": approved_by, "reason": reason, "on": today}


def decision(app: Mapping, body: Mapping, *, today: date) -> dict:
    """{decision, reasons, scope, decided_on}: a refusal gives its reasons (art. 38); an approval may
    narrow the scope applied for."""
    require_status(app["status"], "decide")
    errors: list[FieldViolation] = []
    outcome = body.get("decision")
    if outcome not in DECISIONS:
        errors.append(FieldViolation("decision", "decision.enum", "决定应为 approved（准予许可）或 refused（不予许可）",
                                     "decision is approved or refused"))
    reasons = _text(body, "reasons", "理由", errors, required=outcome == "refused")
    scope = _text(body, "scope", "准予许可的范围", errors, required=False) or app["scope"]
    if errors:
        raise invalid(*errors)
    return {"decision": outcome, "reasons": reasons, "scope": scope, "decided_on": today}


def delivery(app: Mapping, body: Mapping, *, today: date) -> dict:
    """{method, recipient, on}: how and when the certificate or the refusal reached the applicant."""
    require_status(app["status"], "deliver")
    errors: list[FieldViolation] = []
    method = body.get("method")
    if method not in DELIVERY_METHODS:
        errors.append(FieldViolation("method", "method.enum", f"送达方式应为：{'、'.join(DELIVERY_METHODS.values())}",
                                     f"method is one of {', '.join(DELIVERY_METHODS)}"))
    recipient = _text(body, "recipient", "签收人", errors, required=True, limit=50)
    on = _day(body, "delivered_on", "送达日期", errors) or today
    if not errors and not app["decided_on"] <= on <= today:
        errors.append(FieldViolation("delivered_on", "delivered_on.range", "送达日期应在决定之日至今天之间",
                                     "delivered_on must be between the decision and today"))
    if errors:
        raise invalid(*errors)
    return {"method": method, "recipient": recipient, "on": on}


def withdrawal(app: Mapping, body: Mapping) -> str:
    """The applicant withdraws before the decision; the reason is optional."""
    require_status(app["status"], "withdraw")
    errors: list[FieldViolation] = []
    reason = _text(body, "reason", "撤回理由", errors, required=False)
    if errors:
        raise invalid(*errors)
    return reason


# --- the certificate -----------------------------------------------------------------------------

def certificate_number(rule: Mapping, *, province: str, year: int, serial: int, sector: str | None) -> str:
    """E.g. (甘)FM安许证字〔2026〕000012 or (甘)PF〔2026〕00012, from the type's number format."""
    code = rule["sectors"][sector]["code"] if sector else ""
    return rule["number"]["format"].format(province=province, sector=code, year=year, serial=serial)


def valid_until(rule: Mapping, *, start: date) -> date:
    """The last valid day: valid 36 months from 2026-03-15 is up to 2029-03-14."""
    return add_months(start, rule["validity_months"]) - timedelta(days=1)


# --- an issued licence ---------------------------------------------------------------------------

def renewal_window(rule: Mapping, *, valid_until: date) -> tuple[date, date]:
    """(opens, closes), both inclusive: from the window's months before expiry to the last valid day."""
    return add_months(valid_until, -rule["renewal"]["window_months"]), valid_until


def fatal_accidents(accidents: Iterable[Mapping], *, since: date, until: date, table: Mapping) -> list[Mapping]:
    """The accidents of the period with deaths (missing people counted as dead, as 493号令 grades them)."""
    return [a for a in accidents if since <= a["occurred_on"] <= until
            and (a.get("deaths") or 0) + (a.get("missing") or 0) >= table["fatal_accident_min_deaths"]]


def renewal(app: Mapping, *, licence: Mapping, accidents: Iterable[Mapping], table: Mapping, today: date) -> dict:
    """May the licence issued through `app` be renewed today, and without re-review?
    `licence`: the data centre's record (issued_on, valid_until as dates, suspended, revoked);
    `accidents`: the holder's accidents ({occurred_on, deaths, missing, id}).
    Returns {without_review, fatal_accidents, opens, closes}."""
    require_status(app["status"], "renew")
    rule = rule_of(table, app["licence_type"])
    if licence.get("revoked"):
        raise Conflict("许可证已被吊销，不能延续", "The licence is revoked: it cannot be renewed")
    if licence.get("suspended"):
        raise Conflict("许可证暂扣期间不能延续", "The licence is suspended: it cannot be renewed")
    opens, closes = renewal_window(rule, valid_until=licence["valid_until"])
    if today < opens:
        raise Conflict(f"延续申请自{opens.isoformat()}起受理（有效期届满前{rule['renewal']['window_months']}个月）",
                       f"Renewal opens on {opens.isoformat()}")
    if today > closes:
        raise Conflict("许可证已过有效期，不能延续，请重新申请", "The licence has expired: apply for a new one")
    fatal = fatal_accidents(accidents, since=licence["issued_on"], until=today, table=table)
    return {"without_review": bool(rule["renewal"]["without_review_if_no_fatal_accident"]) and not fatal,
            "fatal_accidents": [a.get("id") for a in fatal], "opens": opens, "closes": closes}


def change_request(app: Mapping, body: Mapping) -> dict:
    """{scope, reason}: a change of the licensed scope (变更) goes through review like an application."""
    require_status(app["status"], "change")
    errors: list[FieldViolation] = []
    scope = _text(body, "scope", "变更后的许可范围", errors, required=True)
    reason = _text(body, "reason", "变更理由", errors, required=True)
    if not errors and scope == app["scope"]:
        errors.append(FieldViolation("scope", "scope.unchanged", "变更后的许可范围与现有范围相同", "The scope is unchanged"))
    if errors:
        raise invalid(*errors)
    return {"scope": {"from": app["scope"], "to": scope}, "reason": reason}


def licence_action(app: Mapping, body: Mapping, *, action: str, today: date) -> dict:
    """Suspension (暂扣, optionally until a day) or revocation (吊销) of the issued licence, with reasons."""
    require_status(app["status"], action)
    if app["licence_state"] == "revoked":
        raise Conflict("许可证已被吊销", "The licence is revoked already")
    if action == "suspend" and app["licence_state"] == "suspended":
        raise Conflict("许可证已在暂扣中", "The licence is suspended already")
    errors: list[FieldViolation] = []
    reasons = _text(body, "reasons", "暂扣/吊销的事实和理由", errors, required=True)
    until = _day(body, "until", "暂扣截止日期", errors) if action == "suspend" else None
    if until is not None and until <= today:
        errors.append(FieldViolation("until", "until.range", "暂扣截止日期应晚于今天", "until must be after today"))
    if errors:
        raise invalid(*errors)
    return {"action": action, "reasons": reasons, "on": today, "until": until}


# --- the clock -----------------------------------------------------------------------------------

def _count(calendar: Calendar, start: date, end: date, day_type: str) -> int:
    """Days in (start, end] in the given unit."""
    if day_type == "working":
        return calendar.working_days_between(start, end)
    return max(0, (end - start).days)


def _paused(pauses: Iterable[Mapping], *, calendar: Calendar, day_type: str, until: date) -> int:
    return sum(_count(calendar, p["started_on"], min(p["ended_on"] or until, until), day_type) for p in pauses)


@dataclass(frozen=True)
class Clock:
    day_type: str
    received_on: date
    notice_due: Deadline
    deemed_accepted: bool
    accepted_on: date | None
    starts_on: date | None            # the day the decision period counts from (receipt or acceptance)
    decision_due: Deadline | None
    promised_due: Deadline | None
    extended: bool
    paused: bool                      # a pause is open: the clock stands still
    paused_days: int                  # in the type's day unit
    days_used: int                    # in the type's day unit
    days_left: int
    working_days_used: int
    working_days_left: int
    overdue: bool                     # undecided after the due day, or decided after it
    beyond_promise: bool
    decided_on: date | None
    delivery_due: Deadline | None
    delivery_overdue: bool
    publication_due: Deadline | None

    def as_json(self) -> dict:
        def d(x: Deadline | None):
            return x.as_json() if x else None
        return {"day_type": self.day_type, "day_type_name": DAY_TYPES[self.day_type], "received_on": self.received_on,
                "notice_due": d(self.notice_due), "deemed_accepted": self.deemed_accepted, "accepted_on": self.accepted_on,
                "starts_on": self.starts_on, "decision_due": d(self.decision_due), "promised_due": d(self.promised_due),
                "extended": self.extended, "paused": self.paused, "paused_days": self.paused_days, "days_used": self.days_used,
                "days_left": self.days_left, "working_days_used": self.working_days_used, "working_days_left": self.working_days_left,
                "overdue": self.overdue, "beyond_promise": self.beyond_promise, "decided_on": self.decided_on,
                "delivery_due": d(self.delivery_due), "delivery_overdue": self.delivery_overdue,
                "publication_due": d(self.publication_due)}


def clock(app: Mapping, *, calendar: Calendar, table: Mapping, today: date) -> Clock:
    """Where the application stands against its limits on `today`. `app` holds licence_type, status,
    received_on, accepted_on, deemed_accepted, pauses [{started_on, ended_on}], extension {days},
    decision, decided_on, delivered_on, closed_on (dates as date)."""
    rule = rule_of(table, app["licence_type"])
    unit = rule["day_type"]
    received = app["received_on"]
    notice = notice_due(app, calendar=calendar, table=table)
    deemed = deemed_accepted(app, calendar=calendar, table=table, today=today)
    accepted_on = app.get("accepted_on") or (received if deemed else None)
    if rule["counted_from"] == "receipt":
        starts = received if app["status"] != "correction_requested" else None
    else:
        starts = accepted_on
    decided_on = app.get("decided_on")
    end = decided_on or app.get("closed_on") or today
    delivery_due = calendar.add_working_days(decided_on, table["delivery_working_days"]) if decided_on else None
    publication_due = (calendar.add_working_days(decided_on, table["publication_working_days"])
                       if decided_on and app.get("decision") == "approved" else None)
    delivery_overdue = bool(delivery_due and not app.get("delivered_on") and today > delivery_due.day)
    extended_days = (app.get("extension") or {}).get("days", 0)
    is_paused = app["status"] in PAUSES
    if starts is None:
        return Clock(unit, received, notice, deemed, accepted_on, None, None, None, bool(extended_days), is_paused, 0, 0,
                     0, 0, 0, False, False, decided_on, delivery_due, delivery_overdue, publication_due)
    paused = _paused(app.get("pauses") or (), calendar=calendar, day_type=unit, until=end)
    total = rule["legal_days"] + extended_days
    due = workdays.deadline(calendar, starts, total + paused, unit)
    promised = workdays.deadline(calendar, starts, rule["promised_days"] + paused, unit)
    used = max(0, _count(calendar, starts, end, unit) - paused)
    working_paused = _paused(app.get("pauses") or (), calendar=calendar, day_type="working", until=end)
    return Clock(
        day_type=unit, received_on=received, notice_due=notice, deemed_accepted=deemed, accepted_on=accepted_on,
        starts_on=starts, decision_due=due, promised_due=promised, extended=bool(extended_days), paused=is_paused,
        paused_days=paused, days_used=used, days_left=max(0, total - used),
        working_days_used=max(0, calendar.working_days_between(starts, end) - working_paused),
        working_days_left=calendar.working_days_between(end, due.day), overdue=end > due.day,
        beyond_promise=end > promised.day, decided_on=decided_on, delivery_due=delivery_due,
        delivery_overdue=delivery_overdue, publication_due=publication_due)


def stored_deadlines(app: Mapping, *, calendar: Calendar, table: Mapping, today: date) -> dict:
    """The deadline columns kept for the queue. While an application waits for acceptance its decision
    deadline is the one it has if deemed accepted on receipt, which is what it gets once the notice
    limit passes (before that no deadline can have passed)."""
    waiting = app["status"] == "submitted" and not app.get("accepted_on")
    c = clock(app | {"accepted_on": app["received_on"]} if waiting else app, calendar=calendar, table=table, today=today)
    out = {"notice_due": c.notice_due.day, "notice_due_provisional": c.notice_due.provisional}
    for name, d in (("decision_due", c.decision_due), ("delivery_due", c.delivery_due), ("publication_due", c.publication_due)):
        out[name], out[f"{name}_provisional"] = (d.day, d.provisional) if d else (None, False)
    return out
