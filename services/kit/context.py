"""Per-request context (request id, W3C trace context, caller) carried in contextvars, so the
logger, the audit trail and outgoing calls read it without it being passed through every function."""
from __future__ import annotations

import contextvars
import os
import random
from dataclasses import dataclass

# Request, trace and span ids need to be unique, not secret: a per-process Mersenne Twister seeded from
# the OS (again in a forked child) costs a tenth of os.urandom per id, on every request.
_ids = random.Random()
os.register_at_fork(after_in_child=_ids.seed)


def _hex(bits: int) -> str:
    return f"{_ids.getrandbits(bits) or 1:0{bits // 4}x}"  # never all zeros (invalid in W3C trace context)


request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
trace: contextvars.ContextVar["TraceContext | None"] = contextvars.ContextVar("trace", default=None)


@dataclass(frozen=True)
class TraceContext:
    trace_id: str  # 32 hex
    span_id: str   # 16 hex
    sampled: bool = True

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{'01' if self.sampled else '00'}"

    def child(self) -> "TraceContext":
        return TraceContext(self.trace_id, _hex(64), self.sampled)


def parse_traceparent(value: str | None) -> TraceContext | None:
    """W3C traceparent `00-<trace-id>-<parent-id>-<flags>`; anything malformed is ignored."""
    if not value:
        return None
    parts = value.strip().split("-")
    if len(parts) != 4 or len(parts[1]) != 32 or len(parts[2]) != 16:
        return None
    try:
        int(parts[1], 16), int(parts[2], 16)
        flags = int(parts[3], 16)
    except ValueError:
        return None
    if set(parts[1]) == {"0"} or set(parts[2]) == {"0"}:
        return None
    return TraceContext(parts[1], parts[2], bool(flags & 1))


def new_trace() -> TraceContext:
    return TraceContext(_hex(128), _hex(64))


def new_request_id() -> str:
    return _hex(128)

# The client's idempotency key for the current write call, if it sent one.
idempotency_key: contextvars.ContextVar[str | None] = contextvars.ContextVar("idempotency_key", default=None)

# The caller's bearer token as it arrived, so a service calling another service on the caller's
# behalf (services/kit/peers.py) forwards it and the other service re-checks the same identity.
bearer: contextvars.ContextVar[str | None] = contextvars.ContextVar("bearer", default=None)

# Where the call came from: the gateway puts the client's address in metadata (x-client-ip).
# Informational, for the audit trail; never used to decide access.
client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)

# The process's own service name, for audit entries ("gateway", "datacenter", ...). Set once at start-up.
_service_name = "unknown"


def set_service(name: str) -> None:
    global _service_name
    _service_name = name


def service() -> str:
    return _service_name
