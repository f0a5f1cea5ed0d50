"""gRPC StandardizationService (安全生产标准化管理): grading applications from the enterprise's
self-assessment through acceptance, the reviewers' scores, the review's grade, the public notice
with its objections, to the certificate; and renewal, downgrade and revocation (docs/standardization.md).

Who: supervision staff (roles.SUPERVISION_READERS) of the region read its applications and act on
those their region's agency reviews (a county's staff its 三级, the city's its 二级); the decisions
(Review, IssueCertificate, Downgrade, Revoke) need a supervisor or a platform administrator; an
enterprise applies, reads and renews its own applications only. An application the caller may not
see is answered like an absent one.

Every write runs once per Idempotency-Key, checks the version the caller read, and writes the
application, its step, the audit entry and the CloudEvents in one transaction. The review reads the
enterprise's accidents from the data centre, and the certificate, downgrade and revocation write
its grade into the data centre's enterprise record, both on the caller's behalf
(services/kit/datacentre.py) inside that transaction: a refusal there rolls the step back."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import psycopg

from safety.supervision.v1 import monitoring_pb2 as pb
from safety.supervision.v1 import standardization_pb2_grpc
from services.kit import config, docnumbers, jsonio, paging, regions, workdays
from services.kit.auth import Principal, current_principal
from services.kit.errors import Conflict, FieldViolation, NotFound, PermissionDenied, invalid
from services.kit.grpc_server import AuditedWrite
from services.kit.workdays import Calendar
from services.kit import datacentre
from services.supervision import applications, sectors
from services.supervision.applications import Outcome, answer
from services.supervision.credit import ledger as credit_ledger
from services.supervision.standardization import events, rules, store

WORDING = applications.Wording(
    scope=("仅监管人员和申请单位本身可办理安全生产标准化定级", "Only supervision staff and the applicant itself handle standardization grading"),
    missing=("未找到该安全生产标准化定级申请", "No such standardization application"),
    staff_only=("该步骤由评审机关办理", "Only the reviewing agency's staff take this step"),
    deciders_only=("评审结论、发证、降级和撤销须由监管科室负责人或平台管理员作出",
                   "Reviews, certificates, downgrades and revocations need a supervisor or a platform administrator"))
TABLES = applications.Tables(Path(__file__).parent / "tables", "standardization_standards", rules.check_table)
table_on, table_of = TABLES.on, TABLES.of


def family_of(app: dict) -> dict:
    return table_of(app)["families"][app["family"]]


def recompute_deadlines(conn: psycopg.Connection, calendar: Calendar) -> int:
    """workdays.RECOMPUTERS hook: recompute the stored provisional review and notice deadlines with
    the calendar an administrator just completed. Returns how many applications were recomputed."""
    rows = store.with_provisional_deadlines(conn, rules.OPEN)
    for row in rows:
        store.set_deadlines(conn, row["id"], rules.stored_deadlines(row, calendar=calendar, family=family_of(row)))
    return len(rows)


workdays.RECOMPUTERS.append(recompute_deadlines)


# --- who may do what ------------------------------------------------------------------------------

def require(p: Principal, who: str, app: dict) -> None:
    """As applications.require, and the staff must be the reviewing agency's (a county's staff its
    三级, the city's its 二级)."""
    if who == "party":
        return
    applications.require(p, "staff", WORDING)
    if not regions.covers(p.region or "", app["agency_code"]):
        agency = table_of(app)["agencies"][app["agency_code"]]["name"]
        raise PermissionDenied(f"该申请由{agency}评审", f"The application is reviewed by the agency of {app['agency_code']}")
    applications.require(p, who, WORDING)


# --- views ----------------------------------------------------------------------------------------

def _scores_view(family: dict, scores: list[dict]) -> list[dict]:
    """Every element of the standard with the score entered for it (None while not yet scored)."""
    given = {s["code"]: s for s in scores}
    return [{"code": e["code"], "name": e["name"], "points": e["points"], "part": e.get("part"), "optional": bool(e.get("optional")),
             "scored": e["code"] in given, "score": given.get(e["code"], {}).get("score"),
             "not_applicable": given.get(e["code"], {}).get("not_applicable", False), "note": given.get(e["code"], {}).get("note", ""),
             "entered_by": given.get(e["code"], {}).get("entered_by")} for e in family["elements"]]


def certificate_view(cert: dict, *, table: dict, today: date) -> dict:
    state = rules.certificate_state(cert, today=today)
    return {"number": cert["number"], "issued_grade": cert["issued_grade"], "issued_grade_name": rules.grade_name(table, cert["issued_grade"]),
            "grade": cert["grade"], "grade_name": rules.grade_name(table, cert["grade"]), "issued_on": cert["issued_on"],
            "valid_until": cert["valid_until"], "state": state, "state_name": rules.CERTIFICATE_STATES[state],
            "actions": cert["actions"]}


def view(app: dict, *, certificate: dict | None, calendar: Calendar, today: date, scores: list[dict] | None = None,
         steps: list[dict] | None = None, party: bool = False) -> dict:
    """An application as its readers see it; `party` (the applicant enterprise) does not see who
    raised an objection or who recorded it, only what was raised and when."""
    table = table_of(app)
    family = table["families"][app["family"]]
    out = {
        "id": str(app["id"]), "kind": app["kind"], "kind_name": rules.KINDS[app["kind"]],
        "parent_id": str(app["parent_id"]) if app["parent_id"] else None, "uscc": app["uscc"], "enterprise_name": app["enterprise_name"],
        "region_code": app["region_code"], "sector": app["sector"], "sector_name": sectors.name(app["sector"]),
        "family": app["family"], "family_name": family["name"], "standard": family["standard"], "agency_code": app["agency_code"],
        "reviewing_authority": table["agencies"][app["agency_code"]]["name"], "applied_grade": app["applied_grade"],
        "applied_grade_name": rules.grade_name(table, app["applied_grade"]), "self_score": app["self_score"],
        "self_assessment": app["self_assessment"], "system_running_since": app["system_running_since"], "note": app["note"],
        "status": app["status"], "status_name": rules.STATUSES[app["status"]], "submitted_at": app["submitted_at"],
        "submitted_by": app["submitted_by"], "accepted_on": app["accepted_on"], "return_reasons": app["return_reasons"],
        "experts": app["experts"], "total_score": app["total_score"], "part_scores": [
            {"code": k, "name": v["name"], "score": app["part_scores"].get(k)} for k, v in family["parts"].items()],
        "awarded_grade": app["awarded_grade"], "awarded_grade_name": rules.grade_name(table, app["awarded_grade"]),
        "review": app["review"], "reviewed_on": app["reviewed_on"], "reviewed_by": app["reviewed_by"],
        "objections": [{"content": o["content"], "received_on": o["received_on"]} for o in app["objections"]] if party
        else app["objections"], "objections_handled": app["objections_handled"], "certified_on": app["certified_on"],
        "certificate": certificate_view(certificate, table=table, today=today) if certificate else None,
        "clock": rules.clock(app, certificate=certificate, calendar=calendar, table=table, family=family, today=today),
        "version": app["version"]}
    if scores is not None:
        out["scores"] = _scores_view(family, scores)
    if steps is not None:
        out["steps"] = applications.steps_view(steps, actions=rules.ACTIONS, statuses=rules.STATUSES)
    return out


def _accidents(uscc: str) -> list[dict]:
    """The enterprise's accidents from the data centre, as the preconditions read them."""
    return [{"id": a.get("id"), "deaths": a.get("deaths") or 0, "missing": a.get("missing") or 0, "grade": a.get("grade"),
             "occurred_on": datetime.fromisoformat(a["occurred_at"]).astimezone(jsonio.SHANGHAI).date()}
            for a in datacentre.records("accident", {"uscc": uscc}) if a.get("occurred_at")]


def _write_grade(uscc: str, grade: str | None, *, idempotency_key: str) -> None:
    """The enterprise record's standardization_grade in the data centre, as the caller; nothing to
    write when it holds that grade already (also a retry after the data centre took the first call)."""
    record = datacentre.get("enterprise", uscc)
    if record.get("standardization_grade") != grade:
        datacentre.update("enterprise", uscc, version=int(record["version"]), changes={"standardization_grade": grade},
                          idempotency_key=idempotency_key)


class Step(applications.Step):
    """A step of a grading application: the family of its standard and the reviewing authority."""

    def family(self, app: dict) -> dict:
        return self.table["families"][app["family"]]

    def authority(self, app: dict) -> str:
        return self.table["agencies"][app["agency_code"]]["name"]


class StandardizationServicer(applications.Workflow, standardization_pb2_grpc.StandardizationServiceServicer):
    SERVICE, AUDIT, TARGET = "safety.supervision.v1.StandardizationService", "standardization", "standardization_application"
    WORDING, TABLES, STEP, rules, store, events = WORDING, TABLES, Step, rules, store, events
    WRITES = {"SubmitApplication": AuditedWrite("standardization.submit", "standardization_application"),
              **{m: AuditedWrite(f"standardization.{a}", "standardization_application", "id") for m, a in (
                  ("Accept", "accept"), ("Return", "return"), ("EnterScores", "score"), ("Review", "review"),
                  ("PublishNotice", "notice"), ("RecordObjection", "object"), ("IssueCertificate", "certify"),
                  ("Renew", "renew"), ("Downgrade", "downgrade"), ("Revoke", "revoke"))}}

    # --- reads --------------------------------------------------------------------------------
    def ListStandards(self, request, context):
        applications.scope(current_principal(), WORDING)
        t = TABLES.effective(jsonio.today())
        b = t.body
        return answer({"effective_from": t.effective_from, "source": t.source, "families": rules.standards_view(b),
                       "grades": [{"grade": g, **v} for g, v in b["grades"].items()],
                       "common": {k: b[k] for k in ("validity_months", "renewal_window_months", "min_system_run_months", "min_experts",
                                                    "fatal_accident_min_deaths", "score_rounding", "platform_review_levels")}})

    def GetApplication(self, request, context):
        p = current_principal()
        with self.pool.connection() as conn:
            app = self._get(p, conn, request.id)
            return answer(view(app, certificate=store.certificate_of(conn, app["id"]), calendar=workdays.load(conn),
                               today=jsonio.today(), scores=store.scores(conn, app["id"]), steps=store.steps(conn, app["id"]),
                               party=p.kind == "enterprise")
                          | {"actions": self._actions(p, app)})

    def ListApplications(self, request, context):
        q, today, p = request.query, jsonio.today(), current_principal()
        f = applications.queue_filters(p, q, WORDING, statuses=rules.STATUSES, open_statuses=rules.OPEN)
        table = table_on(today)
        for name, allowed in (("family", table["families"]), ("applied_grade", table["grades"]), ("kind", rules.KINDS)):
            f.equal(q, name, allowed)
        # not yet reviewed past the review period
        f.overdue(q, "review_due < %s AND status = ANY(%s)", [today, list(rules.UNDER_WAY)])
        f.finish(q)
        with self.pool.connection() as conn:
            rows, total = store.listing(conn, where=f.where, params=f.params, size=f.size, after=f.after)
            certificates = store.certificates_of(conn, [r["id"] for r in rows[:f.size]])
            calendar = workdays.load(conn)
        return answer({"items": [view(r, certificate=certificates.get(r["id"]), calendar=calendar, today=today,
                                      party=p.kind == "enterprise") for r in rows[:f.size]],
                       "next_page_token": paging.next_token(rows, f.size, key="id") or None, "total": total})

    # --- what the machinery asks of a workflow (services/supervision/applications.py) ----------
    def _require(self, p: Principal, who: str, app: dict) -> None:
        require(p, who, app)

    def _deadlines(self, s: Step, values: dict) -> dict:
        return rules.stored_deadlines(values, calendar=s.calendar, family=s.family(values))

    def _summary(self, app: dict) -> dict:
        return {"status": app["status"], "version": app["version"], "family": app["family"], "awarded_grade": app["awarded_grade"]}

    def _answer(self, s: Step, app: dict) -> pb.JsonResponse:
        return answer(view(app, certificate=store.certificate_of(s.conn, app["id"]), calendar=s.calendar, today=s.today,
                           scores=store.scores(s.conn, app["id"]), steps=store.steps(s.conn, app["id"]), party=s.p.kind == "enterprise")
                      | {"actions": self._actions(s.p, app)})

    def _apply(self, s: Step, *, uscc: str, kind: str, parent_id: int | None, action: str, detail: dict) -> dict:
        """A new application (first grading or renewal) of the enterprise `uscc` from the body."""
        enterprise = store.registration(s.conn, uscc)
        if enterprise is None:
            raise invalid(FieldViolation("uscc", "uscc.unregistered", "该单位尚未在监管平台登记，请先在数据中心登记企业基本信息",
                                         "The enterprise is not registered for supervision"))
        if not enterprise["region_code"].startswith(applications.scope(s.p, WORDING)[0]):
            raise NotFound("不在您的辖区内", "Outside your region")
        family_code, family = rules.family_of(s.table, enterprise["sector"])
        fields = rules.submission(s.body, table=s.table, family=family, today=s.today)
        agency = rules.agency_of(s.table, family, fields["applied_grade"], region_code=enterprise["region_code"],
                                 city_code=config.jurisdiction())
        values = fields | {"kind": kind, "parent_id": parent_id, "uscc": uscc, "enterprise_name": enterprise["name"],
                           "region_code": enterprise["region_code"], "sector": enterprise["sector"], "family": family_code,
                           "agency_code": agency, "status": "submitted", "submitted_by": s.actor, "received_on": s.today}
        return self._insert(s, values, action=action, detail=detail | {
            "applied_grade": fields["applied_grade"], "self_score": fields["self_score"], "family": family_code})

    # --- application and acceptance -----------------------------------------------------------
    def SubmitApplication(self, request, context):
        p = current_principal()

        def work(conn):
            _, own = applications.scope(p, WORDING)
            s = self._step(conn, p, request.body, table_on(jsonio.today()))
            body = s.body
            claimed = str(body.get("uscc") or "").strip().upper()
            if own and claimed and claimed != own:
                raise PermissionDenied("只能为本单位申请安全生产标准化定级", "An enterprise applies for itself only")
            if not (own or claimed):
                raise invalid(FieldViolation("uscc", "uscc.required", "请填写申请单位的统一社会信用代码", "uscc is required"))
            fresh = self._apply(s, uscc=own or claimed, kind="new", parent_id=None, action="submit", detail={})
            return self._answer(s, fresh)
        return self._once(request, context, "SubmitApplication", work)

    def Accept(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            rules.require_status(app["status"], "accept")
            return "accept", {"status": "accepted", "accepted_on": s.today}, {"accepted_on": s.today}
        return self._act(request, context, "Accept", step)

    def Return(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            reasons = rules.return_reasons(app, s.body)
            return "return", {"status": "returned", "return_reasons": reasons, "closed_on": s.today}, {"reasons": reasons}
        return self._act(request, context, "Return", step)

    # --- review -------------------------------------------------------------------------------
    def EnterScores(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            entry = rules.scores_entry(app, s.body, table=s.table, family=s.family(app))
            store.save_scores(s.conn, app["id"], entry["scores"], by=s.actor, account=s.p.label)
            experts = list(dict.fromkeys([*app["experts"], *entry["experts"]]))
            return "score", {"status": "under_review", "experts": experts}, {
                "codes": [x["code"] for x in entry["scores"]], "experts": entry["experts"]}
        return self._act(request, context, "EnterScores", step)

    def Review(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            result = rules.review(app, store.scores(s.conn, app["id"]), table=s.table, family=s.family(app),
                                  accidents=_accidents(app["uscc"]),
                                  # on the serious-dishonesty list (services/supervision/credit) on the day of the review
                                  listed_dishonest=credit_ledger.standing(s.conn, app["uscc"], as_of=s.today).score.listed,
                                  today=s.today)
            passed = result["grade"] is not None
            changes = {"status": "reviewed" if passed else "not_passed", "total_score": result["total"], "part_scores": result["parts"],
                       "awarded_grade": result["grade"], "review": {"considered": result["considered"]}, "reviewed_on": s.today,
                       "reviewed_by": s.actor, "closed_on": None if passed else s.today}
            return "review", changes, {"total_score": result["total"], "awarded_grade": result["grade"]}
        return self._act(request, context, "Review", step)

    # --- notice and certificate ---------------------------------------------------------------
    def PublishNotice(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            starts, ends = rules.notice(app, family=s.family(app), calendar=s.calendar, today=s.today)
            return "notice", {"status": "in_notice", "notice_starts_on": starts}, {"starts_on": starts, "ends_on": ends.day}

        def publish(s: Step, app: dict) -> None:
            events.notice(s.conn, app, family_name=s.family(app)["name"], grade_name=rules.grade_name(s.table, app["awarded_grade"]),
                          authority=s.authority(app))
        return self._act(request, context, "PublishNotice", step, after=publish)

    def RecordObjection(self, request, context):
        def step(s: Step, app: dict) -> Outcome:
            raised = rules.objection(app, s.body, today=s.today) | {"by": s.actor}
            return "object", {"objections": [*app["objections"], raised]}, {"received_on": raised["received_on"]}
        return self._act(request, context, "RecordObjection", step)

    def IssueCertificate(self, request, context):
        """The number (gapless, one counter for the city per year), the certificate (replacing the
        enterprise's earlier one), its grade in the data centre's enterprise record, the 公告 events."""
        def step(s: Step, app: dict) -> Outcome:
            handled = rules.certification(app, s.body, today=s.today)
            family, grade = s.family(app), app["awarded_grade"]
            serial = docnumbers.allocate(s.conn, agency=config.jurisdiction(), doc_type="standardization.certificate", year=s.today.year)
            number = rules.certificate_number(s.table, family=family, sector=app["sector"], grade=grade, year=s.today.year, serial=serial)
            cert = store.insert_certificate(s.conn, {
                "application_id": app["id"], "number": number, "uscc": app["uscc"], "enterprise_name": app["enterprise_name"],
                "region_code": app["region_code"], "family": app["family"], "agency_code": app["agency_code"], "issued_grade": grade,
                "grade": grade, "issued_on": s.today, "valid_until": rules.valid_until(s.table, start=s.today)})
            for old in [cert, *store.replace_current(s.conn, app["uscc"], by=cert["id"])]:
                self._announce(s, old)
            _write_grade(app["uscc"], grade, idempotency_key=f"standardization-{app['id']}-v{app['version']}-certify")
            return "certify", {"status": "certified", "certified_on": s.today, "objections_handled": handled}, {
                "certificate_number": number, "grade": grade, "valid_until": cert["valid_until"]}
        return self._act(request, context, "IssueCertificate", step)

    @staticmethod
    def _announce(s: Step, cert: dict) -> None:
        """公告: the certificate as the portal shows it, in its current state."""
        events.certificate(s.conn, cert, family_name=s.table["families"][cert["family"]]["name"],
                           grade_name=rules.grade_name(s.table, cert["grade"]), authority=s.table["agencies"][cert["agency_code"]]["name"])

    # --- a certificate issued -----------------------------------------------------------------
    def Renew(self, request, context):
        """复评换证: a new application of kind renewal about the certificate issued through `request.id`."""
        p = current_principal()

        def work(conn):
            parent = self._get(p, conn, request.id, for_update=True)
            applications.expect(parent, request.version)
            s = self._step(conn, p, request.body, table_on(jsonio.today()))
            cert = store.certificate_of(conn, parent["id"])
            opens, closes = rules.renewal(parent, cert, table=s.table, today=s.today)
            under_way = store.open_renewal(conn, parent["id"], rules.OPEN)
            if under_way:
                raise Conflict(f"该证书已有办理中的复评换证申请（{under_way}）", f"A renewal of this certificate is under way ({under_way})")
            fresh = self._apply(s, uscc=parent["uscc"], kind="renewal", parent_id=parent["id"], action="renew",
                                detail={"certificate_number": cert["number"], "window": [opens, closes]})
            return self._answer(s, fresh)
        return self._once(request, context, "Renew", work)

    def _sanction(self, request, context, method: str, action: str) -> pb.JsonResponse:
        def step(s: Step, app: dict) -> Outcome:
            cert = store.certificate_of(s.conn, app["id"], for_update=True)
            if action == "downgrade":
                done = rules.downgrade(app, cert, s.body, table=s.table, today=s.today)
            else:
                done = rules.revocation(app, cert, s.body, today=s.today)
            done |= {"by": s.actor}
            _write_grade(app["uscc"], done["to_grade"], idempotency_key=f"standardization-{app['id']}-v{app['version']}-{action}")
            changed = store.update_certificate(s.conn, cert["id"], {
                "grade": done["to_grade"] or cert["grade"], "state": "downgraded" if action == "downgrade" else "revoked",
                "actions": [*cert["actions"], done]})
            self._announce(s, changed)
            return action, {}, {"from_grade": done["from_grade"], "to_grade": done["to_grade"], "reasons": done["reasons"],
                                "accident_id": done["accident_id"]}
        return self._act(request, context, method, step)

    def Downgrade(self, request, context):
        return self._sanction(request, context, "Downgrade", "downgrade")

    def Revoke(self, request, context):
        return self._sanction(request, context, "Revoke", "revoke")
