"""/api/v1/supervision — enterprises registered for supervision, read by supervision staff."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request

from gateway.auth import Permission
from gateway.clients import call
from gateway.openapi import PROBLEMS
from gateway.supervision.schemas import Registration, RegistrationPage
from safety.common.v1 import common_pb2
from safety.supervision.v1 import registrations_pb2 as pb
from services.kit import roles

router = APIRouter(prefix="/api/v1/supervision", tags=["监管综合 supervision"])

READ_ONE = Permission("supervision staff, for an enterprise within their region", kinds=frozenset({"staff"}),
                      roles=frozenset(roles.SUPERVISION_READERS), record="region")
READ = Permission("supervision staff, registrations within their region", kinds=frozenset({"staff"}),
                  roles=frozenset(roles.SUPERVISION_READERS))


@router.get("/registrations/{uscc}", response_model=Registration, responses=PROBLEMS,
            summary="查看单位监管登记 / Read an enterprise's supervision registration")
async def get_registration(uscc: str, request: Request, principal=READ_ONE.dependency()):
    result, _ = await call(request.app.state.clients.registrations.GetRegistration, pb.GetRegistrationRequest(uscc=uscc), request)
    return Registration.from_proto(result.registration)


@router.get("/registrations", response_model=RegistrationPage, responses=PROBLEMS,
            summary="本辖区监管登记列表 / Registrations within the caller's region")
async def list_registrations(request: Request, principal=READ.dependency(),
                             region_code: str = Query("", max_length=12, description="下级行政区划，默认为本人辖区"),
                             page_size: int = Query(20, ge=1, le=200), page_token: str = Query("", max_length=200)):
    result, _ = await call(request.app.state.clients.registrations.ListRegistrations, pb.ListRegistrationsRequest(
        region_code=region_code, page=common_pb2.PageRequest(page_size=page_size, page_token=page_token)), request)
    return RegistrationPage(items=[Registration.from_proto(r) for r in result.registrations],
                            next_page_token=result.page.next_page_token or None, total=result.page.total_size)
