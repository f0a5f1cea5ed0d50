"""The gateway: the platform's only HTTP entry. FastAPI app factory."""
from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from typing import Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway import problems
from gateway.clients import Clients
from gateway.enterprises.router import router as enterprises_router
from gateway.middleware import RequestContext
from gateway.supervision.router import router as supervision_router
from services.kit import config
from services.kit.auth import TokenVerifier

log = logging.getLogger(__name__)
API_ROUTERS = (enterprises_router, supervision_router)


def create_app(*, clock: Callable[[], float] = time.time, verifier: TokenVerifier | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.clients = Clients()
        app.state.verifier = verifier or TokenVerifier(config.keycloak(), clock=clock)
        try:
            app.state.verifier.prefetch()
        except Exception as exc:  # keep serving: keys are fetched again on the first token, which answers 503 meanwhile
            log.error("cannot fetch Keycloak signing keys from %s: %s", config.keycloak().issuer, exc)
        yield
        await app.state.clients.close()

    app = FastAPI(title="平凉市安全生产信息平台 API", version="1.0.0", lifespan=lifespan,
                  description="一个中心、三大平台的统一入口。除健康检查外，所有接口均需 Keycloak 访问令牌（Bearer）。"
                              "错误以 RFC 9457 problem+json 返回，含中英文说明与字段级错误。")
    problems.install(app)
    app.add_middleware(RequestContext)
    for r in API_ROUTERS:
        app.include_router(r)
    app.include_router(_health_router())
    return app


def _health_router() -> APIRouter:
    router = APIRouter(tags=["运行状态 health"])

    @router.get("/healthz", summary="存活检查（公开） / Liveness (public)")
    async def healthz():
        return {"status": "ok"}

    @router.get("/readyz", summary="就绪检查（公开） / Readiness (public)")
    async def readyz(request: Request):
        checks = {}
        for name, channel in request.app.state.clients.channels.items():
            try:
                resp = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
                checks[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)
            except Exception as exc:
                checks[name] = f"unreachable: {type(exc).__name__}"
        ready = all(v == "SERVING" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not-ready", "checks": checks}, status_code=200 if ready else 503)

    return router
