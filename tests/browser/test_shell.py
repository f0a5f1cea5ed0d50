"""The web shell in a real browser: a county officer sees exactly the platforms of their roles,
cannot open another one, and logs out; an administrator approves an enterprise's application
and the enterprise's new client can then submit data."""
from __future__ import annotations

import re

import httpx
from keycloak import KeycloakOpenID
from playwright.sync_api import Page, expect

from services.kit import config
from tests.browser.conftest import log_in
from tests.integration.conftest import GATEWAY, random_uscc


def test_a_county_officer_sees_only_their_platforms_and_logs_out(page: Page):
    log_in(page, "kongtong-inspector")
    expect(page.get_by_test_id("user-name")).to_contain_text("崆峒区检查员")
    expect(page.get_by_test_id("user-region")).to_contain_text("崆峒区")
    expect(page.get_by_test_id("user-roles")).to_contain_text("监管执法检查员")
    expect(page.get_by_test_id("platform-supervision")).to_be_visible()
    expect(page.get_by_test_id("platform-datacenter")).to_be_visible()
    expect(page.get_by_test_id("platform-emergency")).to_have_count(0)
    expect(page.get_by_test_id("platform-govaffairs")).to_have_count(0)

    page.get_by_test_id("platform-supervision").click()
    page.wait_for_url("**/app/supervision/**")
    expect(page.get_by_test_id("shell-platform")).to_contain_text("监管")

    # Another platform's URL refuses, even typed in by hand.
    response = page.goto("/app/emergency/")
    assert response.status == 403
    expect(page.get_by_test_id("page-status")).to_have_text("无权访问该平台")

    page.goto("/app/")
    page.get_by_test_id("logout").click()
    page.wait_for_selector("#username")  # back at Keycloak's login form
    page.goto("/app/supervision/")
    expect(page.locator("#username")).to_be_visible()  # the session is gone: login again


def test_an_administrator_approves_an_application_and_the_client_submits(page: Page):
    uscc = random_uscc("620802")
    # The enterprise applies on the public form.
    page.goto("/app/apply/")
    page.get_by_test_id("apply-uscc").fill(uscc)
    page.get_by_test_id("apply-name").fill("浏览器测试化工有限公司")
    page.get_by_test_id("apply-region_code").click()
    page.get_by_role("option", name="崆峒区").click()
    page.get_by_test_id("apply-contact_name").fill("王安全")
    page.get_by_test_id("apply-contact_phone").fill("13912345678")
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("apply-result")).to_contain_text("申请已提交")

    # The city administrator approves it in the data centre and sees the secret once.
    log_in(page, "city-admin", "/app/datacenter/")
    page.get_by_test_id("nav-applications").click()
    row = page.get_by_test_id("application-row").filter(has_text=uscc)
    expect(row).to_contain_text("139****5678")  # the phone number is masked in the list
    page.get_by_test_id(f"approve-{uscc}").click()
    secret = page.get_by_test_id("client-secret")
    expect(secret).to_be_visible()
    client_secret = secret.inner_text().strip()
    client_id = page.get_by_test_id("client-id").inner_text().strip()
    assert client_id == f"ent-{uscc.lower()}" and re.fullmatch(r"\S{32,}", client_secret)
    page.get_by_test_id("client-secret-close").click()

    # The enterprise's new client gets a token and submits its basic information.
    kc = config.keycloak()
    token = KeycloakOpenID(server_url=kc.url + "/", realm_name=kc.realm, client_id=client_id,
                           client_secret_key=client_secret).token(grant_type="client_credentials")["access_token"]
    r = httpx.post(f"{GATEWAY}/api/v1/enterprises", headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"browser-{uscc}"},
                   json={"uscc": uscc, "name": "浏览器测试化工有限公司", "region_code": "620802",
                         "address": "甘肃省平凉市崆峒区测试路9号", "industry_code": "C2614"})
    assert r.status_code == 201, r.text

    # The approval is in the audit trail the administrator can search in the browser.
    page.get_by_test_id("nav-audit").click()
    page.get_by_test_id("audit-uscc").fill(uscc)
    page.get_by_test_id("audit-search").click()
    expect(page.get_by_test_id("audit-row").filter(has_text="onboarding.approve").first).to_be_visible(timeout=30_000)
