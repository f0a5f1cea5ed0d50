"""Remote-monitoring benchmark (`make bench`; against the TEST instance, never the demo data):

    SAFETY_INSTANCE=test .venv/bin/python -m bench.monitoring                # 600 s, 100 × 1,000 points every 2 s
    SAFETY_INSTANCE=test .venv/bin/python -m bench.monitoring --seconds 30   # a short run

Prints, each figure beside the ceiling measured in the same run on the same machine:
  1. sustained intake: 100 enterprises × 1,000 points, each point reporting every 2 s (50,000
     readings/s offered by default), POST /api/v1/monitoring/readings in batches of 2,000 readings
     (Unix-ms times) from several load-generator processes (multiprocessing + httpx, paced to the
     rate). Accepted readings/s at the HTTP side (the answers' `accepted`), p50/p99 of the posts;
     stored + evaluated readings/s (the evaluator's counter monitoring_readings_total{outcome="stored"},
     on supervision's metrics port + 10: it stores and evaluates in one transaction); the evaluator's
     lag (Kafka end offsets minus monitoring.consumer_offset.next_offset, in records and readings);
     and where the CPU goes (/proc/<pid>/stat of the gateway master and each worker, the evaluator,
     the services, PostgreSQL's backends split by the client process they serve (matched by TCP port),
     Kafka, Redis, the shared Keycloak, the load generator, and the machine total);
  2. raw ceilings in the same run: (a) kafka-python produce + consume of records like the intake's
     (a ReadingBatch of the same size, acks=all, the platform's producer settings; one producer
     process, one consumer process) on a topic of its own; (b) PostgreSQL COPY into a table shaped
     like monitoring.reading (same columns and primary key, range-partitioned on time like it, one
     partition holding the run's rows as a day partition does), and the evaluator's own SQL path on it
     (COPY into a temporary table, INSERT … ON CONFLICT DO NOTHING); the ratios of the intake to them
     (target ≥ 0.25);
  3. alarm latency: excursions (each on a temperature point of its own, 70 ℃ past its 60 ℃ limit)
     posted while the load runs at the sustained rate, and — when that load saturates (the evaluator's
     backlog grows, or the alarms miss the target at it) — again at half the rate the evaluator stored,
     once its backlog has drained (the output says which is which): p50/p99 from the HTTP
     acknowledgement to (a) the `raised` event on safety.supervision.alarm.v1 and (b) the event on the
     browsers' stream GET /api/v1/live/monitoring/alarms (city-admin; target p99 < 1 s), and each
     alarm's time split into its steps (the evaluator's transaction began: monitoring.alarm.created_at;
     the outbox relay's began: kit.outbox.published_at). Each point then reports a normal value again;
     nothing is acknowledged;
  4. chart query: GET /api/v1/monitoring/points/{id}/series over the last 30 days (the 1-hour
     rollups) for a few points whose 30 days of rollups are SYNTHETIC (inserted into
     monitoring.rollup_1h by this benchmark), 200 sequential requests and 200 at concurrency 8,
     through a bench gateway (bench/bench_gateway.py: same code and services, the per-subject rate
     limit raised — one staff token drives the requests), beside the same SQL (captured from the
     servicer) through pgbench; target p99 < 100 ms;
  5. memory: resident memory of every component (as `make status` counts it, and PSS, which shares
     PostgreSQL's buffers out) sampled through the sustained phase, and their sum.
Evidence of what limits, from the sustained window: CPU per component (above), the evaluator's
transactions by duration (its monitoring_batch_seconds histogram), and a 4-a-second sample of the
statements active in the supervision database with what each waits for; for the chart, CPU per request.

What it creates on the test instance and keeps (reused by the next run; creating them the first time
takes minutes — 100,000 points travel as events to supervision's copy):
  - enterprises 91<county>MABM<nnnnn><check> (监测压测单位nnn有限公司) imported through
    POST /api/v1/enterprises/import, each with one major hazard source (POST /api/v1/major-hazards/import)
    and its points BM00000… (POST /api/v1/monitoring-points/import: level, temperature, pressure,
    flow, combustible and toxic gas, with limits that normal values stay well inside);
  - a Keycloak machine client per enterprise in the test realm (ent-<uscc>, secret
    "<client id>-secret-local-only", as the demo enterprises'), through infra.keycloak.realm.
What it removes or resets afterwards (also when interrupted; `--cleanup-only` does it alone): every alarm of the benchmark's
enterprises with its history and notifications, their four-colour warnings, the readings and rollups
of their points (unless --keep-readings), the ceiling topic and schema; the points' rows in
monitoring.point_state are left `online = false`, so the offline sweep never raises alarms for the
points between runs. Figures, never assertions: this is not a test."""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import math
import multiprocessing as mp
import os
import random
import re
import statistics
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import orjson
import psycopg
from keycloak import KeycloakOpenID

from bench import results
from bench.bench_gateway import bench_gateway_process
from bench.pgbench import Recording, pgbench
from infra import platformctl
from infra.keycloak import realm
from safety.supervision.events.v1 import monitoring_events_pb2 as ev
from services.kit import config, roles
from services.kit import kafka as kafka_clients
from services.kit.codes import uscc_check_char
from services.supervision.monitoring.evaluator import CONSUMER as EVALUATOR
from services.supervision.monitoring.events import ALARM_TOPIC, READINGS_TOPIC

TARGET_RATE = 50_000          # readings/s (the issue)
TARGET_RATIO = 0.25           # of each raw ceiling
TARGET_ALARM_P99_MS = 1000.0
TARGET_CHART_P99_MS = 100.0
CEILING_TOPIC = "bench.monitoring.readings"
CEILING_SCHEMA = "bench_monitoring"
COUNTIES = ("620802", "620821", "620822", "620823", "620825", "620826", "620881")
STAFF = "city-admin"           # platform-admin + datacenter-admin + supervision-supervisor, region 620800
STAFF_REGION = "620800"
CODE_PREFIX = "BM"
EXCURSION, NORMAL = 70.0, 25.0  # ℃ for the alarm probes (temperature points: high 60, high-high 80)
KC = config.keycloak()
PG = config.postgres()
TOKEN_URL = f"{KC.url}/realms/{KC.realm}/protocol/openid-connect/token"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def dsn(database: str) -> str:
    return PG.dsn(database, PG.admin_user, PG.admin_password)


SUPERVISION_DSN, DATACENTER_DSN = dsn("supervision"), dsn("datacenter")
EVALUATOR_METRICS = f"http://127.0.0.1:{config.ports().services['supervision'][1] + 10}/metrics"


# --- the fleet ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PointKind:
    quantity: str
    unit: str
    gas: str | None
    low: float | None
    high: float | None
    high_high: float | None
    mean: float
    spread: float


LEVEL = PointKind("level", "m", None, 0.5, 8.0, 9.0, 5.0, 0.5)
TEMPERATURE = PointKind("temperature", "℃", None, None, 60.0, 80.0, 25.0, 3.0)
PRESSURE = PointKind("pressure", "MPa", None, None, 1.6, 2.0, 0.8, 0.08)
FLOW = PointKind("flow", "m³/h", None, 5.0, 120.0, None, 60.0, 6.0)
COMBUSTIBLE = PointKind("combustible_gas", "%LEL", None, None, 20.0, 40.0, 2.0, 1.0)
TOXIC = PointKind("toxic_gas", "ppm", "氨", None, 30.0, 60.0, 2.0, 1.0)
# 20 slots: a quarter each level, temperature, pressure; flow and combustible gas a tenth; toxic gas 5 %.
MIX = (LEVEL, TEMPERATURE, PRESSURE, LEVEL, TEMPERATURE, PRESSURE, FLOW, COMBUSTIBLE, LEVEL, TEMPERATURE,
       PRESSURE, TOXIC, LEVEL, TEMPERATURE, PRESSURE, FLOW, COMBUSTIBLE, LEVEL, TEMPERATURE, PRESSURE)


def kind_of(j: int) -> PointKind:
    return MIX[j % len(MIX)]


def point_code(j: int) -> str:
    return f"{CODE_PREFIX}{j:05d}"


def bench_uscc(i: int) -> str:
    body = "91" + COUNTIES[i % len(COUNTIES)] + f"MABM{i:05d}"
    return body + uscc_check_char(body)


@dataclass
class Enterprise:
    index: int
    uscc: str
    region: str
    source_id: int | None = None
    points: list[tuple[str, int]] = field(default_factory=list)   # (code, supervision id) of the points it reports

    @property
    def name(self) -> str:
        return f"监测压测单位{self.index:03d}有限公司"

    @property
    def client_id(self) -> str:
        return realm.enterprise_client_id(self.uscc)

    @property
    def secret(self) -> str:
        return realm.demo_secret(self.client_id)


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Staff:
    """city-admin's access token, fetched again before it expires (tokens live 300 s)."""

    def __init__(self):
        self._token, self._at = "", -1e9

    def token(self) -> str:
        if time.monotonic() - self._at > 200:
            self._token = KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=realm.DEV_CLIENT).token(
                STAFF, realm.DEMO_PASSWORD)["access_token"]
            self._at = time.monotonic()
        return self._token

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token()}"}


def machine_token(client: httpx.Client, e: Enterprise) -> str:
    r = client.post(TOKEN_URL, data={"grant_type": "client_credentials", "client_id": e.client_id, "client_secret": e.secret})
    r.raise_for_status()
    return r.json()["access_token"]


def request(http: httpx.Client, method: str, url: str, **kw) -> httpx.Response:
    """One call through the platform gateway, waiting out its per-subject rate limit (429) if hit."""
    for _ in range(30):
        r = http.request(method, url, **kw)
        if r.status_code != 429:
            return r
        time.sleep(float(r.headers.get("Retry-After") or 1))
    return r


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return orjson.dumps(v).decode()
    return str(v)


def import_rows(http: httpx.Client, staff: Staff, path: str, rows: list[dict], label: str) -> dict:
    names = list(dict.fromkeys(k for row in rows for k in row))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(names)
    w.writerows([_cell(row.get(n)) for n in names] for row in rows)
    r = request(http, "POST", f"/api/v1/{path}/import", headers=staff.headers() | {"Idempotency-Key": str(uuid.uuid4())},
                files={"file": ("rows.csv", buf.getvalue().encode(), "text/csv")},
                data={"dry_run": "false", "all_or_nothing": "true"}, timeout=600)
    answer = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
    if r.status_code != 200 or not answer.get("committed"):
        raise SystemExit(f"import of {label} failed: {r.status_code} {r.text[:1500]}")
    return answer


def setup(http: httpx.Client, staff: Staff, args) -> tuple[list[Enterprise], list[int]]:
    """Enterprises, their machine clients, sources and points — only what is missing — and their
    copies in supervision. Returns the fleet and the ids of every point of the fleet's enterprises."""
    started = time.monotonic()
    fleet = [Enterprise(i, bench_uscc(i), COUNTIES[i % len(COUNTIES)]) for i in range(args.enterprises)]
    usccs = [e.uscc for e in fleet]
    by_uscc = {e.uscc: e for e in fleet}
    with psycopg.connect(DATACENTER_DSN, autocommit=True) as dc:
        have = {r[0] for r in dc.execute("SELECT uscc FROM enterprises.enterprise WHERE uscc = ANY(%s) AND deleted_at IS NULL",
                                         (usccs,))}
    missing = [e for e in fleet if e.uscc not in have]
    if missing:
        import_rows(http, staff, "enterprises", [{"uscc": e.uscc, "name": e.name, "region_code": e.region,
                                                  "address": f"甘肃省平凉市压测路{e.index + 1}号", "industry_code": "C2614",
                                                  "sector": "hazardous_chemicals", "scale": "medium", "employees": 120}
                                                 for e in missing], "enterprises")
        print(f"  setup: imported {len(missing)} enterprises", flush=True)

    admin = realm.admin()
    clients = {c["clientId"] for c in admin.get_clients()}
    missing = [e for e in fleet if e.client_id not in clients]
    if missing:
        local = threading.local()

        def ensure(e: Enterprise) -> None:
            if not hasattr(local, "admin"):
                local.admin = realm.admin()
            realm.ensure_enterprise_client(local.admin, uscc=e.uscc, region=e.region, name=e.name, secret=e.secret)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(ensure, missing))
        print(f"  setup: created {len(missing)} Keycloak machine clients in realm {KC.realm}", flush=True)
    with httpx.Client(timeout=30) as kc:
        for e in {fleet[0].uscc: fleet[0], fleet[-1].uscc: fleet[-1]}.values():
            try:
                machine_token(kc, e)
            except httpx.HTTPError:  # a client of that name with another secret: bring it to the declared shape
                realm.ensure_enterprise_client(admin, uscc=e.uscc, region=e.region, name=e.name, secret=e.secret)
                machine_token(kc, e)

    with psycopg.connect(DATACENTER_DSN, autocommit=True) as dc:
        sources = dict(dc.execute("SELECT uscc, min(id) FROM major_hazards.source WHERE uscc = ANY(%s) AND deleted_at IS NULL "
                                  "GROUP BY uscc", (usccs,)).fetchall())
    missing = [e for e in fleet if e.uscc not in sources]
    if missing:
        import_rows(http, staff, "major-hazards", [{
            "uscc": e.uscc, "unit_type": "storage", "unit_name": f"压测液氨储罐区{e.index:03d}",
            "chemicals": [{"cas": "7664-41-7", "name": "氨", "max_quantity_t": 20}], "population_500m": 0,
            "assessed_on": "2025-05-10", "principal_person": "张主任", "technical_person": "李工程", "operation_person": "王班长",
            "principal_phone": "13909331234", "filing_status": "unfiled"} for e in missing], "major hazard sources")
        with psycopg.connect(DATACENTER_DSN, autocommit=True) as dc:
            sources = dict(dc.execute("SELECT uscc, min(id) FROM major_hazards.source WHERE uscc = ANY(%s) AND deleted_at IS NULL "
                                      "GROUP BY uscc", (usccs,)).fetchall())
        print(f"  setup: imported {len(missing)} major hazard sources", flush=True)
    for e in fleet:
        e.source_id = sources[e.uscc]

    with psycopg.connect(DATACENTER_DSN, autocommit=True) as dc:
        held = set(dc.execute("SELECT uscc, point_code FROM major_hazards.monitoring_point WHERE uscc = ANY(%s) AND deleted_at IS NULL",
                              (usccs,)).fetchall())
    rows = []
    interval_s = max(1, round(args.interval))
    for e in fleet:
        for j in range(args.points):
            if (e.uscc, point_code(j)) in held:
                continue
            k = kind_of(j)
            rows.append({"uscc": e.uscc, "point_code": point_code(j), "site_type": "major_hazard", "source_id": e.source_id,
                         "location": f"{j // 20 + 1}号储罐{k.quantity}", "quantity": k.quantity, "unit": k.unit, "gas": k.gas,
                         "low": k.low, "high": k.high, "high_high": k.high_high, "interval_s": interval_s, "status": "in_service"})
    for i in range(0, len(rows), 50_000):
        t = time.monotonic()
        import_rows(http, staff, "monitoring-points", rows[i:i + 50_000], "monitoring points")
        print(f"  setup: imported {min(len(rows), i + 50_000):,}/{len(rows):,} monitoring points "
              f"({min(50_000, len(rows) - i) / (time.monotonic() - t):,.0f} rows/s)", flush=True)

    wanted = {(e.uscc, point_code(j)) for e in fleet for j in range(args.points)}
    deadline = time.monotonic() + args.setup_timeout
    with psycopg.connect(SUPERVISION_DSN, autocommit=True) as sv:
        shown = 0.0
        while True:
            # Points that have arrived are kept out of the offline sweep while the rest arrive (see mark_offline).
            sv.execute("""UPDATE monitoring.point_state s SET online = false FROM monitoring.point p
                          WHERE p.id = s.point_id AND p.uscc = ANY(%s) AND s.online""", (usccs,))
            found = sv.execute("SELECT uscc, point_code, id FROM monitoring.point WHERE uscc = ANY(%s) AND NOT deleted "
                               "AND status = 'in_service'", (usccs,)).fetchall()
            ready = {(u, c): pid for u, c, pid in found if (u, c) in wanted}
            if len(ready) == len(wanted):
                break
            if time.monotonic() - shown > 10:
                print(f"  setup: {len(ready):,}/{len(wanted):,} points in supervision's copy (monitoring.point)", flush=True)
                shown = time.monotonic()
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(ready):,} of {len(wanted):,} points reached monitoring.point within "
                                 f"{args.setup_timeout}s (is the supervision service consuming safety.datacenter.monitoring_point.v1?)")
            time.sleep(2)
        all_ids = [pid for _, _, pid in found]
        mark_offline(sv, all_ids)
    for e in fleet:
        e.points = [(point_code(j), ready[(e.uscc, point_code(j))]) for j in range(args.points)]
    print(f"  setup: {len(fleet)} enterprises × {args.points:,} points ready in {time.monotonic() - started:.0f}s "
          f"({len(all_ids):,} points of these enterprises in supervision)", flush=True)
    return fleet, all_ids


def mark_offline(sv: psycopg.Connection, point_ids: list[int]) -> None:
    """The offline sweep only looks at points whose state row says online: a silent benchmark point
    between runs is left offline without an alarm (the evaluator sets it online with its next reading)."""
    sv.execute("""INSERT INTO monitoring.point_state (point_id, seen_at, online) SELECT id, now(), false FROM unnest(%s::int[]) id
                  ON CONFLICT (point_id) DO UPDATE SET online = false""", (point_ids,))


# --- the load generator (one process each) --------------------------------------------------------------

def _generator(slot: int, plan: list[dict], n_total: int, batch: int, start: float, interval_v, generation_v, stop,
               counters, out_q, gateway: str) -> None:
    try:
        log = asyncio.run(_generate(slot, plan, n_total, batch, start, interval_v, generation_v, stop, counters, gateway))
    except BaseException as exc:  # noqa: BLE001 — reported by the parent
        out_q.put((slot, [], f"{type(exc).__name__}: {exc}"))
        return
    out_q.put((slot, log, ""))


async def _generate(slot, plan, n_total, batch, start, interval_v, generation_v, stop, counters, gateway) -> list[tuple]:
    """Each enterprise of `plan` as a data-acquisition front end: its points' readings every
    interval (the stream's own times, Unix ms), posted `batch` at a time once the newest is due.
    When the gateway falls behind the readings get older (the front end's buffer), never denser."""
    log: list[tuple] = []
    base = slot * 4
    limits = httpx.Limits(max_connections=len(plan) + 4, max_keepalive_connections=len(plan) + 4)
    async with httpx.AsyncClient(base_url=gateway, timeout=httpx.Timeout(60), limits=limits) as client:
        tokens: dict[str, tuple[str, float]] = {}

        async def token(e: dict) -> str:
            held = tokens.get(e["uscc"])
            if held is None or time.monotonic() - held[1] > 200:
                r = await client.post(TOKEN_URL, data={"grant_type": "client_credentials", "client_id": e["client_id"],
                                                       "client_secret": e["secret"]})
                r.raise_for_status()
                held = tokens[e["uscc"]] = (r.json()["access_token"], time.monotonic())
            return held[0]

        async def pause(seconds: float) -> None:
            end = time.monotonic() + seconds
            while not stop.is_set() and time.monotonic() < end:
                await asyncio.sleep(min(0.25, end - time.monotonic()))

        async def front_end(e: dict) -> None:
            codes = e["codes"]
            n = len(codes)
            kinds = [kind_of(j) for j in range(n)]
            means, spreads = [k.mean for k in kinds], [k.spread for k in kinds]
            phases = [random.uniform(0, 2 * math.pi) for _ in range(n)]
            seen = generation_v.value
            interval_ms = interval_v.value * 1000
            period = batch / n * interval_v.value
            round_ms = int((start + e["index"] / n_total * period) * 1000)
            off = 0
            while not stop.is_set():
                if generation_v.value != seen:  # another rate: the stream goes on from now at the new interval
                    seen, interval_ms = generation_v.value, interval_v.value * 1000
                    round_ms = max(round_ms, int(time.time() * 1000))
                readings = []
                for _ in range(batch):
                    readings.append({"point": codes[off], "time": round_ms,
                                     "value": round(means[off] + spreads[off] * math.sin(phases[off] + round_ms / 97_000), 3)})
                    off += 1
                    if off == n:
                        off, round_ms = 0, round_ms + int(interval_ms)
                await pause(readings[-1]["time"] / 1000 - time.time())
                if stop.is_set():
                    break
                body = orjson.dumps({"readings": readings})
                t0 = time.perf_counter()
                accepted = rejected = status = 0
                retry = 0.5
                try:
                    r = await client.post("/api/v1/monitoring/readings", content=body, headers={
                        "Authorization": f"Bearer {await token(e)}", "Idempotency-Key": uuid.uuid4().hex,
                        "Content-Type": "application/json"})
                    status = r.status_code
                    if status == 200:
                        answer = r.json()
                        accepted, rejected = answer["accepted"], len(answer["rejected"])
                    else:
                        retry = float(r.headers.get("Retry-After") or 0.5)
                except httpx.HTTPError:
                    status = -1
                latency = time.perf_counter() - t0
                counters[base] += accepted
                counters[base + 1] += 1
                counters[base + 2] += status != 200
                counters[base + 3] += rejected
                log.append((time.time(), latency, accepted, status))
                if status != 200:
                    await pause(min(retry, 5))

        await asyncio.gather(*(front_end(e) for e in plan))
    return log


class Load:
    """The load-generator processes, their shared rate and counters."""

    def __init__(self, fleet: list[Enterprise], args, rate: float):
        self.ctx = mp.get_context("spawn")
        self.points = len(fleet) * args.points
        self.interval = self.ctx.Value("d", self.points / rate, lock=False)
        self.generation = self.ctx.Value("i", 0, lock=False)
        self.stop_event = self.ctx.Event()
        self.counters = self.ctx.Array("d", args.procs * 4, lock=False)
        self.queue = self.ctx.Queue()
        self.rate = rate
        start = time.time() + 3.0  # the processes start meanwhile
        plans = [[] for _ in range(args.procs)]
        for e in fleet:
            plans[e.index % args.procs].append({"index": e.index, "uscc": e.uscc, "client_id": e.client_id, "secret": e.secret,
                                                "codes": [c for c, _ in e.points]})
        self.procs = [self.ctx.Process(target=_generator, args=(i, plan, len(fleet), args.batch, start, self.interval, self.generation,
                                                                self.stop_event, self.counters, self.queue, config.gateway_url()),
                                       daemon=True, name=f"bench-monitoring-load-{i}")
                      for i, plan in enumerate(plans) if plan]
        for p in self.procs:
            p.start()
        self.log: list[tuple] = []
        self.errors: list[str] = []

    def set_rate(self, rate: float) -> None:
        self.rate = rate
        self.interval.value = self.points / rate
        self.generation.value += 1

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.pid and p.is_alive()]

    def totals(self) -> tuple[float, float, float, float]:
        c = list(self.counters)
        return tuple(sum(c[i::4]) for i in range(4))  # accepted, requests, errors, rejected

    def stop(self) -> None:
        if not self.procs:
            return
        self.stop_event.set()
        deadline = time.monotonic() + 90
        pending = len(self.procs)
        while pending and time.monotonic() < deadline:
            try:
                _, log, error = self.queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except Exception:  # noqa: BLE001 — queue.Empty
                break
            self.log += log
            if error:
                self.errors.append(error)
            pending -= 1
        for p in self.procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
        self.procs = []


# --- measuring the stack: /proc, the evaluator's metrics, the lag -----------------------------------------

def _ticks(pid: int) -> tuple[int, int] | None:
    """(utime + stime, start time) in clock ticks."""
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12]), int(f[19])
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return None


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(FileNotFoundError):
                out += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    except FileNotFoundError:
        pass
    return out


def descendants(pid: int | None) -> list[int]:
    if not pid:
        return []
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


def _memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in KiB; PSS shares PostgreSQL's shared buffers out among its processes."""
    rss = pss = 0.0
    with contextlib.suppress(FileNotFoundError, ProcessLookupError, PermissionError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = float(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = float(line.split()[1])
    return rss, pss


def _tcp_ports() -> dict[int, int]:
    """socket inode → local TCP port, for every socket of this machine (namespace)."""
    out = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(name).read_text().splitlines()[1:]:
                parts = line.split()
                out[int(parts[9])] = int(parts[1].rsplit(":", 1)[1], 16)
    return out


def _local_ports(pids: list[int], inode_port: dict[int, int]) -> set[int]:
    ports = set()
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, PermissionError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(FileNotFoundError, OSError):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith("socket:["):
                        port = inode_port.get(int(link[8:-1]))
                        if port:
                            ports.add(port)
    return ports


def _pidfile(path: Path) -> int | None:
    try:
        pid = int(path.read_text().split()[0])
        return pid if Path(f"/proc/{pid}").exists() else None
    except (FileNotFoundError, ValueError, IndexError, PermissionError):
        return None


def components(sv: psycopg.Connection, load_pids: list[int]) -> dict[str, list[int]]:
    """label → pids, resolved now (components may restart). PostgreSQL's backends are labelled by
    the process whose TCP connection they serve."""
    groups: dict[str, list[int]] = {}
    gw = platformctl.gateway_process().pid()
    if gw:
        children = sorted(_children(gw))
        workers = [c for c in children if b"spawn_main" in _cmdline(c)]
        groups["gateway master (+ resource tracker)"] = [gw] + [p for c in children if c not in workers for p in descendants(c)]
        for i, w in enumerate(workers, 1):
            groups[f"gateway worker {i}"] = descendants(w)
    clients = {"evaluator": descendants(platformctl.evaluator_process().pid())}
    for s in config.SERVICES:
        clients[f"{s} service"] = descendants(platformctl.service_process(s).pid())
    clients["benchmark (this process)"] = [os.getpid()]
    groups.update(clients)
    pg = descendants(_pidfile(platformctl.PG_DATA / "postmaster.pid"))
    if pg:
        inode_port = _tcp_ports()
        port_owner = {port: label for label, pids in clients.items() for port in _local_ports(pids, inode_port)}
        port_owner.update({port: "gateway" for port in _local_ports([p for k, v in groups.items() if k.startswith("gateway")
                                                                     for p in v], inode_port)})
        served: dict[int, str] = {}
        with contextlib.suppress(psycopg.Error):
            for pid, port in sv.execute("SELECT pid, client_port FROM pg_stat_activity WHERE client_port > 0").fetchall():
                if port in port_owner:
                    served[pid] = port_owner[port]
        for pid in pg:
            label = f"postgres ← {served[pid]}" if pid in served else "postgres (WAL writer, checkpointer, autovacuum, other clients)"
            groups.setdefault(label, []).append(pid)
    groups["kafka"] = descendants(platformctl.kafka_process().pid())
    groups["redis"] = descendants(platformctl.redis_process().pid())
    groups["keycloak (shared with the demo instance)"] = descendants(_pidfile(config.REPO_ROOT / ".var" / "run" / "keycloak.pid"))
    groups["load generator"] = [p for pid in load_pids for p in descendants(pid)]
    demo = descendants(_pidfile(config.REPO_ROOT / ".var" / "data" / "postgres" / "postmaster.pid"))
    for pidfile in sorted((config.REPO_ROOT / ".var" / "run").glob("*.pid")):
        if pidfile.name != "keycloak.pid":
            demo += descendants(_pidfile(pidfile))
    groups[DEMO] = demo
    return {k: v for k, v in groups.items() if v}


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def memory_component(label: str) -> str:
    if label.startswith("postgres"):
        return "postgres"
    if label.startswith("gateway"):
        return "gateway"
    if label.startswith("benchmark"):
        return "benchmark (this process)"
    return label


DEMO = "demo instance (the other platform on this machine)"
NOT_STACK = ("benchmark (this process)", "load generator", DEMO)


def _machine_busy() -> int:
    f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(f) - f[3] - f[4]  # all but idle and iowait


class Monotonic:
    """A counter that survives the evaluator's restarts (a restarted process counts from zero)."""

    def __init__(self):
        self.prev, self.total = None, 0.0

    def update(self, value: float | None) -> float:
        if value is not None:
            if self.prev is not None:
                self.total += value - self.prev if value >= self.prev else value
            self.prev = value
        return self.total


_METRIC = re.compile(r'^(monitoring_readings_total\{outcome="stored"\}|monitoring_batch_seconds_count|monitoring_batch_seconds_sum'
                     r'|monitoring_batch_seconds_bucket\{le="[^"]+"\}) ([0-9.eE+-]+)$', re.M)


def evaluator_metrics() -> dict[str, float]:
    try:
        return {k: float(v) for k, v in _METRIC.findall(httpx.get(EVALUATOR_METRICS, timeout=2).text)}
    except httpx.HTTPError:
        return {}


def _kafka_consumer(**kw):
    from kafka import KafkaConsumer
    return KafkaConsumer(bootstrap_servers=config.kafka_bootstrap(), enable_auto_commit=False, **kw)


def _partitions(consumer, topic: str) -> list:
    from kafka import TopicPartition
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        parts = consumer.partitions_for_topic(topic)
        if parts:
            return [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.topics()
        time.sleep(0.2)
    raise SystemExit(f"topic {topic} has no partitions")


def evaluator_lag(consumer, tps: list, sv: psycopg.Connection) -> int:
    """Records on the readings topic beyond the evaluator's stored position."""
    end, begin = consumer.end_offsets(tps), consumer.beginning_offsets(tps)
    held = dict(sv.execute("SELECT partition, next_offset FROM monitoring.consumer_offset WHERE consumer = %s AND topic = %s",
                           (EVALUATOR, READINGS_TOPIC)).fetchall())
    return sum(max(0, end[tp] - max(held.get(tp.partition, begin[tp]), begin[tp])) for tp in tps)


class Sampler(threading.Thread):
    """Every `every` seconds: the evaluator's stored counter and batches, its lag, the generator's
    counters, CPU ticks per component (accumulated per process), and every few samples the memory."""

    def __init__(self, load: Load | None, every: float = 2.0):
        super().__init__(daemon=True, name="bench-monitoring-sampler")
        self.load, self.every = load, every
        self.samples: list[dict] = []
        self.stop_event = threading.Event()
        self.stored, self.batches, self.batch_seconds = Monotonic(), Monotonic(), Monotonic()
        self.cpu: dict[str, int] = defaultdict(int)
        self._last: dict[int, int] = {}
        self._last_uptime = None
        self.failures = 0

    def run(self) -> None:
        sv = psycopg.connect(SUPERVISION_DSN, autocommit=True)
        consumer = _kafka_consumer(client_id="bench-monitoring-lag")
        tps = _partitions(consumer, READINGS_TOPIC)
        n = 0
        try:
            while True:
                try:
                    self.samples.append(self.sample(sv, consumer, tps, memory=n % 3 == 0))
                except Exception as exc:  # noqa: BLE001 — a component restarting under us: skip this sample
                    self.failures += 1
                    if self.failures < 5:
                        print(f"  (sampler: {exc})", flush=True)
                    with contextlib.suppress(Exception):
                        sv.close()
                    with contextlib.suppress(Exception):
                        sv = psycopg.connect(SUPERVISION_DSN, autocommit=True)
                n += 1
                if self.stop_event.wait(self.every):
                    break
        finally:
            consumer.close()
            sv.close()

    def sample(self, sv, consumer, tps, *, memory: bool) -> dict:
        t, epoch = time.monotonic(), time.time()
        m = evaluator_metrics()
        lag = evaluator_lag(consumer, tps, sv)
        uptime = float(Path("/proc/uptime").read_text().split()[0]) * CLK_TCK
        groups = components(sv, self.load.pids() if self.load else [])
        for label, pids in groups.items():
            for pid in pids:
                got = _ticks(pid)
                if got is None:
                    continue
                ticks, started = got
                prev = self._last.get(pid)
                if prev is not None:
                    self.cpu[label] += ticks - prev
                elif self._last_uptime is not None and started >= self._last_uptime:
                    self.cpu[label] += ticks  # born since the previous sample
                self._last[pid] = ticks
        self._last_uptime = uptime
        accepted, requests, errors, rejected = self.load.totals() if self.load else (0, 0, 0, 0)
        buckets = {k[len('monitoring_batch_seconds_bucket{le="'):-2]: v for k, v in m.items() if k.startswith("monitoring_batch_seconds_bucket")}
        out = {"t": t, "epoch": epoch, "stored": self.stored.update(m.get('monitoring_readings_total{outcome="stored"}')),
               "buckets": buckets,
               "batches": self.batches.update(m.get("monitoring_batch_seconds_count")),
               "batch_seconds": self.batch_seconds.update(m.get("monitoring_batch_seconds_sum")),
               "lag_records": lag, "accepted": accepted, "requests": requests, "errors": errors, "rejected": rejected,
               "cpu": dict(self.cpu), "machine": _machine_busy(), "rate": self.load.rate if self.load else 0}
        if memory:
            mem: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
            for label, pids in groups.items():
                for pid in pids:
                    rss, pss = _memory(pid)
                    mem[memory_component(label)][0] += rss / 1024
                    mem[memory_component(label)][1] += pss / 1024
            out["memory"] = {k: (round(v[0], 1), round(v[1], 1)) for k, v in mem.items()}
        return out

    def latest(self) -> dict:
        return self.samples[-1] if self.samples else {}

    def wait_next(self) -> dict:
        n = len(self.samples)
        deadline = time.monotonic() + self.every * 5 + 10
        while len(self.samples) == n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.latest()

    def stop(self) -> None:
        self.stop_event.set()
        self.join(timeout=30)


class Statements(threading.Thread):
    """What runs in the supervision database, four times a second: the share of samples in which each
    statement (its first words) was active, and what it waited for ([running]: on a CPU or ready for
    one; [Lock:…]: another transaction's lock) — a sampling profile of PostgreSQL's side of the evaluator."""

    def __init__(self):
        super().__init__(daemon=True, name="bench-monitoring-statements")
        self.stop_event = threading.Event()
        self.samples = 0
        self.counts: dict[str, int] = defaultdict(int)

    def run(self) -> None:
        with psycopg.connect(SUPERVISION_DSN, autocommit=True) as conn:
            while not self.stop_event.wait(0.25):
                with contextlib.suppress(psycopg.Error):
                    rows = conn.execute("""SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70),
                                                  coalesce(wait_event_type || ':' || wait_event, 'running') FROM pg_stat_activity
                                           WHERE datname = 'supervision' AND state = 'active' AND pid <> pg_backend_pid()""").fetchall()
                    self.samples += 1
                    for q, wait in rows:
                        self.counts[f"{q}  [{wait}]"] += 1

    def shares(self) -> dict[str, float]:
        return {q: round(n / self.samples, 3) for q, n in sorted(self.counts.items(), key=lambda kv: -kv[1])[:12]} if self.samples else {}

    def stop(self) -> None:
        self.stop_event.set()
        self.join(timeout=10)


def window(a: dict, b: dict, batch: int) -> dict:
    """Figures between two samples."""
    dt = b["t"] - a["t"]
    stored = b["stored"] - a["stored"]
    batches = b["batches"] - a["batches"]
    cpu_s = {k: (b["cpu"].get(k, 0) - a["cpu"].get(k, 0)) / CLK_TCK for k in b["cpu"]}
    cores = {k: round(v / dt, 3) for k, v in sorted(cpu_s.items(), key=lambda kv: -kv[1]) if v > 0}
    machine = (b["machine"] - a["machine"]) / CLK_TCK / dt
    # The evaluator's transactions by duration (its histogram; empty if it restarted in between).
    hist = {}
    if a.get("buckets") and b.get("buckets") and all(b["buckets"].get(k, 0) >= v for k, v in a["buckets"].items()):
        previous, below = 0.0, ""
        for le in sorted(b["buckets"], key=lambda x: float(x)):
            cumulative = b["buckets"][le] - a["buckets"].get(le, 0)
            hist[f"> {below} s" if le == "+Inf" else f"≤ {le} s"] = int(cumulative - previous)
            previous, below = cumulative, le
    return {"seconds": round(dt, 1), "evaluator_transactions_by_seconds": {k: v for k, v in hist.items() if v},
            "accepted_per_s": round((b["accepted"] - a["accepted"]) / dt),
            "requests_per_s": round((b["requests"] - a["requests"]) / dt, 1), "errors": int(b["errors"] - a["errors"]),
            "rejected": int(b["rejected"] - a["rejected"]), "stored_per_s": round(stored / dt),
            "stored": int(stored), "lag_records_start": a["lag_records"], "lag_records_end": b["lag_records"],
            "lag_readings_end": b["lag_records"] * batch, "lag_growth_readings_per_s": round((b["lag_records"] - a["lag_records"]) * batch / dt),
            "evaluator_transactions_per_s": round(batches / dt, 2),
            "evaluator_transaction_ms": round((b["batch_seconds"] - a["batch_seconds"]) / batches * 1000, 1) if batches else None,
            "readings_per_transaction": round(stored / batches) if batches else None,
            "cpu_cores": cores, "machine_busy_cores": round(machine, 2),
            "other_cores": round(machine - sum(cores.values()), 2),
            "cpu_us_per_stored_reading": {k: round(v * 1e6 / stored, 1) for k, v in cpu_s.items() if v > 0} if stored else {}}


# --- 2. raw ceilings ---------------------------------------------------------------------------------------

def reading_batch(e: Enterprise, batch: int, interval_ms: int) -> bytes:
    """A record like the gateway's for one request of `batch` readings of one enterprise."""
    now = int(time.time() * 1000)
    n = len(e.points)
    return ev.ReadingBatch(batch_id=uuid.uuid4().hex, uscc=e.uscc, received_at_ms=now,
                           point_ids=[pid for _, pid in e.points][:batch], point_codes=[c for c, _ in e.points][:batch],
                           point_index=[i % n for i in range(batch)] if n <= batch else list(range(batch)),
                           time_ms=[now + (i // n) * interval_ms for i in range(batch)],
                           value=[round(kind_of(i % n).mean + random.uniform(-1, 1) * kind_of(i % n).spread, 3) for i in range(batch)]
                           ).SerializeToString()


def _ceiling_consumer(topic: str, expected, ready, out_q, limit: float) -> None:
    consumer = _kafka_consumer(client_id="bench-monitoring-ceiling", max_partition_fetch_bytes=8 * 1024 * 1024,
                               fetch_max_bytes=64 * 1024 * 1024)
    tps = _partitions(consumer, topic)
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    for tp in tps:
        consumer.position(tp)
    ready.set()
    n, first, last = 0, None, None
    deadline = time.time() + limit
    while time.time() < deadline and not (expected.value and n >= expected.value):
        for records in consumer.poll(timeout_ms=100, max_records=500).values():
            now = time.time()
            first = first or now
            last = now
            n += len(records)
    consumer.close()
    out_q.put((n, first, last))


def _ceiling_producer(topic: str, value: bytes, keys: list[bytes], seconds: float, out_q) -> None:
    """The platform's producer settings (acks=all, idempotent, linger 5 ms), records pipelined but
    bounded (at most 500 unacknowledged, as many concurrent requests would hold)."""
    from collections import deque
    producer = kafka_clients.producer(config.kafka_bootstrap())
    producer.config["client_id"] = "bench-monitoring-ceiling"
    pending: deque = deque()
    n, t0 = 0, time.time()
    while time.time() - t0 < seconds:
        pending.append(producer.send(topic, key=keys[n % len(keys)], value=value))
        n += 1
        if len(pending) >= 500:
            pending.popleft().get(timeout=30)
    producer.flush(timeout=60)
    for f in pending:
        f.get(timeout=30)
    t1 = time.time()
    producer.close(timeout=10)
    out_q.put((n, t0, t1))


def kafka_ceiling(value: bytes, keys: list[bytes], readings: int, seconds: float) -> dict:
    """kafka-python produce + consume of the intake's records on a topic of its own: one producer
    process, one consumer process, at the same time."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError
    admin = KafkaAdminClient(bootstrap_servers=config.kafka_bootstrap(), client_id="bench-monitoring-admin")
    if CEILING_TOPIC in admin.list_topics():  # left by an interrupted run
        with contextlib.suppress(UnknownTopicOrPartitionError):
            admin.delete_topics([CEILING_TOPIC])
        time.sleep(2)
    for _ in range(20):
        try:
            admin.create_topics([NewTopic(CEILING_TOPIC, 6, 1, topic_configs={"max.message.bytes": "2097152", "retention.ms": "3600000"})])
            break
        except TopicAlreadyExistsError:  # still being deleted
            time.sleep(1)
    ctx = mp.get_context("spawn")
    expected, ready, consumed_q, produced_q = ctx.Value("q", 0), ctx.Event(), ctx.Queue(), ctx.Queue()
    consumer = ctx.Process(target=_ceiling_consumer, args=(CEILING_TOPIC, expected, ready, consumed_q, seconds + 120), daemon=True)
    producer = ctx.Process(target=_ceiling_producer, args=(CEILING_TOPIC, value, keys, seconds, produced_q), daemon=True)
    consumer.start()
    try:
        ready.wait(60)
        producer.start()
        n, t0, t1 = produced_q.get(timeout=seconds + 120)
        expected.value = n
        consumed, first, last = consumed_q.get(timeout=150)
        producer.join(timeout=10)
        consumer.join(timeout=10)
    finally:
        for p in (producer, consumer):
            if p.is_alive():
                p.terminate()
        with contextlib.suppress(Exception):
            admin.delete_topics([CEILING_TOPIC])
        admin.close()
    return {"records": n, "record_bytes": len(value), "readings_per_record": readings,
            "produce_readings_per_s": round(n * readings / (t1 - t0)),
            "consume_readings_per_s": round(consumed * readings / (last - first)) if first and last and last > first else None,
            "readings_per_s": round(consumed * readings / (last - t0)) if last else None,   # produced and consumed
            "consumed": consumed}


def copy_ceiling(point_ids: list[int], interval_ms: int, seconds: float) -> dict:
    """PostgreSQL alone: COPY of readings into a table shaped like monitoring.reading, rounds of
    every benchmark point at one time each (one transaction per round), then the evaluator's SQL
    (COPY into a temporary table, INSERT … ON CONFLICT DO NOTHING) on the same table."""
    ids = point_ids
    with psycopg.connect(SUPERVISION_DSN, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {CEILING_SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {CEILING_SCHEMA}")
        conn.execute(f"""CREATE TABLE {CEILING_SCHEMA}.reading (point_id integer NOT NULL, time timestamptz NOT NULL,
                         value double precision NOT NULL, received_at timestamptz NOT NULL, PRIMARY KEY (point_id, time))
                         PARTITION BY RANGE (time)""")
        conn.execute(f"CREATE TABLE {CEILING_SCHEMA}.reading_p PARTITION OF {CEILING_SCHEMA}.reading FOR VALUES FROM (MINVALUE) TO (MAXVALUE)")
        try:
            values = [kind_of(i).mean for i in range(len(ids))]
            text = b"".join(b"%d\t@T@\t%.3f\t@R@\n" % (pid, v) for pid, v in zip(ids, values))
            t_ms = int(time.time() * 1000) - 3_600_000
            out = {"table": f"{CEILING_SCHEMA}.reading: the columns and primary key of monitoring.reading, partitioned by range "
                            "of time like it (one partition)", "rows_per_transaction": len(ids)}
            rows, started = 0, time.perf_counter()
            while time.perf_counter() - started < seconds:
                t = datetime.fromtimestamp(t_ms / 1000, timezone.utc)
                chunk = text.replace(b"@T@", t.isoformat().encode()).replace(b"@R@", (t + timedelta(seconds=1)).isoformat().encode())
                with conn.transaction(), conn.cursor() as cur, cur.copy(f"COPY {CEILING_SCHEMA}.reading FROM STDIN") as cp:
                    cp.write(chunk)
                rows += len(ids)
                t_ms += interval_ms
            out["copy_readings_per_s"] = round(rows / (time.perf_counter() - started))
            rows, started = 0, time.perf_counter()
            while time.perf_counter() - started < seconds:
                chunk = text.replace(b"@T@", str(t_ms).encode()).replace(b"@R@", str(t_ms + 1000).encode())
                with conn.transaction():
                    conn.execute("""CREATE TEMP TABLE IF NOT EXISTS reading_batch (point_id integer, time_ms bigint, value double precision,
                                    received_ms bigint) ON COMMIT DELETE ROWS""")
                    with conn.cursor() as cur, cur.copy("COPY reading_batch (point_id, time_ms, value, received_ms) FROM STDIN") as cp:
                        cp.write(chunk)
                    conn.execute(f"""INSERT INTO {CEILING_SCHEMA}.reading (point_id, time, value, received_at)
                                     SELECT point_id, to_timestamp(time_ms / 1000.0), value, to_timestamp(received_ms / 1000.0)
                                     FROM reading_batch ON CONFLICT DO NOTHING""")
                rows += len(ids)
                t_ms += interval_ms
            out["sql_path_readings_per_s"] = round(rows / (time.perf_counter() - started))
        finally:
            conn.execute(f"DROP SCHEMA IF EXISTS {CEILING_SCHEMA} CASCADE")
    return out


# --- 3. alarm latency -------------------------------------------------------------------------------------

class AlarmTopic(threading.Thread):
    """Every event on safety.supervision.alarm.v1 from now on, with the time it arrived here."""

    def __init__(self):
        super().__init__(daemon=True, name="bench-monitoring-alarm-topic")
        self.events: list[tuple[float, dict]] = []
        self.ready, self.stop_event = threading.Event(), threading.Event()

    def run(self) -> None:
        consumer = _kafka_consumer(client_id="bench-monitoring-alarms", fetch_max_wait_ms=10)
        tps = _partitions(consumer, ALARM_TOPIC)
        consumer.assign(tps)
        consumer.seek_to_end(*tps)
        for tp in tps:
            consumer.position(tp)
        self.ready.set()
        while not self.stop_event.is_set():
            for records in consumer.poll(timeout_ms=50).values():
                got = time.monotonic()
                for m in records:
                    with contextlib.suppress(ValueError, TypeError):
                        self.events.append((got, orjson.loads(m.value)))
        consumer.close()


class AlarmStream(threading.Thread):
    """The browsers' live alarm queue (server-sent events), as city-admin sees it."""

    def __init__(self, url: str, token: str, seconds: int):
        super().__init__(daemon=True, name="bench-monitoring-sse")
        self.url, self.token, self.seconds = url, token, seconds
        self.events: list[tuple[float, dict]] = []
        self.ready = threading.Event()
        self.response = None
        self.error = ""

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.url, timeout=httpx.Timeout(30, read=None)) as c, \
                    c.stream("GET", "/api/v1/live/monitoring/alarms", params={"timeout": self.seconds},
                             headers={"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}) as r:
                self.response = r
                if r.status_code != 200:
                    self.error = f"{r.status_code}"
                    return
                event = None
                for line in r.iter_lines():
                    if line.startswith("retry:"):
                        self.ready.set()
                    elif line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: ") and event == "alarm":
                        self.events.append((time.monotonic(), orjson.loads(line[6:])))
                    elif not line:
                        event = None
        except Exception as exc:  # noqa: BLE001 — closed by close() at the end, or the gateway went away
            self.error = self.error or f"{type(exc).__name__}"

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.response is not None:
                self.response.close()


def alarm_latency(fleet: list[Enterprise], n: int, staff: Staff, *, first: int = 0) -> dict:
    """`n` excursions, each on a point of its own (probe numbers first … first + n - 1): an open alarm
    on a point would make the next excursion `reactivated`, not `raised`."""
    temperature = [j for j in range(len(fleet[0].points)) if kind_of(j) is TEMPERATURE]
    probes = []
    for i in range(first, first + n):
        e = fleet[i % len(fleet)]
        if i // len(fleet) < len(temperature):
            code, pid = e.points[temperature[i // len(fleet)]]
            probes.append((e, code, pid))
    topic, stream = AlarmTopic(), AlarmStream(config.gateway_url(), staff.token(), seconds=len(probes) * 2 + 120)
    topic.start()
    stream.start()
    if not topic.ready.wait(30) or not stream.ready.wait(30):
        raise SystemExit(f"alarm listeners not ready (SSE: {stream.error or 'no retry line'})")
    sent = []
    with httpx.Client(base_url=config.gateway_url(), timeout=30) as http:
        tokens = {e.uscc: machine_token(http, e) for e, _, _ in probes}

        def post(e: Enterprise, code: str, value: float) -> tuple[float, float, int]:
            t0 = time.monotonic()
            r = request(http, "POST", "/api/v1/monitoring/readings", json={"readings": [{"point": code, "time": int(time.time() * 1000),
                                                                                         "value": value}]},
                        headers={"Authorization": f"Bearer {tokens[e.uscc]}", "Idempotency-Key": uuid.uuid4().hex})
            return t0, time.monotonic(), r.json().get("accepted", 0) if r.status_code == 200 else -r.status_code
        epoch = time.time() - time.monotonic()   # monotonic → wall clock, to compare with PostgreSQL's now()

        for e, code, pid in probes:
            t0, acked, accepted = post(e, code, EXCURSION)
            sent.append((e, pid, t0, acked, accepted))
            time.sleep(random.uniform(0.4, 0.8))

        def matches():
            out = []
            for e, pid, t0, acked, _ in sent:
                k = next(((got, d) for got, d in topic.events if d.get("point_id") == pid and d.get("action") == "raised" and got >= t0), None)
                alarm_id = k[1]["id"] if k else None
                s = next(((got, d) for got, d in stream.events if got >= t0 and d.get("operation") == "raised" and (
                    d.get("id") == alarm_id if alarm_id else d.get("uscc") == e.uscc and d.get("condition") == "high")), None)
                out.append((acked, k, s, alarm_id))
            return out

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(k and s for _, k, s, _ in matches()):
            time.sleep(0.2)
        found = matches()
        for e, code, _ in probes:   # back to normal (the load's own readings for these points are normal too)
            post(e, code, NORMAL)
    ids = [pid for _, _, pid in probes]
    deadline = time.monotonic() + 30
    with psycopg.connect(SUPERVISION_DSN, autocommit=True) as sv:
        # Where each alarm's time went: the evaluator's transaction that raised it began at the alarm's
        # created_at (now() is the transaction's start), the relay's that published it at published_at.
        steps = defaultdict(list)
        found_ids = [int(alarm_id) for _, k, _, alarm_id in found if alarm_id]
        began = {r[0]: (r[1], r[2]) for r in sv.execute(
            """SELECT a.id, extract(epoch FROM a.created_at)::float8, extract(epoch FROM o.published_at)::float8 FROM monitoring.alarm a
               CROSS JOIN LATERAL (SELECT published_at FROM kit.outbox WHERE topic = %s AND record_key = a.id::text ORDER BY seq LIMIT 1) o
               WHERE a.id = ANY(%s)""", (ALARM_TOPIC, found_ids)).fetchall()}
        for acked, k, sse, alarm_id in found:
            if not alarm_id or int(alarm_id) not in began or began[int(alarm_id)][1] is None:
                continue
            created, published = began[int(alarm_id)]
            steps["ack → the evaluator's transaction began"].append((created - (acked + epoch)) * 1000)
            steps["→ the outbox relay's transaction began (the evaluator's transaction, commit, relay's wait)"].append(
                (published - created) * 1000)
            steps["→ on Kafka here (relay's send and flush, consumer fetch)"].append((k[0] + epoch - published) * 1000)
            if sse:
                steps["Kafka here → browser stream (gateway's feed)"].append((sse[0] - k[0]) * 1000)
        while True:
            active = sv.execute("SELECT count(*) FROM monitoring.alarm WHERE point_id = ANY(%s) AND active", (ids,)).fetchone()[0]
            if active == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    topic.stop_event.set()
    stream.close()
    topic.join(timeout=10)
    kafka_ms = [(k[0] - acked) * 1000 for acked, k, _, _ in found if k]
    sse_ms = [(s[0] - acked) * 1000 for acked, _, s, _ in found if s]

    def stats(values: list[float]) -> dict:
        return {"received": len(values), "p50_ms": round(pct(values, 0.5), 1) if values else None,
                "p99_ms": round(pct(values, 0.99), 1) if values else None, "max_ms": round(max(values), 1) if values else None,
                "all_ms": [round(v, 1) for v in sorted(values)]}
    return {"probes": len(probes), "accepted": sum(1 for *_, a in sent if a == 1), "kafka": stats(kafka_ms), "sse": stats(sse_ms),
            "steps": {k: {"p50_ms": round(pct(v, 0.5), 1), "p99_ms": round(pct(v, 0.99), 1)} for k, v in steps.items() if v},
            "still_active_after_normal": active, "sse_error": stream.error if stream.error not in ("", "ReadError", "StreamClosed") else ""}


# --- 4. chart query -----------------------------------------------------------------------------------------

def cpu_now(groups: dict[str, list[int]]) -> dict[str, int]:
    out = {}
    for label, pids in groups.items():
        out[label] = sum((_ticks(p) or (0, 0))[0] for p in pids)
    return out


def synthetic_rollups(point_ids: list[int], kinds: list[PointKind], interval_s: float) -> int:
    """30 days of 1-hour rollups for these points, up to the last full hour: SYNTHETIC history (the
    benchmark's readings cover minutes, not a month). Hours that already hold real rollups are kept."""
    count = max(1, int(3600 / interval_s))
    with psycopg.connect(SUPERVISION_DSN, autocommit=True) as sv:
        n = 0
        for pid, k in zip(point_ids, kinds):
            n += sv.execute("""INSERT INTO monitoring.rollup_1h (point_id, bucket, min, max, sum, count, timely)
                               SELECT %s, h, %s, %s, %s * %s, %s, %s FROM generate_series(date_trunc('hour', now() - interval '30 days'),
                                      date_trunc('hour', now()) - interval '1 hour', interval '1 hour') h
                               ON CONFLICT (point_id, bucket) DO NOTHING""",
                            (pid, k.mean - k.spread, k.mean + k.spread, k.mean, count, count, count)).rowcount
    return n


def series_sql(point_id: int, frm: str, to: str) -> str:
    """The SQL GetSeries runs for this request (captured from the servicer, values bound): pgbench's script."""
    from safety.supervision.v1 import monitoring_pb2 as pb
    from services.kit.auth import Principal, principal_var
    from services.supervision.monitoring.servicer import MonitoringServicer
    with psycopg.connect(SUPERVISION_DSN) as conn:
        recording = Recording(conn)

        class Pool:
            @contextlib.contextmanager
            def connection(self):
                yield recording
        held = principal_var.set(Principal(subject="bench", client_id=realm.DEV_CLIENT, username=STAFF, kind="staff",
                                           roles=frozenset({roles.PLATFORM_ADMIN, roles.SUPERVISION_SUPERVISOR}), region=STAFF_REGION))
        try:
            message = pb.GetSeriesRequest(point_id=point_id, to=to)
            setattr(message, "from", frm)
            MonitoringServicer(Pool()).GetSeries(message, None)
        finally:
            principal_var.reset(held)
        conn.rollback()
    return "\n".join(recording.statements)


def chart(point_ids: list[int], requests: int, concurrency: int, pg_seconds: int, staff: Staff) -> dict:
    tz = timezone(timedelta(hours=8))
    now = datetime.now(tz).replace(microsecond=0)
    frm, to = (now - timedelta(days=30)).isoformat(), now.isoformat()
    out: dict = {"points": len(point_ids), "from": frm, "to": to}
    with bench_gateway_process(os.cpu_count() or 1) as (url, proc):
        headers = staff.headers()
        with httpx.Client(base_url=url, timeout=30) as http:
            items = []
            for i in range(10):  # warm-up
                r = http.get(f"/api/v1/monitoring/points/{point_ids[i % len(point_ids)]}/series", params={"from": frm, "to": to},
                             headers=headers)
                if r.status_code != 200:
                    raise SystemExit(f"series: {r.status_code} {r.text[:300]}")
                items.append(len(r.json()["items"]))
            out["items"], out["resolution"] = min(items), r.json()["resolution"]
            latencies, errors = [], 0
            for i in range(requests):
                t0 = time.perf_counter()
                r = http.get(f"/api/v1/monitoring/points/{point_ids[i % len(point_ids)]}/series", params={"from": frm, "to": to},
                             headers=headers)
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += r.status_code != 200
            out["sequential"] = {"n": requests, "p50_ms": round(pct(latencies, 0.5), 1), "p99_ms": round(pct(latencies, 0.99), 1),
                                 "rps": round(requests / (sum(latencies) / 1000), 1), "errors": errors}

        async def concurrent() -> dict:
            lat, errs = [], 0
            todo = iter(range(requests))
            async with httpx.AsyncClient(base_url=url, timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:
                async def worker():
                    nonlocal errs
                    for i in todo:
                        t0 = time.perf_counter()
                        r = await client.get(f"/api/v1/monitoring/points/{point_ids[i % len(point_ids)]}/series",
                                             params={"from": frm, "to": to}, headers=headers)
                        lat.append((time.perf_counter() - t0) * 1000)
                        errs += r.status_code != 200
                started = time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(concurrency)))
                wall = time.perf_counter() - started
            return {"n": requests, "c": concurrency, "p50_ms": round(pct(lat, 0.5), 1), "p99_ms": round(pct(lat, 0.99), 1),
                    "rps": round(requests / wall, 1), "errors": errs}
        asyncio.run(concurrent())   # warm-up at concurrency (the bench gateway has just started), not counted
        with psycopg.connect(SUPERVISION_DSN, autocommit=True) as sv:
            groups = components(sv, []) | {"bench gateway": descendants(proc.pid)}
            before, machine = cpu_now(groups), _machine_busy()
            out["concurrent"] = asyncio.run(concurrent())
            after, machine = cpu_now(groups), _machine_busy() - machine
        n = out["concurrent"]["n"]
        out["concurrent"]["cpu_ms_per_request"] = {k: round((after[k] - before.get(k, 0)) / CLK_TCK * 1000 / n, 2)
                                                   for k in sorted(after, key=lambda k: before.get(k, 0) - after[k])
                                                   if after[k] - before.get(k, 0) > 0}
        out["concurrent"]["machine_cpu_ms_per_request"] = round(machine / CLK_TCK * 1000 / n, 2)
    script = series_sql(point_ids[0], frm, to)
    out["sql"] = script
    out["sql_c1"] = pgbench(SUPERVISION_DSN, [script], 1, pg_seconds)
    out["sql_cn"] = pgbench(SUPERVISION_DSN, [script], concurrency, pg_seconds)
    return out


# --- cleaning up ------------------------------------------------------------------------------------------

def cleanup(usccs: list[str], point_ids: list[int], *, readings: bool) -> dict:
    """Removes what the run left that others could trip over: the benchmark enterprises' alarms (with
    history and notifications), their warnings; their points' readings and rollups unless kept; and
    leaves their points offline without an alarm (mark_offline)."""
    out = {}
    with psycopg.connect(SUPERVISION_DSN) as sv:
        with sv.transaction():
            ids = [r[0] for r in sv.execute("SELECT id FROM monitoring.alarm WHERE uscc = ANY(%s)", (usccs,)).fetchall()]
            sv.execute("DELETE FROM monitoring.notification WHERE alarm_id = ANY(%s)", (ids,))
            sv.execute("DELETE FROM monitoring.alarm_history WHERE alarm_id = ANY(%s)", (ids,))
            out["alarms_deleted"] = sv.execute("DELETE FROM monitoring.alarm WHERE id = ANY(%s)", (ids,)).rowcount
            out["warnings_deleted"] = sv.execute("DELETE FROM monitoring.warning WHERE uscc = ANY(%s)", (usccs,)).rowcount
        if readings and point_ids:
            with sv.transaction():
                out["readings_deleted"] = sv.execute("DELETE FROM monitoring.reading WHERE point_id = ANY(%s)", (point_ids,)).rowcount
                sv.execute("DELETE FROM monitoring.rollup_dirty WHERE point_id = ANY(%s)", (point_ids,))
                out["rollups_deleted"] = (sv.execute("DELETE FROM monitoring.rollup_1m WHERE point_id = ANY(%s)", (point_ids,)).rowcount
                                          + sv.execute("DELETE FROM monitoring.rollup_1h WHERE point_id = ANY(%s)", (point_ids,)).rowcount)
        if point_ids:
            with sv.transaction():
                mark_offline(sv, point_ids)
        sv.commit()
    return out


def wait_drained(sampler: Sampler, *, records: int, timeout: float) -> tuple[float, bool]:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        s = sampler.wait_next()
        if s.get("lag_records", 1 << 60) <= records:
            return time.monotonic() - started, True
    return time.monotonic() - started, False


# --- the run ------------------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=int(config.env("SAFETY_BENCH_MONITORING_SECONDS", "600")),
                    help="measured seconds of sustained intake (after the warm-up)")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--enterprises", type=int, default=100)
    ap.add_argument("--points", type=int, default=1000, help="points per enterprise")
    ap.add_argument("--rate", type=float, default=TARGET_RATE, help="readings/s offered (sets each point's reporting interval)")
    ap.add_argument("--batch", type=int, default=2000, help="readings per request (at most 5,000)")
    ap.add_argument("--procs", type=int, default=max(2, os.cpu_count() or 2), help="load-generator processes")
    ap.add_argument("--ceiling-seconds", type=int, default=10)
    ap.add_argument("--alarms", type=int, default=20, help="excursions posted for the alarm latency")
    ap.add_argument("--drain-timeout", type=int, default=600, help="seconds to wait for the evaluator's backlog")
    ap.add_argument("--chart-points", type=int, default=5)
    ap.add_argument("--chart-requests", type=int, default=200)
    ap.add_argument("--chart-concurrency", type=int, default=8)
    ap.add_argument("--pgbench-seconds", type=int, default=5)
    ap.add_argument("--skip", default="", help="comma-separated: ceilings, alarms, chart")
    ap.add_argument("--setup-timeout", type=int, default=1800, help="seconds to wait for the points to reach supervision")
    ap.add_argument("--keep-readings", action="store_true", help="leave the run's readings and rollups in place")
    ap.add_argument("--cleanup-only", action="store_true", help="only remove what a run leaves (after a run was killed)")
    args = ap.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if config.instance() != "test":
        raise SystemExit("bench.monitoring writes enterprises, points, readings and alarms: run it against the test instance "
                         "(SAFETY_INSTANCE=test)")
    if not 1 <= args.batch <= 5000:
        raise SystemExit("--batch: 1 to 5,000 readings per request (the intake's limit)")
    args.interval = args.enterprises * args.points / args.rate
    if args.cleanup_only:
        usccs = [bench_uscc(i) for i in range(args.enterprises)]
        with psycopg.connect(SUPERVISION_DSN, autocommit=True) as sv:
            ids = [r[0] for r in sv.execute("SELECT id FROM monitoring.point WHERE uscc = ANY(%s)", (usccs,)).fetchall()]
        print(f"cleaned up: {cleanup(usccs, ids, readings=not args.keep_readings)}")
        return
    cores = os.cpu_count()
    print(f"monitoring benchmark — test instance, gateway {config.gateway_url()}; {cores} cores shared by the load generator, "
          f"the platform, PostgreSQL and Kafka (and whatever else runs: load average at start {loadavg()})", flush=True)
    figures: dict = {"cores": cores, "load_average_start": loadavg(), "enterprises": args.enterprises, "points": args.enterprises * args.points,
                     "interval_s": round(args.interval, 3), "batch": args.batch, "procs": args.procs, "offered_per_s": round(args.rate),
                     "seconds": args.seconds}
    staff = Staff()
    http = httpx.Client(base_url=config.gateway_url(), timeout=60)
    t = time.monotonic()
    fleet, all_ids = setup(http, staff, args)
    figures["setup_seconds"] = round(time.monotonic() - t)
    usccs = [e.uscc for e in fleet]
    cleanup(usccs, [], readings=False)   # alarms an interrupted earlier run may have left
    load = sampler = None
    interrupted = True
    try:
        # 2. ceilings first, on a machine the load does not yet occupy
        if "ceilings" not in skip:
            value = reading_batch(fleet[0], args.batch, int(args.interval * 1000))
            k = kafka_ceiling(value, [u.encode() for u in usccs], args.batch, args.ceiling_seconds)
            print(f"ceiling (a) Kafka, kafka-python produce + consume, acks=all, 1 producer + 1 consumer process: "
                  f"{k['readings_per_s']:,} readings/s ({k['records']:,} records of {args.batch:,} readings, {k['record_bytes']:,} bytes; "
                  f"produce {k['produce_readings_per_s']:,}/s, consume {k['consume_readings_per_s'] or 0:,}/s)", flush=True)
            c = copy_ceiling([pid for e in fleet for _, pid in e.points], int(args.interval * 1000), args.ceiling_seconds)
            print(f"ceiling (b) PostgreSQL COPY into {c['table']}, {c['rows_per_transaction']:,} rows a transaction: "
                  f"{c['copy_readings_per_s']:,} readings/s; the evaluator's SQL (COPY into a temporary table + INSERT … ON CONFLICT "
                  f"DO NOTHING): {c['sql_path_readings_per_s']:,} readings/s", flush=True)
            figures["ceilings"] = {"kafka": k, "copy": c}

        # 1. sustained intake
        print(f"sustained intake: {args.enterprises} enterprises × {args.points:,} points, every {args.interval:g} s = "
              f"{args.rate:,.0f} readings/s offered, {args.batch:,} readings a request, {args.procs} generator processes; "
              f"{args.warmup} s warm-up, then {args.seconds} s measured", flush=True)
        load = Load(fleet, args, args.rate)
        sampler = Sampler(load)
        sampler.start()
        time.sleep(args.warmup)
        a = sampler.wait_next()
        statements = Statements()
        statements.start()
        next_print = time.monotonic() + 10
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            time.sleep(min(1.0, max(0.0, end - time.monotonic())))
            if time.monotonic() >= next_print:
                s = sampler.latest()
                w = window(a, s, args.batch) if s is not a and s["t"] > a["t"] else None
                if w:
                    print(f"  {s['t'] - a['t']:5.0f} s: accepted {w['accepted_per_s']:,}/s, stored {w['stored_per_s']:,}/s, lag "
                          f"{s['lag_records']:,} records, machine {w['machine_busy_cores']} cores busy", flush=True)
                next_print += 10
        b = sampler.wait_next()
        statements.stop()
        w = window(a, b, args.batch)
        w["statements_active_share"] = statements.shares()
        # Kept up: the backlog grew by less than 5 % of the intake (a standing backlog of the evaluator's
        # large transactions is reported, in seconds of intake).
        kept_up = w["lag_growth_readings_per_s"] <= 0.05 * w["accepted_per_s"]
        w["kept_up"] = kept_up
        w["standing_backlog_s"] = round(w["lag_readings_end"] / w["accepted_per_s"], 1) if w["accepted_per_s"] else None
        w["window_epoch"] = (a["epoch"], b["epoch"])
        figures["intake"] = w
        mem = [s["memory"] for s in sampler.samples if "memory" in s and a["t"] <= s["t"] <= b["t"]]
        if mem:
            labels = sorted({k for m in mem for k in m})
            figures["memory"] = {"samples": len(mem), "components": {
                k: {"rss_mean_mib": round(statistics.mean(m.get(k, (0, 0))[0] for m in mem)), "rss_max_mib": round(max(m.get(k, (0, 0))[0] for m in mem)),
                    "pss_max_mib": round(max(m.get(k, (0, 0))[1] for m in mem))} for k in labels},
                # the stack: every component of the platform (and the shared Keycloak), not the benchmark's processes
                "total_rss_max_mib": round(max(sum(v[0] for k, v in m.items() if k not in NOT_STACK) for m in mem)),
                "total_pss_max_mib": round(max(sum(v[1] for k, v in m.items() if k not in NOT_STACK) for m in mem))}
        print(f"  accepted (HTTP) {w['accepted_per_s']:,} readings/s ({w['requests_per_s']} requests/s, {w['errors']} errors, "
              f"{w['rejected']} rejected); stored + evaluated {w['stored_per_s']:,} readings/s; lag {w['lag_records_start']:,} → "
              f"{w['lag_records_end']:,} records (≈ {w['lag_readings_end']:,} readings); evaluator {w['evaluator_transactions_per_s']} "
              f"transactions/s, {w['readings_per_transaction'] or 0:,} readings and {w['evaluator_transaction_ms'] or 0} ms each; "
              + (f"kept up (a standing backlog of ≈ {w['standing_backlog_s']} s of intake)" if kept_up else
                 f"did NOT keep up (the backlog grows by {w['lag_growth_readings_per_s']:,} readings/s)"), flush=True)

        # 3. alarms: at the sustained load as it stands; again at a lighter load, after the backlog
        # drained, when the full load saturates (the backlog grows, or alarms miss the target at it)
        full = None
        if "alarms" not in skip and args.alarms:
            lag = sampler.latest().get("lag_records")
            full = alarm_latency(fleet, args.alarms, staff)
            full.update(load_per_s=args.rate, lag_records_at_start=lag,
                        load_note=f"the sustained load ({args.rate:,.0f} readings/s offered)")
            figures["alarms"] = full
            print_alarms(full)
        saturated = not kept_up or (full is not None and (full["sse"]["p99_ms"] is None or full["sse"]["p99_ms"] >= TARGET_ALARM_P99_MS
                                                          or full["kafka"]["p99_ms"] is None or full["kafka"]["p99_ms"] >= TARGET_ALARM_P99_MS))
        if saturated:
            light = max(1000.0, round(0.5 * w["stored_per_s"], -2))
            load.set_rate(light)
            print(f"  the full load saturates ({'the backlog grows' if not kept_up else 'alarms miss the target at it'}): load now "
                  f"{light:,.0f} readings/s (half of what the evaluator stored); waiting for the evaluator's backlog to drain", flush=True)
            d0 = sampler.latest()
            drain_s, drained = wait_drained(sampler, records=max(2, int(light * 2 / args.batch)), timeout=args.drain_timeout)
            d1 = sampler.latest()
            figures["drain"] = {"load_per_s": light, "seconds": round(drain_s, 1), "drained": drained,
                                "stored_per_s": round((d1["stored"] - d0["stored"]) / max(0.1, d1["t"] - d0["t"]))}
            print(f"  backlog {'drained' if drained else 'NOT drained'} in {drain_s:.0f} s (the evaluator stored "
                  f"{figures['drain']['stored_per_s']:,} readings/s meanwhile, with {light:,.0f}/s arriving)", flush=True)
            if "alarms" not in skip and args.alarms:
                time.sleep(10)   # the lighter load in its steady state
                lag = sampler.latest().get("lag_records")
                al = alarm_latency(fleet, args.alarms, staff, first=args.alarms)
                al.update(load_per_s=light, drained_before=drained, lag_records_at_start=lag,
                          load_note=f"a lighter load ({light:,.0f} readings/s, half of what the evaluator stored)")
                figures["alarms_light"] = al
                print_alarms(al)
        interrupted = False
    finally:
        if load is not None:
            load.stop()
        if sampler is not None:
            waited, drained = wait_drained(sampler, records=0, timeout=min(args.drain_timeout, 300))
            sampler.stop()
            if not drained:
                print(f"  WARNING: the evaluator still had {sampler.latest().get('lag_records')} records to apply {waited:.0f} s after "
                      "the load stopped; once it has, run `SAFETY_INSTANCE=test .venv/bin/python -m bench.monitoring --cleanup-only` "
                      "(else the points it sets online go offline with alarms)", flush=True)
        # the points offline at once; readings are removed after the chart (or now, when interrupted)
        cleaned = cleanup(usccs, all_ids, readings=interrupted and not args.keep_readings)

    if load is not None and "intake" in figures:
        lo, hi = figures["intake"]["window_epoch"]
        lat = [x[1] * 1000 for x in load.log if lo <= x[0] <= hi]
        statuses = defaultdict(int)
        for x in load.log:
            if lo <= x[0] <= hi:
                statuses[x[3]] += 1
        figures["intake"].update({"http_p50_ms": round(pct(lat, 0.5), 1) if lat else None,
                                  "http_p99_ms": round(pct(lat, 0.99), 1) if lat else None,
                                  "http_statuses": {str(k): v for k, v in statuses.items()}, "generator_errors": load.errors})
        with psycopg.connect(SUPERVISION_DSN, autocommit=True) as sv:
            figures["intake"]["rows_stored_in_window"] = sv.execute(
                "SELECT count(*) FROM monitoring.reading WHERE point_id = ANY(%s) AND received_at >= to_timestamp(%s) "
                "AND received_at < to_timestamp(%s)", (all_ids, lo, hi)).fetchone()[0]

    try:
        if "chart" not in skip:
            ids = [pid for _, pid in fleet[0].points[:args.chart_points]]
            kinds = [kind_of(j) for j in range(len(ids))]
            inserted = synthetic_rollups(ids, kinds, args.interval)
            ch = chart(ids, args.chart_requests, args.chart_concurrency, args.pgbench_seconds, staff)
            ch["synthetic_rows"] = inserted
            figures["chart"] = ch
            print(f"chart query, {ch['points']} points × 30 days of 1-hour rollups (synthetic), {ch['items']} buckets "
                  f"(resolution {ch['resolution']}), bench gateway with {cores} workers: sequential p50 {ch['sequential']['p50_ms']} ms, "
                  f"p99 {ch['sequential']['p99_ms']} ms; c={args.chart_concurrency} {ch['concurrent']['rps']} req/s, p50 "
                  f"{ch['concurrent']['p50_ms']} ms, p99 {ch['concurrent']['p99_ms']} ms; the same SQL (pgbench) c=1 "
                  f"{ch['sql_c1'].get('tps', 0):,} tx/s p99 {ch['sql_c1'].get('p99_ms')} ms, c={args.chart_concurrency} "
                  f"{ch['sql_cn'].get('tps', 0):,} tx/s p99 {ch['sql_cn'].get('p99_ms')} ms", flush=True)
            print(f"  CPU per request at c={args.chart_concurrency} (ms): machine {ch['concurrent']['machine_cpu_ms_per_request']}; "
                  + ", ".join(f"{k} {v}" for k, v in list(ch["concurrent"]["cpu_ms_per_request"].items())[:6]), flush=True)
    finally:
        cleaned.update(cleanup(usccs, all_ids, readings=not args.keep_readings))
        figures["cleanup"] = cleaned
    report(figures, args)
    results.save("monitoring", figures)


def print_alarms(al: dict) -> None:
    print(f"alarm latency, {al['probes']} excursions at {al['load_note']}, evaluator lag {al['lag_records_at_start']} records: "
          f"HTTP ack → Kafka {ALARM_TOPIC} p50 {al['kafka']['p50_ms']} ms, p99 {al['kafka']['p99_ms']} ms ({al['kafka']['received']}/"
          f"{al['probes']}); → browser stream p50 {al['sse']['p50_ms']} ms, p99 {al['sse']['p99_ms']} ms ({al['sse']['received']}/"
          f"{al['probes']}); target p99 < {TARGET_ALARM_P99_MS:,.0f} ms; still active after a normal reading: "
          f"{al['still_active_after_normal']}", flush=True)
    for step, v in (al.get("steps") or {}).items():
        print(f"    {step:<92} p50 {v['p50_ms']:8.1f} ms  p99 {v['p99_ms']:8.1f} ms")


def report(f: dict, args) -> None:
    w = f.get("intake")
    if not w:
        return
    ceil = f.get("ceilings") or {}
    k, c = ceil.get("kafka") or {}, ceil.get("copy") or {}
    print("\nsustained intake, measured window:")
    print(f"  offered {f['offered_per_s']:,} readings/s ({f['points']:,} points every {f['interval_s']} s); accepted (HTTP) "
          f"{w['accepted_per_s']:,}/s, posts p50 {w.get('http_p50_ms')} ms p99 {w.get('http_p99_ms')} ms; stored + evaluated "
          f"{w['stored_per_s']:,}/s ({w.get('rows_stored_in_window', 0):,} rows stored of readings the gateway received in the window); "
          f"target ≥ {TARGET_RATE:,}/s: {'met' if w['stored_per_s'] >= TARGET_RATE else 'NOT met'}")
    for name, ceiling in (("Kafka produce+consume ceiling", k.get("readings_per_s")),
                          ("PostgreSQL COPY ceiling", c.get("copy_readings_per_s")),
                          ("PostgreSQL ceiling with the evaluator's own SQL", c.get("sql_path_readings_per_s"))):
        if ceiling:
            print(f"  of the {name} ({ceiling:,}/s): accepted {w['accepted_per_s'] / ceiling:.2f}, stored "
                  f"{w['stored_per_s'] / ceiling:.2f} (target ≥ {TARGET_RATIO})")
    if w.get("evaluator_transactions_by_seconds"):
        print(f"  the evaluator's transactions by duration: {w['evaluator_transactions_by_seconds']}")
    if w.get("statements_active_share"):
        print("  statements active in the supervision database (share of samples, 4 a second):")
        for q, share in w["statements_active_share"].items():
            print(f"    {share:5.0%}  {q}")
    print(f"  CPU over the window (cores; µs of CPU per stored reading), machine {w['machine_busy_cores']} of {f['cores']} cores busy:")
    for label, cores in w["cpu_cores"].items():
        if cores >= 0.005:
            print(f"    {label:<64} {cores:5.2f}   {w['cpu_us_per_stored_reading'].get(label, 0):7.1f} µs")
    print(f"    {'other processes (not identified: other work on the machine)':<64} {w['other_cores']:5.2f}")
    m = f.get("memory")
    if m:
        print(f"  memory of the stack under load (max over {m['samples']} samples, MiB; RSS as `make status` counts it, PSS shares "
              f"PostgreSQL's buffers out; the benchmark's own processes not counted): total RSS {m['total_rss_max_mib']:,}, "
              f"PSS {m['total_pss_max_mib']:,}")
        for label, v in sorted(m["components"].items(), key=lambda kv: -kv[1]["rss_max_mib"]):
            print(f"    {label:<44} RSS {v['rss_max_mib']:6,}  (mean {v['rss_mean_mib']:,})  PSS {v['pss_max_mib']:6,}")
    print(f"  cleaned up: {f.get('cleanup')}")


if __name__ == "__main__":
    main()
