"""Supervision's copy of the data centre's hazards, kept from their change events (the data centre
is their system of record): what the board, the counts and the overdue escalation read. A newer
version replaces the copy; a replayed or older event changes nothing."""
from __future__ import annotations

import json

import psycopg

from services.kit import kafka
from services.kit.cloudevents import CloudEvent
from services.kit.consumer import PermanentError, Subscription
from services.supervision.registrations.events import DEAD_LETTERS

HAZARD_TOPIC = kafka.topic("safety.datacenter.hazard.v1")
HAZARD_CHANGED = "cn.gov.safety.datacenter.hazard.changed.v1"
COLUMNS = ("uscc", "enterprise_name", "region_code", "level", "source", "status", "description", "responsible_person", "found_at",
           "deadline", "closed_at", "verification")


def hazard_row(record: dict) -> dict:
    row = {c: record.get(c) for c in COLUMNS}
    row["enterprise_name"] = row["enterprise_name"] or ""
    row["description"] = (row["description"] or "")[:2000]
    row["verification"] = json.dumps(row["verification"], ensure_ascii=False) if row["verification"] is not None else None
    return row


def on_hazard_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    if event.type != HAZARD_CHANGED:
        return
    try:
        data = json.loads(event.data)
        key, version, record = int(data["id"]), int(data["version"]), data["record"]
    except (ValueError, KeyError, TypeError) as exc:
        raise PermanentError(f"unreadable hazard event: {exc}") from exc
    row = hazard_row(record)
    if not row["uscc"] or not row["region_code"] or not row["level"] or not row["status"]:
        raise PermanentError("hazard event without uscc, region_code, level or status")
    cols = list(row)
    conn.execute(
        f"""INSERT INTO hazard_supervision.hazard (id, {', '.join(cols)}, version, deleted)
            VALUES (%s, {', '.join(['%s'] * len(cols))}, %s, %s)
            ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in cols)},
                version = EXCLUDED.version, deleted = EXCLUDED.deleted
            WHERE hazard_supervision.hazard.version < EXCLUDED.version""",
        (key, *row.values(), version, data.get("operation") == "DELETED"))


SUBSCRIPTION = Subscription(name="supervision.hazard-copies", topics=(HAZARD_TOPIC,), handler=on_hazard_event,
                            dead_letter_topic=DEAD_LETTERS)
