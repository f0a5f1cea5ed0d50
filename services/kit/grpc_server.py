"""gRPC bootstrap shared by every service.

`serve(definition)` applies migrations, opens the pool, starts the server with the standard
health and reflection services and the context interceptor, starts the outbox relay and the
service's consumers, serves metrics, and on SIGTERM/SIGINT drains: health goes NOT_SERVING,
in-flight calls get `shutdown_grace_seconds` to finish, then workers stop and the pool closes."""
from __future__ import annotations

import logging
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from services.kit import audit, context, log as kitlog, metrics, migrations, workdays
from services.kit.auth import TokenVerifier, bearer_token, principal_var
from services.kit.config import ServiceSettings
from services.kit.consumer import EventConsumer, Subscription
from services.kit.db import open_pool
from services.kit.errors import DomainError, Unavailable, to_rpc_status
from services.kit.relay import OutboxRelay
from services.kit.workers import Worker

log = logging.getLogger(__name__)
_UNAUTHENTICATED_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


# Bulk imports carry a whole spreadsheet in one message (the gateway limits uploads below this).
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


@dataclass
class Runtime:
    """What a service's wiring function gets to build its servicers and subscriptions."""
    settings: ServiceSettings
    pool: ConnectionPool
    verifier: TokenVerifier


@dataclass(frozen=True)
class AuditedWrite:
    """A write RPC: its audit action, and the request field naming the record it acts on.
    Servicers list theirs in a class attribute WRITES = {"Method": AuditedWrite(...)}; the
    interceptor audits every refused or failed call of these (successes are audited by the
    servicer in the write's own transaction)."""
    action: str
    target_type: str
    target_field: str = ""


@dataclass
class ServiceDefinition:
    name: str
    migrations: Path
    # (add_XServicer_to_server, servicer instance, full service name) for each gRPC service
    servicers: Callable[[Runtime], list[tuple[Callable, object, str]]]
    subscriptions: Callable[[Runtime], list[Subscription]] = field(default=lambda rt: [])
    # other background loops of the service (kit.workers.Worker), started and stopped with it
    workers: Callable[[Runtime], list[Worker]] = field(default=lambda rt: [])


class ContextInterceptor(grpc.ServerInterceptor):
    """Per call: request id, trace context and client address from metadata; the caller's token
    verified into a Principal (methods listed as public also accept no token); DomainErrors
    mapped to status codes with details; refused write attempts audited; metrics."""

    def __init__(self, verifier: TokenVerifier, pool: ConnectionPool | None = None, *,
                 public: frozenset[str] = frozenset(), writes: dict[str, AuditedWrite] | None = None):
        self.verifier, self.pool = verifier, pool
        self.public, self.writes = public, writes or {}
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}  # method → its handler with the checks, built once

    def intercept_service(self, continuation, details):
        wrapped = self._wrapped.get(details.method)
        if wrapped is not None:
            return wrapped
        handler = continuation(details)
        if handler is None or details.method.startswith(_UNAUTHENTICATED_PREFIXES):
            return handler
        wrapped = self._wrap(handler, details.method)
        self._wrapped[details.method] = wrapped
        return wrapped

    def _wrap(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        if handler.unary_unary is None:
            # Every platform RPC is unary; a streaming one would bypass the token check, so refuse it.
            raise RuntimeError(f"{method}: only unary RPCs are supported by the platform interceptor")
        inner = handler.unary_unary
        write, public = self.writes.get(method), method in self.public

        def call(request, ctx: grpc.ServicerContext):
            md = {k: v for k, v in ctx.invocation_metadata() if isinstance(v, str)}
            parent = context.parse_traceparent(md.get("traceparent"))
            tokens = [
                (context.request_id, context.request_id.set(md.get("x-request-id") or context.new_request_id())),
                (context.trace, context.trace.set(parent.child() if parent else context.new_trace())),
                (context.idempotency_key, context.idempotency_key.set(md.get("idempotency-key"))),
                (context.client_ip, context.client_ip.set(md.get("x-client-ip") or _peer_ip(ctx.peer()))),
                (context.bearer, context.bearer.set(md.get("authorization"))),
            ]
            started, code = time.perf_counter(), "OK"
            try:
                if not (public and not md.get("authorization")):
                    tokens.append((principal_var, principal_var.set(self.verifier.verify(bearer_token(md.get("authorization"))))))
                return inner(request, ctx)
            except (DomainError, psycopg.OperationalError, PoolTimeout) as exc:
                # A database that is away is the platform's trouble, not the caller's: 503, retry later.
                err = exc if isinstance(exc, DomainError) else Unavailable()
                status, message, trailers = to_rpc_status(err)
                code = status.name
                self._audit_refusal(write, request, err.kind, failed=err.http_status >= 500)
                ctx.set_trailing_metadata(trailers)
                ctx.abort(status, message)
            except Exception:
                code = "INTERNAL"
                log.exception("unhandled error in %s", method)
                self._audit_refusal(write, request, "internal", failed=True)
                ctx.abort(grpc.StatusCode.INTERNAL, "internal error")
            finally:
                metrics.RPC_HANDLED.labels(method, code).inc()
                metrics.RPC_SECONDS.labels(method).observe(time.perf_counter() - started)
                for var, token in reversed(tokens):
                    var.reset(token)

        return grpc.unary_unary_rpc_method_handler(call, request_deserializer=handler.request_deserializer,
                                                   response_serializer=handler.response_serializer)

    def _audit_refusal(self, write: AuditedWrite | None, request, reason: str, *, failed: bool) -> None:
        if write is None or self.pool is None:
            return
        target = str(getattr(request, write.target_field, "") or "") if write.target_field else ""
        audit.record_refusal(self.pool, action=write.action, target_type=write.target_type, target_id=target[:200],
                             reason=reason, outcome=audit.FAILED if failed else audit.REFUSED)


def _peer_ip(peer: str) -> str:
    """'ipv4:127.0.0.1:5123' → '127.0.0.1'; 'ipv6:[::1]:5123' → '::1'."""
    kind, _, rest = (peer or "").partition(":")
    if kind == "ipv6" and rest.startswith("["):
        return rest[1:rest.find("]")]
    return rest.rpartition(":")[0] if kind == "ipv4" else ""


def _declared(servicers: list[tuple[Callable, object, str]]) -> tuple[frozenset[str], dict[str, AuditedWrite]]:
    public, writes = set(), {}
    for _, servicer, full_name in servicers:
        public |= {f"/{full_name}/{m}" for m in getattr(servicer, "PUBLIC", ())}
        writes |= {f"/{full_name}/{m}": w for m, w in getattr(servicer, "WRITES", {}).items()}
    return frozenset(public), writes


def serve(definition: ServiceDefinition) -> None:
    settings = ServiceSettings.from_env(definition.name)
    kitlog.setup(definition.name)
    context.set_service(definition.name)
    migrations.apply_all(settings.database_dsn, service=definition.name, directory=definition.migrations)
    pool = open_pool(settings.database_dsn, name=definition.name, max_size=settings.pool_max_size)
    with pool.connection() as conn, conn.transaction():
        workdays.seed_from_package(conn)  # the holiday notices the installed package knows and the table lacks
    runtime = Runtime(settings, pool, TokenVerifier(settings.keycloak))

    declared = definition.servicers(runtime)
    public, writes = _declared(declared)
    server = grpc.server(ThreadPoolExecutor(max_workers=16, thread_name_prefix="rpc"),
                         interceptors=[ContextInterceptor(runtime.verifier, pool, public=public, writes=writes)],
                         options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                                  ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)])
    names = []
    for add, servicer, full_name in declared:
        add(servicer, server)
        names.append(full_name)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(names + [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME], server)
    if server.add_insecure_port(settings.grpc_listen) == 0:
        raise SystemExit(f"cannot listen on {settings.grpc_listen}")
    server.start()
    metrics.serve(settings.metrics_port)

    workers = [OutboxRelay(pool, settings.kafka_bootstrap)]
    workers += [EventConsumer(sub, pool, settings.kafka_bootstrap) for sub in definition.subscriptions(runtime)]
    workers += definition.workers(runtime)
    for w in workers:
        w.start()
    for name in ["", *names]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("serving", extra=kitlog.fields(grpc=settings.grpc_listen, metrics=settings.metrics_port, services=names))

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    log.info("shutting down")
    health_servicer.enter_graceful_shutdown()
    server.stop(settings.shutdown_grace_seconds).wait()
    for w in workers:
        w.stop()
    for w in workers:
        w.join(timeout=15)
    pool.close()
    log.info("stopped")
