"""Timed jobs that stay correct with several copies of a process running: each job's run is one
transaction that first takes the job's transaction-level advisory lock (pg_try_advisory_xact_lock),
and a copy that does not get it skips that run; or, for a job marked OWN_TRANSACTIONS (it commits
as it goes), a session-level lock held for the run. Nothing lives between runs but the database."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import psycopg
from psycopg_pool import ConnectionPool

from services.kit.workers import Worker

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    lock_id: int                     # unique across the platform's jobs
    every: float                     # seconds between runs
    run: Callable[[psycopg.Connection, datetime], None]   # (conn, the database's now())
    last: float = -1e9


def db_now(conn: psycopg.Connection) -> datetime:
    return conn.execute("SELECT now()").fetchone()[0]


class Scheduler(Worker):
    def __init__(self, pool: ConnectionPool, jobs: list[Job], *, name: str):
        super().__init__(name)
        self.pool, self.jobs = pool, jobs

    def run_once(self, job: Job) -> bool:
        """One run of `job` if no other copy is running it; True when it ran."""
        if getattr(job.run, "OWN_TRANSACTIONS", False):
            with self.pool.connection() as conn:
                conn.autocommit = True
                if not conn.execute("SELECT pg_try_advisory_lock(%s)", (job.lock_id,)).fetchone()[0]:
                    return False
                try:
                    job.run(conn, db_now(conn))
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (job.lock_id,))
                    conn.autocommit = False
            return True
        with self.pool.connection() as conn, conn.transaction():
            if not conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (job.lock_id,)).fetchone()[0]:
                return False
            job.run(conn, db_now(conn))
        return True

    def run(self) -> None:
        while not self.stopping.is_set():
            for job in self.jobs:
                if time.monotonic() - job.last < job.every:
                    continue
                try:
                    self.run_once(job)
                    job.last = time.monotonic()
                except Exception as exc:  # noqa: BLE001 — database away, or a bad run: try again next round
                    log.warning("job %s failed: %s", job.name, exc)
                    job.last = time.monotonic() - job.every + 2.0
            if self.sleep(1.0):
                break
