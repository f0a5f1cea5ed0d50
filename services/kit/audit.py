"""The audit trail: every write records who, what, when, from which request, and the outcome,
in the same transaction as the write (append-only table kit.audit_log)."""
from __future__ import annotations

import json

import psycopg

from services.kit import context
from services.kit.auth import principal_var


def record(conn: psycopg.Connection, *, action: str, target_type: str, target_id: str,
           summary: dict | None = None, outcome: str = "success") -> None:
    p = principal_var.get()
    tc = context.trace.get()
    conn.execute(
        """INSERT INTO kit.audit_log (actor, actor_kind, actor_roles, actor_region, action, target_type,
                                      target_id, summary, outcome, request_id, trace_id)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
        (
            p.label if p else "system", p.kind if p else "system", sorted(p.roles) if p else [],
            p.region if p else None, action, target_type, target_id,
            json.dumps(summary or {}, ensure_ascii=False), outcome,
            context.request_id.get(), tc.trace_id if tc else None,
        ),
    )
