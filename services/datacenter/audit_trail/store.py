"""Storage of audit.entry (append-only). Functions take the caller's connection and never commit."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import psycopg
from google.protobuf.json_format import MessageToDict
from psycopg.rows import dict_row

from safety.audit.v1 import audit_events_pb2 as pb
from services.kit import paging


def insert(conn: psycopg.Connection, e: pb.AuditEntry) -> None:
    conn.execute(
        """INSERT INTO audit.entry (id, at, service, actor_label, actor_kind, actor_subject, actor_name, actor_roles,
                                    actor_region, actor_uscc, action, target_type, target_id, target_region, uscc,
                                    summary, outcome, reason, request_id, trace_id, source_ip)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (id) DO NOTHING""",
        (e.id, e.at.ToDatetime(tzinfo=timezone.utc), e.service, e.actor.label, e.actor.kind, e.actor.subject, e.actor.name,
         list(e.actor.roles), e.actor.region or None, e.actor.uscc or None, e.action, e.target_type, e.target_id,
         e.target_region or None, e.uscc or None, json.dumps(MessageToDict(e.summary), ensure_ascii=False), e.outcome,
         e.reason or None, e.request_id or None, e.trace_id or None, e.source_ip or None),
    )


def search(conn: psycopg.Connection, *, prefix: str | None, actor: str, uscc: str, target: str, action: str, outcome: str,
           since: datetime | None, until: datetime | None, size: int, after: str) -> list[dict]:
    """Newest first; `after` is '<at iso>|<id>' of the previous page's last row."""
    where, args = [], []
    if prefix is not None:
        where.append("(actor_region LIKE %s OR target_region LIKE %s)")
        args += [prefix + "%", prefix + "%"]
    if actor:
        where.append("(actor_name = %s OR actor_label ILIKE %s)")
        args += [actor, "%" + _like(actor) + "%"]
    if uscc:
        where.append("(uscc = %s OR actor_uscc = %s)")
        args += [uscc, uscc]
    if target:
        where.append("(target_id = %s OR target_type = %s)")
        args += [target, target]
    if action:
        if action.endswith("."):
            where.append("action LIKE %s")
            args.append(_like(action) + "%")
        else:
            where.append("action = %s")
            args.append(action)
    if outcome:
        where.append("outcome = %s")
        args.append(outcome)
    if since:
        where.append("at >= %s")
        args.append(since)
    if until:
        where.append("at <= %s")
        args.append(until)
    if key := paging.time_id_key(after):
        where.append("(at, id) < (%s, %s::uuid)")
        args += list(key)
    sql = ("SELECT *, at::text || '|' || id::text AS page_key FROM audit.entry"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY at DESC, id DESC LIMIT %s")
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, (*args, size + 1)).fetchall()


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
