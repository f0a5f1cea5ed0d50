"""/api/v1/incidents — 突发事件 of the emergency platform (ADR 0010 (b), docs/emergency.md): the
incident with its report chain (首报/续报/终报) on the provincial clock, the accident it is in the
data centre, the response level, the command structure, tasks, the append-only timeline and the
close-out. Emergency staff of the region read and log; commanders decide, command and close."""
from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Request, Response

from gateway.auth import Permission
from gateway.clients import call
from gateway.idempotency import IdempotencyKey, mark_replay
from gateway.openapi import PROBLEMS
from gateway.problems import MalformedBody
from gateway.workflow import JSON_ANSWER, JSON_BODY, forward
from safety.common.v1 import json_pb2 as cpb
from services.kit import roles

router = APIRouter(prefix="/api/v1/incidents", tags=["应急管理 emergency"])

_STAFF = frozenset({"staff"})
STAFF = Permission("emergency staff (duty officers, commanders, platform administrators) within their region", kinds=_STAFF,
                   roles=frozenset(roles.EMERGENCY_STAFF))
STAFF_ONE = Permission("emergency staff within the incident's region", kinds=_STAFF, roles=frozenset(roles.EMERGENCY_STAFF),
                       record="region")
COMMANDERS_ONE = Permission("emergency commanders and platform administrators within the incident's region", kinds=_STAFF,
                            roles=frozenset(roles.EMERGENCY_COMMANDERS), record="region")
IncidentId = Annotated[int, Path(ge=1, le=2**63 - 1, description="事件编号")]
TaskId = Annotated[int, Path(ge=1, le=2**63 - 1, description="任务编号")]
_R = {**PROBLEMS, **JSON_ANSWER}
_CREATED = {**PROBLEMS, 201: JSON_ANSWER[200]}


def _svc(request: Request):
    return request.app.state.clients.incidents


@router.get("/options", responses=_R, summary="事件类型、来源、响应级别、工作组等选项 / The tables behind the forms")
async def options(request: Request, principal=STAFF.dependency()):
    """The rule tables in force: incident types with their subtypes (GB 6441 for 生产安全事故), sources, response levels,
    working groups, the report clock (incident_reporting) and each table's source."""
    return await forward(request, _svc(request).GetOptions, message=cpb.JsonRequest)


@router.get("", responses=_R, summary="突发事件列表 / Incidents")
async def list_incidents(request: Request, principal=STAFF.dependency()):
    """Query: status (reported / responding / stabilised / closed / merged, or open), region_code, type, level (1-4), q,
    page_size, page_token. Newest first, within the caller's region."""
    return await forward(request, _svc(request).ListIncidents, message=cpb.JsonRequest)


@router.post("", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY, summary="登记突发事件 / Open an incident")
async def create_incident(request: Request, idempotency_key: IdempotencyKey, principal=STAFF.dependency()):
    """Body: title, type, subtype (GB 6441 type for 生产安全事故), region_code, address, lon, lat, occurred_at, reported_at
    (接报时间, default now), source, uscc, casualties {deaths, missing, injured, serious_injuries, trapped, affected,
    to_relocate}, description, first_report {course, cause, …, phoned_at} (the 首报 at once). A 生产安全事故 with its
    enterprise is recorded in the data centre's accidents as the caller."""
    return await forward(request, _svc(request).CreateIncident, idempotency_key=idempotency_key, message=cpb.JsonRequest,
                         status_code=201)


@router.get("/{incident_id}", responses=_R, summary="事件详情 / An incident")
async def get_incident(incident_id: IncidentId, request: Request, principal=STAFF_ONE.dependency()):
    """With its report chain (each report's deadline and 迟报 flag), the data centre's accident (grade, deadlines, late
    reports, casualty updates), the suggested and decided response level, the command structure and the tasks."""
    return await forward(request, _svc(request).GetIncident, id=incident_id, message=cpb.JsonRequest)


@router.patch("/{incident_id}", responses=_R, openapi_extra=JSON_BODY, summary="修改事件 / Change an incident")
async def update_incident(incident_id: IncidentId, request: Request, principal=STAFF_ONE.dependency()):
    """Body: version (as read) and any of title, address, lon, lat, description, casualties, uscc (once), status
    (commanders: responding / stabilised / merged with merged_into)."""
    return await forward(request, _svc(request).UpdateIncident, id=incident_id, message=cpb.JsonRequest,
                         idempotency_key=request.headers.get("idempotency-key"))


@router.post("/{incident_id}/reports", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY,
             summary="报送首报、续报或终报 / Make a report")
async def add_report(incident_id: IncidentId, request: Request, idempotency_key: IdempotencyKey, principal=STAFF_ONE.dependency()):
    """Body: kind (first / follow_up / final), course, cause (required in the 终报), impact, trend, actions, requests,
    on_site_commander, casualties (new absolute figures), direct_loss_cny, phoned_at (首报)."""
    return await forward(request, _svc(request).AddReport, id=incident_id, idempotency_key=idempotency_key, message=cpb.JsonRequest,
                         status_code=201)


@router.post("/{incident_id}/level", responses=_R, openapi_extra=JSON_BODY, summary="确定响应级别 / Decide the response level")
async def decide_level(incident_id: IncidentId, request: Request, idempotency_key: IdempotencyKey, principal=COMMANDERS_ONE.dependency()):
    """Body: version, level (1-4 = Ⅰ–Ⅳ), reason (required when it differs from the suggestion), plan_name."""
    return await forward(request, _svc(request).DecideLevel, id=incident_id, idempotency_key=idempotency_key, message=cpb.JsonRequest)


@router.post("/{incident_id}/command", responses=_R, openapi_extra=JSON_BODY, summary="设置指挥机构 / Set the command structure")
async def set_command(incident_id: IncidentId, request: Request, idempotency_key: IdempotencyKey, principal=COMMANDERS_ONE.dependency()):
    """Body: version, commander {name, phone}, groups [{code, leader {name, phone, duty}, members [{name, phone, duty}]}]."""
    return await forward(request, _svc(request).SetCommand, id=incident_id, idempotency_key=idempotency_key, message=cpb.JsonRequest)


@router.post("/{incident_id}/tasks", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY, summary="下达任务 / Add a task")
async def add_task(incident_id: IncidentId, request: Request, idempotency_key: IdempotencyKey, principal=STAFF_ONE.dependency()):
    """Body: title, group (a working group of the command structure) or team_id (a rescue team of the data centre), due_at, note."""
    return await forward(request, _svc(request).AddTask, id=incident_id, idempotency_key=idempotency_key, message=cpb.JsonRequest,
                         status_code=201)


@router.post("/{incident_id}/tasks/{task_id}", responses=_R, openapi_extra=JSON_BODY, summary="更新任务状态 / Move a task on")
async def update_task(incident_id: IncidentId, task_id: TaskId, request: Request, idempotency_key: IdempotencyKey,
                      principal=STAFF_ONE.dependency()):
    """Body: version (the task's, as read), status (accepted / in_progress / done, or cancelled by a commander), note."""
    raw = await request.body()
    try:
        parsed = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        raise MalformedBody("请求体不是合法的JSON", "The request body is not valid JSON") from None
    version = parsed.get("version") if isinstance(parsed, dict) else None
    message = cpb.JsonRequest(id=str(incident_id), body=raw, query={"task_id": str(task_id)},
                              version=version if isinstance(version, int) and not isinstance(version, bool) else 0)
    result, trailers = await call(_svc(request).UpdateTask, message, request, idempotency_key=idempotency_key)
    out = Response(content=result.json, media_type="application/json")
    mark_replay(out, trailers)
    return out


@router.post("/{incident_id}/notes", status_code=201, responses=_CREATED, openapi_extra=JSON_BODY, summary="补充记录 / Add a note")
async def add_note(incident_id: IncidentId, request: Request, idempotency_key: IdempotencyKey, principal=STAFF_ONE.dependency()):
    """Body: text. A timeline entry; closed and merged incidents take notes only."""
    return await forward(request, _svc(request).AddNote, id=incident_id, idempotency_key=idempotency_key, message=cpb.JsonRequest,
                         status_code=201)


@router.get("/{incident_id}/timeline", responses=_R, summary="事件时间线 / The timeline")
async def timeline(incident_id: IncidentId, request: Request, principal=STAFF_ONE.dependency()):
    """Query: page_size, page_token (newest first), or after (a seq: the entries after it, oldest first). Append-only."""
    return await forward(request, _svc(request).GetTimeline, id=incident_id, message=cpb.JsonRequest)


@router.post("/{incident_id}/closure", responses=_R, openapi_extra=JSON_BODY, summary="总结评估并结案 / Close the incident")
async def close_incident(incident_id: IncidentId, request: Request, idempotency_key: IdempotencyKey, principal=COMMANDERS_ONE.dependency()):
    """Body: version, summary, evaluation, lessons, plan_changes. Only a stabilised incident with its 终报 and no unfinished
    task; afterwards it takes notes only."""
    return await forward(request, _svc(request).CloseIncident, id=incident_id, idempotency_key=idempotency_key, message=cpb.JsonRequest)
