"""/api/v1/grids — 网格化监管 (docs/grids.md): the grid tree and its people, each enterprise's grid
and history, and the yearly enterprise classes. Supervision staff read their region; supervisors
and platform administrators change it (checked again in the service)."""
from __future__ import annotations

from fastapi import APIRouter, Path, Request

from gateway.auth import Permission
from gateway.idempotency import IdempotencyKey
from gateway.openapi import PROBLEMS
from gateway.workflow import JSON_ANSWER, JSON_BODY, forward
from services.kit import roles

router = APIRouter(prefix="/api/v1/grids", tags=["网格化监管 grids"])

READ = Permission("supervision staff within their region", kinds=frozenset({"staff"}), roles=frozenset(roles.SUPERVISION_READERS))
MANAGE = Permission("supervisors and platform administrators within their region", kinds=frozenset({"staff"}),
                    roles=frozenset({roles.PLATFORM_ADMIN, roles.SUPERVISION_SUPERVISOR}))
READ_ONE = Permission("supervision staff within the grid's or enterprise's region", kinds=frozenset({"staff"}),
                      roles=frozenset(roles.SUPERVISION_READERS), record="region")
MANAGE_ONE = Permission("supervisors and platform administrators within the grid's or enterprise's region", kinds=frozenset({"staff"}),
                        roles=frozenset({roles.PLATFORM_ADMIN, roles.SUPERVISION_SUPERVISOR}), record="region")
GridCode = Path(pattern=r"^\d{6}(\d{3}(\d{3})?)?-G\d{2,4}$", max_length=20, description="网格编码")
Uscc = Path(pattern=r"^[0-9A-Za-z]{18}$", description="统一社会信用代码")
_R = {**PROBLEMS, **JSON_ANSWER}


def _grids(request: Request):
    return request.app.state.clients.grids


@router.get("", responses=_R, summary="网格树 / The grid tree")
async def list_grids(request: Request, principal=READ.dependency()):
    """Query: region_code (within the caller's region). Each node: code, name, level, region, counts, children."""
    return await forward(request, _grids(request).ListGrids)


@router.post("", responses=_R, openapi_extra=JSON_BODY, summary="新建下级网格 / Create a child grid")
async def create_grid(request: Request, idempotency_key: IdempotencyKey, principal=MANAGE.dependency()):
    """Body: parent_code, name, region_code (9 digits for a township grid, 12 for a village), responsibilities."""
    return await forward(request, _grids(request).CreateGrid, idempotency_key=idempotency_key)


@router.get("/classes", responses=_R, summary="企业分类分级统计 / Enterprise classes by county")
async def list_classes(request: Request, principal=READ.dependency()):
    """Query: year, region_code."""
    return await forward(request, _grids(request).ListClasses)


@router.post("/classes", responses=_R, openapi_extra=JSON_BODY, summary="年度企业分类分级 / Class a county's enterprises for a year")
async def classify(request: Request, idempotency_key: IdempotencyKey, principal=MANAGE.dependency()):
    """Body: county_code, year. Reads the data centre's accidents and open hazards as the caller."""
    return await forward(request, _grids(request).ClassifyEnterprises, idempotency_key=idempotency_key)


@router.get("/enterprises", responses=_R, summary="网格内企业 / Enterprises of a grid or region")
async def list_enterprises(request: Request, principal=READ.dependency()):
    """Query: grid_code (with the grids below it) or region_code, q (name or credit code contains), class, year, page_size, page_token."""
    return await forward(request, _grids(request).ListEnterprises)


@router.get("/enterprises/{uscc}", responses=_R, summary="企业所属网格及调整记录 / An enterprise's grid, history and classes")
async def enterprise_grid(request: Request, uscc: str = Uscc, principal=READ_ONE.dependency()):
    return await forward(request, _grids(request).GetEnterpriseGrid, id=uscc)


@router.post("/enterprises/{uscc}/assignment", responses=_R, openapi_extra=JSON_BODY,
             summary="调整企业所属网格 / Move an enterprise to another grid")
async def assign(request: Request, idempotency_key: IdempotencyKey, uscc: str = Uscc, principal=MANAGE_ONE.dependency()):
    """Body: grid_code (a grid of the enterprise's county), reason. The previous assignment is kept in the history."""
    return await forward(request, _grids(request).AssignEnterprise, id=uscc, idempotency_key=idempotency_key)


@router.get("/{code}", responses=_R, summary="网格详情（人员与下级网格） / A grid with its people")
async def get_grid(request: Request, code: str = GridCode, principal=READ_ONE.dependency()):
    return await forward(request, _grids(request).GetGrid, id=code)


@router.patch("/{code}", responses=_R, openapi_extra=JSON_BODY, summary="修改网格名称或职责 / Change a grid")
async def update_grid(request: Request, code: str = GridCode, principal=MANAGE_ONE.dependency()):
    """Body: version (as read), name, responsibilities."""
    return await forward(request, _grids(request).UpdateGrid, id=code)


@router.post("/{code}/members", responses=_R, openapi_extra=JSON_BODY, summary="添加或更新网格人员 / Add a person to a grid")
async def add_member(request: Request, idempotency_key: IdempotencyKey, code: str = GridCode, principal=MANAGE_ONE.dependency()):
    """Body: username, display_name, duty (网格长 / 网格监管员 / 网格员 / 市级值班), phone, officer_id (for 网格监管员)."""
    return await forward(request, _grids(request).AddMember, id=code, idempotency_key=idempotency_key)


@router.post("/{code}/members/removal", responses=_R, openapi_extra=JSON_BODY, summary="移出网格人员 / Remove a person")
async def remove_member(request: Request, idempotency_key: IdempotencyKey, code: str = GridCode, principal=MANAGE_ONE.dependency()):
    """Body: username."""
    return await forward(request, _grids(request).RemoveMember, id=code, idempotency_key=idempotency_key)
