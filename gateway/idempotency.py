"""Idempotency-Key: required on every POST under /api/ (tests/unit/test_gateway_routes.py checks
that each POST route declares it). The service stores the key with the write in one transaction:
a replay returns the first response (marked Idempotency-Replayed: true); the same key with a
different body is refused with 409."""
from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

HEADER = "Idempotency-Key"
IdempotencyKey = Annotated[str, Header(
    alias=HEADER, min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$",
    description="幂等键（如 UUID）。重试时携带相同的键：返回首次结果，不会重复执行；同一键用于不同内容将被拒绝（409）。")]


def mark_replay(response: Response, trailers: dict[str, str]) -> None:
    if trailers.get("idempotency-replayed") == "true":
        response.headers["Idempotency-Replayed"] = "true"
