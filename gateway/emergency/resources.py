"""/api/v1/emergency-resources — 应急资源 of the emergency platform (ADR 0010 (d), docs/emergency.md
"Resources"): rescue teams, supply warehouses with their items in stock, experts and major hazard
sources nearest a point or an incident, from the emergency service's copies of the data centre's
records. Emergency staff only; a county sees its own county's resources and the city's."""
from __future__ import annotations

from fastapi import APIRouter, Request

from gateway.auth import Permission
from gateway.openapi import PROBLEMS
from gateway.workflow import JSON_ANSWER, forward
from safety.common.v1 import json_pb2 as cpb
from services.kit import roles

router = APIRouter(prefix="/api/v1/emergency-resources", tags=["应急管理 emergency"])

STAFF = Permission("emergency staff (duty officers, commanders, platform administrators): their county's resources and the city's",
                   kinds=frozenset({"staff"}), roles=frozenset(roles.EMERGENCY_STAFF))
_R = {**PROBLEMS, **JSON_ANSWER}


def _svc(request: Request):
    return request.app.state.clients.resources


@router.get("/nearest", responses=_R, summary="就近应急资源 / Resources nearest a point")
async def nearest(request: Request, principal=STAFF.dependency()):
    """Query: kind (team 救援队伍 / warehouse 物资储备库 / expert 专家 / hazard_source 重大危险源), lon + lat (China) or
    incident_id, radius_km (default and maximum from the table resource_search), limit (≤ 50), capability (a team's
    救援专长 code), category (warehouses holding items of this 物资类别 in stock; the answer lists them with their
    balances), field (an expert's 专业领域 code). Nearest first, with distance_m in metres."""
    return await forward(request, _svc(request).Nearest, message=cpb.JsonRequest)


@router.get("", responses=_R, summary="应急资源列表 / Resources in scope")
async def list_resources(request: Request, principal=STAFF.dependency()):
    """Query: kind, region_code, limit. The copies within the caller's scope, by region."""
    return await forward(request, _svc(request).ListResources, message=cpb.JsonRequest)
