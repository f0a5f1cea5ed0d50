"""The audit trail: every write attempt records who, what, when, from where, with which request
id, and the outcome — including attempts that were refused.

A successful write records its entry in the same transaction as the write (`record`); a refused
or failed attempt records it in a transaction of its own (`record_refusal`), because the write's
transaction rolled back. Either way the entry goes to the append-only kit.audit_log and, through
the outbox, to topic safety.audit.v1, from which the data centre builds the searchable trail."""
from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timezone

import psycopg
from google.protobuf import struct_pb2
from google.protobuf.json_format import MessageToDict
from google.protobuf.timestamp_pb2 import Timestamp
from psycopg_pool import ConnectionPool

from safety.audit.v1 import audit_events_pb2 as pb
from services.kit import context, kafka, outbox
from services.kit.auth import Principal, principal_var
from services.kit.cloudevents import new_event

TOPIC = kafka.topic("safety.audit.v1")
ENTRY = "cn.gov.safety.audit.entry.v1"
SUCCESS, REFUSED, FAILED = "success", "refused", "failed"
log = logging.getLogger(__name__)


def actor(p: Principal | None) -> pb.Actor:
    if p is None:
        return pb.Actor(label="anonymous", kind="anonymous")
    return pb.Actor(label=p.label, kind=p.kind, subject=p.subject, name=p.username or p.client_id,
                    roles=sorted(p.roles), region=p.region or "", uscc=p.uscc or "")


def entry(*, action: str, target_type: str, target_id: str, summary: dict | None = None, outcome: str = SUCCESS,
          reason: str = "", target_region: str = "", uscc: str = "", principal: Principal | None = None,
          at: datetime | None = None) -> pb.AuditEntry:
    """Build an entry from the call's context (caller, request id, trace, client address)."""
    p = principal if principal is not None else principal_var.get()
    a = actor(p)
    stamp = Timestamp()
    stamp.FromDatetime(at or datetime.now(timezone.utc))
    details = struct_pb2.Struct()
    details.update(summary or {})
    tc = context.trace.get()
    return pb.AuditEntry(
        id=str(uuid.uuid4()), at=stamp, actor=a, service=context.service(), action=action,
        target_type=target_type, target_id=target_id, target_region=target_region,
        uscc=uscc or a.uscc, summary=details, outcome=outcome, reason=reason,
        request_id=context.request_id.get() or "", trace_id=tc.trace_id if tc else "",
        source_ip=context.client_ip.get() or "",
    )


def write(conn: psycopg.Connection, e: pb.AuditEntry) -> None:
    conn.execute(
        """INSERT INTO kit.audit_log (entry_id, at, service, actor, actor_kind, actor_subject, actor_roles, actor_region,
                                      actor_uscc, action, target_type, target_id, target_region, uscc, summary, outcome,
                                      reason, request_id, trace_id, source_ip)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
        (e.id, e.at.ToDatetime(tzinfo=timezone.utc), e.service, e.actor.label, e.actor.kind, e.actor.subject,
         list(e.actor.roles), e.actor.region or None, e.actor.uscc or None, e.action, e.target_type, e.target_id,
         e.target_region or None, e.uscc or None, json.dumps(MessageToDict(e.summary), ensure_ascii=False), e.outcome,
         e.reason or None, e.request_id or None, e.trace_id or None, e.source_ip or None),
    )
    outbox.enqueue(conn, topic=TOPIC, key=e.actor.subject or e.actor.label,
                   event=new_event(source=f"/safety/{e.service}/audit", type=ENTRY, subject=e.target_id or e.action,
                                   message=e, event_id=e.id))


def record(conn: psycopg.Connection, *, action: str, target_type: str, target_id: str, summary: dict | None = None,
           outcome: str = SUCCESS, target_region: str = "", uscc: str = "") -> pb.AuditEntry:
    """Record a write in the caller's transaction: it is audited exactly when it commits."""
    e = entry(action=action, target_type=target_type, target_id=target_id, summary=summary, outcome=outcome,
              target_region=target_region, uscc=uscc)
    write(conn, e)
    return e


def record_refusal(pool: ConnectionPool, *, action: str, target_type: str, target_id: str, reason: str,
                   outcome: str = REFUSED, summary: dict | None = None, principal: Principal | None = None) -> None:
    """Record a refused or failed attempt in its own transaction. Never raises: an audit store that
    is away must not turn the caller's clear refusal into a 500 (it is logged instead)."""
    e = entry(action=action, target_type=target_type, target_id=target_id, summary=summary, outcome=outcome,
              reason=reason, principal=principal)
    try:
        with pool.connection() as conn, conn.transaction():
            write(conn, e)
    except Exception as exc:  # noqa: BLE001 — logged with the whole entry so nothing is silently lost
        log.error("audit entry for a refused attempt not stored: %s", exc,
                  extra={"fields": {"audit_entry": json.dumps(MessageToDict(e, preserving_proto_field_name=True), ensure_ascii=False)}})

