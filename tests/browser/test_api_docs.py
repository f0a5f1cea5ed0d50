"""The API documentation in a real browser, on a machine without internet: /docs draws Swagger UI
from the platform's own assets (no CDN), its Authorize dialog offers the schemes the gateway
accepts, and a protected operation shows its lock while a public one does not."""
from __future__ import annotations

from playwright.sync_api import Page, expect


def test_swagger_ui_renders_offline_with_an_authorize_button(page: Page):
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("平凉市安全生产信息平台 API")
    me = page.locator(".opblock").filter(has=page.locator(".opblock-summary-path[data-path='/api/v1/me']")).first
    expect(me.locator(".authorization__btn")).to_be_visible()         # the lock: this operation needs credentials
    page.locator(".operation-filter-input").fill("health")  # 150 operations: find the tag by its name
    health = page.locator(".opblock").filter(has=page.locator(".opblock-summary-path[data-path='/healthz']")).first
    expect(health).to_be_visible()
    expect(health.locator(".authorization__btn")).to_have_count(0)   # public: no lock

    page.locator(".auth-wrapper .authorize").click()
    dialog = page.locator(".modal-ux")
    for scheme in ("bearer", "clientCredentials", "sessionCookie", "csrfToken"):
        expect(dialog).to_contain_text(scheme)
    expect(dialog).to_contain_text("X-CSRF-Token")
    assert outside == [], f"the page reached outside the platform: {outside}"
