"""Build-time checks over the gateway's route declarations (no infrastructure needed): a route
without an access rule, or a POST without a required Idempotency-Key, fails here first."""
from __future__ import annotations

import pytest

from gateway.app import create_app
from gateway.auth import PUBLIC, Permission, iter_routes, permission_of, staff
from services.kit import roles
from services.kit.auth import Principal

ROUTES = [r for r in iter_routes(create_app()) if getattr(r, "path", None)]


def test_every_route_declares_who_may_call_it():
    assert [r.path for r in ROUTES if permission_of(r) is None] == []


@pytest.mark.parametrize("route", [r for r in ROUTES if "POST" in (getattr(r, "methods", None) or ()) and r.path.startswith("/api/")],
                         ids=lambda r: r.path)
def test_every_api_post_requires_an_idempotency_key(route):
    headers = {p.alias: p for p in route.dependant.header_params}
    assert "Idempotency-Key" in headers and headers["Idempotency-Key"].field_info.is_required()


def test_only_deliberately_public_routes_are_public():
    public = sorted(r.path for r in ROUTES if permission_of(r).public)
    assert public == sorted(["/api/v1/onboarding/regions", "/api/v1/onboarding/applications", "/auth/login", "/auth/callback",
                             "/auth/logout", "/healthz", "/readyz", "/", "/app/apply/", "/app/assets",
                             "/openapi.json", "/docs", "/docs/oauth2-redirect"])


def who(kind: str, *role_names: str, scopes=(), region="620800", uscc=None) -> Principal:
    return Principal(subject="s", client_id="c", username="u", kind=kind, roles=frozenset(role_names), region=region,
                     uscc=uscc, scopes=frozenset(scopes))


def test_permission_allows_by_kind_role_and_scope():
    read = Permission("r", kinds=frozenset({"staff", "enterprise", "integrator"}), roles=frozenset({roles.DATACENTER_VIEWER}),
                      scopes=frozenset({"datacenter.read"}))
    assert read.allows(who("staff", roles.DATACENTER_VIEWER))
    assert not read.allows(who("staff", roles.GOVAFFAIRS_EDITOR))
    assert read.allows(who("enterprise", roles.ENTERPRISE, uscc="X"))
    assert not read.allows(who("enterprise", uscc="X")), "an enterprise token without the enterprise role"
    assert read.allows(who("integrator", roles.INTEGRATOR, scopes=["datacenter.read"]))
    assert not read.allows(who("integrator", roles.INTEGRATOR, scopes=["supervision.read"]))
    assert not read.allows(who("integrator", scopes=["datacenter.read"])), "an integrator token without the integrator role"
    review = staff("review", roles.DATACENTER_ADMIN)
    assert not review.allows(who("enterprise", roles.ENTERPRISE, roles.DATACENTER_ADMIN, uscc="X")), "kinds come first"
    assert PUBLIC.allows(who("staff"))


def test_platform_pages_follow_the_role_table():
    from gateway.me import platforms_for
    assert [p.code for p in platforms_for(who("staff", roles.SUPERVISION_INSPECTOR, roles.DATACENTER_VIEWER))] == ["datacenter", "supervision"]
    assert [p.code for p in platforms_for(who("staff", roles.PLATFORM_ADMIN))] == list(roles.PLATFORMS)
    assert platforms_for(who("staff")) == []
    assert platforms_for(who("enterprise", roles.ENTERPRISE, uscc="X")) == []


def test_region_names_load_on_first_use_on_a_machine_booted_a_minute_ago():
    """The header showed 620802 instead of 崆峒区 on a machine up for less than the cache's TTL: an
    empty cache stamped with time zero counted as fresh because time.monotonic() counts from boot."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from gateway.me import REGION_NAMES_TTL, RegionNames

    def run(coroutine):  # in a thread of its own: a browser test may have left an event loop in this one
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coroutine).result()
    clock = {"t": 60.0}
    loads = []

    async def load():
        loads.append(clock["t"])
        return {"620802": "崆峒区", "620800": "平凉市"}

    names = RegionNames(clock=lambda: clock["t"])
    assert run(names.name("620802", load)) == "崆峒区"
    assert run(names.name("620800", load)) == "平凉市"
    assert loads == [60.0], "cached after the first load"
    clock["t"] += REGION_NAMES_TTL
    assert run(names.name("620899", load)) == "620899", "an unknown code falls back to itself"
    assert loads == [60.0, 60.0 + REGION_NAMES_TTL], "reloaded once the TTL has passed"


# --- The OpenAPI document's `security` says what each route's Permission says ------------------------------
# Written apart from gateway/openapi.py on purpose, so a bug there shows up here as a disagreement.

SAFE = {"get", "head", "options"}


def expected_security(permission: Permission, method: str) -> list[dict]:
    """Public: nothing. Otherwise a bearer token always; the client-credentials token of an enterprise, or of an
    integrator holding one of the route's scopes; the session cookie if people may call (agency staff, or an
    enterprise's people, who also log in through the browser), with the CSRF header on writes."""
    if permission.public:
        return []
    alternatives = [{"bearer": []}]
    if "enterprise" in permission.kinds:
        alternatives.append({"clientCredentials": []})
    if "integrator" in permission.kinds:
        alternatives += [{"clientCredentials": [scope]} for scope in permission.scopes] or [{"clientCredentials": []}]
    if "staff" in permission.kinds or "enterprise" in permission.kinds:
        alternatives.append({"sessionCookie": []} if method in SAFE else {"sessionCookie": [], "csrfToken": []})
    return alternatives


def _normal(security) -> list:
    """Alternatives and the schemes within one are unordered; so are scopes."""
    return sorted({tuple(sorted((scheme, tuple(sorted(scopes))) for scheme, scopes in alternative.items()))
                   for alternative in security})


def security_mismatches(app) -> list[str]:
    """Every operation of `app.openapi()` against the Permission of the route that serves it."""
    document, found, out = app.openapi(), set(), []
    for route in iter_routes(app):
        if not getattr(route, "include_in_schema", False) or not getattr(route, "methods", None):
            continue
        for method in (m.lower() for m in route.methods):
            where = f"{method.upper()} {route.path_format}"
            if (route.path_format, method) in found:
                out.append(f"{where}: served by two routes")
            found.add((route.path_format, method))
            operation = document["paths"].get(route.path_format, {}).get(method)
            if operation is None:
                out.append(f"{where}: not in the document")
            elif "security" not in operation:
                out.append(f"{where}: no security")
            elif _normal(operation["security"]) != _normal(expected_security(permission_of(route), method)):
                out.append(f"{where}: security {operation['security']} but {permission_of(route).name!r} "
                           f"says {expected_security(permission_of(route), method)}")
    out += [f"{method.upper()} {path}: no route" for path, operations in document["paths"].items()
            for method in operations if (path, method) not in found]
    return sorted(out)


def test_every_operation_declares_the_security_its_permission_implies():
    assert security_mismatches(create_app()) == []


def test_public_operations_need_nothing_and_the_others_never_nothing():
    document = create_app().openapi()
    assert "security" not in document, "no global default: each operation says what it needs"
    public = sorted(f"{m.upper()} {p}" for p, ops in document["paths"].items() for m, op in ops.items() if op["security"] == [])
    assert public == ["GET /api/v1/onboarding/regions", "GET /auth/callback", "GET /auth/login", "GET /healthz", "GET /readyz",
                      "POST /api/v1/onboarding/applications", "POST /auth/logout"]
    assert all({} not in op["security"] for ops in document["paths"].values() for op in ops.values()), "no optional auth"


def test_the_document_declares_the_schemes_the_gateway_accepts():
    from dataclasses import replace

    from gateway.settings import GatewaySettings
    from services.kit import config
    settings = replace(GatewaySettings.from_env(), session_cookie="sess_x", csrf_cookie="csrf_x",
                       keycloak_public_url="https://sso.example.org")
    app = create_app(settings=settings)
    schemes = app.openapi()["components"]["securitySchemes"]
    issuer = f"https://sso.example.org/realms/{config.keycloak().realm}"
    assert set(schemes) == {"bearer", "clientCredentials", "sessionCookie", "csrfToken"}
    assert {k: schemes["bearer"][k] for k in ("type", "scheme", "bearerFormat")} == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert f"{issuer}/.well-known/openid-configuration" in schemes["bearer"]["description"]
    assert config.keycloak().issuer in schemes["bearer"]["description"], "the issuer tokens must carry"
    assert schemes["clientCredentials"]["type"] == "oauth2"
    assert schemes["clientCredentials"]["flows"] == {"clientCredentials": {
        "tokenUrl": f"{issuer}/protocol/openid-connect/token", "scopes": roles.INTEGRATOR_SCOPES}}
    assert {k: schemes["sessionCookie"][k] for k in ("type", "in", "name")} == {"type": "apiKey", "in": "cookie", "name": "sess_x"}
    assert {k: schemes["csrfToken"][k] for k in ("type", "in", "name")} == {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"}
    assert "`csrf_x`" in schemes["csrfToken"]["description"]
    used = {scope for r in ROUTES for scope in permission_of(r).scopes}
    assert used <= set(roles.INTEGRATOR_SCOPES), "every scope an operation names is declared by the scheme"


def test_the_csrf_scheme_names_the_header_the_gateway_reads():
    from types import SimpleNamespace

    from starlette.requests import Request

    from gateway.auth import CsrfRefused, check_csrf
    app = create_app()
    header = app.openapi()["components"]["securitySchemes"]["csrfToken"]["name"]

    def request(headers: dict) -> Request:
        return Request({"type": "http", "method": "POST", "path": "/", "app": SimpleNamespace(state=app.state),
                        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]})
    check_csrf(request({header: "t0ken"}), "t0ken")
    with pytest.raises(CsrfRefused):
        check_csrf(request({}), "t0ken")


def test_the_comparison_catches_a_document_that_disagrees_with_a_permission():
    app = create_app()
    document = app.openapi()
    document["paths"]["/api/v1/audit"]["get"]["security"] = [{"bearer": []}]  # the web session left out
    document["paths"]["/api/v1/onboarding/applications"]["post"]["security"] = [{"bearer": []}]  # public made protected
    del document["paths"]["/healthz"]["get"]["security"]
    document["paths"]["/api/v1/laws"]["post"]["security"] = [{"bearer": []}, {"sessionCookie": []}]  # CSRF forgotten
    assert [m.split(":")[0] for m in security_mismatches(app)] == [
        "GET /api/v1/audit", "GET /healthz", "POST /api/v1/laws", "POST /api/v1/onboarding/applications"]


def test_the_comparison_catches_a_generator_that_ignores_the_permission(monkeypatch):
    from gateway import openapi
    monkeypatch.setattr(openapi, "security_for", lambda permission, method: [] if permission.public else [{"bearer": []}])
    wrong = {m.split(":")[0] for m in security_mismatches(create_app())}
    assert {"GET /api/v1/audit", "POST /api/v1/laws", "POST /api/v1/enterprises"} <= wrong, "session, CSRF, client credentials"
    assert "GET /healthz" not in wrong


def test_the_document_is_valid_openapi_3_1():
    import schemathesis
    document = create_app().openapi()
    assert document["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(document).validate()
