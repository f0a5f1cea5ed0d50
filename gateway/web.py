"""The web front ends (web/, built by `make web` into web/dist), served by the gateway.

  /app/            launcher: the platforms the user's roles allow
  /app/<platform>/ one front end per platform; refused (403 page) without one of its roles
  /app/enterprise/ the page of an enterprise's people (alarms, points, daily commitment, staff accounts)
  /app/apply/      the public enterprise onboarding form
  /app/assets/...  the built JavaScript and CSS (not sensitive: no data, only code)

A browser without a session is sent to the login; the pages themselves hold no data — they
call /api/v1 with the session cookie, and every API route checks access again."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from gateway.auth import PUBLIC, Permission, authenticate
from services.kit import config, roles
from services.kit.errors import DomainError, Unauthenticated

DIST = Path(config.env("SAFETY_WEB_DIST", str(config.REPO_ROOT / "web" / "dist")))
router = APIRouter(include_in_schema=False)

LAUNCHER = Permission("any agency staff", kinds=frozenset({"staff"}))
ENTERPRISE_PAGE = Permission("an enterprise's people (enterprise-admin, enterprise-staff)", kinds=frozenset({"enterprise"}))
PLATFORM_PAGES = {code: Permission(f"{name} roles", kinds=frozenset({"staff"}), roles=frozenset(allowed))
                  for code, (name, allowed) in roles.PLATFORMS.items()}


def _page(status: int, title: str, text: str, link: str = "/app/", link_text: str = "返回平台首页") -> HTMLResponse:
    return HTMLResponse(f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:15vh auto;max-width:32rem;color:#303133}}
h1{{font-size:1.4rem}}a{{color:#409eff}}</style></head><body><h1 data-testid="page-status">{title}</h1><p>{text}</p>
<p><a href="{link}">{link_text}</a></p></body></html>""", status_code=status)


def _index(*parts: str):
    path = DIST.joinpath(*parts, "index.html")
    if not path.is_file():
        return _page(503, "前端尚未构建", "请运行 make web（make up 会自动构建）。", "/docs", "查看接口文档")
    return FileResponse(path, headers={"Cache-Control": "no-store"})


async def _guarded(request: Request, permission: Permission, *parts: str, check=None):
    try:
        principal = await authenticate(request)
    except Unauthenticated:
        return RedirectResponse(f"/auth/login?next={request.url.path}", status_code=302)
    except DomainError as exc:
        return _page(exc.http_status, exc.title_zh, exc.detail_zh)
    if not permission.allows(principal) or (check is not None and not check(principal)):
        return _page(403, "无权访问该平台", "当前账号的角色不包含此平台。如需开通，请联系平台管理员。")
    return _index(*parts)


@router.get("/")
async def root():
    return RedirectResponse("/app/", status_code=302)


@router.get("/app/")
async def launcher(request: Request):
    try:
        principal = await authenticate(request)
    except (Unauthenticated, DomainError):
        principal = None
    if principal is not None and _person(principal):  # an enterprise's people have one page
        return RedirectResponse("/app/enterprise/", status_code=302)
    return await _guarded(request, LAUNCHER)
launcher.permission = LAUNCHER


@router.get("/app/enterprise/")
async def enterprise_page(request: Request):
    return await _guarded(request, ENTERPRISE_PAGE, "enterprise", check=_person)
enterprise_page.permission = ENTERPRISE_PAGE


def _person(principal) -> bool:
    from gateway.oidc import web_person
    return principal.kind == "enterprise" and web_person(principal)


@router.get("/app/apply/")
async def apply_form():
    return _index("apply")
apply_form.permission = PUBLIC


def _platform_route(code: str, permission: Permission):
    async def page(request: Request):
        return await _guarded(request, permission, code)
    page.permission = permission
    page.__name__ = f"{code}_page"
    router.add_api_route(f"/app/{code}/", page, methods=["GET"])


for _code, _permission in PLATFORM_PAGES.items():
    _platform_route(_code, _permission)
root.permission = PUBLIC


def mount_assets(app) -> None:
    assets = DIST / "assets"
    assets.mkdir(parents=True, exist_ok=True)  # before the first build the mount still needs a folder
    app.mount("/app/assets", StaticFiles(directory=assets), name="assets")
    app.routes[-1].permission = PUBLIC
