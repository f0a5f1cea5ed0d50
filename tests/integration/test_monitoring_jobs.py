"""The monitoring jobs and the enterprise's people on the test instance: offline and back online,
rollups behind the trend chart, the daily safety commitment filed by a person (not a machine),
data quality, and bad batches leaving the readings topic untouched. Where a job waits on the clock
(silence of a point), the test moves the stored time back instead of sleeping."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kafka import KafkaConsumer, TopicPartition
from keycloak import KeycloakOpenID

from infra.demo import token as machine_token
from infra.keycloak import realm
from services.kit import config
from services.supervision.monitoring import evaluator, jobs
from tests.integration.conftest import KT_USCC, bearer, good_body, wait_for

KT = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)


def person_token(username: str) -> str:
    kc = config.keycloak()
    return KeycloakOpenID(server_url=kc.url + "/", realm_name=kc.realm, client_id=realm.DEV_CLIENT).token(
        username, realm.DEMO_PASSWORD)["access_token"]


@pytest.fixture
def point(http, demo_enterprises, supervision_db):
    body = good_body("monitoring_point", tok="作业") | {"point_code": f"JB-{uuid.uuid4().hex[:10]}", "quantity": "temperature",
                                                      "unit": "℃", "high": 40.0, "interval_s": 5}
    body = {k: v for k, v in body.items() if k not in ("coal_location", "zone")}
    r = http.post("/api/v1/monitoring-points", json=body, headers=bearer(machine_token(KT.client_id)) | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    p = r.json()
    wait_for("the copy", lambda: supervision_db.execute("SELECT 1 FROM monitoring.point WHERE id = %s", (p["id"],)).fetchone())
    return p


def post(http, readings):
    r = http.post("/api/v1/monitoring/readings", json={"readings": readings},
                  headers=bearer(machine_token(KT.client_id)) | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_silent_point_goes_offline_and_a_reading_brings_it_back(http, point, supervision_db):
    post(http, [{"point": point["point_code"], "time": int(time.time() * 1000), "value": 20.0}])
    wait_for("seen", lambda: supervision_db.execute("SELECT last_time FROM monitoring.point_state WHERE point_id = %s",
                                                    (point["id"],)).fetchone()[0])
    supervision_db.execute("UPDATE monitoring.point_state SET seen_at = now() - interval '10 minutes' WHERE point_id = %s", (point["id"],))
    alarm = wait_for("the offline alarm", lambda: supervision_db.execute(
        "SELECT id FROM monitoring.alarm WHERE point_id = %s AND condition = 'offline' AND status <> 'closed'", (point["id"],)).fetchone())
    assert supervision_db.execute("SELECT online FROM monitoring.point_state WHERE point_id = %s", (point["id"],)).fetchone()[0] is False
    post(http, [{"point": point["point_code"], "time": int(time.time() * 1000), "value": 20.5}])
    wait_for("closed when back online", lambda: supervision_db.execute(
        "SELECT status FROM monitoring.alarm WHERE id = %s", alarm).fetchone()[0] == "closed")


def test_rollups_feed_the_trend_chart(http, point, supervision_db, staff_token):
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(minutes=8)
    readings = [{"point": point["point_code"], "time": int((start + timedelta(seconds=10 * i)).timestamp() * 1000), "value": 20.0 + i % 6}
                for i in range(30)]   # five minutes, six readings a minute: 20..25
    assert post(http, readings)["accepted"] == 30
    wait_for("the minute rollups", lambda: supervision_db.execute(
        "SELECT count(*) FROM monitoring.rollup_1m WHERE point_id = %s", (point["id"],)).fetchone()[0] == 5, timeout=60)
    row = supervision_db.execute("SELECT min, max, sum / count, count FROM monitoring.rollup_1m WHERE point_id = %s ORDER BY bucket LIMIT 1",
                                 (point["id"],)).fetchone()
    assert row == (20.0, 25.0, 22.5, 6)
    city = staff_token("city-admin")
    day = http.get(f"/api/v1/monitoring/points/{point['id']}/series", headers=bearer(city),
                   params={"from": (start - timedelta(hours=20)).isoformat(), "to": (start + timedelta(hours=1)).isoformat()}).json()
    assert day["resolution"] == "1m" and [i["count"] for i in day["items"]] == [6] * 5
    month = http.get(f"/api/v1/monitoring/points/{point['id']}/series", headers=bearer(city),
                     params={"from": (start - timedelta(days=30)).isoformat(), "to": (start + timedelta(hours=1)).isoformat()}).json()
    assert month["resolution"] == "1h" and sum(i["count"] for i in month["items"]) == 30
    raw = http.get(f"/api/v1/monitoring/points/{point['id']}/series", headers=bearer(city),
                   params={"from": start.isoformat(), "to": (start + timedelta(minutes=10)).isoformat()}).json()
    assert raw["resolution"] == "raw" and len(raw["items"]) == 30


def test_a_person_files_the_daily_commitment_and_a_machine_may_not(http, demo_enterprises, supervision_db, staff_token):
    source = wait_for("the plant's source", lambda: supervision_db.execute(
        "SELECT id FROM monitoring.source WHERE uscc = %s AND NOT deleted ORDER BY id LIMIT 1", (KT_USCC,)).fetchone())[0]
    others = [r[0] for r in supervision_db.execute("SELECT id FROM monitoring.source WHERE uscc = %s AND NOT deleted AND id <> %s",
                                                   (KT_USCC, source)).fetchall()]
    sources = [{"source_id": s, "state": "normal"} for s in others] + [
        {"source_id": source, "state": "special_work", "special_work": ["hot_work"], "note": "2号球罐检修动火"}]
    machine = http.post("/api/v1/monitoring/commitments", json={"sources": sources},
                        headers=bearer(machine_token(KT.client_id)) | {"Idempotency-Key": str(uuid.uuid4())})
    assert machine.status_code == 403
    person = person_token("ktchem-safety")
    incomplete = http.post("/api/v1/monitoring/commitments", json={"sources": sources[-1:] if others else []},
                           headers=bearer(person) | {"Idempotency-Key": str(uuid.uuid4())})
    assert incomplete.status_code == 422
    filed = http.post("/api/v1/monitoring/commitments", json={"sources": sources},
                      headers=bearer(person) | {"Idempotency-Key": str(uuid.uuid4())})
    assert filed.status_code == 200, filed.text
    late = datetime.now(timezone(timedelta(hours=8))).strftime("%H:%M") >= "10:00"
    assert filed.json()["status"] == ("late" if late else "on_time") and filed.json()["filed"] is True
    assert {s["source_id"] for s in filed.json()["expected_sources"]} == {source, *others}
    board = http.get("/api/v1/monitoring/commitments", headers=bearer(staff_token("kongtong-inspector"))).json()
    mine = next(i for i in board["items"] if i["uscc"] == KT_USCC)
    assert mine["status"] in ("on_time", "late") and mine["status_name"] in ("按时承诺", "逾期承诺")
    assert any(s.get("special_work_names") == ["动火作业"] for s in mine["sources"])
    own = http.get("/api/v1/monitoring/commitments/today", headers=bearer(person)).json()
    assert own["filed"] is True


def test_data_quality_is_computed_and_ranked(http, point, supervision_db, staff_token):
    post(http, [{"point": point["point_code"], "time": int(time.time() * 1000) - 120_000, "value": 21.0}])
    time.sleep(1)
    pool = _pool()
    try:
        with pool.connection() as conn, conn.transaction():
            all_tables = evaluator.tables()
            jobs.run_rollups(conn, all_tables, datetime.now(timezone.utc))
            jobs.run_quality(conn, all_tables, datetime.now(timezone.utc))
    finally:
        pool.close()
    r = http.get("/api/v1/monitoring/quality", headers=bearer(staff_token("city-admin"))).json()
    mine = next(i for i in r["items"] if i["key"] == KT_USCC)
    assert mine["name"] == KT.name and 0 <= mine["completeness"] <= 1 and 0 <= mine["online_rate"] <= 1 and mine["rank"] >= 1
    counties = http.get("/api/v1/monitoring/quality", params={"level": "county"}, headers=bearer(staff_token("city-admin"))).json()
    assert any(i["name"] == "崆峒区" for i in counties["items"])


def _pool():
    from services.kit.db import open_pool
    return open_pool(config.database_dsn("supervision"), name="test-jobs", max_size=1)


def test_bad_batches_put_nothing_on_the_readings_topic(http, point, demo_tokens):
    consumer = KafkaConsumer(bootstrap_servers=config.kafka_bootstrap())
    parts = [TopicPartition("safety.supervision.readings.v1", p) for p in consumer.partitions_for_topic("safety.supervision.readings.v1")]
    before = consumer.end_offsets(parts)
    other = next(e for e in realm.DEMO_ENTERPRISES if e.uscc != KT_USCC)
    token = machine_token(KT.client_id)
    for body in (b"{broken", b'{"readings": []}', b'{"readings": "x"}',
                 b'{"readings": [{"point": "NOPE", "time": 1, "value": 1}]}'):
        http.post("/api/v1/monitoring/readings", content=body, headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4()),
                                                                                          "Content-Type": "application/json"})
    wrong_owner = http.post("/api/v1/monitoring/readings", json={"readings": [{"point": point["point_code"], "time": int(time.time() * 1000),
                                                                              "value": 20}]},
                            headers=bearer(machine_token(other.client_id)) | {"Idempotency-Key": str(uuid.uuid4())})
    assert wrong_owner.json()["accepted"] == 0
    big = http.post("/api/v1/monitoring/readings", content=b'{"readings": [' + b"0," * 1_100_000 + b"0]}",
                    headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"})
    assert big.status_code == 413
    assert consumer.end_offsets(parts) == before
    consumer.close()
