"""One psycopg 3 connection pool per process, opened in one place, with its statistics as metrics.

The caller owns the transaction: servicers open `with pool.connection() as conn, conn.transaction():`
and pass `conn` to store functions, which never commit themselves."""
from __future__ import annotations

import psycopg
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool


def open_pool(dsn: str, *, name: str, max_size: int = 10) -> ConnectionPool:
    pool = ConnectionPool(
        dsn, min_size=1, max_size=max_size, name=name, open=True, timeout=10,
        kwargs={"options": "-c timezone=Asia/Shanghai -c statement_timeout=30000"},
    )
    pool.wait(timeout=30)
    if not _POOLS:
        REGISTRY.register(_PoolCollector())
    _POOLS.append(pool)
    return pool


_POOLS: list[ConnectionPool] = []  # every pool this process opened (tests open several apps)


class _PoolCollector:
    def collect(self):
        live = [p for p in _POOLS if not p.closed]
        for key in ("pool_size", "pool_available", "requests_waiting"):
            g = GaugeMetricFamily(f"db_{key}", f"psycopg pool {key}", labels=["pool"])
            for pool in live:
                g.add_metric([pool.name], pool.get_stats().get(key, 0))
            yield g


def rows(conn: psycopg.Connection, sql, params=()) -> list[dict]:
    """The rows of a query as dicts (column name → value)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, params).fetchall()


def row(conn: psycopg.Connection, sql, params=()) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, params).fetchone()


def where_equal(base: list[str], params: list, pairs) -> tuple[str, list]:
    """`base` conditions AND "<column> = %s" for each (column, value) pair whose value is given."""
    conds, args = list(base), list(params)
    for column, value in pairs:
        if value:
            conds.append(f"{column} = %s")
            args.append(value)
    return " AND ".join(conds), args
