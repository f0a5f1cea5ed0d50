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
                             "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"])


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
