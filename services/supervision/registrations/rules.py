"""Which grid supervises an enterprise, whether an event is newer than what we hold, and who may
see a registration. Pure functions."""
from __future__ import annotations

from services.kit import regions, roles
from services.kit.auth import Principal
from services.kit.errors import NotFound, PermissionDenied


def choose_grid(region_code: str, grids: list[tuple[str, str]]) -> str | None:
    """grids: (code, covered region). The most specific grid whose region covers the enterprise."""
    candidates = [(len(regions.significant_prefix(area)), code) for code, area in grids if regions.covers(area, region_code)]
    return max(candidates)[1] if candidates else None


def keep_or_choose_grid(held: dict | None, region_code: str, grids: list[tuple[str, str]]) -> str | None:
    """A registration keeps its grid while its region stays the same (an officer may have moved it to
    a township grid); a new enterprise, or one whose region changed, gets the most specific grid."""
    if held is not None and held["region_code"] == region_code:
        return held["grid_code"]
    return choose_grid(region_code, grids)


def is_newer(held_version: int | None, event_version: int) -> bool:
    """Events may arrive twice or out of order; only a newer version of the enterprise applies."""
    return held_version is None or event_version > held_version


def require_reader(p: Principal) -> None:
    if p.kind != "staff" or not p.has_any_role(*roles.SUPERVISION_READERS) or not p.region:
        raise PermissionDenied("仅监管人员可查看监管登记", "Only supervision staff may read registrations")


def require_visible(p: Principal, region_code: str | None) -> None:
    if region_code is None or not regions.covers(p.region, region_code):
        raise NotFound("未找到该单位的监管登记", "No supervision registration for that enterprise")
