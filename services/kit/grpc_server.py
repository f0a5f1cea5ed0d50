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

from services.kit import context, log as kitlog, metrics, migrations
from services.kit.auth import TokenVerifier, bearer_token, principal_var
from services.kit.config import ServiceSettings
from services.kit.consumer import EventConsumer, Subscription
from services.kit.db import open_pool
from services.kit.errors import DomainError, Unavailable, to_rpc_status
from services.kit.relay import OutboxRelay

log = logging.getLogger(__name__)
_UNAUTHENTICATED_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


@dataclass
class Runtime:
    """What a service's wiring function gets to build its servicers and subscriptions."""
    settings: ServiceSettings
    pool: ConnectionPool
    verifier: TokenVerifier


@dataclass
class ServiceDefinition:
    name: str
    migrations: Path
    # (add_XServicer_to_server, servicer instance, full service name) for each gRPC service
    servicers: Callable[[Runtime], list[tuple[Callable, object, str]]]
    subscriptions: Callable[[Runtime], list[Subscription]] = field(default=lambda rt: [])


class ContextInterceptor(grpc.ServerInterceptor):
    """Per call: request id and trace context from metadata, the caller's token verified into a
    Principal, DomainErrors mapped to status codes with details, and metrics."""

    def __init__(self, verifier: TokenVerifier):
        self.verifier = verifier

    def intercept_service(self, continuation, details):
        handler = continuation(details)
        if handler is None or handler.unary_unary is None or details.method.startswith(_UNAUTHENTICATED_PREFIXES):
            return handler
        inner, method = handler.unary_unary, details.method

        def call(request, ctx: grpc.ServicerContext):
            md = {k: v for k, v in ctx.invocation_metadata() if isinstance(v, str)}
            parent = context.parse_traceparent(md.get("traceparent"))
            tokens = [
                (context.request_id, context.request_id.set(md.get("x-request-id") or context.new_request_id())),
                (context.trace, context.trace.set(parent.child() if parent else context.new_trace())),
                (context.idempotency_key, context.idempotency_key.set(md.get("idempotency-key"))),
            ]
            started, code = time.perf_counter(), "OK"
            try:
                tokens.append((principal_var, principal_var.set(self.verifier.verify(bearer_token(md.get("authorization"))))))
                return inner(request, ctx)
            except (DomainError, psycopg.OperationalError, PoolTimeout) as exc:
                # A database that is away is the platform's trouble, not the caller's: 503, retry later.
                err = exc if isinstance(exc, DomainError) else Unavailable()
                status, message, trailers = to_rpc_status(err)
                code = status.name
                ctx.set_trailing_metadata(trailers)
                ctx.abort(status, message)
            except Exception:
                code = "INTERNAL"
                log.exception("unhandled error in %s", method)
                ctx.abort(grpc.StatusCode.INTERNAL, "internal error")
            finally:
                metrics.RPC_HANDLED.labels(method, code).inc()
                metrics.RPC_SECONDS.labels(method).observe(time.perf_counter() - started)
                for var, token in reversed(tokens):
                    var.reset(token)

        return grpc.unary_unary_rpc_method_handler(call, request_deserializer=handler.request_deserializer,
                                                   response_serializer=handler.response_serializer)


def serve(definition: ServiceDefinition) -> None:
    settings = ServiceSettings.from_env(definition.name)
    kitlog.setup(definition.name)
    migrations.apply_all(settings.database_dsn, service=definition.name, directory=definition.migrations)
    pool = open_pool(settings.database_dsn, name=definition.name, max_size=settings.pool_max_size)
    runtime = Runtime(settings, pool, TokenVerifier(settings.keycloak))

    server = grpc.server(ThreadPoolExecutor(max_workers=16, thread_name_prefix="rpc"),
                         interceptors=[ContextInterceptor(runtime.verifier)],
                         options=[("grpc.so_reuseport", 0)])
    names = []
    for add, servicer, full_name in definition.servicers(runtime):
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
