"""Nothing is lost, nothing is applied twice: Kafka outages, duplicated and stale deliveries,
and poison messages, with the real broker, relay and consumer."""
from __future__ import annotations

import json
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaProducer, TopicPartition

from services.kit import config
from services.supervision.registrations.events import SUBSCRIPTION
from tests.integration.conftest import platformctl, registration, wait_for

TOPIC = "safety.datacenter.enterprise.v1"
DLQ = "safety.supervision.dlq.v1"


def submit(http, ent, **overrides):
    r = http.post("/api/v1/enterprises", json=ent.submission(**overrides), headers={"Authorization": f"Bearer {ent.token()}"})
    assert r.status_code in (200, 201), r.text
    return r.json()


@pytest.fixture
def producer():
    p = KafkaProducer(bootstrap_servers=config.kafka_bootstrap(), acks="all")
    yield p
    p.close()


def consumer_caught_up(partition: int, offset: int) -> bool:
    admin = KafkaAdminClient(bootstrap_servers=config.kafka_bootstrap())
    try:
        committed = admin.list_group_offsets(SUBSCRIPTION.name).get(SUBSCRIPTION.name, {})
    finally:
        admin.close()
    meta = committed.get(TopicPartition(TOPIC, partition))
    return meta is not None and meta.offset > offset


def republish(producer, datacenter_db, uscc: str, *, version: int, new_id: bool, data_patch: dict) -> tuple[int, int]:
    """Send the outbox's event for `uscc` at `version` again, optionally tampered; returns (partition, offset)."""
    headers, payload = datacenter_db.execute(
        "SELECT headers, payload FROM kit.outbox WHERE record_key = %s AND payload::text <> '' ORDER BY seq", (uscc,)).fetchall()[version - 1]
    data = json.loads(bytes(payload)) | data_patch
    if new_id:
        headers = headers | {"ce_id": str(uuid.uuid4())}
    meta = producer.send(TOPIC, key=uscc.encode(), value=json.dumps(data, ensure_ascii=False).encode(),
                         headers=[(k, v.encode()) for k, v in headers.items()]).get(timeout=15)
    return meta.partition, meta.offset


def test_submissions_during_a_kafka_outage_arrive_after_it_returns(http, enterprise_client, datacenter_db, supervision_db):
    enterprises = [enterprise_client(region=r) for r in ("620802", "620821", "620881")]
    platformctl("stop", "kafka")
    try:
        for ent in enterprises:
            assert submit(http, ent)["created"] is True  # acknowledged: committed with its outbox row
        pending = datacenter_db.execute("SELECT count(*) FROM kit.outbox WHERE published_at IS NULL AND record_key = ANY(%s)",
                                        ([e.uscc for e in enterprises],)).fetchone()[0]
        assert pending == len(enterprises)
        assert all(registration(supervision_db, e.uscc) is None for e in enterprises)
    finally:
        platformctl("start", "kafka")
    for ent in enterprises:
        wait_for(f"registration of {ent.uscc}", lambda: registration(supervision_db, ent.uscc), timeout=120)
    assert datacenter_db.execute("SELECT count(*) FROM kit.outbox WHERE published_at IS NULL AND record_key = ANY(%s)",
                                 ([e.uscc for e in enterprises],)).fetchone()[0] == 0


def test_a_duplicated_delivery_changes_nothing(http, enterprise_client, datacenter_db, supervision_db, producer):
    ent = enterprise_client()
    submit(http, ent)
    wait_for("registration", lambda: registration(supervision_db, ent.uscc))
    before = supervision_db.execute("SELECT name, source_version, updated_at FROM supervision.registration WHERE uscc = %s", (ent.uscc,)).fetchone()
    # The same event id again, with a payload that would show if it were applied.
    partition, offset = republish(producer, datacenter_db, ent.uscc, version=1, new_id=False, data_patch={"name": "被篡改的名称", "version": "9"})
    wait_for("consumer to pass the duplicate", lambda: consumer_caught_up(partition, offset))
    after = supervision_db.execute("SELECT name, source_version, updated_at FROM supervision.registration WHERE uscc = %s", (ent.uscc,)).fetchone()
    assert after == before


def test_a_stale_event_with_a_new_id_does_not_roll_back_a_newer_version(http, enterprise_client, datacenter_db, supervision_db, producer):
    ent = enterprise_client()
    submit(http, ent)
    submit(http, ent, name="更名后的单位有限公司")
    wait_for("registration at version 2", lambda: (registration(supervision_db, ent.uscc) or (None, None, 0))[2] == 2)
    partition, offset = republish(producer, datacenter_db, ent.uscc, version=1, new_id=True, data_patch={})
    wait_for("consumer to pass the stale event", lambda: consumer_caught_up(partition, offset))
    assert registration(supervision_db, ent.uscc)[0] == "更名后的单位有限公司"
    assert registration(supervision_db, ent.uscc)[2] == 2


def test_a_poison_message_is_dead_lettered_and_the_stream_goes_on(http, enterprise_client, supervision_db, producer):
    from kafka import KafkaConsumer
    marker = str(uuid.uuid4())
    producer.send(TOPIC, key=b"poison", value=b"not json", headers=[("ce_id", marker.encode()), ("ce_source", b"/test"),
                  ("ce_type", b"cn.gov.safety.datacenter.enterprise.changed.v1"), ("ce_specversion", b"1.0")]).get(timeout=15)
    ent = enterprise_client()
    submit(http, ent)
    wait_for("registration after the poison message", lambda: registration(supervision_db, ent.uscc))

    consumer = KafkaConsumer(DLQ, bootstrap_servers=config.kafka_bootstrap(), auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=None, consumer_timeout_ms=20_000)
    try:
        found = next((m for m in consumer if dict(m.headers).get("ce_id") == marker.encode()), None)
    finally:
        consumer.close()
    assert found is not None, "poison message not in the dead-letter topic"
    headers = dict(found.headers)
    assert headers["dlq_consumer"] == SUBSCRIPTION.name.encode() and b"MalformedEvent" in headers["dlq_error"]
    assert found.value == b"not json"
