"""Configuration from environment variables, with safe local defaults.

Every process reads the same variables; the defaults match what `make up` starts on one
machine. Production sets the variables instead (see docs/operations.md)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEZONE = "Asia/Shanghai"

SERVICES = ("datacenter", "govaffairs", "supervision", "emergency")


@dataclass(frozen=True)
class PortPlan:
    """Where one instance of the platform listens on one machine."""
    postgres: int
    kafka: int
    kafka_controller: int
    redis: int
    gateway: int
    gateway_metrics: int
    services: dict[str, tuple[int, int]]  # service → (gRPC port, metrics port)


# Two instances can run side by side on one machine (docs/test-instance.md): the demo instance that
# `make up` starts and people browse, and the test instance that `make test` runs its tests against,
# with its own PostgreSQL cluster, Kafka broker, Redis, Keycloak realm and ports. Keycloak's server is shared.
INSTANCES: dict[str, PortPlan] = {
    "": PortPlan(postgres=5433, kafka=9092, kafka_controller=9093, redis=6390, gateway=8000, gateway_metrics=9100,
                 services={"datacenter": (50051, 9101), "govaffairs": (50052, 9102),
                           "supervision": (50053, 9103), "emergency": (50054, 9104)}),
    "test": PortPlan(postgres=5434, kafka=9094, kafka_controller=9095, redis=6391, gateway=8020, gateway_metrics=9120,
                     services={"datacenter": (50061, 9121), "govaffairs": (50062, 9122),
                               "supervision": (50063, 9123), "emergency": (50064, 9124)}),
}
REALMS = {"": "safety", "test": "safety-test"}


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def instance() -> str:
    """"" for the demo instance, "test" for the one the tests run against (SAFETY_INSTANCE)."""
    name = env("SAFETY_INSTANCE", "")
    if name not in INSTANCES:
        raise ValueError(f"SAFETY_INSTANCE={name!r}: one of {sorted(INSTANCES)}")
    return name


def ports() -> PortPlan:
    return INSTANCES[instance()]


def state_dir() -> Path:
    """Where this instance keeps its local state (data, pid files, logs): .var/ for the demo
    instance, .var/<instance>/ for another."""
    return REPO_ROOT / ".var" / instance() if instance() else REPO_ROOT / ".var"


def gateway_url() -> str:
    """Where clients (tests, the demo loader, scripts) reach the gateway."""
    return env("SAFETY_GATEWAY_URL", f"http://127.0.0.1:{ports().gateway}").rstrip("/")


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    admin_user: str
    admin_password: str

    def dsn(self, database: str, user: str, password: str) -> str:
        return f"host={self.host} port={self.port} dbname={database} user={user} password={password}"


@dataclass(frozen=True)
class Keycloak:
    url: str
    realm: str
    audience: str  # the `aud` every API token must carry

    @property
    def issuer(self) -> str:
        return f"{self.url}/realms/{self.realm}"


def postgres() -> Postgres:
    return Postgres(
        host=env("SAFETY_PG_HOST", "127.0.0.1"),
        port=int(env("SAFETY_PG_PORT", str(ports().postgres))),
        admin_user=env("SAFETY_PG_ADMIN_USER", "safety_admin"),
        admin_password=env("SAFETY_PG_ADMIN_PASSWORD", "safety-admin-local-only"),
    )


def keycloak() -> Keycloak:
    return Keycloak(
        url=env("SAFETY_KEYCLOAK_URL", "http://127.0.0.1:8180").rstrip("/"),
        realm=env("SAFETY_KEYCLOAK_REALM", REALMS[instance()]),
        audience=env("SAFETY_API_AUDIENCE", "safety-api"),
    )


def jurisdiction() -> str:
    """The region this installation serves (GB/T 2260); records outside it are refused."""
    return env("SAFETY_JURISDICTION", "620800")


def kafka_bootstrap() -> str:
    return env("SAFETY_KAFKA_BOOTSTRAP", f"127.0.0.1:{ports().kafka}")


def redis_url() -> str:
    """The gateway's shared state across its workers and copies (rate limits): Redis, from Debian."""
    return env("SAFETY_REDIS_URL", f"redis://127.0.0.1:{ports().redis}/0")


def grpc_target(service: str) -> str:
    """Where callers reach a service's gRPC server."""
    return env(f"SAFETY_{service.upper()}_GRPC_TARGET", f"127.0.0.1:{ports().services[service][0]}")


def rpc_deadline_seconds() -> float:
    return float(env("SAFETY_RPC_DEADLINE_SECONDS", "5"))


def database_dsn(name: str) -> str:
    """The DSN of a process's own database (one database and login role per service)."""
    upper = name.upper()
    return os.environ.get(f"SAFETY_{upper}_DSN") or postgres().dsn(
        database=name, user=name, password=env(f"SAFETY_{upper}_DB_PASSWORD", f"{name}-local-only"))


@dataclass(frozen=True)
class ServiceSettings:
    name: str
    grpc_listen: str
    metrics_port: int
    database_dsn: str
    kafka_bootstrap: str
    keycloak: Keycloak
    pool_max_size: int
    shutdown_grace_seconds: float

    @classmethod
    def from_env(cls, name: str) -> "ServiceSettings":
        grpc_port, metrics_port = ports().services[name]
        upper = name.upper()
        return cls(
            name=name,
            grpc_listen=env(f"SAFETY_{upper}_GRPC_LISTEN", f"127.0.0.1:{grpc_port}"),
            metrics_port=int(env(f"SAFETY_{upper}_METRICS_PORT", str(metrics_port))),
            database_dsn=database_dsn(name),
            kafka_bootstrap=kafka_bootstrap(),
            keycloak=keycloak(),
            pool_max_size=int(env("SAFETY_DB_POOL_MAX", "10")),
            shutdown_grace_seconds=float(env("SAFETY_SHUTDOWN_GRACE_SECONDS", "10")),
        )
