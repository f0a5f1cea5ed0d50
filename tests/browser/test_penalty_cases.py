"""行政处罚案件 in a real browser (web/src/pages/supervision/cases/). A case against the demo chemical
plant (崆峒化工) is opened through the API by the county inspector, as
tests/integration/test_inspections_flow.py does, with a cause unique to the run.

- The inspector sees it in the list (party's name, 待立案, the due date the server computed) and on
  its page the 立案 step that needs a supervisor: no form, only 须由负责人审批.
- The county supervisor approves 立案 in the page: the case gets its number (the 立案审批表's, (崆)应急立〔…〕),
  the timeline shows the step with a link to the document, which opens at #/documents/<id>; then the
  调查取证 form is refused in the browser while a required field is empty, and taken once filled: the
  case waits for 告知, with the facts in the timeline and the next due date the server computed.
- The steps' forms are the server's (`form` of the case): the inspector takes 告知 (its nested
  拟处罚内容 and the 罚款金额 in 元) and 陈述申辩/听证 (a yes/no switch) in the page; the timeline shows
  what each recorded under the form's labels, and 处罚决定 then waits for a supervisor, with no form.
- A case opened in the page (新建案件) lands on its own page at 待立案.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from services.kit import roles
from tests.browser.conftest import log_in
from tests.integration.conftest import KT_USCC, bearer

SH = ZoneInfo("Asia/Shanghai")
SUPERVISION = "/app/supervision/"
BASE = "/api/v1/penalty-cases"
KT_NAME = "平凉市崆峒化工有限公司"


@pytest.fixture(scope="module")
def supervisor(staff_user):
    return staff_user("case-browser-supervisor", "620802", roles.SUPERVISION_SUPERVISOR)


@pytest.fixture
def case(http, staff_token, demo_enterprises) -> dict:
    r = http.post(BASE, json={"uscc": KT_USCC, "cause": f"未按规定设置紧急切断装置（浏览器测试 {uuid.uuid4().hex[:6]}）", "source": "现场检查"},
                  headers=bearer(staff_token("kongtong-inspector")) | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    return r.json()


def get_case(http, token: str, case_id: int) -> dict:
    r = http.get(f"{BASE}/{case_id}", headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()


def field_error(page: Page, testid: str):
    return page.locator(".el-form-item", has=page.get_by_test_id(testid)).locator(".el-form-item__error")


def test_the_inspector_sees_the_case_waiting_for_approval(page: Page, case):
    log_in(page, "kongtong-inspector", SUPERVISION)
    page.goto(f"{SUPERVISION}#/cases")
    row = page.get_by_test_id("case-row").filter(has=page.get_by_test_id(f"case-link-{case['id']}"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(KT_NAME)
    expect(row).to_contain_text(case["cause"])
    expect(row.get_by_test_id("case-step")).to_have_text("待立案")
    expect(row.get_by_test_id("case-due")).to_have_text(case["due_on"])
    expect(row.get_by_test_id(f"case-link-{case['id']}")).to_have_text(f"待立案（登记号 {case['id']}）")

    row.get_by_test_id(f"case-link-{case['id']}").click()
    page.wait_for_url(re.compile(rf"#/cases/{case['id']}$"))
    expect(page.get_by_test_id("case-enterprise")).to_have_text(KT_NAME)
    expect(page.get_by_test_id("case-step")).to_have_text("待立案")
    expect(page.get_by_test_id("case-needs-approval")).to_contain_text("“立案”须由负责人审批")
    expect(page.get_by_test_id("case-step-form")).to_have_count(0)


def test_the_supervisor_files_the_case_and_the_investigation_is_recorded(page: Page, http, staff_token, supervisor, case):
    log_in(page, supervisor, SUPERVISION)
    page.goto(f"{SUPERVISION}#/cases/{case['id']}")
    expect(page.get_by_test_id("case-step")).to_have_text("待立案")
    expect(page.get_by_test_id("case-due")).to_have_text(case["due_on"])
    expect(page.get_by_test_id("case-cause")).to_have_text(case["cause"])

    page.get_by_test_id("case-field-summary").fill("现场检查发现液氨储罐区未设紧急切断装置")
    page.get_by_test_id("case-field-approver_opinion").fill("同意立案")
    page.get_by_test_id("case-step-submit").click()
    expect(page.get_by_test_id("case-step")).to_have_text("待调查取证")
    filed = get_case(http, staff_token(supervisor), case["id"])
    assert filed["step"] == "investigation" and filed["case_number"]
    assert re.fullmatch(rf"\(崆\)应急立〔{datetime.now(SH).year}〕\d+号", filed["case_number"]), filed["case_number"]
    expect(page.get_by_test_id("case-number")).to_have_text(filed["case_number"])
    expect(page.get_by_test_id("case-due")).to_have_text(filed["due_on"])
    done = page.get_by_test_id("case-step-done")
    expect(done).to_have_count(1)
    expect(done.get_by_test_id("case-step-name")).to_have_text("立案")
    expect(done).to_contain_text("审批意见：同意立案")
    link = page.get_by_test_id("case-document-filing")
    expect(link).to_have_text(filed["case_number"])
    assert link.get_attribute("href") == f"#/documents/{filed['steps'][0]['document_id']}"

    # 调查取证: a required field left empty is refused in the browser, nothing sent
    page.get_by_test_id("case-field-facts").fill("液氨储罐区未设置紧急切断装置")
    page.get_by_test_id("case-field-evidence").fill("现场检查记录、照片3张")
    page.get_by_test_id("case-step-submit").click()
    expect(field_error(page, "case-field-violated")).to_have_text("请填写违反的规定")
    assert get_case(http, staff_token(supervisor), case["id"])["version"] == filed["version"]
    page.get_by_test_id("case-field-violated").fill("《安全生产法》第三十六条")
    page.get_by_test_id("case-step-submit").click()
    expect(page.get_by_test_id("case-step")).to_have_text("待告知")
    investigated = get_case(http, staff_token(supervisor), case["id"])
    assert investigated["step"] == "notice"
    expect(page.get_by_test_id("case-due")).to_have_text(investigated["due_on"])
    expect(done).to_have_count(2)
    expect(done.first.get_by_test_id("case-step-name")).to_have_text("调查取证")
    expect(done.first).to_contain_text("违反的规定：《安全生产法》第三十六条")
    expect(page.get_by_test_id("case-field-basis")).to_be_visible()  # the 告知 form is next
    page.screenshot(path="/tmp/case-view.png", full_page=True)

    # the list shows where it is now; the document opens from the timeline
    page.get_by_test_id("back").click()
    row = page.get_by_test_id("case-row").filter(has=page.get_by_test_id(f"case-link-{case['id']}"))
    expect(row.get_by_test_id("case-step")).to_have_text("待告知")
    expect(row.get_by_test_id(f"case-link-{case['id']}")).to_have_text(filed["case_number"])
    page.screenshot(path="/tmp/case-list.png", full_page=True)
    row.get_by_test_id(f"case-link-{case['id']}").click()
    page.get_by_test_id("case-document-filing").click()
    page.wait_for_url(re.compile(rf"#/documents/{filed['steps'][0]['document_id']}$"))
    expect(page.get_by_test_id("document-number")).to_contain_text(filed["case_number"])


def take_by_api(http, token: str, case: dict, body: dict) -> dict:
    r = http.post(f"{BASE}/{case['id']}/steps", json=body | {"version": case["version"]},
                  headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 200, r.text
    return r.json()


def test_the_inspector_takes_the_notice_and_statement_from_the_servers_forms(page: Page, http, staff_token, supervisor, case):
    filed = take_by_api(http, staff_token(supervisor), case, {"step": "filing", "summary": "储罐区未设紧急切断装置", "approver_opinion": "同意立案"})
    take_by_api(http, staff_token("kongtong-inspector"), filed, {"step": "investigation", "facts": "液氨储罐区未设置紧急切断装置",
                                                               "evidence": "现场检查记录", "violated": "《安全生产法》第三十六条"})
    log_in(page, "kongtong-inspector", SUPERVISION)
    page.goto(f"{SUPERVISION}#/cases/{case['id']}")
    expect(page.get_by_test_id("case-step")).to_have_text("待告知")
    form = page.get_by_test_id("case-step-form")
    expect(form.locator(".el-form-item__label")).to_have_text(["处罚依据", "拟处罚内容", "罚款金额（元）"])
    page.get_by_test_id("case-field-basis").fill("《安全生产法》第九十九条")
    page.get_by_test_id("case-step-submit").click()
    expect(field_error(page, "case-field-penalty.content")).to_have_text("请填写拟处罚内容")
    page.get_by_test_id("case-field-penalty.content").fill("罚款人民币六万元")
    amount = page.get_by_test_id("case-field-penalty.amount_cny").locator("input")
    amount.fill("60000")
    amount.blur()
    page.get_by_test_id("case-step-submit").click()
    expect(page.get_by_test_id("case-step")).to_have_text("待陈述申辩/听证")
    expect(page.get_by_test_id("case-penalty")).to_have_text("罚款人民币六万元")
    notice = page.get_by_test_id("case-step-done").first
    expect(notice.get_by_test_id("case-step-name")).to_have_text("告知")
    expect(notice).to_contain_text("拟处罚内容：罚款人民币六万元")
    expect(notice).to_contain_text("罚款金额：60,000 元")
    expect(page.get_by_test_id("case-document-notice")).to_contain_text("应急听告")  # 60,000 gives the right to a hearing: 听证告知书

    page.get_by_test_id("case-field-statement").fill("当事人申请听证，已于法定期限内举行")
    page.get_by_test_id("case-field-hearing_held").click()
    page.get_by_test_id("case-step-submit").click()
    expect(page.get_by_test_id("case-step")).to_have_text("待处罚决定")
    expect(page.get_by_test_id("case-step-done").first).to_contain_text("已举行听证：是")
    expect(page.get_by_test_id("case-needs-approval")).to_contain_text("“处罚决定”须由负责人审批")
    expect(page.get_by_test_id("case-step-form")).to_have_count(0)
    now = get_case(http, staff_token(supervisor), case["id"])
    assert now["steps"][-1]["fields"] == {"statement": "当事人申请听证，已于法定期限内举行", "hearing_held": True}
    assert now["penalty"] == {"content": "罚款人民币六万元", "amount_cny": 60000}
    decision = {f["name"]: f for f in now["form"]}
    assert decision["decision"]["default"] == "罚款人民币六万元" and decision["bank"]["required"], "the supervisor's form starts from the notice"


def test_a_case_opened_in_the_page(page: Page, http, staff_token, demo_enterprises):
    cause = f"未按规定开展安全生产教育培训（浏览器测试 {uuid.uuid4().hex[:6]}）"
    log_in(page, "kongtong-inspector", SUPERVISION)
    page.goto(f"{SUPERVISION}#/cases")
    page.get_by_test_id("case-open").click()
    dialog = page.get_by_test_id("case-open-dialog")
    dialog.get_by_test_id("case-open-uscc").fill(KT_USCC)
    dialog.get_by_test_id("case-open-cause").fill(cause)
    dialog.get_by_test_id("case-open-submit").click()
    page.wait_for_url(re.compile(r"#/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_test_id("case-cause")).to_have_text(cause)
    expect(page.get_by_test_id("case-enterprise")).to_have_text(KT_NAME)
    expect(page.get_by_test_id("case-step")).to_have_text("待立案")
    c = get_case(http, staff_token("kongtong-inspector"), case_id)
    assert (c["uscc"], c["cause"], c["source"], c["step"]) == (KT_USCC, cause, "现场检查", "filing")
