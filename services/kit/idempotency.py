"""Idempotency keys for write RPCs, kept in the service's own database in the same transaction
as the write, so "the write happened" and "the key is remembered" can never disagree."""
from __future__ import annotations

import hashlib
import re
from typing import Callable, TypeVar

import psycopg
from google.protobuf.message import Message

from services.kit import context
from services.kit.auth import principal_var
from services.kit.errors import Conflict, FieldViolation, invalid

M = TypeVar("M", bound=Message)
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces


def mark_replay(context, replayed: bool) -> None:
    """Tell the gateway (trailer `idempotency-replayed`) that the answer is a stored one."""
    if replayed:
        context.set_trailing_metadata((("idempotency-replayed", "true"),))


def validate_key(key: str) -> None:
    if not _KEY.match(key):
        raise invalid(FieldViolation("Idempotency-Key", "idempotency_key.format",
                                     "幂等键须为1至200个可打印ASCII字符", "Idempotency-Key must be 1-200 printable ASCII characters"))


def run(conn: psycopg.Connection, *, method: str, request: Message, response_type: type[M], work: Callable[[], M],
        stored: Callable[[M], M] | None = None, replay: Callable[[M], M] | None = None) -> tuple[M, bool]:
    """Do `work` once per (caller, method, key). Returns (response, replayed).

    `stored` turns the response into what is kept for replays; a response carrying a secret
    that must be shown only once keeps a copy without it, and a large one keeps a reference that
    `replay` turns back into the answer (read again, in this transaction)."""
    key = context.idempotency_key.get()
    if not key:
        return work(), False
    validate_key(key)
    principal = principal_var.get()
    caller = principal.subject if principal else "anonymous"  # public methods: keys are random UUIDs
    request_hash = hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()
    # Serialise concurrent retries of the same key: the second waits, then sees the first's row.
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{caller}|{method}|{key}",))
    row = conn.execute(
        "SELECT request_hash, response FROM kit.idempotency_keys WHERE caller = %s AND method = %s AND key = %s",
        (caller, method, key),
    ).fetchone()
    if row is not None:
        if row[0] != request_hash:
            raise Conflict("该幂等键已用于内容不同的请求", "This Idempotency-Key was already used with a different request")
        kept = response_type.FromString(bytes(row[1]))
        return (replay(kept) if replay else kept), True
    response = work()
    conn.execute(
        "INSERT INTO kit.idempotency_keys (caller, method, key, request_hash, response) VALUES (%s, %s, %s, %s, %s)",
        (caller, method, key, request_hash, (stored(response) if stored else response).SerializeToString(deterministic=True)),
    )
    return response, False



def once(conn: psycopg.Connection, context, *, method: str, request: Message, response_type: type[M], work: Callable[[], M],
         stored: Callable[[M], M] | None = None, replay: Callable[[M], M] | None = None) -> M:
    """`run`, then the replay trailer for the gateway: a servicer's write in one call."""
    answer, replayed = run(conn, method=method, request=request, response_type=response_type, work=work, stored=stored,
                           replay=replay)
    mark_replay(context, replayed)
    return answer
