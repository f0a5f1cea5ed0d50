"""The authorization matrix: every route of the gateway × every kind of caller.

Generated from the route declarations: for each route the test reads its `Permission` (gateway/auth.py)
and derives what each caller must get — 401 without credentials, 403 without the role or scope,
404 for a record in a foreign region or of a foreign enterprise (the same as for no record), the
route's success otherwise — then asks the running gateway with real Keycloak tokens. A route with
no declared rule, or with no example request below, fails the build."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Callable

import pytest
from jwcrypto import jws
import json

from gateway.app import create_app
from gateway.auth import Permission, iter_routes, permission_of
from infra.keycloak import realm
from services.datacenter.registry.catalogue import ALL as RECORD_KINDS
from services.datacenter.registry.spec import Kind
from services.kit import roles
from services.kit.auth import Principal, principal_from_claims
from tests.integration.conftest import RecordsApi, _cell, bearer, csv_bytes, good_body, random_uscc, zh_token

pytestmark = pytest.mark.integration

KT_USCC = "91620802MA71KT001D"   # demo enterprise in 崆峒区 (620802): the record every scoped route is about
ROUTES = [r for r in iter_routes(create_app()) if getattr(r, "path", None)]


def route_key(r) -> str:
    methods = sorted((getattr(r, "methods", None) or {"GET"}) - {"HEAD"})
    return f"{methods[0]} {r.path}"


@dataclass
class Persona:
    name: str
    token: Callable[[], str] | None   # None: no credentials
    principal: Principal | None = None
    foreign: bool = False             # region or enterprise other than the record's


@dataclass
class Example:
    path: Callable[["Ctx"], dict] = lambda ctx: {}
    body: Callable[["Ctx"], dict] | None = None
    ok: tuple[int, ...] = (200,)
    anonymous: tuple[int, ...] = (401,)
    params: dict = field(default_factory=dict)
    files: Callable[["Ctx"], dict] | None = None  # multipart upload instead of a JSON body
    data: dict | None = None                       # multipart form fields sent with `files`


@dataclass
class Ctx:
    http: object
    admin_token: Callable[[], str]
    records: RecordsApi | None = None
    made: dict = field(default_factory=dict)

    def pending_application(self) -> str:
        r = self.http.post("/api/v1/onboarding/applications", json=_application_body(random_uscc("620802")))
        assert r.status_code == 202, r.text
        return r.json()["id"]

    def record(self, kind: str):
        """The id of one record of `kind` in 崆峒区 (620802), of the demo enterprise KT_USCC for the kinds
        that belong to one, made once by city-admin (the enterprise record is the demo enterprise itself)."""
        if kind not in self.made:
            self.made[kind] = KT_USCC if kind == "enterprise" else self.records.create(kind, region="620802", uscc=KT_USCC)["id"]
        return self.made[kind]

    def monitored_point(self) -> int:
        """A KT coal-mine point (good_body), once its copy has reached supervision."""
        point = self.record("monitoring_point")
        from tests.integration.conftest import _db, wait_for
        with _db("supervision") as db:
            wait_for("the point's copy", lambda: db.execute("SELECT 1 FROM monitoring.point WHERE id = %s", (point,)).fetchone())
        return point

    def fresh(self, kind: str):
        """A new record of `kind` (version 1), for a route that uses one up."""
        return self.records.create(kind, region="620802", uscc=KT_USCC)["id"]

    def current(self, kind: str) -> dict:
        r = self.records.get(kind, self.record(kind))
        assert r.status_code == 200, r.text
        return r.json()


def _application_body(uscc: str) -> dict:
    return {"uscc": uscc, "name": f"矩阵测试{uscc[-6:]}有限公司", "region_code": "620802", "contact_name": "矩阵",
            "contact_phone": "13900000000"}


PAGE = dict(ok=(200,), anonymous=(302,))
EXAMPLES: dict[str, Example] = {
    "GET /api/v1/me": Example(),
    "POST /api/v1/enterprises": Example(body=lambda ctx: {
        "uscc": KT_USCC, "name": "平凉市崆峒化工有限公司", "region_code": "620802",
        "address": "甘肃省平凉市崆峒区工业园区纬一路8号", "industry_code": "C2614"}, ok=(200, 201)),
    "GET /api/v1/supervision/registrations/{uscc}": Example(path=lambda ctx: {"uscc": KT_USCC}),
    "GET /api/v1/supervision/registrations": Example(),
    "GET /api/v1/onboarding/regions": Example(),
    "POST /api/v1/onboarding/applications": Example(body=lambda ctx: _application_body(random_uscc("620802")), ok=(202,)),
    "GET /api/v1/onboarding/applications": Example(),
    "POST /api/v1/onboarding/applications/{application_id}/approve": Example(
        path=lambda ctx: {"application_id": ctx.pending_application()}, body=lambda ctx: {}),
    "POST /api/v1/onboarding/applications/{application_id}/reject": Example(
        path=lambda ctx: {"application_id": ctx.pending_application()}, body=lambda ctx: {"reason": "矩阵测试驳回"}),
    "GET /api/v1/enterprise-clients": Example(),
    "POST /api/v1/enterprise-clients/{client_id}/rotate-secret": Example(
        path=lambda ctx: {"client_id": MATRIX_CLIENT["id"]}, body=lambda ctx: {}),
    "POST /api/v1/enterprise-clients/{client_id}/disable": Example(path=lambda ctx: {"client_id": MATRIX_CLIENT["id"]}, body=lambda ctx: {}),
    "POST /api/v1/enterprise-clients/{client_id}/enable": Example(path=lambda ctx: {"client_id": MATRIX_CLIENT["id"]}, body=lambda ctx: {}),
    "GET /api/v1/audit": Example(),
    "GET /auth/login": Example(ok=(302,)),
    "GET /auth/callback": Example(ok=(422,)),  # public, and without a login in progress it refuses
    "POST /auth/logout": Example(),
    "GET /healthz": Example(),
    "GET /readyz": Example(),
    "GET /openapi.json": Example(),
    "GET /docs": Example(),
    "GET /docs/oauth2-redirect": Example(),
    "GET /": Example(ok=(302,)),
    "GET /app/": Example(**PAGE),
    "GET /app/apply/": Example(),
    "GET /app/assets": Example(ok=(404,), path=lambda ctx: {}),  # static files: public; a missing one is 404 to all
    **{f"GET /app/{code}/": Example(**PAGE) for code in roles.PLATFORMS},
    # the enterprise page is for the enterprise's people: a machine client passes the rule's kind and
    # is then refused as not a person (the matrix's personas have no enterprise person)
    "GET /app/enterprise/": Example(ok=(403,), anonymous=(302,)),
}
MATRIX_CLIENT: dict[str, str] = {}


def _refs(ctx: Ctx, kind: Kind) -> dict:
    return {f.name: ctx.record(f.ref) for f in kind.fields if f.ref}


def _create_body(ctx: Ctx, kind: Kind) -> dict:
    """Valid for every caller who may create: a hazard from the enterprise's own inspection (which staff may
    register too), records of the demo enterprise in its county 620802."""
    return good_body(kind.name, tok=zh_token(), region="620802", uscc=KT_USCC, refs=_refs(ctx, kind))


def _no_op_patch(ctx: Ctx, kind: Kind) -> dict:
    """{"version": current, a field: its current value}: answers 200 and changes nothing."""
    current = ctx.current(kind.name)
    name = next(f.name for f in kind.fields if f.list_column and not f.computed and not f.mask and current.get(f.name) is not None)
    return {"version": current["version"], name: current[name]}


def _import_file(ctx: Ctx, kind: Kind) -> dict:
    """A one-row CSV that would create a valid record (sent with dry_run=true: nothing is written)."""
    body = _create_body(ctx, kind)
    if kind.name == "enterprise":
        body = good_body("enterprise", tok=zh_token(), region="620802")
    names = list(body)
    return {"file": ("matrix.csv", csv_bytes([names, [_cell(body[n]) for n in names]]), "text/csv")}


def _record_examples(kind: Kind) -> dict[str, Example]:
    base = f"/api/v1/{kind.path}"
    one = lambda ctx, k=kind.name: {"record_id": ctx.record(k)}  # noqa: E731
    out = {
        f"GET {base}": Example(),
        f"GET {base}/statistics": Example(),
        f"GET {base}/export": Example(params={"format": "csv"}),
        f"POST {base}/import": Example(files=lambda ctx, k=kind: _import_file(ctx, k), data={"dry_run": "true"}),
        f"GET {base}/{{record_id}}": Example(path=one),
        f"GET {base}/{{record_id}}/history": Example(path=one),
        f"GET /api/v1/live/{kind.path}": Example(params={"timeout": 0}),  # a stream that ends at once
    }
    if kind.name != "enterprise":
        out[f"POST {base}"] = Example(body=lambda ctx, k=kind: _create_body(ctx, k), ok=(201,))
    if kind.updatable:
        out[f"PATCH {base}/{{record_id}}"] = Example(path=one, body=lambda ctx, k=kind: _no_op_patch(ctx, k))
    if kind.deletable:
        out[f"DELETE {base}/{{record_id}}"] = Example(path=lambda ctx, k=kind.name: {"record_id": ctx.fresh(k)},
                                                      params={"version": 1, "reason": "矩阵测试"})
    return out


EXAMPLES.update({key: example for kind in RECORD_KINDS for key, example in _record_examples(kind).items()})
MATRIX_USER: dict[str, str] = {}


def matrix_user(ctx) -> str:
    """One enterprise-staff account of KT, made once by city-admin, for the account-administration routes."""
    if not MATRIX_USER:
        name = f"matrix-{uuid.uuid4().hex[:10]}"
        r = ctx.http.post(f"/api/v1/enterprises/{KT_USCC}/users", headers=bearer(ctx.admin_token()) | {"Idempotency-Key": str(uuid.uuid4())},
                          json={"username": name, "display_name": "矩阵测试", "phone": "13900000000", "role": "enterprise-staff"})
        assert r.status_code == 201, r.text
        MATRIX_USER["name"] = name
    return MATRIX_USER["name"]


NO_RECORD = 9_000_000_000_000  # a plan, inspection, document or re-check that does not exist
NO_ALARM = 2_147_480_000
NO_APPLICATION = 2_147_480_000  # handling is tested in test_monitoring_flow.py; here only who may knock
EXAMPLES.update({
    "POST /api/v1/monitoring/readings": Example(body=lambda ctx: {"readings": [{"point": "MATRIX-NONE", "time": 1764640000000, "value": 1}]}),
    "GET /api/v1/monitoring/points": Example(),
    "GET /api/v1/monitoring/points/{point_id}": Example(path=lambda ctx: {"point_id": ctx.monitored_point()}),
    "GET /api/v1/monitoring/points/{point_id}/series": Example(path=lambda ctx: {"point_id": ctx.monitored_point()}),
    "GET /api/v1/monitoring/alarms": Example(),
    "GET /api/v1/monitoring/alarms/{alarm_id}": Example(path=lambda ctx: {"alarm_id": NO_ALARM}, ok=(404,)),
    "POST /api/v1/monitoring/alarms/{alarm_id}/acknowledge": Example(path=lambda ctx: {"alarm_id": NO_ALARM}, body=lambda ctx: {}, ok=(404,)),
    "POST /api/v1/monitoring/alarms/{alarm_id}/dispose": Example(path=lambda ctx: {"alarm_id": NO_ALARM}, ok=(404,),
                                                                  body=lambda ctx: {"cause": "a", "measures": "b", "result": "c"}),
    "GET /api/v1/monitoring/warnings": Example(),
    "GET /api/v1/monitoring/commitments": Example(),
    "GET /api/v1/monitoring/commitments/today": Example(),
    # a machine client may not file: people do (the service answers 403 after the gateway let it through)
    "POST /api/v1/monitoring/commitments": Example(body=lambda ctx: {"sources": [{"source_id": 1, "state": "normal"}]}, ok=(403,)),
    "GET /api/v1/monitoring/quality": Example(),
    "GET /api/v1/monitoring/coal-mines/{uscc}": Example(path=lambda ctx: {"uscc": KT_USCC} if ctx.monitored_point() else {}),
    "GET /api/v1/live/monitoring/alarms": Example(params={"timeout": 0}),
    "GET /api/v1/enterprises/{uscc}/users": Example(path=lambda ctx: {"uscc": KT_USCC}),
    "POST /api/v1/enterprises/{uscc}/users": Example(path=lambda ctx: {"uscc": KT_USCC}, ok=(201,), body=lambda ctx: {
        "username": f"matrix-{uuid.uuid4().hex[:10]}", "display_name": "矩阵测试", "phone": "13900000000", "role": "enterprise-staff"}),
    **{f"POST /api/v1/enterprises/{{uscc}}/users/{{username}}/{a}": Example(
        path=lambda ctx: {"uscc": KT_USCC, "username": matrix_user(ctx)}, body=lambda ctx: {}) for a in ("disable", "enable", "reset-password")},
    # 网格化监管 and 执法检查 (test_inspections_flow.py covers the work itself; here only who may knock)
    "GET /api/v1/grids": Example(),
    "POST /api/v1/grids": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/grids/classes": Example(),
    "POST /api/v1/grids/classes": Example(body=lambda ctx: {"county_code": "x"}, ok=(422,)),
    "GET /api/v1/grids/enterprises": Example(),
    "GET /api/v1/grids/enterprises/{uscc}": Example(path=lambda ctx: {"uscc": KT_USCC}),
    "POST /api/v1/grids/enterprises/{uscc}/assignment": Example(path=lambda ctx: {"uscc": KT_USCC},
                                                               body=lambda ctx: {"grid_code": "620802-G01", "reason": "矩阵测试"}),
    "GET /api/v1/grids/{code}": Example(path=lambda ctx: {"code": "620802-G01"}),
    "PATCH /api/v1/grids/{code}": Example(path=lambda ctx: {"code": "620802-G01"}, body=lambda ctx: {"version": 0, "name": "x"}, ok=(409,)),
    "POST /api/v1/grids/{code}/members": Example(path=lambda ctx: {"code": "620802-G01"},
                                                 body=lambda ctx: {"username": "matrix-member", "display_name": "矩阵测试", "duty": "网格员"}),
    "POST /api/v1/grids/{code}/members/removal": Example(path=lambda ctx: {"code": "620802-G01"}, body=lambda ctx: {"username": "matrix-none"},
                                                         ok=(404,)),
    "POST /api/v1/inspection-plans": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/inspection-plans": Example(params={"county_code": "620802", "year": 2000}, ok=(404,)),
    "GET /api/v1/inspection-plans/{plan_id}": Example(path=lambda ctx: {"plan_id": NO_RECORD}, ok=(404,)),
    "POST /api/v1/inspection-plans/{plan_id}/publication": Example(path=lambda ctx: {"plan_id": NO_RECORD}, body=lambda ctx: {}, ok=(404,)),
    "GET /api/v1/inspection-plans/{plan_id}/verification": Example(path=lambda ctx: {"plan_id": NO_RECORD}, ok=(404,)),
    "POST /api/v1/inspection-conflicts": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/inspection-checklists": Example(params={"sector": "coal"}),
    "POST /api/v1/inspections": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/inspections": Example(),
    "GET /api/v1/inspections/{inspection_id}": Example(path=lambda ctx: {"inspection_id": NO_RECORD}, ok=(404,)),
    "POST /api/v1/inspections/{inspection_id}/findings": Example(path=lambda ctx: {"inspection_id": NO_RECORD}, ok=(404,),
                                                                 body=lambda ctx: {"description": "矩阵测试", "handling": "fixed_on_site"}),
    "POST /api/v1/inspections/{inspection_id}/findings/removal": Example(path=lambda ctx: {"inspection_id": NO_RECORD},
                                                                         body=lambda ctx: {"seq": 1}, ok=(404,)),
    "POST /api/v1/inspections/{inspection_id}/completion": Example(path=lambda ctx: {"inspection_id": NO_RECORD}, body=lambda ctx: {},
                                                                   ok=(404,)),
    "GET /api/v1/enforcement-documents": Example(),
    "GET /api/v1/enforcement-documents/{document_id}": Example(path=lambda ctx: {"document_id": NO_RECORD}, ok=(404,)),
    "GET /api/v1/enforcement-documents/{document_id}/pdf": Example(path=lambda ctx: {"document_id": NO_RECORD}, ok=(404,)),
    "POST /api/v1/enforcement-documents/{document_id}/signatures": Example(path=lambda ctx: {"document_id": NO_RECORD}, ok=(404,),
                                                                           body=lambda ctx: {"role": "unit", "name": "矩阵测试"}),
    "GET /api/v1/rechecks": Example(),
    "POST /api/v1/enforcement-documents/{document_id}/rectification-report": Example(path=lambda ctx: {"document_id": NO_RECORD},
                                                                                      body=lambda ctx: {}, ok=(404,)),
    "POST /api/v1/rechecks/{recheck_id}": Example(path=lambda ctx: {"recheck_id": NO_RECORD}, body=lambda ctx: {}, ok=(404,)),
    "GET /api/v1/calendar/years": Example(),
    "GET /api/v1/calendar/years/{year}": Example(path=lambda ctx: {"year": 2026}),
    "PUT /api/v1/calendar/years/{year}": Example(path=lambda ctx: {"year": 2099}, body=lambda ctx: {"source": "矩阵测试", "days": []}, ok=(422,)),
    "GET /api/v1/calendar/deadline": Example(params={"start": "2026-12-01", "days": 5}),
    "GET /api/v1/licensing/types": Example(),
    "POST /api/v1/licensing/applications": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/licensing/applications": Example(),
    "GET /api/v1/licensing/applications/{application_id}": Example(path=lambda ctx: {"application_id": NO_APPLICATION}, ok=(404,)),
    **{f"POST /api/v1/licensing/applications/{{application_id}}/{step}": Example(
        path=lambda ctx: {"application_id": NO_APPLICATION}, body=lambda ctx: {"version": 1}, ok=(404,))
       for step in ("correction", "materials", "accept", "pauses", "pauses/end", "extension", "decision", "certificate", "delivery",
                    "withdrawal", "renewal", "change", "suspension", "revocation")},
    "GET /api/v1/standardization/standards": Example(),
    "POST /api/v1/standardization/applications": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/standardization/applications": Example(),
    "GET /api/v1/standardization/applications/{application_id}": Example(path=lambda ctx: {"application_id": NO_APPLICATION}, ok=(404,)),
    **{f"POST /api/v1/standardization/applications/{{application_id}}/{step}": Example(
        path=lambda ctx: {"application_id": NO_APPLICATION}, body=lambda ctx: {"version": 1}, ok=(404,))
       for step in ("acceptance", "return", "scores", "review", "notice", "objections", "certificate", "renewal", "downgrade",
                    "revocation")},
    "GET /api/v1/hazard-supervision/listings": Example(),
    "POST /api/v1/hazard-supervision/listings": Example(body=lambda ctx: {"hazard_id": NO_APPLICATION}, ok=(404,)),
    "GET /api/v1/hazard-supervision/listings/{listing_id}": Example(path=lambda ctx: {"listing_id": NO_RECORD}, ok=(404,)),
    **{f"POST /api/v1/hazard-supervision/listings/{{listing_id}}/{step}": Example(path=lambda ctx: {"listing_id": NO_RECORD}, body=body,
                                                                                  ok=(404,))
       for step, body in (("extensions", lambda ctx: {"new_deadline": "2099-01-01", "reason": "矩阵测试"}),
                          ("extension-decision", lambda ctx: {"approved": True}), ("closure", lambda ctx: {"note": "矩阵测试"}))},
    "GET /api/v1/hazard-supervision/board": Example(),
    "POST /api/v1/hazard-supervision/reports": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/hazard-supervision/reports": Example(params={"period": "2025Q4"}),
    "POST /api/v1/penalty-cases": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/penalty-cases": Example(),
    "GET /api/v1/penalty-cases/{case_id}": Example(path=lambda ctx: {"case_id": NO_RECORD}, ok=(404,)),
    "POST /api/v1/penalty-cases/{case_id}/steps": Example(path=lambda ctx: {"case_id": NO_RECORD}, body=lambda ctx: {"step": "filing"}, ok=(404,)),
    # 安全生产诚信 (test_credit_flow.py covers the work itself; here only who may knock)
    "GET /api/v1/credit/types": Example(),
    "GET /api/v1/credit/enterprises": Example(),
    "GET /api/v1/credit/enterprises/{uscc}": Example(path=lambda ctx: {"uscc": KT_USCC}),
    "POST /api/v1/credit/events": Example(body=lambda ctx: {}, ok=(422,)),
    "POST /api/v1/credit/dishonesty-listings": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/credit/dishonesty-listings": Example(),
    "GET /api/v1/credit/dishonesty-listings/{listing_id}": Example(path=lambda ctx: {"listing_id": NO_RECORD}, ok=(404,)),
    **{f"POST /api/v1/credit/dishonesty-listings/{{listing_id}}/{step}": Example(
        path=lambda ctx: {"listing_id": NO_RECORD}, body=lambda ctx: {"version": 1}, ok=(404,)) for step in ("repair", "repair-decision", "removal")},
    "POST /api/v1/credit/agencies": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/credit/agencies": Example(),
    "GET /api/v1/credit/agencies/{agency_id}": Example(path=lambda ctx: {"agency_id": NO_RECORD}, ok=(404,)),
    "PATCH /api/v1/credit/agencies/{agency_id}": Example(path=lambda ctx: {"agency_id": NO_RECORD}, body=lambda ctx: {"version": 1}, ok=(404,)),
    **{f"POST /api/v1/credit/agencies/{{agency_id}}/{step}": Example(path=lambda ctx: {"agency_id": NO_RECORD}, body=lambda ctx: {}, ok=(404,))
       for step in ("work", "findings")},
    "GET /api/v1/credit/follow-ups": Example(),
    "GET /api/v1/credit/follow-ups/{follow_up_id}": Example(path=lambda ctx: {"follow_up_id": NO_RECORD}, ok=(404,)),
    "POST /api/v1/credit/follow-ups/{follow_up_id}": Example(path=lambda ctx: {"follow_up_id": NO_RECORD}, body=lambda ctx: {"version": 1},
                                                            ok=(404,)),
    "GET /api/v1/datacenter/catalogue": Example(),
    "GET /api/v1/dictionaries/{name}": Example(path=lambda ctx: {"name": "sector"}),
    # 突发事件 (test_incidents_flow.py covers the work itself; here only who may knock)
    "GET /api/v1/incidents/options": Example(),
    "GET /api/v1/incidents": Example(),
    "POST /api/v1/incidents": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/incidents/{incident_id}": Example(path=lambda ctx: {"incident_id": NO_RECORD}, ok=(404,)),
    "PATCH /api/v1/incidents/{incident_id}": Example(path=lambda ctx: {"incident_id": NO_RECORD}, body=lambda ctx: {"version": 1}, ok=(404,)),
    "GET /api/v1/incidents/{incident_id}/timeline": Example(path=lambda ctx: {"incident_id": NO_RECORD}, ok=(404,)),
    **{f"POST /api/v1/incidents/{{incident_id}}/{step}": Example(path=lambda ctx: {"incident_id": NO_RECORD}, body=body, ok=(404,))
       for step, body in (("reports", lambda ctx: {"kind": "first", "course": "矩阵测试"}), ("level", lambda ctx: {"version": 1, "level": 4}),
                          ("command", lambda ctx: {"version": 1}), ("tasks", lambda ctx: {"title": "矩阵测试"}),
                          ("notes", lambda ctx: {"text": "矩阵测试"}), ("closure", lambda ctx: {"version": 1}))},
    "POST /api/v1/incidents/{incident_id}/tasks/{task_id}": Example(path=lambda ctx: {"incident_id": NO_RECORD, "task_id": NO_RECORD},
                                                                    body=lambda ctx: {"version": 1, "status": "accepted"}, ok=(404,)),
})


# 值班值守 (test_duty_flow.py covers the work itself; here only who may knock)
EXAMPLES.update({
    "GET /api/v1/duty/settings": Example(),
    "GET /api/v1/duty/shifts": Example(),
    "POST /api/v1/duty/shifts": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/duty/shifts/{shift_id}": Example(path=lambda ctx: {"shift_id": NO_RECORD}, ok=(404,)),
    "PUT /api/v1/duty/shifts/{shift_id}": Example(path=lambda ctx: {"shift_id": NO_RECORD}, body=lambda ctx: {"version": 1}, ok=(404,)),
    "DELETE /api/v1/duty/shifts/{shift_id}": Example(path=lambda ctx: {"shift_id": NO_RECORD}, params={"version": 1}, ok=(404,)),
    "POST /api/v1/duty/shifts/{shift_id}/handover": Example(path=lambda ctx: {"shift_id": NO_RECORD}, body=lambda ctx: {"version": 1}, ok=(404,)),
    "GET /api/v1/duty/spot-checks": Example(),
    "POST /api/v1/duty/spot-checks": Example(body=lambda ctx: {}, ok=(422,)),
    "POST /api/v1/duty/spot-checks/{check_id}/answer": Example(path=lambda ctx: {"check_id": NO_RECORD}, body=lambda ctx: {"version": 1},
                                                               ok=(404,)),
    "GET /api/v1/duty/daily-reports": Example(),
    "POST /api/v1/duty/daily-reports": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/duty/intakes": Example(),
    "POST /api/v1/duty/intakes": Example(body=lambda ctx: {}, ok=(422,)),
    "GET /api/v1/duty/intakes/{intake_id}": Example(path=lambda ctx: {"intake_id": NO_RECORD}, ok=(404,)),
    **{f"POST /api/v1/duty/intakes/{{intake_id}}/{step}": Example(path=lambda ctx: {"intake_id": NO_RECORD}, body=lambda ctx: {"version": 1},
                                                                  ok=(404,)) for step in ("link", "close")},
})

# 应急资源 (test_resources_flow.py covers the ranking; here only who may knock)
EXAMPLES.update({
    "GET /api/v1/emergency-resources/nearest": Example(params={"kind": "team", "lon": 106.665, "lat": 35.543}),
    "GET /api/v1/emergency-resources": Example(params={"kind": "warehouse"}),
})


def expected(rule: Permission, example: Example, persona: Persona) -> tuple[int, ...]:
    if rule.public:
        return example.ok
    if persona.principal is None:
        return example.anonymous
    if not rule.allows(persona.principal):
        return (403,)
    if rule.record == "own" and persona.foreign:
        return (403,)  # writing another enterprise's record: refused whether or not it exists
    if rule.record and persona.foreign:
        return (404,)  # outside the caller's region, or another enterprise's: as if it did not exist
    return example.ok


def _claims(token: str) -> dict:
    t = jws.JWS()
    t.deserialize(token)
    return json.loads(t.objects["payload"])


@pytest.fixture(scope="module")
def personas(staff_user, staff_token, http) -> list[Persona]:
    def persona(name: str, get: Callable[[], str], *, foreign: bool = False) -> Persona:
        return Persona(name, get, principal_from_claims(_claims(get())), foreign)

    def machine(client_id: str) -> Callable[[], str]:
        from keycloak import KeycloakOpenID
        from services.kit import config
        kc = config.keycloak()
        return lambda: KeycloakOpenID(server_url=kc.url + "/", realm_name=kc.realm, client_id=client_id,
                                      client_secret_key=realm.demo_secret(client_id)).token(grant_type="client_credentials")["access_token"]

    out = [Persona("no credentials", None)]
    for role in roles.STAFF_ROLES:  # one city-level account per staff role, holding only that role
        user = staff_user(f"matrix-{role}", "620800", role)
        out.append(persona(f"staff:{role}", lambda u=user: staff_token(u)))
    foreign = staff_user("matrix-foreign-region", "620821", *roles.STAFF_ROLES)
    out.append(persona("staff of a foreign county (all roles)", lambda: staff_token(foreign), foreign=True))
    out.append(persona("the enterprise itself", machine(realm.DEMO_ENTERPRISES[0].client_id)))
    out.append(persona("a foreign enterprise", machine(realm.DEMO_ENTERPRISES[1].client_id), foreign=True))
    out.append(persona("integrator (datacenter.read)", machine(realm.DEMO_INTEGRATOR.client_id)))
    return out


@pytest.fixture(scope="module")
def ctx(http, staff_token, records) -> Ctx:
    c = Ctx(http, lambda: staff_token("city-admin"), records)
    if not MATRIX_CLIENT:  # an enterprise client of 620802 made by onboarding, for the client-administration routes
        approved = http.post(f"/api/v1/onboarding/applications/{c.pending_application()}/approve", json={},
                             headers=bearer(c.admin_token()))
        assert approved.status_code == 200, approved.text
        MATRIX_CLIENT["id"] = approved.json()["client_id"]
    return c


def test_every_route_declares_a_rule_and_has_an_example():
    missing_rule = [route_key(r) for r in ROUTES if permission_of(r) is None]
    assert not missing_rule, f"routes without a Permission declaration: {missing_rule}"
    missing_example = [route_key(r) for r in ROUTES if route_key(r) not in EXAMPLES]
    assert not missing_example, f"routes without an example in the authorization matrix: {missing_example}"
    stale = set(EXAMPLES) - {route_key(r) for r in ROUTES}
    assert not stale, f"examples for routes that no longer exist: {stale}"


@pytest.mark.parametrize("route", ROUTES, ids=route_key)
def test_route_answers_each_caller_as_declared(route, personas, ctx, http):
    rule, example = permission_of(route), EXAMPLES[route_key(route)]
    method = route_key(route).split()[0]
    callers = personas if not rule.public else [p for p in personas if p.name in ("no credentials", "staff:platform-admin", "the enterprise itself")]
    wrong = []
    for p in callers:
        path = route.path.format(**example.path(ctx)) if "{" in route.path else route.path
        if route.path == "/app/assets":
            path = "/app/assets/matrix-no-such-file.js"
        headers = bearer(p.token()) if p.token else {}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        if example.files:
            r = http.request(method, path, headers=headers, params=example.params, files=example.files(ctx), data=example.data,
                             follow_redirects=False)
        else:
            r = http.request(method, path, headers=headers, params=example.params,
                             json=example.body(ctx) if example.body else None, follow_redirects=False)
        want = expected(rule, example, p)
        if r.status_code not in want:
            wrong.append(f"{p.name}: got {r.status_code}, expected {want} — {r.text[:160]}")
    assert not wrong, f"{route_key(route)} [{rule.name}]\n" + "\n".join(wrong)
