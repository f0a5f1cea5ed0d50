"""gRPC MonitoringService: points, series, alarms and their handling, warnings, commitments,
data quality and the coal-mine view. Staff see their region; an enterprise (its machine client or
its people) sees only itself, and another enterprise's point or alarm is answered like an absent one.
Reads answer the REST page as JSON (names beside codes, phones masked); writes are audited."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import orjson
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from safety.supervision.v1 import monitoring_pb2 as pb
from safety.supervision.v1 import monitoring_pb2_grpc
from services.datacenter.major_hazards import points as point_kind
from services.kit import audit, idempotency, paging, regions, roles
from services.kit.auth import Principal, current_principal
from services.kit.codes import mask_phone
from services.kit.errors import FieldViolation, NotFound, PermissionDenied, invalid
from services.kit.grpc_server import AuditedWrite
from services.supervision.monitoring import evaluator, rules, store, warnings

QUANTITY = dict(point_kind.QUANTITIES)
SITE = dict(point_kind.SITE_TYPES)
COAL = dict(point_kind.COAL_LOCATIONS)
SWITCH = dict(point_kind.SWITCH_KINDS)
GRADES = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
# The counties of the jurisdiction by name (GB/T 2260), for the lists a person reads.
COUNTY_NAMES = {"620800": "平凉市", "620802": "崆峒区", "620821": "泾川县", "620822": "灵台县", "620823": "崇信县", "620825": "庄浪县",
                "620826": "静宁县", "620881": "华亭市"}
# Where the map puts an enterprise that has given no coordinates: its county's seat (approximate).
COUNTY_SEATS = {"620802": (106.665, 35.543), "620821": (107.367, 35.332), "620822": (107.621, 35.065), "620823": (107.035, 35.302),
                "620825": (106.037, 35.203), "620826": (105.733, 35.522), "620881": (106.653, 35.218), "620800": (106.665, 35.543)}


def county(region_code: str) -> str:
    return COUNTY_NAMES.get((region_code or "")[:6], "")


def _json(data) -> pb.JsonResponse:
    return pb.JsonResponse(json=orjson.dumps(data, default=_default))


def _default(v):
    if isinstance(v, datetime):
        return v.astimezone(rules.SHANGHAI).isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    raise TypeError


# --- who may see what -----------------------------------------------------------------------------

def scope(p: Principal) -> tuple[str, str | None]:
    """(region prefix, uscc) the caller may see: staff their region, an enterprise itself."""
    if p.kind == "enterprise" and p.uscc:
        return "", p.uscc
    if p.kind == "staff" and p.region and p.has_any_role(*roles.SUPERVISION_READERS):
        return regions.significant_prefix(p.region), None
    raise PermissionDenied("仅监管人员和本单位人员可查看监测预警", "Only supervision staff and the enterprise itself may read monitoring")


def visible(p: Principal, row: dict | None) -> dict:
    prefix, uscc = scope(p)
    if row is None or (uscc and row["uscc"] != uscc) or not row["region_code"].startswith(prefix):
        raise NotFound("未找到该记录", "Not found")
    return row


def require_handler(p: Principal, alarm: dict) -> None:
    """People handle alarms: the enterprise's own people, or supervision staff of its region."""
    visible(p, alarm)
    if p.kind == "enterprise" and p.username.startswith("service-account-"):
        raise PermissionDenied("报警须由企业人员确认和处置，不能由对接程序处理", "A person, not a machine client, handles alarms")


# --- views ----------------------------------------------------------------------------------------

def point_view(r: dict) -> dict:
    due = r.get("calibration_due")
    today = datetime.now(rules.SHANGHAI).date()
    return {"id": r["id"], "point_code": r["point_code"], "uscc": r["uscc"], "enterprise_name": r["enterprise_name"],
            "region_code": r["region_code"], "county_name": county(r["region_code"]), "site_type": r["site_type"],
            "site_type_name": SITE.get(r["site_type"], r["site_type"]), "source_id": r["source_id"], "source_name": r.get("source_name"),
            "location": r["location"], "quantity": r["quantity"], "quantity_name": QUANTITY.get(r["quantity"], r["quantity"]),
            "unit": r["unit"] or "", "low_low": r["low_low"], "low": r["low"], "high": r["high"], "high_high": r["high_high"],
            "interval_s": r["interval_s"], "coal_location": r["coal_location"], "coal_location_name": COAL.get(r["coal_location"] or ""),
            "zone": r["zone"], "switch_kind": r["switch_kind"], "switch_kind_name": SWITCH.get(r["switch_kind"] or ""),
            "calibration_due": due, "calibration_overdue": bool(due and due < today and r["status"] == "in_service"),
            "status": r["status"], "last_value": r.get("last_value"), "last_time": r.get("last_time"),
            "online": r.get("online", True) is not False, "open_alarms": r.get("open_alarms") or 0}


def alarm_view(a: dict) -> dict:
    end = a["cleared_at"] if not a["active"] and a["cleared_at"] else datetime.now(timezone.utc)
    return {"id": a["id"], "point_id": a["point_id"], "point_code": a.get("point_code") or "", "uscc": a["uscc"],
            "enterprise_name": a.get("enterprise_name") or "", "region_code": a["region_code"], "county_name": county(a["region_code"]),
            "source_id": a["source_id"], "source_name": a.get("source_name"), "location": a.get("location") or "",
            "quantity_name": QUANTITY.get(a.get("quantity") or "", ""), "unit": a.get("unit") or "",
            "condition": a["condition"], "condition_name": rules.CONDITIONS.get(a["condition"], a["condition"]),
            "level": a["level"], "level_name": rules.LEVELS[a["level"]], "status": a["status"], "status_name": rules.STATUSES[a["status"]],
            "active": a["active"], "raised_at": a["raised_at"], "cleared_at": a["cleared_at"], "peak_value": a["peak_value"],
            "last_value": a["last_value"], "threshold": a["threshold"], "duration_s": int(max(0, (end - a["raised_at"]).total_seconds())),
            "escalation": a["escalation"], "escalation_name": rules.ESCALATIONS[a["escalation"]],
            "next_escalation_at": a["next_escalation_at"] if a["status"] == "raised" else None,
            "acknowledged_at": a["acknowledged_at"], "acknowledged_by": a["acknowledged_by"], "acknowledge_note": a["acknowledge_note"],
            "disposed_at": a["disposed_at"], "disposed_by": a["disposed_by"], "cause": a["cause"], "measures": a["measures"],
            "result": a["result"], "closed_at": a["closed_at"], "version": a["version"]}


_POINT_SELECT = """SELECT p.*, src.name AS source_name, st.last_value, st.last_time, st.online,
       (SELECT count(*) FROM monitoring.alarm a WHERE a.point_id = p.id AND a.status <> 'closed') AS open_alarms
    FROM monitoring.point p LEFT JOIN monitoring.point_state st ON st.point_id = p.id
    LEFT JOIN monitoring.source src ON src.id = p.source_id"""
_ALARM_SELECT = """SELECT a.*, p.point_code, p.enterprise_name, p.location, p.quantity, p.unit, src.name AS source_name
    FROM monitoring.alarm a JOIN monitoring.point p ON p.id = a.point_id
    LEFT JOIN monitoring.source src ON src.id = a.source_id"""


def _id(value: int, field: str = "id") -> int:
    if not 1 <= value <= 2**31 - 1:
        raise invalid(FieldViolation(field, f"{field}.range", "编号无效", "Invalid id"))
    return value


def _day(text: str) -> date:
    if not text:
        return datetime.now(rules.SHANGHAI).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise invalid(FieldViolation("day", "day.format", "日期格式应为 YYYY-MM-DD", "day must be YYYY-MM-DD")) from None


def _region(p: Principal, text: str) -> str:
    prefix, _ = scope(p)
    if not text:
        return prefix
    if not regions.is_well_formed(text):
        raise invalid(FieldViolation("region_code", "region_code.format", "行政区划代码格式错误", "Malformed region code"))
    if not regions.covers(p.region or "", text) and p.kind == "staff":
        raise NotFound("不在您的辖区内", "Outside your region")
    return regions.significant_prefix(text)


class MonitoringServicer(monitoring_pb2_grpc.MonitoringServiceServicer):
    WRITES = {"AcknowledgeAlarm": AuditedWrite("alarm.acknowledge", "alarm", "id"),
              "DisposeAlarm": AuditedWrite("alarm.dispose", "alarm", "id"),
              "FileCommitment": AuditedWrite("commitment.file", "commitment")}

    def __init__(self, pool: ConnectionPool, all_tables=None):
        self.pool = pool
        self.tables = all_tables or evaluator.tables()

    def _body(self, name: str) -> dict:
        return evaluator.body(self.tables, name, datetime.now(timezone.utc))

    # --- points -------------------------------------------------------------------------------
    def GetIntakeCatalogue(self, request, context):
        p = current_principal()
        prefix, own = scope(p)
        uscc = request.uscc.strip().upper() or (own or "")
        if own and uscc != own:
            raise NotFound("未找到该单位", "No such enterprise")
        with self.pool.connection() as conn:
            rows = conn.execute("""SELECT id, point_code, quantity FROM monitoring.point WHERE uscc = %s AND region_code LIKE %s
                                   AND NOT deleted AND status = 'in_service'""", (uscc, prefix + "%")).fetchall()
        return pb.GetIntakeCatalogueResponse(uscc=uscc, points=[pb.IntakePoint(id=i, point_code=c, quantity=q) for i, c, q in rows])

    def ListPoints(self, request, context):
        p = current_principal()
        prefix, own = scope(p)
        region = _region(p, request.region_code)
        size, after = paging.parse(request.page)
        where, params = ["NOT p.deleted", "p.region_code LIKE %s", "p.id > %s"], [region + "%", int(after or 0)]
        for column, value in (("p.uscc", own or request.uscc.strip().upper()), ("p.site_type", request.site_type)):
            if value:
                where.append(f"{column} = %s")
                params.append(value)
        if request.source_id:
            where.append("p.source_id = %s")
            params.append(_id(request.source_id, "source_id"))
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(f"{_POINT_SELECT} WHERE {' AND '.join(where)} ORDER BY p.id LIMIT %s", params + [size + 1]).fetchall()
            total = cur.execute(f"SELECT count(*) AS n FROM monitoring.point p WHERE {' AND '.join(where[:2] + where[3:])}",
                                params[:1] + params[2:]).fetchone()["n"]
        return _json({"items": [point_view(r) for r in rows[:size]], "next_page_token": paging.next_token(rows, size, key="id") or None,
                      "total": total})

    def GetPoint(self, request, context):
        p = current_principal()
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            row = visible(p, cur.execute(f"{_POINT_SELECT} WHERE p.id = %s AND NOT p.deleted", (_id(request.id),)).fetchone())
            alarms = cur.execute(f"{_ALARM_SELECT} WHERE a.point_id = %s AND a.status <> 'closed' ORDER BY a.id", (row["id"],)).fetchall()
        return _json(point_view(row) | {"alarms": [alarm_view(a) for a in alarms]})

    def GetSeries(self, request, context):
        p = current_principal()
        now = datetime.now(timezone.utc)
        try:
            to = datetime.fromisoformat(request.to) if request.to else now
            frm = datetime.fromisoformat(getattr(request, "from")) if getattr(request, "from") else to - timedelta(hours=24)
        except ValueError:
            raise invalid(FieldViolation("from", "from.format", "时间格式应为 ISO 8601", "from/to must be ISO 8601")) from None
        if frm.tzinfo is None or to.tzinfo is None:
            raise invalid(FieldViolation("from", "from.timezone", "时间须带时区", "from/to need an offset"))
        if not frm < to or to - frm > timedelta(days=400):
            raise invalid(FieldViolation("from", "from.range", "起止时间应先后有序且不超过400天", "from must precede to, within 400 days"))
        span = to - frm
        resolution = "raw" if span <= timedelta(hours=6) else "1m" if span <= timedelta(days=3) else "1h"
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            visible(p, cur.execute("SELECT uscc, region_code FROM monitoring.point WHERE id = %s", (_id(request.point_id, "point_id"),))
                    .fetchone())
            if resolution == "raw":
                rows = cur.execute("""SELECT time AS t, value AS min, value AS max, value AS avg, 1 AS count FROM monitoring.reading
                                      WHERE point_id = %s AND time >= %s AND time < %s ORDER BY time LIMIT 50000""",
                                   (request.point_id, frm, to)).fetchall()
            else:
                table = "rollup_1m" if resolution == "1m" else "rollup_1h"
                rows = cur.execute(f"""SELECT bucket AS t, min, max, sum / count AS avg, count FROM monitoring.{table}
                                       WHERE point_id = %s AND bucket >= %s AND bucket < %s ORDER BY bucket""",
                                   (request.point_id, frm, to)).fetchall()
                if resolution == "1h":  # the hour in progress, from its minutes
                    last = rows[-1]["t"] + timedelta(hours=1) if rows else frm
                    rows += cur.execute("""SELECT date_trunc('hour', bucket) AS t, min(min) AS min, max(max) AS max,
                                                  sum(sum) / sum(count) AS avg, sum(count)::int AS count
                                           FROM monitoring.rollup_1m WHERE point_id = %s AND bucket >= %s AND bucket < %s
                                           GROUP BY 1 ORDER BY 1""", (request.point_id, last, to)).fetchall()
        return _json({"point_id": request.point_id, "resolution": resolution, "items": rows})

    # --- alarms -------------------------------------------------------------------------------
    def ListAlarms(self, request, context):
        p = current_principal()
        prefix, own = scope(p)
        region = _region(p, request.region_code)
        size, after = paging.parse(request.page)
        status = request.status or "open"
        if status not in ("open", "closed", "all"):
            raise invalid(FieldViolation("status", "status.invalid", "状态应为 open、closed 或 all", "status is open, closed or all"))
        where, params = ["a.region_code LIKE %s"], [region + "%"]
        if status != "all":
            where.append("a.status <> 'closed'" if status == "open" else "a.status = 'closed'")
        for column, value in (("a.uscc", own or request.uscc.strip().upper()), ("a.condition", request.condition)):
            if value:
                where.append(f"{column} = %s")
                params.append(value)
        paged = where + (["a.id < %s"] if after else [])
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(f"{_ALARM_SELECT} WHERE {' AND '.join(paged)} ORDER BY a.id DESC LIMIT %s",
                               params + ([int(after)] if after else []) + [size + 1]).fetchall()
            total = cur.execute(f"SELECT count(*) AS n FROM monitoring.alarm a WHERE {' AND '.join(where)}", params).fetchone()["n"]
        return _json({"items": [alarm_view(a) for a in rows[:size]], "next_page_token": paging.next_token(rows, size, key="id") or None,
                      "total": total})

    def _alarm(self, cur, p: Principal, alarm_id: int) -> dict:
        return visible(p, cur.execute(f"{_ALARM_SELECT} WHERE a.id = %s", (_id(alarm_id),)).fetchone())

    def GetAlarm(self, request, context):
        p = current_principal()
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            alarm = self._alarm(cur, p, request.id)
            hist = cur.execute("SELECT at, action, actor, detail FROM monitoring.alarm_history WHERE alarm_id = %s ORDER BY id",
                               (alarm["id"],)).fetchall()
            told = cur.execute("SELECT step, duty, name, phone, created_at FROM monitoring.notification WHERE alarm_id = %s ORDER BY id",
                               (alarm["id"],)).fetchall()
        names = {"raised": "报警发生", "reactivated": "再次超限", "level": "升为严重报警", "cleared": "恢复正常", "acknowledged": "确认",
                 "disposed": "处置", "closed": "关闭", "escalated": "逐级上报"}
        return _json(alarm_view(alarm) | {
            "history": [{"at": h["at"], "action": h["action"], "action_name": names.get(h["action"], h["action"]), "actor": h["actor"],
                         "note": (h["detail"] or {}).get("note") or "",
                         "to": rules.ESCALATIONS.get((h["detail"] or {}).get("to", ""), None)} for h in hist],
            "notifications": [{"step": n["step"], "step_name": rules.ESCALATIONS[n["step"]], "duty": n["duty"], "name": n["name"],
                               "phone": mask_phone(n["phone"]) if n["phone"] else "", "at": n["created_at"]} for n in told]})

    def _handle(self, request, context, action: str):
        """Acknowledge or dispose, once per Idempotency-Key: a retry gets the first answer."""
        method = "/safety.supervision.v1.MonitoringService/" + ("AcknowledgeAlarm" if action == "acknowledged" else "DisposeAlarm")
        with self.pool.connection() as conn, conn.transaction():
            response, replayed = idempotency.run(conn, method=method, request=request, response_type=pb.JsonResponse,
                                                 work=lambda: self._apply(conn, request, action))
        idempotency.mark_replay(context, replayed)
        return response

    def _apply(self, conn, request, action: str) -> pb.JsonResponse:
        p = current_principal()
        actor = p.name
        with conn.cursor(row_factory=dict_row) as cur:
            alarm = self._alarm(cur, p, request.id)
            require_handler(p, alarm)
            locked = store.get_alarm(conn, alarm["id"], for_update=True)
            now = store.now(conn)
            if action == "acknowledged":
                status = rules.acknowledge(locked["status"])
                note = request.note.strip()[:500]
                changes = {"status": status, "acknowledged_at": now, "acknowledged_by": actor, "acknowledge_note": note,
                           "next_escalation_at": None}
                detail = {"note": note}
            else:
                status = rules.dispose(locked["status"], active=locked["active"], cause=request.cause, measures=request.measures,
                                       result=request.result)
                changes = {"status": status, "disposed_at": now, "disposed_by": actor, "cause": request.cause.strip(),
                           "measures": request.measures.strip(), "result": request.result.strip()}
                if status == "closed":
                    changes["closed_at"] = now
                detail = {"note": request.result.strip()}
            store.update_alarm(conn, alarm["id"], changes, actor=actor, action=action, detail=detail, event_actor=p.label)
            if status == "closed":  # disposed after the condition had cleared
                store.history(conn, alarm["id"], "closed", actor, {})
            audit.record(conn, action=f"alarm.{'acknowledge' if action == 'acknowledged' else 'dispose'}", target_type="alarm",
                         target_id=str(alarm["id"]), target_region=alarm["region_code"], uscc=alarm["uscc"], summary={"status": status})
            warnings.recompute(conn, alarm["uscc"], self._body("warning_colours"))
            fresh = self._alarm(cur, p, alarm["id"])
        return _json(alarm_view(fresh))

    def AcknowledgeAlarm(self, request, context):
        return self._handle(request, context, "acknowledged")

    def DisposeAlarm(self, request, context):
        return self._handle(request, context, "disposed")

    # --- warnings -----------------------------------------------------------------------------
    def ListWarnings(self, request, context):
        p = current_principal()
        prefix, own = scope(p)
        region = _region(p, request.region_code)
        params = [region + "%"] + ([own] if own else [])
        own_sql = " AND e.uscc = %s" if own else ""
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            ents = cur.execute(f"""
                SELECT e.uscc, coalesce(reg.name, e.enterprise_name) AS name, e.region_code, g.name AS county_name,
                       coalesce(reg.lon, (SELECT avg(lon) FROM monitoring.source s WHERE s.uscc = e.uscc)) AS lon,
                       coalesce(reg.lat, (SELECT avg(lat) FROM monitoring.source s WHERE s.uscc = e.uscc)) AS lat,
                       coalesce(w.colour, 'none') AS colour, coalesce(w.reason, '') AS reason,
                       (SELECT count(*) FROM monitoring.alarm a WHERE a.uscc = e.uscc AND a.status <> 'closed') AS open_alarms,
                       (SELECT count(*) FROM monitoring.point q JOIN monitoring.point_state st ON st.point_id = q.id
                        WHERE q.uscc = e.uscc AND NOT st.online AND NOT q.deleted) AS offline_points,
                       bool_or(e.site_type = 'coal_mine') AS coal_mine
                FROM monitoring.point e LEFT JOIN supervision.registration reg ON reg.uscc = e.uscc
                LEFT JOIN supervision.grid g ON g.code = reg.grid_code
                LEFT JOIN monitoring.warning w ON w.scope = 'enterprise' AND w.scope_id = e.uscc
                WHERE NOT e.deleted AND e.region_code LIKE %s{own_sql}
                GROUP BY e.uscc, reg.name, e.enterprise_name, e.region_code, g.name, reg.lon, reg.lat, w.colour, w.reason
                ORDER BY e.uscc""", params).fetchall()
            srcs = cur.execute(f"""SELECT s.id, s.uscc, s.name, s.grade, coalesce(w.colour, 'none') AS colour FROM monitoring.source s
                                   LEFT JOIN monitoring.warning w ON w.scope = 'source' AND w.scope_id = s.id::text
                                   WHERE NOT s.deleted AND s.region_code LIKE %s{own_sql.replace('e.', 's.')} ORDER BY s.id""",
                               params).fetchall()
        by = {}
        for s in srcs:
            by.setdefault(s["uscc"], []).append({"id": s["id"], "name": s["name"], "grade": s["grade"], "grade_name": GRADES.get(s["grade"] or ""),
                                                 "colour": s["colour"], "colour_name": rules.COLOURS[s["colour"]]})
        items = []
        for e in ents:
            seat = COUNTY_SEATS.get(e["region_code"][:6], COUNTY_SEATS["620800"])
            items.append(e | {"colour_name": rules.COLOURS[e["colour"]], "sources": by.get(e["uscc"], []),
                              "county_name": county(e["region_code"]), "lon": e["lon"] if e["lon"] is not None else seat[0],
                              "lat": e["lat"] if e["lat"] is not None else seat[1], "located": e["lon"] is not None})
        counts = {c: sum(1 for e in items if e["colour"] == c) for c in rules.COLOURS}
        return _json({"enterprises": items, "counts": counts})

    # --- commitments --------------------------------------------------------------------------
    def ListCommitments(self, request, context):
        p = current_principal()
        prefix, own = scope(p)
        region, day = _region(p, request.region_code), _day(request.day)
        table = evaluator.body(self.tables, "safety_commitment", datetime.combine(day, datetime.min.time(), tzinfo=rules.SHANGHAI))
        passed = datetime.now(rules.SHANGHAI) >= rules.deadline(day, table, rules.SHANGHAI)
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute("""SELECT s.uscc, min(s.enterprise_name) AS name, min(s.region_code) AS region_code,
                                         c.filed_at, c.filed_by, c.late, c.sources, f.flagged_at
                                  FROM monitoring.source s LEFT JOIN monitoring.commitment c ON c.uscc = s.uscc AND c.day = %s
                                  LEFT JOIN monitoring.commitment_flag f ON f.uscc = s.uscc AND f.day = %s
                                  LEFT JOIN supervision.registration reg ON reg.uscc = s.uscc
                                  LEFT JOIN supervision.grid g ON g.code = reg.grid_code
                                  WHERE NOT s.deleted AND s.region_code LIKE %s AND (%s::text IS NULL OR s.uscc = %s)
                                  GROUP BY s.uscc, c.filed_at, c.filed_by, c.late, c.sources, f.flagged_at ORDER BY s.uscc""",
                               (day, day, region + "%", own, own)).fetchall()
        items = []
        for r in rows:
            status = ("late" if r["late"] else "on_time") if r["filed_at"] else ("missing" if passed or r["flagged_at"] else "pending")
            items.append({"uscc": r["uscc"], "name": r["name"], "county_name": county(r["region_code"]), "status": status,
                          "status_name": rules.COMMITMENT_STATUSES.get(status, "待承诺"), "filed_at": r["filed_at"],
                          "filed_by": r["filed_by"], "flagged_at": r["flagged_at"], "sources": r["sources"] or []})
        counts = {s: sum(1 for i in items if i["status"] == s) for s in ("on_time", "late", "missing", "pending")}
        return _json({"day": day, "deadline": table["deadline"], "items": items, "counts": counts})

    def _own_commitment(self, cur, own: str, day: date) -> dict:
        """The enterprise's commitment of `day` in the board's item shape, with the sources it must
        report (every major hazard source of its own, whether or not it has points)."""
        row = cur.execute("SELECT * FROM monitoring.commitment WHERE uscc = %s AND day = %s", (own, day)).fetchone()
        sources = cur.execute("SELECT id, name, grade, enterprise_name, region_code FROM monitoring.source WHERE uscc = %s AND NOT deleted "
                              "ORDER BY id", (own,)).fetchall()
        table = evaluator.body(self.tables, "safety_commitment", datetime.combine(day, datetime.min.time(), tzinfo=rules.SHANGHAI))
        passed = datetime.now(rules.SHANGHAI) >= rules.deadline(day, table, rules.SHANGHAI)
        status = ("late" if row["late"] else "on_time") if row else ("missing" if passed else "pending")
        return {"day": day, "deadline": table["deadline"], "uscc": own, "name": sources[0]["enterprise_name"] if sources else "",
                "county_name": county(sources[0]["region_code"]) if sources else "", "filed": row is not None, "status": status,
                "status_name": rules.COMMITMENT_STATUSES.get(status, "待承诺"), "filed_at": row["filed_at"] if row else None,
                "filed_by": row["filed_by"] if row else None, "sources": row["sources"] if row else [],
                "expected_sources": [{"source_id": s["id"], "source_name": s["name"], "grade_name": GRADES.get(s["grade"] or "")}
                                     for s in sources]}

    def GetOwnCommitment(self, request, context):
        p = current_principal()
        _, own = scope(p)
        if not own:
            raise PermissionDenied("仅企业可查看本单位的承诺", "Only an enterprise reads its own commitment")
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            return _json(self._own_commitment(cur, own, _day(request.day)))

    def FileCommitment(self, request, context):
        p = current_principal()
        _, own = scope(p)
        if not own or p.username.startswith("service-account-"):
            raise PermissionDenied("安全承诺须由企业主要负责人或其授权人员填报", "A person of the enterprise files the commitment")
        sources = [{"source_id": s.source_id, "state": s.state, "special_work": list(s.special_work), "note": s.note.strip()}
                   for s in request.sources]
        with self.pool.connection() as conn, conn.transaction():
            response, replayed = idempotency.run(conn, method="/safety.supervision.v1.MonitoringService/FileCommitment",
                                                 request=request, response_type=pb.JsonResponse,
                                                 work=lambda: self._file(conn, p, own, sources))
        idempotency.mark_replay(context, replayed)
        return response

    def _file(self, conn, p: Principal, own: str, sources: list[dict]) -> pb.JsonResponse:
        now = datetime.now(rules.SHANGHAI)
        table = self._body("safety_commitment")
        with conn.cursor(row_factory=dict_row) as cur:
            known = {r["id"]: r for r in cur.execute("SELECT id, name, region_code FROM monitoring.source WHERE uscc = %s AND NOT deleted",
                                                     (own,)).fetchall()}
            problems = rules.commitment_violations(sources, set(known))
            if problems:
                raise invalid(*problems)
            for s in sources:
                s["source_name"] = known[s["source_id"]]["name"]
                s["state_name"] = rules.COMMITMENT_STATES[s["state"]]
                s["special_work_names"] = [rules.SPECIAL_WORK[w] for w in s["special_work"]]
            late = now >= rules.deadline(now.date(), table, rules.SHANGHAI)
            region = next(iter(known.values()))["region_code"]
            row = cur.execute("""INSERT INTO monitoring.commitment (uscc, day, region_code, filed_at, filed_by, late, sources)
                                 VALUES (%s, %s, %s, now(), %s, %s, %s)
                                 ON CONFLICT (uscc, day) DO UPDATE SET sources = EXCLUDED.sources, filed_by = EXCLUDED.filed_by
                                 RETURNING late""", (own, now.date(), region, p.name, late, Jsonb(sources))).fetchone()
            audit.record(conn, action="commitment.file", target_type="commitment", target_id=f"{own}:{now.date()}",
                         target_region=region, uscc=own, summary={"late": row["late"], "sources": len(sources)})
            return _json(self._own_commitment(cur, own, now.date()))

    # --- quality ------------------------------------------------------------------------------
    def GetQuality(self, request, context):
        p = current_principal()
        prefix, own = scope(p)
        region, day = _region(p, request.region_code), _day(request.day)
        level = request.level or "enterprise"
        if level not in ("enterprise", "county"):
            raise invalid(FieldViolation("level", "level.invalid", "统计层级应为 enterprise 或 county", "level is enterprise or county"))
        group = ("q.uscc", "min(coalesce(reg.name, q.uscc))") if level == "enterprise" else ("left(q.region_code, 6)", "NULL")
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(f"""SELECT {group[0]} AS key, {group[1]} AS name, left(min(q.region_code), 6) AS county_code,
                                          sum(points)::int AS points, sum(expected)::bigint AS expected, sum(received)::bigint AS received,
                                          sum(timely)::bigint AS timely, sum(offline_s)::bigint AS offline_s, sum(observed_s)::bigint AS observed_s
                                   FROM monitoring.quality_daily q LEFT JOIN supervision.registration reg ON reg.uscc = q.uscc
                                   LEFT JOIN supervision.grid g ON g.code = reg.grid_code
                                   WHERE q.day = %s AND q.region_code LIKE %s AND (%s::text IS NULL OR q.uscc = %s)
                                   GROUP BY 1""", (day, region + "%", own, own)).fetchall()
        table = self._body("data_quality")
        ranked = rules.rank([rules.Ranked(r["key"], r["name"] or county(r["key"]) or r["key"], rules.quality(
            expected=r["expected"], received=r["received"], timely=r["timely"], offline_s=r["offline_s"], observed_s=r["observed_s"],
            table=table), {"points": r["points"], "county_code": r["county_code"]}) for r in rows])
        return _json({"day": day, "level": level, "items": [
            {"rank": n, "key": r.key, "name": r.name, "points": r.extra["points"], "county_code": r.extra["county_code"], "county_name": county(r.extra["county_code"] or ""),
             "online_rate": r.quality.online_rate, "completeness": r.quality.completeness, "timeliness": r.quality.timeliness,
             "score": r.quality.score} for n, r in ranked]})

    # --- coal mines ---------------------------------------------------------------------------
    def GetCoalMine(self, request, context):
        p = current_principal()
        prefix, own = scope(p)
        uscc = request.uscc.strip().upper()
        methane = self._body("coal_methane")
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(f"{_POINT_SELECT} WHERE p.uscc = %s AND p.site_type = 'coal_mine' AND NOT p.deleted ORDER BY p.zone, p.id",
                               (uscc,)).fetchall()
            if not rows:
                raise NotFound("未找到该煤矿的监控数据", "No coal-mine monitoring for that enterprise")
            visible(p, rows[0])
            failures = {r["zone"] for r in cur.execute("""SELECT p.zone FROM monitoring.alarm a JOIN monitoring.point p ON p.id = a.point_id
                                                     WHERE p.uscc = %s AND a.active AND a.condition = 'power_cut_failure'""",
                                                  (uscc,)).fetchall()}
            cuts = {r["zone"] for r in cur.execute("""SELECT p.zone FROM monitoring.alarm a JOIN monitoring.point p ON p.id = a.point_id
                                                 WHERE p.uscc = %s AND a.active AND a.condition = 'methane' AND a.level = 'critical'""",
                                              (uscc,)).fetchall()}
        sensors, zones = [], {}
        for r in rows:
            v = point_view(r)
            if r["quantity"] == "methane" and r["coal_location"] in methane:
                v |= {"alarm_value": methane[r["coal_location"]]["alarm"], "cut_value": methane[r["coal_location"]]["cut"],
                      "restore_value": methane[r["coal_location"]]["restore"]}
            if r["switch_kind"] == "feed_power":
                v["power_state"] = None if r.get("last_value") is None else ("on" if r["last_value"] == 1 else "cut")
            sensors.append(v)
            if r["zone"]:
                z = zones.setdefault(r["zone"], {"zone": r["zone"], "power_state": None, "cut_required": r["zone"] in cuts,
                                                 "failure": r["zone"] in failures})
                if r["switch_kind"] == "feed_power":
                    z["power_state"] = v["power_state"]
        return _json({"uscc": uscc, "name": rows[0]["enterprise_name"], "sensors": sensors, "zones": list(zones.values())})
