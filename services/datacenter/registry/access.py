"""Who may read and write which records of the ten databases: role × region × ownership. Pure.

- Agency staff read within their region (a county sees its townships; the city sees all) when
  they hold a reader role of the kind, and write when they hold a writer role.
- An enterprise reads its own records (and the laws), and writes its own records of the kinds
  that say so (basic information, self-inspection hazards, major hazard sources, accident reports).
- An integrator with the `datacenter.read` scope reads within its region; it never writes.
A record the caller may not see answers "not found", so nobody can probe for others' records."""
from __future__ import annotations

from services.datacenter.registry.spec import Kind
from services.datacenter.registry.store import Scope
from services.kit import regions
from services.kit.auth import Principal
from services.kit.errors import FieldViolation, NotFound, PermissionDenied

READ_SCOPE = "datacenter.read"


def read_scope(p: Principal, kind: Kind) -> Scope:
    """The rows a caller may list; PermissionDenied when it may list none of this kind."""
    if p.kind == "enterprise":
        if kind.name == "enterprise" or kind.owned:
            return Scope(uscc=p.uscc or "-")
        if not kind.regional:
            return Scope()  # laws and regulations: everyone's business
        raise PermissionDenied(f"生产经营单位不能查阅{kind.label}", f"An enterprise cannot read {kind.name} records")
    if p.kind == "integrator":
        if READ_SCOPE not in p.scopes or not p.region:
            raise PermissionDenied("对接系统须获授权“读取数据中心基础数据”", "The integrator needs the datacenter.read scope")
        return Scope(region=p.region if kind.regional else None)
    if not p.has_any_role(*kind.reader_roles) or not p.region:
        raise PermissionDenied(f"无权查阅{kind.label}", f"Not allowed to read {kind.name} records")
    return Scope(region=p.region if kind.regional else None)


def visible(p: Principal, kind: Kind, row: dict | None) -> bool:
    if row is None:
        return False
    try:
        scope = read_scope(p, kind)
    except PermissionDenied:
        return False
    if scope.uscc is not None:
        owner = row.get("uscc")
        return owner == scope.uscc
    if scope.region is not None and kind.regional:
        return regions.covers(scope.region, row.get("region_code") or "")
    return True


def require_visible(p: Principal, kind: Kind, row: dict | None) -> dict:
    if not visible(p, kind, row):
        raise NotFound(f"未找到该{kind.label}记录", f"No such {kind.name} record")
    return row


def authorize_write(p: Principal, kind: Kind, *, operation: str) -> None:
    """May this caller write this kind at all (before looking at the record)?"""
    if operation == "update" and not kind.updatable or operation == "delete" and not kind.deletable:
        # An append-only ledger refuses everybody, an enterprise writing its own records included.
        raise PermissionDenied(f"{kind.label}只能新增，不能{_VERB[operation]}", f"{kind.name} records are append-only")
    if p.kind == "enterprise":
        if kind.enterprise_writes and operation in ("create", "update"):
            return
        raise PermissionDenied(f"生产经营单位不能{_VERB[operation]}{kind.label}", f"An enterprise cannot {operation} {kind.name} records")
    if p.kind == "staff" and p.has_any_role(*kind.writer_roles) and p.region:
        return
    if operation == "update" and p.kind == "staff" and p.has_any_role(*kind.field_writer_roles) and p.region:
        return  # some fields only: field_rights checks which
    raise PermissionDenied(f"无权{_VERB[operation]}{kind.label}", f"Not allowed to {operation} {kind.name} records")


_VERB = {"create": "新增", "update": "修改", "delete": "删除", "import": "导入"}


def record_violations(p: Principal, kind: Kind, record: dict, *, jurisdiction: str) -> list[FieldViolation]:
    """Where the record sits: its region within the platform's. A record the caller is not
    entitled to write (another enterprise's, outside the officer's region) is refused outright
    (PermissionDenied), as the gateway does; a region outside the platform is a field error."""
    out = []
    if p.kind == "enterprise" and record.get("uscc") != p.uscc:
        raise PermissionDenied("只能报送本单位的信息", "An enterprise may submit only its own records")
    region = record.get("region_code")
    if kind.regional and region:
        if not regions.covers(jurisdiction, region):
            out.append(FieldViolation("region_code", "region_code.outside_jurisdiction", f"行政区划 {region} 不在本平台辖区（{jurisdiction}）内",
                                      f"Region {region} is outside this platform's jurisdiction ({jurisdiction})"))
        elif p.kind == "staff" and not regions.covers(p.region or "", region):
            raise PermissionDenied(f"行政区划 {region} 不在您的管辖范围（{p.region}）内", f"Region {region} is outside your region ({p.region})")
    return out


def field_rights(p: Principal, kind: Kind, values: dict) -> list[FieldViolation]:
    """Fields only agency staff may set (an enterprise's risk colour is the regulator's judgement),
    and for staff who are not the kind's writers, the fields their role may update alone (a
    supervisor the standardization grade): anything else is refused outright."""
    if p.kind == "staff" and not p.has_any_role(*kind.writer_roles):
        others = [f.label for f in kind.fields if f.name in values and not p.has_any_role(*f.field_writers)]
        if others:
            raise PermissionDenied(f"您只能修改{kind.label}的部分字段，无权修改：{'、'.join(others)}",
                                   f"Your role may update only some fields of {kind.name} records")
        return []
    if p.kind != "enterprise":
        return []
    return [FieldViolation(f.name, f"{f.name}.staff_only", f"{f.label}由监管部门填写", f"{f.name} is set by the regulator")
            for f in kind.fields if f.name in values and not f.enterprise_writable]


def sees_personal_data(p: Principal, kind: Kind, row: dict) -> bool:
    """Unmasked ID numbers and phones: only on a single record, for staff who may edit it."""
    return p.kind == "staff" and p.has_any_role(*kind.writer_roles) and visible(p, kind, row)
