"""The enterprise page's licence and standardization applications in a real browser.

行政许可: the demo chemical plant's safety manager (ktchem-safety, 崆峒化工) opens 新建申请, picks
危险化学品经营许可证, ticks two of its materials and submits without the scope: the server's Chinese
field error appears at 许可范围 and nothing is filed. With the scope it is filed (已申请) and listed
with its type, status, clock and date. The county inspector sends the one correction notice through
the API; the plant's page shows the notice with the materials it lists, and exactly the buttons the
server's `actions` name for the applicant (补正材料, 撤回申请). The plant supplies the materials in the
page (back to 已申请), then withdraws the application (已撤回, no buttons left), which also keeps the
test instance's open queue as it was.

标准化定级, on a phone-sized screen: the form names the standard the server grades the plant by (its
sector 危险化学品, GB 45673-2025), refuses a self-assessment below the 三级 band and a system run for
less than six months at their fields, then files a 三级 application that the list shows; the county
inspector returns it through the API (so it leaves the open queue) and the page shows the reasons.
Every application is new (a unique scope or note), so reruns pass."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

from playwright.sync_api import Page, expect

from infra.keycloak import realm
from services.kit import jsonio
from tests.browser.conftest import log_in
from tests.integration.conftest import KT_USCC, bearer

KT = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)
ENTERPRISE_USER = "ktchem-safety"
LICENSING = "/api/v1/licensing/applications"
STANDARDIZATION = "/api/v1/standardization/applications"
TYPE, TYPE_NAME = "hazchem_operation", "危险化学品经营许可证"
GIVEN = {"application_form": "危险化学品经营许可证申请书", "business_licence": "营业执照"}
# asked for in the correction notice (required materials of the type not provided)
MISSING = {"principal_certificates": "主要负责人、安全生产管理人员安全生产知识和管理能力考核合格证明",
           "premises_proof": "经营场所产权证明或者租赁证明"}


def own_total(http, token: str, path: str) -> int:
    r = http.get(path, params={"page_size": 1}, headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()["total"]


def read(http, token: str, path: str, app_id: str) -> dict:
    r = http.get(f"{path}/{app_id}", headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()


def officer_step(http, token: str, path: str, app: dict, step: str, body: dict) -> dict:
    r = http.post(f"{path}/{app['id']}/{step}", json={"version": app["version"]} | body,
                  headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 200, r.text
    return r.json()


def opened_id(page: Page, route: str) -> str:
    """The id of the application the page went to after a submission (`#/<route>/<id>`)."""
    page.wait_for_url(re.compile(rf".*#/{route}/\d+$"))
    return page.url.rsplit("/", 1)[1]


def field_error(page: Page, label: str):
    """The error line Element Plus shows under the form item labelled `label`."""
    item = page.locator(".el-form-item").filter(has=page.locator(".el-form-item__label", has_text=label))
    return item.locator(".el-form-item__error")


def test_the_plant_applies_for_a_licence_answers_the_correction_notice_and_withdraws(page: Page, http, demo_tokens, staff_token):
    plant = demo_tokens(KT.client_id)
    before = own_total(http, plant, LICENSING)
    scope = f"危险化学品经营（不带储存设施）：甲醇、乙醇 测试{uuid.uuid4().hex[:8]}"

    log_in(page, ENTERPRISE_USER, "/app/enterprise/")
    page.goto("/app/enterprise/#/licences/new")
    page.get_by_test_id("licence-form-type").click()
    page.get_by_role("option", name=TYPE_NAME, exact=True).click()
    expect(page.get_by_test_id("licence-form-type-info")).to_contain_text("法定期限")
    expect(page.get_by_test_id("licence-form-material")).to_have_count(8)   # every material of the type, by name
    expect(page.get_by_test_id("licence-form-material").first).to_contain_text("危险化学品经营许可证申请书")
    for code in GIVEN:
        page.get_by_test_id(f"licence-form-material-{code}").click()
        page.get_by_test_id(f"licence-form-reference-{code}").fill(f"sha256:{uuid.uuid4().hex}")
    expect(page.get_by_test_id("licence-form-missing")).to_contain_text(MISSING["premises_proof"])

    # no scope: the server's field error at 许可范围, nothing filed
    page.get_by_test_id("licence-form-submit").click()
    expect(field_error(page, "许可范围")).to_have_text("请填写许可范围")
    expect(page).to_have_url(re.compile(r".*#/licences/new$"))
    assert own_total(http, plant, LICENSING) == before

    page.get_by_test_id("licence-form-scope").fill(scope)
    page.get_by_test_id("licence-form-submit").click()
    app_id = opened_id(page, "licences")
    expect(page.get_by_test_id("licence-status")).to_have_text("已申请")
    expect(page.get_by_test_id("licence-scope")).to_have_text(scope)
    filed = read(http, plant, LICENSING, app_id)
    assert filed["uscc"] == KT_USCC and filed["licence_type"] == TYPE and filed["status"] == "submitted"
    assert sorted(m["code"] for m in filed["materials"] if m["provided"]) == sorted(GIVEN)
    assert own_total(http, plant, LICENSING) == before + 1

    # the list: type name, status, clock and date of submission
    page.goto("/app/enterprise/#/licences")
    row = page.get_by_test_id("licence-row").filter(has=page.get_by_test_id(f"licence-open-{app_id}"))
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("licence-type")).to_have_text(TYPE_NAME)
    expect(row.get_by_test_id("licence-status")).to_have_text("已申请")
    expect(row.get_by_test_id("licence-submitted")).to_have_text(filed["submitted_at"][:10])
    expect(row.get_by_test_id("licence-clock")).to_be_visible()
    expect(row).not_to_contain_text(TYPE)

    # the county inspector asks once for the missing materials
    inspector = staff_token("kongtong-inspector")
    note = f"请补充经营场所证明 {uuid.uuid4().hex[:6]}"
    noticed = officer_step(http, inspector, LICENSING, filed, "correction", {"missing": list(MISSING), "note": note})
    assert noticed["status"] == "correction_requested"
    offered = read(http, plant, LICENSING, app_id)["actions"]
    assert sorted(offered) == ["resubmit", "withdraw"]

    row.get_by_test_id(f"licence-open-{app_id}").click()
    expect(page.get_by_test_id("licence-status")).to_have_text("待补正")
    notice = page.get_by_test_id("licence-correction")
    expect(notice).to_contain_text("补正通知")
    expect(notice).to_contain_text(noticed["correction"]["notified_on"])
    for name in MISSING.values():
        expect(page.get_by_test_id("licence-correction-missing")).to_contain_text(name)
    expect(page.get_by_test_id("licence-correction-note")).to_have_text(f"补正说明：{note}")
    # the applicant's buttons are the server's actions, and nothing of the agency's
    expect(page.get_by_test_id("licence-actions").locator("button")).to_have_count(len(offered))
    expect(page.get_by_test_id("licence-action-resubmit")).to_have_text("补正材料")
    expect(page.get_by_test_id("licence-action-withdraw")).to_have_text("撤回申请")
    expect(page.get_by_test_id("licence-action-accept")).to_have_count(0)
    expect(page.get_by_test_id("licence-step").first).to_contain_text("一次性告知补正")

    # 补正材料: every material the notice listed, one with its file number
    page.get_by_test_id("licence-action-resubmit").click()
    dialog = page.get_by_test_id("licence-action-dialog")
    expect(dialog.get_by_test_id("licence-supply")).to_have_count(len(MISSING))
    reference = f"平危经补字{uuid.uuid4().hex[:6]}"
    dialog.get_by_test_id("licence-supply-reference-premises_proof").fill(reference)
    dialog.get_by_test_id("licence-action-submit").click()
    expect(page.get_by_test_id("licence-status")).to_have_text("已申请")
    expect(page.get_by_test_id("licence-step").first).to_contain_text("补正材料")
    expect(page.get_by_test_id("licence-action-resubmit")).to_have_count(0)
    expect(page.get_by_test_id("licence-action-withdraw")).to_be_visible()
    supplied = read(http, plant, LICENSING, app_id)
    assert supplied["status"] == "submitted" and supplied["version"] == noticed["version"] + 1
    assert {m["code"]: m["reference"] for m in supplied["materials"] if m["provided"]}["premises_proof"] == reference
    assert not {m["code"] for m in supplied["missing_materials"]} & set(MISSING)

    # 撤回申请: the application ends, and no step is left for the applicant
    page.get_by_test_id("licence-action-withdraw").click()
    dialog.get_by_test_id("licence-field-reason").fill("浏览器测试：撤回")
    dialog.get_by_test_id("licence-action-submit").click()
    expect(page.get_by_test_id("licence-status")).to_have_text("已撤回")
    expect(page.get_by_test_id("licence-actions").locator("button")).to_have_count(0)
    expect(page.get_by_test_id("licence-no-actions")).to_be_visible()
    assert read(http, plant, LICENSING, app_id)["status"] == "withdrawn"


def pick_date(page: Page, testid: str, day: str) -> None:
    field = page.get_by_test_id(testid).locator("input")
    field.fill(day)
    field.press("Enter")


def test_the_plant_applies_for_grade_three_on_a_phone(phone: Page, http, demo_tokens, staff_token):
    page = phone
    plant = demo_tokens(KT.client_id)
    before = own_total(http, plant, STANDARDIZATION)
    today = jsonio.today()
    note = f"浏览器测试 {uuid.uuid4().hex[:8]}"

    log_in(page, ENTERPRISE_USER, "/app/enterprise/")
    page.goto("/app/enterprise/#/standardization/new")
    expect(page.get_by_test_id("std-form-family")).to_have_text("危险化学品")
    expect(page.get_by_test_id("std-form-standard-name")).to_contain_text("GB 45673-2025")
    expect(page.get_by_test_id("std-form-grades")).to_contain_text("三级")
    expect(page.get_by_test_id("std-form-grades")).not_to_contain_text("一级")   # graded by the province, not here

    page.get_by_test_id("std-form-grade").click()
    page.get_by_role("option", name=re.compile(r"^三级")).click()
    page.get_by_test_id("std-form-self-score").fill("50")
    recent = today - timedelta(days=30)
    pick_date(page, "std-form-since", recent.isoformat())
    page.get_by_test_id("std-form-submit").click()
    expect(field_error(page, "自评得分")).to_contain_text("自评得分未达到申请等级的分数线")
    expect(field_error(page, "体系运行起始日期")).to_contain_text("运行满6个月后方可申请")
    assert own_total(http, plant, STANDARDIZATION) == before

    page.get_by_test_id("std-form-self-score").fill("78.5")
    since = today - timedelta(days=400)
    pick_date(page, "std-form-since", since.isoformat())
    page.get_by_test_id("std-form-self-assessment").fill(f"sha256:{uuid.uuid4().hex}")
    page.get_by_test_id("std-form-note").fill(note)
    page.get_by_test_id("std-form-submit").click()
    app_id = opened_id(page, "standardization")
    expect(page.get_by_test_id("std-status")).to_have_text("已申请")
    expect(page.get_by_test_id("std-applied-grade")).to_have_text("三级")
    expect(page.get_by_test_id("std-family")).to_have_text("危险化学品")
    expect(page.get_by_test_id("std-since")).to_have_text(since.isoformat())
    filed = read(http, plant, STANDARDIZATION, app_id)
    assert filed["uscc"] == KT_USCC and filed["applied_grade"] == "3" and filed["self_score"] == 78.5 and filed["note"] == note
    expect(page.get_by_test_id("std-review-due")).to_have_text(filed["clock"]["review_due"]["date"])
    # the server offers the applicant nothing while the agency has it
    assert filed.get("actions") == []
    expect(page.get_by_test_id("std-actions").locator("button")).to_have_count(0)

    page.goto("/app/enterprise/#/standardization")
    card = page.get_by_test_id("std-row").filter(has=page.get_by_test_id(f"std-open-{app_id}"))
    expect(card).to_have_count(1)
    expect(card).to_contain_text("申请三级")
    expect(card).to_contain_text("危险化学品")
    expect(card.get_by_test_id("std-status")).to_have_text("已申请")
    expect(card).not_to_contain_text("hazardous_chemicals")

    # the county inspector returns it; the plant reads why
    reasons = f"自评报告缺少现场评审记录 {uuid.uuid4().hex[:6]}"
    returned = officer_step(http, staff_token("kongtong-inspector"), STANDARDIZATION, filed, "return", {"reasons": reasons})
    assert returned["status"] == "returned"
    card.get_by_test_id(f"std-open-{app_id}").click()
    expect(page.get_by_test_id("std-status")).to_have_text("已退回")
    expect(page.get_by_test_id("std-return-reasons")).to_have_text(reasons)
    expect(page.get_by_test_id("std-step").first).to_contain_text("退回")
