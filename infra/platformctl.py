"""Starts, stops and reports on the whole platform on one machine, as local processes.

    python -m infra.platformctl up | down | status | start NAME | stop NAME
    SAFETY_INSTANCE=test python -m infra.platformctl up    # the test instance (docs/test-instance.md)

Order: PostgreSQL (cluster, roles, databases, PostGIS) → Kafka (KRaft, topics from
infra/kafka/topics.yaml) → Redis → Keycloak (realm from infra/keycloak/realm.py) → the four services →
the gateway → demo data. Every wait is on real readiness (a query, a health endpoint, a gRPC
health check), never a sleep. State lives under .var/ and survives `down`."""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
VERSIONS = dict(line.split("=", 1) for line in (ROOT / "infra/versions.env").read_text().splitlines()
                if line and not line.startswith("#"))

sys.path[:0] = [str(ROOT), str(ROOT / "proto/gen")]
from services.kit import config  # noqa: E402

# The demo instance keeps its state in .var/, the test instance in .var/test/; both use .var/dist.
INSTANCE = config.instance()
VAR = config.state_dir()
DIST, DATA, RUN, LOGS = ROOT / ".var" / "dist", VAR / "data", VAR / "run", VAR / "log"
LABEL = f"platform:{INSTANCE}" if INSTANCE else "platform"
# The test instance shares the demo instance's Keycloak server (its own realm) and starts no other.
SHARED_KEYCLOAK = bool(INSTANCE)
PG = config.postgres()
KC = config.keycloak()
KC_MANAGEMENT_PORT = int(config.env("SAFETY_KEYCLOAK_MANAGEMENT_PORT", "8181"))
KC_ADMIN_USER = config.env("SAFETY_KEYCLOAK_ADMIN", "admin")
KC_ADMIN_PASSWORD = config.env("SAFETY_KEYCLOAK_ADMIN_PASSWORD", "admin-local-only")
KAFKA_HOST, KAFKA_PORT = config.kafka_bootstrap().split(",")[0].rsplit(":", 1)
EXTERNAL_PG = config.env("SAFETY_PG_EXTERNAL", "0") == "1"
SERVICES = list(config.SERVICES)


def say(msg: str) -> None:
    print(f"\033[1;32m[{LABEL}]\033[0m {msg}", flush=True)


def wait_until(what: str, check: Callable[[], bool], timeout: float, proc: "Process | None" = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        if proc is not None and not proc.alive():
            raise SystemExit(f"{proc.name} exited during start-up; last log lines:\n{proc.log_tail()}")
        time.sleep(0.25)
    tail = proc.log_tail() if proc else ""
    raise SystemExit(f"timed out after {timeout:.0f}s waiting for {what}\n{tail}")


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


# --- generic detached processes ---------------------------------------------------------------
@dataclass
class Process:
    name: str
    cmd: list[str]
    ready: Callable[[], bool]
    describe: str
    env: dict[str, str] = field(default_factory=dict)
    ready_timeout: float = 120

    @property
    def pidfile(self) -> Path:
        return RUN / f"{self.name}.pid"

    @property
    def logfile(self) -> Path:
        return LOGS / f"{self.name}.log"

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text())
            os.kill(pid, 0)
            # A process killed a moment ago may linger as a zombie until init reaps it: it is gone.
            return pid if _exists(pid) else None
        except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
            return None

    def alive(self) -> bool:
        return self.pid() is not None

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return ""

    def start(self) -> None:
        if self.alive():
            wait_until(self.name, self.ready, self.ready_timeout, self)
            return
        LOGS.mkdir(parents=True, exist_ok=True)
        RUN.mkdir(parents=True, exist_ok=True)
        with open(self.logfile, "ab") as out:
            p = subprocess.Popen(self.cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 env={**os.environ, **self.env}, start_new_session=True)
        self.pidfile.write_text(str(p.pid))
        started = time.monotonic()
        wait_until(self.name, self.ready, self.ready_timeout, self)
        say(f"{self.name:<12} ready in {time.monotonic() - started:4.1f}s  {self.describe}")

    def stop(self, timeout: float = 30) -> None:
        pid = self.pid()
        if pid is None:
            self.pidfile.unlink(missing_ok=True)
            return
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _exists(pid):
            time.sleep(0.2)
        if _exists(pid):
            os.killpg(pid, signal.SIGKILL)
        self.pidfile.unlink(missing_ok=True)
        say(f"{self.name} stopped")


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purposes
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


# --- PostgreSQL -------------------------------------------------------------------------------
PG_BIN = Path(f"/usr/lib/postgresql/{VERSIONS['POSTGRES_MAJOR']}/bin")
PG_DATA = DATA / "postgres"
PG_SOCKETS = RUN / "pg"
# The gateway keeps web sessions and its refusal audit; Keycloak's database is the demo instance's.
DATABASES = SERVICES + ["gateway"] + ([] if SHARED_KEYCLOAK else ["keycloak"])


def _as_postgres(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; on a root machine its files belong to the postgres user.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _own_by_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def pg_ready() -> bool:
    import psycopg
    with psycopg.connect(PG.dsn("postgres", PG.admin_user, PG.admin_password), connect_timeout=2) as c:
        return c.execute("SELECT 1").fetchone() == (1,)


def pg_start() -> None:
    if EXTERNAL_PG:
        wait_until("external PostgreSQL", pg_ready, 30)
        return
    for d in (PG_DATA.parent, PG_SOCKETS):
        d.mkdir(parents=True, exist_ok=True)
    if not (PG_DATA / "PG_VERSION").exists():
        PG_DATA.mkdir(parents=True, exist_ok=True)
        _own_by_postgres(PG_DATA)
        with tempfile.NamedTemporaryFile("w", delete=False, dir=RUN) as pw:
            pw.write(PG.admin_password)
        _own_by_postgres(Path(pw.name))
        try:
            subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(PG_DATA), "-U", PG.admin_user, f"--pwfile={pw.name}",
                                         "-A", "scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"]),
                           check=True, stdout=subprocess.DEVNULL)
        finally:
            os.unlink(pw.name)
        say("postgres cluster initialised")
    _own_by_postgres(PG_SOCKETS)
    LOGS.mkdir(parents=True, exist_ok=True)
    pglog = LOGS / "postgres.log"
    pglog.touch()
    _own_by_postgres(pglog)
    if subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(PG_DATA), "status"]), stdout=subprocess.DEVNULL).returncode != 0:
        # Sized for imports of hundreds of thousands of rows into tables of millions (docs/benchmarks.md):
        # buffers that hold the hot indexes, WAL buffers and checkpoint spacing that keep full-page
        # images (and backends writing buffers themselves) from dominating, full-page images compressed.
        opts = (f"-p {PG.port} -k {PG_SOCKETS} -c listen_addresses={PG.host} -c max_connections=200 "
                "-c shared_buffers=1GB -c wal_buffers=64MB -c max_wal_size=8GB -c checkpoint_timeout=15min "
                "-c wal_compression=lz4 -c timezone=Asia/Shanghai -c log_timezone=Asia/Shanghai")
        started = time.monotonic()
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(PG_DATA), "-l", str(pglog), "-o", opts, "-w", "-t", "60", "start"]),
                       check=True, stdout=subprocess.DEVNULL)
        say(f"{'postgres':<12} ready in {time.monotonic() - started:4.1f}s  postgresql://{PG.host}:{PG.port}")
    wait_until("PostgreSQL", pg_ready, 60)
    pg_provision()


def pg_provision() -> None:
    """Roles and databases, one per service (and Keycloak's), and PostGIS where maps are needed."""
    import psycopg
    from psycopg import sql
    with psycopg.connect(PG.dsn("postgres", PG.admin_user, PG.admin_password), autocommit=True) as c:
        for db in DATABASES:
            password = config.env(f"SAFETY_{db.upper()}_DB_PASSWORD", f"{db}-local-only")
            if c.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (db,)).fetchone() is None:
                c.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(db), sql.Literal(password)))
            if c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone() is None:
                c.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8'").format(sql.Identifier(db), sql.Identifier(db)))
    for db in ("datacenter", "supervision", "emergency"):
        with psycopg.connect(PG.dsn(db, PG.admin_user, PG.admin_password), autocommit=True) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def pg_stop() -> None:
    if EXTERNAL_PG or not (PG_DATA / "PG_VERSION").exists():
        return
    if subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(PG_DATA), "status"]), stdout=subprocess.DEVNULL).returncode == 0:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(PG_DATA), "-m", "fast", "-w", "stop"]), check=True, stdout=subprocess.DEVNULL)
        say("postgres stopped")


# --- Kafka ------------------------------------------------------------------------------------
KAFKA_HOME = DIST / f"kafka-{VERSIONS['KAFKA_VERSION']}"
KAFKA_DATA = DATA / "kafka"
KAFKA_CONTROLLER_PORT = int(config.env("SAFETY_KAFKA_CONTROLLER_PORT", str(config.ports().kafka_controller)))


def kafka_properties() -> Path:
    props = RUN / "kafka.properties"
    RUN.mkdir(parents=True, exist_ok=True)
    props.write_text("\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@{KAFKA_HOST}:{KAFKA_CONTROLLER_PORT}",
        f"listeners=PLAINTEXT://{KAFKA_HOST}:{KAFKA_PORT},CONTROLLER://{KAFKA_HOST}:{KAFKA_CONTROLLER_PORT}",
        f"advertised.listeners=PLAINTEXT://{KAFKA_HOST}:{KAFKA_PORT}",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"log.dirs={KAFKA_DATA}",
        "num.partitions=3",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",  # topics come from infra/kafka/topics.yaml only
        "",
    ]))
    return props


def kafka_java(main: str, *args: str, heap: str = "-Xmx256m") -> list[str]:
    return ["java", heap, f"-Dlog4j2.configurationFile={ROOT / 'infra/kafka/log4j2.properties'}",
            "-cp", f"{KAFKA_HOME}/libs/*", main, *args]


def kafka_ready() -> bool:
    from kafka import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=config.kafka_bootstrap(), request_timeout_ms=3000)
    try:
        admin.list_topics()
        return True
    finally:
        admin.close()


def kafka_process() -> Process:
    return Process("kafka", kafka_java("kafka.Kafka", str(RUN / "kafka.properties"), heap="-Xmx512m"), kafka_ready,
                   f"kafka://{KAFKA_HOST}:{KAFKA_PORT}", ready_timeout=90)


def kafka_start() -> None:
    props = kafka_properties()
    if not (KAFKA_DATA / "meta.properties").exists():
        KAFKA_DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run(kafka_java("kafka.tools.StorageTool", "format", "-t", _kafka_cluster_id(), "-c", str(props)),
                       check=True, stdout=subprocess.DEVNULL)
    kafka_process().start()
    kafka_topics()


def _kafka_cluster_id() -> str:
    import base64
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def kafka_topics() -> None:
    from kafka import KafkaAdminClient
    from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic
    from services.kit.kafka import declared_topics
    admin = KafkaAdminClient(bootstrap_servers=config.kafka_bootstrap())
    try:
        existing = {t["name"]: len(t["partitions"]) for t in admin.describe_topics()}
        new = [NewTopic(t["name"], t["partitions"], 1, topic_configs={k: str(v) for k, v in (t.get("config") or {}).items()})
               for t in declared_topics() if t["name"] not in existing]
        if new:
            admin.create_topics(new)
            say(f"kafka topics created: {', '.join(t.name for t in new)}")
        grow = {t["name"]: NewPartitions(t["partitions"]) for t in declared_topics()
                if t["name"] in existing and existing[t["name"]] < t["partitions"]}
        if grow:
            admin.create_partitions(grow)
        # Declared settings of existing topics are (re)applied, so a changed retention or cleanup
        # policy in topics.yaml reaches a running cluster too.
        configured = [ConfigResource(ConfigResourceType.TOPIC, t["name"], configs={k: str(v) for k, v in t["config"].items()})
                      for t in declared_topics() if t["name"] in existing and t.get("config")]
        if configured:
            admin.alter_configs(configured)
    finally:
        admin.close()


# --- Redis (the gateway's shared state: rate limits across workers and copies) ---------------------
REDIS_PORT = config.ports().redis


def redis_ready() -> bool:
    import redis
    client = redis.Redis(port=REDIS_PORT, socket_timeout=1, socket_connect_timeout=1)
    try:
        return client.ping()
    finally:
        client.close()


def redis_process() -> Process:
    # Nothing here needs to survive a restart (token buckets refill in seconds): no snapshots, no AOF,
    # bounded memory, keys expire by themselves.
    return Process("redis", ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--maxmemory", "64mb", "--maxmemory-policy", "volatile-ttl",
                             "--dir", str(RUN), "--daemonize", "no", "--logfile", ""],
                   redis_ready, f"redis://127.0.0.1:{REDIS_PORT}", ready_timeout=30)


# --- Keycloak ---------------------------------------------------------------------------------
KC_HOME = DIST / f"keycloak-{VERSIONS['KEYCLOAK_VERSION']}"


def keycloak_ready() -> bool:
    import httpx
    return httpx.get(f"http://{PG.host}:{KC_MANAGEMENT_PORT}/health/ready", timeout=2).status_code == 200


def keycloak_process() -> Process:
    host_port = KC.url.split("://", 1)[1]
    host, port = host_port.rsplit(":", 1)
    return Process("keycloak", [str(KC_HOME / "bin/kc.sh"), "start", "--optimized"], keycloak_ready, KC.url, env={
        "KC_DB_URL": f"jdbc:postgresql://{PG.host}:{PG.port}/keycloak",
        "KC_DB_USERNAME": "keycloak",
        "KC_DB_PASSWORD": config.env("SAFETY_KEYCLOAK_DB_PASSWORD", "keycloak-local-only"),
        "KC_HTTP_ENABLED": "true", "KC_HTTP_HOST": host, "KC_HTTP_PORT": port,
        "KC_HTTP_MANAGEMENT_PORT": str(KC_MANAGEMENT_PORT),
        "KC_HOSTNAME": KC.url, "KC_HOSTNAME_STRICT": "false",
        "KC_BOOTSTRAP_ADMIN_USERNAME": KC_ADMIN_USER, "KC_BOOTSTRAP_ADMIN_PASSWORD": KC_ADMIN_PASSWORD,
        "JAVA_OPTS_KC_HEAP": "-Xms128m -Xmx640m",
    }, ready_timeout=180)


def keycloak_start() -> None:
    if SHARED_KEYCLOAK:
        wait_until(f"Keycloak at {KC.url} (the demo instance's; `make up` starts it)", keycloak_ready, 180)
    else:
        keycloak_process().start()
    subprocess.run([PY, "-m", "infra.keycloak.realm"], cwd=ROOT, check=True)


# --- services and gateway ---------------------------------------------------------------------
def grpc_serving(target: str) -> bool:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    with grpc.insecure_channel(target) as ch:
        resp = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=1)
        return resp.status == health_pb2.HealthCheckResponse.SERVING


def service_process(name: str) -> Process:
    target = config.grpc_target(name)
    return Process(name, [PY, "-m", f"services.{name}"], lambda: grpc_serving(target), f"grpc://{target}", ready_timeout=60)


def gateway_url() -> str:
    return config.gateway_url()


def gateway_process() -> Process:
    import httpx
    url = gateway_url()
    return Process("gateway", [PY, "-m", "gateway"], lambda: httpx.get(f"{url}/readyz", timeout=2).status_code == 200,
                   f"{url}  (OpenAPI: {url}/docs)", ready_timeout=60)


def evaluator_process() -> Process:
    """The monitoring evaluator (services/supervision/monitoring/evaluator.py): its own process,
    started after the supervision service has migrated the database; ready once its metrics answer."""
    import httpx
    port = int(config.env("SAFETY_EVALUATOR_METRICS_PORT", str(config.ports().services["supervision"][1] + 10)))
    return Process("evaluator", [PY, "-m", "services.supervision.monitoring.evaluator"],
                   lambda: httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).status_code == 200,
                   f"monitoring evaluator (metrics http://127.0.0.1:{port}/metrics)", ready_timeout=60)


def simulator_process() -> Process:
    """The demo enterprises' sensors (services/supervision/monitoring/simulator.py): demo instance only."""
    import httpx
    port = int(config.env("SAFETY_SIMULATOR_METRICS_PORT", str(config.ports().services["supervision"][1] + 11)))
    return Process("simulator", [PY, "-m", "services.supervision.monitoring.simulator"],
                   lambda: httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).status_code == 200,
                   "sensor simulator of the demo enterprises (`platformctl stop simulator` stops it)", ready_timeout=60)


def app_processes() -> list[Process]:
    return [service_process(s) for s in SERVICES] + [evaluator_process(), gateway_process()]


def demo_processes() -> list[Process]:
    """Started after the demo data, and only in the demo instance (tests make their own readings)."""
    return [] if INSTANCE else [simulator_process()]


# --- commands ---------------------------------------------------------------------------------
def reserve_ports() -> None:
    """Keep the kernel from handing our fixed ports (50051-50064 lie inside Linux's ephemeral range
    32768-60999) to outgoing connections as their local port, which made a service's bind fail."""
    path = Path("/proc/sys/net/ipv4/ip_local_reserved_ports")
    wanted = sorted({p for plan in config.INSTANCES.values() for pair in plan.services.values() for p in pair}
                    | {p for plan in config.INSTANCES.values() for p in (plan.postgres, plan.kafka, plan.kafka_controller,
                                                                           plan.redis, plan.gateway, plan.gateway_metrics)})
    try:
        current = path.read_text().strip()
        reserved = {int(x) for part in current.split(",") if part for x in _expand(part)}
        missing = [p for p in wanted if p not in reserved]
        if missing:
            path.write_text(",".join(filter(None, [current, *map(str, missing)])))
    except OSError:  # not root, or a container without the sysctl: the ports stay as they are
        pass


def _expand(part: str) -> range:
    lo, _, hi = part.partition("-")
    return range(int(lo), int(hi or lo) + 1)


def up(demo: bool = True) -> None:
    started = time.monotonic()
    reserve_ports()
    pg_start()
    kafka_start()
    redis_process().start()
    keycloak_start()
    for p in app_processes():
        p.start()
    # Stored values derived from rule tables (a major hazard's grade) follow the tables shipped.
    subprocess.run([PY, "-m", "services.datacenter.registry.rederive"], cwd=ROOT, check=True)
    if demo:
        subprocess.run([PY, "-m", "infra.demo"], cwd=ROOT, check=True)
        if not INSTANCE:  # the tests make their own records; only people browse the Pingliang data set
            subprocess.run([PY, "-m", "services.datacenter.seed", "--scale", "200", "--if-empty"], cwd=ROOT, check=True)
        for p in demo_processes():
            p.start()
    say(f"platform up in {time.monotonic() - started:.1f}s — `make status` for details, `make down` to stop")


def down() -> None:
    for p in reversed(app_processes() + demo_processes()):
        p.stop()
    if not SHARED_KEYCLOAK:
        keycloak_process().stop(timeout=60)
    redis_process().stop()
    kafka_process().stop(timeout=60)
    pg_stop()


def rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for child in Path(f"/proc/{p}/task/{p}/children").read_text().split():
                todo.append(int(child))
        except FileNotFoundError:
            pass
    return total / 1024


def status() -> int:
    rows, total = [], 0.0
    pg_pid = None
    try:
        pg_pid = int((PG_DATA / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError, PermissionError):
        pass
    entries = [("postgres", pg_pid if pg_pid and _exists(pg_pid) else None, f"postgresql://{PG.host}:{PG.port}")]
    for p in [kafka_process(), redis_process(), *([] if SHARED_KEYCLOAK else [keycloak_process()]), *app_processes(),
              *demo_processes()]:
        entries.append((p.name, p.pid(), p.describe))
    down_count = 0
    for name, pid, where in entries:
        mem = rss_mib(pid) if pid else 0.0
        total += mem
        down_count += pid is None and name != "simulator"  # the simulator may be stopped on purpose
        rows.append(f"  {name:<12} {'running' if pid else 'stopped':<8} {str(pid or '-'):>8} {mem:8.0f} MiB  {where}")
    if SHARED_KEYCLOAK:
        rows.insert(2, f"  {'keycloak':<12} {'shared':<8} {'-':>8} {'':>12}  {KC.url} (the demo instance's server, realm {KC.realm})")
    print(f"  {'component':<12} {'state':<8} {'pid':>8} {'rss':>12}  address")
    print("\n".join(rows))
    print(f"  {'total':<12} {'':<8} {'':>8} {total:8.0f} MiB")
    return 1 if down_count else 0


def component(name: str):
    table = {"postgres": (pg_start, pg_stop), "kafka": (kafka_start, lambda: kafka_process().stop(timeout=60)),
             "keycloak": (keycloak_start, lambda: keycloak_process().stop(timeout=60)),
             "redis": (redis_process().start, redis_process().stop)}
    table.update({p.name: (p.start, p.stop) for p in app_processes() + demo_processes()})
    if name not in table:
        raise SystemExit(f"unknown component {name}; one of: {', '.join(table)}")
    return table[name]


def main() -> None:
    ap = argparse.ArgumentParser(prog="platformctl")
    ap.add_argument("command", choices=["up", "down", "status", "start", "stop", "restart", "infra"])
    ap.add_argument("name", nargs="?")
    ap.add_argument("--no-demo", action="store_true")
    args = ap.parse_args()
    if args.command == "up":
        up(demo=not args.no_demo)
    elif args.command == "infra":
        pg_start(); kafka_start(); redis_process().start(); keycloak_start()
    elif args.command == "down":
        down()
    elif args.command == "status":
        sys.exit(status())
    else:
        if not args.name:
            raise SystemExit(f"{args.command} needs a component name")
        start, stop = component(args.name)
        if args.command in ("stop", "restart"):
            stop()
        if args.command in ("start", "restart"):
            start()


if __name__ == "__main__":
    main()
