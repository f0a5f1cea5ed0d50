"""The enterprise's page in a real browser: the demo chemical plant's safety manager opens the
隐患排查治理季报 of the last quarter that has ended, is told field by field that rectified hazards
cannot exceed those found, corrects it and reports it signed by the principal; the page then shows
it reported, and the county's inspector sees it among the period's reports (and the plant no longer
among the missing). And the plant reads the 责令限期整改指令书 an inspection issued to it, reports
its rectification item by item (told field by field what is missing), and the county's inspector
reads the report on the re-check it made due."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.integration.conftest import KT_USCC, bearer

SH = ZoneInfo("Asia/Shanghai")


def last_ended_quarter() -> str:
    today = datetime.now(SH).date()
    q = (today.month - 1) // 3
    return f"{today.year - 1}Q4" if q == 0 else f"{today.year}Q{q}"


def number(page: Page, name: str, value: int) -> None:
    field = page.get_by_test_id(f"report-{name}").locator("input")
    field.fill(str(value))
    field.blur()


def test_the_plant_reports_its_quarter_and_the_county_sees_it(page: Page, http, staff_token, supervision_db):
    period = last_ended_quarter()
    # the test instance keeps its data between runs: the quarter starts unreported
    supervision_db.execute("DELETE FROM hazard_supervision.report WHERE uscc = %s AND period = %s", (KT_USCC, period))

    log_in(page, "ktchem-safety", "/app/enterprise/")
    page.goto("/app/enterprise/#/hazard-report")
    expect(page.get_by_test_id("report-missing")).to_contain_text("尚未报送")
    number(page, "general_found", 3)
    number(page, "general_rectified", 5)
    page.get_by_test_id("report-principal").fill("李建国")
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_text("整改数不能多于排查数")).to_be_visible()
    expect(page.get_by_test_id("report-filed")).to_have_count(0)

    number(page, "general_rectified", 3)
    number(page, "major_found", 1)
    number(page, "major_rectified", 1)
    number(page, "funds_cny", 12000)
    page.get_by_test_id("report-submit").click()
    filed = page.get_by_test_id("report-filed")
    expect(filed).to_contain_text("已于")
    expect(filed).to_contain_text("主要负责人 李建国 签字")
    expect(page.get_by_test_id("report-submit")).to_have_text("重新报送")

    seen = http.get("/api/v1/hazard-supervision/reports", params={"period": period}, headers=bearer(staff_token("kongtong-inspector")))
    assert seen.status_code == 200, seen.text
    mine = [r for r in seen.json()["items"] if r["uscc"] == KT_USCC]
    assert [r["figures"] for r in mine] == [{"general_found": 3, "general_rectified": 3, "major_found": 1, "major_rectified": 1,
                                             "funds_cny": 12000}]
    assert KT_USCC not in {m["uscc"] for m in seen.json()["missing"]}


def test_the_plant_reads_the_order_issued_to_it_and_reports_its_rectification(page: Page, http, staff_token, records):
    """An inspection of the plant completed through the API issues its record and a 责令限期整改指令书;
    the plant's safety manager finds the order with its number and due date on its own page, and
    reports how it was rectified; the re-check falls due and the inspector reads the report."""
    inspector = staff_token("kongtong-inspector")
    officers = [records.create("officer", region="620802", valid_until=f"{datetime.now(SH).year + 3}-12-31") for _ in range(2)]
    headers = bearer(inspector)

    def post(path: str, body: dict) -> dict:
        r = http.post(path, json=body, headers=headers | {"Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 200, r.text
        return r.json()

    inspection = post("/api/v1/inspections", {"uscc": KT_USCC, "mode": "routine", "place": "仓库",
                                              "officer_ids": [o["id"] for o in officers]})
    due = (datetime.now(SH).date() + timedelta(days=15)).isoformat()
    post(f"/api/v1/inspections/{inspection['id']}/findings", {"description": "仓库内物品堆放占用安全通道", "handling": "order",
                                                              "deadline": due})
    done = post(f"/api/v1/inspections/{inspection['id']}/completion", {"content": "检查仓库", "unit_present": {"name": "王厂长", "post": "副厂长"}})
    order = next(d for d in done["documents"] if d["type"] == "rectification_order")

    log_in(page, "ktchem-safety", "/app/enterprise/")
    page.goto("/app/enterprise/#/documents")
    expect(page.get_by_role("heading", name="本单位执法文书")).to_be_visible()
    row = page.get_by_test_id("document-row").filter(has=page.get_by_text(order["number"], exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("责令限期整改指令书")
    expect(row.get_by_test_id("document-due")).to_have_text(order["due_on"])
    expect(row.get_by_test_id("document-print")).to_have_attribute("href", f"/api/v1/enforcement-documents/{order['id']}/pdf")
    expect(row.get_by_test_id("document-rectification")).to_have_text("整改期内")

    row.get_by_test_id(f"document-report-{order['id']}").click()
    form = page.get_by_test_id("rectification-report")
    expect(form.get_by_test_id("report-order-number")).to_have_text(order["number"])
    expect(form.get_by_test_id("report-item-1")).to_contain_text("仓库内物品堆放占用安全通道")
    form.get_by_test_id("report-submit").click()
    expect(form.get_by_text("请填写第1项整改措施")).to_be_visible()
    expect(form.get_by_text("请填写主要负责人（签字）")).to_be_visible()
    form.get_by_test_id("report-measures-1").fill("已清理安全通道内堆放物品，划定通道标线并设置警示标志")
    today = datetime.now(SH).date().isoformat()
    day = form.get_by_test_id("report-completed-1").locator("input")
    day.fill(today)
    day.press("Enter")
    form.get_by_test_id("report-principal").fill("李建国")
    form.get_by_test_id("report-submit").click()
    expect(form.get_by_test_id("report-state")).to_contain_text(f"已报告（{today}），待复查")
    expect(form.get_by_test_id("report-submit")).to_have_text("更正整改情况报告")
    page.get_by_test_id("back").click()
    row = page.get_by_test_id("document-row").filter(has=page.get_by_text(order["number"], exact=True))
    expect(row.get_by_test_id("document-rectification")).to_have_text("已报告，待复查")

    page.context.clear_cookies()
    log_in(page, "kongtong-inspector", "/app/supervision/")
    page.goto("/app/supervision/#/rechecks?state=due")
    due = page.get_by_test_id("recheck-row").filter(has=page.get_by_text(order["number"], exact=True))
    expect(due.get_by_test_id("recheck-reported")).to_have_text(f"{today} 已报告")
    due.get_by_role("button", name="复查").click()
    report = page.get_by_test_id("recheck-report")
    expect(report).to_contain_text("主要负责人 李建国")
    expect(report).to_contain_text("已清理安全通道内堆放物品")
