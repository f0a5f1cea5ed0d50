"""Nothing acknowledged is lost, nothing is stored or raised twice, whatever stops: the evaluator
killed while it applies batches, Kafka restarted during intake, PostgreSQL restarted under the
evaluator. Each test uses fresh points of the demo chemical plant, posts readings whose outcome is
known (a few points make one excursion each), and then counts what was stored and raised."""
from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from infra.demo import token as machine_token
from infra.keycloak import realm
from services.kit import config
from tests.integration.conftest import GATEWAY, KT_USCC, bearer, good_body, platformctl, wait_for

KT = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)
POINTS, EXCURSIONS = 12, 4


@pytest.fixture
def points(http, demo_enterprises, supervision_db):
    out = []
    headers = bearer(machine_token(KT.client_id))
    for i in range(POINTS):
        body = good_body("monitoring_point", tok="可靠") | {"point_code": f"RL-{uuid.uuid4().hex[:10]}", "quantity": "temperature",
                                                          "unit": "℃", "high": 40.0, "high_high": 50.0, "interval_s": 1}
        body = {k: v for k, v in body.items() if k not in ("coal_location", "zone")}
        r = http.post("/api/v1/monitoring-points", json=body, headers=headers | {"Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 201, r.text
        out.append(r.json())
    wait_for("the copies", lambda: supervision_db.execute("SELECT count(*) FROM monitoring.point WHERE id = ANY(%s)",
                                                          ([p["id"] for p in out],)).fetchone()[0] == POINTS)
    return out


def batches(points: list[dict], seconds: int, start: datetime) -> list[list[dict]]:
    """One batch per second of readings of every point; the first EXCURSIONS points go to 45 ℃ for
    three seconds in the middle (one alarm each), the others stay at 20 ℃."""
    out = []
    for s in range(seconds):
        t = int((start + timedelta(seconds=s)).timestamp() * 1000)
        hot = seconds // 2 <= s < seconds // 2 + 3
        out.append([{"point": p["point_code"], "time": t, "value": 45.0 if hot and i < EXCURSIONS else 20.0 + i / 10}
                    for i, p in enumerate(points)])
    return out


def send(batch: list[dict], *, attempts: int = 60) -> int:
    """Posts one batch until it is acknowledged (retrying 503s with the same Idempotency-Key, as a
    client should); returns the readings accepted."""
    key = str(uuid.uuid4())
    for _ in range(attempts):
        try:
            r = httpx.post(f"{GATEWAY}/api/v1/monitoring/readings", json={"readings": batch}, timeout=20,
                           headers=bearer(machine_token(KT.client_id)) | {"Idempotency-Key": key})
        except httpx.HTTPError:
            time.sleep(1)
            continue
        if r.status_code == 200:
            return r.json()["accepted"]
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) >= 1
        time.sleep(1)
    raise AssertionError("a batch was never acknowledged")


def settle(db, points: list[dict], expected: int) -> None:
    ids = [p["id"] for p in points]
    wait_for("every acknowledged reading stored", lambda: db.execute(
        "SELECT count(*) FROM monitoring.reading WHERE point_id = ANY(%s)", (ids,)).fetchone()[0] >= expected, timeout=120)
    time.sleep(2)  # anything stored twice would show now
    assert db.execute("SELECT count(*) FROM monitoring.reading WHERE point_id = ANY(%s)", (ids,)).fetchone()[0] == expected
    raised = db.execute("""SELECT a.point_id, count(DISTINCT a.id), count(h.id) FILTER (WHERE h.action = 'raised')
                           FROM monitoring.alarm a JOIN monitoring.alarm_history h ON h.alarm_id = a.id
                           WHERE a.point_id = ANY(%s) AND a.condition = 'high' GROUP BY 1""", (ids,)).fetchall()
    assert sorted(r[0] for r in raised) == sorted(ids[:EXCURSIONS]), raised
    assert all(alarms == 1 and raises == 1 for _, alarms, raises in raised), raised
    events = db.execute("""SELECT count(*) FROM kit.outbox WHERE topic = 'safety.supervision.alarm.v1' AND record_key IN
                           (SELECT id::text FROM monitoring.alarm WHERE point_id = ANY(%s) AND condition = 'high')
                           AND convert_from(payload, 'UTF8')::jsonb->>'action' = 'raised'""",
                        (ids,)).fetchone()[0]
    assert events == EXCURSIONS


def _evaluator_pid() -> int:
    return int((config.state_dir() / "run" / "evaluator.pid").read_text())


def test_killing_the_evaluator_mid_batch_loses_nothing_and_repeats_nothing(points, supervision_db):
    work = batches(points, 30, datetime.now(timezone.utc) - timedelta(minutes=5))
    accepted = 0
    try:
        for i, b in enumerate(work):
            accepted += send(b)
            if i in (8, 19):  # while it works through what came before
                os.killpg(_evaluator_pid(), signal.SIGKILL)
                platformctl("start", "evaluator")
    finally:
        platformctl("start", "evaluator")
    assert accepted == POINTS * 30
    settle(supervision_db, points, accepted)


def test_restarting_kafka_during_intake_loses_no_acknowledged_reading(points, supervision_db):
    work = batches(points, 24, datetime.now(timezone.utc) - timedelta(minutes=4))
    accepted, errors = [0], []

    def client():
        try:
            for b in work:
                accepted[0] += send(b)
                time.sleep(0.3)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
    t = threading.Thread(target=client)
    t.start()
    time.sleep(2)
    try:
        platformctl("restart", "kafka")
    finally:
        t.join(timeout=240)
    assert not errors, errors
    assert accepted[0] == POINTS * 24
    settle(supervision_db, points, accepted[0])


def test_restarting_postgresql_resumes_evaluation_from_the_stored_position(points, supervision_db):
    work = batches(points, 20, datetime.now(timezone.utc) - timedelta(minutes=3))
    accepted = sum(send(b) for b in work[:10])
    platformctl("restart", "postgres")
    accepted += sum(send(b) for b in work[10:])
    settle(supervision_db, points, accepted)


def test_with_kafka_down_the_intake_answers_503_with_retry_after(points, supervision_db):
    """Nothing is acknowledged that Kafka does not hold. The client retries with the same key once
    Kafka is back; a reading the broker took late after all is still stored once."""
    batch = batches(points, 1, datetime.now(timezone.utc) - timedelta(seconds=30))[0]
    key = str(uuid.uuid4())
    platformctl("stop", "kafka")
    try:
        r = httpx.post(f"{GATEWAY}/api/v1/monitoring/readings", json={"readings": batch}, timeout=40,
                       headers=bearer(machine_token(KT.client_id)) | {"Idempotency-Key": key})
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) >= 1
        assert r.json()["title"] and r.json()["detail"]
    finally:
        platformctl("start", "kafka")
    for _ in range(60):
        r = httpx.post(f"{GATEWAY}/api/v1/monitoring/readings", json={"readings": batch}, timeout=40,
                       headers=bearer(machine_token(KT.client_id)) | {"Idempotency-Key": key})
        if r.status_code == 200:
            break
        time.sleep(1)
    assert r.status_code == 200 and r.json()["accepted"] == POINTS
    ids = [p["id"] for p in points]
    wait_for("stored", lambda: supervision_db.execute("SELECT count(*) FROM monitoring.reading WHERE point_id = ANY(%s)",
                                                      (ids,)).fetchone()[0] == POINTS, timeout=120)
