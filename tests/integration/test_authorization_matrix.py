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
from services.kit import roles
from services.kit.auth import Principal, principal_from_claims
from tests.integration.conftest import bearer, random_uscc

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


@dataclass
class Ctx:
    http: object
    admin_token: Callable[[], str]

    def pending_application(self) -> str:
        r = self.http.post("/api/v1/onboarding/applications", json=_application_body(random_uscc("620802")))
        assert r.status_code == 202, r.text
        return r.json()["id"]


def _application_body(uscc: str) -> dict:
    return {"uscc": uscc, "name": f"矩阵测试{uscc[-6:]}有限公司", "region_code": "620802", "contact_name": "矩阵",
            "contact_phone": "13900000000"}


PAGE = dict(ok=(200,), anonymous=(302,))
EXAMPLES: dict[str, Example] = {
    "GET /api/v1/me": Example(),
    "POST /api/v1/enterprises": Example(body=lambda ctx: {
        "uscc": KT_USCC, "name": "平凉市崆峒化工有限公司", "region_code": "620802",
        "address": "甘肃省平凉市崆峒区工业园区纬一路8号", "industry_code": "C2614"}, ok=(200, 201)),
    "GET /api/v1/enterprises/{uscc}": Example(path=lambda ctx: {"uscc": KT_USCC}),
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
    "GET /redoc": Example(),
    "GET /": Example(ok=(302,)),
    "GET /app/": Example(**PAGE),
    "GET /app/apply/": Example(),
    "GET /app/assets": Example(ok=(404,), path=lambda ctx: {}),  # static files: public; a missing one is 404 to all
    **{f"GET /app/{code}/": Example(**PAGE) for code in roles.PLATFORMS},
}
MATRIX_CLIENT: dict[str, str] = {}


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
def ctx(http, staff_token) -> Ctx:
    c = Ctx(http, lambda: staff_token("city-admin"))
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
        r = http.request(method, path, headers=headers, json=example.body(ctx) if example.body else None,
                         follow_redirects=False)
        want = expected(rule, example, p)
        if r.status_code not in want:
            wrong.append(f"{p.name}: got {r.status_code}, expected {want} — {r.text[:160]}")
    assert not wrong, f"{route_key(route)} [{rule.name}]\n" + "\n".join(wrong)
