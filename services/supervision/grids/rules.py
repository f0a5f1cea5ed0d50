"""The grid tree (网格化监管: 定区域、定人员、定责任) and who may change it. Pure functions.

A grid covers a region (GB/T 2260, extended to 9 digits for a township and 12 for a village):
the city grid, one grid per county, then township and village grids below them. A child grid's
region lies within its parent's and is one level finer (a county may also have several grids of
its own level, e.g. an industrial park). Every registered enterprise is in exactly one grid, one
whose region is within the enterprise's county: registration puts it in the most specific grid
covering its region, and an officer may move it to another grid of its county, with a reason.
"""
from __future__ import annotations

import re

from services.kit import jsonio, regions, roles
from services.kit.auth import Principal
from services.kit.errors import FieldViolation, NotFound, PermissionDenied, invalid

LEVELS = (("city", "市级网格"), ("county", "县级网格"), ("township", "乡镇（街道）网格"), ("village", "村（社区）网格"))
LEVEL_ZH = dict(LEVELS)
CHILD_LEVEL = {"city": "county", "county": "township", "township": "village"}
REGION_DIGITS = {"city": 6, "county": 6, "township": 9, "village": 12}
# The people of a grid (定人员). 网格监管员 are agency officers; 网格员 walk the grid.
DUTIES = (("leader", "网格长"), ("officer", "网格监管员"), ("member", "网格员"), ("city_duty", "市级值班"))
DUTY_ZH = dict(DUTIES)
DUTY_BY_ZH = {zh: code for code, zh in DUTIES}
MANAGERS = (roles.PLATFORM_ADMIN, roles.SUPERVISION_SUPERVISOR)   # change grids, members and assignments
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
_PHONE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


def require_reader(p: Principal) -> str:
    """The region prefix the caller may read: supervision staff, their region."""
    if p.kind != "staff" or not p.region or not p.has_any_role(*roles.SUPERVISION_READERS):
        raise PermissionDenied("仅监管人员可查看网格", "Only supervision staff may read grids")
    return regions.significant_prefix(p.region)


def require_manager(p: Principal, region_code: str) -> None:
    require_reader(p)
    if not p.has_any_role(*MANAGERS):
        raise PermissionDenied("仅监管科室负责人或平台管理员可调整网格", "Only supervisors or platform administrators change grids")
    require_within(p, region_code)


def require_within(p: Principal, region_code: str | None) -> None:
    if not region_code or not regions.covers(p.region, region_code):
        raise NotFound("未找到该网格或单位", "No such grid or enterprise")


def new_grid(body: dict, parent: dict | None) -> dict:
    """A child grid's fields from the request, checked against its parent grid.
    `parent`: the parent row (code, level, region_code), or None when it does not exist."""
    errors: list[FieldViolation] = []
    name = jsonio.text(body, "name", "网格名称", errors, max_length=100, required=True)
    responsibilities = jsonio.text(body, "responsibilities", "网格职责", errors, max_length=2000, required=False)
    region = jsonio.text(body, "region_code", "网格区域代码", errors, max_length=12, required=True)
    if parent is None:
        errors.append(FieldViolation("parent_code", "parent_code.unknown", "上级网格不存在", "The parent grid does not exist"))
    elif parent["level"] == "village":
        errors.append(FieldViolation("parent_code", "parent_code.leaf", "村（社区）网格下不能再划分网格",
                                     "A village grid has no child grids"))
    level = CHILD_LEVEL.get(parent["level"]) if parent else None
    if region and level and not errors:
        if parent["level"] == "county" and region == parent["region_code"]:
            level = "county"   # another grid of the county's own level (an industrial park, a zone)
        if not regions.is_well_formed(region) or len(region) != REGION_DIGITS[level]:
            errors.append(FieldViolation("region_code", "region_code.level", f"{LEVEL_ZH[level]}的区域代码应为{REGION_DIGITS[level]}位",
                                         f"A {level} grid's region code has {REGION_DIGITS[level]} digits"))
        elif not regions.covers(parent["region_code"], region):
            errors.append(FieldViolation("region_code", "region_code.outside", "网格区域不在上级网格范围内",
                                         "The region is not within the parent grid's"))
    if errors:
        raise invalid(*errors)
    return {"name": name, "responsibilities": responsibilities, "region_code": region, "level": level}


def grid_changes(body: dict) -> dict:
    errors: list[FieldViolation] = []
    out = {}
    if "name" in body:
        out["name"] = jsonio.text(body, "name", "网格名称", errors, max_length=100, required=True)
    if "responsibilities" in body:
        out["responsibilities"] = jsonio.text(body, "responsibilities", "网格职责", errors, max_length=2000, required=False)
    if not out and not errors:
        errors.append(FieldViolation("body", "body.empty", "请提供要修改的字段（name、responsibilities）", "Nothing to change"))
    if errors:
        raise invalid(*errors)
    return out


def child_code(region_code: str, taken: list[str]) -> str:
    """<region>-G<nn>: the next free serial of the region's grids (620802001-G01, -G02 …)."""
    serials = [int(c.rsplit("-G", 1)[1]) for c in taken if c.startswith(f"{region_code}-G") and c.rsplit("-G", 1)[1].isdigit()]
    return f"{region_code}-G{max(serials, default=0) + 1:02d}"


def member(body: dict) -> dict:
    errors: list[FieldViolation] = []
    username = jsonio.text(body, "username", "账号", errors, max_length=100, required=True)
    if username and not _USERNAME.match(username):
        errors.append(FieldViolation("username", "username.format", "账号只能包含小写字母、数字和 . _ @ -", "Malformed username"))
    display = jsonio.text(body, "display_name", "姓名", errors, max_length=50, required=True)
    duty = body.get("duty", "member")
    duty = DUTY_BY_ZH.get(duty, duty)
    if duty not in DUTY_ZH:
        errors.append(FieldViolation("duty", "duty.enum", "职责应为：" + "、".join(DUTY_ZH.values()),
                                     "duty must be one of " + ", ".join(DUTY_ZH)))
    phone = jsonio.text(body, "phone", "联系电话", errors, max_length=20, required=False)
    if phone and not _PHONE.match(phone):
        errors.append(FieldViolation("phone", "phone.format", "联系电话格式错误", "Malformed phone number"))
    officer_id = jsonio.text(body, "officer_id", "执法人员编号", errors, max_length=40, required=duty == "officer")
    if errors:
        raise invalid(*errors)
    return {"username": username, "display_name": display, "duty": DUTY_ZH[duty], "phone": phone or None, "officer_id": officer_id or None}


def check_assignment(*, enterprise: dict, grid: dict | None, reason: str) -> None:
    """An enterprise moves only to a grid of its own county (or, registered at city level, the city's)."""
    errors = []
    if grid is None:
        errors.append(FieldViolation("grid_code", "grid_code.unknown", "网格不存在", "No such grid"))
    else:
        home = regions.county_of(enterprise["region_code"]) or enterprise["region_code"]
        if not regions.covers(home, grid["region_code"]):
            errors.append(FieldViolation("grid_code", "grid_code.outside_county", "只能划入本单位所在县（区）的网格",
                                         "An enterprise belongs to a grid of its own county"))
    if not reason or not reason.strip():
        errors.append(FieldViolation("reason", "reason.required", "请填写调整原因", "A reason is required"))
    elif len(reason) > 500:
        errors.append(FieldViolation("reason", "reason.max_length", "调整原因不能超过500个字符", "reason is longer than 500"))
    if errors:
        raise invalid(*errors)


def tree(rows: list[dict]) -> list[dict]:
    """Nest flat grid rows (each with code and parent_code) under their parents, children by code;
    a row whose parent is not among the rows is a root (the caller's own region's top)."""
    by_code = {r["code"]: {**r, "children": []} for r in rows}
    roots = []
    for code in sorted(by_code):
        node = by_code[code]
        parent = by_code.get(node.get("parent_code") or "")
        (parent["children"] if parent else roots).append(node)
    return roots
