"""Storage of onboarding.application and onboarding.enterprise_client. Functions take the caller's
connection and never commit."""
from __future__ import annotations

import uuid

import psycopg
from psycopg.rows import dict_row

from services.datacenter.onboarding.rules import APPROVED, PENDING, REJECTED, ApplicationForm
from services.kit import paging

_APP = """a.id::text AS id, a.uscc, a.name, a.region_code, r.name AS region_name, a.contact_name, a.contact_phone,
          a.email, a.note, a.status, a.submitted_at, a.decided_at, a.decided_by, a.reject_reason, a.client_id"""
_CLIENT = """c.client_id, c.uscc, c.name, c.region_code, coalesce(r.name, '') AS region_name, c.enabled,
             c.created_at, c.secret_rotated_at"""


def regions(conn: psycopg.Connection) -> list[tuple[str, str, str]]:
    return conn.execute("SELECT code, name, level FROM dictionaries.region ORDER BY code").fetchall()


def has_pending(conn: psycopg.Connection, uscc: str) -> bool:
    return conn.execute("SELECT 1 FROM onboarding.application WHERE uscc = %s AND status = %s", (uscc, PENDING)).fetchone() is not None


def has_enabled_client(conn: psycopg.Connection, uscc: str) -> bool:
    return conn.execute("SELECT 1 FROM onboarding.enterprise_client WHERE uscc = %s AND enabled", (uscc,)).fetchone() is not None


def insert_application(conn: psycopg.Connection, a: ApplicationForm) -> dict:
    application_id = str(uuid.uuid4())
    conn.execute("""INSERT INTO onboarding.application (id, uscc, name, region_code, contact_name, contact_phone, email, note)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
                 (application_id, a.uscc, a.name, a.region_code, a.contact_name, a.contact_phone, a.email, a.note))
    return get_application(conn, application_id)


def get_application(conn: psycopg.Connection, application_id: str, *, for_update: bool = False) -> dict | None:
    try:
        uuid.UUID(application_id)
    except ValueError:
        return None  # not an id we could have issued: the same answer as an unknown one
    sql = f"SELECT {_APP} FROM onboarding.application a JOIN dictionaries.region r ON r.code = a.region_code WHERE a.id = %s"
    if for_update:
        sql += " FOR UPDATE OF a"
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, (application_id,)).fetchone()


def list_applications(conn: psycopg.Connection, *, region_prefix: str, status: str, size: int, after: str) -> list[dict]:
    """Newest first; `after` is '<submitted_at iso>|<id>' of the previous page's last row."""
    where, args = ["a.region_code LIKE %s"], [region_prefix + "%"]
    if status:
        where.append("a.status = %s")
        args.append(status)
    if key := paging.time_id_key(after):
        where.append("(a.submitted_at, a.id) < (%s, %s::uuid)")
        args += list(key)
    sql = (f"SELECT {_APP}, a.submitted_at::text || '|' || a.id::text AS page_key FROM onboarding.application a "
           f"JOIN dictionaries.region r ON r.code = a.region_code WHERE {' AND '.join(where)} "
           f"ORDER BY a.submitted_at DESC, a.id DESC LIMIT %s")
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, (*args, size + 1)).fetchall()


def decide(conn: psycopg.Connection, application_id: str, *, status: str, by: str, reason: str | None = None,
           client_id: str | None = None) -> dict:
    assert status in (APPROVED, REJECTED)
    conn.execute("""UPDATE onboarding.application SET status = %s, decided_at = now(), decided_by = %s,
                           reject_reason = %s, client_id = %s WHERE id = %s""",
                 (status, by, reason, client_id, application_id))
    return get_application(conn, application_id)


def upsert_client(conn: psycopg.Connection, *, client_id: str, uscc: str, name: str, region_code: str, enabled: bool,
                  rotated: bool = False) -> None:
    conn.execute(
        """INSERT INTO onboarding.enterprise_client (client_id, uscc, name, region_code, enabled, secret_rotated_at)
           VALUES (%(client_id)s, %(uscc)s, %(name)s, %(region_code)s, %(enabled)s, CASE WHEN %(rotated)s THEN now() END)
           ON CONFLICT (client_id) DO UPDATE SET name = EXCLUDED.name, region_code = EXCLUDED.region_code,
               enabled = EXCLUDED.enabled, synced_at = now(),
               secret_rotated_at = CASE WHEN %(rotated)s THEN now() ELSE onboarding.enterprise_client.secret_rotated_at END""",
        {"client_id": client_id, "uscc": uscc, "name": name, "region_code": region_code, "enabled": enabled, "rotated": rotated},
    )


def get_client(conn: psycopg.Connection, client_id: str, *, for_update: bool = False) -> dict | None:
    sql = f"SELECT {_CLIENT} FROM onboarding.enterprise_client c LEFT JOIN dictionaries.region r ON r.code = c.region_code WHERE c.client_id = %s"
    if for_update:
        sql += " FOR UPDATE OF c"
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, (client_id,)).fetchone()


def list_clients(conn: psycopg.Connection, *, region_prefix: str, size: int, after: str) -> list[dict]:
    where, args = ["c.region_code LIKE %s"], [region_prefix + "%"]
    if after:
        where.append("c.client_id > %s")
        args.append(after)
    sql = (f"SELECT {_CLIENT} FROM onboarding.enterprise_client c LEFT JOIN dictionaries.region r ON r.code = c.region_code "
           f"WHERE {' AND '.join(where)} ORDER BY c.client_id LIMIT %s")
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, (*args, size + 1)).fetchall()


def set_client_enabled(conn: psycopg.Connection, client_id: str, enabled: bool) -> None:
    conn.execute("UPDATE onboarding.enterprise_client SET enabled = %s, synced_at = now() WHERE client_id = %s", (enabled, client_id))


def mark_rotated(conn: psycopg.Connection, client_id: str) -> None:
    conn.execute("UPDATE onboarding.enterprise_client SET secret_rotated_at = now() WHERE client_id = %s", (client_id,))



def enterprise_region(conn: psycopg.Connection, uscc: str) -> str | None:
    """Where an enterprise is, for its staff accounts: its registered record (enterprises.enterprise),
    or, before it has submitted one, its enterprise client; None when the platform knows neither."""
    row = conn.execute(
        """SELECT region_code FROM (
               SELECT 1 AS source, region_code FROM enterprises.enterprise WHERE uscc = %(uscc)s AND deleted_at IS NULL
               UNION ALL
               SELECT 2, region_code FROM onboarding.enterprise_client WHERE uscc = %(uscc)s) known
           ORDER BY source LIMIT 1""", {"uscc": uscc}).fetchone()
    return row[0] if row else None
