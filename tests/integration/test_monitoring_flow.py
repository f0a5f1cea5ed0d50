"""Remote monitoring end to end on the test instance: a point registered in the data centre reaches
supervision; an enterprise posts readings through the gateway; bad readings are refused one by
one; an excursion becomes an alarm (row, history, outbox event) and a warning colour; people
acknowledge and dispose of it, and a machine client may not."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from infra.keycloak import realm
from tests.integration.conftest import KT_USCC, bearer, good_body, wait_for

KT = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)


def _iso(t: datetime) -> str:
    return t.astimezone(timezone(timedelta(hours=8))).isoformat()


@pytest.fixture(scope="module")
def point(http, demo_enterprises, demo_tokens, supervision_db):
    body = good_body("monitoring_point", tok="监测")
    r = http.post("/api/v1/monitoring-points", json=body, headers=bearer(demo_tokens(KT.client_id)) | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    record = r.json()
    wait_for("the point's copy in supervision", lambda: supervision_db.execute(
        "SELECT 1 FROM monitoring.point WHERE id = %s", (record["id"],)).fetchone())
    return record


def post(http, token: str, readings: list, key: str | None = None):
    return http.post("/api/v1/monitoring/readings", json={"readings": readings},
                     headers=bearer(token) | {"Idempotency-Key": key or str(uuid.uuid4())})


def test_a_point_code_is_unique_within_its_enterprise(http, point, demo_tokens):
    body = good_body("monitoring_point", tok="重复") | {"point_code": point["point_code"]}
    r = http.post("/api/v1/monitoring-points", json=body, headers=bearer(demo_tokens(KT.client_id)) | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 409, r.text
    assert r.json()["errors"][0]["field"] == "point_code"


def test_readings_are_accepted_and_each_bad_one_is_listed(http, point, demo_tokens, supervision_db):
    now = datetime.now(timezone.utc)
    readings = [
        {"point": point["point_code"], "time": _iso(now - timedelta(seconds=30)), "value": 0.31},
        {"point": "NO-SUCH-POINT", "time": _iso(now), "value": 0.2},
        {"point": point["point_code"], "time": _iso(now + timedelta(hours=1)), "value": 0.2},
        {"point": point["point_code"], "time": _iso(now - timedelta(days=30)), "value": 0.2},
        {"point": point["point_code"], "time": _iso(now), "value": "high"},
        {"point": point["point_code"], "time": _iso(now), "value": 250.0},
        {"point": point["point_code"], "time": "yesterday", "value": 0.2},
        {"point": point["point_code"], "time": int((now - timedelta(seconds=20)).timestamp() * 1000), "value": 0.33},
    ]
    r = post(http, demo_tokens(KT.client_id), readings)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["accepted"] == 2
    assert {x["index"]: x["code"] for x in answer["rejected"]} == {
        1: "reading.unknown_point", 2: "reading.future", 3: "reading.too_old", 4: "reading.not_numeric", 5: "reading.impossible",
        6: "reading.time_format"}
    assert all(x["message"] and x["message_en"] for x in answer["rejected"])
    wait_for("the two readings stored", lambda: supervision_db.execute(
        "SELECT count(*) FROM monitoring.reading WHERE point_id = %s", (point["id"],)).fetchone()[0] >= 2)


def test_a_retried_batch_is_answered_once_and_stored_once(http, point, demo_tokens, supervision_db):
    t = datetime.now(timezone.utc) - timedelta(seconds=5)
    readings = [{"point": point["point_code"], "time": _iso(t), "value": 0.4}]
    key = str(uuid.uuid4())
    first = post(http, demo_tokens(KT.client_id), readings, key)
    again = post(http, demo_tokens(KT.client_id), readings, key)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotency-Replayed") == "true" and again.json() == first.json()
    other = post(http, demo_tokens(KT.client_id), readings)  # the same reading under a new key
    assert other.status_code == 200
    changed = post(http, demo_tokens(KT.client_id), readings + readings, key)
    assert changed.status_code == 409
    time.sleep(2)
    wait_for("stored once", lambda: supervision_db.execute(
        "SELECT count(*) FROM monitoring.reading WHERE point_id = %s AND time = %s", (point["id"], t.replace(microsecond=t.microsecond // 1000 * 1000))
    ).fetchone()[0] == 1)


def test_another_enterprises_point_is_refused_like_an_unknown_one(http, point, demo_tokens):
    other = next(e for e in realm.DEMO_ENTERPRISES if e.uscc != KT_USCC)
    r = post(http, demo_tokens(other.client_id), [{"point": point["point_code"], "time": _iso(datetime.now(timezone.utc)), "value": 0.2}])
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 0 and r.json()["rejected"][0]["code"] == "reading.unknown_point"


def test_malformed_and_oversize_batches_change_nothing(http, demo_tokens):
    token = demo_tokens(KT.client_id)
    r = http.post("/api/v1/monitoring/readings", content=b"{not json", headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4()),
                                                                                                  "Content-Type": "application/json"})
    assert r.status_code == 400
    r = post(http, token, [])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "readings"
    r = post(http, token, [{"point": "X", "time": "2026-01-01T00:00:00+08:00", "value": 1}] * 5001)
    assert r.status_code in (413, 422)


def test_an_excursion_raises_one_alarm_that_people_handle(http, point, demo_tokens, staff_token, supervision_db):
    token = demo_tokens(KT.client_id)
    now = datetime.now(timezone.utc)
    # working face: alarm at 1.0 %, power cut at 1.5 % (coal_methane rule table)
    r = post(http, token, [{"point": point["point_code"], "time": _iso(now - timedelta(seconds=3)), "value": 1.2},
                           {"point": point["point_code"], "time": _iso(now - timedelta(seconds=2)), "value": 1.7}])
    assert r.status_code == 200 and r.json()["accepted"] == 2
    alarm = wait_for("the alarm", lambda: supervision_db.execute(
        "SELECT id, level, status, peak_value FROM monitoring.alarm WHERE point_id = %s AND condition = 'methane' AND status <> 'closed'",
        (point["id"],)).fetchone(), timeout=30)
    alarm_id, level, status, peak = alarm
    assert (level, status, peak) == ("critical", "raised", 1.7)
    assert supervision_db.execute("SELECT count(*) FROM kit.outbox WHERE topic = 'safety.supervision.alarm.v1' AND record_key = %s",
                                  (str(alarm_id),)).fetchone()[0] >= 1
    colour = wait_for("the enterprise's warning", lambda: supervision_db.execute(
        "SELECT colour FROM monitoring.warning WHERE scope = 'enterprise' AND scope_id = %s", (KT_USCC,)).fetchone())
    assert colour[0] in ("orange", "red")
    # the same excursion again: still one open alarm
    post(http, token, [{"point": point["point_code"], "time": _iso(now - timedelta(seconds=1)), "value": 1.8}])
    time.sleep(1.5)
    assert supervision_db.execute("SELECT count(*) FROM monitoring.alarm WHERE point_id = %s AND condition = 'methane' AND status <> 'closed'",
                                  (point["id"],)).fetchone()[0] == 1

    # staff of the region see it; a machine client may not handle it
    city = staff_token("city-admin")
    listed = http.get("/api/v1/monitoring/alarms", params={"uscc": KT_USCC}, headers=bearer(city)).json()
    assert any(a["id"] == alarm_id and a["condition_name"] == "甲烷超限" for a in listed["items"])
    machine = http.post(f"/api/v1/monitoring/alarms/{alarm_id}/acknowledge", json={"note": "收到"},
                        headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4())})
    assert machine.status_code == 403
    early = http.post(f"/api/v1/monitoring/alarms/{alarm_id}/dispose", json={"cause": "a", "measures": "b", "result": "c"},
                      headers=bearer(city) | {"Idempotency-Key": str(uuid.uuid4())})
    assert early.status_code == 409
    ack_key = str(uuid.uuid4())
    ack = http.post(f"/api/v1/monitoring/alarms/{alarm_id}/acknowledge", json={"note": "已通知现场"},
                    headers=bearer(city) | {"Idempotency-Key": ack_key})
    assert ack.status_code == 200, ack.text
    assert ack.json()["status"] == "acknowledged"
    retried = http.post(f"/api/v1/monitoring/alarms/{alarm_id}/acknowledge", json={"note": "已通知现场"},
                        headers=bearer(city) | {"Idempotency-Key": ack_key})   # the same action again: its first answer
    assert retried.status_code == 200 and retried.headers.get("Idempotency-Replayed") == "true"
    assert supervision_db.execute("SELECT count(*) FROM monitoring.alarm_history WHERE alarm_id = %s AND action = 'acknowledged'",
                                  (alarm_id,)).fetchone()[0] == 1
    disposed = http.post(f"/api/v1/monitoring/alarms/{alarm_id}/dispose",
                         json={"cause": "采空区瓦斯涌出", "measures": "停电撤人，加强通风", "result": "浓度已降至0.5%以下"},
                         headers=bearer(city) | {"Idempotency-Key": str(uuid.uuid4())})
    assert disposed.status_code == 200, disposed.text
    assert disposed.json()["status"] == "disposed"  # still above the restore value: closes once it clears
    post(http, token, [{"point": point["point_code"], "time": _iso(datetime.now(timezone.utc)), "value": 0.4}])
    wait_for("closed once cleared", lambda: supervision_db.execute(
        "SELECT status FROM monitoring.alarm WHERE id = %s", (alarm_id,)).fetchone()[0] == "closed", timeout=30)
    detail = http.get(f"/api/v1/monitoring/alarms/{alarm_id}", headers=bearer(city)).json()
    assert [h["action"] for h in detail["history"]][:1] == ["raised"]
    assert {"acknowledged", "disposed", "cleared", "closed"} <= {h["action"] for h in detail["history"]}


def test_another_county_does_not_see_the_enterprise(http, point, staff_token):
    r = http.get(f"/api/v1/monitoring/points/{point['id']}", headers=bearer(staff_token("jingchuan-inspector")))
    assert r.status_code == 404
    r = http.get(f"/api/v1/monitoring/points/{point['id']}", headers=bearer(staff_token("kongtong-inspector")))
    assert r.status_code == 200 and r.json()["quantity_name"] == "甲烷浓度"


def test_feed_power_still_on_after_a_methane_cut_is_a_power_cut_failure(http, demo_enterprises, demo_tokens, supervision_db):
    """断电失效: the zone's methane reaches its cut value and the feed sensor still reports power on
    after the coal_methane table's grace (30 s); power off clears it."""
    token, zone = demo_tokens(KT.client_id), f"测试断电区{uuid.uuid4().hex[:6]}"
    made = {}
    for name, extra in (("methane", {}), ("feed", {"quantity": "switch", "switch_kind": "feed_power", "unit": None, "coal_location": None,
                                                    "location": "馈电开关"})):
        body = good_body("monitoring_point", tok="断电") | {"point_code": f"PF-{name}-{uuid.uuid4().hex[:6]}", "zone": zone} | extra
        r = http.post("/api/v1/monitoring-points", json={k: v for k, v in body.items() if v is not None},
                      headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 201, r.text
        made[name] = r.json()
    wait_for("both copies", lambda: supervision_db.execute("SELECT count(*) FROM monitoring.point WHERE id = ANY(%s)",
                                                           ([p["id"] for p in made.values()],)).fetchone()[0] == 2)
    t0 = datetime.now(timezone.utc) - timedelta(seconds=60)
    m, f = made["methane"]["point_code"], made["feed"]["point_code"]
    post(http, token, [{"point": m, "time": _iso(t0), "value": 1.6}, {"point": f, "time": _iso(t0 + timedelta(seconds=2)), "state": 1}])
    time.sleep(1.5)
    failure = "SELECT status, active FROM monitoring.alarm WHERE point_id = %s AND condition = 'power_cut_failure'"
    assert supervision_db.execute(failure, (made["feed"]["id"],)).fetchone() is None  # within the grace: not yet a failure
    post(http, token, [{"point": f, "time": _iso(t0 + timedelta(seconds=40)), "state": 1}])
    assert wait_for("the power-cut failure", lambda: supervision_db.execute(failure, (made["feed"]["id"],)).fetchone()) == ("raised", True)
    mine = http.get(f"/api/v1/monitoring/coal-mines/{KT_USCC}", headers=bearer(token))
    assert mine.status_code == 200, mine.text
    z = next(z for z in mine.json()["zones"] if z["zone"] == zone)
    assert (z["cut_required"], z["failure"], z["power_state"]) == (True, True, "on")
    post(http, token, [{"point": f, "time": _iso(t0 + timedelta(seconds=45)), "state": 0}])
    wait_for("cleared once cut", lambda: supervision_db.execute(failure, (made["feed"]["id"],)).fetchone()[1] is False)
    colour = supervision_db.execute("SELECT colour FROM monitoring.warning WHERE scope = 'enterprise' AND scope_id = %s", (KT_USCC,)).fetchone()
    assert colour is not None
