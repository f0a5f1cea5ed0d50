"""/api/v1/licensing — 行政许可管理 (docs/licensing.md): licence applications from submission to
delivery, and renewal, change, suspension and revocation of the licences issued. The service checks
every body field by field, the caller's region or enterprise, and the version read (ADR 0009);
the routes below declare who may knock at all."""
from __future__ import annotations

from fastapi import APIRouter, Path, Request

from gateway.auth import Permission
from gateway.idempotency import IdempotencyKey
from gateway.openapi import PROBLEMS
from gateway.workflow import JSON_ANSWER, JSON_BODY, forward
from services.kit import roles

router = APIRouter(prefix="/api/v1/licensing", tags=["行政许可 licensing"])

READ = Permission("supervision staff within their region, or the applicant enterprise for its own applications",
                  kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS))
READ_ONE = Permission("supervision staff within the application's region, or the applicant enterprise",
                      kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS), record="owner-or-region")
SUBMIT = Permission("an enterprise for itself, or supervision staff on behalf of an enterprise of their region",
                    kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS))
PARTY = Permission("the applicant enterprise, or supervision staff within the application's region",
                   kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS), record="owner-or-region")
HANDLE = Permission("supervision staff within the application's region (the licensing agency)", kinds=frozenset({"staff"}),
                    roles=frozenset(roles.SUPERVISION_READERS), record="region")
DECIDE = Permission("supervisors and platform administrators within the application's region (the agency's head)",
                    kinds=frozenset({"staff"}), roles=frozenset({roles.SUPERVISION_SUPERVISOR, roles.PLATFORM_ADMIN}), record="region")
ApplicationId = Path(ge=1, le=2**63 - 1, description="申请编号")
_R = {**PROBLEMS, **JSON_ANSWER}
_CREATED = {**PROBLEMS, 201: JSON_ANSWER[200]}


def _licensing(request: Request):
    return request.app.state.clients.licensing


@router.get("/types", responses=_R, summary="许可类型（时限、材料、编号格式） / Licence types")
async def list_types(request: Request, principal=READ.dependency()):
    """The rule table in force: per type its legal and promised days, extension, day type, materials, validity, renewal."""
    return await forward(request, _licensing(request).ListTypes)


@router.post("/applications", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY, summary="提交许可申请 / Submit an application")
async def submit(request: Request, idempotency_key: IdempotencyKey, principal=SUBMIT.dependency()):
    """Body: licence_type, scope (许可范围), sector (安全生产许可证: non_coal_mine | hazchem_production |
    fireworks_production), materials [{code, reference}], note; uscc when staff submit on the enterprise's behalf."""
    answer = await forward(request, _licensing(request).SubmitApplication, idempotency_key=idempotency_key)
    answer.status_code = 201
    return answer


@router.get("/applications", responses=_R, summary="许可申请队列 / The application queue")
async def list_applications(request: Request, principal=READ.dependency()):
    """Query: status (or `open`: not yet decided), licence_type, kind, region_code, uscc, overdue=true, page_size, page_token."""
    return await forward(request, _licensing(request).ListApplications)


@router.get("/applications/{application_id}", responses=_R, summary="许可申请详情（时限与办理过程） / One application")
async def get_application(request: Request, application_id: int = ApplicationId, principal=READ_ONE.dependency()):
    return await forward(request, _licensing(request).GetApplication, id=application_id)


def _action(path: str, rpc: str, permission: Permission, summary: str, doc: str, *, created: bool = False) -> None:
    """POST /applications/{id}/<path> → LicensingService.<rpc>; the body carries `version` (as read)."""
    async def act(request: Request, idempotency_key: IdempotencyKey, application_id: int = ApplicationId,
                  principal=permission.dependency()):
        answer = await forward(request, getattr(_licensing(request), rpc), id=application_id, idempotency_key=idempotency_key)
        if created:
            answer.status_code = 201
        return answer
    act.__name__, act.__doc__ = rpc, doc
    router.add_api_route(f"/applications/{{application_id}}/{path}", act, methods=["POST"], status_code=201 if created else 200,
                         responses=_CREATED if created else _R, openapi_extra=JSON_BODY, summary=summary)


_action("correction", "RequestCorrection", HANDLE, "一次性告知补正 / Ask once for every missing material",
        "Body: version, missing [material codes], note. Within the notice limit after receipt; once only.")
_action("materials", "ResubmitMaterials", PARTY, "补正材料 / Answer the correction notice",
        "Body: version, materials [{code, reference}] including every material the notice listed.")
_action("accept", "Accept", HANDLE, "受理 / Accept",
        "Body: version. After the notice limit the application counts as accepted on the day of receipt.")
_action("pauses", "StartPause", HANDLE, "开始现场核查/专家评审/听证/检验检测 / Start a pause of the clock",
        "Body: version, kind (on_site_check | expert_review | hearing | testing), started_on, note.")
_action("pauses/end", "EndPause", HANDLE, "结束核查/评审/听证/检测 / End the pause",
        "Body: version, ended_on, result. The days paused are added to the decision period.")
_action("extension", "Extend", DECIDE, "延长审查期限（负责人批准） / Extend the period once",
        "Body: version, approved_by (the agency head), reason (told to the applicant).")
_action("decision", "Decide", DECIDE, "作出许可决定 / Approve or refuse",
        "Body: version, decision (approved | refused), reasons (required for a refusal), scope (approved scope).")
_action("certificate", "IssueCertificate", HANDLE, "制发许可证 / Issue the certificate",
        "Body: version. Allocates the number and writes the licence into the data centre as the caller; publishes it (双公示).")
_action("delivery", "Deliver", HANDLE, "送达 / Record the delivery",
        "Body: version, method (in_person | mail | electronic | agent), recipient, delivered_on.")
_action("withdrawal", "Withdraw", PARTY, "撤回申请 / Withdraw", "Body: version, reason.")
_action("renewal", "Renew", PARTY, "申请延续 / Apply to renew the licence",
        "Body: version (of this issued application), materials, note. Opens a renewal application; without re-review "
        "when the type allows it and the holder had no fatal accident in the validity period.", created=True)
_action("change", "Change", PARTY, "申请变更 / Apply to change the licence",
        "Body: version (of this issued application), scope (the new scope), reason, materials.", created=True)
_action("suspension", "Suspend", DECIDE, "暂扣许可证 / Suspend the licence", "Body: version, reasons, until.")
_action("revocation", "Revoke", DECIDE, "吊销许可证 / Revoke the licence", "Body: version, reasons.")
