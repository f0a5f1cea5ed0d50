"""/api/v1/hazard-supervision — 隐患排查治理 at the platform level (docs/hazard-supervision.md):
listed supervision of major hazards (挂牌督办) with the enterprise's extension requests, closure
(销号) and escalation; the board; the enterprises' quarterly and annual reports (季报/年报)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from gateway.auth import Permission
from gateway.idempotency import IdempotencyKey
from gateway.openapi import PROBLEMS
from gateway.workflow import JSON_ANSWER, JSON_BODY, forward
from services.kit import roles

router = APIRouter(prefix="/api/v1/hazard-supervision", tags=["隐患挂牌督办 hazard supervision"])

READ = Permission("supervision staff within their region, or the enterprise itself", kinds=frozenset({"staff", "enterprise"}),
                  roles=frozenset(roles.SUPERVISION_READERS))
READ_ONE = Permission("supervision staff within the listing's region, or the enterprise it concerns",
                      kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS), record="owner-or-region")
STAFF = Permission("supervision staff within their region", kinds=frozenset({"staff"}), roles=frozenset(roles.SUPERVISION_READERS))
DECIDE = Permission("supervisors and platform administrators within their region", kinds=frozenset({"staff"}),
                    roles=frozenset({roles.PLATFORM_ADMIN, roles.SUPERVISION_SUPERVISOR}))
DECIDE_ONE = Permission("supervisors and platform administrators within the listing's region", kinds=frozenset({"staff"}),
                        roles=frozenset({roles.PLATFORM_ADMIN, roles.SUPERVISION_SUPERVISOR}), record="region")
ENTERPRISE = Permission("the enterprise itself", kinds=frozenset({"enterprise"}))
ListingId = Annotated[int, Path(ge=1, le=2**63 - 1, description="督办编号")]
_R = {**PROBLEMS, **JSON_ANSWER}


def _svc(request: Request):
    return request.app.state.clients.hazard_supervision


@router.get("/listings", responses=_R, summary="挂牌督办列表 / Listed major hazards")
async def list_listings(request: Request, principal=READ.dependency()):
    """Query: region_code, uscc, status (listed / closed), overdue=true, page_size, page_token. An enterprise sees its own."""
    return await forward(request, _svc(request).ListListings)


@router.post("/listings", responses=_R, openapi_extra=JSON_BODY, summary="重大隐患挂牌督办 / List a major hazard")
async def list_hazard(request: Request, idempotency_key: IdempotencyKey, principal=DECIDE.dependency()):
    """Body: hazard_id (the data centre's), level (county / city / province, at most the agency's own), deadline, requirements.
    Issues the 督办文号 and writes the listing into the hazard's record in the data centre."""
    return await forward(request, _svc(request).ListHazard, idempotency_key=idempotency_key)


@router.get("/listings/{listing_id}", responses=_R, summary="挂牌督办详情 / A listing with its extension requests")
async def get_listing(listing_id: ListingId, request: Request, principal=READ_ONE.dependency()):
    return await forward(request, _svc(request).GetListing, id=listing_id)


@router.post("/listings/{listing_id}/extensions", responses=_R, openapi_extra=JSON_BODY, summary="申请延期 / Ask for a later deadline")
async def request_extension(listing_id: ListingId, request: Request, idempotency_key: IdempotencyKey, principal=READ_ONE.dependency()):
    """Body: new_deadline, reason. The enterprise itself (or staff on its behalf); one pending request at a time."""
    return await forward(request, _svc(request).RequestExtension, id=listing_id, idempotency_key=idempotency_key)


@router.post("/listings/{listing_id}/extension-decision", responses=_R, openapi_extra=JSON_BODY,
             summary="审批延期申请 / Decide the pending extension")
async def decide_extension(listing_id: ListingId, request: Request, idempotency_key: IdempotencyKey, principal=DECIDE_ONE.dependency()):
    """Body: approved (true / false), note (required when refused)."""
    return await forward(request, _svc(request).DecideExtension, id=listing_id, idempotency_key=idempotency_key)


@router.post("/listings/{listing_id}/closure", responses=_R, openapi_extra=JSON_BODY, summary="销号（解除挂牌督办） / Close a listing")
async def close_listing(listing_id: ListingId, request: Request, idempotency_key: IdempotencyKey, principal=DECIDE_ONE.dependency()):
    """Body: note. Only once the hazard was verified and closed in the data centre by someone other than its rectifier."""
    return await forward(request, _svc(request).CloseListing, id=listing_id, idempotency_key=idempotency_key)


@router.get("/board", responses=_R, summary="隐患统计看板 / Counts by county, sector and month")
async def board(request: Request, principal=STAFF.dependency()):
    """Query: region_code, from, to (YYYY-MM-DD; default this year)."""
    return await forward(request, _svc(request).GetBoard)


@router.post("/reports", responses=_R, openapi_extra=JSON_BODY, summary="报送隐患排查治理季报/年报 / Submit a report")
async def submit_report(request: Request, idempotency_key: IdempotencyKey, principal=ENTERPRISE.dependency()):
    """Body: period (2026Q4 or 2026), figures {general_found, general_rectified, major_found, major_rectified, funds_cny},
    principal (主要负责人 who signs), signed_at."""
    return await forward(request, _svc(request).SubmitReport, idempotency_key=idempotency_key)


@router.get("/reports", responses=_R, summary="季报/年报报送情况 / Reports of a period")
async def list_reports(request: Request, principal=READ.dependency()):
    """Query: period, region_code. Staff also get the registered enterprises that have not reported."""
    return await forward(request, _svc(request).ListReports)
