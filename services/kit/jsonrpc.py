"""The answers and path ids of the JSON workflow RPCs on safety.common.v1 (ADR 0010 (a)), once for
every servicer that uses them."""
from __future__ import annotations

from safety.common.v1 import json_pb2 as cpb
from services.kit import jsonio
from services.kit.errors import NotFound


def answer(data) -> cpb.JsonResponse:
    """The REST page's JSON (jsonio.dumps: Asia/Shanghai times, decimals as numbers)."""
    return cpb.JsonResponse(json=jsonio.dumps(data))


def record_id(raw: str, not_found: tuple[str, str]) -> int:
    """A path id as a positive bigint; anything else reads as absent (`not_found`: Chinese, English)."""
    if not raw.isdigit() or not 0 < int(raw) < 2**63:
        raise NotFound(*not_found)
    return int(raw)
