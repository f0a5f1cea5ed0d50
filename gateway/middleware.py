"""Pure ASGI middleware (no per-request task switch): request id and trace context in and out,
a request-size limit, metrics, and one JSON access-log line per request."""
from __future__ import annotations

import logging
import re
import time

from starlette.requests import Request

from gateway.problems import PayloadTooLarge, problem
from services.kit import context, metrics

log = logging.getLogger("gateway.access")
MAX_BODY_BYTES = 1 << 20
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestContext:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        supplied = headers.get("x-request-id", "")
        rid = supplied if _REQUEST_ID.match(supplied) else context.new_request_id()
        parent = context.parse_traceparent(headers.get("traceparent"))
        tc = parent.child() if parent else context.new_trace()
        tokens = (context.request_id.set(rid), context.trace.set(tc))
        started, state = time.perf_counter(), {"status": 500}

        async def send_with_ids(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode()), (b"traceparent", tc.traceparent.encode())]
            await send(message)

        try:
            length = headers.get("content-length", "0")
            if not length.isdigit() or int(length) > MAX_BODY_BYTES:
                await problem(Request(scope), PayloadTooLarge(f"请求体不得超过 {MAX_BODY_BYTES} 字节", f"Bodies are limited to {MAX_BODY_BYTES} bytes"))(scope, receive, send_with_ids)
            else:
                await self.app(scope, receive, send_with_ids)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            metrics.HTTP_REQUESTS.labels(scope["method"], route, str(state["status"])).inc()
            metrics.HTTP_SECONDS.labels(route).observe(elapsed)
            principal = getattr(scope.get("state", {}).get("principal"), "label", None) if isinstance(scope.get("state"), dict) else None
            log.info("%s %s %s", scope["method"], scope["path"], state["status"],
                     extra={"fields": {"status": state["status"], "route": route, "ms": round(elapsed * 1000, 2), "principal": principal}})
            context.request_id.reset(tokens[0])
            context.trace.reset(tokens[1])
