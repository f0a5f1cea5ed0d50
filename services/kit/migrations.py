"""Versioned SQL migrations, applied at service start.

Files are `NNNN_description.sql` in a folder; each is applied once, in order, in its own
transaction, and recorded in kit.schema_migrations under a namespace ("kit" for the tables this
package needs, the service's name for its own). An advisory lock keeps two starting instances from
racing. A checksum guards against an applied file being edited afterwards."""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import psycopg

log = logging.getLogger(__name__)
KIT_MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_ID = 7_262_800  # arbitrary, constant across services (each has its own database)


class MigrationError(RuntimeError):
    pass


def pending(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.sql") if p.name[:4].isdigit())


def apply(dsn: str, *, namespace: str, directory: Path) -> list[str]:
    applied_now: list[str] = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))
        try:
            conn.execute("CREATE SCHEMA IF NOT EXISTS kit")
            conn.execute(
                """CREATE TABLE IF NOT EXISTS kit.schema_migrations (
                       namespace text NOT NULL, version text NOT NULL, checksum text NOT NULL,
                       applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (namespace, version))"""
            )
            done = dict(conn.execute("SELECT version, checksum FROM kit.schema_migrations WHERE namespace = %s", (namespace,)).fetchall())
            for path in pending(directory):
                sql = path.read_text(encoding="utf-8")
                checksum = hashlib.sha256(sql.encode()).hexdigest()
                version = path.stem
                if version in done:
                    if done[version] != checksum:
                        raise MigrationError(f"{namespace}/{path.name} changed after it was applied; add a new migration instead")
                    continue
                with conn.transaction():
                    conn.execute(sql)
                    conn.execute("INSERT INTO kit.schema_migrations (namespace, version, checksum) VALUES (%s, %s, %s)", (namespace, version, checksum))
                applied_now.append(f"{namespace}/{version}")
                log.info("migration applied", extra={"fields": {"migration": f"{namespace}/{version}"}})
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_ID,))
    return applied_now


def apply_all(dsn: str, *, service: str, directory: Path) -> list[str]:
    return apply(dsn, namespace="kit", directory=KIT_MIGRATIONS) + apply(dsn, namespace=service, directory=directory)
