"""Kafka clients configured once for the whole platform (kafka-python)."""
from __future__ import annotations

from pathlib import Path

import yaml
from kafka import KafkaProducer

from services.kit.config import REPO_ROOT

TOPICS_FILE = REPO_ROOT / "infra" / "kafka" / "topics.yaml"


def producer(bootstrap: str, *, client_id: str = "safety-outbox-relay") -> KafkaProducer:
    """Acknowledged by all in-sync replicas, idempotent, bounded blocking when the broker is away."""
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        retries=5,
        request_timeout_ms=10_000,
        max_block_ms=10_000,
        client_id=client_id,
    )


def declared_topics(path: Path = TOPICS_FILE) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["topics"]


def topic(name: str) -> str:
    """Fail at import time, not at publish time, if code names a topic infra/ does not declare."""
    if name not in {t["name"] for t in declared_topics()}:
        raise KeyError(f"topic {name} is not declared in {TOPICS_FILE}")
    return name
