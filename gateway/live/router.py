"""GET /api/v1/live/<database path> — Server-Sent Events: a stream of the changes of one record kind
that the caller may see, for pages that show them (the data centre's lists refresh themselves).

- Who may listen, and what they hear, is exactly what the kind's list allows: the route declares the
  list's Permission, and each change is shown only if `registry.access.visible` lets this caller read
  the record (region for staff and integrators, ownership for an enterprise) — the rule the data
  centre applies to its own reads, so a stream cannot tell anyone of a record they could not open.
- An event names the change, never the data: {kind, id, operation, version, changed_at}. The page
  reads the record through the REST API, which masks personal data as always.
- `id:` of each event is the stream's position (the next Kafka offset per partition of the kind's
  topic). EventSource sends it back as Last-Event-ID when it reconnects, to any worker or gateway
  copy: the changes since are replayed, or `event: reset` tells the page to reload if they are no
  longer kept. A stream ends after `timeout` seconds (the browser reconnects at once, and its access
  is checked again); `: keep-alive` comments every 15 s keep proxies from closing it."""
from __future__ import annotations

import asyncio
import json
import time

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from gateway.live.feed import Feed, format_position, parse_position
from gateway.openapi import PROBLEMS
from gateway.records.router import list_permission
from services.datacenter.registry import access
from services.datacenter.registry.catalogue import ALL
from services.datacenter.registry.events import topic
from services.datacenter.registry.spec import Kind
from services.kit.auth import Principal

router = APIRouter(tags=["实时更新 live"])
KEEPALIVE_SECONDS = 15.0
READY_WAIT_SECONDS = 5.0
_SSE = {200: {"description": "text/event-stream：事件 change（变更）、reset（请重新加载）",
              "content": {"text/event-stream": {"schema": {"type": "string"}}}}}


def topics() -> list[str]:
    return [topic(k) for k in ALL]


def summary(kind: Kind, data: dict) -> dict:
    return {"kind": kind.name, "id": data["id"], "operation": data["operation"], "version": data["version"],
            "changed_at": data["changed_at"]}


def event(name: str, data: dict, position: dict[int, int] | None = None) -> str:
    head = f"id: {format_position(position)}\n" if position is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def changes(request: Request, feed: Feed, kind: Kind, principal: Principal, last_event_id: str | None, timeout: float):
    buffer = feed.buffers[topic(kind)]
    wake = feed.subscribe(topic(kind))
    try:
        yield "retry: 2000\n\n"
        deadline = time.monotonic() + timeout
        ready_by = time.monotonic() + READY_WAIT_SECONDS
        while not feed.ready.is_set() and time.monotonic() < min(deadline, ready_by):
            await asyncio.sleep(0.05)
        position = parse_position(last_event_id)
        if position is None:
            position = buffer.head()
        elif buffer.missed(position):
            position = buffer.head()
            yield event("reset", {"kind": kind.name, "reason": "missed"}, position)
        while time.monotonic() < deadline and not await request.is_disconnected():
            wake.clear()
            for c in buffer.after(position):
                position[c.partition] = max(position.get(c.partition, 0), c.offset + 1)
                if access.visible(principal, kind, c.data):  # uses the record's uscc and region_code
                    yield event("change", summary(kind, c.data), dict(position))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(wake.wait(), timeout=min(KEEPALIVE_SECONDS, remaining))
            except asyncio.TimeoutError:
                yield ": keep-alive\n\n"
    finally:
        feed.unsubscribe(topic(kind), wake)


def add_kind(kind: Kind) -> None:
    lister = list_permission(kind)

    async def live(request: Request, principal=lister.dependency(),
                   timeout: int = Query(300, ge=0, le=3600, description="秒：到时结束本次连接（浏览器自动重连）"),
                   last_event_id: str | None = Header(None, alias="Last-Event-ID", max_length=400)):
        feed: Feed = request.app.state.live
        return StreamingResponse(changes(request, feed, kind, principal, last_event_id, timeout), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    router.add_api_route(f"/api/v1/live/{kind.path}", live, methods=["GET"], name=f"{kind.name}.live", responses={**PROBLEMS, **_SSE},
                         response_class=StreamingResponse,
                         summary=f"{kind.label}实时变更（SSE） / Live changes of {kind.name} records (Server-Sent Events)")


for _kind in ALL:
    add_kind(_kind)
