"""gRPC CreditService (安全生产诚信, docs/credit.md): enterprises' credit ledgers, scores and grades,
the serious-dishonesty list, the third-party service agencies' register, and the one-year accident
follow-ups.

Who: supervision staff (roles.SUPERVISION_READERS) read and write within their region; listing,
repair decisions, removals and findings against agencies need a supervisor or a platform
administrator; an enterprise reads its own credit page and listings and applies for its own
repair. A record the caller may not see is answered like an absent one (404).

Every write runs once per Idempotency-Key, checks the version the caller read where the record
changes (listings, agencies, follow-ups; the ledger is append-only), and writes its rows, the audit
entry and the CloudEvent in one transaction. Scores, grades and states are computed on every read
with the rule tables in force on the day asked (`as_of`, default today)."""
from __future__ import annotations

from datetime import date
from typing import Callable

import psycopg
from psycopg_pool import ConnectionPool

from safety.supervision.v1 import credit_pb2_grpc
from safety.supervision.v1 import monitoring_pb2 as mpb
from safety.supervision.v1 import workflow_pb2 as wpb
from services.kit import audit, docnumbers, idempotency, jsonio, paging, regions, roles
from services.kit.auth import Principal, current_principal
from services.kit.errors import Conflict, FieldViolation, NotFound, PermissionDenied, invalid
from services.kit.grpc_server import AuditedWrite
from services.supervision.credit import agencies, dishonesty, events, followups, ledger, rules, store
from services.supervision.enforcement import documents
from services.supervision.grids import store as grids
from services.supervision.inspections.rules import require_within
from services.supervision.monitoring.servicer import county

_SVC = "/safety.supervision.v1.CreditService/"
DECIDERS = (roles.SUPERVISION_SUPERVISOR, roles.PLATFORM_ADMIN)


def _answer(data) -> mpb.JsonResponse:
    return mpb.JsonResponse(json=jsonio.dumps(data))


def _id(text: str, label: str) -> int:
    if not text.isdigit() or not 1 <= int(text) < 2**63:
        raise NotFound(f"未找到该{label}", "Not found")
    return int(text)


def _expect(row: dict, version: int, label: str) -> None:
    if version <= 0:
        raise invalid(FieldViolation("version", "version.required", "请提供读取时的版本号 version", "version (as read) is required"))
    if version != row["version"]:
        raise Conflict(f"{label}已被更新（当前版本 {row['version']}），请刷新后重试",
                       f"The record has changed (now version {row['version']}); read it again")


# --- who may do what ------------------------------------------------------------------------------

def staff_prefix(p: Principal) -> str:
    """The region prefix of a supervision officer; anyone else is refused."""
    if p.kind != "staff" or not p.region or not p.has_any_role(*roles.SUPERVISION_READERS):
        raise PermissionDenied("仅监管人员可查阅和记录安全生产诚信信息", "Only supervision staff keep credit records")
    return regions.significant_prefix(p.region)


def reader_scope(p: Principal) -> tuple[str, str | None]:
    """(region prefix, own uscc): staff their region, an enterprise only itself."""
    if p.kind == "enterprise" and p.uscc:
        return "", p.uscc
    return staff_prefix(p), None


def require_decider(p: Principal) -> None:
    staff_prefix(p)
    if not p.has_any_role(*DECIDERS):
        raise PermissionDenied("列入、移出严重失信主体名单，审核信用修复和认定机构失信问题须由监管科室负责人或平台管理员作出",
                               "Listing, removal, repair decisions and findings against agencies need a supervisor or a platform administrator")


def visible(p: Principal, row: dict | None, label: str) -> dict:
    """`row` (with uscc, region_code) if the caller may see it; else 404 as if absent."""
    prefix, own = reader_scope(p)
    if row is None or (own and row["uscc"] != own) or not row["region_code"].startswith(prefix):
        raise NotFound(f"未找到该{label}", "Not found")
    return row


def region_filter(p: Principal, text: str) -> str:
    """The prefix of the list's region_code filter, within the caller's region."""
    prefix = staff_prefix(p)
    if not text:
        return prefix
    if not regions.is_well_formed(text):
        raise invalid(FieldViolation("region_code", "region_code.format", "行政区划代码格式错误", "Malformed region code"))
    require_within(p, text)
    return regions.significant_prefix(text)


def _as_of(query) -> date:
    return jsonio.day(query.get("as_of"), field="as_of", label="评分日期", required=False) or jsonio.today()


def _enum(query, name: str, allowed, label: str) -> str:
    value = query.get(name, "")
    if value and value not in allowed:
        raise invalid(FieldViolation(name, f"{name}.enum", f"{label}不在可选范围内：{'、'.join(allowed)}", f"{name} is one of {', '.join(allowed)}"))
    return value


def _page(query) -> tuple[int, int | None]:
    size, after = jsonio.page(query)
    if after and not after.isdigit():
        raise invalid(FieldViolation("page_token", "page_token.invalid", "分页令牌无效", "Invalid page token"))
    return size, int(after) if after else None


# --- views ----------------------------------------------------------------------------------------

def entry_view(e: dict, part, *, table: dict) -> dict:
    t = table["event_types"].get(e["type"])
    return {"id": str(e["id"]) if e.get("id") else None, "source": e["source"], "source_name": rules.SOURCES[e["source"]],
            "type": e["type"], "type_name": t["name"] if t else e["type"], "points": e["points"], "counted": part,
            "counts_until": rules.expires_on(e, table) if t else None, "reason": e["reason"], "reference": e["reference"],
            "occurred_on": e["occurred_on"], "recorded_by": e.get("recorded_by", rules.SYSTEM), "recorded_at": e.get("recorded_at"),
            "derived": bool(e.get("derived"))}


def listing_view(x: dict, *, today: date, brief: bool = True) -> dict:
    table = ledger.table(ledger.LIST, x["listed_on"])
    st = dishonesty.state(x, today=today)
    out = {"id": str(x["id"]), "uscc": x["uscc"], "enterprise_name": x["enterprise_name"], "region_code": x["region_code"],
           "county_name": county(x["region_code"]), "agency_name": x["agency_name"], "situation": x["situation"],
           "situation_name": table["situations"][x["situation"]]["name"], "situation_source": table["situations"][x["situation"]]["source"],
           "penalty_number": x["penalty_number"], "decision_number": x["decision_number"], "listed_on": x["listed_on"],
           "expires_on": x["expires_on"], "repair_opens_on": dishonesty.repair_opens_on(x["listed_on"], table),
           "principal_name": dishonesty.mask_name(x["principal_name"]) if brief else x["principal_name"],
           "status": x["status"], "status_name": dishonesty.STATUSES[x["status"]], "state": st, "state_name": dishonesty.STATES[st],
           "active": dishonesty.active(x, as_of=today), "removal_reason": x["removal_reason"],
           "removal_reason_name": dishonesty.REMOVAL_REASONS.get(x["removal_reason"] or ""), "removed_on": x["removed_on"],
           "repair_state": x["repairs"][-1]["state"] if x["repairs"] else None, "version": x["version"]}
    if not brief:
        out |= {"facts": x["facts"], "decided_by": x["decided_by"], "removed_by": x["removed_by"], "removal_note": x["removal_note"],
                "repairs": [r | {"state_name": dishonesty.REPAIR_STATES[r["state"]]} for r in x["repairs"]],
                "repair_conditions": table["repair_conditions"]}
    return out


def standing_view(s: ledger.Standing, *, registration: dict, as_of: date) -> dict:
    table = ledger.table(ledger.SCORING, as_of)
    return {"uscc": s.uscc, "name": registration["name"], "region_code": registration["region_code"],
            "county_name": county(registration["region_code"]), "as_of": as_of, "score": s.score.score, "grade": s.score.grade,
            "grade_name": s.score.grade_name, "listed": s.score.listed, "starting_score": table["starting_score"],
            "grades": table["grades"], "entries": [entry_view(e, part, table=table) for e, part in zip(s.entries, s.score.parts)],
            "listings": [listing_view(x, today=as_of) for x in s.listings], "consequences": s.consequences,
            "trend": ledger.trend(s, as_of=as_of)}


def agency_view(a: dict, findings: list[dict], *, as_of: date, work: list[dict] | None = None) -> dict:
    table = ledger.table(ledger.AGENCY_RATING, as_of)
    rated = agencies.rating(findings, as_of=as_of, table=table)
    out = {"id": str(a["id"]), "name": a["name"], "uscc": a["uscc"], "qualification_type": a["qualification_type"],
           "qualification_type_name": table["qualification_types"][a["qualification_type"]]["name"],
           "qualification_number": a["qualification_number"], "scope": a["scope"], "valid_until": a["valid_until"],
           "qualification_valid": a["valid_until"] >= as_of, "region_code": a["region_code"], "county_name": county(a["region_code"]),
           "score": rated.score, "grade": rated.grade, "grade_name": rated.grade_name, "findings_counted": sum(1 for x in rated.parts if x),
           "registered_by": a["registered_by"], "version": a["version"]}
    if work is not None:
        out |= {"work": [{k: w[k] for k in ("id", "for_uscc", "for_name", "content", "report_number", "report_date", "recorded_by",
                                            "recorded_at")} for w in work],
                "findings": [{"id": f["id"], "type": f["type"], "type_name": table["event_types"].get(f["type"], {}).get("name", f["type"]),
                              "points": f["points"], "counted": part, "reason": f["reason"], "reference": f["reference"],
                              "found_on": f["found_on"], "recorded_by": f["recorded_by"], "recorded_at": f["recorded_at"]}
                             for f, part in zip(findings, rated.parts)]}
    return out


def follow_up_view(f: dict, *, today: date, brief: bool = True) -> dict:
    table = ledger.table(ledger.FOLLOW_UP, f["closed_on"])
    st = followups.state(f, today=today)
    out = {"id": str(f["id"]), "accident_id": f["accident_id"], "uscc": f["uscc"], "enterprise_name": f["enterprise_name"],
           "region_code": f["region_code"], "county_name": county(f["region_code"]), "accident_title": f["accident_title"],
           "accident_grade": f["accident_grade"], "occurred_on": f["occurred_on"], "closed_on": f["closed_on"], "opens_on": f["opens_on"],
           "due_on": f["due_on"], "state": st, "state_name": followups.STATES[st], "overdue": st == "overdue",
           "conclusion": f["conclusion"], "conclusion_name": table["conclusions"][f["conclusion"]]["name"] if f["conclusion"] else None,
           "evaluated_on": f["evaluated_on"], "late": bool(f["evaluated_on"] and f["evaluated_on"] > f["due_on"]), "version": f["version"]}
    if not brief:
        out |= {"measures": [m | {"result_name": table["measure_results"][m["result"]]["name"]} for m in f["measures"]],
                "summary": f["summary"], "team": f["team"], "recorded_on": f["recorded_on"], "recorded_by": f["recorded_by"],
                "measure_results": table["measure_results"], "conclusions": table["conclusions"]}
    return out


class CreditServicer(credit_pb2_grpc.CreditServiceServicer):
    WRITES = {m: AuditedWrite(a, t, "id") for m, a, t in (
        ("RecordEvent", "credit.entry", "credit_entry"), ("DecideListing", "credit.listing.decide", "dishonesty_listing"),
        ("RequestRepair", "credit.listing.repair", "dishonesty_listing"), ("DecideRepair", "credit.listing.repair_decision", "dishonesty_listing"),
        ("RemoveListing", "credit.listing.remove", "dishonesty_listing"), ("RegisterAgency", "credit.agency.register", "service_agency"),
        ("UpdateAgency", "credit.agency.update", "service_agency"), ("RecordAgencyWork", "credit.agency.work", "service_agency"),
        ("RecordAgencyFinding", "credit.agency.finding", "service_agency"), ("RecordFollowUp", "credit.follow_up.record", "follow_up"))}

    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    def _write(self, request, context, method: str, work: Callable[[psycopg.Connection], dict]) -> mpb.JsonResponse:
        with self.pool.connection() as conn, conn.transaction():
            return idempotency.once(conn, context, method=_SVC + method, request=request, response_type=mpb.JsonResponse,
                                    work=lambda: _answer(work(conn)))

    # --- enterprises' credit ------------------------------------------------------------------
    def ListEnterprises(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """Every registered enterprise of the region with its score and grade on `as_of`."""
        p, q = current_principal(), request.query
        prefix = region_filter(p, q.get("region_code", ""))
        as_of = _as_of(q)
        grade = _enum(q, "grade", [g["grade"] for g in ledger.table(ledger.SCORING, as_of)["grades"]], "等级")
        listed = _enum(q, "listed", ("true", "false"), "是否在严重失信名单内")
        size, after = jsonio.page(q)
        with self.pool.connection() as conn:
            regs = store.registrations(conn, prefix=prefix, uscc=q.get("uscc", "").strip().upper(), q=q.get("q", "").strip()[:50])
            ranked = ledger.standings(conn, [r["uscc"] for r in regs], as_of=as_of)
        rows = [r | {"s": ranked[r["uscc"]].score} for r in regs]
        rows = [r for r in rows if (not grade or r["s"].grade == grade) and (not listed or r["s"].listed == (listed == "true"))]
        page = [r for r in rows if r["uscc"] > after][:size + 1]
        return _answer({"as_of": as_of, "total": len(rows), "next_page_token": paging.next_token(page, size, key="uscc") or None,
                        "items": [{"uscc": r["uscc"], "name": r["name"], "region_code": r["region_code"], "county_name": county(r["region_code"]),
                                   "score": r["s"].score, "grade": r["s"].grade, "grade_name": r["s"].grade_name, "listed": r["s"].listed,
                                   "entries_counted": sum(1 for x in r["s"].parts if x)} for r in page[:size]]})

    def GetEnterprise(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """The credit page: the whole ledger, the score and grade on `as_of`, listings, consequences."""
        p = current_principal()
        as_of = _as_of(request.query)
        with self.pool.connection() as conn:
            reg = visible(p, grids.registration(conn, request.id.strip().upper()), "企业的诚信记录")
            s = ledger.standing(conn, reg["uscc"], as_of=as_of, whole_ledger=True)
        return _answer(standing_view(s, registration=reg, as_of=as_of))

    def ListEventTypes(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        reader_scope(current_principal())
        as_of = _as_of(request.query)
        scoring, listing = ledger.table(ledger.SCORING, as_of), ledger.table(ledger.LIST, as_of)
        return _answer({"as_of": as_of, "event_types": rules.types_view(scoring), "grades": scoring["grades"],
                        "starting_score": scoring["starting_score"],
                        "situations": [{"code": c, **s} for c, s in listing["situations"].items()],
                        "repair_conditions": listing["repair_conditions"], "consequences": listing["consequences"],
                        "agency_finding_types": rules.types_view(ledger.table(ledger.AGENCY_RATING, as_of))})

    def RecordEvent(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """A staff entry (a penalty decision, another finding); 201 with the enterprise's credit page."""
        p = current_principal()

        def work(conn):
            staff_prefix(p)
            today = jsonio.today()
            entry = rules.staff_entry(jsonio.body(request.body), table=ledger.table(ledger.SCORING, today), today=today)
            reg = self._registered(conn, p, entry["uscc"])
            stored = ledger.enter(conn, entry, uscc=reg["uscc"], region_code=reg["region_code"], account=p.label, recorded_by=p.name)
            if stored is None:
                raise Conflict(f"“{entry['reference']}”已记入该企业的诚信记录", f"{entry['reference']} is in the ledger already")
            audit.record(conn, action="credit.entry", target_type="credit_entry", target_id=str(stored["id"]), target_region=reg["region_code"],
                         uscc=reg["uscc"], summary={"type": stored["type"], "points": stored["points"], "reference": stored["reference"]})
            return standing_view(ledger.standing(conn, reg["uscc"], as_of=today, whole_ledger=True), registration=reg, as_of=today)
        return self._write(request, context, "RecordEvent", work)

    @staticmethod
    def _registered(conn: psycopg.Connection, p: Principal, uscc: str) -> dict:
        """The enterprise a write names, registered for supervision and within the caller's region."""
        reg = grids.registration(conn, uscc)
        if reg is None:
            raise invalid(FieldViolation("uscc", "uscc.unregistered", "该单位尚未在监管平台登记", "The enterprise is not registered for supervision"))
        require_within(p, reg["region_code"])
        return reg

    # --- the serious-dishonesty list --------------------------------------------------------------
    def DecideListing(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()

        def work(conn):
            require_decider(p)
            today = jsonio.today()
            table = ledger.table(ledger.LIST, today)
            d = dishonesty.decision(jsonio.body(request.body), table=table, today=today)
            reg = self._registered(conn, p, d["uscc"])
            if store.listings(conn, where=["penalty_number = %s"], params=[d["penalty_number"]], after=None, limit=1)[0]:
                raise Conflict(f"行政处罚决定{d['penalty_number']}已作出列入决定", f"{d['penalty_number']} has a listing already")
            agency_region, agency = documents.agency(p.region, documents.table("document_codes", today))
            doc = table["document"]
            number = docnumbers.issue(conn, agency=agency_region, agency_code=agency["code"], doc_type=doc["type"], doc_code=doc["code"],
                                      year=today.year)
            x = store.insert_listing(conn, d | {"enterprise_name": reg["name"], "region_code": reg["region_code"],
                                                "agency_code": agency_region, "agency_name": agency["name"],
                                                "decision_number": str(number), "decided_by": p.name})
            self._listing_changed(conn, x, action="listed")
            return listing_view(x, today=today, brief=False)
        return self._write(request, context, "DecideListing", work)

    @staticmethod
    def _listing_changed(conn: psycopg.Connection, x: dict, *, action: str) -> None:
        table = ledger.table(ledger.LIST, x["listed_on"])
        audit.record(conn, action=f"credit.listing.{action}", target_type="dishonesty_listing", target_id=str(x["id"]),
                     target_region=x["region_code"], uscc=x["uscc"],
                     summary={"status": x["status"], "version": x["version"], "decision_number": x["decision_number"]})
        events.listing_changed(conn, x, action=action, situation_name=table["situations"][x["situation"]]["name"])

    def ListListings(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p, q = current_principal(), request.query
        where, params = ["region_code LIKE %s"], [region_filter(p, q.get("region_code", "")) + "%"]
        today = jsonio.today()
        state = _enum(q, "state", dishonesty.STATES, "状态")
        if state == "removed":
            where.append("status = 'removed'")
        elif state:
            where.append("status = 'listed' AND expires_on " + (">= %s" if state == "listed" else "< %s"))
            params.append(today)
        if q.get("uscc"):
            where.append("uscc = %s")
            params.append(q["uscc"].strip().upper())
        size, after = _page(q)
        with self.pool.connection() as conn:
            rows, total = store.listings(conn, where=where, params=params, after=after, limit=size + 1)
        return _answer({"items": [listing_view(x, today=today) for x in rows[:size]], "total": total,
                        "next_page_token": paging.next_token(rows, size, key="id") or None})

    def GetListing(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        with self.pool.connection() as conn:
            x = visible(p, store.listing(conn, _id(request.id, "名单记录")), "名单记录")
        return _answer(listing_view(x, today=jsonio.today(), brief=False))

    def _listing_step(self, request, context, method: str, step: Callable[[Principal, dict, dict, date], tuple[dict, str]],
                      *, decider: bool) -> mpb.JsonResponse:
        """Lock the listing, check who and the version read, apply `step` → (changes, action), store."""
        p = current_principal()

        def work(conn):
            x = visible(p, store.listing(conn, _id(request.id, "名单记录"), for_update=True), "名单记录")
            if decider:
                require_decider(p)
            _expect(x, request.version, "名单记录")
            today = jsonio.today()
            changes, action = step(p, x, jsonio.body(request.body), today)
            fresh = store.update_listing(conn, x["id"], version=x["version"], changes=changes)
            self._listing_changed(conn, fresh, action=action)
            return listing_view(fresh, today=today, brief=False)
        return self._write(request, context, method, work)

    def RequestRepair(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        def step(p, x, body, today):
            repair = dishonesty.repair_request(x, body, table=ledger.table(ledger.LIST, x["listed_on"]), today=today)
            return {"repairs": [*x["repairs"], repair | {"by": p.name}]}, "repair_requested"
        return self._listing_step(request, context, "RequestRepair", step, decider=False)

    def DecideRepair(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        def step(p, x, body, today):
            d = dishonesty.repair_decision(x, body, today=today)
            *done, pending = x["repairs"]
            changes = {"repairs": [*done, pending | {"state": d["decision"], "opinion": d["opinion"], "decided_on": today,
                                                    "decided_by": p.name}]}
            if d["decision"] == "refused":
                return changes, "repair_refused"
            return changes | {"status": "removed", "removal_reason": "repaired", "removed_on": today, "removed_by": p.name}, "removed"
        return self._listing_step(request, context, "DecideRepair", step, decider=True)

    def RemoveListing(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        def step(p, x, body, today):
            r = dishonesty.removal(x, body, today=today)
            return {"status": "removed", "removal_reason": r["reason"], "removed_on": r["removed_on"], "removal_note": r["note"],
                    "removed_by": p.name}, "removed"
        return self._listing_step(request, context, "RemoveListing", step, decider=True)

    # --- third-party service agencies -----------------------------------------------------------
    def RegisterAgency(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()

        def work(conn):
            staff_prefix(p)
            today = jsonio.today()
            fields = agencies.registration(jsonio.body(request.body), table=ledger.table(ledger.AGENCY_RATING, today))
            require_within(p, fields["region_code"])
            if store.agency_by_uscc(conn, fields["uscc"]):
                raise Conflict("该机构已在名录中", "The agency is registered already")
            a = store.insert_agency(conn, fields | {"registered_by": p.name})
            return self._agency_changed(conn, a, action="registered", today=today)
        return self._write(request, context, "RegisterAgency", work)

    def _agency_changed(self, conn: psycopg.Connection, a: dict, *, action: str, today: date) -> dict:
        findings = store.findings_of(conn, [a["id"]])[a["id"]]
        view = agency_view(a, findings, as_of=today, work=store.work_of(conn, a["id"]))
        audit.record(conn, action=f"credit.agency.{action}", target_type="service_agency", target_id=str(a["id"]),
                     target_region=a["region_code"], summary={"uscc": a["uscc"], "version": a["version"], "grade": view["grade"]})
        events.agency_changed(conn, a, action=action, score=view["score"], grade=view["grade"])
        return view

    def ListAgencies(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p, q = current_principal(), request.query
        today = jsonio.today()
        table = ledger.table(ledger.AGENCY_RATING, today)
        where, params = ["region_code LIKE %s"], [region_filter(p, q.get("region_code", "")) + "%"]
        if _enum(q, "qualification_type", table["qualification_types"], "资质类别"):
            where.append("qualification_type = %s")
            params.append(q["qualification_type"])
        if q.get("q"):
            where.append("name LIKE %s")
            params.append(f"%{q['q'].strip()[:50]}%")
        grade = _enum(q, "grade", [g["grade"] for g in table["grades"]], "等级")
        size, after = _page(q)
        with self.pool.connection() as conn:
            rows = store.agencies(conn, where=where, params=params)
            findings = store.findings_of(conn, [a["id"] for a in rows])
        views = [agency_view(a, findings[a["id"]], as_of=today) for a in rows]
        views = [v for v in views if not grade or v["grade"] == grade]
        page = [v for v in views if after is None or int(v["id"]) < after][:size + 1]
        return _answer({"items": page[:size], "total": len(views), "next_page_token": paging.next_token(page, size, key="id") or None})

    def GetAgency(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        staff_prefix(p)
        with self.pool.connection() as conn:
            a = self._agency(conn, p, request)
            return _answer(agency_view(a, store.findings_of(conn, [a["id"]])[a["id"]], as_of=jsonio.today(), work=store.work_of(conn, a["id"])))

    @staticmethod
    def _agency(conn: psycopg.Connection, p: Principal, request: wpb.JsonRequest, *, for_update: bool = False) -> dict:
        a = store.agency(conn, _id(request.id, "机构"), for_update=for_update)
        if a is None or not a["region_code"].startswith(staff_prefix(p)):
            raise NotFound("未找到该机构", "No such agency")
        return a

    def UpdateAgency(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()

        def work(conn):
            a = self._agency(conn, p, request, for_update=True)
            _expect(a, request.version, "机构信息")
            today = jsonio.today()
            changes = agencies.changes(a, jsonio.body(request.body), table=ledger.table(ledger.AGENCY_RATING, today))
            if "region_code" in changes:
                require_within(p, changes["region_code"])
            if "uscc" in changes and store.agency_by_uscc(conn, changes["uscc"]):
                raise Conflict("该统一社会信用代码已属于名录中的另一机构", "Another agency has this USCC")
            fresh = store.update_agency(conn, a["id"], version=a["version"], changes=changes) if changes else a
            return self._agency_changed(conn, fresh, action="updated", today=today)
        return self._write(request, context, "UpdateAgency", work)

    def RecordAgencyWork(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()

        def work(conn):
            a = self._agency(conn, p, request, for_update=True)
            today = jsonio.today()
            fields = agencies.work(jsonio.body(request.body), today=today)
            if store.add_work(conn, fields | {"agency_id": a["id"], "recorded_by": p.name}) is None:
                raise Conflict(f"报告{fields['report_number']}已登记", f"Report {fields['report_number']} is recorded already")
            return self._agency_changed(conn, a, action="work_recorded", today=today)
        return self._write(request, context, "RecordAgencyWork", work)

    def RecordAgencyFinding(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()

        def work(conn):
            a = self._agency(conn, p, request, for_update=True)
            require_decider(p)
            today = jsonio.today()
            fields = agencies.finding(jsonio.body(request.body), table=ledger.table(ledger.AGENCY_RATING, today), today=today)
            store.add_finding(conn, fields | {"agency_id": a["id"], "recorded_by": p.name})
            return self._agency_changed(conn, a, action="finding_recorded", today=today)
        return self._write(request, context, "RecordAgencyFinding", work)

    # --- accident follow-ups ------------------------------------------------------------------------
    def ListFollowUps(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """Query: state (upcoming, due, overdue, recorded, or open: due or overdue), region_code, uscc."""
        p, q = current_principal(), request.query
        today = jsonio.today()
        where, params = ["region_code LIKE %s"], [region_filter(p, q.get("region_code", "")) + "%"]
        state = _enum(q, "state", (*followups.STATES, "open"), "状态")
        conditions = {"recorded": ("recorded_on IS NOT NULL", ()), "upcoming": ("recorded_on IS NULL AND opens_on > %s", (today,)),
                      "due": ("recorded_on IS NULL AND opens_on <= %s AND due_on >= %s", (today, today)),
                      "overdue": ("recorded_on IS NULL AND due_on < %s", (today,)),
                      "open": ("recorded_on IS NULL AND opens_on <= %s", (today,))}
        if state:
            where.append(conditions[state][0])
            params += conditions[state][1]
        if q.get("uscc"):
            where.append("uscc = %s")
            params.append(q["uscc"].strip().upper())
        size, after = _page(q)
        with self.pool.connection() as conn:
            rows, total = store.follow_ups(conn, where=where, params=params, after=after, limit=size + 1)
        return _answer({"items": [follow_up_view(f, today=today) for f in rows[:size]], "total": total,
                        "next_page_token": paging.next_token(rows, size, key="id") or None})

    def GetFollowUp(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        staff_prefix(p)
        with self.pool.connection() as conn:
            f = visible(p, store.follow_up(conn, _id(request.id, "事故整改评估")), "事故整改评估")
        return _answer(follow_up_view(f, today=jsonio.today(), brief=False))

    def RecordFollowUp(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """The evaluation, published for the portal at once; measures not carried out enter the ledger."""
        p = current_principal()

        def work(conn):
            staff_prefix(p)
            f = visible(p, store.follow_up(conn, _id(request.id, "事故整改评估"), for_update=True), "事故整改评估")
            _expect(f, request.version, "事故整改评估")
            today = jsonio.today()
            table = ledger.table(ledger.FOLLOW_UP, f["closed_on"])
            e = followups.evaluation(f, jsonio.body(request.body), table=table, today=today)
            fresh = store.update_follow_up(conn, f["id"], version=f["version"],
                                           changes=e | {"recorded_on": today, "recorded_by": p.name})
            ledger.enter(conn, followups.credit_entry(fresh, e, table=table), uscc=fresh["uscc"], region_code=fresh["region_code"],
                         account=p.label, recorded_by=p.name)
            audit.record(conn, action="credit.follow_up.record", target_type="follow_up", target_id=str(fresh["id"]),
                         target_region=fresh["region_code"], uscc=fresh["uscc"],
                         summary={"accident_id": fresh["accident_id"], "conclusion": fresh["conclusion"], "version": fresh["version"]})
            events.follow_up_published(conn, fresh, conclusion_name=table["conclusions"][fresh["conclusion"]]["name"])
            return follow_up_view(fresh, today=today, brief=False)
        return self._write(request, context, "RecordFollowUp", work)
