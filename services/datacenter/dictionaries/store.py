"""Reads of the shared dictionaries (schema `dictionaries`, migrations 0001, 0005, 0006).

Every list function returns plain dicts (psycopg `dict_row`), ordered the way a form shows them:
regions and industries by code, the small dictionaries by their `sort` column. Numeric columns
(`substance.threshold_t`, `substance.beta`) come back as `decimal.Decimal`; `region.lon`/`lat` as float
or None. The functions only read and never commit. What each dictionary holds: docs/dictionaries.md."""
from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row

REGION_LEVELS = ("province", "city", "county", "township", "village")
INDUSTRY_LEVELS = ("section", "division", "group", "class")


def region_exists(conn: psycopg.Connection, code: str) -> bool:
    return conn.execute("SELECT 1 FROM dictionaries.region WHERE code = %s", (code,)).fetchone() is not None


def _rows(conn: psycopg.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, params).fetchall()


def _filtered(base: str, order: str, filters: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    present = {column: value for column, value in filters.items() if value is not None}
    where = " AND ".join(f"{column} = %s" for column in present)
    return f"{base}{' WHERE ' + where if where else ''} ORDER BY {order}", tuple(present.values())


def regions(conn: psycopg.Connection, *, parent: str | None = None, level: str | None = None) -> list[dict[str, Any]]:
    """Regions, optionally only the children of `parent` and/or one `level` (province, city, county,
    township, village). With neither, every region. Keys: code, name, parent_code, level, lon, lat
    (lon/lat are approximate seat coordinates, set for the city and its counties only)."""
    if level is not None and level not in REGION_LEVELS:
        raise ValueError(f"unknown region level {level!r}")
    sql, params = _filtered("SELECT code, name, parent_code, level, lon, lat FROM dictionaries.region", "code",
                            {"parent_code": parent, "level": level})
    return _rows(conn, sql, params)


def industries(conn: psycopg.Connection, *, parent: str | None = None, level: str | None = None) -> list[dict[str, Any]]:
    """GB/T 4754-2017 industries, optionally only the children of `parent` (e.g. 'C' for its divisions)
    and/or one `level` (section, division, group, class); `level='section'` gives the top of the tree.
    With neither, every entry. Keys: code, name, parent_code, level."""
    if level is not None and level not in INDUSTRY_LEVELS:
        raise ValueError(f"unknown industry level {level!r}")
    sql, params = _filtered("SELECT code, name, parent_code, level FROM dictionaries.industry", "code",
                            {"parent_code": parent, "level": level})
    return _rows(conn, sql, params)


def sectors(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Supervised sectors (监管行业). Keys: code, name, group_name ('工贸行业' or None), sort."""
    return _rows(conn, "SELECT code, name, group_name, sort FROM dictionaries.sector ORDER BY sort, code")


def accident_types(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """GB 6441-1986 accident types, '01'..'20' in the standard's order. Keys: code, name, sort."""
    return _rows(conn, "SELECT code, name, sort FROM dictionaries.accident_type ORDER BY sort, code")


def expert_fields(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Expert specialties. Keys: code, name, sort."""
    return _rows(conn, "SELECT code, name, sort FROM dictionaries.expert_field ORDER BY sort, code")


def rescue_specialties(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Rescue-team specialties. Keys: code, name, sort."""
    return _rows(conn, "SELECT code, name, sort FROM dictionaries.rescue_specialty ORDER BY sort, code")
