"""One psycopg 3 connection pool per process, opened in one place, with its statistics as metrics.

The caller owns the transaction: servicers open `with pool.connection() as conn, conn.transaction():`
and pass `conn` to store functions, which never commit themselves."""
from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY
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
