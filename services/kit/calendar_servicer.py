"""gRPC WorkdayCalendarService over this service's working-day calendar (services/kit/workdays.py).
Every agency person may read it; platform administrators enter a year's notice (audited)."""
from __future__ import annotations

from datetime import date, timedelta

import orjson
from psycopg_pool import ConnectionPool

from safety.common.v1 import calendar_pb2 as pb
from safety.common.v1 import calendar_pb2_grpc
from services.kit import audit, jsonio, roles, workdays
from services.kit.auth import current_principal
from services.kit.errors import FieldViolation, PermissionDenied, invalid
from services.kit.grpc_server import AuditedWrite


def _answer(data) -> pb.CalendarJson:
    return pb.CalendarJson(json=jsonio.dumps(data))


def _reader() -> None:
    p = current_principal()
    if p.kind not in ("staff", "enterprise"):
        raise PermissionDenied("仅机关人员和企业可查看工作日历", "Only agency staff and enterprises read the calendar")


def year_view(cal: workdays.Calendar, year: int) -> dict:
    y = cal.years.get(year)
    days = sorted([{"date": d, "kind": workdays.HOLIDAY, "name": n} for d, n in (y.holidays.items() if y else ())]
                  + [{"date": d, "kind": workdays.WORKDAY, "name": n} for d, n in (y.workdays.items() if y else ())],
                  key=lambda x: x["date"])
    start = date(year, 1, 1)
    working = sum(cal.is_working_day(start + timedelta(days=i)) for i in range((date(year + 1, 1, 1) - start).days))
    return {"year": year, "published": y is not None, "version": y.version if y else None, "source": y.source if y else "",
            "note": "" if y else workdays.PROVISIONAL_ZH + "：该年度放假安排尚未录入，按周末计算", "working_days": working, "days": days}


class CalendarServicer(calendar_pb2_grpc.WorkdayCalendarServiceServicer):
    WRITES = {"PutYear": AuditedWrite("calendar.put_year", "calendar_year", "year")}

    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    def ListYears(self, request, context) -> pb.CalendarJson:
        _reader()
        with self.pool.connection() as conn:
            rows = conn.execute("SELECT year, version, source, entered_by, entered_at FROM kit.calendar_year ORDER BY year DESC").fetchall()
        return _answer({"items": [{"year": y, "version": v, "source": s, "entered_by": b, "entered_at": t} for y, v, s, b, t in rows]})

    def GetYear(self, request: pb.GetCalendarYearRequest, context) -> pb.CalendarJson:
        _reader()
        year = jsonio.year(request.year)
        with self.pool.connection() as conn:
            cal = workdays.load(conn)
        return _answer(year_view(cal, year))

    def PutYear(self, request: pb.PutCalendarYearRequest, context) -> pb.CalendarJson:
        p = current_principal()
        if p.kind != "staff" or not p.has_any_role(roles.PLATFORM_ADMIN):
            raise PermissionDenied("仅平台管理员可录入节假日安排", "Only platform administrators enter the holiday notice")
        year = jsonio.year(request.year)
        try:
            days = orjson.loads(request.days_json or b"null")
        except orjson.JSONDecodeError:
            days = None
        if not isinstance(days, list) or not all(isinstance(d, dict) for d in days):
            raise invalid(FieldViolation("days", "days.type", "days 应为日期对象数组", "days must be an array of objects"))
        source = request.source.strip()
        if not source or len(source) > 200:
            raise invalid(FieldViolation("source", "source.required", "请填写放假安排通知的文号或名称（200字以内）",
                                         "source (the notice) is required, at most 200 characters"))
        entry = workdays.parse_year(year, days)
        with self.pool.connection() as conn, conn.transaction():
            version, recomputed = workdays.enter_year(conn, entry, entered_by=p.name, source=source)
            audit.record(conn, action="calendar.put_year", target_type="calendar_year", target_id=str(year),
                         summary={"version": version, "holidays": len(entry.holidays), "workdays": len(entry.workdays),
                                  "source": source, "recomputed": recomputed})
            cal = workdays.load(conn)
        return _answer(year_view(cal, year) | {"recomputed": recomputed})

    def ComputeDeadline(self, request: pb.ComputeDeadlineRequest, context) -> pb.CalendarJson:
        _reader()
        start = jsonio.day(request.start, field="start", label="起算日期")
        if not 0 <= request.days <= 3660:
            raise invalid(FieldViolation("days", "days.range", "天数应为0至3660", "days must be 0 to 3660"))
        day_type = request.day_type or "working"
        if day_type not in ("working", "calendar"):
            raise invalid(FieldViolation("day_type", "day_type.enum", "计算方式应为 working（工作日）或 calendar（自然日）",
                                         "day_type must be working or calendar"))
        with self.pool.connection() as conn:
            cal = workdays.load(conn)
        d = workdays.deadline(cal, start, request.days, day_type)
        return _answer({"start": start, "days": request.days, "day_type": day_type} | d.as_json())
