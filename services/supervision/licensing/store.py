"""SQL of the licensing schema: applications and their steps. The caller owns the transaction.
Rows come back as dicts with the dates inside the jsonb columns (pauses, correction, extension,
delivery, licence actions) turned back into `date`, as the rules expect them."""
from __future__ import annotations

from datetime import date

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from services.kit import jsonio

JSON_COLUMNS = ("materials", "changes", "correction", "pauses", "extension", "delivery", "licence_actions")
# The date fields inside the jsonb columns, by column.
_JSON_DATES = {"correction": ("notified_on",), "pauses": ("started_on", "ended_on"), "extension": ("on",),
               "delivery": ("on",), "licence_actions": ("on", "until")}
DEADLINE_COLUMNS = ("notice_due", "notice_due_provisional", "decision_due", "decision_due_provisional", "delivery_due",
                    "delivery_due_provisional", "publication_due", "publication_due_provisional")


def _jsonb(value) -> Jsonb:
    return Jsonb(value, dumps=lambda v: jsonio.dumps(v).decode())


def _dated(item: dict, names: tuple[str, ...]) -> dict:
    return item | {n: date.fromisoformat(item[n]) for n in names if isinstance(item.get(n), str)}


def _decode(row: dict | None) -> dict | None:
    if row is None:
        return None
    for column, names in _JSON_DATES.items():
        value = row.get(column)
        if isinstance(value, list):
            row[column] = [_dated(v, names) for v in value]
        elif isinstance(value, dict):
            row[column] = _dated(value, names)
    return row


def _params(values: dict) -> list:
    return [_jsonb(v) if k in JSON_COLUMNS else v for k, v in values.items()]


def get(conn: psycopg.Connection, app_id: int, *, for_update: bool = False) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return _decode(cur.execute(f"SELECT * FROM licensing.application WHERE id = %s{' FOR UPDATE' if for_update else ''}",
                                   (app_id,)).fetchone())


def insert(conn: psycopg.Connection, values: dict) -> dict:
    cols = list(values)
    with conn.cursor(row_factory=dict_row) as cur:
        return _decode(cur.execute(f"INSERT INTO licensing.application ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
                                   "RETURNING *", _params(values)).fetchone())


def update(conn: psycopg.Connection, app_id: int, *, version: int, changes: dict) -> dict | None:
    """Applies `changes` and raises the version, if the stored version is still `version` (else None)."""
    sets = ", ".join(f"{c} = %s" for c in changes)
    with conn.cursor(row_factory=dict_row) as cur:
        return _decode(cur.execute(f"UPDATE licensing.application SET {sets}, version = version + 1, updated_at = now() "
                                   "WHERE id = %s AND version = %s RETURNING *", [*_params(changes), app_id, version]).fetchone())


def set_licence_state(conn: psycopg.Connection, licence_record_id: str, *, state: str, except_id: int) -> list[dict]:
    """The other applications of the same licence (its renewals and changes) show its new state."""
    with conn.cursor(row_factory=dict_row) as cur:
        return [_decode(r) for r in cur.execute(
            "UPDATE licensing.application SET licence_state = %s, version = version + 1, updated_at = now() "
            "WHERE licence_record_id = %s AND id <> %s AND licence_state IS NOT NULL RETURNING *",
            (state, licence_record_id, except_id)).fetchall()]


def open_for_licence(conn: psycopg.Connection, licence_record_id: str, statuses: tuple[str, ...]) -> int | None:
    """The id of an undecided renewal or change of the licence, if one is under way."""
    row = conn.execute("SELECT id FROM licensing.application WHERE licence_record_id = %s AND status = ANY(%s) LIMIT 1",
                       (licence_record_id, list(statuses))).fetchone()
    return row[0] if row else None


def step(conn: psycopg.Connection, app_id: int, *, action: str, status_from: str | None, status_to: str, actor: str,
         account: str, detail: dict | None = None) -> None:
    conn.execute("""INSERT INTO licensing.step (application_id, action, status_from, status_to, actor, actor_account, detail)
                    VALUES (%s, %s, %s, %s, %s, %s, %s)""",
                 (app_id, action, status_from, status_to, actor, account, _jsonb(detail or {})))


def steps(conn: psycopg.Connection, app_id: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT action, status_from, status_to, actor, at, detail FROM licensing.step "
                           "WHERE application_id = %s ORDER BY id", (app_id,)).fetchall()


def listing(conn: psycopg.Connection, *, where: list[str], params: list, size: int, after: int | None) -> tuple[list[dict], int]:
    """A page of applications newest first (id < after), and how many match in all."""
    clause = " AND ".join(where) or "true"
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(f"SELECT * FROM licensing.application WHERE {clause}{' AND id < %s' if after else ''} "
                           "ORDER BY id DESC LIMIT %s", [*params, *([after] if after else []), size + 1]).fetchall()
        total = cur.execute(f"SELECT count(*) AS n FROM licensing.application WHERE {clause}", params).fetchone()["n"]
    return [_decode(r) for r in rows], total


def with_provisional_deadlines(conn: psycopg.Connection) -> list[dict]:
    """Applications (not withdrawn) with a provisional deadline, locked for recomputation."""
    with conn.cursor(row_factory=dict_row) as cur:
        return [_decode(r) for r in cur.execute(
            "SELECT * FROM licensing.application WHERE status <> 'withdrawn' AND (notice_due_provisional OR "
            "decision_due_provisional OR delivery_due_provisional OR publication_due_provisional) ORDER BY id FOR UPDATE").fetchall()]


def set_deadlines(conn: psycopg.Connection, app_id: int, deadlines: dict) -> None:
    """Derived columns only: the version stays, so no reader's next write is refused for it."""
    conn.execute(f"UPDATE licensing.application SET {', '.join(f'{c} = %s' for c in deadlines)} WHERE id = %s",
                 [*deadlines.values(), app_id])


def registration(conn: psycopg.Connection, uscc: str) -> dict | None:
    """The enterprise as supervision's registry knows it (name, region), from the data centre's events."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT uscc, name, region_code FROM supervision.registration WHERE uscc = %s", (uscc,)).fetchone()
