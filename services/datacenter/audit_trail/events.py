"""Builds the platform-wide audit trail from topic safety.audit.v1. Idempotent: an entry is
inserted once by its id (the kit also skips event ids already processed)."""
from __future__ import annotations

import psycopg

from safety.audit.v1 import audit_events_pb2 as pb
from services.datacenter.audit_trail import store
from services.kit import audit, kafka
from services.kit.cloudevents import CloudEvent
from services.kit.consumer import PermanentError, Subscription


def on_audit_entry(conn: psycopg.Connection, event: CloudEvent) -> None:
    if event.type != audit.ENTRY:
        return
    e = event.decode(pb.AuditEntry)
    if not e.id or not e.action or not e.outcome or not e.HasField("at"):
        raise PermanentError("AuditEntry without id, action, outcome or time")
    store.insert(conn, e)


SUBSCRIPTION = Subscription(
    name="datacenter.audit-trail",
    topics=(audit.TOPIC,),
    handler=on_audit_entry,
    dead_letter_topic=kafka.topic("safety.datacenter.dlq.v1"),
)
