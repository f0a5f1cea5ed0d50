"""The gateway: the platform's only HTTP entry. FastAPI app factory."""
from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Callable

import redis.asyncio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway import oidc, openapi, problems, routing, web
from gateway.audit_trail.router import router as audit_router
from gateway.calendar.router import router as calendar_router
from gateway.credit.router import router as credit_router
from gateway.auth import DOCS, HEALTH
from gateway.clients import Clients
from gateway.emergency.duty import router as duty_router
from gateway.emergency.incidents import router as incidents_router
from gateway.emergency.resources import router as resources_router
from gateway.enterprises.router import router as enterprises_router
from gateway.grids.router import router as grids_router
from gateway.hazard_supervision.router import router as hazard_supervision_router
from gateway.inspections.router import router as inspections_router
from gateway.licensing.router import router as licensing_router
from gateway.live.feed import Feed
from gateway.live.router import router as live_router, topics as live_topics
from gateway.monitoring.intake import Intake
from gateway.monitoring.router import live_router as monitoring_live_router, router as monitoring_router
from services.supervision.monitoring.events import ALARM_TOPIC, WARNING_TOPIC
from gateway.me import RegionNames, router as me_router
from gateway.middleware import RequestContext
from gateway.onboarding.router import router as onboarding_router
from gateway.records.router import router as records_router
from gateway.standardization.router import router as standardization_router
from gateway.ratelimit import SharedTokenBuckets
from gateway.sessions import SessionStore
from gateway.settings import GatewaySettings
from gateway.supervision.router import router as supervision_router
from services.kit import config, context, migrations
from services.kit.auth import TokenVerifier
from services.kit.db import open_pool
from services.kit.relay import OutboxRelay

log = logging.getLogger(__name__)
API_ROUTERS = (me_router, enterprises_router, records_router, live_router, supervision_router, monitoring_router,
               monitoring_live_router, grids_router, hazard_supervision_router, inspections_router, calendar_router, licensing_router, standardization_router, credit_router, onboarding_router, audit_router,
               incidents_router, duty_router, resources_router, oidc.router)
MIGRATIONS = Path(__file__).parent / "migrations"


class Limits:
    """Per user or client, and per address on public routes; shared by every worker and copy (Redis)."""

    def __init__(self, settings: GatewaySettings, client):
        self.subject = SharedTokenBuckets(client, settings.per_subject, prefix="rl:subject")
        self.address = SharedTokenBuckets(client, settings.per_address, prefix="rl:address")


def create_app(*, clock: Callable[[], float] = time.time, verifier: TokenVerifier | None = None,
               settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings.from_env()
    context.set_service("gateway")
    routing.install()  # route lookup that skips the routers a path cannot reach

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        dsn = config.database_dsn("gateway")
        migrations.apply_all(dsn, service="gateway", directory=MIGRATIONS)
        app.state.pool = open_pool(dsn, name="gateway", max_size=int(config.env("SAFETY_GATEWAY_POOL_MAX", "10")))
        app.state.sessions = SessionStore(app.state.pool)
        relay = OutboxRelay(app.state.pool, config.kafka_bootstrap())  # the gateway's own refusal audit entries
        relay.start()
        app.state.clients = Clients()
        app.state.live = Feed(config.kafka_bootstrap(), live_topics() + [ALARM_TOPIC, WARNING_TOPIC])  # this worker's view of every change
        app.state.intake = Intake(config.kafka_bootstrap())
        app.state.live.attach(asyncio.get_running_loop())
        app.state.live.start()
        app.state.oidc = oidc.web_client(settings)
        app.state.verifier = verifier or TokenVerifier(config.keycloak(), clock=clock)
        try:
            app.state.verifier.prefetch()
        except Exception as exc:  # keep serving: keys are fetched again on the first token, which answers 503 meanwhile
            log.error("cannot fetch Keycloak signing keys from %s: %s", config.keycloak().issuer, exc)
        yield
        app.state.live.stop()
        app.state.intake.close()
        await app.state.clients.close()
        await app.state.redis.aclose()
        relay.stop()
        relay.join(timeout=10)
        app.state.pool.close()

    app = FastAPI(title="平凉市安全生产信息平台 API", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="一个中心、三大平台的统一入口。除标注“公开”的接口外，均需 Keycloak 访问令牌（Bearer）"
                              "或网页登录会话（Cookie，写操作须带 X-CSRF-Token）。所有 POST 须带 Idempotency-Key。"
                              "错误以 RFC 9457 problem+json 返回，含中英文说明与字段级错误。")
    app.state.settings = settings
    app.state.redis = redis.asyncio.Redis.from_url(config.redis_url(), socket_timeout=0.5, socket_connect_timeout=0.5)
    app.state.limits = Limits(settings, app.state.redis)
    app.state.region_names = RegionNames()
    problems.install(app)
    app.add_middleware(RequestContext, max_body_bytes=settings.max_body_bytes)
    for r in API_ROUTERS:
        app.include_router(r)
    app.include_router(_health_router())
    app.include_router(openapi.docs_router(app.openapi_url, app.title))
    app.include_router(web.router)
    web.mount_assets(app)
    for route in app.routes:  # FastAPI's own OpenAPI document is deliberately public (and so is /docs)
        if getattr(route, "path", None) == app.openapi_url:
            route.endpoint.permission = DOCS
    openapi.install(app)  # securitySchemes, and each operation's `security` from its route's Permission
    return app


def _health_router() -> APIRouter:
    router = APIRouter(tags=["运行状态 health"], dependencies=[HEALTH.dependency()])

    @router.get("/healthz", summary="存活检查（公开） / Liveness (public)")
    async def healthz():
        return {"status": "ok"}

    @router.get("/readyz", summary="就绪检查（公开） / Readiness (public)", responses={503: {"description": "未就绪"}})
    async def readyz(request: Request):
        checks = {}
        for name, channel in request.app.state.clients.channels.items():
            try:
                resp = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
                checks[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)
            except Exception as exc:
                checks[name] = f"unreachable: {type(exc).__name__}"
        try:
            await request.app.state.oidc.a_well_known()
            checks["keycloak"] = "SERVING"
        except Exception as exc:
            checks["keycloak"] = f"unreachable: {type(exc).__name__}"
        ready = all(v == "SERVING" for v in checks.values())
        try:  # not a condition of readiness: without Redis each worker limits on its own until it is back
            await request.app.state.redis.ping()
            checks["redis"] = "SERVING"
        except Exception as exc:
            checks["redis"] = f"unreachable: {type(exc).__name__} (rate limits per process meanwhile)"
        return JSONResponse({"status": "ready" if ready else "not-ready", "checks": checks}, status_code=200 if ready else 503)

    return router
