"""SQL of the standardization schema: applications, their scores and steps, and the certificates.
The caller owns the transaction. Rows come back as dicts with the dates inside the jsonb columns
(objections, certificate actions) turned back into `date`, as the rules expect them."""
from __future__ import annotations

from datetime import date

import psycopg
from psycopg.rows import dict_row

from services.kit import jsonio

_JSON = ("experts", "part_scores", "review", "objections", "actions")
# The date fields inside the jsonb columns, by column.
_JSON_DATES = {"objections": ("received_on",), "actions": ("on",)}


def _decode(row: dict | None) -> dict | None:
    if row is None:
        return None
    for column, names in _JSON_DATES.items():
        if isinstance(row.get(column), list):
            row[column] = [item | {n: date.fromisoformat(item[n]) for n in names if isinstance(item.get(n), str)}
                           for item in row[column]]
    return row


def _params(values: dict) -> list:
    return [jsonio.jsonb(v) if k in _JSON else v for k, v in values.items()]


def _one(conn: psycopg.Connection, sql: str, params) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return _decode(cur.execute(sql, params).fetchone())


def _all(conn: psycopg.Connection, sql: str, params) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return [_decode(r) for r in cur.execute(sql, params).fetchall()]


# --- applications --------------------------------------------------------------------------------

def get(conn: psycopg.Connection, app_id: int, *, for_update: bool = False) -> dict | None:
    return _one(conn, f"SELECT * FROM standardization.application WHERE id = %s{' FOR UPDATE' if for_update else ''}", (app_id,))


def insert(conn: psycopg.Connection, values: dict) -> dict:
    cols = list(values)
    return _one(conn, f"INSERT INTO standardization.application ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
                      "RETURNING *", _params(values))


def update(conn: psycopg.Connection, app_id: int, *, version: int, changes: dict) -> dict | None:
    """Applies `changes` and raises the version, if the stored version is still `version` (else None)."""
    sets = ", ".join(f"{c} = %s" for c in changes)
    return _one(conn, f"UPDATE standardization.application SET {sets}, version = version + 1, updated_at = now() "
                      "WHERE id = %s AND version = %s RETURNING *", [*_params(changes), app_id, version])


def open_renewal(conn: psycopg.Connection, parent_id: int, statuses: tuple[str, ...]) -> int | None:
    """The id of a renewal of the application's certificate that is under way (in `statuses`), if any."""
    row = conn.execute("SELECT id FROM standardization.application WHERE parent_id = %s AND status = ANY(%s) LIMIT 1",
                       (parent_id, list(statuses))).fetchone()
    return row[0] if row else None


def listing(conn: psycopg.Connection, *, where: list[str], params: list, size: int, after: int | None) -> tuple[list[dict], int]:
    """A page of applications newest first (id < after), and how many match in all."""
    clause = " AND ".join(where) or "true"
    rows = _all(conn, f"SELECT * FROM standardization.application WHERE {clause}{' AND id < %s' if after else ''} "
                      "ORDER BY id DESC LIMIT %s", [*params, *([after] if after else []), size + 1])
    (total,) = conn.execute(f"SELECT count(*) FROM standardization.application WHERE {clause}", params).fetchone()
    return rows, total


def with_provisional_deadlines(conn: psycopg.Connection, statuses: tuple[str, ...]) -> list[dict]:
    """Applications in `statuses` with a provisional deadline, locked for recomputation."""
    return _all(conn, "SELECT * FROM standardization.application WHERE status = ANY(%s) "
                      "AND (review_due_provisional OR notice_ends_provisional) ORDER BY id FOR UPDATE", (list(statuses),))


def set_deadlines(conn: psycopg.Connection, app_id: int, deadlines: dict) -> None:
    """Derived columns only: the version stays, so no reader's next write is refused for it."""
    conn.execute(f"UPDATE standardization.application SET {', '.join(f'{c} = %s' for c in deadlines)} WHERE id = %s",
                 [*deadlines.values(), app_id])


# --- scores and steps ----------------------------------------------------------------------------

def save_scores(conn: psycopg.Connection, app_id: int, scores: list[dict], *, by: str, account: str) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO standardization.score (application_id, code, score, not_applicable, note, entered_by, entered_account)
               VALUES (%s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (application_id, code) DO UPDATE SET score = EXCLUDED.score, not_applicable = EXCLUDED.not_applicable,
                   note = EXCLUDED.note, entered_by = EXCLUDED.entered_by, entered_account = EXCLUDED.entered_account,
                   entered_at = now()""",
            [(app_id, s["code"], s["score"], s["not_applicable"], s["note"], by, account) for s in scores])


def scores(conn: psycopg.Connection, app_id: int) -> list[dict]:
    return _all(conn, "SELECT code, score, not_applicable, note, entered_by, entered_at FROM standardization.score "
                      "WHERE application_id = %s ORDER BY code", (app_id,))


def step(conn: psycopg.Connection, app_id: int, *, action: str, status_from: str | None, status_to: str, actor: str,
         account: str, detail: dict) -> None:
    conn.execute("""INSERT INTO standardization.step (application_id, action, status_from, status_to, actor, actor_account, detail)
                    VALUES (%s, %s, %s, %s, %s, %s, %s)""",
                 (app_id, action, status_from, status_to, actor, account, jsonio.jsonb(detail)))


def steps(conn: psycopg.Connection, app_id: int) -> list[dict]:
    return _all(conn, "SELECT action, status_from, status_to, actor, at, detail FROM standardization.step "
                      "WHERE application_id = %s ORDER BY id", (app_id,))


# --- certificates --------------------------------------------------------------------------------

def certificate_of(conn: psycopg.Connection, app_id: int, *, for_update: bool = False) -> dict | None:
    return _one(conn, f"SELECT * FROM standardization.certificate WHERE application_id = %s{' FOR UPDATE' if for_update else ''}",
                (app_id,))


def certificates_of(conn: psycopg.Connection, app_ids: list[int]) -> dict[int, dict]:
    """The certificates of a page of applications, by application id."""
    return {r["application_id"]: r for r in _all(conn, "SELECT * FROM standardization.certificate WHERE application_id = ANY(%s)",
                                                  (app_ids,))}


def insert_certificate(conn: psycopg.Connection, values: dict) -> dict:
    cols = list(values)
    return _one(conn, f"INSERT INTO standardization.certificate ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
                      "RETURNING *", _params(values))


def replace_current(conn: psycopg.Connection, uscc: str, *, by: int) -> list[dict]:
    """The enterprise's other current certificates, replaced by the one just issued."""
    return _all(conn, "UPDATE standardization.certificate SET state = 'replaced', replaced_by = %s, updated_at = now() "
                      "WHERE uscc = %s AND id <> %s AND state IN ('valid', 'downgraded') RETURNING *", (by, uscc, by))


def update_certificate(conn: psycopg.Connection, certificate_id: int, changes: dict) -> dict:
    sets = ", ".join(f"{c} = %s" for c in changes)
    return _one(conn, f"UPDATE standardization.certificate SET {sets}, updated_at = now() WHERE id = %s RETURNING *",
                [*_params(changes), certificate_id])


def registration(conn: psycopg.Connection, uscc: str) -> dict | None:
    """The enterprise as supervision's registry knows it (name, region, sector), from the data centre's events."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT uscc, name, region_code, sector FROM supervision.registration WHERE uscc = %s", (uscc,)).fetchone()
