"""The outbox relay: publishes unpublished outbox rows to Kafka, in order, and marks each row
published only after the broker acknowledged it. If Kafka is away the rows wait; nothing is lost.

Delivery is at least once (a crash between the ack and the commit republishes the batch), which
is why consumers are idempotent. One relay at a time per database: a transaction-level advisory
lock keeps a second instance of the service from interleaving (and reordering) publications."""
from __future__ import annotations

import logging
import time
from typing import Callable

from kafka.errors import KafkaError
from psycopg_pool import ConnectionPool

from services.kit import kafka as kafka_clients
from services.kit.metrics import OUTBOX_FAILURES, OUTBOX_PENDING, OUTBOX_PUBLISHED
from services.kit.workers import Backoff, Interval, Worker

log = logging.getLogger(__name__)
_RELAY_LOCK_ID = 7_262_801
# Housekeeping of the kit tables, hourly. Published outbox rows are kept for inspection; idempotency
# keys outlive any sensible client retry; processed event ids outlive the longest topic retention
# (30 days, infra/kafka/topics.yaml), after which a redelivery cannot happen.
RETENTION_SQL = (
    "DELETE FROM kit.outbox WHERE published_at < now() - interval '7 days'",
    "DELETE FROM kit.idempotency_keys WHERE created_at < now() - interval '7 days'",
    "DELETE FROM kit.processed_events WHERE processed_at < now() - interval '35 days'",
)
BACKLOG_EVERY_SECONDS = 5.0
CLEANUP_EVERY_SECONDS = 3600.0


class OutboxRelay(Worker):
    def __init__(self, pool: ConnectionPool, bootstrap: str, *, batch_size: int = 200, idle_wait: float = 0.05,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__("outbox-relay")
        self.pool, self.bootstrap = pool, bootstrap
        self.batch_size, self.idle_wait = batch_size, idle_wait
        self._producer = None
        self._backlog = Interval(BACKLOG_EVERY_SECONDS, clock=clock)
        self._cleanup = Interval(CLEANUP_EVERY_SECONDS, clock=clock)

    def run(self) -> None:
        backoff = Backoff()
        while not self.stopping.is_set():
            try:
                published = self.publish_batch()
                backoff.reset()
                self._housekeeping()
                if published == 0 and self.sleep(self.idle_wait):
                    break
            except Exception as exc:  # broker or database away: keep the rows, try again later
                OUTBOX_FAILURES.inc()
                log.warning("outbox publish failed, will retry: %s", exc)
                if self.sleep(backoff.next()):
                    break
        if self._producer is not None:
            self._producer.close(timeout=5)

    def publish_batch(self) -> int:
        with self.pool.connection() as conn, conn.transaction():
            if not conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (_RELAY_LOCK_ID,)).fetchone()[0]:
                return 0
            rows = conn.execute(
                "SELECT seq, topic, record_key, headers, payload FROM kit.outbox"
                " WHERE published_at IS NULL ORDER BY seq LIMIT %s",
                (self.batch_size,),
            ).fetchall()
            if not rows:
                return 0
            producer = self._ensure_producer()
            try:
                futures = [
                    (topic, producer.send(topic, key=key.encode(), value=bytes(payload),
                                          headers=[(k, v.encode()) for k, v in headers.items()]))
                    for _, topic, key, headers, payload in rows
                ]
                producer.flush(timeout=15)
                for topic, future in futures:
                    future.get(timeout=15)  # raises unless acknowledged
            except KafkaError as exc:
                self._record_failure(rows, exc)
                raise
            conn.execute("UPDATE kit.outbox SET published_at = now() WHERE seq = ANY(%s)", ([r[0] for r in rows],))
            for topic, _ in futures:
                OUTBOX_PUBLISHED.labels(topic).inc()
            return len(rows)

    def _record_failure(self, rows, exc: Exception) -> None:
        # Outside the failed transaction, so the attempt count survives its rollback.
        try:
            with self.pool.connection() as conn:
                conn.execute("UPDATE kit.outbox SET attempts = attempts + 1, last_error = %s WHERE seq = ANY(%s)",
                             (str(exc)[:500], [r[0] for r in rows]))
        except Exception:
            pass

    def _ensure_producer(self):
        if self._producer is None:
            self._producer = kafka_clients.producer(self.bootstrap)
        return self._producer

    def _housekeeping(self) -> None:
        if self._backlog.due():
            self._backlog.done()
            with self.pool.connection() as conn:  # cheap: the partial index holds only unpublished rows
                OUTBOX_PENDING.set(conn.execute("SELECT count(*) FROM kit.outbox WHERE published_at IS NULL").fetchone()[0])
        if self._cleanup.due():
            self._cleanup.done()
            with self.pool.connection() as conn:
                for sql in RETENTION_SQL:
                    conn.execute(sql)
