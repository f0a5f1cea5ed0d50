"""安全生产标准化定级 in a real browser. The demo chemical plant 崆峒化工 applies for 三级 through the
API (as in tests/integration/test_standardization_flow.py); in the supervision front end a county
inspector finds it in the queue, accepts it and enters the fourteen elements of GB 45673-2025 in
the score sheet — one score above its element's points first, which the server refuses at that row
— with the three experts; a county supervisor decides the review (80 分, 三级), publishes the notice,
is told in the dialog that the certificate waits for the notice's end, and — the notice moved back
in the supervision database so that its last day was yesterday, as the integration test does —
issues the certificate, which reaches the data centre's enterprise record.

No date is assumed to be a working day: the review and notice dates shown are compared with the
server's own answer, and the notice is ended by moving its stored dates."""
from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from infra.keycloak import realm
from services.kit import jsonio, roles
from tests.browser.conftest import log_in
from tests.integration.conftest import GATEWAY, KT_USCC, bearer

KT = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)
BASE = "/api/v1/standardization/applications"
EXPERTS = ["张建华", "李明远", "王立新"]
# GB 45673-2025's fourteen elements with scores adding up to 80.0 (三级: ≥ 60, 二级: ≥ 75 but not applied for)
SCORES = {"H01": 5, "H02": 5, "H03": 4, "H04": 4, "H05": 5.5, "H06": 8, "H07": 8, "H08": 8, "H09": 6.5, "H10": 5,
          "H11": 5, "H12": 6, "H13": 5, "H14": 5}
SHOTS = os.environ.get("SAFETY_SCREENSHOTS")   # a folder: keep screenshots of the pages there


@pytest.fixture(scope="module")
def inspector(staff_user):
    return staff_user("std-browser-inspector", "620802", roles.SUPERVISION_INSPECTOR)


@pytest.fixture(scope="module")
def supervisor(staff_user):
    """The county's supervisor: the head of the agency that reviews 三级."""
    return staff_user("std-browser-supervisor", "620802", roles.SUPERVISION_SUPERVISOR)


@pytest.fixture
def second_page(browser: Browser) -> Page:
    """Another person's browser (its own cookies)."""
    context = browser.new_context(base_url=GATEWAY, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"standardization-{name}.png"), full_page=True)


def kt_applies(http, demo_tokens) -> dict:
    today = jsonio.today()
    r = http.post(BASE, json={"applied_grade": "3", "self_score": 78.5, "system_running_since": (today - timedelta(days=400)).isoformat(),
                              "self_assessment": f"sha256:{uuid.uuid4().hex}", "note": "浏览器测试"},
                  headers=bearer(demo_tokens(KT.client_id)) | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    return r.json()


def open_application(page: Page, app_id: str) -> None:
    page.goto(f"/app/supervision/#/standardization/{app_id}")
    expect(page.get_by_test_id("std-status")).to_be_visible()


def act(page: Page, code: str, fields: dict[str, str] | None = None) -> None:
    page.get_by_test_id(f"std-action-{code}").click()
    dialog = page.get_by_test_id("std-action-dialog")
    for name, value in (fields or {}).items():
        dialog.get_by_test_id(f"std-field-{name}").fill(value)
    dialog.get_by_test_id("std-action-submit").click()


def test_a_grade_three_application_from_the_queue_to_its_certificate(page: Page, second_page: Page, http, demo_tokens, staff_token,
                                                                      inspector, supervisor, supervision_db):
    app = kt_applies(http, demo_tokens)
    app_id = app["id"]

    # --- the county inspector: the queue, acceptance, the score sheet ----------------------------
    log_in(page, inspector, "/app/supervision/")
    page.goto("/app/supervision/#/standardization")
    page.get_by_test_id("std-family-filter").click()
    page.get_by_role("option", name="危险化学品", exact=True).click()
    page.get_by_test_id("std-grade-filter").click()
    page.get_by_role("option", name="三级", exact=True).click()
    row = page.get_by_test_id("std-row").filter(has=page.get_by_test_id(f"std-open-{app_id}"))
    expect(row.get_by_test_id("std-enterprise")).to_have_text(KT.name)
    expect(row.get_by_test_id("std-family")).to_have_text("危险化学品")
    expect(row.get_by_test_id("std-applied-grade")).to_have_text("三级")
    expect(row.get_by_test_id("std-status")).to_have_text("已申请")
    expect(row.get_by_test_id("std-due")).to_have_text(app["clock"]["review_due"]["date"])
    expect(row.get_by_test_id("std-awarded-grade")).to_have_text("—")
    expect(row).not_to_contain_text("hazardous_chemicals")
    shot(page, "queue")

    row.click()   # a click on the row opens the application
    page.wait_for_url(f"**#/standardization/{app_id}")
    expect(page.get_by_test_id("std-status")).to_have_text("已申请")
    expect(page.get_by_test_id("std-family")).to_have_text("危险化学品")
    expect(page.get_by_test_id("std-applied-grade")).to_have_text("三级")
    expect(page.get_by_test_id("std-review-due")).to_have_text(app["clock"]["review_due"]["date"])
    expect(page.get_by_test_id("std-score-row")).to_have_count(len(SCORES))
    expect(page.get_by_test_id("std-action-review")).to_have_count(0)   # an inspector does not decide
    act(page, "accept")
    expect(page.get_by_test_id("std-status")).to_have_text("已受理")
    expect(page.get_by_test_id("std-action-accept")).to_have_count(0)

    page.get_by_test_id("std-action-score").click()
    for code, score in SCORES.items():
        page.get_by_test_id(f"std-score-input-{code}").fill(str(score))
    page.get_by_test_id("std-score-input-H01").fill("7")       # 安全领导力 has 6 points
    page.get_by_test_id("std-note-H09").fill("动火作业票证填写不完整，扣1.5分")
    page.get_by_test_id("std-experts-input").fill("、".join(EXPERTS))
    page.get_by_test_id("std-scores-save").click()
    expect(page.get_by_test_id("std-scores-error")).to_be_visible()
    expect(page.get_by_test_id("std-score-error-H01")).to_contain_text("安全领导力")
    expect(page.get_by_test_id("std-status")).to_have_text("已受理")            # nothing was saved
    shot(page, "score-error")
    page.get_by_test_id("std-score-input-H01").fill(str(SCORES["H01"]))
    page.get_by_test_id("std-scores-save").click()
    expect(page.get_by_test_id("std-status")).to_have_text("评审中")
    expect(page.get_by_test_id("std-progress")).to_contain_text(f"已评 {len(SCORES)} / {len(SCORES)} 项")
    expect(page.get_by_test_id("std-progress")).to_contain_text("得分合计 80 / 100 分")
    expect(page.get_by_test_id("std-experts")).to_have_text("、".join(EXPERTS))
    h09 = page.get_by_test_id("std-score-row").filter(has_text="作业安全")
    expect(h09.get_by_test_id("std-score")).to_have_text("6.5")
    expect(h09).to_contain_text("动火作业票证填写不完整")
    expect(page.get_by_test_id("std-step").first).to_contain_text("录入评审得分")
    expect(page.get_by_test_id("std-total-score")).to_have_text("—")

    stored = http.get(f"{BASE}/{app_id}", headers=bearer(staff_token(inspector))).json()
    assert {s["code"]: s["score"] for s in stored["scores"]} == SCORES and stored["experts"] == EXPERTS

    # --- the county supervisor: review, notice, certificate ------------------------------------
    log_in(second_page, supervisor, "/app/supervision/")
    open_application(second_page, app_id)
    expect(second_page.get_by_test_id("std-status")).to_have_text("评审中")
    act(second_page, "review")
    expect(second_page.get_by_test_id("std-status")).to_have_text("评审通过")
    expect(second_page.get_by_test_id("std-total-score")).to_have_text("80 分")
    expect(second_page.get_by_test_id("std-awarded-grade")).to_have_text("三级")
    expect(second_page.get_by_test_id("std-considered")).to_contain_text("三级")

    act(second_page, "notice")
    expect(second_page.get_by_test_id("std-status")).to_have_text("公示中")
    noticed = http.get(f"{BASE}/{app_id}", headers=bearer(staff_token(supervisor))).json()
    notice = noticed["clock"]["notice"]
    expect(second_page.get_by_test_id("std-notice")).to_have_text(f"{notice['starts_on']} 至 {notice['ends']['date']}")
    shot(second_page, "in-notice")

    # during the notice the server refuses the certificate: its reason is shown in the dialog
    act(second_page, "certify")
    error = second_page.get_by_test_id("std-action-dialog").get_by_test_id("std-action-error")
    expect(error).to_contain_text(f"公示期至{notice['ends']['date']}，期满后方可发证")
    shot(second_page, "certify-refused")
    second_page.get_by_test_id("std-action-dialog").get_by_role("button", name="取消").click()
    expect(second_page.get_by_test_id("std-status")).to_have_text("公示中")

    # as if the notice had been published two weeks ago: its last day was yesterday
    today = jsonio.today()
    supervision_db.execute("UPDATE standardization.application SET notice_starts_on = %s, notice_ends_on = %s WHERE id = %s",
                           (today - timedelta(days=14), today - timedelta(days=1), int(app_id)))
    notice = http.get(f"{BASE}/{app_id}", headers=bearer(staff_token(supervisor))).json()["clock"]["notice"]
    assert notice["over"] and not notice["open"], notice
    second_page.reload()
    expect(second_page.get_by_test_id("std-notice")).to_have_text(f"{notice['starts_on']} 至 {notice['ends']['date']}")
    expect(second_page.get_by_test_id("std-notice-over")).to_have_text("公示期满")
    act(second_page, "certify")
    expect(second_page.get_by_test_id("std-status")).to_have_text("已发证")
    expect(second_page.get_by_test_id("std-certificate")).to_have_text(re.compile(rf"^AQBⅢWH甘{today.year}\d{{5}}$"))
    expect(second_page.get_by_test_id("std-certificate-state")).to_have_text("有效")
    expect(second_page.get_by_test_id("std-certificate-grade")).to_have_text("三级")
    expect(second_page.get_by_test_id("std-awarded-grade")).to_have_text("三级")
    expect(second_page.get_by_test_id("std-step").first).to_contain_text("颁发证书")
    expect(second_page.get_by_test_id("std-action-certify")).to_have_count(0)
    shot(second_page, "certified")

    record = http.get(f"/api/v1/enterprises/{KT_USCC}", headers=bearer(staff_token("city-admin"))).json()
    assert record.get("standardization_grade") == "3"

    # the certified application leaves the open queue and is found under 已发证
    second_page.get_by_test_id("back").click()
    expect(second_page.get_by_test_id("std-total")).to_be_visible()
    expect(second_page.get_by_test_id(f"std-open-{app_id}")).to_have_count(0)
    second_page.get_by_test_id("std-status-filter").click()
    second_page.get_by_role("option", name="已发证", exact=True).click()
    row = second_page.get_by_test_id("std-row").filter(has=second_page.get_by_test_id(f"std-open-{app_id}"))
    expect(row.get_by_test_id("std-status")).to_have_text("已发证")
    expect(row.get_by_test_id("std-awarded-grade")).to_have_text("三级")
    expect(row.get_by_test_id("std-clock")).to_have_text("证书有效")
