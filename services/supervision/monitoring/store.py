"""SQL of the monitoring schema that more than one part uses: alarms (with their history and
events), warnings, point states. The caller owns the transaction."""
from __future__ import annotations

from datetime import datetime

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from services.kit import config
from services.supervision.monitoring import events

ALARM_COLUMNS = """id, point_id, uscc, region_code, source_id, condition, level, status, active, threshold, peak_value,
    last_value, raised_at, last_at, cleared_at, critical_at, escalation, next_escalation_at, acknowledged_at, acknowledged_by,
    acknowledge_note, disposed_at, disposed_by, cause, measures, result, closed_at, version, created_at"""


def history(conn: psycopg.Connection, alarm_id: int, action: str, actor: str, detail: dict | None = None) -> None:
    conn.execute("INSERT INTO monitoring.alarm_history (alarm_id, action, actor, detail) VALUES (%s, %s, %s, %s)",
                 (alarm_id, action, actor, Jsonb(detail or {})))


def insert_alarm(conn: psycopg.Connection, values: dict, *, actor: str, action: str = "raised") -> dict:
    cols = list(values)
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"INSERT INTO monitoring.alarm ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
                          f"RETURNING {ALARM_COLUMNS}", list(values.values())).fetchone()
    history(conn, row["id"], action, actor, {"value": row["last_value"], "level": row["level"], "threshold": row["threshold"]})
    events.alarm_changed(conn, row, action=action, actor=actor)
    return row


def update_alarm(conn: psycopg.Connection, alarm_id: int, changes: dict, *, actor: str, action: str | None,
                 detail: dict | None = None, event_actor: str | None = None) -> dict:
    """Applies `changes`; an `action` (a state change) also gets history and an event, and a new version.
    `actor` is what the history shows (a person's name); the event names the account (`event_actor`)."""
    sets = [f"{c} = %s" for c in changes] + (["version = version + 1"] if action else [])
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(f"UPDATE monitoring.alarm SET {', '.join(sets)} WHERE id = %s RETURNING {ALARM_COLUMNS}",
                          [*changes.values(), alarm_id]).fetchone()
    if action:
        history(conn, alarm_id, action, actor, detail)
        events.alarm_changed(conn, row, action=action, actor=event_actor or actor)
    return row


def get_alarm(conn: psycopg.Connection, alarm_id: int, *, for_update: bool = False) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {ALARM_COLUMNS} FROM monitoring.alarm WHERE id = %s{' FOR UPDATE' if for_update else ''}",
                           (alarm_id,)).fetchone()


def open_alarms_of(conn: psycopg.Connection, point_ids: list[int]) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {ALARM_COLUMNS} FROM monitoring.alarm WHERE status <> 'closed' AND point_id = ANY(%s) FOR UPDATE",
                           (point_ids,)).fetchall()


def points_with_open_alarms(conn: psycopg.Connection) -> set[int]:
    return {r[0] for r in conn.execute("SELECT DISTINCT point_id FROM monitoring.alarm WHERE status <> 'closed'").fetchall()}


def notify(conn: psycopg.Connection, alarm: dict, step: str) -> None:
    """Records who is told of an alarm at `step`: at the enterprise, the source's three 包保 people;
    at the county, the members of the enterprise's grid; at the city, the city grid's."""
    if step == "enterprise":
        conn.execute("""INSERT INTO monitoring.notification (alarm_id, step, duty, name, phone)
                        SELECT %s, 'enterprise', p->>'duty', p->>'name', p->>'phone'
                        FROM monitoring.source s, jsonb_array_elements(s.people) p WHERE s.id = %s
                        ON CONFLICT DO NOTHING""", (alarm["id"], alarm["source_id"]))
        return
    # the county step tells the people of the enterprise's grid and of the grids above it up to the county's
    # (a township grid's members and the county grid's); the city step, the city grid's
    grid, key = (("""WITH RECURSIVE up AS (SELECT g.code, g.parent_code, g.level FROM supervision.grid g
                                         JOIN supervision.registration r ON r.grid_code = g.code WHERE r.uscc = %s
                                       UNION ALL SELECT g.code, g.parent_code, g.level FROM supervision.grid g JOIN up ON g.code = up.parent_code
                                       WHERE up.level <> 'county')
                     SELECT code FROM up WHERE level <> 'city'""", alarm["uscc"]) if step == "county"
                 else ("SELECT code FROM supervision.grid WHERE region_code = %s", config.jurisdiction()))
    conn.execute(f"""INSERT INTO monitoring.notification (alarm_id, step, duty, name, phone)
                     SELECT %s, %s, m.duty, m.display_name, m.phone FROM supervision.grid_member m
                     WHERE m.grid_code IN ({grid}) ON CONFLICT DO NOTHING""", (alarm["id"], step, key))


# --- warnings ------------------------------------------------------------------------------------

def warning_inputs(conn: psycopg.Connection, uscc: str) -> tuple[list[dict], list[dict], list[dict]]:
    """(the enterprise's in-service points with online state, its open alarms, its sources)."""
    with conn.cursor(row_factory=dict_row) as cur:
        points = cur.execute("""SELECT p.id, p.source_id, p.region_code, coalesce(s.online, true) AS online
                                FROM monitoring.point p LEFT JOIN monitoring.point_state s ON s.point_id = p.id
                                WHERE p.uscc = %s AND NOT p.deleted AND p.status = 'in_service'""", (uscc,)).fetchall()
        alarms = cur.execute("SELECT point_id, source_id, condition, level FROM monitoring.alarm WHERE uscc = %s AND status <> 'closed'",
                             (uscc,)).fetchall()
        sources = cur.execute("SELECT id, grade, region_code FROM monitoring.source WHERE uscc = %s AND NOT deleted", (uscc,)).fetchall()
    return points, alarms, sources


def held_warnings(conn: psycopg.Connection, uscc: str) -> dict[tuple[str, str], str]:
    return {(r[0], r[1]): r[2] for r in conn.execute(
        "SELECT scope, scope_id, colour FROM monitoring.warning WHERE uscc = %s FOR UPDATE", (uscc,)).fetchall()}


def set_warning(conn: psycopg.Connection, *, scope: str, scope_id: str, uscc: str, region_code: str, colour: str, reason: str) -> None:
    conn.execute("""INSERT INTO monitoring.warning (scope, scope_id, uscc, region_code, colour, reason, changed_at)
                    VALUES (%s, %s, %s, %s, %s, %s, now())
                    ON CONFLICT (scope, scope_id) DO UPDATE SET colour = EXCLUDED.colour, reason = EXCLUDED.reason,
                        region_code = EXCLUDED.region_code, changed_at = now()""",
                 (scope, scope_id, uscc, region_code, colour, reason))


def lock_enterprise(conn: psycopg.Connection, uscc: str) -> None:
    """Serialises warning recomputation of one enterprise across evaluators and jobs."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('monitoring.warning:' || %s))", (uscc,))


def now(conn: psycopg.Connection) -> datetime:
    return conn.execute("SELECT now()").fetchone()[0]
