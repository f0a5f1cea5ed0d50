"""gRPC HazardSupervisionService: listed supervision of major hazards (挂牌督办) with extension
requests, closure (销号) and escalation; the board of counts by county, sector and month; the
enterprises' quarterly and annual hazard reports. The listing and each decided extension are
written into the hazard's record in the data centre (its `supervision` field), as the caller."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from psycopg_pool import ConnectionPool

from safety.supervision.v1 import hazard_supervision_pb2_grpc
from safety.supervision.v1 import monitoring_pb2 as mpb
from safety.supervision.v1 import workflow_pb2 as wpb
from services.kit import audit, context as callctx, docnumbers, idempotency, jsonio, paging, regions, ruletables
from services.kit.auth import current_principal
from services.kit.errors import Conflict, FieldViolation, NotFound, PermissionDenied, invalid
from services.kit.grpc_server import AuditedWrite
from services.kit import datacentre
from services.supervision import sectors
from services.supervision.grids import store as grids
from services.supervision.hazard_supervision import events, rules, store
from services.supervision.monitoring.servicer import county

TABLES = ruletables.load_dir(Path(__file__).parent / "tables")
_SVC = "/safety.supervision.v1.HazardSupervisionService/"


def _answer(data) -> mpb.JsonResponse:
    return mpb.JsonResponse(json=jsonio.dumps(data))


def table_on(on: date) -> dict:
    return ruletables.effective(TABLES, "hazard_supervision", on).body


def _id(request: wpb.JsonRequest) -> int:
    if not request.id.isdigit() or not 0 < int(request.id) < 2**63:
        raise NotFound("未找到该记录", "Not found")
    return int(request.id)


def listing_view(row: dict, extensions: list[dict] | None = None, *, today: date) -> dict:
    overdue = row["status"] == "listed" and row["deadline"] < today
    out = {"id": row["id"], "hazard_id": row["hazard_id"], "uscc": row["uscc"], "enterprise_name": row["enterprise_name"],
           "region_code": row["region_code"], "county_name": county(row["region_code"]), "level": row["level"],
           "level_name": rules.LEVEL_ZH[row["level"]], "document_number": row["document_number"], "listed_on": row["listed_on"],
           "deadline": row["deadline"], "requirements": row["requirements"], "status": row["status"],
           "status_name": rules.STATUS_ZH[row["status"]], "overdue": overdue, "days_left": (row["deadline"] - today).days,
           "escalated_to": row["escalated_to"], "escalated_to_name": rules.LEVEL_ZH.get(row["escalated_to"] or ""),
           "escalated_at": row["escalated_at"], "closed_on": row["closed_on"], "closed_by": row["closed_by"],
           "closure_note": row["closure_note"], "hazard_status": row.get("hazard_status"), "description": row.get("description"),
           "version": row["version"]}
    if extensions is not None:
        out["extensions"] = [e | {"status_name": rules.EXTENSION_ZH[e["status"]]} for e in extensions]
    return out


class HazardSupervisionServicer(hazard_supervision_pb2_grpc.HazardSupervisionServiceServicer):
    WRITES = {m: AuditedWrite(a, t, "id") for m, a, t in (
        ("ListHazard", "hazard.list", "hazard_listing"), ("RequestExtension", "hazard.extension.request", "hazard_listing"),
        ("DecideExtension", "hazard.extension.decide", "hazard_listing"), ("CloseListing", "hazard.listing.close", "hazard_listing"),
        ("SubmitReport", "hazard.report.submit", "hazard_report"))}

    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    # --- listings -----------------------------------------------------------------------------------

    def ListListings(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        q, today = request.query, jsonio.today()
        if p.kind == "enterprise":
            prefix, uscc = "", p.uscc
        else:
            prefix, uscc = rules.require_staff(p), (q.get("uscc") or "").upper() or None
            if q.get("region_code"):
                rules.require_within(p, q["region_code"])
                prefix = regions.significant_prefix(q["region_code"])
        status = q.get("status") or None
        if status and status not in rules.STATUS_ZH:
            raise invalid(FieldViolation("status", "status.enum", "状态应为 listed 或 closed", "status must be listed or closed"))
        size, after = jsonio.page(q)
        with self.pool.connection() as conn:
            rows, total = store.listings(conn, prefix=prefix, uscc=uscc, status=status, overdue_on=today if q.get("overdue") == "true" else None,
                                         after=int(after or 0), limit=size + 1)
        return _answer({"items": [listing_view(r, today=today) for r in rows[:size]],
                        "next_page_token": paging.next_token(rows, size, key="id") or None, "total": total})

    def GetListing(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        with self.pool.connection() as conn:
            row = rules.visible(p, store.listing(conn, _id(request)))
            return _answer(listing_view(row, store.extensions(conn, row["id"]), today=jsonio.today()))

    def ListHazard(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """挂牌督办: a supervisor lists a major hazard of their region at their agency's level or below."""
        p = current_principal()
        body = jsonio.body(request.body)
        hazard_id = body.get("hazard_id")
        if not isinstance(hazard_id, int) or isinstance(hazard_id, bool):
            raise invalid(FieldViolation("hazard_id", "hazard_id.type", "请指明要挂牌督办的隐患", "hazard_id must be the hazard's id"))
        today = jsonio.today()
        table = table_on(today)
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                hazard = store.hazard(conn, hazard_id)
                rules.require_supervisor(p, hazard["region_code"] if hazard else p.region)
                rules.require_within(p, hazard["region_code"] if hazard else None)
                fields = rules.listing(body, hazard=hazard, caller_region=p.region, today=today, max_days=table["listing_max_days"])
                if store.open_listing_of(conn, hazard_id):
                    raise Conflict("该隐患已在挂牌督办中", "The hazard is already listed")
                agency_region = regions.county_of(p.region) or p.region[:6]
                number = str(docnumbers.issue(conn, agency=agency_region, agency_code="", doc_type="listed_supervision",
                                              doc_code=table["document_codes"][agency_region], year=today.year))
                lid = store.insert_listing(conn, hazard=hazard, fields=fields, agency_region=agency_region, number=number, listed_on=today,
                                           by=p.name)
                _write_supervision(hazard_id, {"level": fields["level"], "document_number": number, "listed_on": today.isoformat(),
                                               "deadline": fields["deadline"].isoformat(), "extensions": []}, step=f"listing-{lid}")
                row = store.listing(conn, lid)
                events.listing_changed(conn, row, action="listed", actor=p.label)
                audit.record(conn, action="hazard.list", target_type="hazard_listing", target_id=str(lid),
                             summary={"hazard_id": hazard_id, "level": fields["level"], "document_number": number})
                return _answer(listing_view(row, [], today=today))
            return idempotency.once(conn, context, method=_SVC + "ListHazard", request=request, response_type=mpb.JsonResponse, work=work)

    def RequestExtension(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """延期申请: the enterprise asks its supervising agency for a later deadline, one request at a time."""
        p = current_principal()
        body = jsonio.body(request.body)
        today = jsonio.today()
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                row = rules.visible(p, store.listing(conn, _id(request), lock=True))
                req = rules.extension_request(body, listing_row=row, today=today, max_days=table_on(today)["extension_max_days"])
                if store.pending_extension(conn, row["id"]):
                    raise Conflict("已有待审批的延期申请", "An extension request is already pending")
                store.insert_extension(conn, listing_id=row["id"], req=req, by=p.name)
                store.touch(conn, row["id"])
                row = store.listing(conn, row["id"])
                events.listing_changed(conn, row, action="extension_requested", actor=p.label)
                audit.record(conn, action="hazard.extension.request", target_type="hazard_listing", target_id=str(row["id"]),
                             summary={"new_deadline": req["new_deadline"].isoformat()})
                return _answer(listing_view(row, store.extensions(conn, row["id"]), today=today))
            return idempotency.once(conn, context, method=_SVC + "RequestExtension", request=request, response_type=mpb.JsonResponse,
                                    work=work)

    def DecideExtension(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        approved, note = rules.extension_decision(jsonio.body(request.body))
        today = jsonio.today()
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                row = store.listing(conn, _id(request), lock=True)
                rules.require_staff(p)
                rules.require_within(p, row["region_code"] if row else None)
                rules.require_supervisor(p, row["region_code"])
                pending = store.pending_extension(conn, row["id"])
                if pending is None:
                    raise Conflict("没有待审批的延期申请", "No extension request is pending")
                store.decide_extension(conn, extension_id=pending["id"], approved=approved, note=note, by=p.name)
                decided = [e for e in store.extensions(conn, row["id"]) if e["status"] != "pending"]
                deadline = pending["new_deadline"] if approved else row["deadline"]
                if approved:
                    store.touch(conn, row["id"], deadline=deadline)
                else:
                    store.touch(conn, row["id"])
                _write_supervision(row["hazard_id"], {
                    "level": row["level"], "document_number": row["document_number"], "listed_on": row["listed_on"].isoformat(),
                    "deadline": row["listed_deadline"].isoformat(),
                    "extensions": [{"requested_on": e["requested_on"].isoformat(), "new_deadline": e["new_deadline"].isoformat(),
                                    "reason": e["reason"], "approved": e["status"] == "approved"} for e in decided]},
                    step=f"extension-{pending['id']}", hazard_deadline=deadline if approved else None)
                row = store.listing(conn, row["id"])
                events.listing_changed(conn, row, action="extension_approved" if approved else "extension_refused", actor=p.label)
                audit.record(conn, action="hazard.extension.decide", target_type="hazard_listing", target_id=str(row["id"]),
                             summary={"approved": approved, "deadline": deadline.isoformat()})
                return _answer(listing_view(row, store.extensions(conn, row["id"]), today=today))
            return idempotency.once(conn, context, method=_SVC + "DecideExtension", request=request, response_type=mpb.JsonResponse,
                                    work=work)

    def CloseListing(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """销号: the supervising agency closes the listing once the hazard was verified and closed by
        someone other than its rectifier (as the data centre's record, copied here, says)."""
        p = current_principal()
        errors: list[FieldViolation] = []
        note = jsonio.text(jsonio.body(request.body), "note", "销号意见", errors, max_length=1000)
        if errors:
            raise invalid(*errors)
        today = jsonio.today()
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                row = store.listing(conn, _id(request), lock=True)
                rules.require_staff(p)
                rules.require_within(p, row["region_code"] if row else None)
                rules.require_supervisor(p, row["region_code"])
                rules.closure(hazard=store.hazard(conn, row["hazard_id"]), listing_row=row)
                store.touch(conn, row["id"], status="closed", closed_on=today, closed_by=p.name, closure_note=note)
                row = store.listing(conn, row["id"])
                events.listing_changed(conn, row, action="closed", actor=p.label)
                audit.record(conn, action="hazard.listing.close", target_type="hazard_listing", target_id=str(row["id"]),
                             summary={"hazard_id": row["hazard_id"]})
                return _answer(listing_view(row, store.extensions(conn, row["id"]), today=today))
            return idempotency.once(conn, context, method=_SVC + "CloseListing", request=request, response_type=mpb.JsonResponse, work=work)

    # --- board and reports --------------------------------------------------------------------------

    def GetBoard(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """Counts of hazards found, closed and overdue by county, sector and month (from the copies)."""
        p = current_principal()
        prefix = rules.require_staff(p)
        q = request.query
        if q.get("region_code"):
            rules.require_within(p, q["region_code"])
            prefix = regions.significant_prefix(q["region_code"])
        today = jsonio.today()
        start = jsonio.day(q.get("from"), field="from", label="开始日期", required=False) or date(today.year, 1, 1)
        end = jsonio.day(q.get("to"), field="to", label="结束日期", required=False) or today
        if end < start:
            raise invalid(FieldViolation("to", "to.before_from", "结束日期早于开始日期", "to is before from"))
        with self.pool.connection() as conn:
            counts = store.board(conn, prefix=prefix, month_from=start, month_to=end + timedelta(days=1))
            listed, total_listed = store.listings(conn, prefix=prefix, uscc=None, status="listed", overdue_on=None, after=0, limit=200)
        return _answer({"from": start, "to": end,
                        "by_county": [r | {"county_name": county(r["county_code"])} for r in counts["by_county"]],
                        "by_sector": [r | {"sector_name": sectors.name(r["sector"])} for r in counts["by_sector"]],
                        "by_month": counts["by_month"], "listed": [listing_view(r, today=today) for r in listed], "listed_total": total_listed})

    def SubmitReport(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """季报/年报: the enterprise's own report, signed by its principal; a resubmission replaces it."""
        p = current_principal()
        if p.kind != "enterprise" or not p.uscc:
            raise PermissionDenied("隐患排查治理情况由企业自行报送", "The enterprise reports its own hazard work")
        today = jsonio.today()
        rep = rules.report(jsonio.body(request.body), today=today)
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                e = grids.registration(conn, p.uscc)
                if e is None:
                    raise NotFound("本单位尚未纳入监管登记", "The enterprise is not registered for supervision")
                saved = store.upsert_report(conn, enterprise=e, rep=rep, by=p.name)
                events.report_submitted(conn, saved)
                audit.record(conn, action="hazard.report.submit", target_type="hazard_report", target_id=f"{p.uscc}:{rep['period']}",
                             summary={"period": rep["period"]})
                due = rules.report_due(rep["period"], table_on(today))
                return _answer(saved | {"due_on": due, "late": saved["submitted_at"].astimezone(jsonio.SHANGHAI).date() > due})
            return idempotency.once(conn, context, method=_SVC + "SubmitReport", request=request, response_type=mpb.JsonResponse, work=work)

    def ListReports(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        q = request.query
        period = q.get("period") or ""
        rules.period_end(period)
        if p.kind == "enterprise":
            with self.pool.connection() as conn:
                e = grids.registration(conn, p.uscc or "")
                done, _ = store.reports(conn, prefix=e["region_code"] if e else "-", period=period)
            return _answer({"period": period, "due_on": rules.report_due(period, table_on(jsonio.today())),
                            "items": [r for r in done if r["uscc"] == p.uscc], "missing": []})
        prefix = rules.require_staff(p)
        if q.get("region_code"):
            rules.require_within(p, q["region_code"])
            prefix = regions.significant_prefix(q["region_code"])
        with self.pool.connection() as conn:
            done, missing = store.reports(conn, prefix=prefix, period=period)
        return _answer({"period": period, "due_on": rules.report_due(period, table_on(jsonio.today())), "items": done,
                        "missing": [m | {"county_name": county(m["region_code"])} for m in missing]})


def _write_supervision(hazard_id: int, supervision: dict, *, step: str, hazard_deadline: date | None = None) -> None:
    """The listing into the data centre's hazard record (as the caller; a retry of the same request
    replays there under the derived key)."""
    record = datacentre.get("hazard", str(hazard_id))
    changes = {"supervision": supervision} | ({"deadline": hazard_deadline.isoformat()} if hazard_deadline else {})
    key = f"{callctx.idempotency_key.get() or uuid.uuid4()}:{step}"
    datacentre.update("hazard", str(hazard_id), version=int(record["version"]), changes=changes, idempotency_key=key)
