"""SQL on schema hazard_supervision: hazard copies, listings, extensions, reports."""
from __future__ import annotations

import psycopg

from services.kit.db import row as _row, rows as _rows, where_equal
from services.kit.jsonio import jsonb

_LISTING = """SELECT l.*, h.status AS hazard_status, h.description, h.responsible_person, h.deadline AS hazard_deadline,
                     h.verification, h.level AS hazard_level
                FROM hazard_supervision.listing l JOIN hazard_supervision.hazard h ON h.id = l.hazard_id"""


def hazard(conn: psycopg.Connection, hazard_id: int) -> dict | None:
    return _row(conn, "SELECT * FROM hazard_supervision.hazard WHERE id = %s AND NOT deleted", (hazard_id,))


def listing(conn: psycopg.Connection, listing_id: int, *, lock: bool = False) -> dict | None:
    return _row(conn, _LISTING + " WHERE l.id = %s" + (" FOR UPDATE OF l" if lock else ""), (listing_id,))


def insert_listing(conn: psycopg.Connection, *, hazard: dict, fields: dict, agency_region: str, number: str, listed_on, by: str) -> int:
    (lid,) = conn.execute(
        """INSERT INTO hazard_supervision.listing (hazard_id, uscc, enterprise_name, region_code, level, agency_region, document_number,
               listed_on, deadline, listed_deadline, requirements, status, listed_by)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'listed', %s) RETURNING id""",
        (hazard["id"], hazard["uscc"], hazard["enterprise_name"], hazard["region_code"], fields["level"], agency_region, number, listed_on,
         fields["deadline"], fields["deadline"], fields["requirements"], by)).fetchone()
    return lid


def open_listing_of(conn: psycopg.Connection, hazard_id: int) -> dict | None:
    return _row(conn, "SELECT id FROM hazard_supervision.listing WHERE hazard_id = %s AND status = 'listed'", (hazard_id,))


def listings(conn: psycopg.Connection, *, prefix: str, uscc: str | None, status: str | None, overdue_on, after: int,
             limit: int) -> tuple[list[dict], int]:
    cond, params = where_equal(["l.region_code LIKE %s"], [prefix + "%"], (("l.uscc", uscc), ("l.status", status)))
    if overdue_on:
        cond += " AND l.status = 'listed' AND l.deadline < %s"
        params.append(overdue_on)
    rows = _rows(conn, f"{_LISTING} WHERE {cond} AND (%s = 0 OR l.id < %s) ORDER BY l.id DESC LIMIT %s", (*params, after, after, limit))
    (total,) = conn.execute(f"SELECT count(*) FROM hazard_supervision.listing l WHERE {cond}", params).fetchone()
    return rows, total


def extensions(conn: psycopg.Connection, listing_id: int) -> list[dict]:
    return _rows(conn, "SELECT * FROM hazard_supervision.extension WHERE listing_id = %s ORDER BY id", (listing_id,))


def pending_extension(conn: psycopg.Connection, listing_id: int) -> dict | None:
    return _row(conn, "SELECT * FROM hazard_supervision.extension WHERE listing_id = %s AND status = 'pending' FOR UPDATE", (listing_id,))


def insert_extension(conn: psycopg.Connection, *, listing_id: int, req: dict, by: str) -> None:
    conn.execute("""INSERT INTO hazard_supervision.extension (listing_id, requested_on, new_deadline, reason, requested_by, status)
                    VALUES (%s, %s, %s, %s, %s, 'pending')""", (listing_id, req["requested_on"], req["new_deadline"], req["reason"], by))


def decide_extension(conn: psycopg.Connection, *, extension_id: int, approved: bool, note: str, by: str) -> None:
    conn.execute("""UPDATE hazard_supervision.extension SET status = %s, decided_by = %s, decided_at = now(), decision_note = %s
                    WHERE id = %s""", ("approved" if approved else "refused", by, note, extension_id))


def touch(conn: psycopg.Connection, listing_id: int, **changes) -> None:
    """Change the listing's columns (none: just a new version, as when an extension is asked for)."""
    sets = "".join(f"{k} = %s, " for k in changes)
    conn.execute(f"UPDATE hazard_supervision.listing SET {sets}version = version + 1 WHERE id = %s", (*changes.values(), listing_id))


def open_listings(conn: psycopg.Connection) -> list[dict]:
    return _rows(conn, "SELECT * FROM hazard_supervision.listing WHERE status = 'listed' ORDER BY id FOR UPDATE SKIP LOCKED")


def board(conn: psycopg.Connection, *, prefix: str, month_from, month_to) -> dict:
    by_county = _rows(conn, """SELECT left(h.region_code, 6) AS county_code, h.level,
                                      count(*) AS found, count(*) FILTER (WHERE h.status = 'closed') AS closed,
                                      count(*) FILTER (WHERE h.status <> 'closed' AND h.deadline < current_date) AS overdue
                                 FROM hazard_supervision.hazard h
                                WHERE NOT h.deleted AND h.region_code LIKE %s AND h.found_at >= %s AND h.found_at < %s
                                GROUP BY 1, 2 ORDER BY 1, 2""", (prefix + "%", month_from, month_to))
    by_sector = _rows(conn, """SELECT coalesce(r.sector, 'other') AS sector, h.level, count(*) AS found,
                                      count(*) FILTER (WHERE h.status = 'closed') AS closed
                                 FROM hazard_supervision.hazard h LEFT JOIN supervision.registration r ON r.uscc = h.uscc
                                WHERE NOT h.deleted AND h.region_code LIKE %s AND h.found_at >= %s AND h.found_at < %s
                                GROUP BY 1, 2 ORDER BY 1, 2""", (prefix + "%", month_from, month_to))
    by_month = _rows(conn, """SELECT to_char(h.found_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, h.level, count(*) AS found,
                                     count(*) FILTER (WHERE h.status = 'closed') AS closed
                                FROM hazard_supervision.hazard h
                               WHERE NOT h.deleted AND h.region_code LIKE %s AND h.found_at >= %s AND h.found_at < %s
                               GROUP BY 1, 2 ORDER BY 1, 2""", (prefix + "%", month_from, month_to))
    return {"by_county": by_county, "by_sector": by_sector, "by_month": by_month}


def upsert_report(conn: psycopg.Connection, *, enterprise: dict, rep: dict, by: str) -> dict:
    return _row(conn, """INSERT INTO hazard_supervision.report (uscc, enterprise_name, region_code, period, figures, principal, signed_at,
                             submitted_by)
                         VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
                         ON CONFLICT (uscc, period) DO UPDATE SET figures = EXCLUDED.figures, principal = EXCLUDED.principal,
                             signed_at = EXCLUDED.signed_at, submitted_by = EXCLUDED.submitted_by, submitted_at = now()
                         RETURNING *""",
                (enterprise["uscc"], enterprise["name"], enterprise["region_code"], rep["period"], jsonb(rep["figures"]), rep["principal"],
                 rep["signed_at"], by))


def reports(conn: psycopg.Connection, *, prefix: str, period: str) -> tuple[list[dict], list[dict]]:
    """(the reports of the period, the registered enterprises that have not reported)."""
    done = _rows(conn, "SELECT * FROM hazard_supervision.report WHERE period = %s AND region_code LIKE %s ORDER BY uscc", (period, prefix + "%"))
    missing = _rows(conn, """SELECT r.uscc, r.name, r.region_code FROM supervision.registration r
                             WHERE r.region_code LIKE %s AND NOT EXISTS
                                 (SELECT 1 FROM hazard_supervision.report p WHERE p.uscc = r.uscc AND p.period = %s)
                             ORDER BY r.uscc LIMIT 500""", (prefix + "%", period))
    return done, missing
