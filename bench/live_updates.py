"""Live updates at load (`make bench`): N simulated browsers hold an event stream of the hazard list
(GET /api/v1/live/hazards through a bench gateway with one worker per core), changes are committed
through the API one by one, and each stream's delay from the commit (the API's answer) to the event
is measured. Prints p50/p99/max of that delay, how many of the expected events arrived, and the
gateway's resident memory (all its workers). Figures, never assertions. It commits hazards, so
`make bench` runs it against the test instance (SAFETY_INSTANCE=test), never the demo data."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from keycloak import KeycloakOpenID

from bench import results
from bench.bench_gateway import bench_gateway_process
from infra.keycloak.realm import DEMO_ENTERPRISES, DEMO_PASSWORD, DEV_CLIENT
from infra.platformctl import rss_mib
from services.kit import config

KC = config.keycloak()


async def listen(client: httpx.AsyncClient, token: str, seconds: int, received: dict, opened: asyncio.Event, counter: list) -> None:
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    async with client.stream("GET", "/api/v1/live/hazards", params={"timeout": seconds}, headers=headers) as r:
        async for line in r.aiter_lines():
            if line.startswith("retry:"):
                counter[0] += 1
                if counter[0] == counter[1]:
                    opened.set()
            elif line.startswith("data: "):
                got = time.monotonic()
                record_id = json.loads(line[6:]).get("id")
                received.setdefault(record_id, []).append(got)


async def run(url: str, token: str, clients: int, changes: int, interval: float) -> dict:
    received: dict[str, list[float]] = {}
    opened, counter = asyncio.Event(), [0, clients]
    limits = httpx.Limits(max_connections=clients + 10, max_keepalive_connections=clients + 10)
    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(60, read=None), limits=limits) as client:
        seconds = int(changes * interval + 60)
        tasks = [asyncio.create_task(listen(client, token, seconds, received, opened, counter)) for _ in range(clients)]
        await asyncio.wait_for(opened.wait(), timeout=120)
        committed: dict[str, float] = {}
        uscc = DEMO_ENTERPRISES[0].uscc
        now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(microsecond=0)
        for i in range(changes):
            body = {"uscc": uscc, "source": "agency_inspection", "found_at": (now - timedelta(days=1)).isoformat(), "place": "储罐区",
                    "category": "equipment", "description": f"实时更新压测 {i}", "level": "general", "status": "registered",
                    "deadline": (now + timedelta(days=30)).date().isoformat()}
            r = await client.post("/api/v1/hazards", json=body, headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
            committed[str(r.json()["id"])] = time.monotonic()
            await asyncio.sleep(interval)
        await asyncio.sleep(3)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    delays = sorted((got - committed[rid]) * 1000 for rid, times in received.items() if rid in committed for got in times)
    expected = clients * changes
    return {"clients": clients, "changes": changes, "events_expected": expected, "events_received": len(delays),
            "p50_ms": round(statistics.median(delays), 1) if delays else None,
            "p99_ms": round(delays[min(len(delays) - 1, int(len(delays) * 0.99))], 1) if delays else None,
            "max_ms": round(delays[-1], 1) if delays else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--changes", type=int, default=20)
    ap.add_argument("--interval", type=float, default=0.5, help="seconds between committed changes")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.clients * 2 + 256)), hard))  # the gateway inherits it
    token = KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=DEV_CLIENT).token("city-admin", DEMO_PASSWORD)["access_token"]
    workers = os.cpu_count() or 1
    with bench_gateway_process(workers) as (url, proc):
        result = asyncio.run(run(url, token, args.clients, args.changes, args.interval))
        result["gateway_rss_mib"] = round(rss_mib(proc.pid))  # the gateway and its worker processes
        result["workers"] = workers
    print(f"live updates — {result['clients']} streams on a bench gateway with {workers} workers, {result['changes']} changes "
          f"{args.interval}s apart: {result['events_received']}/{result['events_expected']} events; commit → event "
          f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms; gateway RSS {result['gateway_rss_mib']} MiB")
    results.save("live_updates", result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
