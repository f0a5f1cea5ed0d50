import uvicorn

from services.kit import config, log, metrics

log.setup("gateway")
metrics.serve(int(config.env("SAFETY_GATEWAY_METRICS_PORT", str(config.ports().gateway_metrics))))
uvicorn.run("gateway.app:create_app", factory=True, host=config.env("SAFETY_GATEWAY_HOST", "127.0.0.1"),
            port=int(config.env("SAFETY_GATEWAY_PORT", str(config.ports().gateway))), log_config=None, access_log=False,
            timeout_graceful_shutdown=10)
