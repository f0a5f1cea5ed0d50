"""Staff log in to the web front ends through the gateway: OIDC authorization code flow with PKCE
(S256) against Keycloak, as the confidential client `safety-web`. The tokens stay in the gateway's
session store; the browser gets an HttpOnly, SameSite=Lax session cookie and a readable CSRF
cookie whose value it must echo in X-CSRF-Token on state-changing requests.

  GET  /auth/login?next=/app/...  → Keycloak's login page (state + PKCE challenge)
  GET  /auth/callback             → code exchanged for tokens, session created, back to `next`
  POST /auth/logout               → session deleted and the Keycloak SSO session ended"""
from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from urllib.parse import urlencode

from anyio import to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError

from gateway.auth import PUBLIC, check_csrf
from gateway.openapi import PROBLEMS
from gateway.sessions import Session
from gateway.settings import GatewaySettings
from services.kit import config, roles
from services.kit.auth import Principal
from services.kit.errors import DomainError, InvalidArgument, Unauthenticated, Unavailable

log = logging.getLogger(__name__)
router = APIRouter(prefix="/auth", tags=["登录 login"])
LOGIN_COOKIE_SECONDS = 600


def web_client(settings: GatewaySettings) -> KeycloakOpenID:
    kc = config.keycloak()
    return KeycloakOpenID(server_url=kc.url + "/", realm_name=kc.realm, client_id=settings.web_client_id,
                          client_secret_key=settings.web_client_secret, timeout=10)


def web_person(p) -> bool:
    """Agency staff, or a person of an enterprise (enterprise-admin / enterprise-staff); never a machine client."""
    return p.kind == "staff" or (p.kind == "enterprise" and p.has_any_role(*roles.ENTERPRISE_USER_ROLES)
                                 and not p.username.startswith("service-account-"))


def _callback_url(settings: GatewaySettings) -> str:
    return f"{settings.public_url}/auth/callback"


def safe_next(path: str | None) -> str:
    """Only a path on this site: never an absolute or protocol-relative URL (open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or any(c < " " for c in path):
        return "/app/"
    return path


@router.get("/login", summary="网页登录（公开） / Start the browser login (public)", status_code=302, response_class=RedirectResponse,
            responses={302: {"description": "跳转到统一身份认证登录页"}, **PROBLEMS}, dependencies=[PUBLIC.dependency()])
async def login(request: Request, next: str | None = Query(None, max_length=500, description="登录后返回的站内路径")):
    settings: GatewaySettings = request.app.state.settings
    state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    await to_thread.run_sync(lambda: request.app.state.sessions.begin_login(state=state, code_verifier=verifier, next_path=safe_next(next)))
    kc = config.keycloak()
    url = f"{settings.keycloak_public_url}/realms/{kc.realm}/protocol/openid-connect/auth?" + urlencode({
        "client_id": settings.web_client_id, "response_type": "code", "scope": "openid",
        "redirect_uri": _callback_url(settings), "state": state,
        "code_challenge": challenge, "code_challenge_method": "S256"})
    response = RedirectResponse(url, status_code=302)
    # Binds the callback to this browser: a callback URL planted by someone else has no matching cookie.
    response.set_cookie(settings.login_cookie, state, max_age=LOGIN_COOKIE_SECONDS, path="/auth", httponly=True,
                        samesite="lax", secure=settings.secure_cookies)
    return response


@router.get("/callback", summary="登录回调（公开） / Login callback (public)", status_code=303, response_class=RedirectResponse,
            responses={303: {"description": "登录成功，返回原页面"}, **PROBLEMS}, dependencies=[PUBLIC.dependency()])
async def callback(request: Request, code: str = Query("", max_length=4096), state: str = Query("", max_length=200),
                   error: str | None = Query(None, max_length=200)):
    settings: GatewaySettings = request.app.state.settings
    if error:
        raise Unauthenticated(f"登录未完成：{error}", f"Login was not completed: {error}")
    if not code or not state or request.cookies.get(settings.login_cookie) != state:
        raise InvalidArgument("登录状态不匹配，请重新登录", "Login state mismatch; start the login again")
    attempt = await to_thread.run_sync(request.app.state.sessions.take_login, state)
    if attempt is None:
        raise InvalidArgument("登录已超时或已使用，请重新登录", "The login attempt expired or was already used; log in again")
    verifier, next_path = attempt
    try:
        tokens = await request.app.state.oidc.a_token(grant_type="authorization_code", code=code,
                                                      redirect_uri=_callback_url(settings), code_verifier=verifier)
    except KeycloakError as exc:
        if getattr(exc, "response_code", None) in (400, 401):
            raise Unauthenticated("登录凭据无效或已过期，请重新登录", "The authorization code was refused; log in again") from None
        raise Unavailable("身份认证服务暂时不可用，请稍后重试", "Keycloak is unavailable; retry later") from None
    principal = request.app.state.verifier.verify(tokens["access_token"])
    if not web_person(principal):
        raise Unauthenticated("仅机关工作人员和企业人员账号可通过网页登录", "Only agency staff and enterprise people log in through the browser")
    session_id, csrf = await to_thread.run_sync(lambda: request.app.state.sessions.create(principal=principal, tokens=tokens))
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(settings.session_cookie, session_id, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies)
    response.set_cookie(settings.csrf_cookie, csrf, path="/", httponly=False, samesite="strict", secure=settings.secure_cookies)
    response.delete_cookie(settings.login_cookie, path="/auth")
    log.info("web login", extra={"fields": {"user": principal.username}})
    return response


def _session_principal(request: Request, session: Session) -> Principal:
    """Who is logging out, for the audit trail; from the session itself if its access token has expired."""
    try:
        return request.app.state.verifier.verify(session.access_token)
    except DomainError:
        return Principal(subject=session.subject, client_id=request.app.state.settings.web_client_id,
                         username=session.username, kind="staff")


@router.post("/logout", name="session.logout", summary="退出登录 / Log out", responses=PROBLEMS, dependencies=[PUBLIC.dependency()])
async def logout(request: Request):
    """Ends the gateway session and the Keycloak session behind it. Idempotent by nature: without a
    session it only clears the cookies, so it needs no Idempotency-Key."""
    settings: GatewaySettings = request.app.state.settings
    session_id = request.cookies.get(settings.session_cookie)
    session = await to_thread.run_sync(request.app.state.sessions.get, session_id) if session_id else None
    if session is not None:
        check_csrf(request, session.csrf_token)
        principal = _session_principal(request, session)
        await to_thread.run_sync(lambda: request.app.state.sessions.delete(session.id_hash, principal=principal))
        try:
            await request.app.state.oidc.a_logout(session.refresh_token)  # ends the SSO session in Keycloak
        except KeycloakError as exc:  # already ended there (expired, or logged out elsewhere)
            log.info("keycloak logout: %s", exc)
    response = JSONResponse({"redirect": "/app/"})
    response.delete_cookie(settings.session_cookie, path="/")
    response.delete_cookie(settings.csrf_cookie, path="/")
    return response
