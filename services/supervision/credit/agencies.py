"""第三方技术服务机构 (安全评价、检测检验机构): the register, the work an agency did, the findings
against it and its credit rating. Pure.

The rating is the enterprise score's arithmetic (rules.score) over the agency's findings, with the
table agency_rating (tables/agency_rating.*.json): each finding type's points, validity and decay,
the grade bands, and the qualification types."""
from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping

from services.kit import jsonio, regions
from services.kit.errors import FieldViolation, invalid
from services.supervision.credit import rules

NAME_MAX, NUMBER_MAX, SCOPE_MAX, CONTENT_MAX = 200, 100, 2000, 1000
FIELDS = ("name", "uscc", "qualification_type", "qualification_number", "scope", "valid_until", "region_code")


def check_table(table: Mapping) -> None:
    rules.check_scoring(table, name="agency_rating")
    if not table.get("qualification_types") or any(not q.get("name") for q in table["qualification_types"].values()):
        raise ValueError("agency_rating: qualification_types need names")


def _valid_until(body: Mapping, errors: list) -> date | None:
    raw = body.get("valid_until")
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        errors.append(FieldViolation("valid_until", "valid_until.format", "资质有效期至格式应为 YYYY-MM-DD", "valid_until must be YYYY-MM-DD"))
        return None


def _check(body: Mapping, names: Iterable[str], *, table: Mapping) -> dict:
    """The register's fields named in `names`, checked."""
    errors: list[FieldViolation] = []
    out: dict = {}
    for name in names:
        if name == "name":
            out[name] = jsonio.text(body, "name", "机构名称", errors, max_length=NAME_MAX)
        elif name == "uscc":
            out[name] = rules.uscc(body, errors)
        elif name == "qualification_type":
            kinds = table["qualification_types"]
            if body.get(name) not in kinds:
                errors.append(FieldViolation(name, f"{name}.enum", f"资质类别应为：{'、'.join(q['name'] for q in kinds.values())}",
                                             f"{name} is one of {', '.join(kinds)}"))
            out[name] = body.get(name)
        elif name == "qualification_number":
            out[name] = jsonio.text(body, name, "资质证书编号", errors, max_length=NUMBER_MAX)
        elif name == "scope":
            out[name] = jsonio.text(body, name, "业务范围", errors, max_length=SCOPE_MAX)
        elif name == "valid_until":
            out[name] = _valid_until(body, errors)
        elif name == "region_code":
            code = str(body.get(name) or "")
            if not regions.is_well_formed(code):
                errors.append(FieldViolation(name, f"{name}.format", "请选择所在行政区划（GB/T 2260）", f"{name} must be a region code"))
            out[name] = code
    if errors:
        raise invalid(*errors)
    return out


def registration(body: Mapping, *, table: Mapping) -> dict:
    """A new agency of the register: every field required."""
    return _check(body, FIELDS, table=table)


def changes(agency: Mapping, body: Mapping, *, table: Mapping) -> dict:
    """The fields the body changes (its other keys besides `version` are refused by name)."""
    unknown = [k for k in body if k not in FIELDS and k != "version"]
    if unknown:
        raise invalid(*(FieldViolation(k, f"{k}.unknown", "不能修改该字段", f"{k} cannot be changed") for k in unknown))
    given = [k for k in FIELDS if k in body]
    if not given:
        raise invalid(FieldViolation("body", "body.empty", "请至少修改一个字段", "Change at least one field"))
    return {k: v for k, v in _check(body, given, table=table).items() if v != agency[k]}


def work(body: Mapping, *, today: date) -> dict:
    """A piece of work the agency did: {for_uscc, for_name, content, report_number, report_date}."""
    errors: list[FieldViolation] = []
    out = {"for_uscc": rules.uscc(body, errors, field="for_uscc", label="服务对象统一社会信用代码"),
           "for_name": jsonio.text(body, "for_name", "服务对象名称", errors, max_length=NAME_MAX),
           "content": jsonio.text(body, "content", "技术服务内容（如安全现状评价、检测检验项目）", errors, max_length=CONTENT_MAX),
           "report_number": jsonio.text(body, "report_number", "报告编号", errors, max_length=NUMBER_MAX),
           "report_date": rules.day(body, "report_date", "报告日期", errors, today=today)}
    if errors:
        raise invalid(*errors)
    return out


def finding(body: Mapping, *, table: Mapping, today: date) -> dict:
    """A finding against the agency: {type, points (from the table), reason, reference, found_on}."""
    errors: list[FieldViolation] = []
    kinds = table["event_types"]
    kind = body.get("type")
    if not isinstance(kind, str) or kind not in kinds:
        names = "、".join(f"{c}（{t['name']}）" for c, t in kinds.items())
        errors.append(FieldViolation("type", "type.enum", f"问题类型应为：{names}", f"type is one of {', '.join(kinds)}"))
    reason = jsonio.text(body, "reason", "事实和理由", errors, max_length=rules.REASON_MAX)
    reference = jsonio.text(body, "reference", "依据（文书编号或检查记录）", errors, max_length=rules.REFERENCE_MAX)
    found = rules.day(body, "found_on", "发现日期", errors, today=today)
    if errors:
        raise invalid(*errors)
    return {"type": kind, "points": kinds[kind]["points"], "reason": reason, "reference": reference, "found_on": found}


def rating(findings: Iterable[Mapping], *, as_of: date, table: Mapping) -> rules.Score:
    """The agency's score and grade on `as_of` from its findings (`parts` in their order)."""
    return rules.score([f | {"occurred_on": f["found_on"]} for f in findings], as_of=as_of, table=table)
