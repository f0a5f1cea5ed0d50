"""/api/v1/monitoring — remote monitoring and early warning (docs/monitoring.md): the readings
intake for enterprises' machine clients, and the reads and alarm handling for supervision staff
and enterprises. Reads pass the supervision service's JSON through; the live alarm queue is an
event stream over the alarm and warning topics, filtered like the reads."""
from __future__ import annotations

import asyncio
import time
from typing import Annotated

import orjson
from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from gateway.auth import Permission
from gateway.clients import call
from gateway.idempotency import IdempotencyKey, mark_replay
from gateway.live.feed import Feed, format_position, parse_position
from gateway.monitoring import intake
from gateway.openapi import PROBLEMS
from gateway.problems import MalformedBody
from safety.common.v1 import common_pb2
from safety.supervision.events.v1 import monitoring_events_pb2 as ev
from safety.supervision.v1 import monitoring_pb2 as pb
from services.kit import regions, roles
from services.kit.auth import Principal
from services.kit.errors import Conflict, FieldViolation, invalid
from services.supervision.monitoring import evaluator as monitoring_tables
from services.supervision.monitoring.events import ALARM_TOPIC, WARNING_TOPIC

router = APIRouter(prefix="/api/v1/monitoring", tags=["监测预警 monitoring"])
live_router = APIRouter(tags=["实时更新 live"])

INTAKE = Permission("an enterprise's machine client, for its own points", kinds=frozenset({"enterprise"}))
READ = Permission("supervision staff within their region, or the enterprise itself", kinds=frozenset({"staff", "enterprise"}),
                  roles=frozenset(roles.SUPERVISION_READERS))
READ_ONE = Permission("supervision staff within the record's region, or the enterprise it belongs to",
                      kinds=frozenset({"staff", "enterprise"}), roles=frozenset(roles.SUPERVISION_READERS), record="owner-or-region")
HANDLE = Permission("the enterprise's people, or supervision staff within their region", kinds=frozenset({"staff", "enterprise"}),
                    roles=frozenset(roles.SUPERVISION_READERS))
FILE = Permission("the enterprise's people", kinds=frozenset({"enterprise"}))
_TABLES = monitoring_tables.tables()
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1, description="编号")]
_JSON = {200: {"content": {"application/json": {"schema": {"type": "object"}}}}}


def _passthrough(result, trailers: dict | None = None) -> Response:
    """The service's JSON as it is; a replayed write is marked as such (gateway.idempotency)."""
    out = Response(content=result.json, media_type="application/json")
    mark_replay(out, trailers or {})
    return out


class ReadingsAnswer(BaseModel):
    accepted: int
    rejected: list[dict]


@router.post("/readings", response_model=ReadingsAnswer, responses={**PROBLEMS, 413: {"description": "请求体过大"}},
             summary="上报监测数据（批量） / Submit a batch of readings")
async def post_readings(request: Request, response: Response, idempotency_key: IdempotencyKey, principal=INTAKE.dependency()):
    """Body: {"readings": [{"point": "<监测点编号>", "time": "<ISO 8601 with offset, or Unix ms>", "value": 1.5}
    or {"point", "time", "state": 0|1}]}, at most 5,000 readings. Accepted readings are on Kafka (acks=all)
    when this answers; each rejected one is listed by index with its reason."""
    body = await request.body()  # the gateway's body limit (SAFETY_MAX_BODY_BYTES, 1 MiB) answers 413 before this
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise MalformedBody("请求体不是合法的JSON", "The request body is not valid JSON") from None
    table = monitoring_tables.body(_TABLES, "reading_intake", _now())
    items = data.get("readings") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise invalid(FieldViolation("readings", "readings.required", "请提供 readings 数组（至少一条）", "readings must be a non-empty array"))
    if len(items) > table["max_readings"]:
        raise invalid(FieldViolation("readings", "readings.too_many", f"每批最多 {table['max_readings']} 条",
                                     f"At most {table['max_readings']} readings per request"))
    uscc = principal.uscc
    redis, key = request.app.state.redis, f"intake:{uscc}:{idempotency_key}"
    digest = intake.body_hash(body)
    held = await _held(redis, key)
    if held is not None:
        if held[0] != digest:
            raise Conflict("同一幂等键已用于不同的数据", "This Idempotency-Key was used with a different body")
        return Response(content=held[1], media_type="application/json", headers={"Idempotency-Replayed": "true"})
    hub: intake.Intake = request.app.state.intake
    def fetch():
        return call(request.app.state.clients.monitoring.GetIntakeCatalogue, pb.GetIntakeCatalogueRequest(uscc=uscc), request)
    catalogue = await hub.catalogue(uscc, fetch)
    columns, rejected = intake.check(items, catalogue, now_ms=int(time.time() * 1000), table=table)
    if any(r.code == "reading.unknown_point" for r in rejected):
        fresher = await hub.catalogue(uscc, fetch, max_age=intake.REFRESH_SECONDS)
        if fresher is not catalogue:
            columns, rejected = intake.check(items, fresher, now_ms=int(time.time() * 1000), table=table)
    ids, codes, point_index, times, values = columns
    if times:
        await hub.publish(ev.ReadingBatch(batch_id=intake.batch_id(uscc, idempotency_key), uscc=uscc,
                                          received_at_ms=int(time.time() * 1000), point_ids=ids, point_codes=codes,
                                          point_index=point_index, time_ms=times, value=values))
    answer = intake.answer(len(items) - len(rejected), rejected)
    try:
        await redis.set(key, digest.encode() + b"\n" + answer, ex=intake.IDEMPOTENCY_SECONDS)
    except Exception:  # noqa: BLE001 — a retry then produces again; the evaluator stores each reading once
        pass
    return Response(content=answer, media_type="application/json")


async def _held(redis, key: str):
    try:
        raw = await redis.get(key)
    except Exception:  # noqa: BLE001 — Redis away: treat as a first attempt (storage deduplicates readings)
        return None
    if raw is None:
        return None
    digest, _, answer = raw.partition(b"\n")
    return digest.decode(), answer


def _now():
    from datetime import datetime, timezone
    return datetime.now(timezone.utc)


def _page(page_size: int, page_token: str) -> common_pb2.PageRequest:
    return common_pb2.PageRequest(page_size=page_size, page_token=page_token)


@router.get("/points", responses={**PROBLEMS, **_JSON}, summary="监测点列表（含实时值） / Monitoring points with live values")
async def list_points(request: Request, principal=READ.dependency(), uscc: str = Query("", max_length=18),
                      source_id: int = Query(0, ge=0, le=2**31 - 1), site_type: str = Query("", pattern="^(|major_hazard|coal_mine)$"),
                      region_code: str = Query("", max_length=12), page_size: int = Query(50, ge=1, le=200),
                      page_token: str = Query("", max_length=200)):
    result, _ = await call(request.app.state.clients.monitoring.ListPoints, pb.ListPointsRequest(
        uscc=uscc, source_id=source_id, site_type=site_type, region_code=region_code, page=_page(page_size, page_token)), request)
    return _passthrough(result)


@router.get("/points/{point_id}", responses={**PROBLEMS, **_JSON}, summary="监测点详情 / One point")
async def get_point(point_id: RecordId, request: Request, principal=READ_ONE.dependency()):
    result, _ = await call(request.app.state.clients.monitoring.GetPoint, pb.GetPointRequest(id=point_id), request)
    return _passthrough(result)


@router.get("/points/{point_id}/series", responses={**PROBLEMS, **_JSON}, summary="监测点趋势数据 / A point's series")
async def get_series(point_id: RecordId, request: Request, principal=READ_ONE.dependency(),
                     from_: str = Query("", alias="from", max_length=40), to: str = Query("", max_length=40)):
    message = pb.GetSeriesRequest(point_id=point_id, to=to)
    setattr(message, "from", from_)
    result, _ = await call(request.app.state.clients.monitoring.GetSeries, message, request)
    return _passthrough(result)


@router.get("/alarms", responses={**PROBLEMS, **_JSON}, summary="报警列表 / Alarms")
async def list_alarms(request: Request, principal=READ.dependency(), status: str = Query("open", pattern="^(open|closed|all)$"),
                      uscc: str = Query("", max_length=18), region_code: str = Query("", max_length=12),
                      condition: str = Query("", max_length=40), page_size: int = Query(50, ge=1, le=200),
                      page_token: str = Query("", max_length=200)):
    result, _ = await call(request.app.state.clients.monitoring.ListAlarms, pb.ListAlarmsRequest(
        status=status, uscc=uscc, region_code=region_code, condition=condition, page=_page(page_size, page_token)), request)
    return _passthrough(result)


@router.get("/alarms/{alarm_id}", responses={**PROBLEMS, **_JSON}, summary="报警详情 / One alarm with its history")
async def get_alarm(alarm_id: RecordId, request: Request, principal=READ_ONE.dependency()):
    result, _ = await call(request.app.state.clients.monitoring.GetAlarm, pb.GetAlarmRequest(id=alarm_id), request)
    return _passthrough(result)


class AcknowledgeBody(BaseModel):
    note: str = Field("", max_length=500)


class DisposeBody(BaseModel):
    cause: str = Field(..., max_length=1000)
    measures: str = Field(..., max_length=1000)
    result: str = Field(..., max_length=1000)


@router.post("/alarms/{alarm_id}/acknowledge", responses={**PROBLEMS, **_JSON}, summary="确认报警 / Acknowledge an alarm")
async def acknowledge(alarm_id: RecordId, body: AcknowledgeBody, request: Request, response: Response, idempotency_key: IdempotencyKey,
                      principal=HANDLE.dependency()):
    result, trailers = await call(request.app.state.clients.monitoring.AcknowledgeAlarm,
                                  pb.AcknowledgeAlarmRequest(id=alarm_id, note=body.note), request, idempotency_key=idempotency_key)
    return _passthrough(result, trailers)


@router.post("/alarms/{alarm_id}/dispose", responses={**PROBLEMS, **_JSON}, summary="处置报警 / Record how an alarm was handled")
async def dispose(alarm_id: RecordId, body: DisposeBody, request: Request, response: Response, idempotency_key: IdempotencyKey,
                  principal=HANDLE.dependency()):
    result, trailers = await call(request.app.state.clients.monitoring.DisposeAlarm, pb.DisposeAlarmRequest(
        id=alarm_id, cause=body.cause, measures=body.measures, result=body.result), request, idempotency_key=idempotency_key)
    return _passthrough(result, trailers)


@router.get("/warnings", responses={**PROBLEMS, **_JSON}, summary="四色预警（企业与重大危险源） / Four-colour warnings")
async def list_warnings(request: Request, principal=READ.dependency(), region_code: str = Query("", max_length=12)):
    result, _ = await call(request.app.state.clients.monitoring.ListWarnings, pb.ListWarningsRequest(region_code=region_code), request)
    return _passthrough(result)


@router.get("/commitments", responses={**PROBLEMS, **_JSON}, summary="安全承诺公告板 / Daily safety commitments")
async def list_commitments(request: Request, principal=READ.dependency(), day: str = Query("", max_length=10),
                           region_code: str = Query("", max_length=12)):
    result, _ = await call(request.app.state.clients.monitoring.ListCommitments,
                           pb.ListCommitmentsRequest(day=day, region_code=region_code), request)
    return _passthrough(result)


@router.get("/commitments/today", responses={**PROBLEMS, **_JSON}, summary="本单位今日安全承诺 / The enterprise's commitment today")
async def own_commitment(request: Request, principal=FILE.dependency()):
    result, _ = await call(request.app.state.clients.monitoring.GetOwnCommitment, pb.GetOwnCommitmentRequest(), request)
    return _passthrough(result)


class CommitmentSource(BaseModel):
    source_id: int = Field(..., ge=1, le=2**31 - 1)
    state: str = Field(..., max_length=20)
    special_work: list[str] = Field(default_factory=list, max_length=10)
    note: str = Field("", max_length=500)


class CommitmentBody(BaseModel):
    sources: list[CommitmentSource] = Field(..., max_length=200)


@router.post("/commitments", responses={**PROBLEMS, **_JSON}, summary="填报今日安全承诺 / File today's safety commitment")
async def file_commitment(body: CommitmentBody, request: Request, idempotency_key: IdempotencyKey, principal=FILE.dependency()):
    result, trailers = await call(request.app.state.clients.monitoring.FileCommitment, pb.FileCommitmentRequest(sources=[
        pb.CommitmentSource(source_id=s.source_id, state=s.state, special_work=s.special_work, note=s.note) for s in body.sources]),
        request, idempotency_key=idempotency_key)
    return _passthrough(result, trailers)


@router.get("/quality", responses={**PROBLEMS, **_JSON}, summary="数据质量排名 / Data-quality ranking")
async def quality(request: Request, principal=READ.dependency(), day: str = Query("", max_length=10),
                  level: str = Query("enterprise", pattern="^(enterprise|county)$"), region_code: str = Query("", max_length=12)):
    result, _ = await call(request.app.state.clients.monitoring.GetQuality,
                           pb.GetQualityRequest(day=day, level=level, region_code=region_code), request)
    return _passthrough(result)


@router.get("/coal-mines/{uscc}", responses={**PROBLEMS, **_JSON}, summary="煤矿安全监控 / A coal mine's safety monitoring")
async def coal_mine(uscc: str, request: Request, principal=READ_ONE.dependency()):
    result, _ = await call(request.app.state.clients.monitoring.GetCoalMine, pb.GetCoalMineRequest(uscc=uscc), request)
    return _passthrough(result)


# --- the live alarm queue ----------------------------------------------------------------------------

def audible(p: Principal, data: dict) -> bool:
    if p.kind == "enterprise":
        return bool(p.uscc) and data.get("uscc") == p.uscc
    return bool(p.region) and regions.covers(p.region, data.get("region_code") or "")


def _position(text: str | None) -> tuple[dict[int, int] | None, dict[int, int] | None]:
    if not text or "|" not in text:
        return None, None
    a, _, w = text.partition("|")
    return parse_position(a), parse_position(w)


async def _stream(request: Request, feed: Feed, principal: Principal, last_event_id: str | None, timeout: float):
    topics = ((ALARM_TOPIC, "alarm"), (WARNING_TOPIC, "warning"))
    wakes = [feed.subscribe(t) for t, _ in topics]
    try:
        yield "retry: 2000\n\n"
        deadline = time.monotonic() + timeout
        ready_by = time.monotonic() + 5
        while not feed.ready.is_set() and time.monotonic() < min(deadline, ready_by):
            await asyncio.sleep(0.05)
        positions = list(_position(last_event_id))
        for i, (t, _) in enumerate(topics):
            buffer = feed.buffers[t]
            if positions[i] is None or buffer.missed(positions[i]):
                if positions[i] is not None:
                    yield "event: reset\ndata: {}\n\n"
                positions[i] = buffer.head()
        while time.monotonic() < deadline and not await request.is_disconnected():
            for w in wakes:
                w.clear()
            for i, (t, name) in enumerate(topics):
                for c in feed.buffers[t].after(positions[i]):
                    positions[i][c.partition] = max(positions[i].get(c.partition, 0), c.offset + 1)
                    if audible(principal, c.data):
                        pos = f"{format_position(positions[0])}|{format_position(positions[1])}"
                        yield f"id: {pos}\nevent: {name}\ndata: {orjson.dumps(c.data).decode()}\n\n"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            waits = [asyncio.ensure_future(w.wait()) for w in wakes]
            done, pending = await asyncio.wait(waits, timeout=min(15.0, remaining), return_when=asyncio.FIRST_COMPLETED)
            for f in pending:
                f.cancel()
            if not done:
                yield ": keep-alive\n\n"
    finally:
        for (t, _), w in zip(topics, wakes):
            feed.unsubscribe(t, w)


@live_router.get("/api/v1/live/monitoring/alarms", responses=PROBLEMS, response_class=StreamingResponse,
                 summary="报警与预警实时推送（SSE） / Live alarms and warnings (Server-Sent Events)")
async def live_alarms(request: Request, principal=READ.dependency(),
                      timeout: int = Query(300, ge=0, le=3600, description="秒：到时结束本次连接（浏览器自动重连）"),
                      last_event_id: str | None = Header(None, alias="Last-Event-ID", max_length=800)):
    return StreamingResponse(_stream(request, request.app.state.live, principal, last_event_id, timeout),
                             media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
