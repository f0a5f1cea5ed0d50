"""SQL of the credit schema (migrations/0010_credit.sql): the ledger, the copy of open major hazards,
listings, agencies with their work and findings, follow-ups. The caller owns the transaction.
Rows come back as dicts; the dates inside a listing's `repairs` come back as `date`."""
from __future__ import annotations

from datetime import date

import psycopg
from psycopg.rows import dict_row

from services.kit import jsonio

_JSON = ("repairs", "measures")
_REPAIR_DATES = ("applied_on", "decided_on")


def _rows(conn: psycopg.Connection, sql: str, params=()) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, params).fetchall()


def _row(conn: psycopg.Connection, sql: str, params=()) -> dict | None:
    rows = _rows(conn, sql, params)
    return rows[0] if rows else None


def _params(values: dict) -> list:
    return [jsonio.jsonb(v) if k in _JSON else v for k, v in values.items()]


def _insert(conn: psycopg.Connection, table: str, values: dict) -> dict:
    cols = list(values)
    return _row(conn, f"INSERT INTO credit.{table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) RETURNING *",
                _params(values))


def _page(conn: psycopg.Connection, table: str, *, where: list[str], params: list, after: int | None,
          limit: int) -> tuple[list[dict], int]:
    """Rows matching every condition, newest first (id < after), at most `limit`, and how many match."""
    clause = " AND ".join(where) or "true"
    rows = _rows(conn, f"SELECT * FROM credit.{table} WHERE {clause}{' AND id < %s' if after else ''} ORDER BY id DESC LIMIT %s",
                 [*params, *([after] if after else []), limit])
    return rows, _row(conn, f"SELECT count(*) AS n FROM credit.{table} WHERE {clause}", params)["n"]


def _update(conn: psycopg.Connection, table: str, row_id: int, *, version: int, changes: dict) -> dict | None:
    """Applies `changes` and raises the version if the stored version is still `version` (else None)."""
    sets = ", ".join(f"{c} = %s" for c in changes)
    return _row(conn, f"UPDATE credit.{table} SET {sets}, version = version + 1, updated_at = now() "
                      "WHERE id = %s AND version = %s RETURNING *", [*_params(changes), row_id, version])


# --- the ledger --------------------------------------------------------------------------------

def add_entry(conn: psycopg.Connection, entry: dict) -> dict | None:
    """The stored entry, or None when the same fact (uscc, type, reference, day) is already in."""
    cols = list(entry)
    return _row(conn, f"INSERT INTO credit.entry ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
                      "ON CONFLICT (uscc, type, reference, occurred_on) DO NOTHING RETURNING *", list(entry.values()))


def entries(conn: psycopg.Connection, usccs: list[str], *, since: date | None = None) -> dict[str, list[dict]]:
    """The ledger of each enterprise, newest first (from `since` on, when given)."""
    out: dict[str, list[dict]] = {u: [] for u in usccs}
    for r in _rows(conn, "SELECT * FROM credit.entry WHERE uscc = ANY(%s) AND occurred_on >= %s ORDER BY occurred_on DESC, id DESC",
                   (usccs, since or date.min)):
        out[r["uscc"]].append(r)
    return out


def keep_hazard(conn: psycopg.Connection, *, hazard_id: str, uscc: str, deadline: date | None, open_: bool, version: int) -> None:
    """Upsert the copy of a major hazard, unless the copy is already as new."""
    conn.execute("""INSERT INTO credit.major_hazard (id, uscc, deadline, open, version) VALUES (%s, %s, %s, %s, %s)
                    ON CONFLICT (id) DO UPDATE SET uscc = EXCLUDED.uscc, deadline = EXCLUDED.deadline, open = EXCLUDED.open,
                                                   version = EXCLUDED.version
                    WHERE credit.major_hazard.version < EXCLUDED.version""", (hazard_id, uscc, deadline, open_, version))


def drop_hazard(conn: psycopg.Connection, *, hazard_id: str, version: int) -> None:
    """A hazard no longer major (or deleted): its copy, if any, no longer counts."""
    conn.execute("UPDATE credit.major_hazard SET open = false, version = %s WHERE id = %s AND version < %s", (version, hazard_id, version))


def open_hazards(conn: psycopg.Connection, usccs: list[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {u: [] for u in usccs}
    for r in _rows(conn, "SELECT id, uscc, deadline FROM credit.major_hazard WHERE open AND uscc = ANY(%s)", (usccs,)):
        out[r["uscc"]].append(r)
    return out


def registrations(conn: psycopg.Connection, *, prefix: str, uscc: str = "", q: str = "") -> list[dict]:
    """The enterprises supervision registered within `prefix` (supervision.registration), by credit code;
    `q`: the name contains it (case-insensitive; % and _ are the characters themselves)."""
    where, params = ["region_code LIKE %s"], [prefix + "%"]
    if uscc:
        where.append("uscc = %s")
        params.append(uscc)
    if q:
        where.append("name ILIKE %s")
        params.append("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    return _rows(conn, f"SELECT uscc, name, region_code FROM supervision.registration WHERE {' AND '.join(where)} ORDER BY uscc", params)


# --- listings ----------------------------------------------------------------------------------

def _decode_listing(row: dict | None) -> dict | None:
    if row is not None:
        row["repairs"] = [r | {k: date.fromisoformat(r[k]) for k in _REPAIR_DATES if isinstance(r.get(k), str)} for r in row["repairs"]]
    return row


def insert_listing(conn: psycopg.Connection, values: dict) -> dict:
    return _decode_listing(_insert(conn, "listing", values))


def listing(conn: psycopg.Connection, listing_id: int, *, for_update: bool = False) -> dict | None:
    return _decode_listing(_row(conn, f"SELECT * FROM credit.listing WHERE id = %s{' FOR UPDATE' if for_update else ''}", (listing_id,)))


def update_listing(conn: psycopg.Connection, listing_id: int, *, version: int, changes: dict) -> dict | None:
    return _decode_listing(_update(conn, "listing", listing_id, version=version, changes=changes))


def listings(conn: psycopg.Connection, *, where: list[str], params: list, after: int | None, limit: int) -> tuple[list[dict], int]:
    rows, total = _page(conn, "listing", where=where, params=params, after=after, limit=limit)
    return [_decode_listing(r) for r in rows], total


def listings_of(conn: psycopg.Connection, usccs: list[str]) -> dict[str, list[dict]]:
    """Every listing of each enterprise, newest first."""
    out: dict[str, list[dict]] = {u: [] for u in usccs}
    for r in _rows(conn, "SELECT * FROM credit.listing WHERE uscc = ANY(%s) ORDER BY id DESC", (usccs,)):
        out[r["uscc"]].append(_decode_listing(r))
    return out


# --- agencies ----------------------------------------------------------------------------------

def insert_agency(conn: psycopg.Connection, values: dict) -> dict:
    return _insert(conn, "agency", values)


def agency(conn: psycopg.Connection, agency_id: int, *, for_update: bool = False) -> dict | None:
    return _row(conn, f"SELECT * FROM credit.agency WHERE id = %s{' FOR UPDATE' if for_update else ''}", (agency_id,))


def agency_by_uscc(conn: psycopg.Connection, uscc: str) -> dict | None:
    return _row(conn, "SELECT * FROM credit.agency WHERE uscc = %s", (uscc,))


def update_agency(conn: psycopg.Connection, agency_id: int, *, version: int, changes: dict) -> dict | None:
    return _update(conn, "agency", agency_id, version=version, changes=changes)


def agencies(conn: psycopg.Connection, *, where: list[str], params: list) -> list[dict]:
    """Every agency matching the conditions, newest first (the list filters by the computed grade)."""
    return _rows(conn, f"SELECT * FROM credit.agency WHERE {' AND '.join(where) or 'true'} ORDER BY id DESC", params)


def add_work(conn: psycopg.Connection, values: dict) -> dict | None:
    """None when the agency already has a report with that number."""
    cols = list(values)
    return _row(conn, f"INSERT INTO credit.agency_work ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) "
                      "ON CONFLICT (agency_id, report_number) DO NOTHING RETURNING *", list(values.values()))


def add_finding(conn: psycopg.Connection, values: dict) -> dict:
    return _insert(conn, "agency_finding", values)


def work_of(conn: psycopg.Connection, agency_id: int) -> list[dict]:
    return _rows(conn, "SELECT * FROM credit.agency_work WHERE agency_id = %s ORDER BY report_date DESC, id DESC", (agency_id,))


def findings_of(conn: psycopg.Connection, agency_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {a: [] for a in agency_ids}
    for r in _rows(conn, "SELECT * FROM credit.agency_finding WHERE agency_id = ANY(%s) ORDER BY found_on DESC, id DESC", (agency_ids,)):
        out[r["agency_id"]].append(r)
    return out


# --- follow-ups --------------------------------------------------------------------------------

def schedule_follow_up(conn: psycopg.Connection, values: dict) -> None:
    """Schedule the follow-up of a closed accident, or move its dates when a newer version of the
    accident changes them; a recorded follow-up stays as recorded."""
    cols = list(values)
    moved = ("uscc", "enterprise_name", "region_code", "accident_title", "accident_grade", "occurred_on", "closed_on", "opens_on",
             "due_on", "accident_version")
    conn.execute(f"""INSERT INTO credit.follow_up ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})
                     ON CONFLICT (accident_id) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in moved)},
                         version = credit.follow_up.version + 1, updated_at = now()
                     WHERE credit.follow_up.recorded_on IS NULL AND credit.follow_up.accident_version < EXCLUDED.accident_version""",
                 list(values.values()))


def follow_up(conn: psycopg.Connection, follow_up_id: int, *, for_update: bool = False) -> dict | None:
    return _row(conn, f"SELECT * FROM credit.follow_up WHERE id = %s{' FOR UPDATE' if for_update else ''}", (follow_up_id,))


def update_follow_up(conn: psycopg.Connection, follow_up_id: int, *, version: int, changes: dict) -> dict | None:
    return _update(conn, "follow_up", follow_up_id, version=version, changes=changes)


def follow_ups(conn: psycopg.Connection, *, where: list[str], params: list, after: int | None, limit: int) -> tuple[list[dict], int]:
    return _page(conn, "follow_up", where=where, params=params, after=after, limit=limit)
