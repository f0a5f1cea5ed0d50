"""/api/v1/duty — 值班值守 of the emergency platform (ADR 0010 (c), docs/emergency.md "Duty"): the roster
with its handovers, spot checks from the level above, daily and nil reports, and the intake log
(接报) whose entries become or join incidents. Bodies are JSON passed to DutyService unchanged
(ADR 0009 (a)); the service checks every field and the region again."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from gateway.auth import Permission
from gateway.idempotency import IdempotencyKey
from gateway.openapi import PROBLEMS
from gateway.workflow import JSON_ANSWER, JSON_BODY, forward
from safety.common.v1 import json_pb2 as cpb
from services.kit import roles

router = APIRouter(prefix="/api/v1/duty", tags=["值班值守 duty"])

_STAFF = frozenset(roles.EMERGENCY_STAFF)
STAFF = Permission("emergency staff within their region", kinds=frozenset({"staff"}), roles=_STAFF)
STAFF_ONE = Permission("emergency staff within the record's region", kinds=frozenset({"staff"}), roles=_STAFF, record="region")
INTAKE = Permission("emergency staff within their region, or an enterprise for itself (channel 企业接口)",
                    kinds=frozenset({"staff", "enterprise"}), roles=_STAFF)
INTAKE_ONE = Permission("emergency staff within the intake's region, or the enterprise it is about",
                        kinds=frozenset({"staff", "enterprise"}), roles=_STAFF, record="owner-or-region")
Id = Annotated[int, Path(ge=1, le=2**63 - 1, description="编号")]
_R = {**PROBLEMS, **JSON_ANSWER}
_C = {**PROBLEMS, 201: JSON_ANSWER[200]}


def _svc(request: Request):
    return request.app.state.clients.duty


async def _fwd(request: Request, rpc: str, *, id: int | str = "", key: str | None = None, created: bool = False):
    return await forward(request, getattr(_svc(request), rpc), id=id, idempotency_key=key, message=cpb.JsonRequest,
                         status_code=201 if created else 200)


@router.get("/settings", responses=_R, summary="值班规则 / The duty rule tables in force")
async def settings(request: Request, principal=STAFF.dependency()):
    """Shifts with their times, intake channels, the spot-check answer limit, the agencies, the days that need a daily report."""
    return await _fwd(request, "GetSettings")


# --- 排班 -------------------------------------------------------------------------------------------

@router.get("/shifts", responses=_R, summary="值班排班（周视图） / The roster")
async def list_shifts(request: Request, principal=STAFF.dependency()):
    """Query: region_code, from, to (YYYY-MM-DD; default this week, Monday to Sunday). Phones masked."""
    return await _fwd(request, "ListShifts")


@router.post("/shifts", status_code=201, responses=_C, openapi_extra=JSON_BODY, summary="新增排班 / Put a shift on the roster")
async def save_shift(request: Request, idempotency_key: IdempotencyKey, principal=STAFF.dependency()):
    """Body: region_code (the agency: 620800 or a county), day, shift (a code of duty_shifts: day / night / full), leader {name, post,
    phone} (领导带班, required), officers [{name, phone}] (at least one), contacts [{label, phone}], note. Shifts of one agency never overlap."""
    return await _fwd(request, "SaveShift", key=idempotency_key, created=True)


@router.get("/shifts/{shift_id}", responses=_R, summary="班次详情 / A shift")
async def get_shift(shift_id: Id, request: Request, principal=STAFF_ONE.dependency()):
    """Phones whole for the agency's own staff; the handovers; before the handover, the next shift and the open intakes."""
    return await _fwd(request, "GetShift", id=shift_id)


@router.put("/shifts/{shift_id}", responses=_R, openapi_extra=JSON_BODY, summary="修改排班人员 / Change a shift's people")
async def change_shift(shift_id: Id, request: Request, principal=STAFF_ONE.dependency()):
    """Body: version (as read), leader, officers, contacts, note. The agency, day and shift stay; a shift that handed over no longer changes."""
    return await _fwd(request, "SaveShift", id=shift_id, key=request.headers.get("idempotency-key"))


@router.delete("/shifts/{shift_id}", responses=_R, summary="删除排班 / Take a shift off the roster")
async def delete_shift(shift_id: Id, request: Request, version: int = Query(..., ge=1, le=2**31 - 1, description="当前版本号"),
                       principal=STAFF_ONE.dependency()):
    """Query: version (as read). Only while no handover names the shift."""
    return await forward(request, _svc(request).DeleteShift, id=shift_id, version=version, idempotency_key=request.headers.get("idempotency-key"),
                         message=cpb.JsonRequest)


@router.post("/shifts/{shift_id}/handover", status_code=201, responses=_C, openapi_extra=JSON_BODY, summary="交接班 / Hand over")
async def handover(shift_id: Id, request: Request, idempotency_key: IdempotencyKey, principal=STAFF_ONE.dependency()):
    """Body: version (the shift's, as read), to_shift_id (default: the agency's next shift), handed_by (one of this shift's people),
    received_by (one of the next shift's), notes, open_matters [text]. The open intakes are listed automatically."""
    return await _fwd(request, "RecordHandover", id=shift_id, key=idempotency_key, created=True)


# --- 查岗 -------------------------------------------------------------------------------------------

@router.get("/spot-checks", responses=_R, summary="查岗记录 / Spot checks")
async def list_spot_checks(request: Request, principal=STAFF.dependency()):
    """Query: region_code, open=true, page_size, page_token. A county sees its own, the city every county's, with answer times;
    unanswered past the limit (or answered late) are flagged."""
    return await _fwd(request, "ListSpotChecks")


@router.post("/spot-checks", status_code=201, responses=_C, openapi_extra=JSON_BODY, summary="发起查岗 / Start a spot check")
async def start_spot_check(request: Request, idempotency_key: IdempotencyKey, principal=STAFF.dependency()):
    """Body: region_code (a county agency; only its level above, the city, may ask), question."""
    return await _fwd(request, "StartSpotCheck", key=idempotency_key, created=True)


@router.post("/spot-checks/{check_id}/answer", responses=_R, openapi_extra=JSON_BODY, summary="应答查岗 / Answer a spot check")
async def answer_spot_check(check_id: Id, request: Request, idempotency_key: IdempotencyKey, principal=STAFF_ONE.dependency()):
    """Body: version (as read), answer, answered_by. The checked agency's own staff; the seconds to answer are stored."""
    return await _fwd(request, "AnswerSpotCheck", id=check_id, key=idempotency_key)


# --- 日报 / 零报告 -----------------------------------------------------------------------------------

@router.get("/daily-reports", responses=_R, summary="值班日报报送情况 / Daily reports of a day")
async def list_daily_reports(request: Request, principal=STAFF.dependency()):
    """Query: day (default today), region_code. Whether the day needs reports (holiday, sensitive period) and, for every county
    agency, reported / nil (零报告) / missing, late or not."""
    return await _fwd(request, "ListDailyReports")


@router.post("/daily-reports", status_code=201, responses=_C, openapi_extra=JSON_BODY, summary="报送值班日报/零报告 / Submit a daily report")
async def submit_daily_report(request: Request, idempotency_key: IdempotencyKey, principal=STAFF.dependency()):
    """Body: region_code (the county agency's own), day, nil (true: 零报告), content (required unless nil); version to correct one."""
    return await _fwd(request, "SubmitDailyReport", key=idempotency_key, created=True)


# --- 接报 -------------------------------------------------------------------------------------------

@router.get("/intakes", responses=_R, summary="接报记录 / Intakes")
async def list_intakes(request: Request, principal=INTAKE.dependency()):
    """Query: region_code, status, open=true, uscc, page_size, page_token. Open ones first; callers masked. An enterprise sees its own."""
    return await _fwd(request, "ListIntakes")


@router.post("/intakes", status_code=201, responses=_C, openapi_extra=JSON_BODY, summary="接报登记 / Log an incoming report")
async def log_intake(request: Request, idempotency_key: IdempotencyKey, principal=INTAKE.dependency()):
    """Body: channel (phone / network / monitoring_alarm / hotline_12350 / superior), received_at (default now), caller_name, caller_phone,
    caller_unit, content, place, region_code, uscc, enterprise_name. An enterprise logs for itself: channel enterprise_api, its own uscc."""
    return await _fwd(request, "LogIntake", key=idempotency_key, created=True)


@router.get("/intakes/{intake_id}", responses=_R, summary="接报详情 / An intake")
async def get_intake(intake_id: Id, request: Request, principal=INTAKE_ONE.dependency()):
    return await _fwd(request, "GetIntake", id=intake_id)


@router.post("/intakes/{intake_id}/link", responses=_R, openapi_extra=JSON_BODY, summary="转为事件或并入事件 / Turn into or join an incident")
async def link_intake(intake_id: Id, request: Request, idempotency_key: IdempotencyKey, principal=STAFF_ONE.dependency()):
    """Body: version (as read) and either new_incident {the incident's fields} (转为事件) or incident_id (并入事件, an open incident)."""
    return await _fwd(request, "LinkIntake", id=intake_id, key=idempotency_key)


@router.post("/intakes/{intake_id}/close", responses=_R, openapi_extra=JSON_BODY, summary="办结（无需处置） / Close with no action")
async def close_intake(intake_id: Id, request: Request, idempotency_key: IdempotencyKey, principal=STAFF_ONE.dependency()):
    """Body: version (as read), reason."""
    return await _fwd(request, "CloseIntake", id=intake_id, key=idempotency_key)
