"""/api/v1/licensing — 行政许可管理 (docs/licensing.md): licence applications from submission to
delivery, and renewal, change, suspension and revocation of the licences issued. The service checks
every body field by field, the caller's region or enterprise, and the version read (ADR 0009);
the routes below declare who may knock at all."""
from __future__ import annotations

from fastapi import APIRouter, Request

from gateway.workflow import ANSWER, ApplicationRoutes, forward

router = APIRouter(prefix="/api/v1/licensing", tags=["行政许可 licensing"])

routes = ApplicationRoutes(router, client="licensing", agency="licensing agency")
HANDLE, DECIDE, PARTY = routes.HANDLE, routes.DECIDE, routes.PARTY


@router.get("/types", responses=ANSWER, summary="许可类型（时限、材料、编号格式） / Licence types")
async def list_types(request: Request, principal=routes.READ.dependency()):
    """The rule table in force: per type its legal and promised days, extension, day type, materials, validity, renewal."""
    return await forward(request, routes.stub(request).ListTypes)


routes.standard(submit_summary="提交许可申请 / Submit an application",
                submit_doc=("Body: licence_type, scope (许可范围), sector (安全生产许可证: non_coal_mine | hazchem_production | "
                            "fireworks_production), materials [{code, reference}], note; uscc when staff submit on the "
                            "enterprise's behalf."),
                list_summary="许可申请队列 / The application queue",
                list_doc=("Query: status (or `open`: not yet decided), licence_type, kind, region_code, uscc, overdue=true, "
                          "page_size, page_token."),
                get_summary="许可申请详情（时限与办理过程） / One application")

routes.action("correction", "RequestCorrection", HANDLE, "一次性告知补正 / Ask once for every missing material",
              "Body: version, missing [material codes], note. Within the notice limit after receipt; once only.")
routes.action("materials", "ResubmitMaterials", PARTY, "补正材料 / Answer the correction notice",
              "Body: version, materials [{code, reference}] including every material the notice listed.")
routes.action("accept", "Accept", HANDLE, "受理 / Accept",
              "Body: version. After the notice limit the application counts as accepted on the day of receipt.")
routes.action("pauses", "StartPause", HANDLE, "开始现场核查/专家评审/听证/检验检测 / Start a pause of the clock",
              "Body: version, kind (on_site_check | expert_review | hearing | testing), started_on, note.")
routes.action("pauses/end", "EndPause", HANDLE, "结束核查/评审/听证/检测 / End the pause",
              "Body: version, ended_on, result. The days paused are added to the decision period.")
routes.action("extension", "Extend", DECIDE, "延长审查期限（负责人批准） / Extend the period once",
              "Body: version, approved_by (the agency head), reason (told to the applicant).")
routes.action("decision", "Decide", DECIDE, "作出许可决定 / Approve or refuse",
              "Body: version, decision (approved | refused), reasons (required for a refusal), scope (approved scope).")
routes.action("certificate", "IssueCertificate", HANDLE, "制发许可证 / Issue the certificate",
              "Body: version. Allocates the number and writes the licence into the data centre as the caller; publishes it (双公示).")
routes.action("delivery", "Deliver", HANDLE, "送达 / Record the delivery",
              "Body: version, method (in_person | mail | electronic | agent), recipient, delivered_on.")
routes.action("withdrawal", "Withdraw", PARTY, "撤回申请 / Withdraw", "Body: version, reason.")
routes.action("renewal", "Renew", PARTY, "申请延续 / Apply to renew the licence",
              "Body: version (of this issued application), materials, note. Opens a renewal application; without re-review "
              "when the type allows it and the holder had no fatal accident in the validity period.", created=True)
routes.action("change", "Change", PARTY, "申请变更 / Apply to change the licence",
              "Body: version (of this issued application), scope (the new scope), reason, materials.", created=True)
routes.action("suspension", "Suspend", DECIDE, "暂扣许可证 / Suspend the licence", "Body: version, reasons, until.")
routes.action("revocation", "Revoke", DECIDE, "吊销许可证 / Revoke the licence", "Body: version, reasons.")
