"""/api/v1/standardization — 安全生产标准化管理 (docs/standardization.md): grading applications from the
enterprise's self-assessment through acceptance, scores, the review, the public notice and its
objections, to the certificate; renewal, downgrade and revocation. The service checks every body
field by field, the caller's region or enterprise, the reviewing agency and the version read
(ADR 0009); the routes below declare who may knock at all."""
from __future__ import annotations

from fastapi import APIRouter, Request

from gateway.workflow import ANSWER, ApplicationRoutes, forward

router = APIRouter(prefix="/api/v1/standardization", tags=["安全生产标准化 standardization"])

routes = ApplicationRoutes(router, client="standardization", agency="reviewing agency",
                           handlers="; inspectors enter scores")
HANDLE, DECIDE, PARTY = routes.HANDLE, routes.DECIDE, routes.PARTY


@router.get("/standards", responses=ANSWER, summary="评定标准（要素、分值、分数线、前置条件） / Grading standards")
async def list_standards(request: Request, principal=routes.READ.dependency()):
    """The rule table in force: per sector family its elements and points, the bands per grade with their
    operators, coal's part minimums, the fatal-accident look-backs, review levels, review and notice periods."""
    return await forward(request, routes.stub(request).ListStandards)


routes.standard(submit_summary="提交定级申请 / Apply for grading",
                submit_doc=("Body: applied_grade (\"2\" | \"3\"; 一级 is graded by the province), self_score (自评得分, 0–100), "
                            "system_running_since (体系运行起始日期, at least the table's months ago), self_assessment (the report's "
                            "reference), note; uscc when staff apply on the enterprise's behalf."),
                list_summary="定级申请队列 / The application queue",
                list_doc=("Query: status (or `open`: not yet certified, returned or failed), family, applied_grade, kind, "
                          "region_code, uscc, overdue=true (review period passed), page_size, page_token. Each item carries "
                          "its clock."),
                get_summary="定级申请详情（得分、时限与办理过程） / One application")

routes.action("acceptance", "Accept", HANDLE, "受理 / Accept", "Body: version.")
routes.action("return", "Return", HANDLE, "退回 / Return to the enterprise", "Body: version, reasons.")
routes.action("scores", "EnterScores", HANDLE, "录入评审得分 / Enter the reviewers' scores",
              "Body: version, scores [{code, score (0..points) | not_applicable: true (optional elements), note}], experts [names].")
routes.action("review", "Review", DECIDE, "作出评审结论 / Decide the review",
              "Body: version. Computes the total (and coal's parts), and grants the best grade up to the one applied for whose "
              "bands are reached and whose preconditions hold (no fatal accident in its look-back, read from the data centre).")
routes.action("notice", "PublishNotice", HANDLE, "发布公示 / Publish the notice",
              "Body: version. The notice runs the family's working days from today; the portal is told.")
routes.action("objections", "RecordObjection", HANDLE, "登记公示异议 / Record an objection",
              "Body: version, content, objector, received_on. During the notice only.")
routes.action("certificate", "IssueCertificate", DECIDE, "颁发证书 / Issue the certificate",
              "Body: version, objections_handled (required when objections were raised). After the notice; allocates the number, "
              "writes the grade into the data centre's enterprise record as the caller, and publishes the certificate.")
routes.action("renewal", "Renew", PARTY, "申请复评换证 / Apply to renew",
              "Body: version (of this certified application) and the fields of a new application. From the renewal window "
              "(the table's months before expiry) to the last valid day.", created=True)
routes.action("downgrade", "Downgrade", DECIDE, "降级 / Downgrade", "Body: version, to_grade, reasons, accident_id.")
routes.action("revocation", "Revoke", DECIDE, "撤销等级 / Revoke", "Body: version, reasons, accident_id.")
