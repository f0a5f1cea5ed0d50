"""Storage of enterprises.enterprise. Functions take the caller's connection and never commit."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

_COLUMNS = "uscc, name, region_code, address, industry_code, version, created_at, updated_at"


def get(conn: psycopg.Connection, uscc: str, *, for_update: bool = False) -> dict | None:
    sql = f"SELECT {_COLUMNS} FROM enterprises.enterprise WHERE uscc = %s" + (" FOR UPDATE" if for_update else "")
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, (uscc,)).fetchone()

