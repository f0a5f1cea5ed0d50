"""What a person browsing the demo instance sees, reduced to numbers that any write changes: the
rows of every table of its databases, the end offsets of its Kafka topics, and the clients and
users of its Keycloak realm. Read directly from the demo instance's own PostgreSQL, Kafka and
realm (config.INSTANCES[""]), whatever instance the tests themselves run against."""
from __future__ import annotations

import time

import psycopg
from kafka import KafkaConsumer, TopicPartition
from psycopg import sql

from infra.keycloak import realm
from services.kit import config

DEMO = config.INSTANCES[""]
DATABASES = (*config.SERVICES, "gateway")
# The demo is alive: its sensor simulator keeps posting readings, and the evaluator stores them,
# raises and clears alarms, changes warning colours and commits its Kafka offsets. What moves by
# itself is left out of the snapshot (no test writes monitoring data to the demo instance: the
# monitoring tests post to the test instance's gateway, and tests/conftest.py pins that instance).
# Two more things move by themselves: the credit ledger turns the live stream of missed safety
# commitments (the monitoring job flags them every minute after the day's deadline) into entries,
# events and consumed-event marks — so credit entries are counted without those from commitments,
# and the credit topic and the consumers' marks are left out; and the data centre's mirror of the
# realm's enterprise clients catches up every 5 minutes with the clients the simulator makes at its
# start — the clients themselves are counted in the realm (keycloak.clients). And the emergency
# duty desk logs an intake by itself whenever the simulator turns an enterprise red (its intakes,
# events, outbox rows and consumer marks; the intakes and audit entries of people are still counted).
LIVE = ("supervision.monitoring.", "supervision.kit.outbox", "kafka.safety.supervision.readings.v1",
        "kafka.safety.supervision.alarm.v1", "kafka.safety.supervision.warning.v1", "kafka.safety.supervision.commitment.v1",
        "kafka.__consumer_offsets", "kafka.safety.supervision.credit.v1", "supervision.kit.processed_events",
        "datacenter.onboarding.enterprise_client", "emergency.kit.outbox", "emergency.kit.processed_events",
        "kafka.safety.emergency.duty.v1")
# Tables counted with a condition: the rows that do not move by themselves.
COUNTED_WHERE = {"supervision.credit.entry": sql.SQL("source <> 'commitment'"),
                 "emergency.duty.intake": sql.SQL("source_event_id IS NULL"),
                 "emergency.kit.audit_log": sql.SQL("actor_kind <> 'system'")}


def _pg() -> config.Postgres:
    pg = config.postgres()
    return config.Postgres(host=pg.host, port=DEMO.postgres, admin_user=pg.admin_user, admin_password=pg.admin_password)


def table_counts() -> dict[str, int]:
    pg, out = _pg(), {}
    for db in DATABASES:
        with psycopg.connect(pg.dsn(db, pg.admin_user, pg.admin_password), autocommit=True, connect_timeout=5) as c:
            tables = c.execute("""SELECT schemaname, relname FROM pg_stat_user_tables
                                  WHERE schemaname NOT IN ('tiger', 'tiger_data', 'topology') ORDER BY 1, 2""").fetchall()
            for schema, table in tables:
                key = f"{db}.{schema}.{table}"
                where = sql.SQL(" WHERE ") + COUNTED_WHERE[key] if key in COUNTED_WHERE else sql.SQL("")
                n = c.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)) + where).fetchone()[0]
                out[key] = n
    return out


def topic_offsets() -> dict[str, int]:
    consumer = KafkaConsumer(bootstrap_servers=f"127.0.0.1:{DEMO.kafka}", request_timeout_ms=10_000)
    try:
        parts = [TopicPartition(t, p) for t in sorted(consumer.topics()) for p in sorted(consumer.partitions_for_topic(t) or ())]
        out: dict[str, int] = {}
        for tp, end in consumer.end_offsets(parts).items():
            out[tp.topic] = out.get(tp.topic, 0) + end
        return out
    finally:
        consumer.close()


def realm_members() -> dict[str, int]:
    a = realm.admin()
    a.change_current_realm(config.REALMS[""])
    return {"keycloak.clients": len(a.get_clients()), "keycloak.users": a.users_count()}


def snapshot() -> dict[str, int]:
    everything = {**table_counts(), **{f"kafka.{t}": n for t, n in topic_offsets().items()}, **realm_members()}
    return {k: n for k, n in everything.items() if not k.startswith(LIVE)}


def settled_snapshot(timeout: float = 120, interval: float = 2) -> dict[str, int]:
    """The demo instance straight after `make up` may still be relaying and consuming the seed's
    events: wait until two snapshots a little apart agree."""
    deadline = time.monotonic() + timeout
    before = snapshot()
    while True:
        time.sleep(interval)
        now = snapshot()
        if now == before or time.monotonic() > deadline:
            return now
        before = now
