"""gRPC InspectionService: yearly plans and their 双随机 draw, inspections on site, the enforcement
documents they issue, and re-checks. Supervision staff act within their region; plans are drawn
and published by supervisors (or platform administrators). Every write is audited and its event
goes through the outbox in the same transaction; the findings reach the data centre's hazard
database through its gRPC API, as the officer who completed the inspection."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timezone

from psycopg_pool import ConnectionPool

from safety.supervision.v1 import inspections_pb2 as pb
from safety.supervision.v1 import inspections_pb2_grpc
from safety.supervision.v1 import monitoring_pb2 as mpb
from safety.supervision.v1 import workflow_pb2 as wpb
from services.kit import audit, idempotency, jsonio, paging, regions, roles
from services.kit.auth import Principal, current_principal
from services.kit.errors import Conflict, FieldViolation, NotFound, PermissionDenied, invalid
from services.kit.grpc_server import AuditedWrite
from services.kit import datacentre
from services.supervision import sectors
from services.supervision.credit import dishonesty, ledger as credit_ledger
from services.supervision.enforcement import documents, render, store as docstore
from services.supervision.enforcement.servicer import open_case as open_penalty_case
from services.supervision.grids import store as grids
from services.supervision.inspections import checklists, events, planning, rules, store
from services.supervision.monitoring.servicer import county

CATALOGUE = checklists.load()
PLAN_TABLES = planning.tables()
PLANNERS = (roles.PLATFORM_ADMIN, roles.SUPERVISION_SUPERVISOR)
_SVC = "/safety.supervision.v1.InspectionService/"


def _answer(data) -> mpb.JsonResponse:
    return mpb.JsonResponse(json=jsonio.dumps(data))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _id(request: wpb.JsonRequest, label: str = "编号") -> int:
    if not request.id.isdigit() or not 0 < int(request.id) < 2**63:
        raise NotFound(f"未找到该{label}", "Not found")
    return int(request.id)


# --- views ----------------------------------------------------------------------------------------

def plan_view(plan: dict, items: list[dict]) -> dict:
    months = [0] * 12
    loads: dict[str, int] = {}
    for i in items:
        months[i["month"] - 1] += 1
        for name in i["officer_names"]:
            loads[name] = loads.get(name, 0) + 1
    return {"id": plan["id"], "county_code": plan["county_code"], "county_name": county(plan["county_code"]), "year": plan["year"],
            "status": plan["status"], "status_name": {"draft": "草稿", "published": "已公布"}[plan["status"]], "seed": str(plan["seed"]),
            "digest": plan["digest"], "tables": plan["tables"], "summary": plan["summary"], "unassigned": plan["unassigned"],
            "created_by": plan["created_by"], "created_at": plan["created_at"], "published_by": plan["published_by"],
            "published_at": plan["published_at"], "version": plan["version"], "per_month": months,
            "officer_loads": sorted(({"name": n, "inspections": c} for n, c in loads.items()), key=lambda x: (-x["inspections"], x["name"])),
            "items": items}


def inspection_view(i: dict, findings: list[dict], docs: list[dict]) -> dict:
    return {"id": i["id"], "plan_item_id": i["plan_item_id"], "uscc": i["uscc"], "enterprise_name": i["enterprise_name"],
            "region_code": i["region_code"], "county_name": county(i["region_code"]), "sector": i["sector"],
            "sector_name": sectors.name(i["sector"]), "mode": i["mode"], "mode_name": rules.MODE_ZH[i["mode"]],
            "status": i["status"], "status_name": rules.STATUS_ZH[i["status"]], "place": i["place"], "started_at": i["started_at"],
            "ended_at": i["ended_at"], "officers": i["officers"], "checklist": i["checklist"], "content": i["content"],
            "unit_present": i["unit_present"], "created_by": i["created_by"], "completed_at": i["completed_at"], "version": i["version"],
            "findings": [finding_view(f) for f in findings], "documents": [document_view(d, brief=True) for d in docs],
            "hazards_pending": sum(1 for f in findings if f["handling"] != "fixed_on_site" and not f["hazard_id"])
            if i["status"] == "completed" else 0}


def finding_view(f: dict) -> dict:
    item = CATALOGUE.item(f["item_code"]) if f["item_code"] and CATALOGUE.has(f["item_code"]) else None
    return {"seq": f["seq"], "item_code": f["item_code"], "item_text": item.text if item else None,
            "item_clause": item.clause if item else None, "description": f["description"], "major": f["major"],
            "level_name": "重大事故隐患" if f["major"] else "一般隐患", "handling": f["handling"],
            "handling_name": rules.HANDLING_ZH[f["handling"]], "deadline": f["deadline"], "basis": f["basis"], "hazard_id": f["hazard_id"]}


def document_view(d: dict, *, brief: bool = False) -> dict:
    out = {"id": d["id"], "type": d["type"], "type_name": documents.TYPE_ZH[d["type"]], "number": d["number"],
           "agency_name": d["agency_name"], "uscc": d["uscc"], "enterprise_name": d["enterprise_name"], "region_code": d["region_code"],
           "county_name": county(d["region_code"]), "inspection_id": d["inspection_id"], "parent_id": d["parent_id"], "due_on": d["due_on"],
           "issued_by": d["issued_by"], "issued_at": d["issued_at"],
           "unit_signed": any(s.get("role") == "unit" and not s.get("refused") for s in d["signatures"]),
           "unit_refused": any(s.get("role") == "unit" and s.get("refused") for s in d["signatures"])}
    return out if brief else out | {"body": d["body"], "signatures": d["signatures"]}


def recheck_view(r: dict, today: date) -> dict:
    state = rules.recheck_status(r, today)
    reports = r["reports"]
    return {k: v for k, v in r.items() if k != "reports"} | {
        "county_name": county(r["region_code"]), "state": state, "state_name": rules.RECHECK_STATUS_ZH[state], "overdue": state == "overdue",
        "result_name": rules.RESULT_ZH.get(r["result"] or ""), "next_action_name": rules.NEXT_ZH.get(r["next_action"] or ""),
        "reported": bool(reports), "report": reports[-1] if reports else None, "report_count": len(reports)}


def rectification_view(r: dict, today: date) -> dict:
    """What the enterprise sees of its order's re-check: the state, the due day, its latest report
    and the result (the officers' names stay with the officers)."""
    v = recheck_view(r, today)
    return {k: v[k] for k in ("id", "state", "state_name", "rectify_by", "due_on", "done_on", "result", "result_name", "next_action_name",
                              "opinion_number", "reported", "reported_on", "report", "report_count", "version")}


class InspectionServicer(inspections_pb2_grpc.InspectionServiceServicer):
    WRITES = {m: AuditedWrite(a, t, "id") for m, a, t in (
        ("GeneratePlan", "plan.generate", "plan"), ("PublishPlan", "plan.publish", "plan"),
        ("DeclareConflict", "plan.conflict", "officer_conflict"), ("StartInspection", "inspection.start", "inspection"),
        ("AddFinding", "inspection.finding.add", "inspection"), ("RemoveFinding", "inspection.finding.remove", "inspection"),
        ("CompleteInspection", "inspection.complete", "inspection"), ("SignDocument", "document.sign", "document"),
        ("RecordRecheck", "recheck.record", "recheck"), ("ReportRectification", "rectification.report", "recheck"))}

    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    # --- plans --------------------------------------------------------------------------------------

    def GeneratePlan(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        body = jsonio.body(request.body)
        county_code = jsonio.county(body.get("county_code"))
        year = jsonio.year(body.get("year"))
        _require_planner(p, county_code)
        seed = body.get("seed")
        if seed is None:
            seed = secrets.randbits(62)
        elif not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**62:
            raise invalid(FieldViolation("seed", "seed.range", "随机种子应为0至2^62之间的整数", "seed must be an integer in [0, 2^62)"))
        officers = [_officer_input(o) for o in datacentre.records("officer", {"region_code": county_code})]
        with self.pool.connection() as conn, conn.transaction():
            # a county's plan runs to hundreds of items: the key keeps the county and year, and a
            # retry is answered with the plan that now stands for them, read again (not drawn again)
            return idempotency.once(
                conn, context, method=_SVC + "GeneratePlan", request=request, response_type=mpb.JsonResponse,
                work=lambda: self._draw(conn, p, county_code=county_code, year=year, seed=seed, officers=officers),
                stored=lambda _: mpb.JsonResponse(json=jsonio.dumps({"county_code": county_code, "year": year})),
                replay=lambda _: self._current_plan(conn, county_code=county_code, year=year))

    @staticmethod
    def _current_plan(conn, *, county_code: str, year: int) -> mpb.JsonResponse:
        plan = store.plan(conn, county_code=county_code, year=year)
        if plan is None:
            raise NotFound("未找到该年度检查计划", "No such plan")
        return _answer(plan_view(plan, store.plan_items(conn, plan["id"])))

    def _draw(self, conn, p: Principal, *, county_code: str, year: int, seed: int, officers: list[dict]) -> mpb.JsonResponse:
        jan1 = date(year, 1, 1)
        caps, plan_table = (planning.ruletables.effective(PLAN_TABLES, n, jan1) for n in ("inspection_caps", "plan"))
        held = store.plan(conn, county_code=county_code, year=year, lock=True)
        if held and held["status"] == "published":
            raise Conflict(f"{year}年度计划已公布，不能重新抽取", "The year's plan is published and cannot be drawn again")
        enterprises = [{k: r[k] for k in planning.ENTERPRISE_FIELDS} for r in grids.registrations_of_county(conn, county_code)]
        classes = {c["uscc"]: {"klass": c["class"], "key": c["key_target"], "key_reasons_zh": c["key_reasons_zh"]}
                   for c in grids.classes_of_county(conn, county_code, year)}
        missing = [e["uscc"] for e in enterprises if e["uscc"] not in classes]
        if missing:
            raise invalid(FieldViolation("year", "year.unclassified", f"{len(missing)}家企业尚无{year}年度分类，请先完成分类分级",
                                         f"{len(missing)} enterprises have no class for {year}; classify them first"))
        conflicts = store.conflicts(conn, [e["uscc"] for e in enterprises])
        credit = _listed_on(conn, [e["uscc"] for e in enterprises], jsonio.today())
        try:
            plan = planning.make_plan(county=county_code, year=year, enterprises=enterprises, classifications=classes,
                                      officers=officers, seed=seed, table_caps=caps, table_plan=plan_table, conflicts=conflicts,
                                      listed=credit["listed"])
        except ValueError as exc:
            zh, _, en = str(exc).partition(" / ")
            raise invalid(FieldViolation("county_code", "plan.infeasible", zh, en or zh)) from None
        names = {o["id"]: o["name"] for o in officers}
        plan_id = store.replace_draft(
            conn, county_code=county_code, year=year, seed=seed, digest=plan.digest,
            tables=plan.tables | {credit_ledger.LIST: credit["dishonesty_list"]},
            inputs={"enterprises": enterprises, "classes": classes, "officers": [o | {"valid_until": o["valid_until"].isoformat()}
                                                                               for o in officers],
                    "conflicts": [list(c) for c in conflicts], "credit": credit},
            summary=plan.summary | {"credit_listed": [t._asdict() | {"decision_numbers": credit["decision_numbers"].get(t.uscc, [])}
                                                      for t in plan.listed]},
            unassigned=[list(u) for u in plan.unassigned],
            items=[(i.uscc, i.enterprise_name, i.month, i.key, list(i.officer_ids), [names[o] for o in i.officer_ids], i.reason_zh)
                   for i in plan.items], by=p.name)
        audit.record(conn, action="plan.generate", target_type="plan", target_id=str(plan_id),
                     summary={"county_code": county_code, "year": year, "seed": str(seed), "items": len(plan.items)})
        return _answer(plan_view(store.plan(conn, plan_id=plan_id), store.plan_items(conn, plan_id)))

    def GetPlan(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_inspector(p)
        month = request.query.get("month")
        if month and (not month.isdigit() or not 1 <= int(month) <= 12):
            raise invalid(FieldViolation("month", "month.range", "月份应为1至12", "month must be 1 to 12"))
        with self.pool.connection() as conn:
            if request.id:
                plan = store.plan(conn, plan_id=_id(request, "计划"))
            else:
                plan = store.plan(conn, county_code=request.query.get("county_code", ""),
                                  year=jsonio.year(request.query.get("year"), default=jsonio.today().year))
            rules.require_within(p, plan["county_code"] if plan else None)
            items = store.plan_items(conn, plan["id"], month=int(month) if month else None)
        return _answer(plan_view(plan, items))

    def PublishPlan(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                plan = store.plan(conn, plan_id=_id(request, "计划"), lock=True)
                rules.require_within(p, plan["county_code"] if plan else None)
                _require_planner(p, plan["county_code"])
                if plan["status"] == "published":
                    raise Conflict("该计划已公布", "The plan is already published")
                if not store.publish(conn, plan_id=plan["id"], version=request.version, by=p.name):
                    raise Conflict("计划已被他人修改，请刷新后重试", "The plan was changed by someone else; reload and retry")
                plan = store.plan(conn, plan_id=plan["id"])
                items = store.plan_items(conn, plan["id"])
                events.plan_published(conn, plan, items)
                audit.record(conn, action="plan.publish", target_type="plan", target_id=str(plan["id"]),
                             summary={"county_code": plan["county_code"], "year": plan["year"], "items": len(items)})
                return _answer(plan_view(plan, items))
            return idempotency.once(conn, context, method=_SVC + "PublishPlan", request=request, response_type=mpb.JsonResponse, work=work)

    def VerifyPlan(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """Anyone who may read the plan can check that its items are what its seed draws from its inputs."""
        p = current_principal()
        rules.require_inspector(p)
        with self.pool.connection() as conn:
            plan = store.plan(conn, plan_id=_id(request, "计划"))
            rules.require_within(p, plan["county_code"] if plan else None)
            inputs = store.plan_inputs(conn, plan["id"])
            items = store.plan_items(conn, plan["id"])
        jan1 = date(plan["year"], 1, 1)
        caps, plan_table = (planning.ruletables.effective(PLAN_TABLES, n, jan1) for n in ("inspection_caps", "plan"))
        officers = [o | {"valid_until": date.fromisoformat(o["valid_until"])} for o in inputs["officers"]]
        again = planning.make_plan(county=plan["county_code"], year=plan["year"], enterprises=inputs["enterprises"],
                                   classifications=inputs["classes"], officers=officers, seed=plan["seed"], table_caps=caps,
                                   table_plan=plan_table, conflicts=[tuple(c) for c in inputs["conflicts"]],
                                   listed=(inputs.get("credit") or {}).get("listed") or {})
        held = sorted((i["uscc"], i["month"], tuple(i["officer_ids"])) for i in items)
        drawn = sorted((i.uscc, i.month, tuple(i.officer_ids)) for i in again.items)
        return _answer({"id": plan["id"], "verified": again.digest == plan["digest"] and held == drawn,
                        "digest": plan["digest"], "recomputed_digest": again.digest, "items": len(held)})

    def DeclareConflict(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        body = jsonio.body(request.body)
        officer_id, uscc, reason = (str(body.get(k) or "").strip() for k in ("officer_id", "uscc", "reason"))
        errors = [FieldViolation(k, f"{k}.required", f"请填写{zh}", f"{k} is required")
                  for k, zh, v in (("officer_id", "执法人员", officer_id), ("uscc", "企业", uscc), ("reason", "回避原因", reason)) if not v]
        if errors:
            raise invalid(*errors)
        with self.pool.connection() as conn, conn.transaction():
            e = grids.registration(conn, uscc.upper())
            rules.require_within(p, e["region_code"] if e else None)
            _require_planner(p, e["region_code"])
            store.add_conflict(conn, officer_id=officer_id, uscc=e["uscc"], reason=reason[:500], by=p.name)
            audit.record(conn, action="plan.conflict", target_type="officer_conflict", target_id=f"{officer_id}:{e['uscc']}",
                         summary={"reason": reason[:500]})
        return _answer({"officer_id": officer_id, "uscc": e["uscc"], "enterprise_name": e["name"], "reason": reason[:500]})

    def GetChecklist(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_inspector(p)
        sector = request.query.get("sector") or ""
        if request.query.get("uscc"):
            with self.pool.connection() as conn:
                e = grids.registration(conn, request.query["uscc"].upper())
            rules.require_within(p, e["region_code"] if e else None)
            sector = e["sector"] or "other"
        items = CATALOGUE.for_sector(sector or "other")
        return _answer({"sector": sector or "other", "sector_name": sectors.name(sector or "other"),
                        "items": [{"code": i.code, "clause": i.clause, "text": i.text, "major": i.major, "category": i.category,
                                   "source": i.source, "verify": i.verify} for i in items]})

    # --- inspections --------------------------------------------------------------------------------

    def StartInspection(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        prefix = rules.require_inspector(p)
        fields = rules.new_inspection(jsonio.body(request.body), now=_now())
        with self.pool.connection() as conn:
            e = grids.registration(conn, fields["uscc"])
        rules.require_within(p, e["region_code"] if e else None)
        on = fields["started_at"].astimezone(jsonio.SHANGHAI).date()
        officers = rules.check_officers([_officer_or_none(i) for i in fields["officer_ids"]], on=on, region_prefix=prefix)
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                if fields["plan_item_id"]:
                    item = store.plan_item(conn, fields["plan_item_id"], lock=True)
                    if item is None or item["uscc"] != e["uscc"] or item["status"] != "published":
                        raise invalid(FieldViolation("plan_item_id", "plan_item_id.unknown", "计划事项不存在、未公布或不属于该企业",
                                                     "The plan item does not exist, is not published or is another enterprise's"))
                    if item["inspection_id"]:
                        raise Conflict("该计划事项已开展检查", "This plan item already has an inspection")
                agency_region, _ = documents.agency(p.region, documents.table("document_codes", on))
                iid = store.insert_inspection(conn, fields=fields, enterprise=e, officers=officers, agency_region=agency_region, by=p.name)
                if fields["plan_item_id"]:
                    store.link_plan_item(conn, item_id=fields["plan_item_id"], inspection_id=iid)
                audit.record(conn, action="inspection.start", target_type="inspection", target_id=str(iid),
                             summary={"uscc": e["uscc"], "mode": fields["mode"], "officers": [o["id"] for o in officers]})
                return _answer(inspection_view(store.inspection(conn, iid), [], []))
            return idempotency.once(conn, context, method=_SVC + "StartInspection", request=request, response_type=mpb.JsonResponse, work=work)

    def GetInspection(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_inspector(p)
        with self.pool.connection() as conn:
            i = store.inspection(conn, _id(request, "检查"))
            rules.require_within(p, i["region_code"] if i else None)
            return _answer(inspection_view(i, store.findings(conn, i["id"]), docstore.of_inspection(conn, i["id"])))

    def ListInspections(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        prefix = _scope(p, request.query.get("region_code"))
        status = request.query.get("status") or None
        if status and status not in rules.STATUS_ZH:
            raise invalid(FieldViolation("status", "status.enum", "状态应为 in_progress 或 completed", "status must be in_progress or completed"))
        size, after = jsonio.page(request.query)
        with self.pool.connection() as conn:
            rows, total = store.list_inspections(conn, prefix=prefix, uscc=(request.query.get("uscc") or "").upper() or None,
                                                 status=status, after=int(after or 0), limit=size + 1)
        return _answer({"items": [inspection_view(r, [], []) | {"findings": None, "documents": None, "findings_count": r["findings_count"],
                                                                "major_count": r["major_count"], "documents_count": r["documents_count"]}
                                  for r in rows[:size]],
                        "next_page_token": paging.next_token(rows, size, key="id") or None, "total": total})

    def AddFinding(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_inspector(p)
        body = jsonio.body(request.body)
        code = body.get("item_code") or None
        if code is not None and (not isinstance(code, str) or not CATALOGUE.has(code)):
            raise invalid(FieldViolation("item_code", "item_code.unknown", "检查项不在检查标准目录中", "Unknown checklist item"))
        table = documents.table("enforcement_deadlines", jsonio.today())
        finding = rules.new_finding(body, major_item=CATALOGUE.item(code).major if code else None, today=jsonio.today(),
                                    max_days=table.body["order_max_days"])
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                i = self._open_inspection(conn, p, request)
                if len(store.findings(conn, i["id"])) >= rules.MAX_FINDINGS:
                    raise invalid(FieldViolation("findings", "findings.too_many", f"一次检查最多{rules.MAX_FINDINGS}个问题",
                                                 f"At most {rules.MAX_FINDINGS} findings"))
                seq = store.add_finding(conn, inspection_id=i["id"], f=finding)
                audit.record(conn, action="inspection.finding.add", target_type="inspection", target_id=str(i["id"]),
                             summary={"seq": seq, "item_code": code, "major": finding["major"], "handling": finding["handling"]})
                return _answer(inspection_view(store.inspection(conn, i["id"]), store.findings(conn, i["id"]), []))
            return idempotency.once(conn, context, method=_SVC + "AddFinding", request=request, response_type=mpb.JsonResponse, work=work)

    def RemoveFinding(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_inspector(p)
        seq = jsonio.body(request.body).get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise invalid(FieldViolation("seq", "seq.type", "请指明要删除的问题序号", "seq must be the finding's number"))
        with self.pool.connection() as conn, conn.transaction():
            i = self._open_inspection(conn, p, request)
            if not store.remove_finding(conn, inspection_id=i["id"], seq=seq):
                raise NotFound("没有该序号的问题", "No finding with that number")
            audit.record(conn, action="inspection.finding.remove", target_type="inspection", target_id=str(i["id"]), summary={"seq": seq})
            return _answer(inspection_view(store.inspection(conn, i["id"]), store.findings(conn, i["id"]), []))

    @staticmethod
    def _open_inspection(conn, p: Principal, request: wpb.JsonRequest) -> dict:
        i = store.inspection(conn, _id(request, "检查"), lock=True)
        rules.require_within(p, i["region_code"] if i else None)
        if i["status"] != "in_progress":
            raise Conflict("检查已结束，不能再修改", "The inspection is completed and can no longer change")
        if request.version and request.version != i["version"]:
            raise Conflict("检查记录已被他人修改，请刷新后重试", "The inspection was changed by someone else; reload and retry")
        return i

    def CompleteInspection(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_inspector(p)
        body = jsonio.body(request.body)
        with self.pool.connection() as conn:
            i = store.inspection(conn, _id(request, "检查"))
        rules.require_within(p, i["region_code"] if i else None)
        unit = datacentre.unit(i["uscc"]) if i["status"] == "in_progress" else {}
        with self.pool.connection() as conn, conn.transaction():
            i = store.inspection(conn, i["id"], lock=True)
            findings = store.findings(conn, i["id"])
            if i["status"] == "in_progress":
                if request.version and request.version != i["version"]:
                    raise Conflict("检查记录已被他人修改，请刷新后重试", "The inspection was changed by someone else; reload and retry")
                self._complete(conn, p, i, findings, rules.completion(body, inspection=i, findings=findings, now=_now()), unit)
        self._write_hazards(i["id"])
        with self.pool.connection() as conn:
            i = store.inspection(conn, i["id"])
            return _answer(inspection_view(i, store.findings(conn, i["id"]), docstore.of_inspection(conn, i["id"])))

    def _complete(self, conn, p: Principal, i: dict, findings: list[dict], done: dict, unit: dict) -> None:
        store.complete(conn, inspection_id=i["id"], done=done)
        i = store.inspection(conn, i["id"])
        today = jsonio.today()
        codes = documents.table("document_codes", today)
        deadlines = documents.table("enforcement_deadlines", today)
        agency_region, agency = documents.agency(i["agency_region"], codes)
        enterprise = {"uscc": i["uscc"], "name": i["enterprise_name"], "region_code": i["region_code"]}
        issued = []
        for doc_type in rules.documents_to_issue(findings):
            due = rules.order_deadline(findings, "order") if doc_type == "rectification_order" else None
            doc = docstore.issue(conn, doc_type=doc_type, agency_region=agency_region, agency=agency, doc_code=documents.doc_code(doc_type, codes),
                                 year=today.year, inspection_id=i["id"], parent_id=None, enterprise=enterprise,
                                 body=documents.body(doc_type, inspection=i, findings=findings) | {"enterprise": unit},
                                 signatures=done["signatures"],
                                 due_on=due, by=p.name)
            issued.append(doc)
            events.document_issued(conn, doc)
            if doc_type == "rectification_order":
                store.insert_recheck(conn, order=doc, due_on=rules.recheck_due(due, deadlines.body))
        events.inspection_completed(conn, i, findings, issued)
        audit.record(conn, action="inspection.complete", target_type="inspection", target_id=str(i["id"]),
                     summary={"findings": len(findings), "documents": [d["number"] for d in issued]})

    def _write_hazards(self, inspection_id: int) -> None:
        """Each finding not fixed on the spot becomes a hazard in the data centre (idempotent per finding)."""
        with self.pool.connection() as conn:
            i = store.inspection(conn, inspection_id)
            pending = [f for f in store.findings(conn, inspection_id) if f["handling"] != "fixed_on_site" and not f["hazard_id"]]
            orders = {d["type"]: d["number"] for d in docstore.of_inspection(conn, inspection_id)}
        for f in pending:
            item = CATALOGUE.item(f["item_code"]) if f["item_code"] else None
            order = orders.get("rectification_order" if f["handling"] == "order" else "onsite_measures") or ""
            record = {"uscc": i["uscc"], "source": "agency_inspection", "unannounced": i["mode"] == "unannounced",
                      "found_at": i["started_at"].astimezone(jsonio.SHANGHAI).isoformat(timespec="seconds"), "place": i["place"][:200],
                      "category": item.category if item else "other", "description": f["description"],
                      "level": "major" if f["major"] else "general", "deadline": f["deadline"].isoformat(), "status": "registered",
                      "measures": f"按{documents.TYPE_ZH['rectification_order' if f['handling'] == 'order' else 'onsite_measures']}{order}整改"}
            created = datacentre.create("hazard", record, idempotency_key=f"inspection-{inspection_id}-finding-{f['seq']}")
            with self.pool.connection() as conn, conn.transaction():
                store.set_hazard(conn, inspection_id=inspection_id, seq=f["seq"], hazard_id=str(created["id"]))

    # --- documents ----------------------------------------------------------------------------------

    def ListDocuments(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """Officers: the documents of their region; an enterprise: those issued to it (its orders)."""
        p = current_principal()
        own = _enterprise(p)
        prefix = "" if own else _scope(p, request.query.get("region_code"))
        doc_type = request.query.get("type") or None
        if doc_type and doc_type not in documents.TYPE_ZH:
            raise invalid(FieldViolation("type", "type.enum", "文书种类不在可选范围内", "Unknown document type"))
        year = jsonio.year(request.query["year"]) if request.query.get("year") else None
        size, after = jsonio.page(request.query)
        today = jsonio.today()
        with self.pool.connection() as conn:
            rows, total = docstore.listing(conn, prefix=prefix, uscc=own or (request.query.get("uscc") or "").upper() or None, doc_type=doc_type,
                                           year=year, after=int(after or 0), limit=size + 1)
            rechecks = store.rechecks_of_orders(conn, [r["id"] for r in rows[:size] if r["type"] == "rectification_order"])
        return _answer({"items": [_with_rectification(document_view(r, brief=True), rechecks.get(r["id"]), today) for r in rows[:size]],
                        "next_page_token": paging.next_token(rows, size, key="id") or None, "total": total})

    def GetDocument(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        with self.pool.connection() as conn:
            d = _readable_document(current_principal(), docstore.get(conn, _id(request, "文书")))
            r = store.recheck_of_order(conn, d["id"]) if d["type"] == "rectification_order" else None
        return _answer(_with_rectification(document_view(d), r, jsonio.today()))

    def RenderDocument(self, request: wpb.JsonRequest, context) -> pb.PdfResponse:
        with self.pool.connection() as conn:
            d = _readable_document(current_principal(), docstore.get(conn, _id(request, "文书")))
        enterprise = {"name": d["enterprise_name"], "uscc": d["uscc"]} | d["body"].get("enterprise", {})
        pdf = render.render(documents.printable(d, enterprise=enterprise))
        return pb.PdfResponse(pdf=pdf, filename=f"{documents.TYPE_ZH[d['type']]}-{d['number'] or d['id']}.pdf")

    def SignDocument(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """A signature given after issuing (the unit's head signs the order on delivery, or refuses)."""
        p = current_principal()
        rules.require_inspector(p)
        body = jsonio.body(request.body)
        role = body.get("role")
        name = str(body.get("name") or "").strip()
        errors = []
        if role not in ("inspector", "unit"):
            errors.append(FieldViolation("role", "role.enum", "签名人应为执法人员（inspector）或被检查单位（unit）", "role must be inspector or unit"))
        if not name or len(name) > 50:
            errors.append(FieldViolation("name", "name.required", "请填写签名人姓名（50字以内）", "name is required (at most 50 characters)"))
        refused = bool(body.get("refused"))
        note = str(body.get("note") or "").strip()[:500]
        if refused and not note:
            errors.append(FieldViolation("note", "note.required", "拒绝签字的，请由执法人员注明情况", "A refusal needs the officers' note"))
        if errors:
            raise invalid(*errors)
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                d = docstore.get(conn, _id(request, "文书"), lock=True)
                rules.require_within(p, d["region_code"] if d else None)
                signature = {"role": role, "name": name, "refused": refused, "note": note, "signed_at": _now().isoformat(),
                             "recorded_by": p.name}
                docstore.add_signature(conn, doc_id=d["id"], signature=signature)
                audit.record(conn, action="document.sign", target_type="document", target_id=str(d["id"]),
                             summary={"role": role, "refused": refused})
                return _answer(document_view(docstore.get(conn, d["id"])))
            return idempotency.once(conn, context, method=_SVC + "SignDocument", request=request, response_type=mpb.JsonResponse, work=work)

    # --- re-checks ----------------------------------------------------------------------------------

    def ListRechecks(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        prefix = _scope(p, request.query.get("region_code"))
        state = request.query.get("state") or None
        if state and state not in ("open", "waiting", "due", "overdue", "done"):
            raise invalid(FieldViolation("state", "state.enum", "状态应为 open、waiting、due、overdue 或 done", "Unknown state"))
        size, after = jsonio.page(request.query)
        today = jsonio.today()
        with self.pool.connection() as conn:
            rows, total = store.rechecks(conn, prefix=prefix, state=state, today=today, after=int(after or 0), limit=size + 1)
        return _answer({"items": [recheck_view(r, today) for r in rows[:size]], "next_page_token": paging.next_token(rows, size, key="id") or None,
                        "total": total})

    def RecordRecheck(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_inspector(p)
        body = jsonio.body(request.body)
        today = jsonio.today()
        deadlines = documents.table("enforcement_deadlines", today)
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                r = store.recheck(conn, _id(request, "复查"), lock=True)
                rules.require_within(p, r["region_code"] if r else None)
                if r["done_on"]:
                    raise Conflict("该整改指令已复查", "This order was already re-checked")
                result = rules.recheck_result(body, recheck=r, today=today, max_days=deadlines.body["order_max_days"])
                order = docstore.get(conn, r["order_id"])
                codes = documents.table("document_codes", today)
                agency_region, agency = documents.agency(order["agency_region"], codes)
                enterprise = {"uscc": r["uscc"], "name": r["enterprise_name"], "region_code": r["region_code"]}
                opinion = docstore.issue(
                    conn, doc_type="recheck_opinion", agency_region=agency_region, agency=agency,
                    doc_code=documents.doc_code("recheck_opinion", codes), year=today.year, inspection_id=order["inspection_id"],
                    parent_id=order["id"], enterprise=enterprise, due_on=None, by=p.name, signatures=[],
                    body=documents.body("recheck_opinion", inspection={}, findings=[], extra={
                        "order_number": order["number"], "rechecked_on": result["rechecked_on"].isoformat(), "result": result["result"],
                        "result_name": rules.RESULT_ZH[result["result"]], "opinion": result["opinion"],
                        "next_action": rules.NEXT_ZH.get(result["next_action"] or "", "")}) | {"enterprise": order["body"].get("enterprise", {})})
                events.document_issued(conn, opinion)
                if not store.finish_recheck(conn, recheck_id=r["id"], version=request.version or r["version"], result=result,
                                            opinion_id=opinion["id"], by=p.name):
                    raise Conflict("复查记录已被他人修改，请刷新后重试", "The re-check was changed by someone else; reload and retry")
                if result["next_action"] == "new_order":
                    again = docstore.issue(
                        conn, doc_type="rectification_order", agency_region=agency_region, agency=agency,
                        doc_code=documents.doc_code("rectification_order", codes), year=today.year, inspection_id=order["inspection_id"],
                        parent_id=order["id"], enterprise=enterprise, due_on=result["new_deadline"], by=p.name, signatures=[],
                        body={"fields": order["body"]["fields"] | {"deadline": result["new_deadline"].isoformat(),
                                                                   "previous_order": order["number"]},
                              "items": [it | {"deadline": result["new_deadline"].isoformat()} for it in order["body"].get("items", [])],
                              "enterprise": order["body"].get("enterprise", {})})
                    events.document_issued(conn, again)
                    store.insert_recheck(conn, order=again, due_on=rules.recheck_due(result["new_deadline"], deadlines.body))
                    followed = {"new_order_id": again["id"], "new_order_number": again["number"]}
                else:
                    followed = {}
                if result["next_action"] == "case":
                    open_penalty_case(conn, p, enterprise=enterprise, source="复查不合格", cause=f"逾期未整改（{order['number']}）",
                              inspection_id=order["inspection_id"], recheck_id=r["id"])
                done = store.recheck(conn, r["id"])
                events.recheck_done(conn, done)
                audit.record(conn, action="recheck.record", target_type="recheck", target_id=str(r["id"]),
                             summary={"result": result["result"], "next_action": result["next_action"], "opinion": opinion["number"]})
                return _answer(recheck_view(done, today) | followed)
            return idempotency.once(conn, context, method=_SVC + "RecordRecheck", request=request, response_type=mpb.JsonResponse, work=work)


    def ReportRectification(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """The enterprise reports how it rectified each item of an order issued to it (整改情况报告),
        signed by its principal; the re-check then falls due within the table's days of the report.
        A corrected report may follow until the re-check is recorded; every one is kept."""
        p = current_principal()
        own = _enterprise(p)
        if not own:
            raise PermissionDenied("整改情况报告由被责令整改的生产经营单位提交", "Only the enterprise the order was issued to reports")
        body = jsonio.body(request.body)
        today = jsonio.today()
        deadlines = documents.table("enforcement_deadlines", today)
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                order = _readable_document(p, docstore.get(conn, _id(request, "文书")))
                r = store.recheck_of_order(conn, order["id"], lock=True) if order["type"] == "rectification_order" else None
                if r is None:
                    raise invalid(FieldViolation("id", "id.not_order", "只有责令限期整改指令书需要报告整改情况",
                                                 "Only a rectification order takes a rectification report"))
                if r["done_on"]:
                    raise Conflict("该整改指令已复查，不能再报告整改情况", "This order was already re-checked")
                if request.version and request.version != r["version"]:
                    raise Conflict("整改记录已被他人修改，请刷新后重试", "The re-check was changed by someone else; reload and retry")
                report = rules.rectification_report(body, order=order, today=today) | {
                    "reported_on": today.isoformat(), "reported_at": _now().isoformat(), "reported_by": p.name}
                reported_on = r["reported_on"] or today
                due_on = rules.due_after_report(r, reported_on, deadlines.body)
                if not store.add_report(conn, recheck_id=r["id"], version=r["version"], report=report, reported_on=reported_on, due_on=due_on):
                    raise Conflict("整改记录已被他人修改，请刷新后重试", "The re-check was changed by someone else; reload and retry")
                done = store.recheck_of_order(conn, order["id"])
                events.rectification_reported(conn, done)
                audit.record(conn, action="rectification.report", target_type="recheck", target_id=str(r["id"]),
                             summary={"order": order["number"], "items": len(report["items"]), "report": len(done["reports"]),
                                      "due_on": done["due_on"].isoformat()})
                return _answer(_with_rectification(document_view(order), done, today))
            return idempotency.once(conn, context, method=_SVC + "ReportRectification", request=request, response_type=mpb.JsonResponse,
                                    work=work)


# --- helpers --------------------------------------------------------------------------------------

def _with_rectification(view: dict, recheck: dict | None, today: date) -> dict:
    """A rectification order's view with its re-check (整改与复查情况); other documents unchanged."""
    return view | {"rectification": rectification_view(recheck, today)} if recheck else view


def _require_planner(p: Principal, region_code: str) -> None:
    rules.require_inspector(p)
    if not p.has_any_role(*PLANNERS):
        raise PermissionDenied("仅监管科室负责人或平台管理员可制定和公布检查计划", "Only supervisors or administrators draw and publish plans")
    rules.require_within(p, region_code)


def _enterprise(p: Principal) -> str | None:
    """The enterprise's own credit code when an enterprise calls (its staff or its machine client)."""
    return p.uscc if p.kind == "enterprise" and p.uscc else None


def _readable_document(p: Principal, d: dict | None) -> dict:
    """A document an officer of its region or the enterprise it was issued to may read; any other
    is answered like an absent one."""
    own = _enterprise(p)
    if own:
        if d is None or d["uscc"] != own:
            raise NotFound("未找到该记录", "Not found")
        return d
    rules.require_inspector(p)
    rules.require_within(p, d["region_code"] if d else None)
    return d


def _scope(p: Principal, region_code: str | None) -> str:
    prefix = rules.require_inspector(p)
    if region_code:
        rules.require_within(p, region_code)
        return regions.significant_prefix(region_code)
    return prefix


def _listed_on(conn, usccs: list[str], day: date) -> dict:
    """The plan's credit input: the enterprises on the serious-dishonesty list on `day` with their
    plans measures, asked of the credit module as licensing asks it (the standing's consequences,
    kept where they apply to plans), the decision numbers of the active listings, and the version of
    the list's table. Recorded in the plan's inputs, so that the draw is verified from them."""
    listed, numbers = {}, {}
    for uscc, s in credit_ledger.standings(conn, usccs, as_of=day).items():
        plans = [c for c in s.consequences if c.get("applies_to") == "plans"]
        if plans:
            listed[uscc] = plans
            numbers[uscc] = sorted(x["decision_number"] for x in s.listings if dishonesty.active(x, as_of=day))
    return {"as_of": day.isoformat(), credit_ledger.LIST: credit_ledger.version(credit_ledger.LIST, day).isoformat(),
            "listed": listed, "decision_numbers": numbers}


def _officer_input(o: dict) -> dict:
    return {"id": str(o["id"]), "name": o["name"], "agency": o.get("agency") or "", "region_code": o["region_code"],
            "certificate_number": o.get("certificate_number") or "", "valid_until": date.fromisoformat(o["valid_until"]),
            "status": o.get("status") or "valid"}


def _officer_or_none(officer_id: str) -> dict | None:
    try:
        return datacentre.get("officer", officer_id)
    except NotFound:
        return None

