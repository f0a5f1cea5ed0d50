"""Rules for enterprise onboarding: what an application must contain, who reviews it, and how an
application moves (pending → approved | rejected); and who manages an enterprise's staff accounts
and what such an account must contain. Pure functions."""
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


# --- enterprise staff accounts (people bound to an enterprise's credit code) ----------------------
# Agency administrators (roles.ENTERPRISE_USER_MANAGERS) manage the accounts of enterprises within
# their region; an enterprise's own administrator (enterprise-admin) those of its own enterprise;
# nobody else. Another enterprise's account, or one outside the region, answers as if absent.

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,38}[a-z0-9]$")  # ASCII, 3-40, lower case
RESERVED_USERNAME_PREFIXES = ("service-account-",)  # Keycloak's own names for clients' service accounts
# What Keycloak's person-name validator refuses, and control characters.
_NAME_FORBIDDEN = re.compile(r"[<>&\"$%!#?§;*~/\\|^=\[\]{}()`\x00-\x1f\x7f]")


def normalised_username(username: str) -> str:
    """Usernames are case-insensitive in Keycloak, which stores them in lower case."""
    return (username or "").strip().lower()


def username_violations(username: str) -> list[FieldViolation]:
    if not USERNAME.match(username) or username.startswith(RESERVED_USERNAME_PREFIXES):
        return [FieldViolation("username", "username.format", "用户名应为3至40位小写英文字母、数字或 . _ -，以字母或数字开头和结尾",
                               "The username must have 3 to 40 lower-case ASCII letters, digits or . _ -, "
                               "beginning and ending with a letter or digit")]
    return []


@dataclass(frozen=True)
class UserForm:
    username: str
    display_name: str
    phone: str
    email: str
    role: str

    @classmethod
    def normalised(cls, **fields: str) -> "UserForm":
        f = {k: (v or "").strip() for k, v in fields.items()}
        f["username"] = normalised_username(f["username"])
        f["phone"] = f["phone"].replace(" ", "")
        f["email"] = f["email"].lower()
        return cls(**f)


def user_violations(u: UserForm) -> list[FieldViolation]:
    out = username_violations(u.username)
    if not 1 <= len(u.display_name) <= 50 or _NAME_FORBIDDEN.search(u.display_name):
        out.append(FieldViolation("display_name", "display_name.format", "姓名应为1至50个字符，且不含特殊符号",
                                  "The name must have 1 to 50 characters and no special symbols"))
    if not (MOBILE.match(u.phone) or LANDLINE.match(u.phone)):
        out.append(FieldViolation("phone", "phone.format", "联系电话应为11位手机号或带区号的固定电话",
                                  "The phone must be an 11-digit mobile number or a landline with area code"))
    if u.email and (len(u.email) > 200 or not EMAIL.match(u.email)):
        out.append(FieldViolation("email", "email.format", "电子邮箱格式不正确", "The e-mail address is not valid"))
    if u.role not in roles.ENTERPRISE_USER_ROLES:
        out.append(FieldViolation("role", "role.unknown", "角色应为 enterprise-admin（企业管理员）或 enterprise-staff（企业安全管理人员）",
                                  "role must be enterprise-admin or enterprise-staff"))
    return out


def validate_user(u: UserForm) -> None:
    found = user_violations(u)
    if found:
        raise invalid(*found)


def require_user_manager(p: Principal) -> None:
    """May this caller manage enterprise accounts at all (before looking at the enterprise)?"""
    if p.kind == "staff" and p.has_any_role(*roles.ENTERPRISE_USER_MANAGERS) and p.region:
        return
    if p.kind == "enterprise" and roles.ENTERPRISE_ADMIN in p.roles and p.uscc:
        return
    raise PermissionDenied("仅平台管理员、数据中心管理员或本单位的企业管理员可管理企业账号",
                           "Only platform or data-centre administrators, or the enterprise's own administrator, manage enterprise accounts")


def may_manage_enterprise(p: Principal, *, uscc: str, region_code: str | None) -> bool:
    """region_code: the enterprise's region, None when the platform does not know the enterprise."""
    if region_code is None:
        return False
    if p.kind == "enterprise":
        return roles.ENTERPRISE_ADMIN in p.roles and bool(p.uscc) and p.uscc == uscc
    return (p.kind == "staff" and p.has_any_role(*roles.ENTERPRISE_USER_MANAGERS) and bool(p.region)
            and regions.covers(p.region, region_code))


def require_manages_enterprise(p: Principal, *, uscc: str, region_code: str | None) -> None:
    """Another enterprise, or one outside the administrator's region, looks the same as absent."""
    if not may_manage_enterprise(p, uscc=uscc, region_code=region_code):
        raise NotFound("未找到该单位", "No such enterprise")


def require_user_of(uscc: str, *, user_uscc: str | None, user_role: str | None) -> None:
    """The account must be one of this enterprise's people: anyone else's (another enterprise's,
    an agency officer's, a service account) answers as if it did not exist."""
    if not user_uscc or user_uscc != uscc or user_role not in roles.ENTERPRISE_USER_ROLES:
        raise NotFound("未找到该账号", "No such account")


def refuse_self_disable(p: Principal, *, user_id: str, enabled: bool) -> None:
    if not enabled and p.subject == user_id:
        raise Conflict("不能停用自己的账号", "You cannot disable your own account")
