"""POST /api/v1/enterprises — an enterprise submits its own basic information (create or update in
one call). Reading, listing, editing by staff and the rest are the enterprises database's generic
routes (gateway/records)."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gateway.auth import Permission
from gateway.clients import call
from gateway.idempotency import IdempotencyKey, mark_replay
from gateway.enterprises.schemas import EnterpriseSubmission, SubmissionResult, Enterprise
from gateway.openapi import PROBLEMS
from services.kit.errors import PermissionDenied

router = APIRouter(prefix="/api/v1/enterprises", tags=["生产经营单位 enterprises"])

SUBMIT_OWN = Permission("an enterprise submitting its own record", kinds=frozenset({"enterprise"}), record="own")


@router.post("", status_code=201, response_model=SubmissionResult, responses={200: {"model": SubmissionResult, "description": "已存在，已更新或无变化"}, **PROBLEMS},
             name="enterprise.submit", summary="报送本单位基本信息 / Submit the enterprise's basic information")
async def submit(body: EnterpriseSubmission, request: Request, response: Response, idempotency_key: IdempotencyKey,
                 principal=SUBMIT_OWN.dependency()):
    if body.uscc.strip().upper() != principal.uscc:
        raise PermissionDenied("只能报送本单位的信息", "An enterprise may submit only its own information")
    result, trailers = await call(request.app.state.clients.enterprises.SubmitEnterprise, body.to_proto(), request,
                                  idempotency_key=idempotency_key)
    response.status_code = 201 if result.created else 200
    response.headers["Location"] = f"/api/v1/enterprises/{result.enterprise.uscc}"
    mark_replay(response, trailers)
    return SubmissionResult(enterprise=Enterprise.from_proto(result.enterprise), created=result.created, changed=result.changed)
