"""Transactional outbox: write an event in the same transaction as the state change it reports."""
from __future__ import annotations

import json

import psycopg

from services.kit.cloudevents import CloudEvent


def enqueue(conn: psycopg.Connection, *, topic: str, key: str, event: CloudEvent) -> None:
    headers = {k: v.decode() for k, v in event.headers()}
    conn.execute(
        "INSERT INTO kit.outbox (event_id, topic, record_key, headers, payload) VALUES (%s, %s, %s, %s, %s)",
        (event.id, topic, key, json.dumps(headers, ensure_ascii=False), event.data),
    )
