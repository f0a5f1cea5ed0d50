"""Authenticated read throughput of the gateway (`make bench`), and where the time goes.

Drives `wrk` (C connections, D seconds each) with one real Keycloak access token against a bench
gateway (bench/bench_gateway.py) of the running platform, with one worker process and with one per
core, each beside its ceiling measured in the same run: a bare FastAPI "hello" (bench/hello.py) under
the same uvicorn with the same worker count. Three gateway routes add one layer each:
  1. GET /healthz                        — HTTP stack + middleware only, no authentication
  2. GET /api/v1/me                      — + bearer token verification, rate limiter, no gRPC
  3. GET /api/v1/enterprises/{uscc}      — + gRPC to the data centre, which verifies the token
                                           again and reads PostgreSQL (the "simple read")
Beside them, the raw PostgreSQL ceiling of the read: its own SQL (the data centre's store.get) run by
pgbench with as many clients as wrk has connections. Then the token-verification cost per request: a
full RS256 check (signature, claims) and the cached path a repeated token takes. Figures, never
assertions: this is not a test."""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import time

import os

import psycopg
from keycloak import KeycloakOpenID

from bench import results
from bench.bench_gateway import bench_gateway, hello_server
from bench.pgbench import Recording, pgbench
from infra.keycloak.realm import DEMO_ENTERPRISES, DEMO_PASSWORD, DEV_CLIENT
from services.kit import config
from services.datacenter.registry import store
from services.datacenter.registry.catalogue import KINDS
from services.kit.auth import TokenVerifier

KC = config.keycloak()


def wrk(url: str, token: str | None, connections: int, seconds: int) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50_ms": ms("50"), "p99_ms": ms("99"),
            "requests": total, "non_2xx": int(bad.group(1)) if bad else 0, "socket_errors": errors.group(1) if errors else ""}


def verification_cost(token: str, n: int) -> dict:
    v = TokenVerifier(KC)
    v.prefetch()
    started = time.perf_counter()
    for _ in range(n):
        v._verify_uncached(token)
    full = (time.perf_counter() - started) / n
    v.verify(token)
    started = time.perf_counter()
    for _ in range(n * 20):
        v.verify(token)
    cached = (time.perf_counter() - started) / (n * 20)
    return {"full_rs256_us": round(full * 1e6, 1), "cached_us": round(cached * 1e6, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-c", "--connections", type=int, default=64)
    ap.add_argument("-d", "--seconds", type=int, default=15)
    args = ap.parse_args()
    token = KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=DEV_CLIENT).token(
        "kongtong-inspector", DEMO_PASSWORD)["access_token"]
    uscc = DEMO_ENTERPRISES[0].uscc
    cores = os.cpu_count() or 1
    print(f"gateway read benchmark — wrk, {args.connections} connections, {args.seconds}s per route; 1 data-centre process; "
          f"load generator on the same {cores} cores; each figure beside the bare-hello ceiling with the same workers")
    rows = []
    routes = (("healthz (no auth)", "/healthz", None), ("me (auth, no gRPC)", "/api/v1/me", token),
              ("enterprise read (auth + gRPC + PostgreSQL)", f"/api/v1/enterprises/{uscc}", token))
    for workers in sorted({1, cores}):
        with hello_server(workers) as hello:
            wrk(hello + "/", None, args.connections, 3)  # warm up
            ceiling = wrk(hello + "/", None, args.connections, args.seconds)
        rows.append((f"hello ceiling, {workers} worker(s)", ceiling))
        print(f"  {'bare FastAPI hello (ceiling)':<45} {workers}w {ceiling['rps']:8.0f} req/s   p50 {ceiling['p50_ms']:7.2f} ms"
              f"   p99 {ceiling['p99_ms']:7.2f} ms")
        with bench_gateway(workers) as url:
            for name, path, auth in routes:
                wrk(url + path, auth, args.connections, 3)  # warm up
                r = wrk(url + path, auth, args.connections, args.seconds)
                r["of_ceiling"] = round(r["rps"] / ceiling["rps"], 2) if ceiling["rps"] else None
                rows.append((f"{name}, {workers} worker(s)", r))
                print(f"  {name:<45} {workers}w {r['rps']:8.0f} req/s   p50 {r['p50_ms']:7.2f} ms   p99 {r['p99_ms']:7.2f} ms"
                      f"   {r['of_ceiling']:.2f} of ceiling   ({r['requests']} requests, {r['non_2xx']} non-2xx"
                      f"{', socket errors ' + r['socket_errors'] if r['socket_errors'] else ''})")
    with psycopg.connect(config.database_dsn("datacenter")) as conn:
        recording = Recording(conn)
        store.get(recording, KINDS["enterprise"], uscc)
    raw = pgbench(config.database_dsn("datacenter"), recording.statements, args.connections, args.seconds)
    rows.append(("enterprise read, raw PostgreSQL (pgbench)", raw))
    print(f"  {'the same SQL straight to PostgreSQL (pgbench)':<45} {args.connections}c {raw.get('tps', 0):8.0f} tx/s    "
          f"p50 {raw.get('p50_ms') or 0:7.2f} ms   p99 {raw.get('p99_ms') or 0:7.2f} ms")
    cost = verification_cost(token, 300)
    print(f"  token verification per request: full RS256 check {cost['full_rs256_us']} µs; cached (same token) {cost['cached_us']} µs "
          f"— done twice per gRPC read (gateway and service)")
    figures = {"connections": args.connections, "seconds": args.seconds, "cores": cores,
               "routes": {n: r for n, r in rows}, "token_verification": cost}
    results.save("gateway_reads", figures)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
