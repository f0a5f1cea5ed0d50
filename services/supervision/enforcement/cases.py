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

from dataclasses import dataclass
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
# 立案, 处罚决定 and 结案 need a supervisor's approval (负责人审批).
APPROVED_STEPS = ("filing", "decision", "closure")


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


@dataclass(frozen=True)
class Field:
    """One field of a step's form, as the page draws it and `step_fields` checks it.

    `name` is the body's field (`penalty.content` is `content` inside `penalty`); `kind` one of
    text / textarea (trimmed text of at most `max_length` characters), date (a day not after today;
    today when not given), money (a number ≥ 0; 0 when not given), choice (one of `options`) or flag
    (yes / no). `prefill` names the case's value the form starts from (`penalty.content`);
    `checked=False` records the value as sent (`paid_cny` has never been checked)."""
    name: str
    label: str
    kind: str
    required: bool = True
    max_length: int | None = None
    options: tuple[str, ...] = ()
    placeholder: str = ""
    prefill: str = ""
    checked: bool = True
    en: str = ""  # the choice's noun in English messages ("Unknown service method")

    def view(self, case: Mapping, today: date) -> dict:
        default = _path(case, self.prefill) if self.prefill else None
        if default is None:
            default = {"date": today, "money": 0, "flag": False, "choice": self.options[0] if self.options else ""}.get(self.kind, "")
        return {"name": self.name, "label": self.label, "kind": self.kind, "required": self.required, "max_length": self.max_length,
                "options": list(self.options), "placeholder": self.placeholder, "default": default}


KINDS = ("text", "textarea", "date", "money", "choice", "flag")
# Each step's form (the body of POST /api/v1/penalty-cases/{id}/steps besides `step` and `version`).
FORMS: dict[str, tuple[Field, ...]] = {
    "filing": (Field("summary", "案情摘要", "textarea", max_length=2000),
               Field("approver_opinion", "负责人审批意见", "textarea", max_length=500, placeholder="如：同意立案")),
    "investigation": (Field("facts", "违法事实", "textarea", max_length=2000), Field("evidence", "证据", "textarea", max_length=2000),
                      Field("violated", "违反的规定", "text", max_length=500, placeholder="如：《安全生产法》第三十六条")),
    "notice": (Field("basis", "处罚依据", "text", max_length=500, placeholder="如：《安全生产法》第九十九条"),
               Field("penalty.content", "拟处罚内容", "text", max_length=500),
               Field("penalty.amount_cny", "罚款金额", "money", required=False)),
    "statement": (Field("statement", "陈述申辩或听证情况", "textarea", max_length=2000),
                  Field("hearing_held", "已举行听证", "flag", required=False)),
    "decision": (Field("decision", "处罚决定内容", "textarea", max_length=500, prefill="penalty.content"),
                 Field("bank", "罚款缴纳银行", "text", required=False, max_length=100, placeholder="处以罚款的必填")),
    "service": (Field("method", "送达方式", "choice", options=SERVICE_METHODS, en="service method"),
                Field("served_on", "送达日期", "date", required=False),
                Field("recipient", "受送达人", "text", max_length=50)),
    "execution": (Field("execution", "执行情况", "textarea", max_length=2000),
                  Field("paid_cny", "已缴纳罚款", "money", required=False, prefill="penalty.amount_cny", checked=False)),
    "closure": (Field("summary", "处理及执行情况", "textarea", max_length=2000),
                Field("approver_opinion", "负责人审批意见", "textarea", max_length=500, placeholder="如：同意结案")),
}


def _path(data: Mapping | None, name: str):
    """`penalty.content` of {"penalty": {"content": …}}; None when any part is missing."""
    for part in name.split("."):
        data = data.get(part) if isinstance(data, Mapping) else None
    return data


def _fined(case: Mapping) -> bool:
    return bool((case.get("penalty") or {}).get("amount_cny"))


def form(step: str, case: Mapping, today: date) -> list[dict]:
    """The form of `step` for `case`: its fields with the values to start from (the bank is required once fined)."""
    fields = [f.view(case, today) for f in FORMS.get(step, ())]
    if step == "decision" and _fined(case):
        fields = [f | {"required": True} if f["name"] == "bank" else f for f in fields]
    return fields


def entries(step: str, recorded: Mapping) -> list[dict]:
    """What a done step recorded, as {name, label, kind, value} in its form's order (empty values left out)."""
    out = []
    for f in FORMS.get(step, ()):
        value = _path(recorded, f.name)
        if value is not None and value != "":
            out.append({"name": f.name, "label": f.label, "kind": f.kind, "value": value})
    return out


def _check(f: Field, body: Mapping, errors: list[FieldViolation], today: date):
    """One field's value, checked by its kind; problems go to `errors` (a malformed date raises at once)."""
    *parents, leaf = f.name.split(".")
    container = body
    for part in parents:
        container = container.get(part) if isinstance(container.get(part), dict) else {}
    prefix = "".join(p + "." for p in parents)
    if f.kind in ("text", "textarea"):
        nested: list[FieldViolation] = []
        value = jsonio.text(container, leaf, f.label, nested, max_length=f.max_length or 2000, required=f.required)
        errors += [FieldViolation(prefix + v.field, prefix + v.code, v.message_zh, v.message_en) for v in nested]
        return value
    if f.kind == "money":
        if not f.checked:
            return container.get(leaf) or 0
        amount = container.get(leaf, 0)
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
            errors.append(FieldViolation(f.name, f"{f.name}.range", f"{f.label}应为非负数", f"{leaf} must be ≥ 0"))
            return 0
        return amount
    if f.kind == "choice":
        value = container.get(leaf)
        if value not in f.options and (f.required or value is not None):
            errors.append(FieldViolation(f.name, f"{f.name}.enum", f"{f.label}应为：" + "、".join(f.options), f"Unknown {f.en or leaf}"))
        return value
    if f.kind == "date":
        value = jsonio.day(container.get(leaf) or (None if f.required else today.isoformat()), field=f.name, label=f.label)
        if value and value > today:
            errors.append(FieldViolation(f.name, f"{f.name}.future", f"{f.label}不能晚于今天", f"{f.name} is in the future"))
        return value
    if f.kind == "flag":
        return bool(container.get(leaf))
    raise ValueError(f"field {f.name!r}: unknown kind {f.kind!r}")


def step_fields(step: str, body: Mapping, *, case: Mapping, table: Mapping, today: date) -> dict:
    """The fields a step records (and its document prints), checked by its form (`FORMS`); Conflict
    when it is not the case's next step."""
    if case["step"] == "closed":
        raise Conflict("案件已结案", "The case is closed")
    if body.get("step") != case["step"]:
        raise Conflict(f"当前应办理“{STEP_ZH[case['step']]}”", f"The case's next step is {case['step']}")
    errors: list[FieldViolation] = []
    out: dict = {}
    for f in FORMS.get(step, ()):
        value = _check(f, body, errors, today)
        *parents, leaf = f.name.split(".")
        target = out
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    if step == "decision" and _fined(case) and not out["bank"]:
        errors.append(FieldViolation("bank", "bank.required", "处以罚款的，请填写缴纳罚款的银行", "A fine needs the bank to pay it at"))
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
