"""/api/v1/inspection-plans, /api/v1/inspections, /api/v1/enforcement-documents, /api/v1/rechecks —
执法检查 (docs/inspections.md): yearly plans with their 双随机 draw, inspections on site, the
numbered and printable enforcement documents, and the re-checks of rectification orders.
Supervision staff within their region; plans are drawn and published by supervisors."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from gateway.auth import Permission
from gateway.clients import call
from gateway.idempotency import IdempotencyKey
from gateway.openapi import PROBLEMS
from gateway.workflow import JSON_ANSWER, JSON_BODY, forward
from safety.supervision.v1 import workflow_pb2 as wpb
from services.kit import roles

router = APIRouter(tags=["执法检查 inspections"])

INSPECT = Permission("supervision officers within their region", kinds=frozenset({"staff"}), roles=frozenset(roles.SUPERVISION_READERS))
PLAN = Permission("supervisors and platform administrators within their region", kinds=frozenset({"staff"}),
                  roles=frozenset({roles.PLATFORM_ADMIN, roles.SUPERVISION_SUPERVISOR}))
INSPECT_ONE = Permission("supervision officers within the record's region", kinds=frozenset({"staff"}),
                         roles=frozenset(roles.SUPERVISION_READERS), record="region")
READ_DOCUMENTS = Permission("supervision officers within their region, or an enterprise for the documents issued to it",
                            kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS))
READ_DOCUMENT = Permission("supervision officers within the document's region, or the enterprise it was issued to",
                           kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS), record="owner-or-region")
REPORT_OWN = Permission("the enterprise the order was issued to", kinds=frozenset({"enterprise"}), record="owner-or-region")
PLAN_ONE = Permission("supervisors and platform administrators within the plan's region", kinds=frozenset({"staff"}),
                      roles=frozenset({roles.PLATFORM_ADMIN, roles.SUPERVISION_SUPERVISOR}), record="region")
RecordId = Annotated[int, Path(ge=1, le=2**63 - 1, description="编号")]
_R = {**PROBLEMS, **JSON_ANSWER}
_CREATED = {**PROBLEMS, 201: JSON_ANSWER[200]}


def _svc(request: Request):
    return request.app.state.clients.inspections


# --- plans ----------------------------------------------------------------------------------------

@router.post("/api/v1/inspection-plans", responses=_R, openapi_extra=JSON_BODY, summary="抽取年度检查计划（双随机） / Draw a county's yearly plan")
async def generate_plan(request: Request, idempotency_key: IdempotencyKey, principal=PLAN.dependency()):
    """Body: county_code, year, seed (optional; recorded, so the draw can be re-run). Replaces the county's draft."""
    return await forward(request, _svc(request).GeneratePlan, idempotency_key=idempotency_key)


@router.get("/api/v1/inspection-plans", responses=_R, summary="某县某年的检查计划 / The plan of a county and year")
async def find_plan(request: Request, principal=INSPECT.dependency()):
    """Query: county_code, year, month."""
    return await forward(request, _svc(request).GetPlan)


@router.get("/api/v1/inspection-plans/{plan_id}", responses=_R, summary="检查计划 / A plan with its items")
async def get_plan(plan_id: RecordId, request: Request, principal=INSPECT_ONE.dependency()):
    return await forward(request, _svc(request).GetPlan, id=plan_id)


@router.post("/api/v1/inspection-plans/{plan_id}/publication", responses=_R, openapi_extra=JSON_BODY,
             summary="公布检查计划及抽取结果 / Publish a plan")
async def publish_plan(plan_id: RecordId, request: Request, idempotency_key: IdempotencyKey, principal=PLAN_ONE.dependency()):
    """Body: version (as read)."""
    return await forward(request, _svc(request).PublishPlan, id=plan_id, idempotency_key=idempotency_key)


@router.get("/api/v1/inspection-plans/{plan_id}/verification", responses=_R, summary="复核抽取结果 / Re-run the draw from its seed")
async def verify_plan(plan_id: RecordId, request: Request, principal=INSPECT_ONE.dependency()):
    return await forward(request, _svc(request).VerifyPlan, id=plan_id)


@router.post("/api/v1/inspection-conflicts", responses=_R, openapi_extra=JSON_BODY, summary="登记执法人员回避关系 / Declare a conflict of interest")
async def declare_conflict(request: Request, idempotency_key: IdempotencyKey, principal=PLAN.dependency()):
    """Body: officer_id, uscc, reason."""
    return await forward(request, _svc(request).DeclareConflict, idempotency_key=idempotency_key)


@router.get("/api/v1/inspection-checklists", responses=_R, summary="检查项目录（含重大事故隐患判定标准） / Checklist items")
async def checklist(request: Request, principal=INSPECT.dependency()):
    """Query: sector, or uscc (its sector)."""
    return await forward(request, _svc(request).GetChecklist)


# --- inspections ----------------------------------------------------------------------------------

@router.post("/api/v1/inspections", responses=_R, openapi_extra=JSON_BODY, summary="开始执法检查 / Start an inspection")
async def start_inspection(request: Request, idempotency_key: IdempotencyKey, principal=INSPECT.dependency()):
    """Body: uscc, mode (routine / special / unannounced), place, officer_ids (≥ 2, valid certificates), checklist, plan_item_id."""
    return await forward(request, _svc(request).StartInspection, idempotency_key=idempotency_key)


@router.get("/api/v1/inspections", responses=_R, summary="执法检查列表 / Inspections")
async def list_inspections(request: Request, principal=INSPECT.dependency()):
    """Query: region_code, uscc, status, page_size, page_token."""
    return await forward(request, _svc(request).ListInspections)


@router.get("/api/v1/inspections/{inspection_id}", responses=_R, summary="执法检查详情 / An inspection")
async def get_inspection(inspection_id: RecordId, request: Request, principal=INSPECT_ONE.dependency()):
    return await forward(request, _svc(request).GetInspection, id=inspection_id)


@router.post("/api/v1/inspections/{inspection_id}/findings", responses=_R, openapi_extra=JSON_BODY, summary="记录检查发现的问题 / Add a finding")
async def add_finding(inspection_id: RecordId, request: Request, idempotency_key: IdempotencyKey, principal=INSPECT_ONE.dependency()):
    """Body: item_code (checklist), description, handling (fixed_on_site / order / measures), deadline, basis."""
    return await forward(request, _svc(request).AddFinding, id=inspection_id, idempotency_key=idempotency_key)


@router.post("/api/v1/inspections/{inspection_id}/findings/removal", responses=_R, openapi_extra=JSON_BODY,
             summary="删除检查问题 / Remove a finding")
async def remove_finding(inspection_id: RecordId, request: Request, idempotency_key: IdempotencyKey, principal=INSPECT_ONE.dependency()):
    """Body: seq."""
    return await forward(request, _svc(request).RemoveFinding, id=inspection_id, idempotency_key=idempotency_key)


@router.post("/api/v1/inspections/{inspection_id}/completion", responses=_R, openapi_extra=JSON_BODY,
             summary="结束检查并出具文书 / Complete an inspection")
async def complete(inspection_id: RecordId, request: Request, idempotency_key: IdempotencyKey, principal=INSPECT_ONE.dependency()):
    """Body: content, ended_at, unit_present {name, post}, unit_refused_to_sign, refusal_note. Issues the documents,
    writes the findings into the data centre's hazards; repeating it only retries the hazards not yet written."""
    return await forward(request, _svc(request).CompleteInspection, id=inspection_id, idempotency_key=idempotency_key)


# --- documents ------------------------------------------------------------------------------------

@router.get("/api/v1/enforcement-documents", responses=_R, summary="执法文书列表 / Enforcement documents")
async def list_documents(request: Request, principal=READ_DOCUMENTS.dependency()):
    """Query: region_code, uscc, type, year, page_size, page_token. An enterprise gets the documents issued to it."""
    return await forward(request, _svc(request).ListDocuments)


@router.get("/api/v1/enforcement-documents/{document_id}", responses=_R, summary="执法文书 / A document")
async def get_document(document_id: RecordId, request: Request, principal=READ_DOCUMENT.dependency()):
    return await forward(request, _svc(request).GetDocument, id=document_id)


@router.get("/api/v1/enforcement-documents/{document_id}/pdf", responses={**PROBLEMS, 200: {"content": {"application/pdf": {}}}},
            summary="打印执法文书（PDF） / The printable document")
async def document_pdf(document_id: RecordId, request: Request, principal=READ_DOCUMENT.dependency()):
    result, _ = await call(_svc(request).RenderDocument, wpb.JsonRequest(id=str(document_id)), request)
    return Response(content=result.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=\"document-{document_id}.pdf\"; filename*=UTF-8''{quote(result.filename)}"})


@router.post("/api/v1/enforcement-documents/{document_id}/signatures", responses=_R, openapi_extra=JSON_BODY,
             summary="记录签收或拒签 / Record a signature or a refusal")
async def sign(document_id: RecordId, request: Request, idempotency_key: IdempotencyKey, principal=INSPECT_ONE.dependency()):
    """Body: role (inspector / unit), name, refused, note."""
    return await forward(request, _svc(request).SignDocument, id=document_id, idempotency_key=idempotency_key)


@router.post("/api/v1/enforcement-documents/{document_id}/rectification-report", responses=_R, openapi_extra=JSON_BODY,
             summary="报告整改情况 / The enterprise reports its rectification")
async def report_rectification(document_id: RecordId, request: Request, idempotency_key: IdempotencyKey, principal=REPORT_OWN.dependency()):
    """The enterprise's 整改情况报告 against a 责令限期整改指令书 issued to it. Body: version (of the order's
    `rectification`, optional), items [{no, measures, completed_on}] — one for every item of the order —,
    summary, principal (the name of the principal who signs). The re-check then falls due within 10 days
    (rule table enforcement_deadlines). Another enterprise's order answers 404."""
    return await forward(request, _svc(request).ReportRectification, id=document_id, idempotency_key=idempotency_key)


# --- re-checks ------------------------------------------------------------------------------------

@router.get("/api/v1/rechecks", responses=_R, summary="整改复查 / Re-checks of rectification orders")
async def list_rechecks(request: Request, principal=INSPECT.dependency()):
    """Query: region_code, state (open / waiting / due / overdue / done), page_size, page_token."""
    return await forward(request, _svc(request).ListRechecks)


@router.post("/api/v1/rechecks/{recheck_id}", responses=_R, openapi_extra=JSON_BODY, summary="记录复查结论 / Record a re-check")
async def record_recheck(recheck_id: RecordId, request: Request, idempotency_key: IdempotencyKey, principal=INSPECT_ONE.dependency()):
    """Body: version, result (passed / failed), opinion, rechecked_on, next_action (new_order / case), new_deadline."""
    return await forward(request, _svc(request).RecordRecheck, id=recheck_id, idempotency_key=idempotency_key)


# --- penalty cases --------------------------------------------------------------------------------

@router.post("/api/v1/penalty-cases", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY,
             summary="立案（行政处罚案件） / Open a penalty case")
async def open_case(request: Request, idempotency_key: IdempotencyKey, principal=INSPECT.dependency()):
    """Body: uscc, cause (案由), source (现场检查 / 复查不合格 / 举报 / 其他). The case starts at 立案, due by the table's days.
    Answers 201 with the case (and its `form`, as a single read does)."""
    answer = await forward(request, request.app.state.clients.cases.OpenCase, idempotency_key=idempotency_key)
    answer.status_code = 201
    return answer


@router.get("/api/v1/penalty-cases", responses=_R, summary="行政处罚案件 / Penalty cases")
async def list_cases(request: Request, principal=INSPECT.dependency()):
    """Query: region_code, step, overdue=true, page_size, page_token."""
    return await forward(request, request.app.state.clients.cases.ListCases)


@router.get("/api/v1/penalty-cases/{case_id}", responses=_R, summary="案件详情 / A case with its steps")
async def get_case(case_id: RecordId, request: Request, principal=INSPECT_ONE.dependency()):
    """The case with its steps done (each with `entries`: what it recorded, labelled) and `form`: the fields of the
    next step — name, label, kind (text / textarea / date / money / choice / flag), required, max_length, options,
    placeholder, default — when the caller may take it (an officer of the region; a supervisor for 立案, 处罚决定
    and 结案), else []. Writes answer the same."""
    return await forward(request, request.app.state.clients.cases.GetCase, id=case_id)


@router.post("/api/v1/penalty-cases/{case_id}/steps", responses=_R, openapi_extra=JSON_BODY, summary="办理下一环节 / Take the next step")
async def advance_case(case_id: RecordId, request: Request, idempotency_key: IdempotencyKey, principal=INSPECT_ONE.dependency()):
    """Body: version, step (the case's next step) and its fields, as the case's `form` lists them (cases.FORMS) —
    filing {summary, approver_opinion}; investigation {facts, evidence, violated}; notice {basis, penalty {content,
    amount_cny}}; statement {statement, hearing_held}; decision {decision, bank}; service {method, served_on,
    recipient}; execution {execution, paid_cny}; closure {summary, approver_opinion}. 立案, 决定 and 结案 need a supervisor."""
    return await forward(request, request.app.state.clients.cases.AdvanceCase, id=case_id, idempotency_key=idempotency_key)
