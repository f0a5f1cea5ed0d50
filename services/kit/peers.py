"""Calls from one service to another on the caller's behalf (e.g. supervision writes an
inspection's findings into the data centre's hazard database).

The caller's bearer token, request id and trace context travel on, so the called service checks
the same person's role, region and ownership again and its audit trail names that person, not a
service account. Every call has a deadline; a failure becomes the DomainError the other service
raised (a 422 from the data centre reaches the client as the same field errors). Channels are
opened once per process and shared by threads."""
from __future__ import annotations

import threading

import grpc

from services.kit import config, context
from services.kit.errors import Unauthenticated, from_rpc_error

_lock = threading.Lock()
_channels: dict[str, grpc.Channel] = {}


def channel(service: str) -> grpc.Channel:
    with _lock:
        ch = _channels.get(service)
        if ch is None:
            ch = _channels[service] = grpc.insecure_channel(config.grpc_target(service), options=[
                ("grpc.keepalive_time_ms", 30_000), ("grpc.max_receive_message_length", 64 * 1024 * 1024)])
        return ch


def metadata(*, idempotency_key: str | None = None) -> list[tuple[str, str]]:
    token = context.bearer.get()
    if not token:
        raise Unauthenticated("缺少调用者凭据，无法代为调用", "No caller credentials to forward")
    md = [("authorization", token), ("x-request-id", context.request_id.get() or ""),
          ("traceparent", context.trace.get().child().traceparent if context.trace.get() else "")]
    if context.client_ip.get():
        md.append(("x-client-ip", context.client_ip.get()))
    if idempotency_key:
        md.append(("idempotency-key", idempotency_key))
    return [(k, v) for k, v in md if v]


def call(method, request, *, idempotency_key: str | None = None, timeout: float | None = None):
    """`method` is a bound stub method (e.g. RecordServiceStub(channel('datacenter')).CreateRecord)."""
    try:
        return method(request, metadata=metadata(idempotency_key=idempotency_key), timeout=timeout or config.rpc_deadline_seconds())
    except grpc.RpcError as exc:
        raise from_rpc_error(exc.code(), exc.details() or "", exc.trailing_metadata()) from None
