"""Who is calling, and may they call this route.

Callers authenticate with a bearer access token (enterprises, integrators, scripts) or, in the
browser, with the session cookie set by the OIDC login (gateway/oidc.py); then state-changing
requests must also carry the session's CSRF token. Each route declares its `Permission` beside
itself (role × region × ownership); tests/integration/test_authorization_matrix.py reads these
declarations and checks every route against every kind of caller. The services check again."""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import grpc
from anyio import to_thread
from fastapi import Depends, Request
from keycloak.exceptions import KeycloakError

from services.kit import roles
from services.kit.auth import Principal, bearer_token, principal_var
from services.kit.errors import DomainError, PermissionDenied, Unauthenticated, Unavailable

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFRESH_MARGIN = timedelta(seconds=30)


class TooManyRequests(DomainError):
    grpc_code, http_status, kind = grpc.StatusCode.RESOURCE_EXHAUSTED, 429, "too-many-requests"
    title_zh, title_en = "请求过于频繁，请稍后再试", "Too many requests; slow down"

    def __init__(self, retry_after: float):
        super().__init__(f"请在 {retry_after:.0f} 秒后重试", f"Retry after {retry_after:.0f} s")
        self.retry_after = retry_after


class CsrfRefused(PermissionDenied):
    kind = "csrf"
    title_zh, title_en = "请求来源校验失败（CSRF），请刷新页面后重试", "Cross-site request check failed (CSRF); reload the page and retry"


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


async def authenticate(request: Request) -> Principal:
    app = request.app
    authorization = request.headers.get("authorization")
    session_id = request.cookies.get(app.state.settings.session_cookie)
    if authorization is None and session_id:
        token = await _session_token(request, session_id)
    else:
        token = bearer_token(authorization)
    principal = app.state.verifier.verify(token)
    request.state.token = token
    request.state.principal = principal
    principal_var.set(principal)
    wait, first = await app.state.limits.subject.take(principal.subject or principal.client_id)
    if wait:
        request.state.audit_refusal = first
        raise TooManyRequests(wait)
    return principal


async def _session_token(request: Request, session_id: str) -> str:
    app = request.app
    session = await to_thread.run_sync(app.state.sessions.get, session_id)
    if session is None:
        raise Unauthenticated("登录已失效，请重新登录", "The session has ended; log in again")
    request.state.session = session
    if request.method not in SAFE_METHODS:
        check_csrf(request, session.csrf_token)
    if session.access_expires_at - datetime.now(timezone.utc) < REFRESH_MARGIN:
        try:
            tokens = await app.state.oidc.a_refresh_token(session.refresh_token)
        except KeycloakError as exc:
            if getattr(exc, "response_code", None) in (400, 401):  # refresh token expired or revoked in Keycloak
                await to_thread.run_sync(app.state.sessions.delete, session.id_hash)
                raise Unauthenticated("登录已失效，请重新登录", "The session has ended; log in again") from None
            raise Unavailable("身份认证服务暂时不可用，请稍后重试", "Keycloak is unavailable; retry later") from None
        session = await to_thread.run_sync(app.state.sessions.store_refreshed, session, tokens)
        request.state.session = session
    return session.access_token


def check_csrf(request: Request, expected: str) -> None:
    """Double submit: the page echoes the session's CSRF token (readable cookie) in a header, which
    a cross-site form or script cannot do; and a browser-supplied Origin must be our own."""
    origin = request.headers.get("origin")
    if origin and origin.rstrip("/") != request.app.state.settings.public_url:
        raise CsrfRefused("请求来源不是本平台", f"Origin {origin} is not this platform")
    supplied = request.headers.get("x-csrf-token", "")
    if not supplied or not hmac.compare_digest(supplied, expected):
        raise CsrfRefused("缺少或错误的 CSRF 令牌", "Missing or wrong X-CSRF-Token header")


@dataclass(frozen=True)
class Permission:
    """Who may call a route.

    kinds:  which callers: "staff", "enterprise", "integrator" (machine clients by their token).
    roles:  staff must hold one of these realm roles (empty: any staff role).
    scopes: integrators must hold one of these OAuth scopes.
    record: "" when the route is not about one record; "region" when it acts on a record the
            caller's region must cover; "owner-or-region" when the owning enterprise may also
            act — outside that, the answer is 404, the same as for a record that does not exist;
            "own" when the caller writes a record its body names, which must be its own — for
            another's, 403 whether or not that record exists.
    public: no authentication at all (rate-limited per client address instead)."""
    name: str
    kinds: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    record: str = ""
    public: bool = False
    rate_limited: bool = True  # public routes only: per client address

    def allows(self, p: Principal) -> bool:
        if self.public:
            return True
        if p.kind not in self.kinds:
            return False
        if p.kind == "staff":
            return not self.roles or bool(p.roles & self.roles)
        if p.kind == "enterprise":
            return roles.ENTERPRISE in p.roles
        return roles.INTEGRATOR in p.roles and (not self.scopes or bool(p.scopes & self.scopes))

    def check(self, p: Principal) -> Principal:
        if not self.allows(p):
            raise PermissionDenied("当前账号无权访问此接口", f"Not allowed: requires {self.name}")
        return p

    def dependency(self):
        if self.public:
            async def _public(request: Request) -> None:
                if not self.rate_limited:
                    return
                wait, first = await request.app.state.limits.address.take(client_address(request))
                if wait:
                    request.state.audit_refusal = first
                    raise TooManyRequests(wait)
            _public.permission = self  # lets tests enumerate every route's rule
            return Depends(_public)

        async def _check(request: Request) -> Principal:
            return self.check(await authenticate(request))
        _check.permission = self
        return Depends(_check)


def staff(name: str, *role_names: str, record: str = "") -> Permission:
    return Permission(name, kinds=frozenset({"staff"}), roles=frozenset(role_names), record=record)


PUBLIC = Permission("anyone (public)", public=True)
HEALTH = Permission("anyone (public health probe, not rate-limited)", public=True, rate_limited=False)
DOCS = Permission("anyone (public API documentation, not rate-limited)", public=True, rate_limited=False)
ANY_CALLER = Permission("any authenticated caller", kinds=frozenset({"staff", "enterprise", "integrator"}))


def permission_of(route) -> Permission | None:
    """The Permission a route declared, found among its dependencies."""
    stack = list(getattr(route, "dependant", None).dependencies) if getattr(route, "dependant", None) else []
    while stack:
        dep = stack.pop()
        found = getattr(dep.call, "permission", None)
        if found is not None:
            return found
        stack.extend(dep.dependencies)
    return getattr(getattr(route, "endpoint", None), "permission", None) or getattr(route, "permission", None)


def iter_routes(app):
    """Every concrete route of the app, with routers included through include_router flattened."""
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()
        else:
            yield route
