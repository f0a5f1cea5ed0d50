"""An inspection on site (执法检查) and what it produces. Pure functions over plain data.

- At least two officers, each with an enforcement certificate valid on the day (RULES.md §14,
  confirmed): the certificates come from the data centre's officer records.
- Mode: routine 日常检查, special 专项检查, unannounced 四不两直 (a mode, confirmed).
- Findings: each either fixed on the spot (当场整改), or ordered rectified by a date (责令限期整改),
  or met with on-site measures (现场处理措施: stop work, withdraw people) and a date. A finding
  that matches a 重大事故隐患判定标准 item of the catalogue is a 重大隐患 (inspections/checklists.py).
- Completing an inspection issues the 现场检查记录, one 责令限期整改指令书 for all ordered findings
  (the latest deadline is the order's), and one 现场处理措施决定书 for the findings met with measures.
  The record is signed by the officers and by the unit's head; a refusal to sign is recorded with
  the officers' note (confirmed).
- An order is re-checked after its deadline (整改复查意见书) within the days of the rule table
  `enforcement_deadlines`; a failed re-check ends in a new order or a case (立案).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable, Mapping

from services.kit import jsonio, regions, roles
from services.kit.auth import Principal
from services.kit.errors import FieldViolation, NotFound, PermissionDenied, invalid

MODES = (("routine", "日常检查"), ("special", "专项检查"), ("unannounced", "四不两直"))
MODE_ZH = dict(MODES)
HANDLINGS = (("fixed_on_site", "当场整改"), ("order", "责令限期整改"), ("measures", "现场处理措施"))
HANDLING_ZH = dict(HANDLINGS)
STATUS_ZH = {"in_progress": "检查中", "completed": "已完成"}
RECHECK_RESULTS = (("passed", "整改合格"), ("failed", "整改不合格"))
RESULT_ZH = dict(RECHECK_RESULTS)
NEXT_ACTIONS = (("new_order", "再次责令限期整改"), ("case", "立案查处"))
NEXT_ZH = dict(NEXT_ACTIONS)
INSPECTORS = (roles.PLATFORM_ADMIN, roles.SUPERVISION_INSPECTOR, roles.SUPERVISION_SUPERVISOR)
MAX_FINDINGS = 200


def _v(field: str, code: str, zh: str, en: str) -> FieldViolation:
    return FieldViolation(field, code, zh, en)


def require_inspector(p: Principal) -> str:
    """The region prefix within which the caller inspects: supervision staff, their region."""
    if p.kind != "staff" or not p.region or not p.has_any_role(*INSPECTORS):
        raise PermissionDenied("仅监管执法人员可开展执法检查", "Only supervision officers carry out inspections")
    return regions.significant_prefix(p.region)


def require_within(p: Principal, region_code: str | None) -> None:
    if not region_code or not regions.covers(p.region, region_code):
        raise NotFound("未找到该记录", "Not found")


def _time(body: Mapping, name: str, label: str, errors: list, *, required: bool) -> datetime | None:
    value = body.get(name)
    if value in (None, ""):
        if required:
            errors.append(_v(name, f"{name}.required", f"请填写{label}", f"{name} is required"))
        return None
    try:
        t = datetime.fromisoformat(str(value))
    except ValueError:
        t = None
    if t is None or t.tzinfo is None:
        errors.append(_v(name, f"{name}.format", f"{label}应为带时区的 ISO 8601 时间", f"{name} must be ISO 8601 with an offset"))
        return None
    return t


def new_inspection(body: Mapping, *, now: datetime) -> dict:
    """The fields of a new inspection from the request (officers are checked by `check_officers`)."""
    errors: list[FieldViolation] = []
    uscc = jsonio.text(body, "uscc", "被检查单位统一社会信用代码", errors, max_length=18).upper()
    mode = body.get("mode") or "routine"
    if mode not in MODE_ZH:
        errors.append(_v("mode", "mode.enum", "检查方式应为：日常检查、专项检查、四不两直", "mode must be routine, special or unannounced"))
    place = jsonio.text(body, "place", "检查场所", errors, max_length=300)
    started = _time(body, "started_at", "检查开始时间", errors, required=False) or now
    if started > now + timedelta(minutes=10):
        errors.append(_v("started_at", "started_at.future", "检查开始时间不能晚于当前时间", "started_at is in the future"))
    officers = body.get("officer_ids")
    if not isinstance(officers, list) or not all(isinstance(o, (str, int)) for o in officers):
        errors.append(_v("officer_ids", "officer_ids.required", "请选择至少两名执法人员", "officer_ids must list at least two officers"))
        officers = []
    ids = [str(o) for o in officers]
    if len(set(ids)) < 2:
        errors.append(_v("officer_ids", "officer_ids.two", "执法检查须由两名以上执法人员进行", "An inspection needs at least two officers"))
    elif len(set(ids)) != len(ids):
        errors.append(_v("officer_ids", "officer_ids.repeated", "执法人员重复", "An officer is listed twice"))
    checklist = body.get("checklist") or []
    if not isinstance(checklist, list) or not all(isinstance(c, str) for c in checklist):
        errors.append(_v("checklist", "checklist.type", "检查项应为检查项编号的数组", "checklist must be an array of item codes"))
        checklist = []
    plan_item = body.get("plan_item_id")
    if plan_item is not None and (not isinstance(plan_item, int) or plan_item < 1):
        errors.append(_v("plan_item_id", "plan_item_id.type", "计划事项编号无效", "plan_item_id must be a positive integer"))
    if errors:
        raise invalid(*errors)
    return {"uscc": uscc, "mode": mode, "place": place, "started_at": started, "officer_ids": ids, "checklist": checklist,
            "plan_item_id": plan_item}


def check_officers(officers: list[dict], *, on: date, region_prefix: str) -> list[dict]:
    """The officers as kept on the inspection; each must exist, work within the caller's region and
    hold a certificate valid on the day. `officers`: the data centre's records (None for unknown ids)."""
    errors, out = [], []
    for i, o in enumerate(officers):
        where = f"officer_ids[{i}]"
        if o is None:
            errors.append(_v(where, "officer.unknown", "执法人员不存在", "No such officer"))
            continue
        if not str(o.get("region_code") or "").startswith(region_prefix):
            errors.append(_v(where, "officer.region", f"{o.get('name')}不属于本辖区执法机关", f"{o.get('id')} is not of this region"))
            continue
        until = o.get("valid_until")
        valid_from = o.get("valid_from")
        if not until or date.fromisoformat(until) < on or (valid_from and date.fromisoformat(valid_from) > on):
            errors.append(_v(where, "officer.certificate", f"{o.get('name')}的执法证件在检查当日无效，不能参与执法",
                             f"{o.get('id')} has no valid enforcement certificate on that day"))
            continue
        out.append({"id": str(o["id"]), "name": o["name"], "certificate_number": o["certificate_number"], "valid_until": until,
                    "agency": o.get("agency") or ""})
    if errors:
        raise invalid(*errors)
    return out


def new_finding(body: Mapping, *, major_item: bool | None, today: date, max_days: int) -> dict:
    """A finding from the request. `major_item`: None when no item_code was given, else whether the
    catalogue item is a major-hazard criterion (the caller raises for an unknown code)."""
    errors: list[FieldViolation] = []
    description = jsonio.text(body, "description", "问题描述", errors, max_length=2000)
    handling = body.get("handling") or "order"
    if handling not in HANDLING_ZH:
        errors.append(_v("handling", "handling.enum", "处理方式应为：当场整改、责令限期整改、现场处理措施",
                         "handling must be fixed_on_site, order or measures"))
    deadline = None
    if handling in ("order", "measures"):
        raw = body.get("deadline")
        try:
            deadline = date.fromisoformat(str(raw)) if raw else None
        except ValueError:
            deadline = None
        if deadline is None:
            errors.append(_v("deadline", "deadline.required", "请填写整改期限（YYYY-MM-DD）", "deadline (YYYY-MM-DD) is required"))
        elif deadline <= today:
            errors.append(_v("deadline", "deadline.past", "整改期限应晚于今天", "deadline must be after today"))
        elif deadline > today + timedelta(days=max_days):
            errors.append(_v("deadline", "deadline.too_far", f"整改期限不能超过{max_days}天", f"deadline is more than {max_days} days away"))
    basis = jsonio.text(body, "basis", "违法事实依据", errors, max_length=500, required=False)
    if errors:
        raise invalid(*errors)
    return {"item_code": body.get("item_code") or None, "description": description, "major": bool(major_item),
            "handling": handling, "deadline": deadline, "basis": basis}


def completion(body: Mapping, *, inspection: dict, findings: list[dict], now: datetime) -> dict:
    """The end of an inspection: what was checked, who of the unit was present, the signatures.
    Every officer signs; the unit's head signs or refuses (recorded with the officers' note)."""
    errors: list[FieldViolation] = []
    content = jsonio.text(body, "content", "检查情况", errors, max_length=5000)
    ended = _time(body, "ended_at", "检查结束时间", errors, required=False) or now
    if ended < inspection["started_at"]:
        errors.append(_v("ended_at", "ended_at.before_start", "检查结束时间早于开始时间", "ended_at is before started_at"))
    unit = body.get("unit_present") if isinstance(body.get("unit_present"), dict) else {}
    unit_name = jsonio.text(unit, "name", "被检查单位现场负责人", errors, max_length=50)
    unit_post = jsonio.text(unit, "post", "职务", errors, max_length=50, required=False)
    refused = bool(body.get("unit_refused_to_sign"))
    note = jsonio.text(body, "refusal_note", "拒签情况说明", errors, max_length=500, required=refused)
    if len(findings) > MAX_FINDINGS:
        errors.append(_v("findings", "findings.too_many", f"一次检查最多{MAX_FINDINGS}个问题", f"At most {MAX_FINDINGS} findings"))
    if errors:
        raise invalid(*[FieldViolation(("unit_present." + e.field) if e.field in ("name", "post") else e.field, e.code, e.message_zh,
                                       e.message_en) for e in errors])
    signed_at = ended
    signatures = [{"role": "inspector", "name": o["name"], "certificate_number": o["certificate_number"], "signed_at": signed_at}
                  for o in inspection["officers"]]
    signatures.append({"role": "unit", "name": unit_name, "post": unit_post, "refused": refused, "note": note, "signed_at": signed_at})
    return {"content": content, "ended_at": ended, "unit_present": {"name": unit_name, "post": unit_post}, "signatures": signatures}


def documents_to_issue(findings: list[dict]) -> list[str]:
    """The document types an inspection issues on completion, in issuing order."""
    types = ["inspection_record"]
    if any(f["handling"] == "order" for f in findings):
        types.append("rectification_order")
    if any(f["handling"] == "measures" for f in findings):
        types.append("onsite_measures")
    return types


def order_deadline(findings: Iterable[dict], handling: str = "order") -> date | None:
    days = [f["deadline"] for f in findings if f["handling"] == handling and f["deadline"]]
    return max(days) if days else None


def recheck_due(rectify_by: date, table: Mapping) -> date:
    rule = table["recheck_after_deadline"]
    if rule["day_type"] != "calendar":
        raise ValueError("recheck_after_deadline counts calendar days in this table version")
    return rectify_by + timedelta(days=int(rule["days"]))


def recheck_status(recheck: Mapping, today: date) -> str:
    """waiting (before the deadline, nothing reported), due (past the deadline, or the enterprise
    reported its rectification), overdue (past its due day, not done), done."""
    if recheck.get("done_on"):
        return "done"
    if today <= recheck["rectify_by"] and not recheck.get("reported_on"):
        return "waiting"
    return "overdue" if today > recheck["due_on"] else "due"


RECHECK_STATUS_ZH = {"waiting": "整改期内", "due": "待复查", "overdue": "复查超期", "done": "已复查"}


def due_after_report(recheck: Mapping, reported_on: date, table: Mapping) -> date:
    """The re-check's due day once the enterprise reports its rectification: within the table's days
    of the report when that comes first, else as it was (期满后 10 日内). Tables before
    recheck_after_report leave it unchanged."""
    rule = table.get("recheck_after_report")
    if rule is None:
        return recheck["due_on"]
    if rule["day_type"] != "calendar":
        raise ValueError("recheck_after_report counts calendar days in this table version")
    return min(recheck["due_on"], reported_on + timedelta(days=int(rule["days"])))


def rectification_report(body: Mapping, *, order: Mapping, today: date) -> dict:
    """The enterprise's 整改情况报告 against a rectification order: for every item of the order the
    measures taken and the day it was completed (not before the order, not after today), a summary,
    and the name of the principal who signs it."""
    errors: list[FieldViolation] = []
    issued_on = order["issued_at"].astimezone(jsonio.SHANGHAI).date()
    wanted = [int(it["no"]) for it in order["body"].get("items", [])]
    raw = body.get("items")
    given: dict[int, Mapping] = {}
    if not isinstance(raw, list):
        errors.append(_v("items", "items.required", "请逐项填写整改情况", "items must list the order's items"))
        raw = []
    for n, it in enumerate(raw):
        no = it.get("no") if isinstance(it, Mapping) else None
        if isinstance(no, bool) or not isinstance(no, int) or no not in wanted:
            errors.append(_v(f"items[{n}].no", "items.no.unknown", "整改项序号不在该指令书中", "no is not an item of this order"))
        elif no in given:
            errors.append(_v(f"items[{n}].no", "items.no.duplicate", f"第{no}项重复填写", f"Item {no} is given twice"))
        else:
            given[no] = it
    lines = []
    for no in wanted:
        it = given.get(no)
        if it is None:
            errors.append(_v(f"items.{no}", "items.missing", f"请填写第{no}项的整改情况", f"Item {no} is missing"))
            continue
        nested: list[FieldViolation] = []
        measures = jsonio.text(it, "measures", f"第{no}项整改措施", nested, max_length=1000)
        done = None
        try:
            done = date.fromisoformat(str(it.get("completed_on")))
        except ValueError:
            nested.append(_v("completed_on", "completed_on.format", f"第{no}项完成日期格式应为 YYYY-MM-DD", "completed_on must be YYYY-MM-DD"))
        if done and done > today:
            nested.append(_v("completed_on", "completed_on.future", f"第{no}项完成日期不能晚于今天", "completed_on is in the future"))
        if done and done < issued_on:
            nested.append(_v("completed_on", "completed_on.early", f"第{no}项完成日期不能早于指令书下达日期（{issued_on.isoformat()}）",
                             "completed_on is before the order was issued"))
        errors += [FieldViolation(f"items.{no}.{v.field}", v.code, v.message_zh, v.message_en) for v in nested]
        lines.append({"no": no, "measures": measures, "completed_on": done.isoformat() if done else None})
    summary = jsonio.text(body, "summary", "整改情况说明", errors, max_length=2000, required=False)
    principal = jsonio.text(body, "principal", "主要负责人（签字）", errors, max_length=50)
    if errors:
        raise invalid(*errors)
    return {"items": lines, "summary": summary, "principal": principal}


def recheck_result(body: Mapping, *, recheck: Mapping, today: date, max_days: int) -> dict:
    errors: list[FieldViolation] = []
    result = body.get("result")
    if result not in RESULT_ZH:
        errors.append(_v("result", "result.enum", "复查结论应为：整改合格、整改不合格", "result must be passed or failed"))
    opinion = jsonio.text(body, "opinion", "复查意见", errors, max_length=2000)
    raw = body.get("rechecked_on") or today.isoformat()
    try:
        on = date.fromisoformat(str(raw))
    except ValueError:
        on = None
        errors.append(_v("rechecked_on", "rechecked_on.format", "复查日期格式应为 YYYY-MM-DD", "rechecked_on must be YYYY-MM-DD"))
    if on and on > today:
        errors.append(_v("rechecked_on", "rechecked_on.future", "复查日期不能晚于今天", "rechecked_on is in the future"))
    if on and on <= recheck["rectify_by"] and result == "failed":
        errors.append(_v("rechecked_on", "rechecked_on.early", "整改期限届满前不能作出整改不合格的结论",
                         "A re-check cannot fail before the rectification deadline"))
    next_action, new_deadline = None, None
    if result == "failed":
        next_action = body.get("next_action")
        if next_action not in NEXT_ZH:
            errors.append(_v("next_action", "next_action.enum", "整改不合格时请选择：再次责令限期整改或立案查处",
                             "next_action must be new_order or case when the re-check failed"))
        if next_action == "new_order":
            try:
                new_deadline = date.fromisoformat(str(body.get("new_deadline")))
            except ValueError:
                new_deadline = None
            if new_deadline is None or new_deadline <= today or new_deadline > today + timedelta(days=max_days):
                errors.append(_v("new_deadline", "new_deadline.range", f"请填写今后{max_days}天内的新整改期限",
                                 f"new_deadline must be within the next {max_days} days"))
    if errors:
        raise invalid(*errors)
    return {"result": result, "opinion": opinion, "rechecked_on": on, "next_action": next_action, "new_deadline": new_deadline}
