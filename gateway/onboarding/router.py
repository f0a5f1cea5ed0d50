"""/api/v1/onboarding and /api/v1/enterprise-clients — an enterprise applies for API access (public
form); a data-centre administrator of its region approves, which creates its Keycloak client; the
administrator can later rotate the secret or disable the client."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from gateway.auth import PUBLIC, staff
from gateway.clients import call
from gateway.idempotency import IdempotencyKey, mark_replay
from gateway.onboarding.schemas import (Application, ApplicationForm, ApplicationPage, ApplicationReceipt, Approval, Empty,
                                        EnterpriseClient, EnterpriseClientPage, NewSecret, Region, RegionList, Rejection)
from gateway.openapi import PROBLEMS
from gateway.timefmt import local
from safety.datacenter.v1 import onboarding_pb2 as pb
from services.kit import roles

router = APIRouter(tags=["企业接入 onboarding"])

REVIEW = staff("data-centre administrators, within their region", *roles.ONBOARDING_REVIEWERS)
REVIEW_RECORD = staff("data-centre administrators, for a record within their region", *roles.ONBOARDING_REVIEWERS, record="region")


@router.get("/api/v1/onboarding/regions", response_model=RegionList, responses=PROBLEMS, dependencies=[PUBLIC.dependency()],
            summary="可申请接入的区县（公开） / Regions an enterprise may apply in (public)")
async def list_regions(request: Request):
    result, _ = await call(request.app.state.clients.onboarding.ListRegions, pb.ListRegionsRequest(), request)
    return RegionList(items=[Region(code=r.code, name=r.name) for r in result.items])


@router.post("/api/v1/onboarding/applications", status_code=202, name="onboarding.apply", response_model=ApplicationReceipt, responses=PROBLEMS,
             dependencies=[PUBLIC.dependency()], summary="提交接入申请（公开） / Apply for API access (public)")
async def apply(body: ApplicationForm, request: Request, response: Response, idempotency_key: IdempotencyKey):
    result, trailers = await call(request.app.state.clients.onboarding.Apply, body.to_proto(), request, idempotency_key=idempotency_key)
    mark_replay(response, trailers)
    return ApplicationReceipt(id=result.id, status=result.status, submitted_at=local(result.submitted_at))


@router.get("/api/v1/onboarding/applications", response_model=ApplicationPage, responses=PROBLEMS,
            summary="本辖区接入申请 / Applications within the caller's region")
async def list_applications(request: Request, principal=REVIEW.dependency(),
                            status: str = Query("", pattern="^(|pending|approved|rejected)$", description="pending | approved | rejected"),
                            page_size: int = Query(20, ge=1, le=200), page_token: str = Query("", max_length=200)):
    result, _ = await call(request.app.state.clients.onboarding.ListApplications,
                           pb.ListApplicationsRequest(status=status, page_size=page_size, page_token=page_token), request)
    return ApplicationPage(items=[Application.from_proto(a) for a in result.items], next_page_token=result.next_page_token)


@router.post("/api/v1/onboarding/applications/{application_id}/approve", name="onboarding.approve", response_model=Approval, responses=PROBLEMS,
             summary="批准接入申请（创建客户端，密钥仅显示一次） / Approve: creates the client; the secret is shown once")
async def approve(application_id: str, body: Empty, request: Request, response: Response, idempotency_key: IdempotencyKey,
                  principal=REVIEW_RECORD.dependency()):
    result, trailers = await call(request.app.state.clients.onboarding.Approve, pb.ApproveRequest(id=application_id), request,
                                  idempotency_key=idempotency_key)
    mark_replay(response, trailers)
    return Approval(application=Application.from_proto(result.application), client_id=result.client_id,
                    client_secret=None if result.secret_withheld else result.client_secret)


@router.post("/api/v1/onboarding/applications/{application_id}/reject", name="onboarding.reject", response_model=Application, responses=PROBLEMS,
             summary="驳回接入申请 / Reject an application")
async def reject(application_id: str, body: Rejection, request: Request, response: Response, idempotency_key: IdempotencyKey,
                 principal=REVIEW_RECORD.dependency()):
    result, trailers = await call(request.app.state.clients.onboarding.Reject, pb.RejectRequest(id=application_id, reason=body.reason),
                                  request, idempotency_key=idempotency_key)
    mark_replay(response, trailers)
    return Application.from_proto(result)


@router.get("/api/v1/enterprise-clients", response_model=EnterpriseClientPage, responses=PROBLEMS,
            summary="本辖区企业客户端 / Enterprise clients within the caller's region")
async def list_clients(request: Request, principal=REVIEW.dependency(),
                       page_size: int = Query(20, ge=1, le=200), page_token: str = Query("", max_length=200)):
    result, _ = await call(request.app.state.clients.onboarding.ListClients,
                           pb.ListClientsRequest(page_size=page_size, page_token=page_token), request)
    return EnterpriseClientPage(items=[EnterpriseClient.from_proto(c) for c in result.items], next_page_token=result.next_page_token)


@router.post("/api/v1/enterprise-clients/{client_id}/rotate-secret", name="enterprise_client.rotate_secret", response_model=NewSecret, responses=PROBLEMS,
             summary="轮换客户端密钥（新密钥仅显示一次） / Rotate the secret; the new one is shown once")
async def rotate_secret(client_id: str, body: Empty, request: Request, response: Response, idempotency_key: IdempotencyKey,
                        principal=REVIEW_RECORD.dependency()):
    result, trailers = await call(request.app.state.clients.onboarding.RotateSecret, pb.RotateSecretRequest(client_id=client_id),
                                  request, idempotency_key=idempotency_key)
    mark_replay(response, trailers)
    return NewSecret(client_id=result.client_id, client_secret=None if result.secret_withheld else result.client_secret)


async def _set_enabled(client_id: str, enabled: bool, request: Request, response: Response, key: str) -> EnterpriseClient:
    result, trailers = await call(request.app.state.clients.onboarding.SetClientEnabled,
                                  pb.SetClientEnabledRequest(client_id=client_id, enabled=enabled), request, idempotency_key=key)
    mark_replay(response, trailers)
    return EnterpriseClient.from_proto(result)


@router.post("/api/v1/enterprise-clients/{client_id}/disable", name="enterprise_client.disable", response_model=EnterpriseClient, responses=PROBLEMS,
             summary="停用企业客户端 / Disable an enterprise client")
async def disable(client_id: str, body: Empty, request: Request, response: Response, idempotency_key: IdempotencyKey,
                  principal=REVIEW_RECORD.dependency()):
    return await _set_enabled(client_id, False, request, response, idempotency_key)


@router.post("/api/v1/enterprise-clients/{client_id}/enable", name="enterprise_client.enable", response_model=EnterpriseClient, responses=PROBLEMS,
             summary="启用企业客户端 / Enable an enterprise client")
async def enable(client_id: str, body: Empty, request: Request, response: Response, idempotency_key: IdempotencyKey,
                 principal=REVIEW_RECORD.dependency()):
    return await _set_enabled(client_id, True, request, response, idempotency_key)
