"""Prometheus metrics shared by every process. Each process serves them on its metrics port."""
from prometheus_client import Counter, Gauge, Histogram, start_http_server

RPC_HANDLED = Counter("grpc_server_handled_total", "gRPC calls handled", ["method", "code"])
RPC_SECONDS = Histogram("grpc_server_handling_seconds", "gRPC handling time", ["method"],
                        buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox events acknowledged by Kafka", ["topic"])
OUTBOX_FAILURES = Counter("outbox_publish_failures_total", "Outbox publish attempts that failed")
OUTBOX_PENDING = Gauge("outbox_pending", "Outbox rows not yet published (counted every few seconds)",
                       multiprocess_mode="max")
CONSUMED = Counter("consumer_events_total", "Events seen by a consumer", ["consumer", "outcome"])
CONSUMER_HALTED = Gauge("consumer_halted", "1 when a consumer stopped itself (dead-letter cap reached)", ["consumer"],
                        multiprocess_mode="max")


def serve(port: int, *, multiprocess: bool = False) -> None:
    """Serve this process's metrics, or (multiprocess) the sum over every worker process that writes
    to PROMETHEUS_MULTIPROC_DIR."""
    if not multiprocess:
        start_http_server(port, addr="127.0.0.1")
        return
    from prometheus_client import CollectorRegistry
    from prometheus_client import multiprocess as mp
    registry = CollectorRegistry()
    mp.MultiProcessCollector(registry)
    start_http_server(port, addr="127.0.0.1", registry=registry)

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests handled by the gateway", ["method", "route", "status"])
HTTP_SECONDS = Histogram("http_request_seconds", "HTTP handling time at the gateway", ["route"],
                         buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
