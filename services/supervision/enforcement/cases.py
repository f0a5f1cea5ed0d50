"""The administrative-penalty case chain (行政处罚案件办理). Pure rules over plain data.

立案 → 调查取证 → 告知 (行政处罚告知书, or 听证告知书 when the fine reaches the hearing threshold) →
陈述申辩 / 听证 → 决定 (行政处罚决定书) → 送达 (送达回执) → 执行 → 结案 (结案审批表), in that order
(《行政处罚法》, 应急管理部令第18号 from 2026-02-01; RULES.md §14). Each step is due a number of
working or calendar days after the previous one (rule table `enforcement_deadlines`, `case_steps`,
[verify]); working days come from the PRC calendar (services/kit/workdays.py), so a deadline into a
year not yet published is provisional. A penalty decision is published (双公示) within the table's
working days.
"""
from __future__ import annotations

from datetime import date
from typing import Mapping

from services.kit import jsonio, workdays
from services.kit.errors import Conflict, FieldViolation, invalid

STEPS = (("filing", "立案"), ("investigation", "调查取证"), ("notice", "告知"), ("statement", "陈述申辩/听证"),
         ("decision", "处罚决定"), ("service", "送达"), ("execution", "执行"), ("closure", "结案"))
STEP_ZH = dict(STEPS) | {"closed": "已结案"}
ORDER = [s for s, _ in STEPS]
SOURCES = ("现场检查", "复查不合格", "举报", "其他")
# The document each step issues (None: the step records facts only).
STEP_DOCUMENT = {"filing": "case_filing", "notice": "penalty_notice", "decision": "penalty_decision", "service": "service_receipt",
                 "closure": "case_closing"}
SERVICE_METHODS = ("直接送达", "留置送达", "邮寄送达", "委托送达", "公告送达", "电子送达")


def next_step(step: str) -> str:
    i = ORDER.index(step)
    return ORDER[i + 1] if i + 1 < len(ORDER) else "closed"


def due(step: str, done_on: date, *, cal: workdays.Calendar, table: Mapping) -> workdays.Deadline | None:
    """When `step` is due, counted from the day the step before it was done (or the case opened)."""
    rule = table["case_steps"].get(step)
    return None if rule is None else workdays.deadline(cal, done_on, int(rule["days"]), rule["day_type"])


def hearing_right(penalty: Mapping | None, table: Mapping) -> bool:
    """A fine at or above the unit threshold gives the right to a hearing (听证)."""
    amount = (penalty or {}).get("amount_cny") or 0
    return amount >= table["hearing_fine_threshold_cny"]["unit"]


def opening(body: Mapping) -> dict:
    errors: list[FieldViolation] = []
    uscc = jsonio.text(body, "uscc", "当事人统一社会信用代码", errors, max_length=18).upper()
    cause = jsonio.text(body, "cause", "案由", errors, max_length=300)
    source = body.get("source") or "现场检查"
    if source not in SOURCES:
        errors.append(FieldViolation("source", "source.enum", "案件来源应为：" + "、".join(SOURCES), "Unknown case source"))
    if errors:
        raise invalid(*errors)
    return {"uscc": uscc, "cause": cause, "source": source}


def step_fields(step: str, body: Mapping, *, case: Mapping, table: Mapping, today: date) -> dict:
    """The fields a step records (and its document prints), checked; Conflict when it is not the case's next step."""
    if case["step"] == "closed":
        raise Conflict("案件已结案", "The case is closed")
    if body.get("step") != case["step"]:
        raise Conflict(f"当前应办理“{STEP_ZH[case['step']]}”", f"The case's next step is {case['step']}")
    errors: list[FieldViolation] = []
    t = lambda name, label, n=2000, required=True: jsonio.text(body, name, label, errors, max_length=n, required=required)  # noqa: E731
    out: dict = {}
    if step == "filing":
        out = {"summary": t("summary", "案情摘要"), "approver_opinion": t("approver_opinion", "负责人审批意见", 500)}
    elif step == "investigation":
        out = {"facts": t("facts", "违法事实"), "evidence": t("evidence", "证据"), "violated": t("violated", "违反的规定", 500)}
    elif step == "notice":
        penalty = body.get("penalty") if isinstance(body.get("penalty"), dict) else {}
        nested: list[FieldViolation] = []
        content = jsonio.text(penalty, "content", "拟处罚内容", nested, max_length=500)
        errors += [FieldViolation(f"penalty.{v.field}", f"penalty.{v.code}", v.message_zh, v.message_en) for v in nested]
        amount = penalty.get("amount_cny", 0)
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
            errors.append(FieldViolation("penalty.amount_cny", "penalty.amount_cny.range", "罚款金额应为非负数", "amount_cny must be ≥ 0"))
            amount = 0
        out = {"basis": t("basis", "处罚依据", 500), "penalty": {"content": content, "amount_cny": amount}}
    elif step == "statement":
        out = {"statement": t("statement", "陈述申辩或听证情况"), "hearing_held": bool(body.get("hearing_held"))}
    elif step == "decision":
        out = {"decision": t("decision", "处罚决定内容", 500), "bank": t("bank", "罚款缴纳银行", 100, required=False)}
        if (case.get("penalty") or {}).get("amount_cny") and not out["bank"]:
            errors.append(FieldViolation("bank", "bank.required", "处以罚款的，请填写缴纳罚款的银行", "A fine needs the bank to pay it at"))
    elif step == "service":
        method = body.get("method")
        if method not in SERVICE_METHODS:
            errors.append(FieldViolation("method", "method.enum", "送达方式应为：" + "、".join(SERVICE_METHODS), "Unknown service method"))
        served = jsonio.day(body.get("served_on") or today.isoformat(), field="served_on", label="送达日期")
        if served and served > today:
            errors.append(FieldViolation("served_on", "served_on.future", "送达日期不能晚于今天", "served_on is in the future"))
        out = {"method": method, "served_on": served, "recipient": t("recipient", "受送达人", 50)}
    elif step == "execution":
        out = {"execution": t("execution", "执行情况"), "paid_cny": body.get("paid_cny") or 0}
    elif step == "closure":
        out = {"summary": t("summary", "处理及执行情况"), "approver_opinion": t("approver_opinion", "负责人审批意见", 500)}
    if errors:
        raise invalid(*errors)
    return out


def document_fields(step: str, *, case: Mapping, fields: Mapping, history: Mapping[str, Mapping], table: Mapping,
                    decision_number: str | None = None) -> tuple[str, dict]:
    """(document type, the fields enforcement/render.py prints) for a step that issues one."""
    inv = history.get("investigation", {})
    notice = history.get("notice", {})
    common = {"case_number": case.get("case_number") or "", "facts": inv.get("facts", ""), "evidence": inv.get("evidence", ""),
              "violated": inv.get("violated", ""), "basis": notice.get("basis", ""), "penalty": notice.get("penalty") or case.get("penalty") or {}}
    if step == "filing":
        return "case_filing", {"case_number": case.get("case_number") or "", "cause": case["cause"], "source": case["source"],
                               "summary": fields["summary"], "approver_opinion": fields["approver_opinion"]}
    if step == "notice":
        doc = "hearing_notice" if hearing_right(fields["penalty"], table) else "penalty_notice"
        return doc, common | {"basis": fields["basis"], "penalty": fields["penalty"]}
    if step == "decision":
        return "penalty_decision", common | {"payment": {"bank": fields.get("bank") or "（无罚款）"}}
    if step == "service":
        return "service_receipt", {"document_name": "行政处罚决定书", "document_number": decision_number or "",
                                   "served_on": fields["served_on"].isoformat(), "method": fields["method"], "recipient": fields["recipient"]}
    if step == "closure":
        return "case_closing", {"case_number": case.get("case_number") or "", "summary": fields["summary"],
                                "approver_opinion": fields["approver_opinion"]}
    raise ValueError(f"step {step!r} issues no document")
