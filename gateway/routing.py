"""A cheaper route lookup. FastAPI (0.165) walks the included routers one after the other and, inside
each, its routes one by one, and does it twice per request (to choose, then to handle); `/healthz`,
behind some 170 record routes, spent about 170 µs there — more than a bare request costs in all.

install() puts a guard in front of every included router: the "head" of the path (`/api/v1/<name>`,
or the first segment elsewhere) is compared with the heads of the routes the router holds, and a
router that holds none with that head answers "no match" at once. Routers that may match are tried
in their usual order, so the route chosen is always the one FastAPI would choose
(tests/unit/test_gateway_routing.py checks every route of the gateway both ways). The heads, and
each router's list of candidates, are worked out once per router on its first request: the
gateway's routes are fixed when it starts."""
from __future__ import annotations

from fastapi import routing as fastapi_routing
from starlette.routing import Match, get_route_path

_UNKNOWN = object()
_included = fastapi_routing._IncludedRouter
_unguarded = _included.matches
_candidates = _included.effective_candidates


def head(path: str) -> str:
    """'/api/v1/hazards/12/history' → 'api/v1/hazards'; '/healthz' → 'healthz'; '/app/x' → 'app'."""
    parts = path.lstrip("/").split("/", 3)
    return "/".join(parts[:3]) if parts[:2] == ["api", "v1"] else parts[0]


def _heads(router) -> frozenset[str] | None:
    """The heads of the paths `router` can match; None when one of them is a path parameter (or a route
    has no path), so the router can never be skipped."""
    out = set()
    for context in router.effective_route_contexts():
        path = getattr(context.starlette_route, "path", None) or context.path
        if not path:
            return None
        h = head(path)
        if "{" in h:
            return None
        out.add(h)
    return frozenset(out)


def _guarded(self, scope) -> tuple[Match, dict]:
    heads = self.__dict__.get("_route_heads", _UNKNOWN)
    if heads is _UNKNOWN:
        heads = self.__dict__["_route_heads"] = _heads(self)
    if heads is not None and head(get_route_path(scope)) not in heads:
        return Match.NONE, {}
    return _unguarded(self, scope)


def _fixed_candidates(self) -> list:
    """FastAPI re-checks on every request, by walking all of a router's routes, whether any were added
    since; the gateway's are fixed at start, so the list is kept from the first request on."""
    candidates = self.__dict__.get("_fixed_candidates")
    if candidates is None:
        candidates = self.__dict__["_fixed_candidates"] = _candidates(self)
    return candidates


def install() -> None:
    _included.matches = _guarded
    _included.effective_candidates = _fixed_candidates


def uninstall() -> None:
    """FastAPI's own lookup again (for tests that compare the two)."""
    _included.matches = _unguarded
    _included.effective_candidates = _candidates
