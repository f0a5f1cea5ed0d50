"""值班值守 in a real browser (web/src/pages/emergency/views/IntakesView.vue, DutyView.vue): 崆峒区's duty
officer logs an intake from the 接报登记 page and turns it into an incident (the incident exists in the
API afterwards); the city's duty officer starts a spot check (查岗) of 崆峒区 and the county's duty
officer answers it in their own browser, the response time shown on both sides."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import GATEWAY, log_in
from tests.integration.conftest import bearer, zh_token

EMERGENCY = "/app/emergency/"


def test_an_intake_logged_at_night_becomes_an_incident(page: Page, http, staff_token):
    tok = zh_token()
    log_in(page, "kongtong-duty", EMERGENCY)
    page.goto(f"{EMERGENCY}#/intakes")
    form = page.get_by_test_id("intake-form")
    expect(form).to_be_visible()
    expect(form.get_by_test_id("intake-region")).to_contain_text("崆峒区")  # a county's officer logs for their county
    form.get_by_test_id("intake-caller-name").fill("王志强")
    form.get_by_test_id("intake-caller-phone").fill("13909337788")
    form.get_by_test_id("intake-content").fill(f"崆峒区西郊化工园区方向有刺鼻气味{tok}")
    form.get_by_test_id("intake-place").fill("崆峒区西郊化工园区")
    form.get_by_test_id("intake-submit").click()

    row = page.get_by_test_id("intake-row").filter(has_text=tok)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("intake-status")).to_have_text("待处置")
    expect(row.get_by_test_id("intake-caller")).to_have_text("王**")  # masked in the list
    intake_id = row.locator("a[data-testid^='intake-link-']").inner_text().strip()

    row.get_by_test_id(f"intake-to-incident-{intake_id}").click()
    dialog = page.get_by_test_id("link-dialog")
    expect(dialog.get_by_test_id("link-description")).to_have_value(re.compile(tok))  # prefilled from the intake
    expect(dialog.get_by_test_id("link-address")).to_have_value("崆峒区西郊化工园区")
    dialog.get_by_test_id("link-title").fill(f"西郊化工园区疑似泄漏{tok}")
    dialog.get_by_test_id("link-type").click()
    page.locator(".el-select-dropdown__item:visible", has_text="其他突发事件").click()
    dialog.get_by_test_id("link-submit").click()
    expect(dialog).to_be_hidden()

    expect(row.get_by_test_id("intake-status")).to_have_text("已转为事件")
    incident_link = row.locator(f"[data-testid='intake-incident-{intake_id}']")
    expect(incident_link).to_have_text(re.compile(r"^事件\d+$"))
    incident_id = incident_link.inner_text().removeprefix("事件")
    r = http.get(f"/api/v1/incidents/{incident_id}", headers=bearer(staff_token("kongtong-duty")))
    assert r.status_code == 200, r.text
    assert r.json()["title"] == f"西郊化工园区疑似泄漏{tok}"

    row.locator(f"[data-testid='intake-link-{intake_id}']").click()
    expect(page.get_by_test_id("intake-detail-caller")).to_have_text("王志强")  # whole on the intake's own page
    expect(page.get_by_test_id("intake-detail-status")).to_have_text("已转为事件")
    expect(page.get_by_test_id("intake-detail-incident")).to_have_text(f"事件第{incident_id}号")


def test_the_city_checks_and_the_county_answers(page: Page, browser):
    tok = zh_token()
    log_in(page, "city-duty", EMERGENCY)
    page.goto(f"{EMERGENCY}#/duty")
    page.get_by_role("tab", name="查岗").click()
    start = page.get_by_test_id("spot-start")
    start.get_by_test_id("spot-region").click()
    page.locator(".el-select-dropdown__item:visible", has_text="崆峒区应急管理局").click()
    start.get_by_test_id("spot-question").fill(f"请报告当前在岗人员{tok}")
    start.get_by_test_id("spot-submit").click()
    asked = page.get_by_test_id("spot-row").filter(has_text=tok)
    expect(asked.get_by_test_id("spot-state")).to_have_text("待应答")

    county = browser.new_context(base_url=GATEWAY, locale="zh-CN", timezone_id="Asia/Shanghai")
    county.set_default_timeout(15_000)
    try:
        other = county.new_page()
        log_in(other, "kongtong-duty", EMERGENCY)
        other.goto(f"{EMERGENCY}#/duty?tab=spot-checks")
        mine = other.get_by_test_id("spot-row").filter(has_text=tok)
        expect(mine.get_by_test_id("spot-state")).to_have_text("待应答")
        expect(other.get_by_test_id("spot-start")).to_have_count(0)  # a county does not check itself
        mine.locator("button[data-testid^='spot-answer-']").click()
        dialog = other.get_by_test_id("spot-answer-dialog")
        dialog.get_by_test_id("spot-answer-text").fill("在岗：带班领导赵局长，值班员钱值班")
        dialog.get_by_test_id("spot-answer-by").fill("钱值班")
        dialog.get_by_test_id("spot-answer-submit").click()
        expect(dialog).to_be_hidden()
        expect(mine.get_by_test_id("spot-state")).to_have_text("按时应答")
        expect(mine.get_by_test_id("spot-seconds")).to_have_text(re.compile(r"^(\d+分)?\d+秒$"))
    finally:
        county.close()

    page.get_by_test_id("spot-refresh").click()
    expect(asked.get_by_test_id("spot-state")).to_have_text("按时应答")
    expect(asked.get_by_test_id("spot-seconds")).to_have_text(re.compile(r"^(\d+分)?\d+秒$"))
    expect(asked.get_by_test_id("spot-answer")).to_have_text("在岗：带班领导赵局长，值班员钱值班")
