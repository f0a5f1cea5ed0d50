"""执法检查 in a real browser, on a phone-sized page (390×844) as officers use it on site: an
inspector starts an inspection of the demo chemical plant with two officers (an officer whose
certificate expired is offered but cannot be chosen), records a finding from a 重大事故隐患 item with
责令限期整改 and completes it; the page shows the 现场检查记录 and the 责令限期整改指令书 with their
numbers and its 打印 link answers a PDF. With the connection dropped a finding is kept (已暂存)
and saved exactly once when it comes back. On the desktop, a failed re-check issues its 整改复查
意见书 and a new order. Data is prepared through the API the way tests/integration/
test_inspections_flow.py does (officers through the records API as city-admin); the re-check's
dates are moved back in the database instead of waiting for the rectification period."""
from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.integration.conftest import KT_USCC, bearer

SH = ZoneInfo("Asia/Shanghai")
TODAY = datetime.now(SH).date()
INSPECTOR = "kongtong-inspector"
SUPERVISION = "/app/supervision/"


def post(http, token: str, path: str, body: dict):
    r = http.post(path, json=body, headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def officers(records):
    """Two officers of 崆峒区 with valid certificates and one whose certificate expired."""
    valid = [records.create("officer", region="620802", valid_until=f"{TODAY.year + 3}-12-31") for _ in range(2)]
    expired = records.create("officer", region="620802", valid_from="2019-01-01", valid_until=f"{TODAY.year - 1}-06-30")
    return valid, expired


@pytest.fixture
def started(http, staff_token, officers):
    """An inspection of the demo chemical plant started through the API."""
    valid, _ = officers
    return post(http, staff_token(INSPECTOR), "/api/v1/inspections",
                {"uscc": KT_USCC, "mode": "routine", "place": "生产车间", "officer_ids": [valid[0]["id"], valid[1]["id"]]})


def open_page(page: Page, hash_: str) -> None:
    log_in(page, INSPECTOR, SUPERVISION)
    page.goto(f"{SUPERVISION}{hash_}")


def choose_officer(page: Page, officer: dict) -> None:
    page.get_by_test_id("insp-officer-search").fill(officer["name"])
    page.get_by_test_id(f"insp-officer-{officer['id']}").click()


def test_an_inspection_on_a_phone_from_start_to_its_documents(phone: Page, officers, http, staff_token):
    valid, expired = officers
    open_page(phone, "#/inspections/new")
    phone.get_by_test_id("insp-enterprise-search").fill("崆峒化工")
    phone.get_by_test_id(f"insp-enterprise-option-{KT_USCC}").click()
    expect(phone.get_by_test_id("insp-enterprise-selected")).to_contain_text("平凉市崆峒化工有限公司")

    # an officer whose certificate has expired is listed, marked and cannot be chosen
    phone.get_by_test_id("insp-officer-search").fill(expired["name"])
    lapsed = phone.get_by_test_id(f"insp-officer-{expired['id']}")
    expect(lapsed).to_contain_text("证件过期")
    expect(lapsed).to_contain_text(expired["certificate_number"])
    expect(lapsed).to_be_disabled()
    for o in valid:
        choose_officer(phone, o)
    expect(phone.get_by_test_id("insp-officers-chosen")).to_contain_text("已选 2 名")
    phone.get_by_test_id("insp-mode-unannounced").click()
    phone.get_by_test_id("insp-place").fill("储罐区及装卸站台")
    phone.get_by_test_id("insp-start").click()

    phone.wait_for_url(re.compile(r"#/inspections/\d+$"))
    inspection_id = int(phone.url.rsplit("/", 1)[1])
    expect(phone.get_by_test_id("insp-status")).to_have_text("检查中")
    expect(phone.get_by_test_id("insp-officer-names")).to_contain_text(valid[0]["name"])

    # a 重大事故隐患判定标准 item, ordered rectified by a date
    major = phone.locator('[data-testid^="checklist-item-"][data-major="true"]').first
    expect(major).to_contain_text("重大事故隐患")
    item_text = major.locator(".check-text").inner_text()
    major.click()
    dialog = phone.get_by_test_id("finding-dialog")
    expect(dialog.get_by_test_id("finding-description")).to_have_value(item_text)
    dialog.get_by_test_id("finding-handling-order").click()
    deadline = (TODAY + timedelta(days=20)).isoformat()
    dialog.get_by_test_id("finding-deadline").fill(deadline)
    dialog.get_by_test_id("finding-save").click()
    finding = phone.get_by_test_id("finding-row")
    expect(finding).to_have_count(1)
    expect(finding.get_by_test_id("finding-level")).to_have_text("重大事故隐患")
    expect(finding).to_contain_text(deadline)

    phone.get_by_test_id("complete-content").fill("检查了储罐区、装卸站台及安全管理制度")
    phone.get_by_test_id("complete-unit-name").fill("王志强")
    phone.get_by_test_id("complete-unit-post").fill("安全副厂长")
    phone.get_by_test_id("insp-complete").click()

    record = phone.get_by_test_id("insp-document-inspection_record")
    order = phone.get_by_test_id("insp-document-rectification_order")
    expect(record.get_by_test_id("doc-type")).to_have_text("现场检查记录")
    expect(record.get_by_test_id("doc-number")).to_have_text(re.compile(r"^\(崆\)应急检记〔\d{4}〕\d+号$"))
    expect(order.get_by_test_id("doc-type")).to_have_text("责令限期整改指令书")
    expect(order.get_by_test_id("doc-number")).to_have_text(re.compile(r"^\(崆\)应急责改〔\d{4}〕\d+号$"))
    expect(phone.get_by_test_id("insp-status")).to_have_text("已完成")

    for doc in (record, order):
        link = doc.get_by_test_id("doc-print")
        assert link.get_attribute("target") == "_blank"
        pdf = phone.request.get(link.get_attribute("href"))
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf", pdf.headers
        assert pdf.body().startswith(b"%PDF-")

    hazard = phone.get_by_test_id("finding-hazard-1")
    expect(hazard).to_have_attribute("href", re.compile(r"^/app/datacenter/#/records/hazards/view/\d+$"))
    stored = http.get(f"/api/v1/inspections/{inspection_id}", headers=bearer(staff_token(INSPECTOR))).json()
    assert stored["status"] == "completed" and stored["mode"] == "unannounced"
    assert [f["major"] for f in stored["findings"]] == [True] and stored["findings"][0]["hazard_id"]
    assert {o["id"] for o in stored["officers"]} == {str(o["id"]) for o in valid}
    drafts = phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('safety:inspection-draft:'))")
    assert drafts == [], "nothing is left in the draft once the server has it all"


def test_a_finding_added_offline_is_kept_and_saved_once_when_back_online(phone: Page, started, http, staff_token):
    open_page(phone, f"#/inspections/{started['id']}")
    item = phone.locator('[data-testid^="checklist-item-"][data-major="false"]').first
    expect(item).to_be_visible()
    text = f"消防通道堆放杂物（{uuid.uuid4().hex[:6]}）"

    phone.context.set_offline(True)
    item.click()
    dialog = phone.get_by_test_id("finding-dialog")
    dialog.get_by_test_id("finding-description").fill(text)
    dialog.get_by_test_id("finding-handling-fixed_on_site").click()
    dialog.get_by_test_id("finding-save").click()

    expect(phone.get_by_test_id("insp-offline-notice")).to_contain_text("网络中断，已暂存，恢复后自动提交")
    expect(phone.get_by_test_id("finding-pending")).to_contain_text(text)
    expect(phone.get_by_test_id("finding-row")).to_have_count(0)
    raw = phone.evaluate(f"localStorage.getItem('safety:inspection-draft:{INSPECTOR}:{started['id']}')")
    kept = json.loads(raw)["pending"]
    assert [(a["kind"], a["body"]["description"]) for a in kept] == [("finding", text)] and kept[0]["key"]
    phone.wait_for_timeout(1_000)   # retries while offline change nothing

    phone.context.set_offline(False)
    expect(phone.get_by_test_id("finding-row")).to_contain_text(text, timeout=25_000)
    expect(phone.get_by_test_id("finding-pending")).to_have_count(0)
    expect(phone.get_by_test_id("insp-offline-notice")).to_have_count(0)
    findings = http.get(f"/api/v1/inspections/{started['id']}", headers=bearer(staff_token(INSPECTOR))).json()["findings"]
    assert [f["description"] for f in findings] == [text], "saved exactly once"
    assert phone.evaluate(f"localStorage.getItem('safety:inspection-draft:{INSPECTOR}:{started['id']}')") is None


def test_a_finding_whose_answer_was_lost_is_sent_again_with_its_key_and_saved_once(phone: Page, started, http, staff_token):
    """The server saved the finding but its answer never reached the phone: the retry carries the
    same Idempotency-Key, so the server answers it from the first run instead of saving it again."""
    keys: list[str] = []

    def lose_first_answer(route):
        keys.append(route.request.header_value("idempotency-key"))
        if len(keys) == 1:
            route.fetch()              # the server runs it…
            route.abort("failed")      # …and the answer is lost on the way back
        else:
            route.continue_()

    open_page(phone, f"#/inspections/{started['id']}")
    phone.route(f"**/api/v1/inspections/{started['id']}/findings", lose_first_answer)
    text = f"安全出口指示灯损坏（{uuid.uuid4().hex[:6]}）"
    phone.get_by_test_id("insp-add-finding").click()
    dialog = phone.get_by_test_id("finding-dialog")
    dialog.get_by_test_id("finding-description").fill(text)
    dialog.get_by_test_id("finding-handling-fixed_on_site").click()
    dialog.get_by_test_id("finding-save").click()
    expect(phone.get_by_test_id("insp-offline-notice")).to_contain_text("已暂存")
    expect(phone.get_by_test_id("finding-row")).to_contain_text(text, timeout=25_000)   # the 10-second retry
    assert len(keys) == 2 and keys[0] == keys[1], keys
    findings = http.get(f"/api/v1/inspections/{started['id']}", headers=bearer(staff_token(INSPECTOR))).json()["findings"]
    assert [f["description"] for f in findings] == [text]


def test_a_failed_recheck_issues_its_opinion_and_a_new_order(page: Page, started, http, staff_token, supervision_db):
    token = staff_token(INSPECTOR)
    base = f"/api/v1/inspections/{started['id']}"
    post(http, token, f"{base}/findings", {"description": "液氨储罐区未设置紧急切断装置", "handling": "order",
                                           "deadline": (TODAY + timedelta(days=10)).isoformat()})
    done = post(http, token, f"{base}/completion", {"content": "检查了储罐区", "unit_present": {"name": "王志强", "post": "安全副厂长"}})
    order = next(d for d in done["documents"] if d["type"] == "rectification_order")
    rechecks = http.get("/api/v1/rechecks", params={"state": "open", "page_size": 200}, headers=bearer(token)).json()["items"]
    recheck = next(r for r in rechecks if r["order_id"] == order["id"])
    # the rectification period and the re-check's own days pass
    supervision_db.execute("UPDATE inspections.recheck SET rectify_by = %s, due_on = %s WHERE id = %s",
                           (TODAY - timedelta(days=12), TODAY - timedelta(days=2), recheck["id"]))

    open_page(page, "#/rechecks")
    page.get_by_test_id("recheck-tab-overdue").click()
    row = page.get_by_test_id("recheck-row").filter(has_text=order["number"])
    expect(row).to_have_class(re.compile(r"overdue-row"))
    expect(row.get_by_test_id("recheck-state")).to_have_text("复查超期")
    row.get_by_test_id(f"recheck-open-{recheck['id']}").click()

    dialog = page.get_by_test_id("recheck-dialog")
    dialog.get_by_test_id("recheck-result-failed").click()
    dialog.get_by_test_id("recheck-opinion").fill("紧急切断装置仍未安装")
    dialog.get_by_test_id("recheck-next-new_order").click()
    dialog.get_by_test_id("recheck-new-deadline-15").click()
    dialog.get_by_test_id("recheck-submit").click()

    expect(dialog.get_by_test_id("recheck-opinion-number")).to_have_text(re.compile(r"^\(崆\)应急复查〔\d{4}〕\d+号$"))
    expect(dialog.get_by_test_id("recheck-next-action")).to_contain_text("再次责令限期整改")
    expect(dialog.get_by_test_id("recheck-new-order-number")).to_have_text(re.compile(r"^\(崆\)应急责改〔\d{4}〕\d+号$"))
    expect(dialog.get_by_test_id("recheck-new-order")).to_contain_text((TODAY + timedelta(days=15)).isoformat())
    new_number = dialog.get_by_test_id("recheck-new-order-number").inner_text()
    assert new_number != order["number"]

    docs = http.get(base, headers=bearer(token)).json()["documents"]
    assert [d["number"] for d in docs if d["type"] == "rectification_order"] == [order["number"], new_number]
    dialog.get_by_test_id("recheck-close").click()
    page.get_by_test_id("recheck-tab-done").click()
    expect(page.get_by_test_id("recheck-row").filter(has_text=order["number"])).to_contain_text("整改不合格")
