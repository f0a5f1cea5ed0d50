"""The live feed of one gateway worker: every change of every data-centre record kind, read from
Kafka, kept for a while, and handed to the browsers' event streams (gateway/live/router.py).

Every worker reads every partition of the record topics itself (assigned partitions, no consumer
group, nothing committed), so each worker sees each change and any worker can serve any browser.
A position is Kafka's own: the next offset per partition of the kind's topic. A browser that comes
back with the position of the last change it saw (Last-Event-ID) gets the changes after it from
whichever worker it reaches, because every worker keeps the most recent changes per partition
(prefilled from Kafka at start); one that was away longer than that is told to reload (`reset`)."""
from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from dataclasses import dataclass

import orjson

from services.kit.workers import Backoff, Worker

log = logging.getLogger(__name__)
KEEP_PER_PARTITION = 2000


@dataclass(frozen=True)
class Change:
    partition: int
    offset: int
    data: dict  # essentials(): id, operation, version, changed_at, and the uscc and region_code that decide who hears of it


def essentials(event: dict) -> dict:
    """What a stream needs of a RecordChanged / EnterpriseChanged event: the change's identity for the
    page, and the owner and region that decide who may hear of it. The record itself stays on Kafka
    (a worker keeps thousands of changes per partition: whole records would be most of its memory)."""
    out = {"id": str(event.get("id") or event.get("scope_id") or event.get("uscc") or ""),
           "operation": str(event.get("operation") or event.get("kind") or event.get("action") or "").lower(),  # EnterpriseChanged: `kind`
           "version": int(event.get("version") or 0), "changed_at": event.get("changed_at"),
           "uscc": event.get("uscc") or None, "region_code": event.get("region_code") or ""}
    for k in _MONITORING:  # an alarm's or a warning's state, which the alarm queue shows without a read
        if k in event:
            out[k] = event[k]
    return out


_MONITORING = ("status", "level", "escalation", "active", "colour", "scope", "condition")


def parse_position(text: str | None) -> dict[int, int] | None:
    """"0:12,1:7,2:0" → {0: 12, 1: 7, 2: 0}; None when absent or malformed (then: live from now)."""
    if not text:
        return None
    try:
        out = {}
        for part in text.split(","):
            p, o = part.split(":")
            if int(p) < 0 or int(o) < 0:
                return None
            out[int(p)] = int(o)
        return out or None
    except ValueError:
        return None


def format_position(position: dict[int, int]) -> str:
    return ",".join(f"{p}:{o}" for p, o in sorted(position.items()))


class TopicBuffer:
    """The recent changes of one topic, per partition, in offset order. Pure: fed by the reader."""

    def __init__(self, keep: int = KEEP_PER_PARTITION):
        self.keep = keep
        self.changes: dict[int, deque[Change]] = {}
        self.next: dict[int, int] = {}       # per partition: the next offset the reader will add
        self.available: dict[int, int] = {}  # per partition: every change from this offset on is kept

    def start(self, partition: int, offset: int) -> None:
        self.changes.setdefault(partition, deque(maxlen=self.keep))
        self.next[partition] = self.available[partition] = offset

    def add(self, change: Change) -> None:
        kept = self.changes.setdefault(change.partition, deque(maxlen=self.keep))
        self.available.setdefault(change.partition, change.offset)
        if len(kept) == kept.maxlen:  # the oldest goes: what is kept now starts after it
            self.available[change.partition] = kept[1].offset if kept.maxlen > 1 else change.offset
        kept.append(change)
        self.next[change.partition] = change.offset + 1

    def head(self) -> dict[int, int]:
        """The position "now": what a stream that starts live begins from."""
        return dict(self.next)

    def missed(self, position: dict[int, int]) -> bool:
        """True when some change from `position` on is no longer kept (or came before this reader
        began): the stream cannot be resumed, the page must reload."""
        return any(o < self.available.get(p, 0) for p, o in position.items())

    def after(self, position: dict[int, int]) -> list[Change]:
        """The kept changes past `position`, partition by partition (order within a partition kept).
        Read from the newest back: a live stream asks for the few changes since its last wake-up."""
        out = []
        for p, kept in self.changes.items():
            start, newer = position.get(p, 0), []
            for c in reversed(kept):
                if c.offset < start:
                    break
                newer.append(c)
            out.extend(reversed(newer))
        return out


class Feed(Worker):
    """Reads the topics in a thread and wakes the streams on the event loop."""

    def __init__(self, bootstrap: str, topics: list[str], *, keep: int = KEEP_PER_PARTITION):
        super().__init__("live-feed")
        self.bootstrap, self.topics = bootstrap, topics
        self.buffers = {t: TopicBuffer(keep) for t in topics}
        self.ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: dict[str, set[asyncio.Event]] = {t: set() for t in topics}

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self, topic: str) -> asyncio.Event:
        e = asyncio.Event()
        self._waiters[topic].add(e)
        return e

    def unsubscribe(self, topic: str, e: asyncio.Event) -> None:
        self._waiters[topic].discard(e)

    def _wake(self, topics: set[str]) -> None:
        """Only the streams of the topics that changed."""
        for t in topics:
            for e in list(self._waiters[t]):
                e.set()

    def run(self) -> None:
        from kafka import KafkaConsumer, TopicPartition
        backoff = Backoff()
        while not self.stopping.is_set():
            consumer = None
            try:
                consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
                                         client_id="gateway-live", request_timeout_ms=15_000)
                parts = [TopicPartition(t, p) for t in self.topics for p in sorted(consumer.partitions_for_topic(t) or ())]
                consumer.assign(parts)
                ends, begins = consumer.end_offsets(parts), consumer.beginning_offsets(parts)
                for tp in parts:
                    buffer = self.buffers[tp.topic]
                    # After a reconnect, carry on where this reader was; at first, keep the last `keep`.
                    start = buffer.next.get(tp.partition, max(begins[tp], ends[tp] - buffer.keep))
                    if tp.partition not in buffer.next:
                        buffer.start(tp.partition, start)
                    consumer.seek(tp, start)
                self.ready.set()
                backoff.reset()
                while not self.stopping.is_set():
                    batch = consumer.poll(timeout_ms=200, max_records=2000)
                    changed: set[str] = set()
                    for tp, records in batch.items():
                        buffer = self.buffers[tp.topic]
                        for r in records:
                            try:
                                data = essentials(orjson.loads(r.value))  # every change, in every worker: the fast parser
                            except (TypeError, ValueError, AttributeError):
                                data = essentials({})
                            buffer.add(Change(r.partition, r.offset, data))
                            changed.add(tp.topic)
                    if changed and self._loop is not None:
                        self._loop.call_soon_threadsafe(self._wake, changed)
            except Exception as exc:  # broker away: keep what is kept, read on from there when it is back
                log.warning("live feed: %s; retrying", exc)
                if self.sleep(backoff.next()):
                    break
            finally:
                if consumer is not None:
                    consumer.close()
