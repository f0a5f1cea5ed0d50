"""/api/v1/calendar — the PRC working-day calendar (docs/calendar.md): each year's holidays and
make-up working days, entered by a platform administrator when the State Council publishes them,
and deadlines computed from them (provisional for a year not yet entered)."""
from __future__ import annotations

import orjson
from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, Field

from gateway.auth import Permission, staff
from gateway.clients import call
from gateway.openapi import PROBLEMS
from gateway.workflow import JSON_ANSWER
from safety.common.v1 import calendar_pb2 as pb
from services.kit import roles

router = APIRouter(prefix="/api/v1/calendar", tags=["工作日历 calendar"])
READ = Permission("agency staff and enterprises", kinds=frozenset({"staff", "enterprise"}))
ADMIN = staff("platform administrators", roles.PLATFORM_ADMIN)
_R = {**PROBLEMS, **JSON_ANSWER}


def _json(result) -> Response:
    return Response(content=result.json, media_type="application/json")


@router.get("/years", responses=_R, summary="已录入的年度放假安排 / Years entered")
async def list_years(request: Request, principal=READ.dependency()):
    result, _ = await call(request.app.state.clients.calendar.ListYears, pb.ListCalendarYearsRequest(), request)
    return _json(result)


@router.get("/years/{year}", responses=_R, summary="某年放假与调休安排 / A year's holidays and make-up days")
async def get_year(request: Request, year: int = Path(ge=2000, le=2100), principal=READ.dependency()):
    result, _ = await call(request.app.state.clients.calendar.GetYear, pb.GetCalendarYearRequest(year=year), request)
    return _json(result)


class Day(BaseModel):
    date: str = Field(..., max_length=10, description="YYYY-MM-DD")
    kind: str = Field(..., description="holiday（放假）或 workday（调休上班）")
    name: str = Field("", max_length=20, description="节日名称，如 春节")


class YearBody(BaseModel):
    source: str = Field(..., max_length=200, description="放假安排通知的文号或名称")
    days: list[Day] = Field(..., max_length=200)


@router.put("/years/{year}", responses=_R, summary="录入或更正某年放假安排 / Enter a year's notice")
async def put_year(body: YearBody, request: Request, year: int = Path(ge=2000, le=2100), principal=ADMIN.dependency(),
                   idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200, pattern=r"^[\x21-\x7e]+$")):
    """Replaces the year's days and raises its version; deadlines computed provisionally are recomputed.
    A PUT is idempotent by nature: the same body again leaves the same days (the version still rises)."""
    result, _ = await call(request.app.state.clients.calendar.PutYear, pb.PutCalendarYearRequest(
        year=year, source=body.source, days_json=orjson.dumps([d.model_dump() for d in body.days])), request,
        idempotency_key=idempotency_key)
    return _json(result)


@router.get("/deadline", responses=_R, summary="计算期限（工作日或自然日） / Compute a deadline")
async def deadline(request: Request, principal=READ.dependency(), start: str = Query(..., max_length=10),
                   days: int = Query(..., ge=0, le=3660), day_type: str = Query("working", pattern="^(working|calendar)$")):
    result, _ = await call(request.app.state.clients.calendar.ComputeDeadline,
                           pb.ComputeDeadlineRequest(start=start, days=days, day_type=day_type), request)
    return _json(result)
