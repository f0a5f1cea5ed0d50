"""python -m gateway: SAFETY_GATEWAY_WORKERS worker processes (default: one per core) behind one port.

Each worker is a whole gateway (its own gRPC channels, database pool, token cache); what must agree
across workers lives outside them: web sessions in PostgreSQL, rate limits in Redis, the outbox relay
behind an advisory lock. The metrics of all workers are summed on the metrics port (prometheus_client's
multiprocess mode: one directory of files per gateway port, emptied at start)."""
import os
import shutil

from services.kit import config


def _metrics_dir(port: int) -> str:
    return config.env("PROMETHEUS_MULTIPROC_DIR", str(config.state_dir() / "run" / f"metrics-gateway-{port}"))


if __name__ == "__main__":
    workers = max(1, int(config.env("SAFETY_GATEWAY_WORKERS", str(os.cpu_count() or 1))))
    port = int(config.env("SAFETY_GATEWAY_PORT", str(config.ports().gateway)))
    metrics_dir = _metrics_dir(port)
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir  # before prometheus_client is imported, here and in the workers

    import uvicorn

    from services.kit import log, metrics

    log.setup("gateway")
    metrics.serve(int(config.env("SAFETY_GATEWAY_METRICS_PORT", str(config.ports().gateway_metrics))), multiprocess=True)
    uvicorn.run("gateway.app:create_app", factory=True, host=config.env("SAFETY_GATEWAY_HOST", "127.0.0.1"), port=port,
                workers=workers, log_config=None, access_log=False, timeout_graceful_shutdown=10)
else:  # a worker: uvicorn starts each by multiprocessing's spawn, which imports this module as __mp_main__
    from services.kit import log

    log.setup("gateway")
