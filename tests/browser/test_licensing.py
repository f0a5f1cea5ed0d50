"""行政许可 in a real browser: an application decided on the last day of its period. The demo
chemical plant files a 非药品类易制毒化学品生产备案 (20 working days from acceptance) through the
API and the county inspector accepts it; its acceptance is moved back so that its 20th working day
is the first working day from today on — today itself on a working day, so the period ends today —
counted with services/kit/workdays.py from the calendar the test instance holds, and the stored
deadline columns recomputed with the licensing rules. The county supervisor sees it in the open
queue on its last day (on a weekend or holiday: the days used so far, due on the next working day),
never overdue, approves it in the page, and it leaves the open queue."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from infra.keycloak import realm
from services.kit import roles, workdays
from services.supervision.licensing import rules, store
from services.supervision.licensing.servicer import table_of
from tests.browser.conftest import log_in
from tests.integration.conftest import KT_USCC, bearer

SH = ZoneInfo("Asia/Shanghai")
KT = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)
BASE = "/api/v1/licensing/applications"
TYPE = "precursor_production_filing"
TYPE_NAME = "非药品类易制毒化学品生产备案证明"
PERIOD = 20


@pytest.fixture(scope="module")
def supervisor(staff_user):
    """The county's supervisor: the agency head who decides."""
    return staff_user("lic-browser-supervisor", "620802", roles.SUPERVISION_SUPERVISOR)


def period_ending_on_the_next_working_day(db, n: int):
    """(calendar, today, the last day of the period, the day of acceptance): the period of n working
    days ends on the first working day from today on, from the instance's calendar."""
    calendar = workdays.load(db.conn)
    today = datetime.now(SH).date()
    due = today
    while not calendar.is_working_day(due):
        due += timedelta(days=1)
    day = due
    while calendar.working_days_between(day, due) < n or not calendar.is_working_day(day):
        day -= timedelta(days=1)
    assert calendar.add_working_days(day, n).day == due
    return calendar, today, due, day


def step(http, token: str, app: dict, path: str, body: dict | None = None) -> dict:
    r = http.post(f"{BASE}/{app['id']}/{path}", json={"version": app["version"]} | (body or {}),
                  headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 200, r.text
    return r.json()


def accepted_application(http, demo_tokens, staff_token) -> dict:
    """A filing the demo chemical plant submitted and the county inspector accepted today."""
    r = http.post(BASE, json={"licence_type": TYPE, "scope": "第二类非药品类易制毒化学品：甲苯 500吨/年",
                              "materials": [{"code": c, "reference": f"sha256:{uuid.uuid4().hex}"}
                                            for c in ("filing_form", "business_licence", "products_list")]},
                  headers=bearer(demo_tokens(KT.client_id)) | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    app = step(http, staff_token("kongtong-inspector"), r.json(), "accept")
    assert app["clock"]["day_type"] == "working"
    return app


def open_queue_of_type(page: Page, username: str) -> None:
    log_in(page, username, "/app/supervision/")
    page.goto("/app/supervision/#/licensing")
    page.get_by_test_id("licence-type-filter").click()
    page.get_by_role("option", name=TYPE_NAME, exact=True).click()


def test_an_application_decided_on_its_twentieth_working_day(page: Page, http, demo_tokens, staff_token, supervisor, supervision_db):
    app = accepted_application(http, demo_tokens, staff_token)

    # received and accepted so that the twentieth working day is the next one: the columns the licensing store keeps
    calendar, today, due, accepted = period_ending_on_the_next_working_day(supervision_db, PERIOD)
    used = calendar.working_days_between(accepted, today)  # PERIOD on a working day, one fewer on a day off
    supervision_db.execute("UPDATE licensing.application SET received_on = %s, accepted_on = %s WHERE id = %s",
                           (accepted, accepted, int(app["id"])))
    row = store.get(supervision_db.conn, int(app["id"]))
    store.set_deadlines(supervision_db.conn, row["id"], rules.stored_deadlines(row, calendar=calendar, table=table_of(row), today=today))
    assert supervision_db.execute("SELECT decision_due FROM licensing.application WHERE id = %s", (row["id"],)).fetchone()[0] == due

    open_queue_of_type(page, supervisor)
    queued = page.get_by_test_id("licence-row").filter(has=page.get_by_test_id(f"licence-open-{app['id']}"))
    expect(queued.get_by_test_id("licence-clock")).to_have_text(f"第{used}个工作日 · 剩{PERIOD - used}个工作日")
    expect(queued.get_by_test_id("licence-due")).to_have_text(due.isoformat())
    expect(queued.get_by_test_id("licence-due-today")).to_have_count(1 if due == today else 0)
    if due == today:
        expect(queued.get_by_test_id("licence-due-today")).to_have_text("今日到期")
    expect(queued.get_by_test_id("licence-overdue")).to_have_count(0)
    expect(queued).not_to_have_class(re.compile(r"overdue-row"))

    queued.get_by_test_id(f"licence-open-{app['id']}").click()
    expect(page.get_by_test_id("licence-status")).to_have_text("已受理")
    expect(page.get_by_test_id("licence-due-today")).to_have_count(1 if due == today else 0)
    page.get_by_test_id("licence-action-decide_approved").click()
    dialog = page.get_by_test_id("licence-action-dialog")
    expect(dialog.get_by_test_id("licence-field-scope")).to_have_value("第二类非药品类易制毒化学品：甲苯 500吨/年")
    dialog.get_by_test_id("licence-action-submit").click()
    expect(page.get_by_test_id("licence-status")).to_have_text("准予许可")
    expect(page.get_by_test_id("licence-decision")).to_have_text("准予许可")
    expect(page.get_by_test_id("licence-clock")).to_have_text(f"用时 {used}个工作日")
    expect(page.get_by_test_id("licence-overdue")).to_have_count(0)
    expect(page.get_by_test_id("licence-step").first).to_contain_text("作出许可决定")

    decided = http.get(f"{BASE}/{app['id']}", headers=bearer(staff_token(supervisor))).json()
    assert decided["status"] == "approved" and decided["decided_on"] == today.isoformat()
    assert decided["clock"]["overdue"] is False and decided["clock"]["days_used"] == used

    page.get_by_test_id("back").click()
    expect(page.get_by_test_id("licence-total")).to_be_visible()   # the open queue has loaded
    expect(page.get_by_test_id(f"licence-open-{app['id']}")).to_have_count(0)


def test_a_provisional_deadline_is_marked_in_the_queue(page: Page, http, demo_tokens, staff_token, supervisor):
    """Extended by ten working days, the deadline may reach into a year whose holiday notice is not
    entered yet: the queue marks it 待节假日安排确认 exactly when the server computed it provisionally."""
    app = accepted_application(http, demo_tokens, staff_token)
    app = step(http, staff_token(supervisor), app, "extension", {"approved_by": "局长 王明", "reason": "需组织专家现场核实储存条件"})
    due = app["clock"]["decision_due"]
    open_queue_of_type(page, supervisor)
    queued = page.get_by_test_id("licence-row").filter(has=page.get_by_test_id(f"licence-open-{app['id']}"))
    expect(queued.get_by_test_id("licence-due")).to_have_text(due["date"])
    expect(queued.get_by_test_id("licence-provisional")).to_have_count(1 if due["provisional"] else 0)
    if due["provisional"]:
        expect(queued.get_by_test_id("licence-provisional")).to_have_text("待节假日安排确认")
