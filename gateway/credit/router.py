"""/api/v1/credit — 安全生产诚信 (docs/credit.md): enterprises' credit ledgers, scores and grades, the
serious-dishonesty list (严重失信主体名单), the third-party service agencies' register, and the
one-year accident follow-ups (回头看). The service checks every body field by field, the caller's
region or enterprise, and the version read (ADR 0009); the routes below declare who may knock."""
from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request

from gateway.auth import Permission
from gateway.idempotency import IdempotencyKey
from gateway.openapi import PROBLEMS
from gateway.workflow import JSON_ANSWER, JSON_BODY, forward
from services.kit import roles

router = APIRouter(prefix="/api/v1/credit", tags=["安全生产诚信 credit"])

STAFF = frozenset({"staff"})
READERS = frozenset(roles.SUPERVISION_READERS)
DECIDERS = frozenset({roles.SUPERVISION_SUPERVISOR, roles.PLATFORM_ADMIN})
STAFF_ANY = Permission("supervision staff within their region", kinds=STAFF, roles=READERS)
STAFF_ONE = Permission("supervision staff within the record's region", kinds=STAFF, roles=READERS, record="region")
READ_TABLES = Permission("supervision staff, or an enterprise", kinds=frozenset({"staff", "enterprise"}), roles=READERS)
READ_OWN = Permission("supervision staff within the enterprise's region, or the enterprise itself",
                      kinds=frozenset({"staff", "enterprise"}), roles=READERS, record="owner-or-region")
DECIDE = Permission("supervisors and platform administrators within their region", kinds=STAFF, roles=DECIDERS)
DECIDE_ONE = Permission("supervisors and platform administrators within the record's region", kinds=STAFF, roles=DECIDERS,
                        record="region")
PARTY = Permission("the listed enterprise, or supervision staff within its region", kinds=frozenset({"staff", "enterprise"}),
                   roles=READERS, record="owner-or-region")
ListingId = Path(ge=1, le=2**63 - 1, description="名单记录编号")
AgencyId = Path(ge=1, le=2**63 - 1, description="机构编号")
FollowUpId = Path(ge=1, le=2**63 - 1, description="事故整改评估编号")
Uscc = Path(min_length=18, max_length=18, pattern=r"^[0-9A-HJ-NP-RTUWXY]{18}$", description="统一社会信用代码")
_R = {**PROBLEMS, **JSON_ANSWER}
_CREATED = {**PROBLEMS, 201: JSON_ANSWER[200]}


def _credit(request: Request):
    return request.app.state.clients.credit


async def _created(request: Request, rpc: str, key: str, *, id: int | str = ""):
    answer = await forward(request, getattr(_credit(request), rpc), id=id, idempotency_key=key)
    answer.status_code = 201
    return answer


# --- enterprises ------------------------------------------------------------------------------------

@router.get("/types", responses=_R, summary="诚信事件类型、等级、失信情形与管理措施 / The tables in force")
async def list_types(request: Request, principal=READ_TABLES.dependency()):
    """Query: as_of. Event types with points, validity and decay; grade bands; listing situations, repair conditions, consequences."""
    return await forward(request, _credit(request).ListEventTypes)


@router.get("/enterprises", responses=_R, summary="企业诚信评分与等级 / Enterprises with score and grade")
async def list_enterprises(request: Request, principal=STAFF_ANY.dependency(),
                           q: str = Query("", max_length=50, description="企业名称包含（不区分大小写） / The name contains (any case)")):
    """Query: region_code, grade (A–D), listed=true|false, uscc, q (企业名称 contains), as_of, page_size, page_token."""
    return await forward(request, _credit(request).ListEnterprises)


@router.get("/enterprises/{uscc}", responses=_R, summary="企业诚信档案 / An enterprise's credit page")
async def get_enterprise(request: Request, uscc: str = Uscc, principal=READ_OWN.dependency()):
    """The ledger with what each entry counts, score and grade on `as_of` (query), listings and their consequences
    (`consequences`: [{applies_to: licensing | standardization | plans, consequence_zh}; plans: also effect,
    extra_inspections, within_cap, reason_zh]) — what other subsystems call — and `trend`: the score over time
    [{on, score, grade, grade_name, listed}], a point on every day it changes, at least a year back, through `as_of`."""
    return await forward(request, _credit(request).GetEnterprise, id=uscc)


@router.post("/events", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY, summary="录入诚信事件（行政处罚等） / Record a credit event")
async def record_event(request: Request, idempotency_key: IdempotencyKey, principal=STAFF_ANY.dependency()):
    """Body: uscc, type (penalty_warning | penalty_fine | penalty_suspension | other_finding), points (other_finding only),
    reason, reference (the penalty decision's number), occurred_on. Answers the enterprise's credit page."""
    return await _created(request, "RecordEvent", idempotency_key)


# --- the serious-dishonesty list --------------------------------------------------------------------

@router.post("/dishonesty-listings", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY,
             summary="列入严重失信主体名单 / List an enterprise")
async def decide_listing(request: Request, idempotency_key: IdempotencyKey, principal=DECIDE.dependency()):
    """Body: uscc, situation (a situation of 应急管理部令第11号, GET /types), facts, penalty_number, principal_name.
    Issues the decision document's number; listed for 3 years; published for the portal."""
    return await _created(request, "DecideListing", idempotency_key)


@router.get("/dishonesty-listings", responses=_R, summary="严重失信主体名单 / The list")
async def list_listings(request: Request, principal=STAFF_ANY.dependency()):
    """Query: state (listed | expired | removed), region_code, uscc, page_size, page_token. Principals' names masked."""
    return await forward(request, _credit(request).ListListings)


@router.get("/dishonesty-listings/{listing_id}", responses=_R, summary="名单记录详情 / One listing")
async def get_listing(request: Request, listing_id: int = ListingId, principal=PARTY.dependency()):
    return await forward(request, _credit(request).GetListing, id=listing_id)


def _listing_step(path: str, rpc: str, permission: Permission, summary: str, doc: str) -> None:
    """POST /dishonesty-listings/{id}/<path> → CreditService.<rpc>; the body carries `version` (as read)."""
    async def step(request: Request, idempotency_key: IdempotencyKey, listing_id: int = ListingId, principal=permission.dependency()):
        return await forward(request, getattr(_credit(request), rpc), id=listing_id, idempotency_key=idempotency_key)
    step.__name__, step.__doc__ = rpc, doc
    router.add_api_route(f"/dishonesty-listings/{{listing_id}}/{path}", step, methods=["POST"], responses=_R, openapi_extra=JSON_BODY,
                         summary=summary)


_listing_step("repair", "RequestRepair", PARTY, "申请信用修复 / Apply for credit repair",
              "Body: version, statement, conditions (every repair condition's code). From the day the first 12 months are full.")
_listing_step("repair-decision", "DecideRepair", DECIDE_ONE, "审核信用修复 / Decide the repair",
              "Body: version, decision (approved | refused), opinion (required for a refusal). An approval removes the listing.")
_listing_step("removal", "RemoveListing", DECIDE_ONE, "期满移出名单 / Remove at the end of the term",
              "Body: version, note. After the 3-year term only; an earlier removal is a repair.")


# --- third-party service agencies -------------------------------------------------------------------

@router.post("/agencies", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY, summary="登记技术服务机构 / Register an agency")
async def register_agency(request: Request, idempotency_key: IdempotencyKey, principal=STAFF_ANY.dependency()):
    """Body: name, uscc, qualification_type (safety_assessment | testing_inspection), qualification_number, scope, valid_until, region_code."""
    return await _created(request, "RegisterAgency", idempotency_key)


@router.get("/agencies", responses=_R, summary="技术服务机构名录与信用等级 / The agencies with their rating")
async def list_agencies(request: Request, principal=STAFF_ANY.dependency()):
    """Query: region_code, qualification_type, grade, q (name), page_size, page_token."""
    return await forward(request, _credit(request).ListAgencies)


@router.get("/agencies/{agency_id}", responses=_R, summary="机构详情（服务记录与失信问题） / One agency")
async def get_agency(request: Request, agency_id: int = AgencyId, principal=STAFF_ONE.dependency()):
    return await forward(request, _credit(request).GetAgency, id=agency_id)


@router.patch("/agencies/{agency_id}", responses=_R, openapi_extra=JSON_BODY, summary="修改机构信息 / Change an agency")
async def update_agency(request: Request, agency_id: int = AgencyId, principal=STAFF_ONE.dependency()):
    """Body: version (as read) and the fields to change (name, uscc, qualification_type, qualification_number, scope, valid_until, region_code)."""
    return await forward(request, _credit(request).UpdateAgency, id=agency_id)


@router.post("/agencies/{agency_id}/work", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY,
             summary="登记技术服务记录 / Record a piece of work")
async def record_work(request: Request, idempotency_key: IdempotencyKey, agency_id: int = AgencyId, principal=STAFF_ONE.dependency()):
    """Body: for_uscc, for_name, content, report_number, report_date."""
    return await _created(request, "RecordAgencyWork", idempotency_key, id=agency_id)


@router.post("/agencies/{agency_id}/findings", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY,
             summary="认定机构失信问题 / Record a finding against an agency")
async def record_finding(request: Request, idempotency_key: IdempotencyKey, agency_id: int = AgencyId,
                         principal=DECIDE_ONE.dependency()):
    """Body: type (GET /types agency_finding_types), reason, reference, found_on. Points come from the rule table."""
    return await _created(request, "RecordAgencyFinding", idempotency_key, id=agency_id)


# --- accident follow-ups ----------------------------------------------------------------------------

@router.get("/follow-ups", responses=_R, summary="事故整改措施落实情况评估（回头看） / Accident follow-ups")
async def list_follow_ups(request: Request, principal=STAFF_ANY.dependency()):
    """Query: state (upcoming | due | overdue | recorded | open = due or overdue), region_code, uscc, page_size, page_token."""
    return await forward(request, _credit(request).ListFollowUps)


@router.get("/follow-ups/{follow_up_id}", responses=_R, summary="评估详情 / One follow-up")
async def get_follow_up(request: Request, follow_up_id: int = FollowUpId, principal=STAFF_ONE.dependency()):
    return await forward(request, _credit(request).GetFollowUp, id=follow_up_id)


@router.post("/follow-ups/{follow_up_id}", responses=_R, openapi_extra=JSON_BODY, summary="记录并公开评估结果 / Record the evaluation")
async def record_follow_up(request: Request, idempotency_key: IdempotencyKey, follow_up_id: int = FollowUpId,
                           principal=STAFF_ONE.dependency()):
    """Body: version, measures [{measure, result (implemented | partly | not_implemented), note}], conclusion, summary, team,
    evaluated_on. Published for the portal; measures not carried out enter the enterprise's credit ledger."""
    return await forward(request, _credit(request).RecordFollowUp, id=follow_up_id, idempotency_key=idempotency_key)
