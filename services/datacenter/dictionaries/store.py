"""Reads of the shared dictionaries."""
from __future__ import annotations

import psycopg


def region_exists(conn: psycopg.Connection, code: str) -> bool:
    return conn.execute("SELECT 1 FROM dictionaries.region WHERE code = %s", (code,)).fetchone() is not None
