"""gateway/routing.py chooses the same route as FastAPI's own lookup for every route of the gateway
(each path with its parameters filled in, each method), for paths no route has, and for methods a
path does not allow — it only skips routers that cannot match."""
from __future__ import annotations

import re

import pytest
from fastapi.routing import _IncludedRouter
from starlette.routing import Match

from gateway import routing
from gateway.app import create_app


def _chosen(app, path: str, method: str):
    """(match, the route that would handle it) — FastAPI's selection, through included routers."""
    scope = {"type": "http", "path": path, "root_path": "", "method": method, "headers": [], "query_string": b""}
    partial = None
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return match, _leaf(route, scope)
        if match == Match.PARTIAL and partial is None:
            partial = route
    return (Match.PARTIAL, _leaf(partial, scope)) if partial is not None else (Match.NONE, None)


def _leaf(route, scope):
    while isinstance(route, _IncludedRouter):
        _, _, inner, context = route._match(scope)
        if not isinstance(inner, _IncludedRouter):
            return (context.original_route if context is not None else inner), getattr(context, "path", None)
        route = inner
    return route, getattr(route, "path", None)


def _sample(path: str) -> str:
    return re.sub(r"\{[^}:]+:path\}", "a/b.js", re.sub(r"\{[^}:]+\}", "12", path))


@pytest.fixture(scope="module")
def app():
    return create_app()


def _cases(app) -> list[tuple[str, str]]:
    cases = set()
    for route in app.router.routes:
        contexts = route.effective_route_contexts() if isinstance(route, _IncludedRouter) else [route]
        for c in contexts:
            path = getattr(getattr(c, "starlette_route", None), "path", None) or getattr(c, "path", "")
            for method in sorted(getattr(c, "methods", None) or {"GET"}):
                cases.add((_sample(path), method))
    cases |= {("/api/v1/nothing-here", "GET"), ("/api/v1", "GET"), ("/", "GET"), ("/nothing", "GET"),
              ("/api/v1/hazards/12", "PUT"), ("/api/v1/enterprises", "DELETE"), ("/healthz/", "GET")}
    return sorted(cases)


def test_every_route_is_chosen_as_fastapi_chooses_it(app):
    cases = _cases(app)
    assert len(cases) > 150
    routing.uninstall()
    try:
        expected = {case: _chosen(app, *case) for case in cases}
    finally:
        routing.install()
    for case in cases:
        assert _chosen(app, *case) == expected[case], case


def test_a_router_that_holds_no_such_path_is_skipped(app):
    guarded = [r for r in app.router.routes if isinstance(r, _IncludedRouter)]
    scope = {"type": "http", "path": "/healthz", "root_path": "", "method": "GET", "headers": [], "query_string": b""}
    for r in guarded:
        r.matches(scope)
    heads = {h for r in guarded for h in (r.__dict__.get("_route_heads") or ())}
    assert {"healthz", "api/v1/me", "api/v1/hazards"} <= heads
    assert routing.head("/api/v1/hazards/12/history") == "api/v1/hazards" and routing.head("/app/x/y") == "app"
