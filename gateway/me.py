"""/api/v1/me — who the caller is, in the words the front ends show: name, roles in Chinese,
region name, and the platforms and features their roles open."""
from __future__ import annotations

import time
from typing import Awaitable, Callable

from fastapi import APIRouter, Request
from pydantic import BaseModel

from gateway.auth import ANY_CALLER
from gateway.clients import call
from gateway.openapi import PROBLEMS
from safety.datacenter.v1 import onboarding_pb2 as pb
from services.kit import roles
from services.kit.auth import Principal
from services.kit.workers import Interval

router = APIRouter(prefix="/api/v1", tags=["当前用户 me"])
REGION_NAMES_TTL = 600.0

# Optional features inside a platform, by the roles that open them (front ends show or hide menus).
FEATURES = {"onboarding.review": roles.ONBOARDING_REVIEWERS, "audit.search": roles.AUDIT_READERS}


class Named(BaseModel):
    code: str
    name: str


class Platform(Named):
    url: str


ENTERPRISE_PAGE_NAME = "企业安全生产服务"


class Me(BaseModel):
    username: str
    name: str
    kind: str
    roles: list[Named]
    region: Named | None
    uscc: str | None
    platforms: list[Platform]
    permissions: list[str]


def platforms_for(p: Principal) -> list[Platform]:
    if p.kind == "enterprise" and p.has_any_role(*roles.ENTERPRISE_USER_ROLES):
        return [Platform(code="enterprise", name=ENTERPRISE_PAGE_NAME, url="/app/enterprise/")]
    if p.kind != "staff":
        return []
    return [Platform(code=code, name=name, url=f"/app/{code}/") for code, (name, allowed) in roles.PLATFORMS.items()
            if p.has_any_role(*allowed)]


def features_for(p: Principal) -> list[str]:
    return [f for f, allowed in FEATURES.items() if p.kind == "staff" and p.has_any_role(*allowed)]


class RegionNames:
    """Region code → name, from the data centre's dictionary, refreshed every REGION_NAMES_TTL."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic):
        self.names: dict[str, str] = {}
        self.fresh = Interval(REGION_NAMES_TTL, clock=clock)

    async def name(self, code: str, load: Callable[[], Awaitable[dict[str, str]]]) -> str:
        if self.fresh.due():
            self.names = await load()
            self.fresh.done()
        return self.names.get(code, code)


async def region_name(request: Request, code: str) -> str:
    async def load() -> dict[str, str]:
        result, _ = await call(request.app.state.clients.onboarding.ListRegions, pb.ListRegionsRequest(all_levels=True), request)
        return {r.code: r.name for r in result.items}
    return await request.app.state.region_names.name(code, load)


@router.get("/me", response_model=Me, responses=PROBLEMS, summary="当前用户 / Who am I")
async def me(request: Request, principal: Principal = ANY_CALLER.dependency()):
    region = Named(code=principal.region, name=await region_name(request, principal.region)) if principal.region else None
    return Me(username=principal.username or principal.client_id, name=principal.display_name or principal.username,
              kind=principal.kind, roles=[Named(code=r, name=roles.NAMES_ZH[r]) for r in sorted(principal.roles) if r in roles.NAMES_ZH],
              region=region, uscc=principal.uscc, platforms=platforms_for(principal), permissions=features_for(principal))
