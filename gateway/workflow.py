"""Routes of the workflow RPCs (ADR 0009): the REST request's path id, query and JSON body go to
the service as a JsonRequest unchanged, and the service's JSON comes back as it is. The service
validates the body field by field; the gateway only bounds its size and reads `version`."""
from __future__ import annotations

import orjson
from fastapi import Request, Response

from gateway.clients import call
from gateway.idempotency import mark_replay
from gateway.problems import MalformedBody
from safety.supervision.v1 import workflow_pb2 as wpb

JSON_ANSWER = {200: {"content": {"application/json": {"schema": {"type": "object"}}}}}
JSON_BODY = {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}


async def forward(request: Request, method, *, id: str | int = "", idempotency_key: str | None = None, version: int = 0) -> Response:
    raw = await request.body() if request.method in ("POST", "PUT", "PATCH", "DELETE") else b""
    if raw and not version:
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise MalformedBody("请求体不是合法的JSON", "The request body is not valid JSON") from None
        if isinstance(parsed, dict) and isinstance(parsed.get("version"), int) and not isinstance(parsed.get("version"), bool):
            version = parsed["version"]
    query = {k: v for k, v in request.query_params.items()}
    result, trailers = await call(method, wpb.JsonRequest(id=str(id), body=raw, version=version, query=query), request,
                                  idempotency_key=idempotency_key)
    out = Response(content=result.json, media_type="application/json")
    mark_replay(out, trailers)
    return out
