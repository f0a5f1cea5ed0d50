"""Benchmark of the nearest-resource query (services/emergency/resources/store.py) on the test
instance's emergency database:

    SAFETY_INSTANCE=test .venv/bin/python -m bench.resources            # 10,000 copies, 2,000 queries

Fills a scratch schema `bench_resources` (a table like resources.team, with its GiST index) with
10,000 rescue-team copies spread over 平凉市 and its surroundings, then runs store.nearest — the very
SQL the service runs: KNN `<->` with ST_DWithin and ST_Distance, scope of a county and its city — from
random points, one connection, sequentially. Prints p50 / p99 in milliseconds beside the ceiling
measured in the same run: a bare `SELECT 1` round trip on the same connection. Figures only; the
scratch schema is dropped at the end."""
from __future__ import annotations

import argparse
import random
import time
from datetime import date

import psycopg

from bench import results
from services.emergency.resources import rules, store
from services.kit import config

SCHEMA = "bench_resources"
COUNTIES = ("620802", "620821", "620822", "620823", "620825", "620826", "620881", "620800")
SPECIALTIES = ("mine_rescue", "hazmat_rescue", "fire_rescue", "water_rescue", "medical_rescue", "engineering_rescue", "comprehensive")


def _percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    rnd = random.Random(20261202)
    dsn = config.database_dsn("emergency")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
        conn.execute(f"CREATE TABLE {SCHEMA}.team (LIKE resources.team INCLUDING ALL)")
        with conn.cursor() as cur, cur.copy(f"COPY {SCHEMA}.team (id, name, region_code, specialty, readiness, version, location) FROM STDIN") as cp:
            for i in range(args.copies):
                lon, lat = rnd.uniform(105.5, 108.0), rnd.uniform(34.8, 36.2)
                cp.write_row((str(i + 1), f"队伍{i + 1}", rnd.choice(COUNTIES), rnd.choice(SPECIALTIES), "ready", 1,
                              f"SRID=4326;POINT({lon} {lat})"))
        conn.execute(f"ANALYZE {SCHEMA}.team")
        try:
            tbl = rules.table(date.today())
            ceiling, nearest, filtered = [], [], []
            prefix, extra = rules.scope("620802")
            for i in range(args.queries):
                t0 = time.perf_counter()
                conn.execute("SELECT 1").fetchone()
                ceiling.append(time.perf_counter() - t0)
                lon, lat = rnd.uniform(106.0, 107.6), rnd.uniform(35.0, 35.9)
                q = rules.nearest_query({"kind": "team", "lon": str(lon), "lat": str(lat), "limit": "10"}, tbl=tbl)
                t0 = time.perf_counter()
                store.nearest(conn, q, lon=lon, lat=lat, prefix=prefix, extra=extra, today=date.today(), schema=SCHEMA)
                nearest.append(time.perf_counter() - t0)
                q = rules.nearest_query({"kind": "team", "lon": str(lon), "lat": str(lat), "limit": "10",
                                         "capability": "hazmat_rescue", "radius_km": "300"}, tbl=tbl)
                t0 = time.perf_counter()
                store.nearest(conn, q, lon=lon, lat=lat, prefix="6208", extra=None, today=date.today(), schema=SCHEMA)
                filtered.append(time.perf_counter() - t0)
        finally:
            conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    ms = lambda xs, p: _percentile(xs, p) * 1000  # noqa: E731
    print(f"nearest resources over {args.copies:,} copies, {args.queries:,} queries, one connection (test instance, emergency database)")
    print(f"  ceiling: SELECT 1 round trip                          p50 {ms(ceiling, 50):7.3f} ms   p99 {ms(ceiling, 99):7.3f} ms")
    print(f"  nearest 10 teams, 50 km, a county's scope             p50 {ms(nearest, 50):7.3f} ms   p99 {ms(nearest, 99):7.3f} ms")
    print(f"  nearest 10 of one specialty, 300 km, the city's scope p50 {ms(filtered, 50):7.3f} ms   p99 {ms(filtered, 99):7.3f} ms")
    results.save("resources", {"copies": args.copies, "queries": args.queries,
                               "ceiling_p50_ms": round(ms(ceiling, 50), 3), "ceiling_p99_ms": round(ms(ceiling, 99), 3),
                               "nearest_p50_ms": round(ms(nearest, 50), 3), "nearest_p99_ms": round(ms(nearest, 99), 3),
                               "filtered_p50_ms": round(ms(filtered, 50), 3), "filtered_p99_ms": round(ms(filtered, 99), 3)})


if __name__ == "__main__":
    main()
