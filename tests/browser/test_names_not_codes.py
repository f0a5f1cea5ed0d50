"""Names, not codes, where a person reads: an enterprise registered at township level is listed in
the supervision platform under its county and township name, never as 620802003; the data
centre's list cells show dictionary names (expert fields) rather than their codes."""
from __future__ import annotations

import re

import httpx
from keycloak import KeycloakOpenID
from playwright.sync_api import Page, expect

from infra.keycloak import realm
from services.kit import config
from services.kit.codes import uscc_check_char
from tests.browser.conftest import log_in
from tests.browser.test_datacenter_records import api, word  # noqa: F401 — api is a fixture
from tests.integration.conftest import GATEWAY, resident_id, wait_for

TOWNSHIP, TOWNSHIP_NAME = "620802003", "西郊街道"
# A fixed credit code that sorts before the random ones tests make, so it is on the list's first page.
USCC = (lambda body: body + uscc_check_char(body))("916208020000000TN")
CODE = re.compile(r"^\d{6,12}$")


def _submit_township_enterprise() -> None:
    a = realm.admin()
    client_id, secret = realm.ensure_enterprise_client(a, uscc=USCC, region="620802", name="乡镇登记测试")
    kc = config.keycloak()
    token = KeycloakOpenID(server_url=kc.url + "/", realm_name=kc.realm, client_id=client_id,
                           client_secret_key=secret).token(grant_type="client_credentials")["access_token"]
    r = httpx.post(f"{GATEWAY}/api/v1/enterprises", timeout=20,
                   headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"browser-township-{USCC}"},
                   json={"uscc": USCC, "name": "平凉市西郊乡镇登记测试有限公司", "region_code": TOWNSHIP,
                         "address": "甘肃省平凉市崆峒区西郊街道测试路1号", "industry_code": "C2614"})
    assert r.status_code in (200, 201), r.text


def test_a_township_registration_is_listed_under_its_county_and_township_name(page: Page, api):  # noqa: F811
    _submit_township_enterprise()
    wait_for("the supervision registration", lambda: any(
        i["uscc"] == USCC for i in api.get("/api/v1/supervision/registrations", params={"page_size": 20}).json()["items"]))

    log_in(page, "kongtong-inspector", "/app/supervision/")
    page.get_by_test_id("nav-registrations").click()  # the default view is the monitoring wall
    row = page.get_by_test_id("registration-row").filter(has_text=USCC)
    expect(row).to_contain_text(f"崆峒区 · {TOWNSHIP_NAME}")
    expect(row).not_to_contain_text(TOWNSHIP)
    cells = page.get_by_test_id("registration-row").locator("td").all_inner_texts()
    assert cells and not [c for c in cells if CODE.match(c.strip())], f"codes shown where names belong: {cells}"


def test_list_cells_show_dictionary_names_not_codes(page: Page, api):  # noqa: F811
    fields = api.get("/api/v1/dictionaries/expert_field").json()["items"]
    code, name = fields[0]["code"], fields[0]["name"]
    tag = word()
    r = api.post("/api/v1/experts", json={
        "name": "张专家", "id_number": resident_id(), "region_code": "620802", "fields": [code], "title": "senior_full",
        "employer": f"平凉市测试单位 {tag}", "phone": "13800001234", "availability": "available"})
    assert r.status_code == 201, r.text

    log_in(page, "city-admin", "/app/datacenter/")
    page.get_by_test_id("nav-kind-experts").click()
    page.get_by_test_id("dc-search").fill(tag)
    page.get_by_test_id("dc-search-submit").click()
    row = page.get_by_test_id("dc-row")
    expect(row).to_have_count(1)
    expect(row.first).to_contain_text(name)
    expect(row.first).not_to_contain_text(code)
    expect(row.first).to_contain_text("崆峒区")
