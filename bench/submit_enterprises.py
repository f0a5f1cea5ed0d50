"""Benchmark of the foundation's flow on the running platform (`make bench`).

Prints, at the stated sizes:
  1. enterprise submissions through the gateway (token check → gRPC → PostgreSQL + outbox):
     throughput and p50/p99 latency at C concurrent clients, N requests, each a real change;
  2. supervision reads through the gateway at the same concurrency;
  3. end-to-end lag from an acknowledged submission to the supervision registration at that
     version (outbox relay → Kafka → consumer → PostgreSQL), over S samples.
Figures, never assertions: this is not a test."""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx
import psycopg
from keycloak import KeycloakOpenID

from bench import results
from infra.keycloak.realm import DEMO_ENTERPRISES, DEMO_PASSWORD, DEV_CLIENT, demo_secret
from services.kit import config

KC = config.keycloak()
GATEWAY = config.gateway_url()


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


async def load(label: str, n: int, concurrency: int, make_request) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(n))

    async def worker(client: httpx.AsyncClient):
        nonlocal errors
        for i in counter:
            t = time.perf_counter()
            r = await make_request(client, i)
            latencies.append((time.perf_counter() - t) * 1000)
            errors += r.status_code >= 400

    async with httpx.AsyncClient(base_url=GATEWAY, timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    print(f"{label:<34} n={n:<6} c={concurrency:<3} {n / wall:8.1f} req/s   p50 {pct(latencies, 50):6.1f} ms   "
          f"p99 {pct(latencies, 99):6.1f} ms   errors {errors}")
    return {"n": n, "c": concurrency, "rps": round(n / wall, 1), "p50_ms": round(pct(latencies, 50), 1),
            "p99_ms": round(pct(latencies, 99), 1), "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("-c", type=int, default=16)
    ap.add_argument("--lag-samples", type=int, default=50)
    args = ap.parse_args()

    ent = DEMO_ENTERPRISES[0]
    ent_token = KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=ent.client_id,
                               client_secret_key=demo_secret(ent.client_id)).token(grant_type="client_credentials")["access_token"]
    staff_token = KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=DEV_CLIENT).token(
        "city-admin", DEMO_PASSWORD)["access_token"]
    body = {"uscc": ent.uscc, "name": ent.name, "region_code": ent.region, "industry_code": ent.industry}
    run = int(time.time())

    async def submit(client, i):
        return await client.post("/api/v1/enterprises", json=body | {"address": f"{ent.address}（基准{run}-{i}）"},
                                 headers={"Authorization": f"Bearer {ent_token}", "Idempotency-Key": f"bench-{run}-{i}"})

    async def read(client, i):
        return await client.get(f"/api/v1/supervision/registrations/{ent.uscc}", headers={"Authorization": f"Bearer {staff_token}"})

    print(f"platform at {GATEWAY}; one enterprise updated repeatedly, each request a real change and event")
    figures = {"submit": asyncio.run(load("submit enterprise (write+outbox)", args.n, args.c, submit)),
               "read": asyncio.run(load("read registration (gRPC read)", args.n, args.c, read))}

    pg = config.postgres()
    lags = []
    with httpx.Client(base_url=GATEWAY, timeout=30) as client, \
            psycopg.connect(pg.dsn("supervision", pg.admin_user, pg.admin_password), autocommit=True) as db:
        for i in range(args.lag_samples):
            r = client.post("/api/v1/enterprises", json=body | {"address": f"{ent.address}（时延{run}-{i}）"},
                            headers={"Authorization": f"Bearer {ent_token}", "Idempotency-Key": f"lag-{run}-{i}"})
            version, acked = r.json()["enterprise"]["version"], time.perf_counter()
            while db.execute("SELECT source_version FROM supervision.registration WHERE uscc = %s", (ent.uscc,)).fetchone()[0] < version:
                time.sleep(0.002)
            lags.append((time.perf_counter() - acked) * 1000)
    print(f"{'event lag: ack → registration':<34} samples={len(lags):<4}       p50 {pct(lags, 50):6.1f} ms   p99 {pct(lags, 99):6.1f} ms")
    figures["lag"] = {"samples": len(lags), "p50_ms": round(pct(lags, 50), 1), "p99_ms": round(pct(lags, 99), 1)}
    results.save("submit_enterprises", figures)


if __name__ == "__main__":
    from bench.bench_gateway import bench_gateway
    with bench_gateway() as url:  # one enterprise token far above the per-client rate limit
        GATEWAY = url
        main()
