"""安全生产诚信 in a real browser (web/src/pages/supervision/credit/).

- The county supervisor finds the demo chemical plant (崆峒化工) in 企业诚信 by name and grade and
  opens its credit page: score, grade name and the ledger's event type names, as the API reads them
  (read only: the demo plant's ledger is shared with other tests, and it is never listed here).
- On a new enterprise of 崆峒区 (registered each run, as tests/integration/test_credit_flow.py does,
  so the score starts at 100 whatever ran before): the supervisor records a penalty decision in the
  page — a malformed decision number is refused by the server at its field, the same decision twice
  is refused as a duplicate — and sees the score fall by the table's points; lists the enterprise as
  seriously dishonest and sees the listed grade and the measures; on 严重失信主体名单 the listing shows
  its state, term and the day repair opens, with no repair offered yet; thirteen months later (the
  listing's dates moved back in SQL) a repair is applied for in the page — refused while a condition
  is not declared —, approved by the supervisor, and the enterprise is off the list with its grade back.
- A listing past its three-year term (dates moved back) is offered 期满移出 and removed in the page.
"""
from __future__ import annotations

import random
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from services.kit import roles
from services.kit.ruletables import add_months
from tests.browser.conftest import log_in
from tests.integration.conftest import KT_USCC, bearer, enterprise_client, wait_for  # noqa: F401  (fixture)

SH = ZoneInfo("Asia/Shanghai")
SUPERVISION = "/app/supervision/"
API = "/api/v1/credit"
KT_NAME = "平凉市崆峒化工有限公司"
GRADE_TEXT = re.compile(r"^[ABCD]级 · (诚信|基本诚信|诚信较差|不诚信)$")


def today():
    return datetime.now(SH).date()


def penalty_number() -> str:
    return f"(崆)应急罚〔{today().year}〕{random.randint(100_000, 999_999)}号"


@pytest.fixture(scope="module")
def supervisor(staff_user):
    return staff_user("credit-browser-supervisor", "620802", roles.SUPERVISION_SUPERVISOR)


@pytest.fixture
def enterprise(http, enterprise_client, supervision_db):  # noqa: F811
    """A new enterprise of 崆峒区, registered for supervision: an empty ledger, score 100."""
    ent = enterprise_client(region="620802")
    r = http.post("/api/v1/enterprises", headers=bearer(ent.token()), json=ent.submission(name=f"测试诚信{ent.uscc[-6:]}化工有限公司"))
    assert r.status_code in (200, 201), r.text
    wait_for("registration", lambda: supervision_db.execute("SELECT 1 FROM supervision.registration WHERE uscc = %s",
                                                            (ent.uscc,)).fetchone())
    return ent


def credit_page(http, token: str, uscc: str) -> dict:
    r = http.get(f"{API}/enterprises/{uscc}", headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()


def choose(page: Page, testid: str, option: str, scope=None) -> None:
    (scope or page).get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()


def field_error(dialog, testid: str):
    """The error line of the form item holding the control `testid`."""
    return dialog.locator(".el-form-item", has=dialog.page.get_by_test_id(testid)).locator(".el-form-item__error")


def test_the_demo_plant_in_the_list_and_on_its_credit_page(page: Page, http, staff_token, supervisor, demo_enterprises):
    api = credit_page(http, staff_token(supervisor), KT_USCC)
    log_in(page, supervisor, SUPERVISION)
    page.goto(f"{SUPERVISION}#/credit")
    expect(page.get_by_test_id("credit-list")).to_be_visible()
    page.get_by_test_id("credit-search").fill("崆峒化工")
    page.get_by_test_id("credit-search-submit").click()
    row = page.get_by_test_id("credit-row").filter(has=page.get_by_test_id(f"credit-open-{KT_USCC}"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(KT_NAME)
    expect(row).to_contain_text("崆峒区")
    expect(row.get_by_test_id("credit-grade")).to_have_text(f"{api['grade']}级 · {api['grade_name']}")
    expect(row.get_by_test_id("credit-score")).to_have_text(str(api["score"]))
    page.screenshot(path="/tmp/credit-list.png", full_page=True)

    # its grade keeps it in the list, another grade leaves it out
    names = {"A": "诚信", "B": "基本诚信", "C": "诚信较差", "D": "不诚信"}
    choose(page, "credit-grade-filter", f"{api['grade']}级 · {names[api['grade']]}")
    expect(row).to_have_count(1)
    other = "A" if api["grade"] != "A" else "B"
    choose(page, "credit-grade-filter", f"{other}级 · {names[other]}")
    expect(page.get_by_test_id("credit-total")).to_be_visible()
    expect(page.get_by_test_id(f"credit-open-{KT_USCC}")).to_have_count(0)
    choose(page, "credit-grade-filter", "全部等级")

    page.get_by_test_id(f"credit-open-{KT_USCC}").click()
    page.wait_for_url(re.compile(rf"#/credit/{KT_USCC}$"))
    expect(page.get_by_test_id("credit-name")).to_have_text(KT_NAME)
    expect(page.get_by_test_id("credit-grade")).to_have_text(GRADE_TEXT)
    entries = page.get_by_test_id("credit-entry")
    if api["entries"]:  # what the demo plant's ledger holds depends on the tests run before on this instance
        expect(entries.first).to_be_visible()
        expect(entries.first.get_by_test_id("credit-entry-type")).to_have_text(api["entries"][0]["type_name"])
        shown = set(page.get_by_test_id("credit-entry-type").all_inner_texts())
        assert shown <= {t["name"] for t in http.get(f"{API}/types", headers=bearer(staff_token(supervisor))).json()["event_types"]}
    else:
        expect(entries).to_have_count(0)
    body = page.get_by_test_id("credit-entries").inner_text()
    for code in ("hazard_overdue", "recheck_failed", "licence_", "commitment_missed", "penalty_", "accident_"):
        assert code not in body, f"a raw type code {code} is shown"
    page.screenshot(path="/tmp/credit-demo-plant.png", full_page=True)


def test_a_penalty_lowers_the_score_and_a_listing_is_repaired(page: Page, http, staff_token, supervisor, enterprise, supervision_db):
    uscc = enterprise.uscc
    log_in(page, supervisor, SUPERVISION)
    page.goto(f"{SUPERVISION}#/credit/{uscc}")
    expect(page.get_by_test_id("credit-score")).to_have_text("100")
    expect(page.get_by_test_id("credit-grade")).to_have_text("A级 · 诚信")
    expect(page.get_by_test_id("credit-entry")).to_have_count(0)

    # a malformed decision number: the server's message at its field, nothing recorded
    page.get_by_test_id("credit-event-open").click()
    dialog = page.get_by_test_id("credit-event-dialog")
    choose(page, "credit-event-type", "受到罚款、没收违法所得行政处罚", dialog)
    dialog.get_by_test_id("credit-event-reference").fill("罚字7号")
    dialog.get_by_test_id("credit-event-reason").fill("未按规定对从业人员进行安全生产教育和培训")
    dialog.get_by_test_id("credit-event-submit").click()
    expect(field_error(dialog, "credit-event-reference")).to_contain_text(re.compile(r"[\u4e00-\u9fff]"))
    assert credit_page(http, staff_token(supervisor), uscc)["entries"] == []

    number = penalty_number()
    dialog.get_by_test_id("credit-event-reference").fill(number)
    dialog.get_by_test_id("credit-event-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("credit-score")).to_have_text("92")
    expect(page.get_by_test_id("credit-grade")).to_have_text("A级 · 诚信")
    entry = page.get_by_test_id("credit-entry")
    expect(entry).to_have_count(1)
    expect(entry.get_by_test_id("credit-entry-type")).to_have_text("受到罚款、没收违法所得行政处罚")
    expect(entry.get_by_test_id("credit-entry-counted")).to_have_text("-8")
    expect(entry.get_by_test_id("credit-entry-reference")).to_have_text(number)
    expect(entry).to_contain_text("行政处罚")  # the source's name

    # the same decision again is refused as a duplicate, with the server's words
    page.get_by_test_id("credit-event-open").click()
    choose(page, "credit-event-type", "受到罚款、没收违法所得行政处罚", dialog)
    dialog.get_by_test_id("credit-event-reference").fill(number)
    dialog.get_by_test_id("credit-event-reason").fill("重复录入")
    dialog.get_by_test_id("credit-event-submit").click()
    expect(dialog.get_by_test_id("credit-event-error")).to_contain_text("已记入该企业的诚信记录")
    dialog.get_by_role("button", name="取消").click()
    expect(page.get_by_test_id("credit-entry")).to_have_count(1)

    # the supervisor lists the enterprise: the listed grade and the measures
    page.get_by_test_id("credit-listing-open").click()
    listing_dialog = page.get_by_test_id("credit-listing-dialog")
    choose(page, "credit-listing-situation", "瞒报、谎报生产安全事故", listing_dialog)
    listing_dialog.get_by_test_id("credit-listing-penalty").fill(number)
    listing_dialog.get_by_test_id("credit-listing-facts").fill("瞒报一起造成1人受伤的生产安全事故（浏览器测试）")
    listing_dialog.get_by_test_id("credit-listing-principal").fill("王志强")
    listing_dialog.get_by_test_id("credit-listing-submit").click()
    expect(listing_dialog).to_be_hidden()
    expect(page.get_by_test_id("credit-grade")).to_have_text("D级 · 不诚信")
    expect(page.get_by_test_id("credit-listed")).to_be_visible()
    expect(page.get_by_test_id("credit-consequence")).to_have_count(4)
    expect(page.get_by_test_id("credit-consequences")).to_contain_text("列为重点检查对象")
    expect(page.get_by_test_id("credit-listing-state")).to_have_text("列入中")
    expect(page.get_by_test_id("credit-listing-number")).to_have_text(re.compile(rf"^\(崆\)应急失信〔{today().year}〕\d+号$"))
    expect(page.get_by_test_id("credit-listing-open")).to_have_count(0)
    page.screenshot(path="/tmp/credit-listed.png", full_page=True)

    # on the list: state, term, the day repair opens; no repair offered yet
    (listing,) = http.get(f"{API}/dishonesty-listings", headers=bearer(staff_token(supervisor)), params={"uscc": uscc}).json()["items"]
    page.get_by_test_id(f"credit-listing-go-{listing['id']}").click()
    row = page.get_by_test_id("dishonesty-row").filter(has=page.get_by_test_id(f"dishonesty-enterprise-{listing['id']}"))
    expect(row).to_have_count(1)
    expect(page.get_by_test_id("dishonesty-row")).to_have_count(1)  # only this enterprise's (#/dishonesty?uscc=…)
    expect(row).to_contain_text(enterprise_name := credit_page(http, staff_token(supervisor), uscc)["name"])
    expect(row.get_by_test_id("dishonesty-state")).to_have_text("列入中")
    expect(row.get_by_test_id("dishonesty-term")).to_have_text(f"{today().isoformat()} 至 {add_months(today(), 36).isoformat()}")
    expect(row).to_contain_text("王**")
    expect(row).to_contain_text("瞒报、谎报生产安全事故")
    opens = listing["repair_opens_on"]
    expect(row.get_by_test_id("dishonesty-repair-opens")).to_have_text(f"自 {opens} 起可申请信用修复")
    expect(row.get_by_test_id("dishonesty-step-repair")).to_have_count(0)
    page.screenshot(path="/tmp/dishonesty-list.png", full_page=True)

    # thirteen months later
    listed_on = add_months(today(), -13)
    supervision_db.execute("UPDATE credit.listing SET listed_on = %s, expires_on = %s WHERE id = %s",
                           (listed_on, add_months(listed_on, 36), int(listing["id"])))
    page.reload()
    expect(row.get_by_test_id("dishonesty-term")).to_have_text(f"{listed_on.isoformat()} 至 {add_months(listed_on, 36).isoformat()}")
    row.get_by_test_id("dishonesty-step-repair").click()
    dialog = page.get_by_test_id("dishonesty-dialog")
    dialog.get_by_test_id("dishonesty-condition-penalty_fulfilled").click()
    dialog.get_by_test_id("dishonesty-condition-rectified").click()
    dialog.get_by_test_id("dishonesty-condition-no_new_violation").click()
    dialog.get_by_test_id("dishonesty-statement").fill("已缴纳罚款并完成整改，建立事故报告制度")
    dialog.get_by_test_id("dishonesty-submit").click()
    expect(field_error(dialog, "dishonesty-conditions")).to_contain_text("尚未满足信用修复条件：已作出守法诚信承诺")
    dialog.get_by_test_id("dishonesty-condition-commitment").click()
    dialog.get_by_test_id("dishonesty-submit").click()
    expect(dialog).to_be_hidden()
    expect(row.get_by_test_id("dishonesty-repair-state")).to_have_text("修复待审核")
    expect(row.get_by_test_id("dishonesty-step-repair")).to_have_count(0)

    row.get_by_test_id("dishonesty-step-repair-decision").click()
    expect(dialog.get_by_test_id("dishonesty-pending-statement")).to_have_text("已缴纳罚款并完成整改，建立事故报告制度")
    dialog.get_by_test_id("dishonesty-opinion").fill("整改到位，准予提前移出")
    dialog.get_by_test_id("dishonesty-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("dishonesty-row")).to_have_count(0)  # no longer 列入中
    choose(page, "dishonesty-state-filter", "已移出")
    expect(row.get_by_test_id("dishonesty-state")).to_have_text("已移出")
    expect(row.get_by_test_id("dishonesty-removal")).to_have_text(f"信用修复提前移出 {today().isoformat()}")

    row.get_by_test_id(f"dishonesty-enterprise-{listing['id']}").click()
    expect(page.get_by_test_id("credit-name")).to_have_text(enterprise_name)
    expect(page.get_by_test_id("credit-grade")).to_have_text("A级 · 诚信")
    expect(page.get_by_test_id("credit-score")).to_have_text("92")
    expect(page.get_by_test_id("credit-consequences")).to_have_count(0)
    expect(page.get_by_test_id("credit-listing-state")).to_have_text("已移出")
    assert credit_page(http, staff_token(supervisor), uscc)["listed"] is False


def test_a_listing_past_its_term_is_removed(page: Page, http, staff_token, supervisor, enterprise, supervision_db):
    r = http.post(f"{API}/dishonesty-listings", headers=bearer(staff_token(supervisor)) | {"Idempotency-Key": str(uuid.uuid4())},
                  json={"uscc": enterprise.uscc, "situation": "unlicensed_operation", "facts": "许可证暂扣期间从事生产（浏览器测试）",
                        "penalty_number": penalty_number()})
    assert r.status_code == 201, r.text
    listing = r.json()
    listed_on = add_months(today(), -37)
    supervision_db.execute("UPDATE credit.listing SET listed_on = %s, expires_on = %s WHERE id = %s",
                           (listed_on, add_months(listed_on, 36), int(listing["id"])))

    log_in(page, supervisor, SUPERVISION)
    page.goto(f"{SUPERVISION}#/dishonesty?uscc={enterprise.uscc}")
    choose(page, "dishonesty-state-filter", "管理期满待移出")
    row = page.get_by_test_id("dishonesty-row").filter(has=page.get_by_test_id(f"dishonesty-enterprise-{listing['id']}"))
    expect(row.get_by_test_id("dishonesty-state")).to_have_text("管理期满待移出")
    expect(row.get_by_test_id("dishonesty-step-repair")).to_have_count(0)
    row.get_by_test_id("dishonesty-step-removal").click()
    dialog = page.get_by_test_id("dishonesty-dialog")
    dialog.get_by_test_id("dishonesty-note").fill("管理期满，予以移出")
    dialog.get_by_test_id("dishonesty-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("dishonesty-row")).to_have_count(0)
    choose(page, "dishonesty-state-filter", "全部状态")
    expect(row.get_by_test_id("dishonesty-state")).to_have_text("已移出")
    expect(row.get_by_test_id("dishonesty-removal")).to_have_text(f"管理期满移出 {today().isoformat()}")
