"""Pure ASGI middleware (no per-request task switch): request id, trace context and client address
in and out; the request-size limit (declared length and streamed bytes alike); metrics; one JSON
access-log line per request; and the audit entry of a write the gateway refused itself."""
from __future__ import annotations

import logging
import re
import time

from anyio import to_thread
from starlette.exceptions import HTTPException
from starlette.requests import Request

from gateway.problems import PayloadTooLarge, problem
from services.kit import audit, context, metrics
from services.kit.errors import FieldViolation, invalid

log = logging.getLogger("gateway.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_NUL = re.compile(rb"%00|\x00")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed (e.g. chunked) body passes the limit. An HTTPException
    so FastAPI's body parsing lets it through instead of reporting a parse error."""
    def __init__(self, limit: int):
        super().__init__(status_code=413, detail=f"Bodies are limited to {limit} bytes")


# Bulk imports upload whole spreadsheets; every other body stays small.
UPLOAD_PATH_SUFFIX = "/import"
MAX_UPLOAD_BYTES = 32 << 20


class RequestContext:
    def __init__(self, app, *, max_body_bytes: int = 1 << 20):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        supplied = headers.get("x-request-id", "")
        rid = supplied if _REQUEST_ID.match(supplied) else context.new_request_id()
        parent = context.parse_traceparent(headers.get("traceparent"))
        tc = parent.child() if parent else context.new_trace()
        client = (scope.get("client") or ("", 0))[0]
        tokens = (context.request_id.set(rid), context.trace.set(tc), context.client_ip.set(client))
        started, state = time.perf_counter(), {"status": 500}
        limit, received = self.max_body_bytes, 0
        if scope.get("method") == "POST" and scope.get("path", "").endswith(UPLOAD_PATH_SUFFIX):
            limit = MAX_UPLOAD_BYTES

        async def send_with_ids(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode()), (b"traceparent", tc.traceparent.encode())]
            await send(message)

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            length = headers.get("content-length", "0")
            if _NUL.search(scope.get("query_string") or b""):
                # no text column takes a NUL character: refused here, field by field, instead of failing in the database
                await problem(Request(scope), invalid(FieldViolation("query", "query.nul", "查询参数不能包含空字符（NUL）",
                                                                     "Query parameters cannot contain NUL characters")))(scope, receive, send_with_ids)
            elif not length.isdigit() or int(length) > limit:
                await problem(Request(scope), PayloadTooLarge(f"请求体不得超过 {limit} 字节", f"Bodies are limited to {limit} bytes"))(scope, receive, send_with_ids)
            else:
                await self.app(scope, limited_receive, send_with_ids)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            metrics.HTTP_REQUESTS.labels(scope["method"], route, str(state["status"])).inc()
            metrics.HTTP_SECONDS.labels(route).observe(elapsed)
            st = scope.get("state") if isinstance(scope.get("state"), dict) else {}
            principal = st.get("principal")
            log.info("%s %s %s", scope["method"], scope["path"], state["status"],
                     extra={"fields": {"status": state["status"], "route": route, "ms": round(elapsed * 1000, 2),
                                       "principal": getattr(principal, "label", None)}})
            if scope["method"] in WRITE_METHODS and state["status"] >= 400:
                await self._audit_refusal(scope, st, state["status"])
            for var, token in zip((context.request_id, context.trace, context.client_ip), tokens):
                var.reset(token)

    async def _audit_refusal(self, scope, st: dict, status: int) -> None:
        """A write the gateway refused before any service answered (authentication, permission,
        CSRF, validation, rate limit, size). Writes a service answered are audited by that service."""
        route = scope.get("route")
        pool = getattr(scope.get("app").state, "pool", None) if scope.get("app") else None
        if route is None or pool is None or st.get("service_answered") or st.get("audit_refusal") is False:
            return
        params = scope.get("path_params") or {}
        # anyio runs the function in a copy of this context: request id, trace and address come along.
        await to_thread.run_sync(lambda: audit.record_refusal(
            pool, action=getattr(route, "name", "") or route.path, target_type=route.path,
            target_id="/".join(str(v) for v in params.values()), reason=st.get("problem") or str(status),
            outcome=audit.FAILED if status >= 500 else audit.REFUSED, principal=st.get("principal"),
            summary={"method": scope["method"], "path": scope["path"], "status": status}))
