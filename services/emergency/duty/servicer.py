"""gRPC DutyService (值班值守, ADR 0010 (c), docs/emergency.md "Duty"): the roster of every agency with
its week view and handovers, spot checks from the level above, daily and nil reports on the days
that need them, and the intake log (接报) whose entries become or join incidents — the incident side
is services/emergency/incidents/servicer.py (`open_incident`, `join_intake`), called in the same
transaction. Every write is audited and takes an Idempotency-Key; a write to an existing record
names the version it read (409 otherwise)."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import psycopg
from psycopg_pool import ConnectionPool

from safety.common.v1 import json_pb2 as cpb
from safety.emergency.v1 import duty_pb2_grpc
from services.emergency.duty import events, rules, store
from services.emergency.duty.thresholds import NAMES, table, table_on
from services.kit import audit, datacentre, idempotency, jsonio, jsonrpc, paging, regions, roles, workdays
from services.kit.auth import Principal, current_principal
from services.kit.errors import Conflict, DomainError, FieldViolation, NotFound, PermissionDenied, invalid
from services.kit.grpc_server import AuditedWrite

_SVC = "/safety.emergency.v1.DutyService/"


_answer = jsonrpc.answer


def _id(request: cpb.JsonRequest) -> int:
    return jsonrpc.record_id(request.id, rules.NOT_FOUND)


def _db_now(conn: psycopg.Connection) -> datetime:
    """The database's clock: every copy of the service measures answer times on the same one."""
    return conn.execute("SELECT now()").fetchone()[0]


def _agencies(on) -> dict[str, str]:
    return table_on("duty_agencies", on)["agencies"]


# --- views ----------------------------------------------------------------------------------------

def shift_view(row: dict, *, full: bool, agencies: dict[str, str], types: dict[str, dict]) -> dict:
    t = types.get(row["shift"], {})
    out = {"id": row["id"], "region_code": row["region_code"], "agency_name": agencies.get(row["region_code"], ""), "day": row["day"],
           "shift": row["shift"], "shift_name": t.get("name", row["shift"]), "starts_at": row["starts_at"], "ends_at": row["ends_at"],
           **rules.masked_people(row, full=full), "note": row["note"], "handed_over": row["handed_over"], "created_by": row["created_by"],
           "created_at": row["created_at"], "updated_by": row["updated_by"], "updated_at": row["updated_at"], "version": row["version"]}
    if "handover_id" in row:
        out["handover"] = ({"id": row["handover_id"], "received_by": row["handover_received_by"], "handed_at": row["handed_at"]}
                           if row["handover_id"] else None)
    return out


def handover_view(row: dict) -> dict:
    return {k: row[k] for k in ("id", "from_shift_id", "to_shift_id", "region_code", "handed_by", "received_by", "notes", "open_matters",
                                "open_intakes", "handed_at", "recorded_by")}


def spot_view(row: dict, *, now: datetime, agencies: dict[str, str]) -> dict:
    return {"id": row["id"], "region_code": row["region_code"], "agency_name": agencies.get(row["region_code"], ""),
            "asked_by_agency": row["asked_by_agency"], "asked_by_agency_name": agencies.get(row["asked_by_agency"], ""),
            "question": row["question"], "asked_by": row["asked_by"], "asked_at": row["asked_at"], "limit_seconds": row["limit_seconds"],
            "answer": row["answer"], "answered_by": row["answered_by"], "answered_at": row["answered_at"],
            "response_seconds": row["response_seconds"], "version": row["version"], **rules.spot_check_state(row, now=now)}


def report_view(row: dict) -> dict:
    return {k: row[k] for k in ("id", "region_code", "day", "nil", "content", "reasons", "submitted_by", "submitted_at", "version")}


def _own(p: Principal, region_code: str) -> bool:
    return p.kind == "staff" and bool(p.region) and rules.agency_of(p.region) == region_code


def _scope(p: Principal, query) -> tuple[str, str | None]:
    """(the caller's region prefix, the region_code filter, checked to be within it)."""
    prefix = rules.require_staff(p)
    code = query.get("region_code") or None
    if code:
        rules.require_within(p, code)
    return prefix, code


class DutyServicer(duty_pb2_grpc.DutyServiceServicer):
    WRITES = {m: AuditedWrite(a, t, "id") for m, a, t in (
        ("SaveShift", "duty.shift.save", "duty_shift"), ("DeleteShift", "duty.shift.delete", "duty_shift"), ("RecordHandover", "duty.shift.handover", "duty_shift"),
        ("StartSpotCheck", "duty.spot_check.start", "duty_spot_check"), ("AnswerSpotCheck", "duty.spot_check.answer", "duty_spot_check"),
        ("SubmitDailyReport", "duty.daily_report.submit", "duty_daily_report"), ("LogIntake", "duty.intake.log", "duty_intake"),
        ("LinkIntake", "duty.intake.link", "duty_intake"), ("CloseIntake", "duty.intake.close", "duty_intake"))}

    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    # --- settings -----------------------------------------------------------------------------------

    def GetSettings(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """The rule tables in force today, and the days around today that need a daily report."""
        p = current_principal()
        rules.require_staff(p)
        today = jsonio.today()
        reporting = table_on("duty_reporting_days", today)
        with self.pool.connection() as conn:
            cal = workdays.load(conn)
        days = [rules.reporting_day(today + timedelta(days=n), calendar=cal, table=reporting) for n in range(-60, 61)]
        return _answer({
            "today": today, "shifts": table_on("duty_shifts", today)["shifts"],
            "officers": table_on("duty_shifts", today)["officers"],
            "channels": [{"code": c, "name": n, "staff": c in rules.STAFF_CHANNELS} for c, n in rules.CHANNELS],
            "statuses": [{"code": c, "name": n} for c, n in rules.STATUSES],
            "spot_check": table_on("duty_spot_check", today)["answer_within"],
            "agencies": [{"region_code": c, "name": n} for c, n in _agencies(today).items()],
            "reporting_agencies": table_on("duty_agencies", today)["reporting"],
            "sensitive_periods": reporting.get("sensitive_periods", []), "due_next_day_at": reporting["due_next_day_at"],
            "reporting_days": [d for d in days if d["required"]],
            "agency": rules.agency_of(p.region), "level_above": rules.level_above(rules.agency_of(p.region)),
            "tables": [{"name": n, "effective_from": table(n, today).effective_from, "source": table(n, today).source} for n in NAMES]})

    # --- 排班 ---------------------------------------------------------------------------------------

    def SaveShift(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """A new shift on an agency's roster (no id), or a change of a saved one's people (id, version)."""
        p = current_principal()
        rules.require_staff(p)
        body = jsonio.body(request.body)
        today = jsonio.today()
        tbl = table("duty_shifts", today)
        agencies, types = _agencies(today), rules.shift_types(tbl.body)
        if request.id:
            return self._change_shift(request, context, p, body, tbl.body, agencies, types)
        s = rules.shift(body, table=tbl.body, agencies=agencies, today=today)
        if not regions.covers(p.region, s["region_code"]):
            raise invalid(FieldViolation("region_code", "region_code.outside", "只能为本单位或下级单位排班", "region_code is outside your region"))
        with self.pool.connection() as conn, conn.transaction():
            def work() -> cpb.JsonResponse:
                store.lock_agency(conn, s["region_code"])
                clash = rules.overlapping((s["starts_at"], s["ends_at"]), store.shifts_near(conn, s["region_code"], s["starts_at"], s["ends_at"]))
                if clash:
                    c = clash[0]
                    raise Conflict(f"与已排的{c['day'].isoformat()}{types.get(c['shift'], {}).get('name', c['shift'])}时间重叠",
                                   f"Overlaps the shift {c['id']} of the roster")
                row = store.insert_shift(conn, s, table_from=tbl.effective_from, by=p.name)
                audit.record(conn, action="duty.shift.save", target_type="duty_shift", target_id=str(row["id"]), target_region=row["region_code"],
                             summary={"day": row["day"].isoformat(), "shift": row["shift"], "officers": len(row["officers"])})
                return _answer(shift_view(row, full=_own(p, row["region_code"]), agencies=agencies, types=types))
            return idempotency.once(conn, context, method=_SVC + "SaveShift", request=request, response_type=cpb.JsonResponse, work=work)

    def _change_shift(self, request, context, p: Principal, body: dict, tbl: dict, agencies, types) -> cpb.JsonResponse:
        with self.pool.connection() as conn, conn.transaction():
            def work() -> cpb.JsonResponse:
                row = store.shift(conn, _id(request), lock=True)
                rules.require_within(p, row["region_code"] if row else None)
                rules.require_version(request.version, row["version"])
                people = rules.shift_change(body, row=row, table=tbl)
                row = store.update_shift(conn, row["id"], people, by=p.name)
                audit.record(conn, action="duty.shift.save", target_type="duty_shift", target_id=str(row["id"]), target_region=row["region_code"],
                             summary={"changed": True, "officers": len(row["officers"]), "version": row["version"]})
                return _answer(shift_view(row, full=_own(p, row["region_code"]), agencies=agencies, types=types))
            return idempotency.once(conn, context, method=_SVC + "SaveShift", request=request, response_type=cpb.JsonResponse, work=work)

    def DeleteShift(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """A shift put on the roster by mistake leaves it, while no handover names it."""
        p = current_principal()
        rules.require_staff(p)
        with self.pool.connection() as conn, conn.transaction():
            def work() -> cpb.JsonResponse:
                row = store.shift(conn, _id(request), lock=True)
                rules.require_within(p, row["region_code"] if row else None)
                rules.require_version(request.version, row["version"])
                rules.shift_removal(row, handed_to=store.handed_to(conn, row["id"]))
                store.delete_shift(conn, row["id"])
                audit.record(conn, action="duty.shift.delete", target_type="duty_shift", target_id=str(row["id"]), target_region=row["region_code"],
                             summary={"day": row["day"].isoformat(), "shift": row["shift"], "version": row["version"]})
                return _answer({"id": row["id"], "deleted": True})
            return idempotency.once(conn, context, method=_SVC + "DeleteShift", request=request, response_type=cpb.JsonResponse, work=work)

    def ListShifts(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """The roster of a week (or from / to, at most 62 days), every shift of the caller's region; phones masked."""
        p = current_principal()
        prefix, code = _scope(p, request.query)
        today = jsonio.today()
        start, end = rules.roster_range(request.query, today=today)
        tbl = table_on("duty_shifts", today)
        agencies, types = _agencies(today), rules.shift_types(tbl)
        with self.pool.connection() as conn:
            rows = store.shifts(conn, prefix=prefix, region_code=code, start=start, end=end)
        return _answer({"from": start, "to": end, "today": today, "shift_types": tbl["shifts"],
                        "items": [shift_view(r, full=False, agencies=agencies, types=types) for r in rows]})

    def GetShift(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """One shift: phones whole for the agency's own staff; its handovers; before it hands over, the
        agency's next shift and the open intakes the handover will list."""
        p = current_principal()
        rules.require_staff(p)
        today = jsonio.today()
        agencies, types = _agencies(today), rules.shift_types(table_on("duty_shifts", today))
        with self.pool.connection() as conn:
            row = store.shift(conn, _id(request))
            rules.require_within(p, row["region_code"] if row else None)
            full = _own(p, row["region_code"])
            out = shift_view(row, full=full, agencies=agencies, types=types)
            out["handovers"] = [handover_view(h) for h in store.handovers_of(conn, row["id"])]
            if not row["handed_over"]:
                nxt = store.next_shift(conn, row)
                out["next_shift"] = shift_view(nxt, full=full, agencies=agencies, types=types) if nxt else None
                out["open_intakes"] = rules.open_intake_summary(store.open_intakes(conn, prefix=regions.significant_prefix(row["region_code"])))
        return _answer(out)

    def RecordHandover(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """交接班: from this shift to the agency's next one; the open intakes are listed as they stand."""
        p = current_principal()
        rules.require_staff(p)
        body = jsonio.body(request.body)
        today = jsonio.today()
        agencies, types = _agencies(today), rules.shift_types(table_on("duty_shifts", today))
        with self.pool.connection() as conn, conn.transaction():
            def work() -> cpb.JsonResponse:
                row = store.shift(conn, _id(request), lock=True)
                rules.require_within(p, row["region_code"] if row else None)
                rules.require_version(request.version, row["version"])
                to_id = body.get("to_shift_id")
                to_row = store.shift(conn, to_id) if isinstance(to_id, int) and not isinstance(to_id, bool) and 0 < to_id < 2**63 else None
                h = rules.handover(body, from_shift=row, to_shift=to_row, next_shift=store.next_shift(conn, row), now=_db_now(conn))
                listed = rules.open_intake_summary(store.open_intakes(conn, prefix=regions.significant_prefix(row["region_code"])))
                try:
                    with conn.transaction():
                        ho = store.insert_handover(conn, from_shift=row, h=h, open_intakes=listed, by=p.name)
                except psycopg.errors.UniqueViolation:
                    raise Conflict("接班班次已有交接记录", "The next shift has already been handed over to") from None
                store.mark_handed_over(conn, row["id"], by=p.name)
                audit.record(conn, action="duty.shift.handover", target_type="duty_shift", target_id=str(row["id"]),
                             target_region=row["region_code"], summary={"to_shift_id": h["to_shift_id"], "open_intakes": len(listed)})
                out = handover_view(ho)
                out["shift"] = shift_view(store.shift(conn, row["id"]), full=_own(p, row["region_code"]), agencies=agencies, types=types)
                return _answer(out)
            return idempotency.once(conn, context, method=_SVC + "RecordHandover", request=request, response_type=cpb.JsonResponse, work=work)

    # --- 查岗 ---------------------------------------------------------------------------------------

    def StartSpotCheck(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """The level above asks a county's duty desk; the limit in force now is stored with the check."""
        p = current_principal()
        rules.require_staff(p)
        today = jsonio.today()
        agencies = _agencies(today)
        s = rules.spot_check_start(jsonio.body(request.body), agencies=agencies)
        mine = rules.require_level_above(p, s["region_code"])
        limit = table_on("duty_spot_check", today)["answer_within"]
        with self.pool.connection() as conn, conn.transaction():
            def work() -> cpb.JsonResponse:
                row = store.insert_spot_check(conn, region_code=s["region_code"], asked_by_agency=mine, question=s["question"], asked_by=p.name,
                                              limit_seconds=limit["seconds"], limit_op=limit["op"])
                events.spot_check_started(conn, row, actor=p.label)
                audit.record(conn, action="duty.spot_check.start", target_type="duty_spot_check", target_id=str(row["id"]),
                             target_region=row["region_code"], summary={"limit_seconds": row["limit_seconds"]})
                return _answer(spot_view(row, now=_db_now(conn), agencies=agencies))
            return idempotency.once(conn, context, method=_SVC + "StartSpotCheck", request=request, response_type=cpb.JsonResponse, work=work)

    def AnswerSpotCheck(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """The checked agency's own duty desk answers; the seconds since the question are stored."""
        p = current_principal()
        rules.require_staff(p)
        body = jsonio.body(request.body)
        agencies = _agencies(jsonio.today())
        with self.pool.connection() as conn, conn.transaction():
            def work() -> cpb.JsonResponse:
                row = store.spot_check(conn, _id(request), lock=True)
                if row is None:
                    raise NotFound(*rules.NOT_FOUND)
                rules.require_agency_staff(p, row["region_code"])
                rules.require_version(request.version, row["version"])
                now = _db_now(conn)
                a = rules.spot_check_answer(body, row=row, now=now)
                row = store.answer_spot_check(conn, row["id"], a, account=p.label)
                view = spot_view(row, now=now, agencies=agencies)
                events.spot_check_answered(conn, row, actor=p.label, on_time=view["state"] == "answered")
                audit.record(conn, action="duty.spot_check.answer", target_type="duty_spot_check", target_id=str(row["id"]),
                             target_region=row["region_code"], summary={"response_seconds": row["response_seconds"], "state": view["state"]})
                return _answer(view)
            return idempotency.once(conn, context, method=_SVC + "AnswerSpotCheck", request=request, response_type=cpb.JsonResponse, work=work)

    def ListSpotChecks(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """A county sees its own checks, the city every county's, with answer times and flags."""
        p = current_principal()
        prefix, code = _scope(p, request.query)
        q = request.query
        size, after = jsonio.page(q)
        if after and not after.isdigit():
            raise invalid(FieldViolation("page_token", "page_token.invalid", "分页令牌无效", "Invalid page token"))
        agencies = _agencies(jsonio.today())
        with self.pool.connection() as conn:
            rows = store.spot_checks(conn, prefix=prefix, region_code=code, open_only=q.get("open") == "true", after=int(after or 0),
                                     limit=size + 1)
            now = _db_now(conn)
        items = [spot_view(r, now=now, agencies=agencies) for r in rows[:size]]
        answered = [i["response_seconds"] for i in items if i["response_seconds"] is not None]
        return _answer({"items": items, "next_page_token": paging.next_token(rows, size, key="id") or None, "now": now,
                        "flagged": sum(i["flagged"] for i in items),
                        "average_response_seconds": round(sum(answered) / len(answered)) if answered else None})

    # --- 日报 / 零报告 -------------------------------------------------------------------------------

    def SubmitDailyReport(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """A county agency's report of a holiday or sensitive-period day (nil = 零报告); with version, a correction."""
        p = current_principal()
        rules.require_staff(p)
        body = jsonio.body(request.body)
        today = jsonio.today()
        errors: list[FieldViolation] = []
        on = rules.parse_day(body.get("day"), "day", "报送日期", errors) or today   # the day's own tables (the field is checked below)
        tbl = table_on("duty_reporting_days", min(on, today))
        with self.pool.connection() as conn, conn.transaction():
            cal = workdays.load(conn)
            rep = rules.daily_report(body, today=today, calendar=cal, table=tbl, agencies=_agencies(min(on, today)),
                                     reporting=table_on("duty_agencies", min(on, today))["reporting"])
            if not _own(p, rep["region_code"]):
                raise PermissionDenied("只能报送本单位的值班日报", "An agency reports its own day")

            def work() -> cpb.JsonResponse:
                held = store.daily_report(conn, rep["region_code"], rep["day"], lock=True)
                if held is not None:
                    if not request.version:
                        raise Conflict("本单位该日已报送；如需更正，请带上版本号（version）", "Already reported; send version to correct it")
                    rules.require_version(request.version, held["version"])
                    row = store.correct_daily_report(conn, held["id"], rep, by=p.name)
                else:
                    row = store.insert_daily_report(conn, rep, by=p.name)
                    if row is None:
                        raise Conflict("本单位该日已报送", "Already reported")
                late = rules.report_state(row, due=rules.report_due(row["day"], tbl))["late"]
                events.daily_report_submitted(conn, row, actor=p.label, late=late)
                audit.record(conn, action="duty.daily_report.submit", target_type="duty_daily_report",
                             target_id=f"{row['region_code']}:{row['day'].isoformat()}", target_region=row["region_code"],
                             summary={"nil": row["nil"], "version": row["version"]})
                return _answer(report_view(row) | {"late": late, "due_at": rules.report_due(row["day"], tbl)})
            return idempotency.once(conn, context, method=_SVC + "SubmitDailyReport", request=request, response_type=cpb.JsonResponse,
                                    work=work)

    def ListDailyReports(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """A day: does it need reports, and for every reporting agency of the caller's region: reported, nil or missing."""
        p = current_principal()
        prefix, code = _scope(p, request.query)
        today = jsonio.today()
        errors: list[FieldViolation] = []
        day = rules.parse_day(request.query.get("day"), "day", "日期", errors) if request.query.get("day") else today
        if errors:
            raise invalid(*errors)
        tbl = table_on("duty_reporting_days", day)
        agencies = _agencies(day)
        with self.pool.connection() as conn:
            need = rules.reporting_day(day, calendar=workdays.load(conn), table=tbl)
            held = {r["region_code"]: r for r in store.daily_reports(conn, prefix=prefix, day=day)}
        due = rules.report_due(day, tbl)
        items = []
        for agency in table_on("duty_agencies", day)["reporting"]:
            if not agency.startswith(prefix) or (code and not agency.startswith(regions.significant_prefix(code))):
                continue
            row = held.get(agency)
            items.append({"region_code": agency, "agency_name": agencies.get(agency, ""), **rules.report_state(row, due=due),
                          "report": report_view(row) if row else None})
        counts = {s: sum(i["state"] == s for i in items) for s in rules.REPORT_STATE_ZH}
        return _answer(need | {"due_at": due, "items": items, "counts": counts,
                               "missing": [i["agency_name"] for i in items if i["state"] == "missing"] if need["required"] else []})

    # --- 接报 ---------------------------------------------------------------------------------------

    def LogIntake(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """接报登记: by the duty desk, or an enterprise for itself (channel 企业接口, its own credit code)."""
        p = current_principal()
        if p.kind == "enterprise":
            if roles.ENTERPRISE not in p.roles or not p.uscc:
                raise PermissionDenied("仅生产经营单位可通过接口报告", "Only an enterprise reports through the API")
        else:
            rules.require_staff(p)
        body = jsonio.body(request.body)
        now = datetime.now(timezone.utc)
        fields = rules.intake(body, p=p, now=now, table=table_on("duty_intake", now))
        if p.kind == "enterprise" and not fields["enterprise_name"]:
            fields["enterprise_name"] = _enterprise_name(p.uscc)
        agencies = _agencies(jsonio.today())
        with self.pool.connection() as conn, conn.transaction():
            def work() -> cpb.JsonResponse:
                row = store.insert_intake(conn, fields, by=p.name, by_kind=p.kind)
                events.intake_logged(conn, row, actor=p.label)
                audit.record(conn, action="duty.intake.log", target_type="duty_intake", target_id=str(row["id"]), target_region=row["region_code"],
                             uscc=row["uscc"] or "", summary={"channel": row["channel"]})
                return _answer(rules.intake_view(row, full=True, agencies=agencies))
            return idempotency.once(conn, context, method=_SVC + "LogIntake", request=request, response_type=cpb.JsonResponse, work=work)

    def ListIntakes(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """Open ones first, then the newest; callers masked. An enterprise sees the intakes about itself."""
        p = current_principal()
        q = request.query
        if p.kind == "enterprise":
            if not p.uscc:
                raise PermissionDenied("仅生产经营单位本身可查看", "Only the enterprise itself")
            prefix, code, uscc = "", None, p.uscc
        else:
            (prefix, code), uscc = _scope(p, q), (q.get("uscc") or "").upper() or None
        status = q.get("status") or None
        if status and status not in rules.STATUS_ZH:
            raise invalid(FieldViolation("status", "status.enum", "状态应为 " + "、".join(rules.STATUS_ZH), "status must be one of " + ", ".join(rules.STATUS_ZH)))
        size, after = jsonio.page(q)
        key = _intake_key(after) if after else None
        agencies = _agencies(jsonio.today())
        with self.pool.connection() as conn:
            rows, total = store.intakes(conn, prefix=prefix, uscc=uscc, region_code=code, status=status, open_only=q.get("open") == "true",
                                        after=key, limit=size + 1)
        token = None
        if len(rows) > size:
            last = rows[size - 1]
            token = base64.urlsafe_b64encode(f"{int(last['is_open'])}|{last['id']}".encode()).decode()
        return _answer({"items": [rules.intake_view(r, full=False, agencies=agencies) for r in rows[:size]], "next_page_token": token,
                        "total": total})

    def GetIntake(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        p = current_principal()
        if p.kind != "enterprise":
            rules.require_staff(p)
        with self.pool.connection() as conn:
            row = rules.visible_intake(p, store.intake(conn, _id(request)))
        return _answer(rules.intake_view(row, full=True, agencies=_agencies(jsonio.today())))

    def LinkIntake(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """转为事件 (new_incident) or 并入事件 (incident_id), in one transaction with the incident's own write."""
        from services.emergency.incidents import servicer as incidents  # the incidents subsystem; imported late (it imports widely)

        p = current_principal()
        rules.require_staff(p)
        body = jsonio.body(request.body)
        agencies = _agencies(jsonio.today())
        with self.pool.connection() as conn, conn.transaction():
            def work() -> cpb.JsonResponse:
                row = rules.visible_intake(p, store.intake(conn, _id(request), lock=True))
                rules.require_version(request.version, row["version"])
                how, arg = rules.link(body)
                to = "became_incident" if how == "new" else "joined"
                rules.transition(row, to)
                if how == "new":
                    incident = incidents.open_incident(conn, p, arg, intake=rules.incident_intake(row))
                    incident_id = int(incident["id"])
                else:
                    incident = incidents.join_intake(conn, p, arg, rules.incident_intake(row))
                    incident_id = arg
                updated = store.set_intake_status(conn, row["id"], status=to, by=p.name, incident_id=incident_id)
                events.intake_linked(conn, updated, actor=p.label)
                audit.record(conn, action="duty.intake.link", target_type="duty_intake", target_id=str(row["id"]),
                             target_region=row["region_code"], uscc=row["uscc"] or "", summary={"status": to, "incident_id": incident_id})
                return _answer(rules.intake_view(updated, full=True, agencies=agencies) | {"incident": incident})
            return idempotency.once(conn, context, method=_SVC + "LinkIntake", request=request, response_type=cpb.JsonResponse, work=work)

    def CloseIntake(self, request: cpb.JsonRequest, context) -> cpb.JsonResponse:
        """办结（无需处置）: an intake that needs no incident, with the reason."""
        p = current_principal()
        rules.require_staff(p)
        body = jsonio.body(request.body)
        agencies = _agencies(jsonio.today())
        with self.pool.connection() as conn, conn.transaction():
            def work() -> cpb.JsonResponse:
                row = rules.visible_intake(p, store.intake(conn, _id(request), lock=True))
                rules.require_version(request.version, row["version"])
                reason = rules.close(body)
                rules.transition(row, "closed_no_action")
                updated = store.set_intake_status(conn, row["id"], status="closed_no_action", by=p.name, closed_reason=reason)
                events.intake_closed(conn, updated, actor=p.label)
                audit.record(conn, action="duty.intake.close", target_type="duty_intake", target_id=str(row["id"]),
                             target_region=row["region_code"], uscc=row["uscc"] or "", summary={"status": "closed_no_action"})
                return _answer(rules.intake_view(updated, full=True, agencies=agencies))
            return idempotency.once(conn, context, method=_SVC + "CloseIntake", request=request, response_type=cpb.JsonResponse, work=work)


def _intake_key(after: str) -> tuple[bool, int]:
    flag, _, last = after.partition("|")
    if flag not in ("0", "1") or not last.isdigit() or not 0 < int(last) < 2**63:
        raise invalid(FieldViolation("page_token", "page_token.invalid", "分页令牌无效", "Invalid page token"))
    return flag == "1", int(last)


def _enterprise_name(uscc: str) -> str | None:
    """The enterprise's name from its record in the data centre, read as the enterprise itself; an
    intake is not refused because the data centre is away or the record is not there."""
    try:
        return (datacentre.get("enterprise", uscc).get("name") or None)
    except DomainError:
        return None
