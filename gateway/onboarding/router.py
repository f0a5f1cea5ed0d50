"""/api/v1/onboarding, /api/v1/enterprise-clients and /api/v1/enterprises/{uscc}/users — an
enterprise applies for API access (public form); a data-centre administrator of its region
approves, which creates its Keycloak client; the administrator can later rotate the secret or
disable the client. The enterprise's people (staff accounts) are managed by an administrator of
its region or by the enterprise's own administrator."""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Path, Query, Request, Response

from gateway.auth import PUBLIC, Permission, staff
from gateway.clients import call
from gateway.idempotency import IdempotencyKey, mark_replay
from gateway.onboarding.schemas import (Application, ApplicationForm, ApplicationPage, ApplicationReceipt, Approval, Empty,
                                        EnterpriseClient, EnterpriseClientPage, EnterpriseUser, EnterpriseUserForm,
                                        EnterpriseUserPage, NewEnterpriseUser, NewPassword, NewSecret, Region, RegionList,
                                        Rejection)
from services.kit.auth import Principal
from gateway.openapi import PROBLEMS
from gateway.timefmt import local
from safety.datacenter.v1 import onboarding_pb2 as pb
from services.kit import roles

router = APIRouter(tags=["企业接入 onboarding"])

REVIEW = staff("data-centre administrators, within their region", *roles.ONBOARDING_REVIEWERS)
REVIEW_RECORD = staff("data-centre administrators, for a record within their region", *roles.ONBOARDING_REVIEWERS, record="region")


@dataclass(frozen=True)
class EnterpriseRolePermission(Permission):
    """A Permission whose enterprise callers must also hold one of `enterprise_roles`: the
    enterprise's people, told apart by role (its machine client holds only `enterprise`)."""
    enterprise_roles: frozenset[str] = frozenset()

    def allows(self, p: Principal) -> bool:
        if not super().allows(p):
            return False
        return p.kind != "enterprise" or not self.enterprise_roles or bool(p.roles & self.enterprise_roles)


# The enterprise's staff accounts: agency administrators of its region, or its own administrator;
# another enterprise's, or one outside the region, answers 404 (as an absent one).
MANAGE_USERS = EnterpriseRolePermission(
    "platform or data-centre administrators of the enterprise's region, or the enterprise's own administrator (enterprise-admin)",
    kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.ENTERPRISE_USER_MANAGERS), record="owner-or-region",
    enterprise_roles=frozenset({roles.ENTERPRISE_ADMIN}))
USCC = Path(max_length=64, description="统一社会信用代码")
USERNAME = Path(max_length=100, description="用户名")


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


@router.get("/api/v1/enterprises/{uscc}/users", response_model=EnterpriseUserPage, responses=PROBLEMS,
            summary="企业账号列表（电话已脱敏） / The enterprise's staff accounts (phones masked)")
async def list_users(request: Request, uscc: str = USCC, principal=MANAGE_USERS.dependency(),
                     page_size: int = Query(20, ge=1, le=200), page_token: str = Query("", max_length=200)):
    result, _ = await call(request.app.state.clients.onboarding.ListEnterpriseUsers,
                           pb.ListEnterpriseUsersRequest(uscc=uscc, page_size=page_size, page_token=page_token), request)
    return EnterpriseUserPage(items=[EnterpriseUser.from_proto(u) for u in result.items], next_page_token=result.next_page_token)


@router.post("/api/v1/enterprises/{uscc}/users", status_code=201, name="enterprise_user.create", response_model=NewEnterpriseUser,
             responses=PROBLEMS, summary="新建企业账号（初始密码仅显示一次，首次登录须修改） / Create a staff account; "
                                         "the initial password is shown once and must be changed at first login")
async def create_user(body: EnterpriseUserForm, request: Request, response: Response, idempotency_key: IdempotencyKey,
                      uscc: str = USCC, principal=MANAGE_USERS.dependency()):
    result, trailers = await call(request.app.state.clients.onboarding.CreateEnterpriseUser, body.to_proto(uscc), request,
                                  idempotency_key=idempotency_key)
    mark_replay(response, trailers)
    return NewEnterpriseUser(user=EnterpriseUser.from_proto(result.user),
                             initial_password=None if result.password_withheld else result.initial_password)


async def _set_user_enabled(uscc: str, username: str, enabled: bool, request: Request, response: Response, key: str) -> EnterpriseUser:
    result, trailers = await call(request.app.state.clients.onboarding.SetEnterpriseUserEnabled,
                                  pb.SetEnterpriseUserEnabledRequest(uscc=uscc, username=username, enabled=enabled), request,
                                  idempotency_key=key)
    mark_replay(response, trailers)
    return EnterpriseUser.from_proto(result)


@router.post("/api/v1/enterprises/{uscc}/users/{username}/disable", name="enterprise_user.disable", response_model=EnterpriseUser,
             responses=PROBLEMS, summary="停用企业账号（立即结束其登录会话） / Disable a staff account; its sessions end")
async def disable_user(body: Empty, request: Request, response: Response, idempotency_key: IdempotencyKey, uscc: str = USCC,
                       username: str = USERNAME, principal=MANAGE_USERS.dependency()):
    return await _set_user_enabled(uscc, username, False, request, response, idempotency_key)


@router.post("/api/v1/enterprises/{uscc}/users/{username}/enable", name="enterprise_user.enable", response_model=EnterpriseUser,
             responses=PROBLEMS, summary="启用企业账号 / Enable a staff account")
async def enable_user(body: Empty, request: Request, response: Response, idempotency_key: IdempotencyKey, uscc: str = USCC,
                      username: str = USERNAME, principal=MANAGE_USERS.dependency()):
    return await _set_user_enabled(uscc, username, True, request, response, idempotency_key)


@router.post("/api/v1/enterprises/{uscc}/users/{username}/reset-password", name="enterprise_user.reset_password",
             response_model=NewPassword, responses=PROBLEMS,
             summary="重置企业账号密码（新初始密码仅显示一次） / Reset the password; the new one is shown once")
async def reset_user_password(body: Empty, request: Request, response: Response, idempotency_key: IdempotencyKey,
                              uscc: str = USCC, username: str = USERNAME, principal=MANAGE_USERS.dependency()):
    result, trailers = await call(request.app.state.clients.onboarding.ResetEnterpriseUserPassword,
                                  pb.ResetEnterpriseUserPasswordRequest(uscc=uscc, username=username), request,
                                  idempotency_key=idempotency_key)
    mark_replay(response, trailers)
    return NewPassword(username=result.username, initial_password=None if result.password_withheld else result.initial_password)
