"""应急资源就近查询的纯规则 (ADR 0010 (d), docs/emergency.md "Resources"): checking a nearest query
and a list query, formatting distances, the Chinese names of readiness, availability, categories and
levels (the data centre's own options, imported from its kinds), and the region scope.

Scope (decided here, documented in docs/emergency.md): emergency staff of a county see the resources
of their county and those of the city above it (city-level teams and warehouses serve every county);
staff of the city see everything in the city; a province sees its province. Nothing beside: a county
does not see a neighbouring county's resources."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Mapping

from services.datacenter.experts.kind import AVAILABILITY, TITLES
from services.datacenter.major_hazards.rules import GRADES
from services.datacenter.rescue_teams.kind import READINESS, TEAM_TYPES
from services.datacenter.supplies.rules import CATEGORIES, WAREHOUSE_LEVELS
from services.kit import regions, roles, ruletables
from services.kit.auth import Principal
from services.kit.errors import FieldViolation, PermissionDenied, invalid

TABLES = ruletables.load_dir(Path(__file__).parent / "tables")
KINDS = ("team", "warehouse", "expert", "hazard_source")
KIND_NAMES = {"team": "应急救援队伍", "warehouse": "物资储备库", "expert": "安全生产专家", "hazard_source": "重大危险源"}
READINESS_NAMES = dict(READINESS)
AVAILABILITY_NAMES = dict(AVAILABILITY)
TEAM_TYPE_NAMES = dict(TEAM_TYPES)
TITLE_NAMES = dict(TITLES)
CATEGORY_NAMES = dict(CATEGORIES)
LEVEL_NAMES = dict(WAREHOUSE_LEVELS)
GRADE_NAMES = dict(GRADES)
_CODE = re.compile(r"[a-z][a-z_]{0,39}")


def table(on: date) -> dict:
    return ruletables.effective(TABLES, "resource_search", on).body


def require_staff(p: Principal) -> None:
    if p.kind != "staff" or not p.has_any_role(*roles.EMERGENCY_STAFF):
        raise PermissionDenied("仅应急管理平台工作人员可查询应急资源", "Only emergency staff may query emergency resources")


def scope(region: str) -> tuple[str, str | None]:
    """(prefix every visible record's region starts with, one more exact region also visible): a
    county sees its subtree plus its city's own records (region_code = the city's code); the city
    and above see their subtree only."""
    if not regions.is_well_formed(region):
        raise PermissionDenied("账号未设置所属行政区划", "The account has no region")
    if regions.level(region) in ("county", "township", "village"):
        county = region[:6]
        return county, county[:4] + "00"
    return regions.significant_prefix(region), None


def visible(region: str, target: str) -> bool:
    prefix, extra = scope(region)
    return bool(target) and (target.startswith(prefix) or target == extra)


def _number(raw, field: str, label: str, errors: list) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        errors.append(FieldViolation(field, f"{field}.number", f"{label}须为数字", f"{field} must be a number"))
        return None
    if value != value or value in (float("inf"), float("-inf")):
        errors.append(FieldViolation(field, f"{field}.number", f"{label}须为数字", f"{field} must be a number"))
        return None
    return value


def _int(raw, field: str, label: str, errors: list, *, low: int, high: int, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not str(raw).isdigit():
        errors.append(FieldViolation(field, f"{field}.integer", f"{label}须为正整数", f"{field} must be a positive integer"))
        return default
    value = int(raw)
    if not low <= value <= high:
        errors.append(FieldViolation(field, f"{field}.range", f"{label}须在{low}—{high}之间", f"{field} must be {low}-{high}"))
    return value


def _code(raw, field: str, label: str, errors: list, *, options: Mapping | None = None) -> str | None:
    if raw is None or raw == "":
        return None
    value = str(raw)
    if options is not None and value not in options:
        errors.append(FieldViolation(field, f"{field}.unknown", f"{label}不在可选范围内：{'、'.join(f'{k}（{v}）' for k, v in options.items())}",
                                     f"{field} must be one of {', '.join(options)}"))
    elif options is None and not _CODE.fullmatch(value):
        errors.append(FieldViolation(field, f"{field}.format", f"{label}须为字典代码（小写字母和下划线）", f"{field} must be a dictionary code"))
    return value


def nearest_query(query: Mapping[str, str], *, tbl: dict) -> dict:
    """A nearest query from the REST query string: {kind, lon, lat | incident_id, radius_km, limit,
    capability, category, field}. Field errors in Chinese and English, all at once."""
    errors: list[FieldViolation] = []
    kind = query.get("kind") or ""
    if kind not in KINDS:
        errors.append(FieldViolation("kind", "kind.unknown", f"资源类型须为：{'、'.join(f'{k}（{v}）' for k, v in KIND_NAMES.items())}",
                                     f"kind must be one of {', '.join(KINDS)}"))
    lon = _number(query.get("lon"), "lon", "经度", errors)
    lat = _number(query.get("lat"), "lat", "纬度", errors)
    incident_id = None
    raw_incident = query.get("incident_id")
    if raw_incident:
        if not raw_incident.isdigit() or not 0 < int(raw_incident) < 2**63:
            errors.append(FieldViolation("incident_id", "incident_id.format", "事件编号须为正整数", "incident_id must be a positive integer"))
        else:
            incident_id = int(raw_incident)
    (lon_lo, lon_hi), (lat_lo, lat_hi) = tbl["bounds"]["lon"], tbl["bounds"]["lat"]
    if incident_id is None and (lon is None or lat is None) and not any(e.field in ("lon", "lat") for e in errors):
        errors.append(FieldViolation("lon", "lon.required", "须给出经纬度（lon、lat）或事件编号（incident_id）",
                                     "Give lon and lat, or incident_id"))
    if lon is not None and not lon_lo <= lon <= lon_hi:
        errors.append(FieldViolation("lon", "lon.range", f"经度须在{lon_lo}—{lon_hi}之间（中国境内）", f"lon must be {lon_lo}-{lon_hi}"))
    if lat is not None and not lat_lo <= lat <= lat_hi:
        errors.append(FieldViolation("lat", "lat.range", f"纬度须在{lat_lo}—{lat_hi}之间（中国境内）", f"lat must be {lat_lo}-{lat_hi}"))
    radius = _number(query.get("radius_km"), "radius_km", "搜索半径（公里）", errors)
    if radius is None:
        radius = float(tbl["default_radius_km"])
    elif not 0 < radius <= tbl["max_radius_km"]:
        errors.append(FieldViolation("radius_km", "radius_km.range", f"搜索半径须大于0且不超过{tbl['max_radius_km']}公里",
                                     f"radius_km must be above 0 and at most {tbl['max_radius_km']}"))
    limit = _int(query.get("limit"), "limit", "返回条数", errors, low=1, high=tbl["max_limit"], default=tbl["default_limit"])
    capability = _code(query.get("capability"), "capability", "救援专长", errors)
    category = _code(query.get("category"), "category", "物资类别", errors, options=CATEGORY_NAMES)
    field = _code(query.get("field"), "field", "专业领域", errors)
    filters = {"capability": (capability, "team"), "category": (category, "warehouse"), "field": (field, "expert")}
    for name, (value, for_kind) in filters.items():
        if value is not None and kind in KINDS and kind != for_kind:
            errors.append(FieldViolation(name, f"{name}.kind", f"{name} 仅适用于 {KIND_NAMES[for_kind]}（kind={for_kind}）",
                                         f"{name} applies to kind={for_kind} only"))
    if errors:
        raise invalid(*errors)
    return {"kind": kind, "lon": lon, "lat": lat, "incident_id": incident_id, "radius_km": radius, "limit": limit,
            "capability": capability, "category": category, "field": field}


def list_query(query: Mapping[str, str], *, tbl: dict) -> dict:
    errors: list[FieldViolation] = []
    kind = query.get("kind") or ""
    if kind not in KINDS:
        errors.append(FieldViolation("kind", "kind.unknown", f"资源类型须为：{'、'.join(f'{k}（{v}）' for k, v in KIND_NAMES.items())}",
                                     f"kind must be one of {', '.join(KINDS)}"))
    region = query.get("region_code") or None
    if region is not None and not regions.is_well_formed(region):
        errors.append(FieldViolation("region_code", "region_code.format", "行政区划代码格式不正确", "region_code is not a GB/T 2260 code"))
    limit = _int(query.get("limit"), "limit", "返回条数", errors, low=1, high=tbl["list_max_limit"], default=tbl["list_max_limit"])
    if errors:
        raise invalid(*errors)
    return {"kind": kind, "region_code": region, "limit": limit}


def distance_text(metres: float | None) -> str | None:
    """1234.5 → '1.2公里'; under a kilometre in metres ('850米')."""
    if metres is None:
        return None
    if metres < 1000:
        return f"{round(metres)}米"
    km = metres / 1000
    return f"{km:.1f}公里" if km < 100 else f"{round(km)}公里"


def describe(kind: str, row: dict) -> dict:
    """The answer's Chinese names beside the codes."""
    out = dict(row)
    if kind == "team":
        out["readiness_name"] = READINESS_NAMES.get(row.get("readiness") or "", row.get("readiness"))
        out["team_type_name"] = TEAM_TYPE_NAMES.get(row.get("team_type") or "", row.get("team_type"))
    elif kind == "warehouse":
        out["level_name"] = LEVEL_NAMES.get(row.get("level") or "", row.get("level"))
        for item in out.get("items") or []:
            item["category_name"] = CATEGORY_NAMES.get(item.get("category") or "", item.get("category"))
    elif kind == "expert":
        out["availability_name"] = AVAILABILITY_NAMES.get(row.get("availability") or "", row.get("availability"))
        out["title_name"] = TITLE_NAMES.get(row.get("title") or "", row.get("title"))
    elif kind == "hazard_source":
        out["grade_name"] = GRADE_NAMES.get(row.get("grade") or "", row.get("grade"))
    if "distance_m" in out:
        out["distance_m"] = None if out["distance_m"] is None else round(float(out["distance_m"]), 1)
        out["distance"] = distance_text(out["distance_m"])
    return out


def is_newer(held: int | None, incoming: int) -> bool:
    return held is None or incoming > held
