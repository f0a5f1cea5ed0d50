"""gRPC LicensingService (行政许可管理): applications from submission to delivery, and renewal, change,
suspension and revocation of the licences issued (docs/licensing.md).

Who: supervision staff (roles.SUPERVISION_READERS) act on the applications of their region; the
decisions (Decide, Extend, Suspend, Revoke) need a supervisor or a platform administrator; an
enterprise submits, reads, completes after a correction notice, withdraws, renews and changes its
own applications only. An application the caller may not see is answered like an absent one.

Every write runs once per Idempotency-Key, checks the version the caller read, and writes the
application, its step, the audit entry and the CloudEvent in one transaction. Issuing a certificate
allocates its number in that transaction (services/kit/docnumbers.py) and writes the licence into
the data centre on the caller's behalf (services/kit/datacentre.py); the data centre keeps
its own idempotency key, so a retry after a lost answer does not create a second licence.
Answers are the REST page as JSON (ADR 0009), with names beside codes and the clock computed from
the working-day calendar on every read."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Callable

import psycopg

from safety.supervision.v1 import licensing_pb2_grpc
from safety.supervision.v1 import monitoring_pb2 as pb
from services.kit import config, docnumbers, jsonio, paging, workdays
from services.kit.auth import current_principal
from services.kit.errors import Conflict, FieldViolation, NotFound, PermissionDenied, invalid
from services.kit.grpc_server import AuditedWrite
from services.kit.workdays import Calendar
from services.kit import datacentre
from services.supervision import applications
from services.supervision.applications import Outcome, Step, answer
from services.supervision.credit import ledger as credit_ledger
from services.supervision.licensing import events, rules, store

UNDER_WAY = (*rules.OPEN, "approved")  # renewals and changes under way: a licence has at most one at a time
WITHOUT_REVIEW_ZH = "有效期内未发生死亡事故，依法不再审查，有效期延续"
WORDING = applications.Wording(
    scope=("仅监管人员和申请单位本身可办理行政许可", "Only supervision staff and the applicant itself handle licensing"),
    missing=("未找到该行政许可申请", "No such licence application"),
    staff_only=("该步骤由许可机关办理", "Only the licensing agency's staff take this step"),
    deciders_only=("许可决定、延长期限和暂扣吊销须由监管科室负责人或平台管理员作出",
                   "Decisions, extensions, suspensions and revocations need a supervisor or a platform administrator"))
TABLES = applications.Tables(Path(__file__).parent / "tables", "licence_types", rules.check_table)
table_on, table_of = TABLES.on, TABLES.of


def recompute_deadlines(conn: psycopg.Connection, calendar: Calendar) -> int:
    """workdays.RECOMPUTERS hook: recompute every stored provisional deadline with the calendar an
    administrator just completed. Returns how many applications were recomputed."""
    today = jsonio.today()
    rows = store.with_provisional_deadlines(conn)
    for row in rows:
        store.set_deadlines(conn, row["id"], rules.stored_deadlines(row, calendar=calendar, table=table_of(row), today=today))
    return len(rows)


workdays.RECOMPUTERS.append(recompute_deadlines)


# --- views ----------------------------------------------------------------------------------------

def view(app: dict, *, calendar: Calendar, today: date, steps: list[dict] | None = None) -> dict:
    table = table_of(app)
    rule = table["types"][app["licence_type"]]
    given = {m["code"]: m for m in app["materials"]}
    sector = (rule.get("sectors") or {}).get(app["sector"] or "")
    out = {
        "id": str(app["id"]), "licence_type": app["licence_type"], "licence_type_name": rule["name"], "kind": app["kind"],
        "kind_name": rules.KINDS[app["kind"]], "parent_id": str(app["parent_id"]) if app["parent_id"] else None,
        "uscc": app["uscc"], "enterprise_name": app["enterprise_name"], "region_code": app["region_code"],
        "agency_code": app["agency_code"], "issuing_authority": table["agencies"][app["agency_code"]]["name"],
        "status": app["status"], "status_name": rules.STATUSES[app["status"]], "sector": app["sector"],
        "sector_name": sector["name"] if sector else None, "scope": app["scope"], "changes": app["changes"], "note": app["note"],
        "materials": [{"code": m["code"], "name": m["name"], "required": m["required"], "provided": m["code"] in given,
                       "reference": given[m["code"]]["reference"] if m["code"] in given else ""} for m in rule["materials"]],
        "missing_materials": rules.missing_materials(app["materials"], rule), "correction": app["correction"],
        "submitted_at": app["submitted_at"], "submitted_by": app["submitted_by"], "accepted_on": app["accepted_on"],
        "pauses": [p | {"kind_name": rules.PAUSES[p["kind"]]} for p in app["pauses"]], "extension": app["extension"],
        "decision": app["decision"], "decision_name": rules.DECISIONS.get(app["decision"] or ""),
        "decision_number": app["decision_number"], "decided_on": app["decided_on"], "decided_by": app["decided_by"],
        "reasons": app["reasons"], "review_skipped": app["review_skipped"], "certificate_number": app["certificate_number"],
        "issued_on": app["issued_on"], "valid_until": app["valid_until"], "licence_record_id": app["licence_record_id"],
        "licence_state": app["licence_state"], "licence_state_name": rules.LICENCE_STATES.get(app["licence_state"] or ""),
        "licence_actions": app["licence_actions"], "delivered_on": app["delivered_on"], "delivery": app["delivery"],
        "clock": rules.clock(app, calendar=calendar, table=table, today=today).as_json(), "version": app["version"]}
    if steps is not None:
        out["steps"] = applications.steps_view(steps, actions=rules.ACTIONS, statuses=rules.STATUSES)
    return out


def _licence(record_id: str) -> dict:
    """The data centre's licence record, its dates as dates."""
    record = datacentre.get("licence", record_id)
    return record | {k: date.fromisoformat(record[k]) for k in ("issued_on", "valid_until")}


def _accidents(uscc: str) -> list[dict]:
    """The holder's accidents from the data centre, as the renewal rule reads them."""
    return [{"id": a.get("id"), "deaths": a.get("deaths") or 0, "missing": a.get("missing") or 0,
             "occurred_on": datetime.fromisoformat(a["occurred_at"]).astimezone(jsonio.SHANGHAI).date()}
            for a in datacentre.records("accident", {"uscc": uscc}) if a.get("occurred_at")]


def _record_id(value) -> str:
    """The data centre's record id as text (a Struct carries numbers as floats)."""
    return str(int(value)) if isinstance(value, float) else str(value)


class LicensingServicer(applications.Workflow, licensing_pb2_grpc.LicensingServiceServicer):
    SERVICE, AUDIT, TARGET = "safety.supervision.v1.LicensingService", "licensing", "licence_application"
    WORDING, TABLES, rules, store, events = WORDING, TABLES, rules, store, events
    WRITES = {"SubmitApplication": AuditedWrite("licensing.submit", "licence_application"),
              **{m: AuditedWrite(f"licensing.{a}", "licence_application", "id") for m, a in (
                  ("RequestCorrection", "request_correction"), ("ResubmitMaterials", "resubmit"), ("Accept", "accept"),
                  ("StartPause", "start_pause"), ("EndPause", "end_pause"), ("Extend", "extend"), ("Decide", "decide"),
                  ("IssueCertificate", "issue_certificate"), ("Deliver", "deliver"), ("Withdraw", "withdraw"),
                  ("Renew", "renew"), ("Change", "change"), ("Suspend", "suspend"), ("Revoke", "revoke"))}}

    # --- reads --------------------------------------------------------------------------------
    def ListTypes(self, request, context):
        applications.scope(current_principal(), WORDING)
        t = TABLES.effective(jsonio.today())
        return answer({"effective_from": t.effective_from, "source": t.source, "types": rules.types_view(t.body),
                       "limits": {k: t.body[k] for k in ("correction_notice_working_days", "delivery_working_days",
                                                         "publication_working_days")}})

    def GetApplication(self, request, context):
        p = current_principal()
        with self.pool.connection() as conn:
            app = self._get(p, conn, request.id)
            return answer(view(app, calendar=workdays.load(conn), today=jsonio.today(), steps=store.steps(conn, app["id"]))
                          | {"actions": self._actions(p, app)})

    def ListApplications(self, request, context):
        q, today = request.query, jsonio.today()
        f = applications.queue_filters(current_principal(), q, WORDING, statuses=rules.STATUSES, open_statuses=rules.OPEN)
        f.equal(q, "licence_type", table_on(today)["types"])
        f.equal(q, "kind", rules.KINDS)
        # undecided past the decision deadline; paused applications' clocks stand still
        f.overdue(q, "decision_due < %s AND status = ANY(%s)", [today, ["submitted", "accepted", "under_review"]])
        f.finish(q)
        with self.pool.connection() as conn:
            rows, total = store.listing(conn, where=f.where, params=f.params, size=f.size, after=f.after)
            calendar = workdays.load(conn)
        return answer({"items": [view(r, calendar=calendar, today=today) for r in rows[:f.size]],
                       "next_page_token": paging.next_token(rows, f.size, key="id") or None, "total": total})

    # --- what the machinery asks of a workflow (services/supervision/applications.py) ----------
    def _deadlines(self, s: Step, values: dict) -> dict:
        return rules.stored_deadlines(values, calendar=s.calendar, table=s.table, today=s.today)

    def _summary(self, app: dict) -> dict:
        return {"status": app["status"], "version": app["version"], "licence_type": app["licence_type"]}

    def _answer(self, s: Step, app: dict) -> pb.JsonResponse:
        return answer(view(app, calendar=s.calendar, today=s.today, steps=store.steps(s.conn, app["id"]))
                      | {"actions": self._actions(s.p, app)})

    def _decision_number(self, s: Step, app: dict, outcome: str) -> str:
        doc = s.table["decision_documents"][outcome]
        number = docnumbers.issue(s.conn, agency=app["agency_code"], agency_code=f"({s.table['agencies'][app['agency_code']]['abbreviation']})",
                                  doc_type=f"licensing.decision.{outcome}", doc_code=doc["code"], year=s.today.year)
        return str(number)

    # --- submission ---------------------------------------------------------------------------
    def SubmitApplication(self, request, context):
        p = current_principal()

        def work(conn):
            prefix, own = applications.scope(p, WORDING)
            s = self._step(conn, p, request.body, table_on(jsonio.today()))
            body = s.body
            claimed = str(body.get("uscc") or "").strip().upper()
            if own and claimed and claimed != own:
                raise PermissionDenied("只能为本单位申请行政许可", "An enterprise applies for itself only")
            uscc = own or claimed
            fields = rules.submission(body, table=s.table)
            if not uscc:
                raise invalid(FieldViolation("uscc", "uscc.required", "请填写申请单位的统一社会信用代码", "uscc is required"))
            enterprise = store.registration(conn, uscc)
            if enterprise is None:
                raise invalid(FieldViolation("uscc", "uscc.unregistered", "该单位尚未在监管平台登记，请先在数据中心登记企业基本信息",
                                             "The enterprise is not registered for supervision"))
            if not enterprise["region_code"].startswith(prefix):
                raise NotFound("不在您的辖区内", "Outside your region")
            rule = s.table["types"][fields["licence_type"]]
            agency, _ = rules.agency_of(s.table, rule, region_code=enterprise["region_code"], city_code=config.jurisdiction())
            values = {"licence_type": fields["licence_type"], "kind": "new", "uscc": uscc, "enterprise_name": enterprise["name"],
                      "region_code": enterprise["region_code"], "agency_code": agency, "status": "submitted",
                      "sector": fields["sector"], "scope": fields["scope"], "materials": fields["materials"], "note": fields["note"],
                      "submitted_by": s.actor, "received_on": s.today}
            fresh = self._insert(s, values, action="submit", detail={
                "materials": [m["code"] for m in fields["materials"]],
                "missing": [m["code"] for m in rules.missing_materials(fields["materials"], rule)]})
            return self._answer(s, fresh)
        return self._once(request, context, "SubmitApplication", work)

    def RequestCorrection(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            notice = rules.correction(app, s.body, calendar=s.calendar, table=s.table, today=s.today) | {"by": s.actor}
            return "request_correction", {"status": "correction_requested", "correction": notice}, {
                "missing": [m["code"] for m in notice["missing"]], "note": notice["note"]}
        return self._act(request, context, "RequestCorrection", step)

    def ResubmitMaterials(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            materials = rules.resubmission(app, s.body, table=s.table)
            return "resubmit", {"status": "submitted", "materials": materials, "received_on": s.today}, {
                "materials": [m["code"] for m in materials]}
        return self._act(request, context, "ResubmitMaterials", step)

    def Accept(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            accepted_on, deemed = rules.acceptance(app, calendar=s.calendar, table=s.table, today=s.today)
            return "accept", {"status": "accepted", "accepted_on": accepted_on, "deemed_accepted": deemed}, {
                "accepted_on": accepted_on, "deemed_accepted": deemed}
        return self._act(request, context, "Accept", step)

    def Withdraw(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            return "withdraw", {"status": "withdrawn", "closed_on": s.today}, {"reason": rules.withdrawal(app, s.body)}
        return self._act(request, context, "Withdraw", step)

    # --- review -------------------------------------------------------------------------------
    def StartPause(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            pause = rules.pause_started(app, s.body, today=s.today)
            return "start_pause", {"status": pause["kind"], "pauses": [*app["pauses"], pause]}, {
                "kind": pause["kind"], "started_on": pause["started_on"], "note": pause["note"]}
        return self._act(request, context, "StartPause", step)

    def EndPause(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            pauses = rules.pause_ended(app, s.body, today=s.today)
            return "end_pause", {"status": "under_review", "pauses": pauses}, {
                "kind": pauses[-1]["kind"], "ended_on": pauses[-1]["ended_on"], "result": pauses[-1]["result"]}
        return self._act(request, context, "EndPause", step)

    def Extend(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            ext = rules.extension(app, s.body, calendar=s.calendar, table=s.table, today=s.today) | {"by": s.actor}
            status = "under_review" if app["status"] == "accepted" else app["status"]
            return "extend", {"status": status, "extension": ext}, {"days": ext["days"], "approved_by": ext["approved_by"],
                                                                    "reason": ext["reason"]}
        return self._act(request, context, "Extend", step)

    def Decide(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            d = rules.decision(app, s.body, today=s.today)
            number = self._decision_number(s, app, d["decision"])
            return "decide", {"status": d["decision"], "decision": d["decision"], "reasons": d["reasons"], "scope": d["scope"],
                              "decided_on": d["decided_on"], "decided_by": s.actor, "decision_number": number}, {
                "decision": d["decision"], "decision_number": number, "reasons": d["reasons"]}
        return self._act(request, context, "Decide", step)

    # --- the certificate ----------------------------------------------------------------------
    def IssueCertificate(self, request, context):
        """New: a number and a licence record in the data centre. Renewal: the licence's new validity.
        Change: its new scope. Each issuance is published (双公示)."""
        def step(s: Step, app: dict) -> Outcome:
            rule = rules.rule_of(s.table, app["licence_type"])
            rules.require_status(app["status"], "issue_certificate")
            key = f"licensing-{app['id']}-v{app['version']}-certificate"
            authority = s.table["agencies"][app["agency_code"]]["name"]
            if app["kind"] == "new":
                serial = docnumbers.allocate(s.conn, agency=config.jurisdiction(), doc_type=f"licence.{app['licence_type']}",
                                             year=s.today.year)
                number = rules.certificate_number(rule, province=s.table["province"], year=s.today.year, serial=serial,
                                                  sector=app["sector"])
                until = rules.valid_until(rule, start=s.today)
                created = datacentre.create("licence", {
                    "uscc": app["uscc"], "licence_type": app["licence_type"], "number": number, "scope": app["scope"],
                    "issuing_authority": authority, "issued_on": s.today.isoformat(), "valid_until": until.isoformat(),
                    "public_disclosure": True}, idempotency_key=key)
                changes = {"certificate_number": number, "issued_on": s.today, "valid_until": until,
                           "licence_record_id": _record_id(created["id"]), "licence_state": "valid"}
            else:
                licence = _licence(app["licence_record_id"])
                if app["kind"] == "renewal":
                    until = rules.valid_until(rule, start=s.today)
                    update = {"issued_on": s.today.isoformat(), "valid_until": until.isoformat()}
                    changes = {"issued_on": s.today, "valid_until": until}
                else:
                    update = {"scope": app["scope"]}
                    changes = {"issued_on": licence["issued_on"], "valid_until": licence["valid_until"]}
                datacentre.update("licence", app["licence_record_id"], version=int(licence["version"]), changes=update,
                                  idempotency_key=key)
            return "issue_certificate", changes | {"status": "certificate_issued"}, {
                "certificate_number": changes.get("certificate_number") or app["certificate_number"],
                "valid_until": changes["valid_until"]}
        return self._act(request, context, "IssueCertificate", step, after=self._publish)

    @staticmethod
    def _publish(s: Step, app: dict) -> None:
        """双公示 of the licence just issued, due within the publication limit of the decision."""
        due = rules.clock(app, calendar=s.calendar, table=s.table, today=s.today).publication_due
        events.publication(s.conn, app, licence_type_name=s.table["types"][app["licence_type"]]["name"],
                           authority=s.table["agencies"][app["agency_code"]]["name"], publish_by=due.day,
                           publish_by_provisional=due.provisional)

    def Deliver(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            d = rules.delivery(app, s.body, today=s.today)
            return "deliver", {"status": "delivered", "delivered_on": d["on"], "delivery": d | {"by": s.actor}}, {
                "method": d["method"], "delivered_on": d["on"]}
        return self._act(request, context, "Deliver", step)

    # --- an issued licence --------------------------------------------------------------------
    def _follow_up(self, request, context, method: str, build: Callable[[Step, dict], tuple[dict, str, dict]]) -> pb.JsonResponse:
        """A renewal or change: a new application about the licence issued through `request.id`."""
        p = current_principal()

        def work(conn):
            parent = self._get(p, conn, request.id, for_update=True)
            applications.expect(parent, request.version)
            s = self._step(conn, p, request.body, table_on(jsonio.today()))
            action = "renew" if method == "Renew" else "change"
            rules.require_status(parent["status"], action)
            under_way = store.open_for_licence(conn, parent["licence_record_id"], UNDER_WAY)
            if under_way:
                raise Conflict(f"该许可证已有办理中的延续或变更申请（{under_way}）",
                               f"A renewal or change of this licence is under way ({under_way})")
            values, action, detail = build(s, parent)
            base = {k: parent[k] for k in ("licence_type", "uscc", "enterprise_name", "region_code", "agency_code", "sector",
                                           "certificate_number", "licence_record_id", "licence_state", "issued_on", "valid_until")}
            fresh = self._insert(s, base | {"parent_id": parent["id"], "submitted_by": s.actor, "received_on": s.today} | values,
                                 action=action, detail=detail)
            return self._answer(s, fresh)
        return self._once(request, context, method, work)

    def Renew(self, request, context):
        def build(s: Step, parent: dict) -> tuple[dict, str, dict]:
            verdict = rules.renewal(parent, licence=_licence(parent["licence_record_id"]), accidents=_accidents(parent["uscc"]),
                                    table=s.table, today=s.today)
            extra = rules.supplement(s.body, rule=rules.rule_of(s.table, parent["licence_type"]))
            values = {"kind": "renewal", "status": "submitted", "scope": parent["scope"]} | extra
            # an enterprise on the serious-dishonesty list is reviewed in full (从严审查, credit's consequences)
            strict = [c for c in credit_ledger.standing(s.conn, parent["uscc"], as_of=s.today).consequences
                      if c.get("applies_to") == "licensing"]
            verdict["without_review"] = verdict["without_review"] and not strict
            if verdict["without_review"]:
                values |= {"status": "approved", "accepted_on": s.today, "decision": "approved", "decided_on": s.today,
                           "decided_by": s.actor, "reasons": WITHOUT_REVIEW_ZH, "review_skipped": True,
                           "decision_number": self._decision_number(s, parent, "approved")}
            return values, "renew", {"without_review": verdict["without_review"], "fatal_accidents": verdict["fatal_accidents"],
                                     "window": [verdict["opens"], verdict["closes"]],
                                     "credit_consequences": [c.get("consequence_zh") for c in strict]}
        return self._follow_up(request, context, "Renew", build)

    def Change(self, request, context):
        def build(s: Step, parent: dict) -> tuple[dict, str, dict]:
            change = rules.change_request(parent, s.body)
            extra = rules.supplement(s.body, rule=rules.rule_of(s.table, parent["licence_type"]))
            return {"kind": "change", "status": "submitted", "scope": change["scope"]["to"], "changes": change} | extra, "change", {
                "scope": change["scope"], "reason": change["reason"]}
        return self._follow_up(request, context, "Change", build)

    def _licence_action(self, request, context, method: str, action: str) -> pb.JsonResponse:
        state = {"suspend": "suspended", "revoke": "revoked"}[action]

        def step(s: Step, app: dict) -> Outcome:
            done = rules.licence_action(app, s.body, action=action, today=s.today) | {"by": s.actor}
            licence = _licence(app["licence_record_id"])
            datacentre.update("licence", app["licence_record_id"], version=int(licence["version"]), changes={state: True},
                              idempotency_key=f"licensing-{app['id']}-v{app['version']}-{action}")
            for other in store.set_licence_state(s.conn, app["licence_record_id"], state=state, except_id=app["id"]):
                events.application_changed(s.conn, other, action=action, actor=s.p.label)
            return action, {"licence_state": state, "licence_actions": [*app["licence_actions"], done]}, {
                "reasons": done["reasons"], "until": done["until"]}
        return self._act(request, context, method, step)

    def Suspend(self, request, context):
        return self._licence_action(request, context, "Suspend", "suspend")

    def Revoke(self, request, context):
        return self._licence_action(request, context, "Revoke", "revoke")
