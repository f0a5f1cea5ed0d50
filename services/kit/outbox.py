"""Transactional outbox: write an event in the same transaction as the state change it reports."""
from __future__ import annotations

import json
from typing import Iterable

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
