"""What monitoring tells others, through the outbox (services/kit/outbox.py) in the transaction
of the change: every alarm state change, every warning colour change, every missing commitment.
JSON CloudEvents documented in proto/asyncapi.yaml; personal data never travels in them."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import orjson
import psycopg

from services.kit import kafka, outbox
from services.kit.cloudevents import CloudEvent

READINGS_TOPIC = kafka.topic("safety.supervision.readings.v1")
ALARM_TOPIC = kafka.topic("safety.supervision.alarm.v1")
WARNING_TOPIC = kafka.topic("safety.supervision.warning.v1")
COMMITMENT_TOPIC = kafka.topic("safety.supervision.commitment.v1")
SOURCE = "/safety/supervision/monitoring"
ALARM_CHANGED = "cn.gov.safety.supervision.alarm.changed.v1"
WARNING_CHANGED = "cn.gov.safety.supervision.warning.changed.v1"
COMMITMENT_MISSING = "cn.gov.safety.supervision.commitment.missing.v1"


def _iso(t: datetime | None) -> str | None:
    return t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if t else None


def _event(type_: str, subject: str, data: dict) -> CloudEvent:
    return CloudEvent(id=str(uuid.uuid4()), source=SOURCE, type=type_, subject=subject, time=datetime.now(timezone.utc),
                      data=orjson.dumps(data), dataschema=f"asyncapi:{type_}")


def alarm_changed(conn: psycopg.Connection, alarm: dict, *, action: str, actor: str) -> None:
    """`alarm`: the monitoring.alarm row after the change; `action`: what happened (raised,
    reactivated, level, cleared, acknowledged, disposed, closed, escalated)."""
    data = {"id": str(alarm["id"]), "action": action, "actor": actor, "point_id": alarm["point_id"], "uscc": alarm["uscc"],
            "region_code": alarm["region_code"], "source_id": alarm.get("source_id"), "condition": alarm["condition"],
            "level": alarm["level"], "status": alarm["status"], "active": alarm["active"], "escalation": alarm["escalation"],
            "threshold": alarm.get("threshold"), "peak_value": alarm.get("peak_value"), "last_value": alarm.get("last_value"),
            "raised_at": _iso(alarm["raised_at"]), "cleared_at": _iso(alarm.get("cleared_at")),
            "next_escalation_at": _iso(alarm.get("next_escalation_at")), "version": alarm["version"],
            "changed_at": _iso(datetime.now(timezone.utc))}
    outbox.enqueue(conn, topic=ALARM_TOPIC, key=str(alarm["id"]), event=_event(ALARM_CHANGED, str(alarm["id"]), data))


def warning_changed(conn: psycopg.Connection, *, scope: str, scope_id: str, uscc: str, region_code: str, colour: str,
                    previous: str, reason: str) -> None:
    data = {"scope": scope, "scope_id": scope_id, "uscc": uscc, "region_code": region_code, "colour": colour,
            "previous": previous, "reason": reason, "changed_at": _iso(datetime.now(timezone.utc))}
    key = f"{scope}:{scope_id}"
    outbox.enqueue(conn, topic=WARNING_TOPIC, key=key, event=_event(WARNING_CHANGED, key, data))


def commitment_missing(conn: psycopg.Connection, *, uscc: str, region_code: str, day: str) -> None:
    data = {"uscc": uscc, "region_code": region_code, "day": day, "changed_at": _iso(datetime.now(timezone.utc))}
    outbox.enqueue(conn, topic=COMMITMENT_TOPIC, key=uscc, event=_event(COMMITMENT_MISSING, uscc, data))
