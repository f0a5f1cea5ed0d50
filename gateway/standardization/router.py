"""/api/v1/standardization — 安全生产标准化管理 (docs/standardization.md): grading applications from the
enterprise's self-assessment through acceptance, scores, the review, the public notice and its
objections, to the certificate; renewal, downgrade and revocation. The service checks every body
field by field, the caller's region or enterprise, the reviewing agency and the version read
(ADR 0009); the routes below declare who may knock at all."""
from __future__ import annotations

from fastapi import APIRouter, Path, Request

from gateway.auth import Permission
from gateway.idempotency import IdempotencyKey
from gateway.openapi import PROBLEMS
from gateway.workflow import JSON_ANSWER, JSON_BODY, forward
from services.kit import roles

router = APIRouter(prefix="/api/v1/standardization", tags=["安全生产标准化 standardization"])

READ = Permission("supervision staff within their region, or the applicant enterprise for its own applications",
                  kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS))
READ_ONE = Permission("supervision staff within the application's region, or the applicant enterprise",
                      kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS), record="owner-or-region")
SUBMIT = Permission("an enterprise for itself, or supervision staff on behalf of an enterprise of their region",
                    kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS))
PARTY = Permission("the applicant enterprise, or supervision staff within the application's region",
                   kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS), record="owner-or-region")
HANDLE = Permission("supervision staff within the application's region (the reviewing agency; inspectors enter scores)",
                    kinds=frozenset({"staff"}), roles=frozenset(roles.SUPERVISION_READERS), record="region")
DECIDE = Permission("supervisors and platform administrators within the application's region (the reviewing agency's head)",
                    kinds=frozenset({"staff"}), roles=frozenset({roles.SUPERVISION_SUPERVISOR, roles.PLATFORM_ADMIN}), record="region")
ApplicationId = Path(ge=1, le=2**63 - 1, description="申请编号")
_R = {**PROBLEMS, **JSON_ANSWER}
_CREATED = {**PROBLEMS, 201: JSON_ANSWER[200]}


def _standardization(request: Request):
    return request.app.state.clients.standardization


@router.get("/standards", responses=_R, summary="评定标准（要素、分值、分数线、前置条件） / Grading standards")
async def list_standards(request: Request, principal=READ.dependency()):
    """The rule table in force: per sector family its elements and points, the bands per grade with their
    operators, coal's part minimums, the fatal-accident look-backs, review levels, review and notice periods."""
    return await forward(request, _standardization(request).ListStandards)


@router.post("/applications", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY, summary="提交定级申请 / Apply for grading")
async def submit(request: Request, idempotency_key: IdempotencyKey, principal=SUBMIT.dependency()):
    """Body: applied_grade ("2" | "3"; 一级 is graded by the province), self_score (自评得分, 0–100), system_running_since
    (体系运行起始日期, at least the table's months ago), self_assessment (the report's reference), note; uscc when staff apply
    on the enterprise's behalf."""
    answer = await forward(request, _standardization(request).SubmitApplication, idempotency_key=idempotency_key)
    answer.status_code = 201
    return answer


@router.get("/applications", responses=_R, summary="定级申请队列 / The application queue")
async def list_applications(request: Request, principal=READ.dependency()):
    """Query: status (or `open`: not yet certified, returned or failed), family, applied_grade, kind, region_code, uscc,
    overdue=true (review period passed), page_size, page_token. Each item carries its clock."""
    return await forward(request, _standardization(request).ListApplications)


@router.get("/applications/{application_id}", responses=_R, summary="定级申请详情（得分、时限与办理过程） / One application")
async def get_application(request: Request, application_id: int = ApplicationId, principal=READ_ONE.dependency()):
    return await forward(request, _standardization(request).GetApplication, id=application_id)


def _action(path: str, rpc: str, permission: Permission, summary: str, doc: str, *, created: bool = False) -> None:
    """POST /applications/{id}/<path> → StandardizationService.<rpc>; the body carries `version` (as read)."""
    async def act(request: Request, idempotency_key: IdempotencyKey, application_id: int = ApplicationId,
                  principal=permission.dependency()):
        answer = await forward(request, getattr(_standardization(request), rpc), id=application_id, idempotency_key=idempotency_key)
        if created:
            answer.status_code = 201
        return answer
    act.__name__, act.__doc__ = rpc, doc
    router.add_api_route(f"/applications/{{application_id}}/{path}", act, methods=["POST"], status_code=201 if created else 200,
                         responses=_CREATED if created else _R, openapi_extra=JSON_BODY, summary=summary)


_action("acceptance", "Accept", HANDLE, "受理 / Accept", "Body: version.")
_action("return", "Return", HANDLE, "退回 / Return to the enterprise", "Body: version, reasons.")
_action("scores", "EnterScores", HANDLE, "录入评审得分 / Enter the reviewers' scores",
        "Body: version, scores [{code, score (0..points) | not_applicable: true (optional elements), note}], experts [names].")
_action("review", "Review", DECIDE, "作出评审结论 / Decide the review",
        "Body: version. Computes the total (and coal's parts), and grants the best grade up to the one applied for whose "
        "bands are reached and whose preconditions hold (no fatal accident in its look-back, read from the data centre).")
_action("notice", "PublishNotice", HANDLE, "发布公示 / Publish the notice",
        "Body: version. The notice runs the family's working days from today; the portal is told.")
_action("objections", "RecordObjection", HANDLE, "登记公示异议 / Record an objection",
        "Body: version, content, objector, received_on. During the notice only.")
_action("certificate", "IssueCertificate", DECIDE, "颁发证书 / Issue the certificate",
        "Body: version, objections_handled (required when objections were raised). After the notice; allocates the number, "
        "writes the grade into the data centre's enterprise record as the caller, and publishes the certificate.")
_action("renewal", "Renew", PARTY, "申请复评换证 / Apply to renew",
        "Body: version (of this certified application) and the fields of a new application. From the renewal window "
        "(the table's months before expiry) to the last valid day.", created=True)
_action("downgrade", "Downgrade", DECIDE, "降级 / Downgrade", "Body: version, to_grade, reasons, accident_id.")
_action("revocation", "Revoke", DECIDE, "撤销等级 / Revoke", "Body: version, reasons, accident_id.")
