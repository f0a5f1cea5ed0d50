"""The evaluator's copies of the data centre's monitoring points and major hazard sources, kept
from their change events (the data centre is their system of record; this service never reads
its tables). Idempotent twice over: the kit skips event ids already processed, and an event whose
version is not newer than the copy changes nothing."""
from __future__ import annotations

import json

import psycopg

from services.kit import kafka
from services.kit.cloudevents import CloudEvent
from services.kit.consumer import PermanentError, Subscription
from services.supervision.registrations.events import DEAD_LETTERS

POINT_TOPIC = kafka.topic("safety.datacenter.monitoring_point.v1")
SOURCE_TOPIC = kafka.topic("safety.datacenter.major_hazard.v1")
POINT_CHANGED = "cn.gov.safety.datacenter.monitoring_point.changed.v1"
SOURCE_CHANGED = "cn.gov.safety.datacenter.major_hazard.changed.v1"

POINT_COLUMNS = ("uscc", "enterprise_name", "region_code", "point_code", "site_type", "source_id", "location", "quantity", "unit",
                 "gas", "switch_kind", "low_low", "low", "high", "high_high", "interval_s", "coal_location", "zone",
                 "calibration_due", "status")
PEOPLE = (("principal", "主要负责人"), ("technical", "技术负责人"), ("operation", "操作负责人"))


def _change(event: CloudEvent) -> tuple[int, int, bool, dict]:
    try:
        data = json.loads(event.data)
        record = data["record"]
        return int(data["id"]), int(data["version"]), data.get("operation") == "DELETED", record
    except (ValueError, KeyError, TypeError) as exc:
        raise PermanentError(f"unreadable record event: {exc}") from exc


def point_row(record: dict) -> dict:
    return {c: record.get(c) for c in POINT_COLUMNS}


def source_row(record: dict) -> dict:
    people = [{"duty": duty, "name": record.get(f"{key}_person") or "", "phone": record.get(f"{key}_phone") or ""}
              for key, duty in PEOPLE if record.get(f"{key}_person")]
    return {"uscc": record.get("uscc"), "enterprise_name": record.get("enterprise_name") or "", "region_code": record.get("region_code"),
            "name": record.get("unit_name") or "", "grade": record.get("grade"), "people": json.dumps(people, ensure_ascii=False),
            "lon": record.get("lon"), "lat": record.get("lat")}


def _upsert(conn: psycopg.Connection, table: str, key: int, version: int, deleted: bool, row: dict) -> None:
    cols = list(row)
    conn.execute(
        f"""INSERT INTO monitoring.{table} (id, {', '.join(cols)}, version, deleted)
            VALUES (%s, {', '.join(['%s'] * len(cols))}, %s, %s)
            ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in cols)},
                version = EXCLUDED.version, deleted = EXCLUDED.deleted
                {', updated_at = now()' if table == 'point' else ''}
            WHERE monitoring.{table}.version < EXCLUDED.version""",
        (key, *row.values(), version, deleted))


def on_point_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    if event.type != POINT_CHANGED:
        return
    key, version, deleted, record = _change(event)
    _upsert(conn, "point", key, version, deleted, point_row(record))
    # A new point is expected to report from now on: the offline sweep counts its silence from here.
    conn.execute("INSERT INTO monitoring.point_state (point_id, seen_at) VALUES (%s, now()) ON CONFLICT DO NOTHING", (key,))


def on_source_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    if event.type != SOURCE_CHANGED:
        return
    key, version, deleted, record = _change(event)
    _upsert(conn, "source", key, version, deleted, source_row(record))


SUBSCRIPTIONS = (
    Subscription(name="supervision.monitoring-points", topics=(POINT_TOPIC,), handler=on_point_event, dead_letter_topic=DEAD_LETTERS),
    Subscription(name="supervision.monitoring-sources", topics=(SOURCE_TOPIC,), handler=on_source_event, dead_letter_topic=DEAD_LETTERS),
)
