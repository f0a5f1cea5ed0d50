"""The data centre's record pages in a real browser, against the running platform: the generic list
(search, option labels, role-dependent buttons), the record page, the form (a bad value refused in
the browser with the catalogue's Chinese message and nothing saved; a server rule shown at its field;
an edit that saves only what changed and lands in the history), and the import wizard (a dry run
reports the bad row by number and reason, nothing is imported until asked).

Records are made through the API with a staff token (safety-dev-cli password grant), each with a
random word, so other data on the platform does not matter."""
from __future__ import annotations

import csv
import io
import secrets
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from keycloak import KeycloakOpenID
from playwright.sync_api import Page, expect

from infra.keycloak import realm
from services.kit import config
from tests.browser.conftest import log_in
from tests.integration.conftest import GATEWAY

KT_USCC = "91620802MA71KT001D"  # demo enterprise in 崆峒区 (make up registers it)
DATACENTER = "/app/datacenter/"


def staff_token(username: str = "city-admin") -> str:
    kc = config.keycloak()
    return KeycloakOpenID(server_url=kc.url + "/", realm_name=kc.realm, client_id=realm.DEV_CLIENT).token(
        username, realm.DEMO_PASSWORD)["access_token"]


@pytest.fixture(scope="module")
def api():
    token = staff_token()

    def add_headers(request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {token}"
        if request.method == "POST":
            request.headers["Idempotency-Key"] = str(uuid.uuid4())

    with httpx.Client(base_url=GATEWAY, timeout=20, event_hooks={"request": [add_headers]}) as client:
        yield client


def word() -> str:
    """A Latin word the full-text search indexes whole: found only in this test's records."""
    return "bt" + secrets.token_hex(5)


def create_hazard(api: httpx.Client, tag: str) -> dict:
    now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(microsecond=0)
    r = api.post("/api/v1/hazards", json={
        "uscc": KT_USCC, "source": "agency_inspection", "found_at": (now - timedelta(days=1)).isoformat(),
        "place": "储罐区", "category": "equipment", "description": f"浏览器测试隐患 液氨储罐压力表未检定 {tag}",
        "level": "general", "status": "registered", "deadline": (now + timedelta(days=30)).date().isoformat()})
    assert r.status_code == 201, r.text
    return r.json()


def patches(page: Page) -> list[str]:
    """Collects the PATCH requests the page sends from now on."""
    sent: list[str] = []
    page.on("request", lambda req: sent.append(req.url) if req.method == "PATCH" else None)
    return sent


def open_hash(page: Page, fragment: str) -> None:
    page.goto(f"{DATACENTER}#/{fragment}")


def test_search_finds_a_record_made_through_the_api(page: Page, api):
    tag = word()
    hazard = create_hazard(api, tag)

    log_in(page, "city-admin", DATACENTER)
    expect(page.get_by_test_id("nav-db-hazards")).to_contain_text("隐患排查治理库")
    page.get_by_test_id("nav-kind-hazards").click()
    expect(page.get_by_test_id("dc-list-title")).to_have_text("隐患")
    expect(page.get_by_test_id("dc-create")).to_be_visible()  # city-admin writes hazards
    expect(page.get_by_test_id("dc-import")).to_be_visible()

    page.get_by_test_id("dc-search").fill(tag)
    page.get_by_test_id("dc-search-submit").click()
    rows = page.get_by_test_id("dc-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(tag)
    expect(rows.first).to_contain_text("部门检查")  # the option's label, not agency_inspection
    expect(rows.first).to_contain_text("崆峒区")
    expect(page.get_by_test_id("dc-export-csv")).to_have_attribute("href", f"/api/v1/hazards/export?q={tag}&format=csv")

    # The record page: labels, option labels, history.
    rows.first.click()
    expect(page.get_by_test_id("dc-record-title")).to_contain_text(tag)
    expect(page.get_by_test_id("dc-value-source")).to_have_text("部门检查")
    expect(page.get_by_test_id("dc-value-status")).to_have_text("已登记")
    expect(page.get_by_test_id("dc-value-overdue")).to_have_text("否")
    expect(page.get_by_test_id("dc-value-id")).to_have_text(str(hazard["id"]))
    expect(page.get_by_test_id("dc-history-row")).to_have_count(1)
    expect(page.get_by_test_id("dc-history-row").first).to_contain_text("新增")


def test_a_county_viewer_gets_no_write_buttons_where_they_may_not_write(page: Page):
    log_in(page, "kongtong-inspector", DATACENTER)
    page.get_by_test_id("nav-kind-laws").click()
    expect(page.get_by_test_id("dc-list-title")).to_have_text("法律法规规章")
    expect(page.get_by_test_id("dc-export-xlsx")).to_be_visible()
    expect(page.get_by_test_id("dc-create")).to_have_count(0)
    expect(page.get_by_test_id("dc-import")).to_have_count(0)
    page.get_by_test_id("nav-kind-hazards").click()  # inspectors register hazards
    expect(page.get_by_test_id("dc-list-title")).to_have_text("隐患")
    expect(page.get_by_test_id("dc-create")).to_be_visible()


def test_an_edit_refused_by_the_catalogue_rules_saves_nothing(page: Page, api):
    before = api.get(f"/api/v1/enterprises/{KT_USCC}").json()

    log_in(page, "city-admin", DATACENTER)
    sent = patches(page)
    open_hash(page, f"records/enterprises/view/{KT_USCC}")
    expect(page.get_by_test_id("dc-value-uscc")).to_have_text(KT_USCC)
    page.get_by_test_id("dc-edit").click()
    expect(page.get_by_test_id("dc-form-title")).to_have_text("编辑生产经营单位")
    expect(page.locator('[data-testid="dc-field-uscc"] input')).to_be_disabled()  # the key is not edited

    page.locator('[data-testid="dc-field-safety_manager_phone"] input').fill("12")
    page.locator('[data-testid="dc-field-name"] input').fill("某")
    page.get_by_test_id("dc-save").click()
    expect(page.get_by_test_id("dc-field-safety_manager_phone")).to_contain_text(
        "安全管理负责人电话：电话号码格式不正确（手机11位或区号-号码）")
    expect(page.get_by_test_id("dc-field-name")).to_contain_text("单位名称：至少2个字符")
    expect(page.get_by_test_id("dc-form-title")).to_be_visible()  # still on the form

    after = api.get(f"/api/v1/enterprises/{KT_USCC}").json()
    assert after["version"] == before["version"] and after["name"] == before["name"]
    assert after.get("safety_manager_phone") == before.get("safety_manager_phone")
    assert sent == []  # the browser never sent the bad values


def test_a_server_rule_is_shown_at_its_field_and_a_good_edit_lands_in_the_history(page: Page, api):
    tag = word()
    hazard = create_hazard(api, tag)

    log_in(page, "city-admin", DATACENTER)
    open_hash(page, f"records/hazards/edit/{hazard['id']}")
    expect(page.get_by_test_id("dc-form-title")).to_have_text("编辑隐患")
    # 已登记 → 已销号 skips the loop: only the server knows, and says so at the status field.
    page.get_by_test_id("dc-input-status").click()
    page.get_by_role("option", name="已销号").click()
    page.get_by_test_id("dc-save").click()
    expect(page.get_by_test_id("dc-field-status")).to_contain_text("隐患不能从“已登记”变为“已销号”")
    expect(page.get_by_test_id("dc-form-errors")).to_be_visible()
    assert api.get(f"/api/v1/hazards/{hazard['id']}").json()["version"] == hazard["version"]

    # Put the status back and change the place: only that is sent, with the version.
    page.get_by_test_id("dc-input-status").click()
    page.get_by_role("option", name="已登记").click()
    place = page.locator('[data-testid="dc-field-place"] input')
    place.fill(f"液氨储罐区东侧 {tag}")
    with page.expect_request(lambda req: req.method == "PATCH") as patch:
        page.get_by_test_id("dc-save").click()
    assert patch.value.post_data_json == {"version": hazard["version"], "place": f"液氨储罐区东侧 {tag}"}
    expect(page.get_by_test_id("dc-value-place")).to_have_text(f"液氨储罐区东侧 {tag}")
    history = page.get_by_test_id("dc-history-row")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("修改")
    expect(history.first).to_contain_text("隐患部位")
    expect(history.first).to_contain_text(f"储罐区→液氨储罐区东侧 {tag}")
    assert api.get(f"/api/v1/hazards/{hazard['id']}").json()["version"] == hazard["version"] + 1


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def test_the_import_wizard_reports_the_bad_row_and_imports_nothing_until_asked(page: Page, api):
    tag = word()
    content = _csv([
        ["名称", "发布机关", "效力层级", "发布日期", "施行日期"],
        [f"平凉市浏览器导入测试规定 {tag}", "平凉市人民政府", "地方政府规章", "2020-01-05", "2020-03-01"],
        [f"平凉市浏览器导入错误规定 {tag}", "平凉市人民政府", "地方政府规章", "2020-13-45", "2020-03-01"],
    ])

    log_in(page, "city-admin", DATACENTER)
    page.get_by_test_id("nav-kind-laws").click()
    page.get_by_test_id("dc-import").click()
    expect(page.get_by_test_id("dc-import-wizard")).to_be_visible()
    with page.expect_download() as template:
        page.get_by_test_id("dc-import-template").click()
    header = template.value.path().read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("名称,文号,发布机关,效力层级,发布日期")

    page.get_by_test_id("dc-import-file").set_input_files({"name": "法规.csv", "mimeType": "text/csv", "buffer": content})
    expect(page.get_by_test_id("dc-import-filename")).to_contain_text("法规.csv")
    page.get_by_test_id("dc-import-dry-run").click()
    expect(page.get_by_test_id("dc-import-summary")).to_contain_text("共 2 行，1 行通过校验，1 行有误")
    errors = page.get_by_test_id("dc-import-error-row")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(0)).to_have_text("3")
    expect(errors.first.locator("td").nth(1)).to_have_text("发布日期")
    expect(errors.first.locator("td").nth(2)).to_contain_text("日期格式应为 YYYY-MM-DD")
    expect(page.get_by_test_id("dc-import-commit")).to_be_disabled()  # 全部成功才导入 is on
    assert api.get("/api/v1/laws", params={"q": tag}).json()["items"] == []

    # Import only the good rows.
    page.get_by_test_id("dc-import-all-or-nothing").click()
    page.get_by_test_id("dc-import-commit").click()
    expect(page.get_by_test_id("dc-import-result")).to_contain_text("导入完成：新增 1 条")
    items = api.get("/api/v1/laws", params={"q": tag}).json()["items"]
    assert [i["title"] for i in items] == [f"平凉市浏览器导入测试规定 {tag}"]
    r = api.delete(f"/api/v1/laws/{items[0]['id']}", params={"version": items[0]["version"]})
    assert r.status_code == 200, r.text


def test_cursor_paging_goes_forward_and_back(page: Page, api):
    tag = word()
    made = [create_hazard(api, tag) for _ in range(22)]  # one page is 20 rows
    try:
        log_in(page, "city-admin", DATACENTER)
        open_hash(page, "records/hazards")
        page.get_by_test_id("dc-search").fill(tag)
        page.get_by_test_id("dc-search").press("Enter")
        rows = page.get_by_test_id("dc-row")
        expect(rows).to_have_count(20)
        expect(page.get_by_test_id("dc-page")).to_have_text("第 1 页")
        expect(page.get_by_test_id("dc-prev")).to_be_disabled()
        first_page_top = rows.first.locator("td").first.inner_text().strip()  # its 编号

        page.get_by_test_id("dc-next").click()
        expect(rows).to_have_count(2)
        expect(page.get_by_test_id("dc-page")).to_have_text("第 2 页")
        expect(page.get_by_test_id("dc-next")).to_be_disabled()
        expect(page.get_by_test_id("dc-export-xlsx")).to_have_attribute("href", f"/api/v1/hazards/export?q={tag}&format=xlsx")

        # A record page and back: the list keeps its search and page.
        rows.first.click()
        expect(page.get_by_test_id("dc-record")).to_be_visible()
        page.get_by_test_id("dc-back").click()
        expect(page.get_by_test_id("dc-page")).to_have_text("第 2 页")
        expect(rows).to_have_count(2)

        page.get_by_test_id("dc-prev").click()
        expect(rows).to_have_count(20)
        expect(page.get_by_test_id("dc-page")).to_have_text("第 1 页")
        expect(rows.first.locator("td").first).to_have_text(first_page_top)
    finally:
        for h in made:
            api.delete(f"/api/v1/hazards/{h['id']}", params={"version": h["version"]})


def test_a_stale_edit_asks_for_a_reload_and_a_delete_sends_the_version(page: Page, api):
    tag = word()
    hazard = create_hazard(api, tag)

    log_in(page, "city-admin", DATACENTER)
    open_hash(page, f"records/hazards/edit/{hazard['id']}")
    expect(page.get_by_test_id("dc-form-title")).to_have_text("编辑隐患")
    # Someone else saves first.
    r = api.patch(f"/api/v1/hazards/{hazard['id']}", json={"version": hazard["version"], "measures": "先行停用储罐"})
    assert r.status_code == 200, r.text
    page.locator('[data-testid="dc-field-place"] input').fill(f"东侧 {tag}")
    page.get_by_test_id("dc-save").click()
    expect(page.get_by_test_id("dc-conflict")).to_contain_text("该记录已被他人修改")
    page.get_by_test_id("dc-reload").click()
    expect(page.get_by_test_id("dc-conflict")).to_have_count(0)
    expect(page.locator('[data-testid="dc-field-measures"] textarea')).to_have_value("先行停用储罐")
    expect(page.locator('[data-testid="dc-field-place"] input')).to_have_value("储罐区")

    page.get_by_test_id("dc-cancel").click()
    expect(page.get_by_test_id("dc-value-version")).to_have_text(str(hazard["version"] + 1))
    with page.expect_request(lambda req: req.method == "DELETE") as deleted:
        page.get_by_test_id("dc-delete").click()
        page.get_by_role("button", name="确定删除").click()
    assert f"version={hazard['version'] + 1}" in deleted.value.url
    expect(page.get_by_test_id("dc-list")).to_be_visible()
    assert api.get(f"/api/v1/hazards/{hazard['id']}").status_code == 404


def test_the_list_refreshes_itself_when_a_record_changes(page: Page, api):
    """Live updates: a hazard made elsewhere (here, through the API) appears in the open list without
    a reload, through the gateway's event stream."""
    log_in(page, "city-admin", DATACENTER)
    page.get_by_test_id("nav-kind-hazards").click()
    expect(page.get_by_test_id("dc-live")).to_have_attribute("data-connected", "true")
    expect(page.get_by_test_id("dc-row").first).to_be_visible()
    tag = word()
    create_hazard(api, tag)  # the list shows the newest first
    expect(page.get_by_test_id("dc-row").filter(has_text=tag)).to_have_count(1, timeout=10_000)
