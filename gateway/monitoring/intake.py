"""The readings intake of one gateway worker: which points each enterprise has (asked of the
supervision service, kept for a short while), the check of every reading (the pure rule
services.supervision.monitoring.rules.check_reading), and the producer that puts an accepted
request on Kafka as one columnar ReadingBatch, answering only once every in-sync replica holds it.

A retried request (same Idempotency-Key and body) is answered from Redis with the first answer
and not produced again; if that answer was lost, the batch is produced again under the same
batch_id and the evaluator stores its readings once (a reading is unique by point and time)."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import time

import orjson

from safety.supervision.events.v1 import monitoring_events_pb2 as ev
from services.kit import kafka as kafka_clients
from services.kit.errors import Unavailable
from services.supervision.monitoring import rules

log = logging.getLogger(__name__)
CATALOGUE_SECONDS = 30.0
REFRESH_SECONDS = 0.2   # a batch naming an unknown point asks again, at most this often per enterprise
IDEMPOTENCY_SECONDS = 24 * 3600


class KafkaUnavailable(Unavailable):
    def __init__(self):
        super().__init__("消息队列暂时不可用，本批数据未接收，请稍后重试", "The message broker is unavailable; nothing was accepted, retry later")
        self.retry_after = 5


class Intake:
    def __init__(self, bootstrap: str):
        self.bootstrap = bootstrap
        self._producer = None
        self._catalogues: dict[str, tuple[float, dict[str, tuple[int, str]]]] = {}

    def producer(self):
        if self._producer is None:
            self._producer = kafka_clients.producer(self.bootstrap, client_id="gateway-intake")
        return self._producer

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=5)

    async def catalogue(self, uscc: str, fetch, *, max_age: float = CATALOGUE_SECONDS) -> dict[str, tuple[int, str]]:
        """The enterprise's points, at most `max_age` seconds old. A batch naming a point the held copy
        does not know asks again (max_age=REFRESH_SECONDS): a point just registered is taken at once."""
        held = self._catalogues.get(uscc)
        if held and time.monotonic() - held[0] < max_age:
            return held[1]
        response, _ = await fetch()  # gateway.clients.call: (response, trailers)
        points = {p.point_code: (p.id, p.quantity) for p in response.points}
        self._catalogues[uscc] = (time.monotonic(), points)
        return points

    async def publish(self, batch: ev.ReadingBatch) -> None:
        """Returns once Kafka acknowledged (acks=all); KafkaUnavailable otherwise."""
        try:
            future = self.producer().send(kafka_clients.topic("safety.supervision.readings.v1"), key=batch.uscc.encode(),
                                          value=batch.SerializeToString())
            await asyncio.get_running_loop().run_in_executor(None, lambda: future.get(timeout=10))
        except Exception as exc:  # KafkaError, a full buffer, the ack's timeout: nothing was accepted
            log.warning("intake: Kafka refused a batch of %s: %s", batch.uscc, exc)
            raise KafkaUnavailable() from None


def batch_id(uscc: str, idempotency_key: str) -> str:
    return hashlib.sha256(f"{uscc}\n{idempotency_key}".encode()).hexdigest()[:32]


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def check(items: list, catalogue: dict[str, tuple[int, str]], *, now_ms: int, table: dict):
    """(columns of the accepted readings, rejections). A reading repeated within the request
    (same point and time) is accepted once."""
    index: dict[int, int] = {}
    ids, codes, point_index, times, values = [], [], [], [], []
    seen: set[tuple[int, int]] = set()
    rejected = []
    for i, item in enumerate(items):
        out = rules.check_reading(i, item, catalogue, now_ms=now_ms, table=table)
        if isinstance(out, rules.Rejection):
            rejected.append(out)
            continue
        pid, t, v = out
        if (pid, t) in seen:
            continue
        seen.add((pid, t))
        if pid not in index:
            index[pid] = len(ids)
            ids.append(pid)
            codes.append(item["point"])
        point_index.append(index[pid])
        times.append(t)
        values.append(v)
    return (ids, codes, point_index, times, values), rejected


def answer(accepted: int, rejected: list) -> bytes:
    return orjson.dumps({"accepted": accepted, "rejected": [
        {"index": r.index, "point": r.point, "code": r.code, "message": r.message, "message_en": r.message_en} for r in rejected]})
