"""Rules for enterprise onboarding: what an application must contain, who reviews it, and how an
application moves (pending → approved | rejected). Pure functions."""
from __future__ import annotations

import re
from dataclasses import dataclass

from services.datacenter.enterprises.rules import uscc_violations
from services.kit import regions, roles
from services.kit.auth import Principal
from services.kit.errors import Conflict, FieldViolation, NotFound, PermissionDenied, invalid

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)


@dataclass(frozen=True)
class ApplicationForm:
    uscc: str
    name: str
    region_code: str
    contact_name: str
    contact_phone: str
    email: str
    note: str

    @classmethod
    def normalised(cls, **fields: str) -> "ApplicationForm":
        f = {k: (v or "").strip() for k, v in fields.items()}
        f["uscc"] = f["uscc"].upper()
        f["contact_phone"] = f["contact_phone"].replace(" ", "")
        return cls(**f)


def violations(a: ApplicationForm, *, allowed_regions: set[str]) -> list[FieldViolation]:
    out = uscc_violations(a.uscc)
    if not 2 <= len(a.name) <= 200:
        out.append(FieldViolation("name", "name.length", "单位名称应为2至200个字符", "The name must have 2 to 200 characters"))
    if a.region_code not in allowed_regions:
        out.append(FieldViolation("region_code", "region_code.not_allowed", "请选择本平台辖区内的区县",
                                  "Choose a county of this platform's jurisdiction"))
    if not 1 <= len(a.contact_name) <= 50:
        out.append(FieldViolation("contact_name", "contact_name.length", "联系人应为1至50个字符", "The contact name must have 1 to 50 characters"))
    if not (MOBILE.match(a.contact_phone) or LANDLINE.match(a.contact_phone)):
        out.append(FieldViolation("contact_phone", "contact_phone.format", "联系电话应为11位手机号或带区号的固定电话",
                                  "The phone must be an 11-digit mobile number or a landline with area code"))
    if a.email and (len(a.email) > 200 or not EMAIL.match(a.email)):
        out.append(FieldViolation("email", "email.format", "电子邮箱格式不正确", "The e-mail address is not valid"))
    if len(a.note) > 500:
        out.append(FieldViolation("note", "note.length", "备注不得超过500个字符", "The note must not exceed 500 characters"))
    return out


def validate(a: ApplicationForm, *, allowed_regions: set[str]) -> None:
    found = violations(a, allowed_regions=allowed_regions)
    if found:
        raise invalid(*found)


def refuse_duplicate(*, has_pending: bool, has_enabled_client: bool) -> None:
    if has_pending:
        raise Conflict("该单位已有待审核的接入申请", "This enterprise already has an application awaiting review")
    if has_enabled_client:
        raise Conflict("该单位已开通接入，如需新密钥请联系管理员轮换", "This enterprise already has access; ask an administrator to rotate its secret")


def require_reviewer(p: Principal) -> None:
    if p.kind != "staff" or not p.has_any_role(*roles.ONBOARDING_REVIEWERS) or not p.region:
        raise PermissionDenied("仅数据中心管理员可审核企业接入", "Only data-centre administrators review enterprise access")


def require_in_scope(p: Principal, region_code: str | None, what_zh: str = "申请") -> None:
    """Outside the reviewer's region looks the same as absent."""
    if region_code is None or not regions.covers(p.region or "", region_code):
        raise NotFound(f"未找到该{what_zh}", "Not found")


def require_pending(status: str) -> None:
    if status != PENDING:
        raise Conflict("该申请已处理，不能重复审核", "This application has already been decided")


def reject_reason_violations(reason: str) -> list[FieldViolation]:
    if not 2 <= len(reason.strip()) <= 500:
        return [FieldViolation("reason", "reason.length", "驳回理由应为2至500个字符", "The reason must have 2 to 500 characters")]
    return []


def allowed_regions(dictionary: list[tuple[str, str, str]], jurisdiction: str) -> list[tuple[str, str]]:
    """Counties (and townships, once loaded) inside the jurisdiction: where an enterprise may apply.
    `dictionary` rows are (code, name, level)."""
    return [(code, name) for code, name, level in dictionary
            if level in ("county", "township") and regions.covers(jurisdiction, code)]
