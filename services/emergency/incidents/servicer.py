"""gRPC IncidentService (ADR 0010 (b), docs/emergency.md): incidents with their report chain on the
provincial clock, the accident they are in the data centre, the response level, the command
structure, tasks and the append-only timeline.

Every write locks the incident's row, appends its timeline entry, writes its audit entry and its
CloudEvent in the same transaction, under the client's Idempotency-Key. Where the incident is an
accident (生产安全事故 with its enterprise), the accident record is created and updated in the data
centre as the caller (services/kit/datacentre.py) inside that transaction, before the commit: a
refusal there fails the write and nothing is committed here.

The duty subsystem opens incidents from its intakes and joins intakes to incidents in its own
transaction through `open_incident` and `join_intake` (the contract below)."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import psycopg
from psycopg_pool import ConnectionPool

from safety.common.v1 import json_pb2 as cpb
from safety.emergency.v1 import incidents_pb2_grpc
from services.emergency.incidents import events, rules, store, views
from services.kit import audit, datacentre, idempotency, jsonio, jsonrpc, paging, regions, roles, ruletables
from services.kit.auth import Principal, current_principal
from services.kit.errors import Conflict, DomainError, FieldViolation, NotFound, invalid
from services.kit.grpc_server import AuditedWrite

TABLES = ruletables.load_dir(Path(__file__).parent / "tables")
TABLE_NAMES = ("incident_types", "incident_reporting", "response_levels", "command_groups")
_SVC = "/safety.emergency.v1.IncidentService/"
SH = rules.SHANGHAI


def tables_on(at: date | datetime) -> dict:
    """The tables in force on `at` (an incident is judged by the tables of the day it occurred; one
    older than a table's first version by that first version)."""
    out = {}
    for name in TABLE_NAMES:
        try:
            out[name] = ruletables.effective(TABLES, name, at).body
        except LookupError:
            out[name] = min((t for t in TABLES if t.name == name), key=lambda t: t.effective_from).body
    return out


def _now() -> datetime:
    return datetime.now(SH)


_answer = jsonrpc.answer


def _id(raw: str) -> int:
    return jsonrpc.record_id(raw, ("未找到该事件", "No such incident"))


def _fmt(at) -> str:
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            return at
    return at.astimezone(SH).strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else str(at or "")


def _check_version(version: int, row: dict, *, required: bool) -> None:
    if required and not version:
        raise invalid(FieldViolation("version", "version.required", "请提供读取事件时的版本号（version）", "version (as read) is required"))
    if version and version != row["version"]:
        raise Conflict(f"事件已被他人修改（当前版本 {row['version']}），请刷新后重试",
                       f"The incident has changed (now version {row['version']}); reload and retry")


def _casualty_text(old: dict, new: dict) -> str:
    parts = [f"{label}{old.get(k, 0)}→{new[k]}" for k, label in rules.CASUALTIES if old.get(k, 0) != new[k]]
    return "，".join(p.replace("人数", "") for p in parts)


# --- the data centre ------------------------------------------------------------------------------------

def _enterprise_name(uscc: str) -> str:
    try:
        return datacentre.get("enterprise", uscc).get("name") or ""
    except NotFound:
        raise invalid(FieldViolation("uscc", "uscc.unknown", "数据中心没有该统一社会信用代码的单位（或不在您的辖区）",
                                     "No such enterprise in the data centre (or not in your region)")) from None


def _accident_read(row: dict) -> tuple[dict | None, str | None]:
    """For reads: the accident as the data centre answers it now, or why it could not be read."""
    if not row["accident_id"]:
        return None, None
    try:
        return datacentre.get("accident", str(row["accident_id"])), None
    except DomainError as exc:
        return None, exc.detail_zh


def _accident_now(row: dict) -> dict | None:
    """For writes: the accident now (a failure fails the write)."""
    return datacentre.get("accident", str(row["accident_id"])) if row["accident_id"] else None


def _update_accident(row: dict, changes: dict, *, key: str) -> dict:
    """Update the accident with the version stored after our last write, so a retry of a write whose
    commit was lost repeats the same request and gets the data centre's first answer; if the record
    has changed since (someone edited it in the data centre), once more with its current version."""
    rid = str(row["accident_id"])
    try:
        datacentre.update("accident", rid, version=int(row["accident_version"] or 0), changes=changes, idempotency_key=key)
    except Conflict:
        current = datacentre.get("accident", rid)
        datacentre.update("accident", rid, version=int(current["version"]), changes=changes, idempotency_key=key)
    return datacentre.get("accident", rid)


def _create_accident(conn: psycopg.Connection, p: Principal, row: dict, fields: dict, tables: dict, now: datetime,
                     direct_loss=None) -> dict:
    record = rules.accident_record(fields, types_table=tables["incident_types"], creator_region=p.region, now=now,
                                   direct_loss_cny=direct_loss)
    created = datacentre.create("accident", record, idempotency_key=f"incident:{row['uid']}:accident")
    accident = datacentre.get("accident", str(created["id"]))
    store.set_accident(conn, row["id"], accident_id=int(accident["id"]), version=int(accident["version"]))
    store.append(conn, row["id"], kind="accident", actor_name=p.name, actor=p.label,
                 text=f"已在数据中心登记生产安全事故（事故编号 {accident['id']}，{rules.GRADE_ZH.get(accident.get('grade'), '')}事故）",
                 detail={"accident_id": accident["id"], "grade": accident.get("grade")})
    return accident


# --- the view -------------------------------------------------------------------------------------------

def view(conn: psycopg.Connection, p: Principal, incident_id: int, *, accident: tuple | None = None, now: datetime | None = None) -> dict:
    """The incident as GetIncident answers it. `accident`: (record, error) already read in this call."""
    row = store.incident(conn, incident_id)
    now = now or _now()
    record, error = accident if accident is not None else _accident_read(row)
    return views.incident_view(row, reports=store.reports(conn, incident_id), tasks=store.tasks(conn, incident_id), accident=record,
                               accident_error=error, tables=tables_on(row["occurred_at"]), now=now,
                               mask_phones=not p.has_any_role(*roles.EMERGENCY_COMMANDERS), timeline_count=store.timeline_count(conn, incident_id))


def _add_report(conn: psycopg.Connection, p: Principal, row: dict, r: dict, *, accident: dict | None, tables: dict, now: datetime) -> dict:
    """Insert a report with the grade the clock runs on now, and its timeline entry."""
    grade = rules.clock_grade(accident_grade=(accident or {}).get("grade"), level=row["level"], levels_table=tables["response_levels"],
                              reporting_table=tables["incident_reporting"])
    saved = store.insert_report(conn, row["id"], r, grade=grade, at=now, by=p.name, account=p.label)
    label = rules.report_label(r["kind"], r["number"])
    store.append(conn, row["id"], kind="report", actor_name=p.name, actor=p.label, text=f"{label}：{r['course']}",
                 detail={"report_id": saved["id"], "kind": r["kind"], "number": r["number"], "grade": grade,
                         "phoned_at": r.get("phoned_at")})
    return saved


# --- the contract with the duty subsystem (services/emergency/duty/) --------------------------------------

def open_incident(conn: psycopg.Connection, p: Principal, body: dict, *, intake: dict | None = None) -> dict:
    """Open an incident in the caller's transaction: the body checked as CreateIncident checks it,
    the row, its first timeline entry (naming the intake, when it comes from one: keys id, channel,
    received_at, caller_name, content — the intake's time and channel are the defaults of
    reported_at and source), the 首报 when the body carries `first_report`, the data centre's
    accident for a 生产安全事故 with its enterprise, the audit entry and the event. Returns the
    incident as GetIncident answers it. Raises the DomainError of the first refusal (the caller's
    transaction must then roll back)."""
    rules.require_staff(p)
    now = _now()
    tables = tables_on(now)
    f = rules.incident(body, types_table=tables["incident_types"], now=now, intake=intake)
    if not regions.covers(p.region, f["region_code"]):
        raise invalid(FieldViolation("region_code", "region_code.outside_your_region", "事发地不在您的管辖区域内",
                                     "The place is outside your region"))
    tables = tables_on(f["occurred_at"])
    enterprise_name = _enterprise_name(f["uscc"]) if f["uscc"] else None
    iid = store.insert_incident(conn, f, enterprise_name=enterprise_name, by=p.name, account=p.label)
    row = store.incident(conn, iid)
    kind = rules.types_of(tables["incident_types"])[f["type"]]
    sources = dict(tables["incident_types"]["sources"])
    if intake:
        channel = sources.get(intake.get("channel"), intake.get("channel") or "")
        text = (f"接报立案：接报登记第{intake.get('id')}号（{channel}，{_fmt(intake.get('received_at'))}接报）转为事件“{f['title']}”："
                f"{intake.get('content') or ''}")
    else:
        text = f"事件登记：{f['title']}（{kind['name']}，信息来源：{sources[f['source']]}，{_fmt(f['reported_at'])}接报）"
    store.append(conn, iid, kind="opened", text=text, actor_name=p.name, actor=p.label,
                 detail={"type": f["type"], "subtype": f["subtype"], "source": f["source"], "casualties": f["casualties"],
                         **({"intake": {k: intake.get(k) for k in ("id", "channel", "received_at", "caller_name")}} if intake else {})})
    accident = None
    if rules.makes_accident(f, tables["incident_types"]):
        accident = _create_accident(conn, p, row, f, tables, now)
        row = store.incident(conn, iid)
    report = None
    if f["first_report"] is not None:
        first = f["first_report"] | {"kind": "first", "number": 0}
        report = _add_report(conn, p, row, first, accident=accident, tables=tables, now=now)
    audit.record(conn, action="incident.open", target_type="incident", target_id=str(iid), target_region=f["region_code"],
                 uscc=f["uscc"] or "", summary={"type": f["type"], "accident_id": row["accident_id"],
                                                "intake_id": (intake or {}).get("id"), "first_report": report is not None})
    events.opened(conn, row, actor=p.label, intake_id=(intake or {}).get("id"))
    if report is not None:
        events.reported(conn, row, report, actor=p.label)
    return view(conn, p, iid, accident=(accident, None) if row["accident_id"] else None, now=now)


def join_intake(conn: psycopg.Connection, p: Principal, incident_id: int, intake: dict) -> dict:
    """Join an intake (another call about the same incident) to an open incident the caller may act
    on (404 outside their region, 409 once it is closed or merged): the timeline entry 接报并入 with
    the intake's content, the audit entry and the event, in the caller's transaction. Returns the
    incident as GetIncident answers it."""
    rules.require_staff(p)
    row = rules.visible(p, store.incident(conn, incident_id, lock=True))
    rules.open_for_writes(row)
    sources = dict(tables_on(row["occurred_at"])["incident_types"]["sources"])
    channel = sources.get(intake.get("channel"), intake.get("channel") or "")
    store.append(conn, incident_id, kind="intake_joined", actor_name=p.name, actor=p.label,
                 text=f"接报并入：接报登记第{intake.get('id')}号（{channel}，{_fmt(intake.get('received_at'))}接报）：{intake.get('content') or ''}",
                 detail={"intake": {k: intake.get(k) for k in ("id", "channel", "received_at", "caller_name")}})
    audit.record(conn, action="incident.intake.join", target_type="incident", target_id=str(incident_id), target_region=row["region_code"],
                 summary={"intake_id": intake.get("id")})
    events.changed(conn, row, change="intake_joined", actor=p.label, intake_id=str(intake.get("id")))
    return view(conn, p, incident_id)


class IncidentServicer(incidents_pb2_grpc.IncidentServiceServicer):
    WRITES = {m: AuditedWrite(a, "incident", "id") for m, a in (
        ("CreateIncident", "incident.open"), ("UpdateIncident", "incident.update"), ("AddReport", "incident.report"),
        ("DecideLevel", "incident.level"), ("SetCommand", "incident.command"), ("AddTask", "incident.task.add"),
        ("UpdateTask", "incident.task.update"), ("AddNote", "incident.note"), ("CloseIncident", "incident.close"))}

    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    def _write(self, request, context, method: str, work) -> cpb.JsonResponse:
        """`work(conn)` in one transaction, once per Idempotency-Key."""
        with self.pool.connection() as conn, conn.transaction():
            return idempotency.once(conn, context, method=_SVC + method, request=request, response_type=cpb.JsonResponse,
                                    work=lambda: work(conn))

    def _locked(self, conn, p: Principal, request, *, writes: bool = True) -> dict:
        row = rules.visible(p, store.incident(conn, _id(request.id), lock=True))
        if writes:
            rules.open_for_writes(row)
        return row

    # --- reads ------------------------------------------------------------------------------------------

    def GetOptions(self, request, context) -> cpb.JsonResponse:
        """The tables behind the forms: types with their subtypes, sources, levels, groups, the report clock."""
        rules.require_staff(current_principal())
        tables = tables_on(_now())
        table_sources = {n: ruletables.effective(TABLES, n, _now()).source for n in TABLE_NAMES}
        types = [{"code": t["code"], "name": t["name"], "class": t["class"], "subtype_label": t["subtype_label"],
                  "subtype_required": t["subtype_required"], "makes_accident": bool(t.get("accident_category")),
                  "subtypes": [{"code": c, "name": n} for c, n in t["subtypes"]]} for t in tables["incident_types"]["types"]]
        return _answer({
            "types": types, "sources": [{"code": c, "name": n} for c, n in tables["incident_types"]["sources"]],
            "statuses": [{"code": c, "name": n} for c, n in rules.STATUS_ZH.items()],
            "status_moves": rules.STATUS_MOVES,
            "levels": [{"level": lvl, "name": n} for lvl, n in tables["response_levels"]["levels"]],
            "groups": [{"code": c, "name": n} for c, n in tables["command_groups"]["groups"]],
            "max_members": tables["command_groups"]["max_members"],
            "report_kinds": [{"code": c, "name": n} for c, n in rules.REPORT_KINDS.items()],
            "task_statuses": [{"code": c, "name": n} for c, n in rules.TASK_STATUS_ZH.items()],
            "casualties": [{"code": c, "name": n} for c, n in rules.CASUALTIES],
            "report_fields": [{"code": c, "name": n, "max_length": m} for c, n, m in rules.REPORT_TEXT],
            "grades": [{"code": c, "name": n} for c, n in rules.GRADE_ZH.items()],
            "reporting": tables["incident_reporting"], "table_sources": table_sources})

    def ListIncidents(self, request, context) -> cpb.JsonResponse:
        p = current_principal()
        prefix = rules.require_staff(p)
        q = request.query
        region = q.get("region_code") or None
        if region and not regions.covers(p.region, region):
            raise NotFound("不在您的管辖区域内", "Outside your region")
        status = q.get("status") or None
        if status and status != "open" and status not in rules.STATUS_ZH:
            raise invalid(FieldViolation("status", "status.enum", "状态应为 open、reported、responding、stabilised、closed 或 merged",
                                         "status is not a status"))
        level = q.get("level") or None
        if level and level not in ("1", "2", "3", "4"):
            raise invalid(FieldViolation("level", "level.enum", "响应级别应为1至4", "level must be 1 to 4"))
        size, after = jsonio.page(q)
        if after and not after.isdigit():
            raise invalid(FieldViolation("page_token", "page_token.invalid", "分页令牌无效", "Invalid page token"))
        tables = tables_on(_now())
        with self.pool.connection() as conn:
            rows, total = store.incidents(conn, prefix=prefix, status=status, region_prefix=regions.significant_prefix(region) if region else None,
                                          type_=q.get("type") or None, level=int(level) if level else None, q=(q.get("q") or "").strip() or None,
                                          after=int(after or 0), limit=size + 1)
        return _answer({"items": [views.list_view(r, tables=tables) for r in rows[:size]],
                        "next_page_token": paging.next_token(rows, size, key="id") or None, "total": total})

    def GetIncident(self, request, context) -> cpb.JsonResponse:
        p = current_principal()
        with self.pool.connection() as conn:
            row = rules.visible(p, store.incident(conn, _id(request.id)))
            return _answer(view(conn, p, row["id"]))

    def GetTimeline(self, request, context) -> cpb.JsonResponse:
        """Newest first, paged by seq (page_token); with `after` (a seq), the entries after it, oldest first."""
        p = current_principal()
        q = request.query
        size, before = jsonio.page(q)
        after = q.get("after") or ""
        if (before and not before.isdigit()) or (after and not after.isdigit()):
            raise invalid(FieldViolation("after" if after else "page_token", "seq.invalid", "序号无效", "Invalid seq"))
        with self.pool.connection() as conn:
            row = rules.visible(p, store.incident(conn, _id(request.id)))
            entries = store.timeline(conn, row["id"], before=int(before or 0), after=int(after or 0), limit=size + 1,
                                     newest_first=not after)
            total = store.timeline_count(conn, row["id"])
        return _answer({"items": [views.timeline_view(e) for e in entries[:size]],
                        "next_page_token": (paging.next_token(entries, size, key="seq") or None) if not after else None,
                        "last_seq": entries[min(len(entries), size) - 1]["seq"] if entries else int(after or 0), "total": total})

    # --- writes -----------------------------------------------------------------------------------------

    def CreateIncident(self, request, context) -> cpb.JsonResponse:
        p = current_principal()
        rules.require_staff(p)
        body = jsonio.body(request.body)
        return self._write(request, context, "CreateIncident", lambda conn: _answer(open_incident(conn, p, body)))

    def UpdateIncident(self, request, context) -> cpb.JsonResponse:
        """Details (title, place, point, description), casualties, the enterprise (once), the status
        (commanders: responding, stabilised, merged with merged_into)."""
        p = current_principal()
        rules.require_staff(p)
        body = jsonio.body(request.body)
        now = _now()

        def work(conn):
            row = self._locked(conn, p, request)
            _check_version(request.version, row, required=True)
            ch = rules.changes(body, row=row)
            tables = tables_on(row["occurred_at"])
            target = None
            if "status" in ch:
                rules.require_commander(p)
            if ch.get("status") == "merged":
                target = store.incident(conn, ch["merged_into"], lock=True)
                if target is None or not regions.covers(p.region, target["region_code"]):
                    raise invalid(FieldViolation("merged_into", "merged_into.unknown", "没有该事件（或不在您的辖区）", "No such incident"))
                if target["status"] in rules.FINISHED:
                    raise invalid(FieldViolation("merged_into", "merged_into.finished", "不能并入已结案或已合并的事件",
                                                 "The target is closed or merged"))
            if ch.get("status") == "stabilised":
                ch["stabilised_at"] = now
            if "uscc" in ch:
                ch["enterprise_name"] = _enterprise_name(ch["uscc"])
            accident = None
            if "casualties" in ch and row["accident_id"]:
                accident_ch = rules.accident_changes(row["casualties"], ch["casualties"])
                if accident_ch:
                    accident = _update_accident(row, accident_ch, key=f"incident:{row['uid']}:v{row['version']}")
                    ch["accident_version"] = int(accident["version"])
            store.touch(conn, row["id"], **ch)
            new = store.incident(conn, row["id"])
            if "uscc" in ch and not row["accident_id"] and rules.makes_accident(new, tables["incident_types"]):
                accident = _create_accident(conn, p, new, new, tables, now)
                new = store.incident(conn, row["id"])
            details = [k for k in ("title", "address", "lon", "description", "uscc") if k in ch]
            labels = {"title": "事件名称", "address": "事发地点", "lon": "经纬度", "description": "事件概况", "uscc": "涉事单位"}
            if details:
                store.append(conn, row["id"], kind="details", actor_name=p.name, actor=p.label,
                             text="修改" + "、".join(labels[k] for k in details) + (f"：涉事单位 {ch['enterprise_name']}" if "uscc" in ch else ""),
                             detail={"fields": details})
                events.changed(conn, new, change="details", actor=p.label)
            if "casualties" in ch and ch["casualties"] != row["casualties"]:
                store.append(conn, row["id"], kind="casualties", actor_name=p.name, actor=p.label,
                             text=f"伤亡情况更新：{_casualty_text(row['casualties'], ch['casualties'])}",
                             detail={"from": row["casualties"], "to": ch["casualties"]})
                events.changed(conn, new, change="casualties", actor=p.label)
            if "status" in ch:
                text = f"状态：{rules.STATUS_ZH[row['status']]} → {rules.STATUS_ZH[ch['status']]}"
                if target is not None:
                    text += f"，并入事件 #{target['id']}“{target['title']}”"
                    store.append(conn, target["id"], kind="merged_in", actor_name=p.name, actor=p.label,
                                 text=f"事件 #{row['id']}“{row['title']}”并入本事件", detail={"incident_id": row["id"]})
                    store.touch(conn, target["id"])
                store.append(conn, row["id"], kind="status", actor_name=p.name, actor=p.label, text=text,
                             detail={"from": row["status"], "to": ch["status"], "merged_into": ch.get("merged_into")})
                events.changed(conn, new, change="merged" if target is not None else "status", actor=p.label)
            audit.record(conn, action="incident.update", target_type="incident", target_id=str(row["id"]), target_region=row["region_code"],
                         summary={"fields": sorted(k for k in ch if k not in ("stabilised_at", "accident_version", "enterprise_name"))})
            return _answer(view(conn, p, row["id"], accident=(accident, None) if accident else None, now=now))
        return self._write(request, context, "UpdateIncident", work)

    def AddReport(self, request, context) -> cpb.JsonResponse:
        """首报 / 续报 / 终报: the content, new figures (which update the data centre's accident, keyed per
        report), the deadline it is judged against at read."""
        p = current_principal()
        rules.require_staff(p)
        body = jsonio.body(request.body)
        now = _now()

        def work(conn):
            row = self._locked(conn, p, request)
            _check_version(request.version, row, required=False)
            tables = tables_on(row["occurred_at"])
            r = rules.report(body, row=row, existing=store.reports(conn, row["id"]), now=now)
            changes = {}
            accident = None
            if row["accident_id"]:
                accident_ch = rules.accident_changes(row["casualties"], r["casualties"], direct_loss_cny=r["direct_loss_cny"])
                if accident_ch:
                    accident = _update_accident(row, accident_ch, key=f"incident:{row['uid']}:report:{r['kind']}:{r['number']}")
                    changes["accident_version"] = int(accident["version"])
                else:
                    accident = _accident_now(row)
            if r["casualties"] != row["casualties"]:
                changes["casualties"] = r["casualties"]
            if r["direct_loss_cny"] is not None:
                changes["direct_loss_cny"] = r["direct_loss_cny"]
            store.touch(conn, row["id"], **changes)
            new = store.incident(conn, row["id"])
            saved = _add_report(conn, p, new, r, accident=accident, tables=tables, now=now)
            if "casualties" in changes:
                store.append(conn, row["id"], kind="casualties", actor_name=p.name, actor=p.label,
                             text=f"伤亡情况更新（{rules.report_label(r['kind'], r['number'])}）：{_casualty_text(row['casualties'], r['casualties'])}",
                             detail={"from": row["casualties"], "to": r["casualties"], "report_id": saved["id"]})
                events.changed(conn, new, change="casualties", actor=p.label)
            events.reported(conn, new, saved, actor=p.label)
            audit.record(conn, action="incident.report", target_type="incident", target_id=str(row["id"]), target_region=row["region_code"],
                         summary={"report_id": saved["id"], "kind": r["kind"], "number": r["number"], "casualties_changed": "casualties" in changes})
            out = view(conn, p, row["id"], accident=(accident, None) if row["accident_id"] else None, now=now)
            return _answer(out | {"report": next(x for x in out["reports"] if x["id"] == saved["id"])})
        return self._write(request, context, "AddReport", work)

    def DecideLevel(self, request, context) -> cpb.JsonResponse:
        """确定响应级别 (commanders): Ⅰ–Ⅳ with a reason when it differs from the suggestion; a reported
        incident starts responding."""
        p = current_principal()
        rules.require_commander(p)
        body = jsonio.body(request.body)
        now = _now()

        def work(conn):
            row = self._locked(conn, p, request)
            _check_version(request.version, row, required=True)
            tables = tables_on(row["occurred_at"])
            accident = _accident_now(row)
            suggestion = rules.suggest_level(grade=(accident or {}).get("grade"), figures=row["casualties"], table=tables["response_levels"])
            d = rules.level_decision(body, suggestion=suggestion, table=tables["response_levels"])
            status = "responding" if row["status"] == "reported" else row["status"]
            store.touch(conn, row["id"], level=d["level"], level_suggested=d["suggested"], level_reason=d["reason"] or None,
                        plan_name=d["plan_name"], level_decided_by=p.name, level_decided_at=now, status=status)
            new = store.incident(conn, row["id"])
            name = rules.level_name(d["level"], tables["response_levels"])
            text = (f"确定响应级别：{name}（建议级别：{rules.level_name(d['suggested'], tables['response_levels']) or '无'}）"
                    + (f"，启动预案：{d['plan_name']}" if d["plan_name"] else "") + (f"；理由：{d['reason']}" if d["reason"] else ""))
            store.append(conn, row["id"], kind="level", actor_name=p.name, actor=p.label, text=text,
                         detail={"level": d["level"], "suggested": d["suggested"], "previous": row["level"], "plan_name": d["plan_name"]})
            if status != row["status"]:
                store.append(conn, row["id"], kind="status", actor_name=p.name, actor=p.label,
                             text=f"状态：{rules.STATUS_ZH[row['status']]} → {rules.STATUS_ZH[status]}（启动{name}响应）",
                             detail={"from": row["status"], "to": status})
            events.changed(conn, new, change="level", actor=p.label, level_suggested=d["suggested"])
            audit.record(conn, action="incident.level", target_type="incident", target_id=str(row["id"]), target_region=row["region_code"],
                         summary={"level": d["level"], "suggested": d["suggested"]})
            return _answer(view(conn, p, row["id"], accident=(accident, None) if row["accident_id"] else None, now=now))
        return self._write(request, context, "DecideLevel", work)

    def SetCommand(self, request, context) -> cpb.JsonResponse:
        """指挥机构 (commanders): the commander and the working groups, replaced as a whole; a group
        with unfinished tasks stays."""
        p = current_principal()
        rules.require_commander(p)
        body = jsonio.body(request.body)

        def work(conn):
            row = self._locked(conn, p, request)
            _check_version(request.version, row, required=True)
            tables = tables_on(row["occurred_at"])
            cmd = rules.command(body, table=tables["command_groups"])
            kept = {g["code"] for g in cmd["groups"]}
            names = dict(tables["command_groups"]["groups"])
            busy = sorted({t["group_code"] for t in store.tasks(conn, row["id"])
                           if t["group_code"] and t["status"] in rules.TASK_OPEN and t["group_code"] not in kept})
            if busy:
                raise invalid(*(FieldViolation("groups", "groups.in_use", f"{names.get(c, c)}尚有未完成的任务，不能撤销",
                                               f"{c} has unfinished tasks") for c in busy))
            store.touch(conn, row["id"], command=cmd)
            new = store.incident(conn, row["id"])
            text = f"指挥机构：总指挥 {cmd['commander']['name']}" + "".join(
                f"；{g['name']}（组长 {g['leader']['name']}，成员{len(g['members'])}人）" for g in cmd["groups"])
            store.append(conn, row["id"], kind="command", actor_name=p.name, actor=p.label, text=text,
                         detail={"groups": [g["code"] for g in cmd["groups"]]})
            events.changed(conn, new, change="command", actor=p.label, groups=[g["code"] for g in cmd["groups"]])
            audit.record(conn, action="incident.command", target_type="incident", target_id=str(row["id"]), target_region=row["region_code"],
                         summary={"groups": [g["code"] for g in cmd["groups"]]})
            return _answer(view(conn, p, row["id"]))
        return self._write(request, context, "SetCommand", work)

    def AddTask(self, request, context) -> cpb.JsonResponse:
        """A task to a working group of the command structure, or to a rescue team of the data centre
        (its name copied). Tasks carry their own version; the incident's does not move."""
        p = current_principal()
        rules.require_staff(p)
        body = jsonio.body(request.body)
        now = _now()

        def work(conn):
            row = self._locked(conn, p, request)
            groups = [g["code"] for g in (row["command"] or {}).get("groups") or []]
            t = rules.task(body, group_codes=groups, now=now)
            team_name = None
            if t["team_id"] is not None:
                try:
                    team_name = datacentre.get("rescue_team", str(t["team_id"])).get("name")
                except NotFound:
                    raise invalid(FieldViolation("team_id", "team_id.unknown", "数据中心没有该救援队伍（或不在您的辖区）",
                                                 "No such rescue team in the data centre (or not in your region)")) from None
            saved = store.insert_task(conn, row["id"], t, team_name=team_name, by=p.name)
            assignee = dict(((g["code"], g["name"]) for g in row["command"]["groups"])).get(t["group"]) if t["group"] else team_name
            store.append(conn, row["id"], kind="task", actor_name=p.name, actor=p.label,
                         text=f"下达任务：{t['title']}（{assignee}" + (f"，限 {_fmt(t['due_at'])} 前完成" if t["due_at"] else "") + "）",
                         detail={"task_id": saved["id"], "group": t["group"], "team_id": t["team_id"], "status": saved["status"]})
            events.task_changed(conn, row, saved, actor=p.label)
            audit.record(conn, action="incident.task.add", target_type="incident", target_id=str(row["id"]), target_region=row["region_code"],
                         summary={"task_id": saved["id"], "group": t["group"], "team_id": t["team_id"]})
            out = view(conn, p, row["id"], now=now)
            return _answer(out | {"task": next(x for x in out["tasks"] if x["id"] == saved["id"])})
        return self._write(request, context, "AddTask", work)

    def UpdateTask(self, request, context) -> cpb.JsonResponse:
        """A task's next status (query task_id; body status, note, version as read); cancelling is for commanders."""
        p = current_principal()
        rules.require_staff(p)
        body = jsonio.body(request.body)
        raw = request.query.get("task_id") or ""
        now = _now()

        def work(conn):
            row = self._locked(conn, p, request)
            t = store.task(conn, row["id"], int(raw), lock=True) if raw.isdigit() and int(raw) < 2**63 else None
            if t is None:
                raise NotFound("未找到该任务", "No such task")
            if not request.version:
                raise invalid(FieldViolation("version", "version.required", "请提供读取任务时的版本号（version）", "version (as read) is required"))
            if request.version != t["version"]:
                raise Conflict(f"任务已被他人更新（当前版本 {t['version']}），请刷新后重试", f"The task has changed (now version {t['version']})")
            m = rules.task_move(t["status"], body)
            if m["status"] == "cancelled":
                rules.require_commander(p)
            saved = store.move_task(conn, t["id"], status=m["status"], note=m["note"], by=p.name)
            store.append(conn, row["id"], kind="task", actor_name=p.name, actor=p.label,
                         text=f"任务“{t['title']}”：{rules.TASK_STATUS_ZH[t['status']]} → {rules.TASK_STATUS_ZH[m['status']]}"
                              + (f"（{m['note']}）" if m["note"] else ""),
                         detail={"task_id": t["id"], "from": t["status"], "to": m["status"]})
            events.task_changed(conn, row, saved, actor=p.label)
            audit.record(conn, action="incident.task.update", target_type="incident", target_id=str(row["id"]), target_region=row["region_code"],
                         summary={"task_id": t["id"], "from": t["status"], "to": m["status"]})
            out = view(conn, p, row["id"], now=now)
            return _answer(out | {"task": next(x for x in out["tasks"] if x["id"] == saved["id"])})
        return self._write(request, context, "UpdateTask", work)

    def AddNote(self, request, context) -> cpb.JsonResponse:
        """A note on the timeline; the only write a closed or merged incident takes."""
        p = current_principal()
        rules.require_staff(p)
        text = rules.note(jsonio.body(request.body))

        def work(conn):
            row = self._locked(conn, p, request, writes=False)
            seq = store.append(conn, row["id"], kind="note", text=text, actor_name=p.name, actor=p.label)
            audit.record(conn, action="incident.note", target_type="incident", target_id=str(row["id"]), target_region=row["region_code"],
                         summary={"seq": seq})
            entry = store.timeline(conn, row["id"], before=seq + 1, after=0, limit=1, newest_first=True)[0]
            return _answer({"incident_id": row["id"], "entry": views.timeline_view(entry)})
        return self._write(request, context, "AddNote", work)

    def CloseIncident(self, request, context) -> cpb.JsonResponse:
        """总结评估 (commanders): a stabilised incident with its 终报 and no unfinished task; afterwards
        only notes."""
        p = current_principal()
        rules.require_commander(p)
        body = jsonio.body(request.body)
        now = _now()

        def work(conn):
            row = self._locked(conn, p, request)
            _check_version(request.version, row, required=True)
            c = rules.closure(body, row=row, reports=store.reports(conn, row["id"]))
            open_tasks = [t for t in store.tasks(conn, row["id"]) if t["status"] in rules.TASK_OPEN]
            if open_tasks:
                raise Conflict(f"尚有{len(open_tasks)}项任务未完成或未取消，不能结案", "Some tasks are not finished")
            store.touch(conn, row["id"], status="closed", closure=c, closed_at=now, closed_by=p.name)
            new = store.incident(conn, row["id"])
            store.append(conn, row["id"], kind="closed", actor_name=p.name, actor=p.label, text=f"结案。处置总结：{c['summary']}",
                         detail={"from": row["status"]})
            events.closed(conn, new, actor=p.label)
            audit.record(conn, action="incident.close", target_type="incident", target_id=str(row["id"]), target_region=row["region_code"],
                         summary={"level": row["level"]})
            return _answer(view(conn, p, row["id"], now=now))
        return self._write(request, context, "CloseIncident", work)
