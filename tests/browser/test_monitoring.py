"""The monitoring wall in a real browser: an excursion made by the sensor simulator appears as an
alarm in the city's live queue within seconds; the enterprise's safety manager, logged in on the
enterprise page, acknowledges and disposes of it; an alarm nobody acknowledges shows up escalated
on the county inspector's wall. The escalation's due time is brought forward in the database
(the clock the escalation job reads), instead of waiting the rule table's five minutes."""
from __future__ import annotations

import time
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from infra.demo import token as machine_token
from infra.keycloak import realm
from services.supervision.monitoring import simulator
from tests.browser.conftest import log_in
from tests.integration.conftest import GATEWAY, KT_USCC, _db, good_body, wait_for

KT = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)


@pytest.fixture
def sensor():
    """A fresh pressure point of the demo chemical plant, known to supervision, and a simulator of it."""
    headers = {"Authorization": f"Bearer {machine_token(KT.client_id)}"}
    code = f"BT-PT-{uuid.uuid4().hex[:8]}"
    body = good_body("monitoring_point", tok="浏览器") | {"point_code": code, "quantity": "pressure", "unit": "MPa", "high": 1.5,
                                                        "high_high": 1.6, "coal_location": None, "zone": None, "interval_s": 5}
    body = {k: v for k, v in body.items() if v is not None}
    with httpx.Client(base_url=GATEWAY, timeout=15) as http:
        r = http.post("/api/v1/monitoring-points", json=body, headers=headers | {"Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 201, r.text
        point = r.json()
    with _db("supervision") as db:
        wait_for("the point's copy", lambda: db.execute("SELECT 1 FROM monitoring.point WHERE id = %s", (point["id"],)).fetchone())
    model = simulator.Model(simulator.sensors_from([point]), seed=7, dropout_per_hour=0, excursion_per_hour=0)
    return point, model


def _post(model: simulator.Model, now: float) -> None:
    readings = model.readings(now)
    with httpx.Client(base_url=GATEWAY, timeout=15) as http:
        r = http.post("/api/v1/monitoring/readings", json={"readings": readings},
                      headers={"Authorization": f"Bearer {machine_token(KT.client_id)}", "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 200 and r.json()["accepted"] == len(readings), r.text


def _alarm_of(point_id: int) -> int:
    with _db("supervision") as db:
        return wait_for("the alarm", lambda: (db.execute(
            "SELECT id FROM monitoring.alarm WHERE point_id = %s AND status <> 'closed'", (point_id,)).fetchone() or [None])[0])


def test_an_excursion_reaches_the_wall_and_the_enterprise_handles_it(page: Page, sensor, browser):
    point, model = sensor
    log_in(page, "city-admin", "/app/supervision/")
    queue = page.get_by_test_id("alarm-queue")
    expect(page.get_by_test_id("wall-live")).to_have_attribute("data-connected", "true")
    model.excursion(point["point_code"], 60)
    started = time.monotonic()
    _post(model, time.time())
    expect(queue).to_contain_text(point["point_code"], timeout=10_000)
    seconds = time.monotonic() - started
    assert seconds < 10, f"the alarm took {seconds:.1f} s to reach the wall"
    alarm_id = _alarm_of(point["id"])
    expect(page.get_by_test_id(f"alarm-row-{alarm_id}")).to_contain_text("严重报警")

    # the chemical plant's safety manager, on the enterprise page
    context = browser.new_context(base_url=GATEWAY, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    ent = context.new_page()
    log_in(ent, "ktchem-safety", "/app/enterprise/")
    ent.goto(f"/app/enterprise/#/alarms/{alarm_id}")
    expect(ent.get_by_test_id("alarm-status")).to_have_text("待确认")
    ent.get_by_test_id("ack-note").fill("已通知当班操作工")
    ent.get_by_test_id("alarm-ack").click()
    expect(ent.get_by_test_id("alarm-status")).to_have_text("已确认")
    ent.get_by_test_id("alarm-dispose").click()
    dialog = ent.get_by_test_id("dispose-dialog")
    for name, text in (("cause", "球罐受日照升温，压力升高"), ("measures", "开启喷淋降温，转移部分物料"), ("result", "压力恢复至1.2 MPa")):
        dialog.get_by_test_id(f"dispose-{name}").fill(text)
    ent.get_by_test_id("dispose-submit").click()
    expect(ent.get_by_test_id("alarm-status")).to_have_text("已处置")   # still above the limit: closes once it clears
    expect(ent.get_by_test_id("alarm-cause")).to_have_text("球罐受日照升温，压力升高")
    context.close()

    model.excursion(point["point_code"], 0)
    _post(model, time.time() + 6)
    with _db("supervision") as db:
        wait_for("closed once back to normal", lambda: db.execute(
            "SELECT status FROM monitoring.alarm WHERE id = %s", (alarm_id,)).fetchone()[0] == "closed")
    expect(page.get_by_test_id(f"alarm-row-{alarm_id}")).to_have_count(0, timeout=10_000)


def test_the_county_sees_an_unacknowledged_alarm_escalate(page: Page, sensor):
    point, model = sensor
    log_in(page, "kongtong-inspector", "/app/supervision/")
    expect(page.get_by_test_id("wall-live")).to_have_attribute("data-connected", "true")
    model.excursion(point["point_code"], 120)
    _post(model, time.time())
    alarm_id = _alarm_of(point["id"])
    tag = page.get_by_test_id(f"alarm-escalation-{alarm_id}")
    expect(tag).to_have_text("企业")
    with _db("supervision") as db:   # five minutes pass for this alarm
        db.execute("UPDATE monitoring.alarm SET next_escalation_at = now() WHERE id = %s", (alarm_id,))
        db.commit()
    expect(tag).to_have_text("县区", timeout=15_000)
    with _db("supervision") as db:
        told = db.execute("SELECT step FROM monitoring.notification WHERE alarm_id = %s", (alarm_id,)).fetchall()
        assert ("county",) in told  # the members of 崆峒区's grid (the demo inspectors)
        # leave nothing open for other tests
        db.execute("UPDATE monitoring.alarm SET status = 'closed', active = false, closed_at = now() WHERE id = %s", (alarm_id,))
        db.commit()
