"""Hidden hazards (事故隐患): the closed loop from registration to closure, the 五落实 plan of a
major hazard, listed supervision (挂牌督办) and overdue checks. Pure functions.

Source: 《安全生产事故隐患排查治理暂行规定》(原国家安全监管总局令第16号). There is no national
deadline for a general hazard, so no rule table: the deadline is a field on each hazard.

A hazard record is a dict:
    level, source, unannounced (bool, agency inspections only), status, description, found_on (date),
    measures, responsible_person, deadline (date)            -- the rectification
    plan: {target, measures, funds, materials, responsible, deadline, safety_emergency_measures}
    verification: {verified_by, verified_at, result, opinion}
    supervision: {level, document_number, deadline, extensions: [{requested_on, new_deadline, reason, approved}]}
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Mapping

from services.kit.errors import FieldViolation, invalid

LEVELS = (("general", "一般隐患"), ("major", "重大隐患"))
SOURCES = (("self_inspection", "企业自查"), ("agency_inspection", "部门检查"),
           ("public_report", "群众举报"), ("employee_report", "职工举报"))
STATUSES = (("registered", "已登记"), ("rectifying", "整改中"), ("awaiting_verification", "待验收"), ("closed", "已销号"))
VERIFICATION_RESULTS = (("passed", "验收合格"), ("failed", "验收不合格"))
SUPERVISION_LEVELS = (("province", "省级挂牌督办"), ("city", "市级挂牌督办"), ("county", "县级挂牌督办"))

# The 五落实 plan of a major hazard (暂行规定 art. 15), in the regulation's order.
PLAN_FIELDS = (
    ("target", "治理的目标和任务"), ("measures", "采取的方法和措施"), ("funds", "经费落实"), ("materials", "物资落实"),
    ("responsible", "负责治理的机构和人员"), ("deadline", "治理的时限和要求"), ("safety_emergency_measures", "安全措施和应急预案"),
)
RECTIFICATION_FIELDS = (("measures", "整改措施"), ("responsible_person", "整改责任人"), ("deadline", "整改期限"))
VERIFICATION_FIELDS = (("verified_by", "验收人"), ("verified_at", "验收时间"), ("result", "验收结论"), ("opinion", "验收意见"))

# Forward along the loop; back from 待验收 to 整改中 when the verification fails. 已销号 is final.
TRANSITIONS = frozenset({
    ("registered", "rectifying"), ("rectifying", "awaiting_verification"),
    ("awaiting_verification", "rectifying"), ("awaiting_verification", "closed"),
})

_STATUS_ZH = dict(STATUSES)
_STATUS_ORDER = [code for code, _ in STATUSES]


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_day(value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)  # a datetime is a date, but does not compare with one


def _same_person(a, b) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip() == b.strip()


# --- 公文文号 ---------------------------------------------------------------------------------------

# Issuer abbreviation, the full year in 六角括号 〔〕, serial without 第 or padding (GB/T 9704-2012, 发文字号).
DOCUMENT_NUMBER = re.compile(r"^(?P<issuer>[\u4e00-\u9fff]{2,20})〔(?P<year>(?:19|20)[0-9]{2})〕(?P<serial>[1-9][0-9]{0,5})号$")
_WRONG_BRACKETS = re.compile(r"^[\u4e00-\u9fff]{2,20}[\[［【(（﹝〈<{][0-9]{4}[\]］】)）﹞〉>}][0-9]+号$")
_PADDED_SERIAL = re.compile(r"^[\u4e00-\u9fff]{2,20}〔(?:19|20)[0-9]{2}〕(?:第[0-9]+|0[0-9]*)号$")


def document_number_problem(number: str) -> str | None:
    """None for 平应急发〔2026〕12号, else 'required', 'brackets' (the year is not in 〔〕),
    'serial' (第 or a zero-padded serial) or 'format'."""
    if _blank(number):
        return "required"
    if not isinstance(number, str):
        return "format"
    if DOCUMENT_NUMBER.match(number):
        return None
    if _WRONG_BRACKETS.match(number):
        return "brackets"
    if _PADDED_SERIAL.match(number):
        return "serial"
    return "format"


def parse_document_number(number: str) -> tuple[str, int, int] | None:
    """(issuer, year, serial) of a valid number: 平应急发〔2026〕12号 → ("平应急发", 2026, 12)."""
    m = DOCUMENT_NUMBER.match(number) if isinstance(number, str) else None
    return (m["issuer"], int(m["year"]), int(m["serial"])) if m else None


_DOCUMENT_NUMBER_MESSAGES = {
    "required": ("督办文号不能为空", "The supervision document number is required"),
    "brackets": ("文号年份应使用六角括号〔〕，如 平应急发〔2026〕12号", "The year must be in 〔〕 brackets, e.g. 平应急发〔2026〕12号"),
    "serial": ("文号序号不加“第”字、不编虚位，如 12号 而非 第012号", "The serial has no 第 and no leading zeros, e.g. 12号"),
    "format": ("文号格式应为“机关代字〔年份〕序号号”，如 平应急发〔2026〕12号", "A document number looks like 平应急发〔2026〕12号: issuer, year in 〔〕, serial"),
}


# --- prerequisites --------------------------------------------------------------------------------

def _required(container: Mapping, fields, prefix: str, what_zh: str, what_en: str) -> list[FieldViolation]:
    out = []
    for key, zh in fields:
        if _blank(container.get(key)):
            out.append(FieldViolation(f"{prefix}{key}", f"{prefix}{key}.required", f"{what_zh}缺少“{zh}”",
                                      f"{what_en}: {prefix}{key} is required"))
    return out


def _rectification_violations(record: Mapping) -> list[FieldViolation]:
    out = _required(record, RECTIFICATION_FIELDS, "", "整改前须明确", "Rectification needs measures, a responsible person and a deadline")
    if not _blank(record.get("deadline")) and not _is_day(record["deadline"]):
        out.append(FieldViolation("deadline", "deadline.invalid", "整改期限应为日期", "The deadline must be a date"))
    if record.get("level") == "major":
        plan = record.get("plan") or {}
        out += _required(plan, PLAN_FIELDS, "plan.", "重大隐患治理方案（五落实）", "A major hazard's remediation plan")
    return out


def _verification_violations(record: Mapping, *, actor: str | None = None) -> list[FieldViolation]:
    v = record.get("verification") or {}
    out = _required(v, VERIFICATION_FIELDS, "verification.", "销号前须完成验收", "Closing needs a verification")
    if not _blank(v.get("result")) and v["result"] != "passed":
        out.append(FieldViolation("verification.result", "verification.result.not_passed", "验收不合格的隐患不能销号，应退回整改",
                                  "A hazard that failed verification cannot be closed; send it back to rectification"))
    fixer = record.get("responsible_person")
    if _same_person(v.get("verified_by"), fixer) or _same_person(actor, fixer):
        out.append(FieldViolation("verification.verified_by", "verification.verified_by.same_as_responsible",
                                  "验收人不能是整改责任人本人", "The verifier must not be the person responsible for the rectification"))
    return out


def transition(current_status: str, target_status: str, *, record: Mapping, actor: str) -> None:
    """Raise InvalidArgument unless the hazard may move from current to target now."""
    for value in (current_status, target_status):
        if value not in _STATUS_ZH:
            raise invalid(FieldViolation("status", "status.unknown", f"未知的隐患状态“{value}”", f"Unknown hazard status {value!r}"))
    if (current_status, target_status) not in TRANSITIONS:
        raise invalid(FieldViolation(
            "status", "status.illegal_transition",
            f"隐患不能从“{_STATUS_ZH[current_status]}”变为“{_STATUS_ZH[target_status]}”",
            f"A hazard cannot go from {current_status} to {target_status}"))
    problems: list[FieldViolation] = []
    if target_status == "rectifying" and record.get("level") not in dict(LEVELS):
        # 评估定级 comes before rectification: the level decides whether a 五落实 plan is needed.
        problems.append(FieldViolation("level", "level.required", "整改前须先评估定级（一般隐患或重大隐患）",
                                       "Grade the hazard (general or major) before rectification"))
    if target_status in ("rectifying", "awaiting_verification"):
        problems += _rectification_violations(record)
    if target_status == "closed":
        problems += _verification_violations(record, actor=actor)
    if problems:
        raise invalid(*problems)


def is_overdue(*, status: str, deadline: date | None, today: date) -> bool:
    """超期: not closed and the deadline has passed (the deadline day itself is still in time)."""
    return status != "closed" and deadline is not None and deadline < today


# --- listed supervision (挂牌督办) -----------------------------------------------------------------

def supervision_deadline(supervision: Mapping) -> date | None:
    """The supervision deadline after every approved extension."""
    deadline = supervision.get("deadline")
    for ext in supervision.get("extensions") or ():
        if ext.get("approved") is True and _is_day(ext.get("new_deadline")):
            deadline = max(deadline, ext["new_deadline"]) if _is_day(deadline) else ext["new_deadline"]
    return deadline


def supervision_violations(record: Mapping) -> list[FieldViolation]:
    s = record.get("supervision")
    if s is None:
        return []
    if record.get("level") != "major":
        return [FieldViolation("supervision", "supervision.not_major", "只有重大隐患可以挂牌督办", "Only a major hazard can be put under listed supervision")]
    out = []
    if s.get("level") not in dict(SUPERVISION_LEVELS):
        out.append(FieldViolation("supervision.level", "supervision.level.unknown", "督办级别应为省级、市级或县级",
                                  "The supervising level must be province, city or county"))
    if problem := document_number_problem(s.get("document_number")):
        zh, en = _DOCUMENT_NUMBER_MESSAGES[problem]
        out.append(FieldViolation("supervision.document_number", f"supervision.document_number.{problem}", zh, en))
    deadline = s.get("deadline")
    if not _is_day(deadline):
        out.append(FieldViolation("supervision.deadline", "supervision.deadline.required", "督办期限不能为空", "The supervision deadline is required"))
    for i, ext in enumerate(s.get("extensions") or ()):
        at = f"supervision.extensions[{i}]"
        if _blank(ext.get("reason")):
            out.append(FieldViolation(f"{at}.reason", "extension.reason.required", "延期申请须说明理由", "An extension request needs a reason"))
        new = ext.get("new_deadline")
        if not _is_day(new) or (_is_day(deadline) and new <= deadline):
            out.append(FieldViolation(f"{at}.new_deadline", "extension.new_deadline.invalid", "延期后的期限应晚于原督办期限",
                                      "The extended deadline must be after the original one"))
        if not any(ext.get("approved") is ok for ok in (True, False, None)):  # `in` would accept 1 and 0
            out.append(FieldViolation(f"{at}.approved", "extension.approved.invalid", "审批结果应为同意、不同意或待审批",
                                      "approved must be true, false or null (pending)"))
    return out


# --- whole-record validation ----------------------------------------------------------------------

def violations(record: Mapping, *, today: date) -> list[FieldViolation]:
    """Every problem with a hazard record at once, including the prerequisites of its status."""
    out: list[FieldViolation] = []
    if record.get("level") not in dict(LEVELS):
        out.append(FieldViolation("level", "level.unknown", "隐患级别应为一般隐患或重大隐患", "The level must be general or major"))
    source = record.get("source")
    if source not in dict(SOURCES):
        out.append(FieldViolation("source", "source.unknown", "隐患来源不在可选范围内", "Unknown hazard source"))
    if record.get("unannounced") and source != "agency_inspection":
        out.append(FieldViolation("unannounced", "unannounced.not_agency", "“四不两直”仅适用于部门检查",
                                  "Only an agency inspection can be unannounced (四不两直)"))
    status = record.get("status")
    if status not in _STATUS_ZH:
        out.append(FieldViolation("status", "status.unknown", "隐患状态不在可选范围内", "Unknown hazard status"))
    if _blank(record.get("description")):
        out.append(FieldViolation("description", "description.required", "隐患描述不能为空", "A description is required"))
    found_on = record.get("found_on")
    if not _is_day(found_on):
        out.append(FieldViolation("found_on", "found_on.required", "发现日期不能为空", "The date found is required"))
        found_on = None
    elif found_on > today:
        out.append(FieldViolation("found_on", "found_on.future", "发现日期不能晚于今天", "The date found cannot be in the future"))
    deadline = record.get("deadline")
    if found_on and _is_day(deadline) and deadline < found_on:
        out.append(FieldViolation("deadline", "deadline.before_found", "整改期限不能早于发现日期", "The deadline cannot be before the date found"))

    if status in _STATUS_ZH and _STATUS_ORDER.index(status) >= _STATUS_ORDER.index("rectifying"):
        out += _rectification_violations(record)
    if status == "closed":
        out += _verification_violations(record)
        verified_at = (record.get("verification") or {}).get("verified_at")
        day = verified_at.date() if isinstance(verified_at, datetime) else verified_at
        if isinstance(day, date) and day > today:
            out.append(FieldViolation("verification.verified_at", "verification.verified_at.future", "验收时间不能晚于今天",
                                      "The verification cannot be in the future"))
    out += supervision_violations(record)
    return out
