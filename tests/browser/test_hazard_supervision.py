"""隐患挂牌督办 in a real browser (web/src/pages/supervision/hazards/): a 重大隐患 created in the data
centre through the API (as tests/integration/test_hazard_supervision_flow.py does) is listed from the
board by the county supervisor (its 督办文号 appears), opened; 销号 is refused with the server's
Chinese message while the hazard is not verified; the hazard is then rectified, verified and closed
in the data centre through the API and, after a reload, 销号 in the page shows 已销号."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from services.kit import roles
from tests.browser.conftest import log_in
from tests.integration.conftest import wait_for

SH = ZoneInfo("Asia/Shanghai")
TODAY = datetime.now(SH).date()
SUPERVISOR = "kongtong-supervisor-t"
SUPERVISION = "/app/supervision/"


@pytest.fixture(scope="module")
def supervisor(staff_user):
    return staff_user(SUPERVISOR, "620802", roles.SUPERVISION_SUPERVISOR)


def test_a_major_hazard_listed_and_closed(page: Page, supervisor, records, supervision_db):
    h = records.create("hazard", level="major", description="液氨储罐区紧急切断阀失效（浏览器测试）", source="agency_inspection",
                       deadline=(TODAY + timedelta(days=30)).isoformat())
    wait_for("the hazard's copy in supervision", lambda: supervision_db.execute(
        "SELECT 1 FROM hazard_supervision.hazard WHERE id = %s", (h["id"],)).fetchone())

    log_in(page, supervisor, SUPERVISION)
    page.goto(f"{SUPERVISION}#/hazards")
    expect(page.get_by_test_id("hazards")).to_be_visible()
    expect(page.get_by_test_id("hz-county-table")).to_contain_text("崆峒区")

    page.get_by_test_id("hz-list-open").click()
    dialog = page.get_by_test_id("hz-list-dialog")
    dialog.get_by_test_id("hz-list-hazard-id").fill(str(h["id"]))
    dialog.get_by_test_id("hz-list-requirements").fill("限期完成紧急切断系统改造")
    dialog.get_by_test_id("hz-list-submit").click()
    expect(dialog).to_be_hidden()
    listing_id = supervision_db.execute("SELECT id FROM hazard_supervision.listing WHERE hazard_id = %s", (h["id"],)).fetchone()[0]
    link = page.get_by_test_id(f"hz-listing-{listing_id}")
    expect(link).to_have_text(re.compile(r"^崆应急督〔\d{4}〕\d+号$"))
    number = link.inner_text()

    link.click()
    page.wait_for_url(re.compile(rf"#/hazards/{listing_id}$"))
    expect(page.get_by_test_id("hz-document-number")).to_have_text(number)
    expect(page.get_by_test_id("hz-level")).to_have_text("县级挂牌督办")
    expect(page.get_by_test_id("hz-status")).to_have_text("督办中")
    expect(page.get_by_test_id("hz-days-left")).to_have_text("30 天")
    expect(page.get_by_test_id("hz-requirements")).to_have_text("限期完成紧急切断系统改造")
    expect(page.get_by_test_id("hz-hazard-status")).to_have_text("已登记")
    assert page.get_by_test_id("hz-hazard-link").get_attribute("href") == f"/app/datacenter/#/records/hazards/view/{h['id']}"

    # not verified yet: the server refuses, its Chinese message is shown
    page.get_by_test_id("hz-close-note").fill("已整改")
    page.get_by_test_id("hz-close-submit").click()
    expect(page.get_by_test_id("hz-close-error")).to_contain_text(re.compile(r"[\u4e00-\u9fff]"))
    expect(page.get_by_test_id("hz-status")).to_have_text("督办中")

    deadline = (TODAY + timedelta(days=30)).isoformat()
    plan = {"target": "恢复紧急切断功能", "measures": "更换切断阀", "funds": "20万元", "materials": "切断阀2台", "responsible": "设备部",
            "deadline": deadline, "safety_emergency_measures": "停用该储罐"}
    for changes in ({"status": "rectifying", "measures": "更换紧急切断阀并联调", "responsible_person": "赵工程师", "plan": plan},
                    {"status": "awaiting_verification"},
                    {"status": "closed", "verification": {"verified_by": "钱科长", "verified_at": datetime.now(SH).isoformat(timespec="seconds"),
                                                          "result": "passed", "opinion": "整改到位"}}):
        version = records.get("hazard", h["id"]).json()["version"]
        r = records.patch("hazard", h["id"], {"version": version, **changes})
        assert r.status_code == 200, r.text
    wait_for("the closed hazard's copy", lambda: supervision_db.execute(
        "SELECT status FROM hazard_supervision.hazard WHERE id = %s", (h["id"],)).fetchone()[0] == "closed")

    page.reload()
    expect(page.get_by_test_id("hz-hazard-status")).to_have_text("已销号")
    page.get_by_test_id("hz-close-note").fill("经验收合格，同意销号")
    page.get_by_test_id("hz-close-submit").click()
    expect(page.get_by_test_id("hz-status")).to_have_text("已销号")
    expect(page.get_by_test_id("hz-closure-note")).to_have_text("经验收合格，同意销号")
    expect(page.get_by_test_id("hz-close")).to_be_hidden()


def test_the_board_on_a_desktop(page: Page, supervisor):
    log_in(page, supervisor, SUPERVISION)
    page.goto(f"{SUPERVISION}#/hazards")
    expect(page.get_by_test_id("hz-listed-total")).to_be_visible()
    expect(page.locator(".nav, nav, aside").get_by_text("隐患挂牌督办").first).to_be_visible()
    page.screenshot(path="/tmp/hazard-board.png", full_page=True)
