"""The processes the data-centre benchmark runs against: its own database, its own data-centre
service on that database, and a bench gateway routed to that service — so millions of generated
rows never touch the platform's `datacenter` database, and the platform keeps serving as before.

- Database `datacenter_bench` (owner the `datacenter` role, PostGIS as `make up` installs it),
  created once by the PostgreSQL superuser of services/kit/config.py (the one platformctl uses).
- `python -m services.datacenter` with SAFETY_DATACENTER_DSN pointing at it, on its own gRPC and
  metrics ports. It applies the migrations itself at start. Kafka is pointed at a closed port:
  the bench service must not publish bench events to the platform's topics, nor join the platform's
  consumer groups (audit trail); its outbox rows simply wait (and are removed by the benchmark).
- `python -m gateway` (the bench/bench_gateway.py pattern) with SAFETY_DATACENTER_GRPC_TARGET set to
  the bench service and the per-subject rate limit raised."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
from psycopg import sql

from services.kit import config

PG = config.postgres()
GRPC_PORT = int(config.env("SAFETY_BENCH_DATACENTER_PORT", "50151"))
METRICS_PORT = int(config.env("SAFETY_BENCH_DATACENTER_METRICS_PORT", "9151"))
GATEWAY_PORT = int(config.env("SAFETY_BENCH_DC_GATEWAY_PORT", "8011"))
GATEWAY_METRICS_PORT = int(config.env("SAFETY_BENCH_DC_GATEWAY_METRICS_PORT", "9011"))
DEAD_KAFKA = "127.0.0.1:1"  # nothing listens there: see the module docstring
ROLE = "datacenter"
ROLE_PASSWORD = config.env("SAFETY_DATACENTER_DB_PASSWORD", "datacenter-local-only")
LOG_DIR = Path(config.env("SAFETY_BENCH_LOG_DIR", "/tmp/safety-bench"))


def admin_dsn(database: str) -> str:
    return PG.dsn(database, PG.admin_user, PG.admin_password)


def service_dsn(database: str) -> str:
    return PG.dsn(database, ROLE, ROLE_PASSWORD)


def ensure_database(database: str) -> bool:
    """Create the bench database once; True when it was created now."""
    if database == "datacenter":
        raise SystemExit("refusing to benchmark on the platform's own `datacenter` database")
    with psycopg.connect(admin_dsn("postgres"), autocommit=True) as c:
        if c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            return False
        c.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8'").format(sql.Identifier(database), sql.Identifier(ROLE)))
    with psycopg.connect(admin_dsn(database), autocommit=True) as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return True


def _wait(what: str, check, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace").splitlines()[-30:] if log.exists() else []
            raise SystemExit(f"{what} exited during start-up (code {proc.returncode}); last lines of {log}:\n" + "\n".join(tail))
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.3)
    raise SystemExit(f"{what} not ready after {timeout:.0f}s; see {log}")


def _grpc_serving(target: str) -> bool:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    with grpc.insecure_channel(target) as ch:
        return health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=1).status == \
            health_pb2.HealthCheckResponse.SERVING


@contextlib.contextmanager
def _process(name: str, cmd: list[str], env: dict, ready, timeout: float):
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"{name}.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=config.REPO_ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        _wait(name, ready, proc, log, timeout)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def datacenter_service(database: str, *, migrate_timeout: float = 1800):
    """The bench data-centre service; start-up includes any new migrations on the (large) bench tables."""
    target = f"127.0.0.1:{GRPC_PORT}"
    with contextlib.suppress(Exception):
        if _grpc_serving(target):  # gRPC binds with SO_REUSEPORT: a left-over copy would answer in place of ours
            raise SystemExit(f"something already serves gRPC on {target} (a bench data centre left running?); stop it first")
    env = {"SAFETY_DATACENTER_DSN": service_dsn(database), "SAFETY_DATACENTER_GRPC_LISTEN": target,
           "SAFETY_DATACENTER_METRICS_PORT": str(METRICS_PORT), "SAFETY_KAFKA_BOOTSTRAP": DEAD_KAFKA}
    with _process("bench-datacenter", [sys.executable, "-m", "services.datacenter"], env, lambda: _grpc_serving(target),
                  migrate_timeout) as proc:
        yield target, proc


@contextlib.contextmanager
def gateway(datacenter_target: str):
    url = f"http://127.0.0.1:{GATEWAY_PORT}"
    env = {"SAFETY_GATEWAY_PORT": str(GATEWAY_PORT), "SAFETY_GATEWAY_METRICS_PORT": str(GATEWAY_METRICS_PORT),
           "SAFETY_DATACENTER_GRPC_TARGET": datacenter_target,
           "SAFETY_RATE_PER_SUBJECT": "1000000", "SAFETY_RATE_BURST_PER_SUBJECT": "1000000"}
    with _process("bench-dc-gateway", [sys.executable, "-m", "gateway"], env,
                  lambda: httpx.get(f"{url}/readyz", timeout=2).status_code == 200, 60) as proc:
        yield url, proc
