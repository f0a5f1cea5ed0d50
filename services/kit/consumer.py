"""The Kafka consumer loop: handler → (dead-letter if it must) → commit offsets, in that order.

- At least once: offsets are committed only after every record of a poll was handled.
- Idempotent: each event id is recorded in kit.processed_events in the same transaction as the
  handler's writes, so a redelivered event changes nothing.
- Infrastructure trouble (database away) is waited out with back-off, never dead-lettered.
- A record the handler keeps failing on, or cannot read, goes to the dead-letter topic with the
  error in headers. More than `dlq_cap` dead letters within `dlq_window` seconds stops the consumer:
  a bad release should halt loudly, not dead-letter the whole stream."""
from __future__ import annotations

import collections
import logging
import time
from dataclasses import dataclass
from typing import Callable

import psycopg
from kafka import KafkaConsumer
from psycopg_pool import ConnectionPool, PoolTimeout

from services.kit import kafka as kafka_clients
from services.kit.cloudevents import CloudEvent, MalformedEvent, from_record
from services.kit.metrics import CONSUMED, CONSUMER_HALTED
from services.kit.workers import Backoff, Worker

log = logging.getLogger(__name__)

Handler = Callable[[psycopg.Connection, CloudEvent], None]


class PermanentError(Exception):
    """The handler will never succeed with this event (e.g. it violates a contract)."""


@dataclass(frozen=True)
class Subscription:
    name: str            # consumer group id, and the key under which processed ids are kept
    topics: tuple[str, ...]
    handler: Handler
    dead_letter_topic: str


class _Stopping(Exception):
    pass


class EventConsumer(Worker):
    def __init__(self, sub: Subscription, pool: ConnectionPool, bootstrap: str, *,
                 max_attempts: int = 5, retry_base: float = 0.2, dlq_cap: int = 50, dlq_window: float = 600.0):
        super().__init__(f"consumer-{sub.name}")
        self.sub, self.pool, self.bootstrap = sub, pool, bootstrap
        self.max_attempts, self.retry_base = max_attempts, retry_base
        self.dlq_cap, self.dlq_window = dlq_cap, dlq_window
        self._dead_letters: collections.deque[float] = collections.deque()
        self._consumer: KafkaConsumer | None = None
        self._producer = None

    # --- loop -------------------------------------------------------------------------------
    def run(self) -> None:
        CONSUMER_HALTED.labels(self.sub.name).set(0)
        backoff = Backoff()
        while not self.stopping.is_set():
            try:
                consumer = self._ensure_consumer()
                batch = consumer.poll(timeout_ms=500, max_records=100)
                for records in batch.values():
                    for record in records:
                        self.process(record)
                if batch:
                    consumer.commit()
                backoff.reset()
            except _Stopping:
                break
            except Exception as exc:
                log.warning("consumer %s: %s; retrying", self.sub.name, exc)
                if self.sleep(backoff.next()):
                    break
        self._close()

    def process(self, record) -> None:
        try:
            event = from_record(record.headers, record.value)
        except MalformedEvent as exc:
            self.dead_letter(record, exc)
            return
        infra_backoff = Backoff(cap=5.0)
        attempt = 0
        while True:
            if self.stopping.is_set():
                raise _Stopping()
            attempt += 1
            try:
                outcome = self.handle_once(event)
                CONSUMED.labels(self.sub.name, outcome).inc()
                return
            except (psycopg.OperationalError, PoolTimeout) as exc:
                attempt -= 1  # the database being away is not the event's fault: wait, don't count
                log.warning("consumer %s: database unavailable (%s); waiting", self.sub.name, exc)
                if self.sleep(infra_backoff.next()):
                    raise _Stopping()
            except (MalformedEvent, PermanentError) as exc:
                self.dead_letter(record, exc)
                return
            except Exception as exc:
                if attempt >= self.max_attempts:
                    log.exception("consumer %s: giving up on event %s", self.sub.name, event.id)
                    self.dead_letter(record, exc)
                    return
                log.warning("consumer %s: attempt %d on event %s failed: %s", self.sub.name, attempt, event.id, exc)
                if self.sleep(self.retry_base * (2 ** (attempt - 1))):
                    raise _Stopping()

    def handle_once(self, event: CloudEvent) -> str:
        with self.pool.connection() as conn, conn.transaction():
            fresh = conn.execute(
                "INSERT INTO kit.processed_events (consumer, event_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (self.sub.name, event.id),
            ).rowcount
            if not fresh:
                return "duplicate"
            self.sub.handler(conn, event)
        return "processed"

    # --- dead letters ---------------------------------------------------------------------
    def dead_letter(self, record, exc: Exception) -> None:
        now = time.monotonic()
        self._dead_letters.append(now)
        while self._dead_letters and now - self._dead_letters[0] > self.dlq_window:
            self._dead_letters.popleft()
        if len(self._dead_letters) > self.dlq_cap:
            CONSUMER_HALTED.labels(self.sub.name).set(1)
            log.critical("consumer %s: more than %d dead letters in %ds; stopping", self.sub.name, self.dlq_cap, self.dlq_window)
            self.stopping.set()
            raise _Stopping()
        headers = list(record.headers or []) + [
            ("dlq_consumer", self.sub.name.encode()),
            ("dlq_error", f"{type(exc).__name__}: {exc}"[:1000].encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
        ]
        if self._producer is None:
            self._producer = kafka_clients.producer(self.bootstrap)
        # Wait for the ack: the offset is committed after this, so the record must be safe first.
        self._producer.send(self.sub.dead_letter_topic, key=record.key, value=record.value, headers=headers).get(timeout=15)
        CONSUMED.labels(self.sub.name, "dead_lettered").inc()
        log.error("consumer %s: dead-lettered %s/%d@%d: %s", self.sub.name, record.topic, record.partition, record.offset, exc)

    # --- clients --------------------------------------------------------------------------
    def _ensure_consumer(self) -> KafkaConsumer:
        if self._consumer is None:
            self._consumer = KafkaConsumer(
                *self.sub.topics,
                bootstrap_servers=self.bootstrap,
                group_id=self.sub.name,
                client_id=self.sub.name,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_interval_ms=300_000,
            )
        return self._consumer

    def _close(self) -> None:
        if self._consumer is not None:
            try:
                self._consumer.close(autocommit=False)
            except Exception:
                pass
        if self._producer is not None:
            self._producer.close(timeout=5)
