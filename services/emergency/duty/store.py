"""SQL on schema duty: shifts, handovers, spot checks, daily reports, intakes. The caller owns the
transaction (services/kit/db.py)."""
from __future__ import annotations

from datetime import date, datetime

import psycopg

from services.kit.db import row as _row, rows as _rows
from services.kit.jsonio import jsonb


def lock_agency(conn: psycopg.Connection, region_code: str) -> None:
    """Serialise roster changes of one agency (overlap checks) across every copy of the service."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"duty.roster|{region_code}",))


# --- shifts ---------------------------------------------------------------------------------------

def shift(conn: psycopg.Connection, shift_id: int, *, lock: bool = False) -> dict | None:
    return _row(conn, "SELECT * FROM duty.shift WHERE id = %s" + (" FOR UPDATE" if lock else ""), (shift_id,))


def shifts_near(conn: psycopg.Connection, region_code: str, starts_at: datetime, ends_at: datetime) -> list[dict]:
    """The agency's shifts that could overlap [starts_at, ends_at)."""
    return _rows(conn, "SELECT id, day, shift, starts_at, ends_at FROM duty.shift WHERE region_code = %s AND starts_at < %s AND ends_at > %s",
                 (region_code, ends_at, starts_at))


def insert_shift(conn: psycopg.Connection, s: dict, *, table_from: date, by: str) -> dict:
    return _row(conn, """INSERT INTO duty.shift (region_code, day, shift, starts_at, ends_at, leader, officers, contacts, note, table_from,
                                                 created_by)
                         VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING *""",
                (s["region_code"], s["day"], s["shift"], s["starts_at"], s["ends_at"], jsonb(s["leader"]), jsonb(s["officers"]),
                 jsonb(s["contacts"]), s["note"], table_from, by))


def update_shift(conn: psycopg.Connection, shift_id: int, people: dict, *, by: str) -> dict:
    return _row(conn, """UPDATE duty.shift SET leader = %s, officers = %s, contacts = %s, note = %s, updated_by = %s, updated_at = now(),
                                version = version + 1
                         WHERE id = %s RETURNING *""",
                (jsonb(people["leader"]), jsonb(people["officers"]), jsonb(people["contacts"]), people["note"], by, shift_id))


def shifts(conn: psycopg.Connection, *, prefix: str, region_code: str | None, start: date, end: date) -> list[dict]:
    cond, params = ["s.region_code LIKE %s", "s.day BETWEEN %s AND %s"], [prefix + "%", start, end]
    if region_code:
        cond.append("s.region_code = %s")
        params.append(region_code)
    return _rows(conn, f"""SELECT s.*, h.id AS handover_id, h.received_by AS handover_received_by, h.handed_at
                             FROM duty.shift s LEFT JOIN duty.handover h ON h.from_shift_id = s.id
                            WHERE {' AND '.join(cond)} ORDER BY s.starts_at, s.region_code LIMIT 2000""", params)


def handed_to(conn: psycopg.Connection, shift_id: int) -> bool:
    return conn.execute("SELECT EXISTS (SELECT 1 FROM duty.handover WHERE to_shift_id = %s)", (shift_id,)).fetchone()[0]


def delete_shift(conn: psycopg.Connection, shift_id: int) -> None:
    conn.execute("DELETE FROM duty.shift WHERE id = %s", (shift_id,))


def next_shift(conn: psycopg.Connection, row: dict) -> dict | None:
    """The agency's next shift: the first to start at or after this one ends."""
    return _row(conn, "SELECT * FROM duty.shift WHERE region_code = %s AND starts_at >= %s ORDER BY starts_at LIMIT 1",
                (row["region_code"], row["ends_at"]))


def current_shift(conn: psycopg.Connection, region_code: str, at: datetime) -> dict | None:
    return _row(conn, "SELECT * FROM duty.shift WHERE region_code = %s AND starts_at <= %s AND ends_at > %s ORDER BY starts_at LIMIT 1",
                (region_code, at, at))


def mark_handed_over(conn: psycopg.Connection, shift_id: int, *, by: str) -> None:
    conn.execute("UPDATE duty.shift SET handed_over = true, updated_by = %s, updated_at = now(), version = version + 1 WHERE id = %s",
                 (by, shift_id))


def insert_handover(conn: psycopg.Connection, *, from_shift: dict, h: dict, open_intakes: list[dict], by: str) -> dict:
    return _row(conn, """INSERT INTO duty.handover (from_shift_id, to_shift_id, region_code, handed_by, received_by, notes, open_matters,
                                                    open_intakes, recorded_by)
                         VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING *""",
                (from_shift["id"], h["to_shift_id"], from_shift["region_code"], h["handed_by"], h["received_by"], h["notes"],
                 jsonb(h["open_matters"]), jsonb(open_intakes), by))


def handovers_of(conn: psycopg.Connection, shift_id: int) -> list[dict]:
    return _rows(conn, "SELECT * FROM duty.handover WHERE from_shift_id = %s OR to_shift_id = %s ORDER BY id", (shift_id, shift_id))


# --- spot checks ----------------------------------------------------------------------------------

def insert_spot_check(conn: psycopg.Connection, *, region_code: str, asked_by_agency: str, question: str, asked_by: str,
                      limit_seconds: int, limit_op: str) -> dict:
    return _row(conn, """INSERT INTO duty.spot_check (region_code, asked_by_agency, question, asked_by, limit_seconds, limit_op)
                         VALUES (%s, %s, %s, %s, %s, %s) RETURNING *""",
                (region_code, asked_by_agency, question, asked_by, limit_seconds, limit_op))


def spot_check(conn: psycopg.Connection, check_id: int, *, lock: bool = False) -> dict | None:
    return _row(conn, "SELECT * FROM duty.spot_check WHERE id = %s" + (" FOR UPDATE" if lock else ""), (check_id,))


def answer_spot_check(conn: psycopg.Connection, check_id: int, a: dict, *, account: str) -> dict:
    return _row(conn, """UPDATE duty.spot_check SET answer = %s, answered_by = %s, answered_at = %s, response_seconds = %s,
                                answered_account = %s, version = version + 1
                         WHERE id = %s RETURNING *""",
                (a["answer"], a["answered_by"], a["answered_at"], a["response_seconds"], account, check_id))


def spot_checks(conn: psycopg.Connection, *, prefix: str, region_code: str | None, open_only: bool, after: int, limit: int) -> list[dict]:
    cond, params = ["region_code LIKE %s"], [prefix + "%"]
    if region_code:
        cond.append("region_code = %s")
        params.append(region_code)
    if open_only:
        cond.append("answered_at IS NULL")
    if after:
        cond.append("id < %s")
        params.append(after)
    return _rows(conn, f"SELECT * FROM duty.spot_check WHERE {' AND '.join(cond)} ORDER BY id DESC LIMIT %s", (*params, limit))


# --- daily reports --------------------------------------------------------------------------------

def daily_report(conn: psycopg.Connection, region_code: str, day: date, *, lock: bool = False) -> dict | None:
    return _row(conn, "SELECT * FROM duty.daily_report WHERE region_code = %s AND day = %s" + (" FOR UPDATE" if lock else ""),
                (region_code, day))


def insert_daily_report(conn: psycopg.Connection, rep: dict, *, by: str) -> dict | None:
    """None when the agency's report of that day arrived first from someone else (the unique key)."""
    return _row(conn, """INSERT INTO duty.daily_report (region_code, day, nil, content, reasons, submitted_by)
                         VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (region_code, day) DO NOTHING RETURNING *""",
                (rep["region_code"], rep["day"], rep["nil"], rep["content"], jsonb(rep["reasons"]), by))


def correct_daily_report(conn: psycopg.Connection, report_id: int, rep: dict, *, by: str) -> dict:
    return _row(conn, """UPDATE duty.daily_report SET nil = %s, content = %s, reasons = %s, submitted_by = %s, submitted_at = now(),
                                version = version + 1
                         WHERE id = %s RETURNING *""", (rep["nil"], rep["content"], jsonb(rep["reasons"]), by, report_id))


def daily_reports(conn: psycopg.Connection, *, prefix: str, day: date) -> list[dict]:
    return _rows(conn, "SELECT * FROM duty.daily_report WHERE day = %s AND region_code LIKE %s ORDER BY region_code", (day, prefix + "%"))


# --- intakes --------------------------------------------------------------------------------------

_INTAKE_COLUMNS = ("channel", "received_at", "caller_name", "caller_phone", "caller_unit", "content", "place", "region_code", "uscc",
                   "enterprise_name")


def insert_intake(conn: psycopg.Connection, i: dict, *, by: str, by_kind: str, source_event_id: str | None = None) -> dict | None:
    """None when an automatic intake of the same source event is already logged."""
    cols = ", ".join(_INTAKE_COLUMNS)
    return _row(conn, f"""INSERT INTO duty.intake ({cols}, logged_by, logged_by_kind, source_event_id)
                          VALUES ({', '.join(['%s'] * (len(_INTAKE_COLUMNS) + 3))})
                          ON CONFLICT (source_event_id) DO NOTHING RETURNING *""",
                (*[i[c] for c in _INTAKE_COLUMNS], by, by_kind, source_event_id))


def intake(conn: psycopg.Connection, intake_id: int, *, lock: bool = False) -> dict | None:
    return _row(conn, "SELECT * FROM duty.intake WHERE id = %s" + (" FOR UPDATE" if lock else ""), (intake_id,))


def intakes(conn: psycopg.Connection, *, prefix: str, uscc: str | None, region_code: str | None, status: str | None, open_only: bool,
            after: tuple[bool, int] | None, limit: int) -> tuple[list[dict], int]:
    """Open ones first, newest first within each; keyset (is_open, id)."""
    cond, params = ["region_code LIKE %s"], [prefix + "%"]
    for column, value in (("uscc", uscc), ("region_code", region_code), ("status", status)):
        if value:
            cond.append(f"{column} = %s")
            params.append(value)
    if open_only:
        cond.append("is_open")
    where = " AND ".join(cond)
    page_cond, page_params = (" AND (is_open, id) < (%s, %s)", [after[0], after[1]]) if after else ("", [])
    items = _rows(conn, f"SELECT * FROM duty.intake WHERE {where}{page_cond} ORDER BY is_open DESC, id DESC LIMIT %s",
                  (*params, *page_params, limit))
    (total,) = conn.execute(f"SELECT count(*) FROM duty.intake WHERE {where}", params).fetchone()
    return items, total


def open_intakes(conn: psycopg.Connection, *, prefix: str, limit: int = 200) -> list[dict]:
    return _rows(conn, "SELECT * FROM duty.intake WHERE is_open AND region_code LIKE %s ORDER BY received_at LIMIT %s", (prefix + "%", limit))


def set_intake_status(conn: psycopg.Connection, intake_id: int, *, status: str, by: str, incident_id: int | None = None,
                      closed_reason: str | None = None) -> dict:
    return _row(conn, """UPDATE duty.intake SET status = %s, incident_id = %s, closed_reason = %s, handled_by = %s, handled_at = now(),
                                version = version + 1
                         WHERE id = %s RETURNING *""", (status, incident_id, closed_reason, by, intake_id))
