"""The overdue escalation of listed supervision (超期上报), on the kit's leased scheduler: every five
minutes, one copy of the service moves each listing past its deadline one level up (县级 → 市级 →
省级), once per level, and tells others through the outbox."""
from __future__ import annotations

from datetime import datetime

import psycopg

from services.kit.jobs import Job, Scheduler
from services.kit import jsonio
from services.supervision.hazard_supervision import events, rules, store
from services.supervision.hazard_supervision.servicer import table_on

LOCK_ID = 7_263_100
ACTOR = "system:hazard-escalation"


def run_escalation(conn: psycopg.Connection, now: datetime) -> int:
    today = now.astimezone(jsonio.SHANGHAI).date()
    after = table_on(today)["escalate_after_overdue_days"]
    moved = 0
    for row in store.open_listings(conn):
        up = rules.escalation(row, today=today, after_days=after)
        if up is None:
            continue
        store.touch(conn, row["id"], escalated_to=up, escalated_at=now)
        events.listing_changed(conn, store.listing(conn, row["id"]), action="escalated", actor=ACTOR)
        moved += 1
    return moved


def scheduler(pool) -> Scheduler:
    return Scheduler(pool, [Job("hazard-escalation", LOCK_ID, 300.0, run_escalation)], name="hazard-supervision-jobs")
