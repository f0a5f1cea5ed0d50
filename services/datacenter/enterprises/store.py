"""Storage of enterprises.enterprise. Functions take the caller's connection and never commit."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from services.datacenter.enterprises.rules import Submission

_COLUMNS = "uscc, name, region_code, address, industry_code, version, created_at, updated_at"


def get(conn: psycopg.Connection, uscc: str, *, for_update: bool = False) -> dict | None:
    sql = f"SELECT {_COLUMNS} FROM enterprises.enterprise WHERE uscc = %s" + (" FOR UPDATE" if for_update else "")
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, (uscc,)).fetchone()


def insert(conn: psycopg.Connection, s: Submission, *, actor: str) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"""INSERT INTO enterprises.enterprise (uscc, name, region_code, address, industry_code, created_by, updated_by)
                VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING {_COLUMNS}""",
            (s.uscc, s.name, s.region_code, s.address, s.industry_code, actor, actor),
        ).fetchone()


def update(conn: psycopg.Connection, s: Submission, *, actor: str) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"""UPDATE enterprises.enterprise
                   SET name = %s, region_code = %s, address = %s, industry_code = %s,
                       version = version + 1, updated_at = now(), updated_by = %s
                 WHERE uscc = %s RETURNING {_COLUMNS}""",
            (s.name, s.region_code, s.address, s.industry_code, actor, s.uscc),
        ).fetchone()
