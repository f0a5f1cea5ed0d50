"""The events duty logs intakes from by itself (services/kit/consumer.py: each event id is handled
once, in the transaction of its writes):

- safety.supervision.warning.v1 — a four-colour warning of an enterprise or a major hazard source
  turned red (监测预警升为红色): one intake, channel 监测报警, for the region's duty desk
  (rules.monitoring_intake, the table `duty_intake`). Orange, yellow and blue, a red that stays
  red, and a change that arrives more than the table's hours after it happened (the compacted
  topic's history when the consumer first subscribes) log nothing.

The alarm topic (safety.supervision.alarm.v1) is not consumed: every alarm of an enterprise goes up
its own escalation chain to the county and the city (docs/monitoring.md), and the red warning is the
one fact the duty desk must log. An intake remembers its event id (`source_event_id`, unique), so
even a redelivery past the kit's dedup logs nothing twice."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import psycopg

from services.emergency.duty import events, store
from services.emergency.duty.thresholds import table_on
from services.emergency.duty import rules
from services.kit import audit, kafka
from services.kit.auth import Principal
from services.kit.cloudevents import CloudEvent
from services.kit.consumer import PermanentError, Subscription

WARNING_TOPIC = kafka.topic("safety.supervision.warning.v1")
WARNING_CHANGED = "cn.gov.safety.supervision.warning.changed.v1"
ACTOR = "system:monitoring-warnings"
SYSTEM = Principal(subject=ACTOR, client_id="", username="monitoring-warnings", kind="system", display_name="远程监控监测预警")


def on_warning_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    if event.type != WARNING_CHANGED:
        return
    try:
        data = json.loads(event.data)
    except ValueError as exc:
        raise PermanentError(f"unreadable warning event: {exc}") from exc
    if not isinstance(data, dict):
        raise PermanentError("warning event data is not an object")
    now = datetime.now(timezone.utc)
    try:
        fields = rules.monitoring_intake(data, table=table_on("duty_intake", now), now=now)
    except ValueError as exc:
        raise PermanentError(str(exc)) from exc
    if fields is None:
        return
    row = store.insert_intake(conn, fields, by="远程监控监测预警", by_kind="system", source_event_id=event.id)
    if row is None:
        return
    events.intake_logged(conn, row, actor=ACTOR)
    audit.write(conn, audit.entry(action="duty.intake.log", target_type="duty_intake", target_id=str(row["id"]),
                                  target_region=row["region_code"], uscc=row["uscc"] or "", principal=SYSTEM,
                                  summary={"channel": row["channel"], "source_event_id": event.id}))


SUBSCRIPTIONS = (Subscription(name="emergency.duty-monitoring-warnings", topics=(WARNING_TOPIC,), handler=on_warning_event,
                              dead_letter_topic=events.DEAD_LETTERS),)
