"""gRPC CaseService: administrative-penalty cases (行政处罚案件) through their chain of steps, each
with its deadline and its numbered, printable document. Officers of the region take the steps;
立案, 处罚决定 and 结案 need a supervisor's approval (负责人审批). A decision is published (双公示)
through the outbox for the portal."""
from __future__ import annotations

from datetime import date, datetime, timezone

from psycopg_pool import ConnectionPool

from safety.supervision.v1 import inspections_pb2_grpc
from safety.supervision.v1 import monitoring_pb2 as mpb
from safety.supervision.v1 import workflow_pb2 as wpb
from services.kit import audit, idempotency, jsonio, outbox, paging, regions, roles, workdays
from services.kit.auth import Principal, current_principal
from services.kit.errors import Conflict, FieldViolation, NotFound, PermissionDenied, invalid
from services.kit.grpc_server import AuditedWrite
from services.kit import datacentre
from services.supervision.enforcement import cases, documents, store
from services.supervision.grids import store as grids
from services.supervision.inspections import events, rules
from services.supervision.monitoring.servicer import county

_SVC = "/safety.supervision.v1.CaseService/"
PUBLICATION = "cn.gov.safety.supervision.penalty.publication.v1"


def _answer(data) -> mpb.JsonResponse:
    return mpb.JsonResponse(json=jsonio.dumps(data))


def case_view(c: dict, today: date, p: Principal | None = None) -> dict:
    """A case as the API answers it. With the caller `p` (a single read or a write), also `form`: the
    fields of the next step if the caller may take it, else []."""
    out = {"id": c["id"], "case_number": c["case_number"], "uscc": c["uscc"], "enterprise_name": c["enterprise_name"],
           "region_code": c["region_code"], "county_name": county(c["region_code"]), "inspection_id": c["inspection_id"],
           "recheck_id": c["recheck_id"], "source": c["source"], "cause": c["cause"], "step": c["step"], "step_name": cases.STEP_ZH[c["step"]],
           "needs_approval": c["step"] in cases.APPROVED_STEPS,
           "due_on": c["due_on"], "due_provisional": c["due_provisional"], "due_note": workdays.PROVISIONAL_ZH if c["due_provisional"] else "",
           "overdue": c["step"] != "closed" and bool(c["due_on"]) and c["due_on"] < today,
           "steps": [s | {"step_name": cases.STEP_ZH[s["step"]], "entries": cases.entries(s["step"], s["fields"])} for s in c["steps"]],
           "penalty": c["penalty"], "opened_at": c["opened_at"],
           "opened_by": c["opened_by"], "closed_at": c["closed_at"], "version": c["version"],
           "remaining": [{"step": s, "step_name": cases.STEP_ZH[s]} for s in cases.ORDER[cases.ORDER.index(c["step"]):]]
           if c["step"] != "closed" else []}
    if p is not None:
        out["form"] = cases.form(c["step"], c, today) if may_take(p, c) else []
    return out


def _approver(p: Principal) -> bool:
    return p.has_any_role(roles.PLATFORM_ADMIN, roles.SUPERVISION_SUPERVISOR)


def may_take(p: Principal, c: dict) -> bool:
    """Whether `p` may take the case's next step: an officer of its region, a supervisor for 立案, 处罚决定 and 结案."""
    try:
        rules.require_inspector(p)
        rules.require_within(p, c["region_code"])
    except (PermissionDenied, NotFound):
        return False
    return c["step"] != "closed" and (c["step"] not in cases.APPROVED_STEPS or _approver(p))


def open_case(conn, p: Principal, *, enterprise: dict, source: str, cause: str, inspection_id: int | None = None,
              recheck_id: int | None = None) -> int:
    """A new case at its first step (立案), due by the table's days from today. Used by OpenCase and
    by a failed re-check that ends in 立案查处."""
    today = jsonio.today()
    table = documents.table("enforcement_deadlines", today).body
    agency_region, _ = documents.agency(p.region, documents.table("document_codes", today))
    first = cases.due("filing", today, cal=workdays.load(conn), table=table)
    cid = store.open_case(conn, enterprise=enterprise, agency_region=agency_region, source=source, cause=cause, inspection_id=inspection_id,
                          recheck_id=recheck_id, due=first, by=p.name)
    audit.record(conn, action="case.open", target_type="penalty_case", target_id=str(cid), summary={"uscc": enterprise["uscc"], "cause": cause})
    return cid


class CaseServicer(inspections_pb2_grpc.CaseServiceServicer):
    WRITES = {"OpenCase": AuditedWrite("case.open", "penalty_case", "id"), "AdvanceCase": AuditedWrite("case.advance", "penalty_case", "id")}

    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    def OpenCase(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_inspector(p)
        body = jsonio.body(request.body)
        fields = cases.opening(body)
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                e = grids.registration(conn, fields["uscc"])
                rules.require_within(p, e["region_code"] if e else None)
                cid = open_case(conn, p, enterprise=e, source=fields["source"], cause=fields["cause"])
                return _answer(case_view(store.case(conn, cid), jsonio.today(), p))
            return idempotency.once(conn, context, method=_SVC + "OpenCase", request=request, response_type=mpb.JsonResponse, work=work)

    def GetCase(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_inspector(p)
        with self.pool.connection() as conn:
            c = store.case(conn, _id(request))
        rules.require_within(p, c["region_code"] if c else None)
        return _answer(case_view(c, jsonio.today(), p))

    def ListCases(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        prefix = rules.require_inspector(p)
        q = request.query
        if q.get("region_code"):
            rules.require_within(p, q["region_code"])
            prefix = regions.significant_prefix(q["region_code"])
        step = q.get("step") or None
        if step and step not in cases.STEP_ZH:
            raise invalid(FieldViolation("step", "step.enum", "办理环节不在可选范围内", "Unknown step"))
        size, after = jsonio.page(q)
        today = jsonio.today()
        with self.pool.connection() as conn:
            rows, total = store.cases(conn, prefix=prefix, step=step, overdue_on=today if q.get("overdue") == "true" else None,
                                      after=int(after or 0), limit=size + 1)
        return _answer({"items": [case_view(r, today) for r in rows[:size]], "next_page_token": paging.next_token(rows, size, key="id") or None,
                        "total": total})

    def AdvanceCase(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_inspector(p)
        body = jsonio.body(request.body)
        today = jsonio.today()
        table = documents.table("enforcement_deadlines", today).body
        with self.pool.connection() as conn:
            held = store.case(conn, _id(request))
        rules.require_within(p, held["region_code"] if held else None)
        unit = datacentre.unit(held["uscc"]) if held["step"] in cases.STEP_DOCUMENT else {}
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                c = store.case(conn, held["id"], lock=True)
                rules.require_within(p, c["region_code"] if c else None)
                step = c["step"]
                if step in cases.APPROVED_STEPS and not _approver(p):
                    raise PermissionDenied(f"“{cases.STEP_ZH[step]}”须由负责人审批", f"{step} needs a supervisor's approval")
                fields = cases.step_fields(step, body, case=c, table=table, today=today)
                history = {s["step"]: s["fields"] for s in c["steps"]}
                record = {"step": step, "done_at": datetime.now(timezone.utc).isoformat(), "by": p.name,
                          "fields": fields, "document_id": None, "number": None}
                changes: dict = {}
                if step == "notice":
                    changes["penalty"] = jsonio.jsonb(fields["penalty"])
                doc = None
                if step in cases.STEP_DOCUMENT:
                    decision_number = next((s["number"] for s in c["steps"] if s["step"] == "decision"), None)
                    doc_type, doc_fields = cases.document_fields(step, case=c, fields=fields, history=history, table=table,
                                                                 decision_number=decision_number)
                    codes = documents.table("document_codes", today)
                    agency_region, agency = documents.agency(c["agency_region"], codes)
                    doc = store.issue(conn, doc_type=doc_type, agency_region=agency_region, agency=agency,
                                      doc_code=documents.doc_code(doc_type, codes), year=today.year, inspection_id=c["inspection_id"],
                                      parent_id=None, enterprise={"uscc": c["uscc"], "name": c["enterprise_name"], "region_code": c["region_code"]},
                                      body={"fields": doc_fields, "items": [], "case_id": c["id"], "enterprise": unit}, signatures=[],
                                      due_on=None,
                                      by=p.name)
                    events.document_issued(conn, doc)
                    record |= {"document_id": doc["id"], "number": doc["number"]}
                    if step == "filing":  # the 立案审批表's own number is the case's number, printed on it too
                        changes["case_number"] = doc["number"]
                        store.set_case_number(conn, doc_id=doc["id"], number=doc["number"])
                following = cases.next_step(step)
                due = cases.due(following, today, cal=workdays.load(conn), table=table) if following != "closed" else None
                if not store.advance_case(conn, case_id=c["id"], version=request.version or c["version"], record=record, next_step=following,
                                          due=due, changes=changes):
                    raise Conflict("案件已被他人办理，请刷新后重试", "The case was changed by someone else; reload and retry")
                c = store.case(conn, c["id"])
                if step == "decision":
                    _publish_decision(conn, c, doc, today=today, table=table)
                audit.record(conn, action="case.advance", target_type="penalty_case", target_id=str(c["id"]),
                             summary={"step": step, "document": record["number"]})
                return _answer(case_view(c, today, p))
            return idempotency.once(conn, context, method=_SVC + "AdvanceCase", request=request, response_type=mpb.JsonResponse, work=work)


def _publish_decision(conn, c: dict, doc: dict, *, today: date, table: dict) -> None:
    """双公示: the decision's number, the holder's credit code, the content, the authority, by when."""
    publish_by = workdays.load(conn).add_working_days(today, int(table["publication_working_days"]))
    data = {"case_id": str(c["id"]), "decision_number": doc["number"], "uscc": c["uscc"], "enterprise_name": c["enterprise_name"],
            "region_code": c["region_code"], "content": (c["penalty"] or {}).get("content", ""), "amount_cny": (c["penalty"] or {}).get("amount_cny"),
            "authority": doc["agency_name"], "decided_on": today, "publish_by": publish_by.day, "publish_by_provisional": publish_by.provisional}
    outbox.enqueue_json(conn, topic=events.TOPIC, key=f"case:{c['id']}", source=events.SOURCE, type_=PUBLICATION, subject=str(c["id"]), data=data)


def _id(request: wpb.JsonRequest) -> int:
    if not request.id.isdigit() or not 0 < int(request.id) < 2**63:
        raise NotFound("未找到该案件", "No such case")
    return int(request.id)
