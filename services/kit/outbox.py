"""Transactional outbox: write an event in the same transaction as the state change it reports."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Iterable

import orjson
import psycopg

from services.kit.cloudevents import CloudEvent


def _row(topic: str, key: str, event: CloudEvent) -> tuple:
    headers = {k: v.decode() for k, v in event.headers()}
    return event.id, topic, key, json.dumps(headers, ensure_ascii=False), event.data


def enqueue(conn: psycopg.Connection, *, topic: str, key: str, event: CloudEvent) -> None:
    conn.execute("INSERT INTO kit.outbox (event_id, topic, record_key, headers, payload) VALUES (%s, %s, %s, %s, %s)",
                 _row(topic, key, event))


def enqueue_many(conn: psycopg.Connection, events: Iterable[tuple[str, str, CloudEvent]]) -> None:
    """Bulk writes (imports, demo data): (topic, key, event) streamed with COPY, same rows as enqueue."""
    with conn.cursor() as cur, cur.copy("COPY kit.outbox (event_id, topic, record_key, headers, payload) FROM STDIN") as cp:
        for topic, key, event in events:
            cp.write_row(_row(topic, key, event))


def enqueue_json(conn: psycopg.Connection, *, topic: str, key: str, source: str, type_: str, subject: str, data: dict) -> None:
    """A JSON CloudEvent (the platform subsystems' events documented in proto/asyncapi.yaml);
    `data` must hold no personal data beyond what its AsyncAPI schema says."""
    event = CloudEvent(id=str(uuid.uuid4()), source=source, type=type_, subject=subject, time=datetime.now(timezone.utc),
                       data=orjson.dumps(data, default=_iso, option=orjson.OPT_PASSTHROUGH_DATETIME), dataschema=f"asyncapi:{type_}")
    enqueue(conn, topic=topic, key=key, event=event)


def _iso(v):
    if isinstance(v, datetime):
        return v.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if hasattr(v, "isoformat"):
        return v.isoformat()
    raise TypeError(f"not JSON: {type(v).__name__}")
