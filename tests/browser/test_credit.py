"""安全生产诚信 in a real browser (web/src/pages/supervision/credit/).

- The county supervisor finds the demo chemical plant (崆峒化工) in 企业诚信 by name and grade and
  opens its credit page: score, grade name and the ledger's event type names, as the API reads them
  (read only: the demo plant's ledger is shared with other tests, and it is never listed here).
- The name search filters the list on the server: a new enterprise's unique name part (in any case)
  leaves exactly its row and 共 1 家, a name nobody has leaves none, clearing it brings the list back.
- On a new enterprise of 崆峒区 (registered each run, as tests/integration/test_credit_flow.py does,
  so the score starts at 100 whatever ran before): the score trend chart (诚信分趋势) is drawn as SVG
  with one series of the API's points and the grade bounds' lines (A级 ≥90 …); the supervisor records a penalty decision in the
  page — a malformed decision number is refused by the server at its field, the same decision twice
  is refused as a duplicate — and sees the score fall by the table's points, on the chart too; lists the enterprise as
  seriously dishonest and sees the listed grade and the measures; on 严重失信主体名单 the listing shows
  its state, term and the day repair opens, with no repair offered yet; thirteen months later (the
  listing's dates moved back in SQL) a repair is applied for in the page — refused while a condition
  is not declared —, approved by the supervisor, and the enterprise is off the list with its grade back.
- A listing past its three-year term (dates moved back) is offered 期满移出 and removed in the page.
- The yearly plan (年度检查计划) of 泾川县 for next year, drawn in the page after a new enterprise of the
  county is listed, shows 严重失信主体 N 家, the enterprise's row under 严重失信主体（提高检查频次） with its
  decision number, planned inspections and reason, and its items tagged 严重失信 with that reason.
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


def test_the_name_search_filters_the_list(page: Page, http, staff_token, supervisor, enterprise):
    name = credit_page(http, staff_token(supervisor), enterprise.uscc)["name"]
    part = name.removeprefix("测试诚信").removesuffix("化工有限公司")   # the enterprise's own six characters
    log_in(page, supervisor, SUPERVISION)
    page.goto(f"{SUPERVISION}#/credit")
    total = page.get_by_test_id("credit-total")
    expect(total).to_be_visible()
    everyone = http.get(f"{API}/enterprises", headers=bearer(staff_token(supervisor)), params={"page_size": 1}).json()["total"]
    assert everyone > 1
    expect(total).to_have_text(f"共 {everyone} 家")

    page.get_by_test_id("credit-search").fill(part.lower())            # any case
    page.get_by_test_id("credit-search-submit").click()
    expect(total).to_have_text("共 1 家")
    rows = page.get_by_test_id("credit-row")
    expect(rows).to_have_count(1)
    expect(rows.get_by_test_id(f"credit-open-{enterprise.uscc}")).to_have_text(name)

    page.get_by_test_id("credit-search").fill(f"无此企业{part}")
    page.get_by_test_id("credit-search").press("Enter")
    expect(total).to_have_text("共 0 家")
    expect(rows).to_have_count(0)
    expect(page.get_by_text("没有符合条件的企业")).to_be_visible()

    page.get_by_test_id("credit-search").fill("")
    page.get_by_test_id("credit-search-submit").click()
    expect(total).to_have_text(f"共 {everyone} 家")
    expect(rows).to_have_count(min(everyone, 20))


def expect_trend(page: Page, api: dict) -> None:
    """The chart is drawn (SVG) with one series of the API's points and the grade bounds' lines."""
    chart = page.get_by_test_id("credit-trend")
    expect(chart).to_have_attribute("data-series", "1")
    expect(chart).to_have_attribute("data-points", str(len(api["trend"])))
    expect(chart.locator("svg")).to_have_count(1)
    for g in api["grades"]:
        if g["lower"]:
            expect(chart.locator("svg text", has_text=f"{g['grade']}级 ≥{g['lower']['value']}")).to_have_count(1)


def test_a_penalty_lowers_the_score_and_a_listing_is_repaired(page: Page, http, staff_token, supervisor, enterprise, supervision_db):
    uscc = enterprise.uscc
    log_in(page, supervisor, SUPERVISION)
    page.goto(f"{SUPERVISION}#/credit/{uscc}")
    expect(page.get_by_test_id("credit-score")).to_have_text("100")
    expect(page.get_by_test_id("credit-grade")).to_have_text("A级 · 诚信")
    expect(page.get_by_test_id("credit-entry")).to_have_count(0)
    fresh = credit_page(http, staff_token(supervisor), uscc)
    assert [(t["score"], t["grade"]) for t in fresh["trend"]] == [(100, "A"), (100, "A")], "flat from a year back to today"
    expect_trend(page, fresh)

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
    penalised = credit_page(http, staff_token(supervisor), uscc)
    assert [t["score"] for t in penalised["trend"]] == [100, 92] and penalised["trend"][-1]["on"] == today().isoformat()
    expect_trend(page, penalised)
    page.screenshot(path="/tmp/credit-trend.png", full_page=True)

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


def test_the_yearly_plan_shows_a_listed_enterprise_as_a_key_target(page: Page, http, enterprise_client, staff_user,  # noqa: F811
                                                                   staff_token, records, supervision_db):
    year = today().year + 1
    planner = staff_user("credit-browser-jc-supervisor", "620821", roles.SUPERVISION_SUPERVISOR)
    token = staff_token(planner)
    ent = enterprise_client(region="620821")
    name = f"测试诚信{ent.uscc[-6:]}计划有限公司"
    r = http.post("/api/v1/enterprises", headers=bearer(ent.token()), json=ent.submission(name=name))
    assert r.status_code in (200, 201), r.text
    wait_for("registration", lambda: supervision_db.execute("SELECT 1 FROM supervision.registration WHERE uscc = %s",
                                                            (ent.uscc,)).fetchone())
    for _ in range(2):
        records.create("officer", region="620821", valid_until=f"{year + 2}-12-31")
    # the test instance keeps its data: the county's plan of the year afresh, its enterprises classed
    supervision_db.execute("DELETE FROM inspections.plan WHERE county_code = '620821' AND year = %s", (year,))
    key = {"Idempotency-Key": str(uuid.uuid4())}
    r = http.post("/api/v1/grids/classes", headers=bearer(token) | key, json={"county_code": "620821", "year": year})
    assert r.status_code == 200, r.text
    r = http.post(f"{API}/dishonesty-listings", headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4())},
                  json={"uscc": ent.uscc, "situation": "unlicensed_operation", "facts": "许可证暂扣期间从事生产（浏览器测试）",
                        "penalty_number": f"(泾)应急罚〔{today().year}〕{random.randint(100_000, 999_999)}号"})
    assert r.status_code == 201, r.text
    decision = r.json()["decision_number"]

    log_in(page, planner, SUPERVISION)
    page.goto(f"{SUPERVISION}#/plans?county=620821&year={year}")
    expect(page.get_by_test_id("plan-none")).to_be_visible()
    page.get_by_test_id("plan-generate").click()
    card = page.get_by_test_id("plan-credit")
    expect(card).to_be_visible()
    plan = http.get("/api/v1/inspection-plans", headers=bearer(token), params={"county_code": "620821", "year": year}).json()
    mine = next(t for t in plan["summary"]["credit_listed"] if t["uscc"] == ent.uscc)
    expect(page.get_by_test_id("plan-listed-count")).to_have_text(f"严重失信主体 {len(plan['summary']['credit_listed'])} 家")
    row = page.get_by_test_id("plan-credit-row").filter(has=page.get_by_test_id(f"plan-credit-open-{ent.uscc}"))
    expect(row).to_have_count(1)
    expect(row.get_by_test_id(f"plan-credit-open-{ent.uscc}")).to_have_text(name)
    expect(row.get_by_test_id("plan-credit-decision")).to_have_text(decision)
    expect(row.get_by_test_id("plan-credit-inspections")).to_have_text(f"{mine['inspections']} 次")
    expect(row.get_by_test_id("plan-credit-reason")).to_have_text(mine["reason_zh"])
    assert mine["reason_zh"].endswith("严重失信主体名单（提高检查频次）") and mine["inspections"] == mine["cap"]

    month = min(i["month"] for i in plan["items"] if i["uscc"] == ent.uscc)
    page.get_by_test_id(f"plan-month-{month}").click()
    item = page.get_by_test_id("plan-item").filter(has_text=name)
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("plan-item-listed")).to_have_text("严重失信")
    expect(item.get_by_test_id("plan-item-reason")).to_have_text(mine["reason_zh"])
    page.screenshot(path="/tmp/credit-plan.png", full_page=True)
