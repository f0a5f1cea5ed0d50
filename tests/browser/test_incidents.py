"""突发事件 in a real browser (web/src/pages/emergency/views/incidents/): 崆峒区's commander opens the
list, registers an accident at a chemical plant made for the test with its 首报 (the data centre's grade appears), adds a 续报
with two more dead and sees it in the timeline (the grade rises to 较大), decides the suggested Ⅲ级
response, sets up 抢险救援组, gives it a task and moves the task to done."""
from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in

COMMANDER = "kongtong-commander"
EMERGENCY = "/app/emergency/"


def choose(page: Page, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()


def number(page: Page, testid: str, value: int) -> None:
    field = page.get_by_test_id(testid).locator("input")
    field.fill(str(value))
    field.press("Tab")


def test_the_county_commander_handles_an_accident(page: Page, demo_enterprises, records):
    # a plant made for the test: the deaths below must not land on the demo plant 崆峒化工, whose
    # standardization review (no fatal accident in the look-back) other tests run
    plant = records.create("enterprise", region="620802", sector="hazardous_chemicals")
    title = f"液氨泄漏中毒事故{uuid.uuid4().hex[:6]}"
    log_in(page, COMMANDER, EMERGENCY)
    page.goto(f"{EMERGENCY}#/incidents")
    expect(page.get_by_test_id("incidents")).to_be_visible()

    # 新建事件, with the 首报
    page.get_by_test_id("inc-new").click()
    dialog = page.get_by_test_id("inc-new-dialog")
    dialog.get_by_test_id("inc-new-title").fill(title)
    choose(page, "inc-new-type", "生产安全事故")
    choose(page, "inc-new-subtype", "中毒和窒息")
    expect(dialog.get_by_test_id("inc-new-region")).to_contain_text("崆峒区")
    dialog.get_by_test_id("inc-new-address").fill("崆峒区工业园区纬一路8号 液氨储罐区")
    dialog.get_by_test_id("inc-new-uscc").fill(plant["uscc"])
    number(page, "inc-new-deaths", 1)
    number(page, "inc-new-injured", 2)
    dialog.get_by_test_id("inc-new-description").fill("液氨储罐出料阀泄漏，1人死亡、2人受伤")
    dialog.get_by_test_id("inc-new-submit").click()
    expect(dialog).to_be_hidden()
    page.wait_for_url(re.compile(r"#/incidents/\d+$"))
    expect(page.get_by_test_id("inc-title")).to_have_text(title)
    expect(page.get_by_test_id("inc-status")).to_have_text("已接报")
    expect(page.get_by_test_id("inc-accident-grade")).to_have_text("一般")
    expect(page.get_by_test_id("inc-report-label")).to_have_text("首报")
    expect(page.get_by_test_id("inc-deaths")).to_have_text("1")

    # 续报: two more dead — in the timeline; the data centre re-grades
    page.get_by_test_id("inc-report-kind-follow_up").click()
    page.get_by_test_id("inc-report-course-input").fill("2名被困人员救出后经抢救无效死亡，泄漏已控制")
    number(page, "inc-report-deaths", 3)
    page.get_by_test_id("inc-report-submit").click()
    expect(page.get_by_test_id("inc-report-label")).to_have_text(["首报", "续报（第1次）"])
    expect(page.get_by_test_id("inc-timeline")).to_contain_text("续报（第1次）：2名被困人员救出后经抢救无效死亡")
    expect(page.get_by_test_id("inc-timeline")).to_contain_text("伤亡情况更新（续报（第1次））：死亡1→3")
    expect(page.get_by_test_id("inc-accident-grade")).to_have_text("较大")
    expect(page.get_by_test_id("inc-deaths")).to_have_text("3")

    # the suggested level, decided
    expect(page.get_by_test_id("inc-level-suggestion")).to_have_text("Ⅲ级")
    page.get_by_test_id("inc-level-3").click()
    page.get_by_test_id("inc-level-plan").fill("平凉市危险化学品事故应急预案")
    page.get_by_test_id("inc-level-submit").click()
    expect(page.get_by_test_id("inc-level")).to_have_text("Ⅲ级响应")
    expect(page.get_by_test_id("inc-status")).to_have_text("响应中")

    # 指挥机构 with 抢险救援组
    page.get_by_test_id("inc-cmd-edit").click()
    page.get_by_test_id("inc-cmd-commander-name").fill("王指挥")
    page.get_by_test_id("inc-cmd-commander-phone").fill("13909331111")
    choose(page, "inc-cmd-add-group", "抢险救援组")
    page.get_by_test_id("inc-cmd-add-group-button").click()
    page.get_by_test_id("inc-cmd-leader-rescue").fill("赵队长")
    page.get_by_test_id("inc-cmd-save").click()
    expect(page.get_by_test_id("inc-cmd-commander")).to_have_text("王指挥")
    expect(page.get_by_test_id("inc-cmd-group-rescue")).to_contain_text("组长 赵队长")

    # a task to the group, moved on to done
    task = f"关闭储罐区进料阀并持续监测{uuid.uuid4().hex[:4]}"
    page.get_by_test_id("inc-task-title-input").fill(task)
    choose(page, "inc-task-assignee", "抢险救援组")
    page.get_by_test_id("inc-task-submit").click()
    expect(page.get_by_test_id("inc-tasks-assigned")).to_contain_text(task)
    for button, column in (("已接收", "accepted"), ("处置中", "in_progress"), ("已完成", "done")):
        page.locator(".task", has_text=task).get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_test_id(f"inc-tasks-{column}")).to_contain_text(task)
    expect(page.get_by_test_id("inc-timeline")).to_contain_text(f"任务“{task}”：处置中 → 已完成")

    page.screenshot(path="/tmp/incident-page.png", full_page=True)

    # back to the list: the incident with its level and status
    page.get_by_test_id("back").click()
    row = page.get_by_test_id("inc-row").filter(has_text=title)
    expect(row.get_by_test_id("inc-row-status")).to_have_text("响应中")
    expect(row.get_by_test_id("inc-row-level")).to_have_text("Ⅲ级")
    page.screenshot(path="/tmp/incidents-list.png", full_page=True)
