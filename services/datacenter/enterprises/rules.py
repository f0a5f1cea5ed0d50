"""Rules for enterprise basic information: validation, ownership and visibility. Pure functions."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from services.kit import regions, roles
from services.kit.auth import Principal
from services.kit.codes import uscc_problem
from services.kit.errors import FieldViolation, NotFound, PermissionDenied, invalid

INDUSTRY_CODE = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")  # GB/T 4754: section letter, then 2-4 digits


@dataclass(frozen=True)
class Submission:
    uscc: str
    name: str
    region_code: str
    address: str
    industry_code: str

    @classmethod
    def normalised(cls, *, uscc: str, name: str, region_code: str, address: str, industry_code: str) -> "Submission":
        return cls(uscc=uscc.strip().upper(), name=name.strip(), region_code=region_code.strip(),
                   address=address.strip(), industry_code=industry_code.strip().upper())


_USCC_MESSAGES = {
    "length": ("统一社会信用代码应为18位", "The unified social credit code must have 18 characters"),
    "charset": ("统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）", "The unified social credit code contains characters that are not allowed (I, O, S, V, Z are never used)"),
    "check_digit": ("统一社会信用代码校验位错误", "The unified social credit code's check character is wrong"),
}


def uscc_violations(uscc: str) -> list[FieldViolation]:
    """GB 32100 checks of a normalised credit code, as field violations of `uscc`."""
    if not uscc:
        return [FieldViolation("uscc", "uscc.required", "统一社会信用代码不能为空", "The unified social credit code is required")]
    if problem := uscc_problem(uscc):
        zh, en = _USCC_MESSAGES[problem]
        return [FieldViolation("uscc", f"uscc.{problem}", zh, en)]
    return []


def violations(s: Submission, *, region_exists: Callable[[str], bool], jurisdiction: str) -> list[FieldViolation]:
    out: list[FieldViolation] = uscc_violations(s.uscc)
    if not 2 <= len(s.name) <= 200:
        out.append(FieldViolation("name", "name.length", "单位名称应为2至200个字符", "The name must have 2 to 200 characters"))
    if not regions.is_well_formed(s.region_code):
        out.append(FieldViolation("region_code", "region_code.format", "行政区划代码应为6、9或12位数字（GB/T 2260）", "The region code must be 6, 9 or 12 digits (GB/T 2260)"))
    elif not regions.covers(jurisdiction, s.region_code):
        out.append(FieldViolation("region_code", "region_code.outside_jurisdiction", f"行政区划 {s.region_code} 不在本平台辖区（{jurisdiction}）内",
                                  f"Region {s.region_code} is outside this platform's jurisdiction ({jurisdiction})"))
    elif not region_exists(s.region_code):
        out.append(FieldViolation("region_code", "region_code.unknown", f"行政区划代码 {s.region_code} 不存在", f"Unknown region code {s.region_code}"))
    if not 2 <= len(s.address) <= 300:
        out.append(FieldViolation("address", "address.length", "地址应为2至300个字符", "The address must have 2 to 300 characters"))
    if not INDUSTRY_CODE.match(s.industry_code):
        out.append(FieldViolation("industry_code", "industry_code.format", "行业代码应符合GB/T 4754（如 C2614）", "The industry code must follow GB/T 4754 (e.g. C2614)"))
    return out


def validate(s: Submission, *, region_exists: Callable[[str], bool], jurisdiction: str) -> None:
    found = violations(s, region_exists=region_exists, jurisdiction=jurisdiction)
    if found:
        raise invalid(*found)


def authorize_submit(p: Principal, uscc: str) -> None:
    """Only an enterprise client, and only for its own credit code."""
    if p.kind != "enterprise" or roles.ENTERPRISE not in p.roles:
        raise PermissionDenied("仅生产经营单位可报送本单位基本信息", "Only an enterprise client may submit its own basic information")
    if p.uscc != uscc:
        raise PermissionDenied("只能报送本单位的信息", "An enterprise may submit only its own information")


def can_read(p: Principal, *, uscc: str, region_code: str) -> bool:
    if p.kind == "enterprise":
        return p.uscc == uscc
    if p.kind == "integrator":
        return "datacenter.read" in p.scopes and bool(p.region) and regions.covers(p.region, region_code)
    return p.has_any_role(*roles.DATACENTER_READERS) and bool(p.region) and regions.covers(p.region, region_code)


def require_readable(p: Principal, *, uscc: str, region_code: str | None) -> None:
    """Absent and not-yours look the same, so a caller cannot probe for others' records."""
    if region_code is None or not can_read(p, uscc=uscc, region_code=region_code):
        raise NotFound("未找到该单位", "No such enterprise")


MUTABLE_FIELDS = ("name", "region_code", "address", "industry_code")


def changed_fields(current: dict | None, s: Submission) -> list[str]:
    """The fields a submission changes; all of them for a new enterprise, none for a repeat."""
    if current is None:
        return list(MUTABLE_FIELDS)
    return [f for f in MUTABLE_FIELDS if current[f] != getattr(s, f)]
