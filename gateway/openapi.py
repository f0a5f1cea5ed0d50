"""The OpenAPI document: problem responses documented on every route, so it lists what can come back;
and the security schemes with each operation's `security`, derived from the route's `Permission`."""
from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from pydantic import BaseModel

from gateway.auth import DOCS, SAFE_METHODS, Permission, iter_routes, permission_of
from services.kit import config, roles


class FieldError(BaseModel):
    field: str
    code: str
    message: str
    message_en: str


class Problem(BaseModel):
    type: str
    title: str
    title_en: str
    status: int
    detail: str
    detail_en: str
    instance: str
    request_id: str | None = None
    errors: list[FieldError] | None = None


def _p(desc: str) -> dict:
    return {"model": Problem, "description": desc, "content": {"application/problem+json": {}}}


PROBLEMS = {400: _p("请求体不是合法的JSON"), 401: _p("未认证或令牌无效"), 403: _p("无权访问"), 404: _p("记录不存在"),
            409: _p("与现有状态冲突（如幂等键复用）"), 413: _p("请求体过大"), 422: _p("字段校验未通过"),
            429: _p("请求过于频繁"), 503: _p("服务暂不可用")}


# --- Security schemes and per-operation `security`, derived from each route's Permission -----------------
# Scheme names as they appear in components.securitySchemes (and in Swagger UI's Authorize dialog).
BEARER, CLIENT_CREDENTIALS, SESSION, CSRF = "bearer", "clientCredentials", "sessionCookie", "csrfToken"
CSRF_HEADER = "X-CSRF-Token"  # what gateway.auth.check_csrf reads


def security_schemes(settings, keycloak) -> dict:
    """What `gateway.auth.authenticate` really accepts. No openIdConnect scheme: Swagger UI would turn the
    discovery document into every grant Keycloak advertises (code, implicit, password, client credentials),
    none but client credentials usable from /docs; the discovery URL is named in the descriptions instead."""
    public_issuer = f"{settings.keycloak_public_url}/realms/{keycloak.realm}"  # how browsers and clients reach Keycloak
    discovery = f"{public_issuer}/.well-known/openid-configuration"
    return {
        BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                 "description": f"Keycloak 访问令牌 / Keycloak access token (RS256), issuer `{keycloak.issuer}`, audience "
                                f"`{keycloak.audience}`: `Authorization: Bearer <token>`. Any caller may use it. "
                                f"OpenID Connect discovery: {discovery}"},
        CLIENT_CREDENTIALS: {"type": "oauth2",
                             "description": "企业与对接系统以客户端凭据获取令牌 / Enterprise and integrator clients get their "
                                            "token with the client credentials grant; the token is then sent as a bearer "
                                            "token. Integrators hold the read scopes listed on each operation. "
                                            f"OpenID Connect discovery: {discovery}",
                             "flows": {"clientCredentials": {"tokenUrl": f"{public_issuer}/protocol/openid-connect/token",
                                                             "scopes": dict(roles.INTEGRATOR_SCOPES)}}},
        SESSION: {"type": "apiKey", "in": "cookie", "name": settings.session_cookie,
                  "description": "网页登录会话（/auth/login） / The browser session cookie set by /auth/login (agency staff and enterprise people). "
                                 "The browser sends it by itself; a bearer token, when present, takes precedence."},
        CSRF: {"type": "apiKey", "in": "header", "name": CSRF_HEADER,
               "description": f"写操作使用会话时必带 / With the session cookie, every request other than GET, HEAD or "
                              f"OPTIONS must echo the value of the `{settings.csrf_cookie}` cookie in this header."},
    }


def security_for(permission: Permission, method: str) -> list[dict[str, list[str]]]:
    """The OpenAPI `security` of one operation: alternatives (OR) of requirements (AND of schemes)."""
    if permission.public:
        return []
    requirements: list[dict[str, list[str]]] = [{BEARER: []}]
    if "enterprise" in permission.kinds:
        requirements.append({CLIENT_CREDENTIALS: []})
    if "integrator" in permission.kinds:  # one of the scopes suffices: one alternative per scope
        for scope in sorted(permission.scopes) or [None]:
            requirement = {CLIENT_CREDENTIALS: [scope] if scope else []}
            if requirement not in requirements:
                requirements.append(requirement)
    if "staff" in permission.kinds or "enterprise" in permission.kinds:  # people log in through the browser
        requirements.append({SESSION: []} if method.upper() in SAFE_METHODS else {SESSION: [], CSRF: []})
    return requirements


def operations(app):
    """(route, path, method) of every operation the OpenAPI document lists."""
    for route in iter_routes(app):
        if not getattr(route, "include_in_schema", False) or not getattr(route, "methods", None):
            continue
        for method in sorted(route.methods):
            yield route, route.path_format, method.lower()


def add_security(app, schema: dict, settings, keycloak) -> dict:
    schema.setdefault("components", {})["securitySchemes"] = security_schemes(settings, keycloak)
    for route, path, method in operations(app):
        operation = schema.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            continue
        permission = permission_of(route)
        if permission is None:  # tests/unit/test_gateway_routes.py refuses such a route
            raise RuntimeError(f"{method.upper()} {path} declares no Permission")
        operation["security"] = security_for(permission, method)
    return schema


def install(app) -> None:
    """Replace `app.openapi` so the document FastAPI builds (and caches, rebuilding when routes change)
    carries the security schemes and every operation's `security` from its route's Permission."""
    build = app.openapi
    settings, keycloak = app.state.settings, config.keycloak()
    decorated: list[dict] = []

    def openapi() -> dict:
        schema = build()
        if not decorated or decorated[0] is not schema:
            add_security(app, schema, settings, keycloak)
            decorated[:] = [schema]
        return schema

    app.openapi = openapi


# --- /docs: Swagger UI from our own assets ------------------------------------------------------------
SWAGGER_UI = "/app/assets/swagger-ui"  # copied from npm swagger-ui-dist by the web build (web/vite.config.ts)
DOCS_URL, OAUTH2_REDIRECT_URL = "/docs", "/docs/oauth2-redirect"


def docs_router(openapi_url: str, title: str) -> APIRouter:
    """FastAPI's default /docs and /redoc load their scripts from a CDN, which a government network
    (and this platform's own machines) cannot reach: the page stayed blank. Swagger UI is served
    from the platform's own assets instead; ReDoc is not offered (Swagger UI has the Authorize button)."""
    router = APIRouter(include_in_schema=False, dependencies=[DOCS.dependency()])

    @router.get(DOCS_URL)
    async def swagger_ui():
        return get_swagger_ui_html(openapi_url=openapi_url, title=f"{title} · 接口文档",
                                   swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js", swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
                                   swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png", oauth2_redirect_url=OAUTH2_REDIRECT_URL,
                                   swagger_ui_parameters={"displayRequestDuration": True, "filter": True})

    @router.get(OAUTH2_REDIRECT_URL)
    async def swagger_ui_redirect():
        return get_swagger_ui_oauth2_redirect_html()

    return router
