"""SQL on inspections.document: enforcement documents, numbered when they are written."""
from __future__ import annotations

from datetime import date

import psycopg
from psycopg.rows import dict_row

from services.kit import docnumbers
from services.kit.db import row as _row, rows as _rows, where_equal
from services.kit.jsonio import jsonb

_COLUMNS = """id, type, number, agency_region, agency_name, year, serial, inspection_id, parent_id, uscc, enterprise_name, region_code,
              body, signatures, due_on, issued_by, issued_at"""


def issue(conn: psycopg.Connection, *, doc_type: str, agency_region: str, agency: dict, doc_code: str | None, year: int,
          inspection_id: int | None, parent_id: int | None, enterprise: dict, body: dict, signatures: list, due_on: date | None,
          by: str) -> dict:
    """Write a document with the next number of (agency, type, year), in the caller's transaction."""
    number, serial = None, None
    if doc_code:
        n = docnumbers.issue(conn, agency=agency_region, agency_code=agency["code"], doc_type=doc_type, doc_code=doc_code, year=year)
        number, serial = str(n), n.serial
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"""INSERT INTO inspections.document (type, number, agency_region, agency_name, year, serial, inspection_id, parent_id, uscc,
                    enterprise_name, region_code, body, signatures, due_on, issued_by)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING {_COLUMNS}""",
            (doc_type, number, agency_region, agency["name"], year, serial, inspection_id, parent_id, enterprise["uscc"],
             enterprise["name"], enterprise["region_code"], jsonb(body), jsonb(signatures), due_on, by)).fetchone()


def get(conn: psycopg.Connection, doc_id: int, *, lock: bool = False) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {_COLUMNS} FROM inspections.document WHERE id = %s" + (" FOR UPDATE" if lock else ""),
                           (doc_id,)).fetchone()


def of_inspection(conn: psycopg.Connection, inspection_id: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {_COLUMNS} FROM inspections.document WHERE inspection_id = %s ORDER BY id", (inspection_id,)).fetchall()


def listing(conn: psycopg.Connection, *, prefix: str, uscc: str | None, doc_type: str | None, year: int | None, after: int,
            limit: int) -> tuple[list[dict], int]:
    cond, params = where_equal(["region_code LIKE %s"], [prefix + "%"], (("uscc", uscc), ("type", doc_type), ("year", year)))
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(f"SELECT {_COLUMNS} FROM inspections.document WHERE {cond} AND (%s = 0 OR id < %s) ORDER BY id DESC LIMIT %s",
                           (*params, after, after, limit)).fetchall()
    (total,) = conn.execute(f"SELECT count(*) FROM inspections.document WHERE {cond}", params).fetchone()
    return rows, total


def add_signature(conn: psycopg.Connection, *, doc_id: int, signature: dict) -> None:
    conn.execute("UPDATE inspections.document SET signatures = signatures || %s WHERE id = %s", (jsonb([signature]), doc_id))


# --- penalty cases --------------------------------------------------------------------------------

_CASE = "SELECT * FROM inspections.penalty_case"


def open_case(conn: psycopg.Connection, *, enterprise: dict, agency_region: str, source: str, cause: str, inspection_id: int | None,
              recheck_id: int | None, due, by: str) -> int:
    (cid,) = conn.execute(
        """INSERT INTO inspections.penalty_case (uscc, enterprise_name, region_code, agency_region, inspection_id, recheck_id, source, cause,
               step, due_on, due_provisional, opened_by)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'filing', %s, %s, %s) RETURNING id""",
        (enterprise["uscc"], enterprise["name"], enterprise["region_code"], agency_region, inspection_id, recheck_id, source, cause,
         due.day, due.provisional, by)).fetchone()
    return cid


def case(conn: psycopg.Connection, case_id: int, *, lock: bool = False) -> dict | None:
    return _row(conn, _CASE + " WHERE id = %s" + (" FOR UPDATE" if lock else ""), (case_id,))


def cases(conn: psycopg.Connection, *, prefix: str, step: str | None, overdue_on, after: int, limit: int) -> tuple[list[dict], int]:
    cond, params = where_equal(["region_code LIKE %s"], [prefix + "%"], (("step", step),))
    if overdue_on:
        cond += " AND step <> 'closed' AND due_on < %s"
        params.append(overdue_on)
    rows = _rows(conn, f"{_CASE} WHERE {cond} AND (%s = 0 OR id < %s) ORDER BY id DESC LIMIT %s", (*params, after, after, limit))
    (total,) = conn.execute(f"SELECT count(*) FROM inspections.penalty_case WHERE {cond}", params).fetchone()
    return rows, total


def advance_case(conn: psycopg.Connection, *, case_id: int, version: int, record: dict, next_step: str, due, changes: dict) -> bool:
    sets = "".join(f"{k} = %s, " for k in changes)
    return conn.execute(
        f"""UPDATE inspections.penalty_case SET {sets}steps = steps || %s, step = %s, due_on = %s, due_provisional = %s,
                closed_at = CASE WHEN %s = 'closed' THEN now() ELSE closed_at END, version = version + 1
            WHERE id = %s AND version = %s""",
        (*changes.values(), jsonb([record]), next_step, due.day if due else None, bool(due and due.provisional), next_step,
         case_id, version)).rowcount == 1


def set_case_number(conn: psycopg.Connection, *, doc_id: int, number: str) -> None:
    conn.execute("UPDATE inspections.document SET body = jsonb_set(body, '{fields,case_number}', to_jsonb(%s::text)) WHERE id = %s",
                 (number, doc_id))
