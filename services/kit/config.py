"""Configuration from environment variables, with safe local defaults.

Every process reads the same variables; the defaults match what `make up` starts on one
machine. Production sets the variables instead (see docs/operations.md)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TIMEZONE = "Asia/Shanghai"

# One place for the local port plan: (gRPC port, metrics port) per service.
SERVICE_PORTS: dict[str, tuple[int, int]] = {
    "datacenter": (50051, 9101),
    "govaffairs": (50052, 9102),
    "supervision": (50053, 9103),
    "emergency": (50054, 9104),
}
GATEWAY_PORT = 8000
GATEWAY_METRICS_PORT = 9100


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


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
        port=int(env("SAFETY_PG_PORT", "5433")),
        admin_user=env("SAFETY_PG_ADMIN_USER", "safety_admin"),
        admin_password=env("SAFETY_PG_ADMIN_PASSWORD", "safety-admin-local-only"),
    )


def keycloak() -> Keycloak:
    return Keycloak(
        url=env("SAFETY_KEYCLOAK_URL", "http://127.0.0.1:8180").rstrip("/"),
        realm=env("SAFETY_KEYCLOAK_REALM", "safety"),
        audience=env("SAFETY_API_AUDIENCE", "safety-api"),
    )


def jurisdiction() -> str:
    """The region this installation serves (GB/T 2260); records outside it are refused."""
    return env("SAFETY_JURISDICTION", "620800")


def kafka_bootstrap() -> str:
    return env("SAFETY_KAFKA_BOOTSTRAP", "127.0.0.1:9092")


def grpc_target(service: str) -> str:
    """Where callers reach a service's gRPC server."""
    return env(f"SAFETY_{service.upper()}_GRPC_TARGET", f"127.0.0.1:{SERVICE_PORTS[service][0]}")


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
        grpc_port, metrics_port = SERVICE_PORTS[name]
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
