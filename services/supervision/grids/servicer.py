"""gRPC GridService: the grid tree, its people, each enterprise's grid and history, and the yearly
enterprise classes. Supervision staff read their region; supervisors and platform administrators
change it. Answers are the REST pages as JSON; every write is audited in its own transaction."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from psycopg_pool import ConnectionPool

from safety.supervision.v1 import grids_pb2_grpc
from safety.supervision.v1 import monitoring_pb2 as mpb
from safety.supervision.v1 import workflow_pb2 as wpb
from services.kit import audit, idempotency, jsonio, paging, regions
from services.kit.auth import current_principal
from services.kit.codes import mask_phone
from services.kit.errors import Conflict, FieldViolation, NotFound, invalid
from services.kit.grpc_server import AuditedWrite
from services.kit import datacentre
from services.supervision import sectors
from services.supervision.credit import ledger as credit_ledger
from services.supervision.grids import classes, events, rules, store
from services.supervision.monitoring.servicer import county
from services.supervision.registrations import store as registrations

_SVC = "/safety.supervision.v1.GridService/"
CLASS_ZH = {"A": "A类（低风险）", "B": "B类（一般风险）", "C": "C类（较大风险）", "D": "D类（高风险）"}


def _answer(data) -> mpb.JsonResponse:
    return mpb.JsonResponse(json=jsonio.dumps(data))


def grid_view(g: dict) -> dict:
    return {"code": g["code"], "name": g["name"], "region_code": g["region_code"], "county_name": county(g["region_code"]),
            "parent_code": g["parent_code"], "level": g["level"], "level_name": rules.LEVEL_ZH[g["level"]],
            "responsibilities": g["responsibilities"], "version": g["version"],
            **({"enterprises": g["enterprises"], "members": g["members"]} if "enterprises" in g else {})}


def member_view(m: dict) -> dict:
    return {"username": m["username"], "display_name": m["display_name"], "duty": m["duty"],
            "phone": mask_phone(m["phone"]) if m["phone"] else None, "officer_id": m["officer_id"], "added_at": m["added_at"]}


def enterprise_view(r: dict) -> dict:
    return {"uscc": r["uscc"], "name": r["name"], "region_code": r["region_code"], "county_name": county(r["region_code"]),
            "grid_code": r["grid_code"], "grid_name": r["grid_name"], "sector": r["sector"],
            "sector_name": sectors.name(r["sector"]), "standardization_grade": r["standardization_grade"],
            "risk_colour": r["risk_colour"], "grid_assigned_manually": r["grid_assigned_manually"],
            "class": r.get("class"), "class_name": CLASS_ZH.get(r.get("class") or ""), "score": r.get("score"),
            "key_target": r.get("key_target")}


class GridServicer(grids_pb2_grpc.GridServiceServicer):
    WRITES = {
        "CreateGrid": AuditedWrite("grid.create", "grid", "id"),
        "UpdateGrid": AuditedWrite("grid.update", "grid", "id"),
        "AddMember": AuditedWrite("grid.member.add", "grid", "id"),
        "RemoveMember": AuditedWrite("grid.member.remove", "grid", "id"),
        "AssignEnterprise": AuditedWrite("grid.assign", "registration", "id"),
        "ClassifyEnterprises": AuditedWrite("grid.classify", "enterprise_class", "id"),
    }

    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    # --- the tree ---------------------------------------------------------------------------------

    def ListGrids(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        prefix = rules.require_reader(p)
        scope = request.query.get("region_code") or ""
        if scope:
            rules.require_within(p, scope)
            prefix = regions.significant_prefix(scope)
        with self.pool.connection() as conn:
            rows = store.grids_within(conn, prefix)
        return _answer({"items": rules.tree([grid_view(g) for g in rows]), "total": len(rows)})

    def GetGrid(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_reader(p)
        with self.pool.connection() as conn:
            g = store.grid(conn, request.id)
            rules.require_within(p, g["region_code"] if g else None)
            members = store.members(conn, g["code"])
            children = [c for c in store.grids_within(conn, regions.significant_prefix(g["region_code"])) if c["parent_code"] == g["code"]]
        return _answer(grid_view(g) | {"member_list": [member_view(m) for m in members], "children": [grid_view(c) for c in children]})

    def CreateGrid(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        body = jsonio.body(request.body)
        parent_code = str(body.get("parent_code") or "")
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                parent = store.grid(conn, parent_code) if parent_code else None
                rules.require_manager(p, parent["region_code"] if parent else p.region)
                fields = rules.new_grid(body, parent)
                rules.require_within(p, fields["region_code"])
                code = rules.child_code(fields["region_code"], store.codes_of_region(conn, fields["region_code"]))
                store.insert_grid(conn, code=code, parent_code=parent_code, fields=fields)
                audit.record(conn, action="grid.create", target_type="grid", target_id=code,
                             summary={"name": fields["name"], "parent": parent_code})
                return _answer(grid_view(store.grid(conn, code)))
            return idempotency.once(conn, context, method=_SVC + "CreateGrid", request=request, response_type=mpb.JsonResponse, work=work)

    def UpdateGrid(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        changes = rules.grid_changes(jsonio.body(request.body))
        with self.pool.connection() as conn, conn.transaction():
            g = store.grid(conn, request.id, lock=True)
            rules.require_within(p, g["region_code"] if g else None)
            rules.require_manager(p, g["region_code"])
            if not store.update_grid(conn, code=g["code"], version=request.version, changes=changes):
                raise Conflict("网格已被他人修改，请刷新后重试", "The grid was changed by someone else; reload and retry")
            audit.record(conn, action="grid.update", target_type="grid", target_id=g["code"], summary=changes)
            g = store.grid(conn, g["code"])
        return _answer(grid_view(g))

    def AddMember(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        m = rules.member(jsonio.body(request.body))
        with self.pool.connection() as conn, conn.transaction():
            g = store.grid(conn, request.id)
            rules.require_within(p, g["region_code"] if g else None)
            rules.require_manager(p, g["region_code"])
            store.upsert_member(conn, grid_code=g["code"], m=m)
            audit.record(conn, action="grid.member.add", target_type="grid", target_id=g["code"],
                         summary={"username": m["username"], "duty": m["duty"]})
            members = store.members(conn, g["code"])
        return _answer({"grid_code": g["code"], "member_list": [member_view(x) for x in members]})

    def RemoveMember(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        username = str(jsonio.body(request.body).get("username") or "")
        with self.pool.connection() as conn, conn.transaction():
            def work() -> mpb.JsonResponse:
                g = store.grid(conn, request.id)
                rules.require_within(p, g["region_code"] if g else None)
                rules.require_manager(p, g["region_code"])
                if not store.delete_member(conn, grid_code=g["code"], username=username):
                    raise NotFound("该网格没有此成员", "No such member in this grid")
                audit.record(conn, action="grid.member.remove", target_type="grid", target_id=g["code"], summary={"username": username})
                return _answer({"grid_code": g["code"], "member_list": [member_view(x) for x in store.members(conn, g["code"])]})
            return idempotency.once(conn, context, method=_SVC + "RemoveMember", request=request, response_type=mpb.JsonResponse, work=work)

    # --- enterprises --------------------------------------------------------------------------------

    def ListEnterprises(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        prefix = rules.require_reader(p)
        q = request.query
        if q.get("region_code"):
            rules.require_within(p, q["region_code"])
            prefix = regions.significant_prefix(q["region_code"])
        klass = q.get("class") or None
        if klass and klass not in CLASS_ZH:
            raise invalid(FieldViolation("class", "class.enum", "分类应为 A、B、C、D", "class must be A, B, C or D"))
        year = jsonio.year(q.get("year"), default=jsonio.today().year)
        size, after = jsonio.page(q)
        with self.pool.connection() as conn:
            if q.get("grid_code"):
                g = store.grid(conn, q["grid_code"])
                rules.require_within(p, g["region_code"] if g else None)
            rows, total = store.enterprises(conn, grid_code=q.get("grid_code") or None, prefix=prefix, year=year, klass=klass,
                                            after=after, limit=size + 1, name=(q.get("q") or "").strip()[:100] or None)
        return _answer({"items": [enterprise_view(r) for r in rows[:size]], "next_page_token": paging.next_token(rows, size, key="uscc") or None,
                        "total": total, "year": year})

    def AssignEnterprise(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        body = jsonio.body(request.body)
        uscc = request.id.strip().upper()
        with self.pool.connection() as conn, conn.transaction():
            e = store.registration(conn, uscc, lock=True)
            rules.require_within(p, e["region_code"] if e else None)
            rules.require_manager(p, e["region_code"])
            target = store.grid(conn, str(body.get("grid_code") or ""))
            reason = str(body.get("reason") or "")
            rules.check_assignment(enterprise=e, grid=target, reason=reason)
            if target["code"] != e["grid_code"]:
                store.move(conn, uscc=uscc, grid_code=target["code"])
                registrations.assign(conn, uscc=uscc, grid_code=target["code"], reason=reason.strip(), by=p.name)
                audit.record(conn, action="grid.assign", target_type="registration", target_id=uscc,
                             summary={"from": e["grid_code"], "to": target["code"], "reason": reason.strip()})
                events.enterprise_assigned(conn, uscc=uscc, region_code=e["region_code"], from_grid=e["grid_code"], to_grid=target["code"],
                                           reason=reason.strip(), by=p.name)
            return _answer(self._enterprise_grid(conn, uscc))

    def GetEnterpriseGrid(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        rules.require_reader(p)
        uscc = request.id.strip().upper()
        with self.pool.connection() as conn:
            e = store.registration(conn, uscc)
            rules.require_within(p, e["region_code"] if e else None)
            return _answer(self._enterprise_grid(conn, uscc))

    @staticmethod
    def _enterprise_grid(conn, uscc: str) -> dict:
        e = store.registration(conn, uscc)
        return enterprise_view(e) | {
            "history": store.history(conn, uscc),
            "classes": [c | {"class_name": CLASS_ZH[c["class"]]} for c in store.classes_of(conn, uscc)]}

    # --- classes ------------------------------------------------------------------------------------

    def ClassifyEnterprises(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        """Class every registered enterprise of a county for a year, from the registry, the major
        hazard sources and the data centre's accidents and open hazards (read as the caller)."""
        p = current_principal()
        body = jsonio.body(request.body)
        county_code = jsonio.county(body.get("county_code"))
        year = jsonio.year(body.get("year"))
        rules.require_manager(p, county_code)
        table = classes.table_for(year)
        look_back = classes.look_back_start(year, table)
        accidents: dict[str, list] = defaultdict(list)
        for a in datacentre.records("accident", {"region_code": county_code}):
            occurred = date.fromisoformat(a["occurred_at"][:10])
            if look_back <= occurred <= date(year, 12, 31):
                # an accident whose grade the data centre has not computed yet counts as 一般, the lowest
                accidents[a["uscc"]].append({"occurred_on": occurred, "deaths": a.get("deaths") or 0, "grade": a.get("grade") or "general"})
        hazards: dict[str, Counter] = defaultdict(Counter)
        for h in datacentre.records("hazard", {"region_code": county_code}):
            if h.get("status") != "closed":
                hazards[h["uscc"]][h.get("level") or "general"] += 1
                if h.get("level") == "major" and h.get("overdue"):
                    hazards[h["uscc"]]["overdue_major"] += 1
        by = p.name
        with self.pool.connection() as conn, conn.transaction():
            sources = store.source_grades(conn, county_code)
            registered = store.registrations_of_county(conn, county_code)
            credit = credit_ledger.standings(conn, [r["uscc"] for r in registered], as_of=jsonio.today())  # 诚信: grade and listing
            out, counts, skipped = [], Counter(), []
            for r in registered:
                open_h = hazards.get(r["uscc"], Counter())
                enterprise = {"uscc": r["uscc"], "sector": r["sector"] or "other", "standardization_grade": r["standardization_grade"],
                              "risk_colour": r["risk_colour"], "accidents": accidents.get(r["uscc"], []),
                              "major_hazard_sources": sources.get(r["uscc"], []),
                              "open_hazards": {"general": open_h["general"], "major": open_h["major"], "overdue_major": open_h["overdue_major"]},
                              "credit_grade": credit[r["uscc"]].score.grade, "listed_dishonest": credit[r["uscc"]].score.listed}
                try:
                    c = classes.classify(enterprise, table=table)
                except ValueError as exc:  # a record the table cannot judge (an unknown sector code): listed, not fatal
                    skipped.append({"uscc": r["uscc"], "name": r["name"], "reason": str(exc)})
                    continue
                key = classes.key_target(c, enterprise, table=table)
                counts[c.klass] += 1
                out.append((r["uscc"], year, c.klass, c.score, key, c.key_reasons_zh if key else (), jsonio_safe(enterprise),
                            [list(f) for f in c.factors], table.effective_from, by))
            store.save_classes(conn, out)
            events.classes_computed(conn, county_code=county_code, year=year, counts={k: counts.get(k, 0) for k in CLASS_ZH},
                                    key_targets=sum(1 for row in out if row[4]), table_version=table.effective_from)
            audit.record(conn, action="grid.classify", target_type="enterprise_class", target_id=f"{county_code}:{year}",
                         summary={"county_code": county_code, "year": year, "counts": dict(counts)})
        return _answer({"county_code": county_code, "county_name": county(county_code), "year": year, "classified": len(out),
                        "counts": {k: counts.get(k, 0) for k in CLASS_ZH}, "key_targets": sum(1 for row in out if row[4]),
                        "table_version": table.effective_from, "skipped": skipped})

    def ListClasses(self, request: wpb.JsonRequest, context) -> mpb.JsonResponse:
        p = current_principal()
        prefix = rules.require_reader(p)
        if request.query.get("region_code"):
            rules.require_within(p, request.query["region_code"])
            prefix = regions.significant_prefix(request.query["region_code"])
        year = jsonio.year(request.query.get("year"), default=jsonio.today().year)
        with self.pool.connection() as conn:
            rows = store.class_counts(conn, prefix=prefix, year=year)
        return _answer({"year": year, "items": [r | {"county_name": county(r["county_code"]), "class_name": CLASS_ZH[r["class"]]}
                                                for r in rows]})


def jsonio_safe(enterprise: dict) -> dict:
    """The inputs as they are kept beside the class (dates as text)."""
    return {k: ([a | {"occurred_on": a["occurred_on"].isoformat()} for a in v] if k == "accidents" else v) for k, v in enterprise.items()}

