"""Browser tests: Playwright for Python driving Debian's headless Chromium (/usr/bin/chromium,
installed by `make up`; Playwright's own browser download is never used) against the running
platform and the real Keycloak login page."""
from __future__ import annotations

import os
import shutil

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from infra.keycloak import realm
from tests.integration.conftest import GATEWAY

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("SAFETY_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Page:
    context = browser.new_context(base_url=GATEWAY, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


def log_in(page: Page, username: str, path: str = "/app/") -> None:
    """Open a page, get sent to Keycloak's login form, sign in, land back on the page."""
    page.goto(path)
    page.locator("#username").fill(username)
    page.locator("#password").fill(realm.DEMO_PASSWORD)
    page.locator("#kc-login").click()
    page.wait_for_url(f"**{path}**")
    expect(page.get_by_test_id("user-name")).to_be_visible()


# The integration fixtures the workflow tests prepare their data with (officers through the records
# API as city-admin, staff accounts with exactly the roles a test needs, the supervision database
# whose dates a test moves back). Imported here, they are fixtures of tests/browser too.
from tests.integration.conftest import (  # noqa: E402,F401
    demo_enterprises,
    demo_tokens,
    http,
    kc_admin,
    records,
    staff_token,
    staff_user,
    supervision_db,
)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser) -> Page:
    """A page the size of a phone held upright (390×844, touch), as officers use on site."""
    context = browser.new_context(base_url=GATEWAY, locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE,
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()
