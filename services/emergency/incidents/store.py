"""SQL on schema incidents: incidents, reports, tasks, the timeline. The caller owns the transaction;
every write to an incident first locks its row (`incident(..., lock=True)`), which also numbers its
timeline entries without gaps."""
from __future__ import annotations

import psycopg

from services.kit.db import row as _row, rows as _rows
from services.kit.jsonio import jsonb

_COLUMNS = """i.id, i.uid, i.title, i.type, i.subtype, i.region_code, i.address,
              ST_X(i.location::geometry) AS lon, ST_Y(i.location::geometry) AS lat,
              i.occurred_at, i.reported_at, i.source, i.uscc, i.enterprise_name, i.casualties, i.direct_loss_cny, i.description,
              i.status, i.stabilised_at, i.merged_into, i.level, i.level_suggested, i.level_reason, i.plan_name, i.level_decided_by,
              i.level_decided_at, i.command, i.accident_id, i.accident_version, i.closure, i.closed_at, i.closed_by, i.created_by,
              i.created_account, i.created_at, i.updated_at, i.version"""
_POINT = "CASE WHEN %(lon)s::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(%(lon)s::float8, %(lat)s::float8), 4326)::geography END"


def incident(conn: psycopg.Connection, incident_id: int, *, lock: bool = False) -> dict | None:
    return _row(conn, f"SELECT {_COLUMNS} FROM incidents.incident i WHERE i.id = %s" + (" FOR UPDATE" if lock else ""), (incident_id,))


def insert_incident(conn: psycopg.Connection, f: dict, *, enterprise_name: str | None, by: str, account: str) -> int:
    (iid,) = conn.execute(
        f"""INSERT INTO incidents.incident (title, type, subtype, region_code, address, location, occurred_at, reported_at, source, uscc,
                enterprise_name, casualties, description, created_by, created_account)
            VALUES (%(title)s, %(type)s, %(subtype)s, %(region_code)s, %(address)s, {_POINT}, %(occurred_at)s, %(reported_at)s, %(source)s,
                %(uscc)s, %(enterprise_name)s, %(casualties)s, %(description)s, %(by)s, %(account)s) RETURNING id""",
        {**f, "casualties": jsonb(f["casualties"]), "enterprise_name": enterprise_name, "by": by, "account": account}).fetchone()
    return iid


def touch(conn: psycopg.Connection, incident_id: int, **changes) -> None:
    """Change the incident's columns (none: just a new version), bumping version and updated_at.
    `lon`/`lat` together set the point; jsonb columns take dicts."""
    sets, params = [], {"id": incident_id}
    if "lon" in changes or "lat" in changes:
        params["lon"], params["lat"] = changes.pop("lon", None), changes.pop("lat", None)
        sets.append(f"location = {_POINT}")
    for k, v in changes.items():
        sets.append(f"{k} = %({k})s")
        params[k] = jsonb(v) if isinstance(v, (dict, list)) else v
    sets += ["version = version + 1", "updated_at = now()"]
    conn.execute(f"UPDATE incidents.incident SET {', '.join(sets)} WHERE id = %(id)s", params)


def incidents(conn: psycopg.Connection, *, prefix: str, status: str | None, region_prefix: str | None, type_: str | None, level: int | None,
              q: str | None, after: int, limit: int) -> tuple[list[dict], int]:
    conds, params = ["i.region_code LIKE %s"], [prefix + "%"]
    if region_prefix:
        conds.append("i.region_code LIKE %s")
        params.append(region_prefix + "%")
    if status == "open":
        conds.append("i.status IN ('reported', 'responding', 'stabilised')")
    elif status:
        conds.append("i.status = %s")
        params.append(status)
    if type_:
        conds.append("i.type = %s")
        params.append(type_)
    if level:
        conds.append("i.level = %s")
        params.append(level)
    if q:
        conds.append("(i.title ILIKE %s OR i.address ILIKE %s OR i.enterprise_name ILIKE %s)")
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [like, like, like]
    cond = " AND ".join(conds)
    rows = _rows(conn, f"SELECT {_COLUMNS} FROM incidents.incident i WHERE {cond} AND (%s = 0 OR i.id < %s) ORDER BY i.id DESC LIMIT %s",
                 (*params, after, after, limit))
    (total,) = conn.execute(f"SELECT count(*) FROM incidents.incident i WHERE {cond}", params).fetchone()
    return rows, total


def set_accident(conn: psycopg.Connection, incident_id: int, *, accident_id: int, version: int) -> None:
    """The data centre's accident of a new incident (its creation is part of opening it: no new version)."""
    conn.execute("UPDATE incidents.incident SET accident_id = %s, accident_version = %s WHERE id = %s", (accident_id, version, incident_id))


# --- reports ------------------------------------------------------------------------------------------

def reports(conn: psycopg.Connection, incident_id: int) -> list[dict]:
    return _rows(conn, "SELECT * FROM incidents.report WHERE incident_id = %s ORDER BY reported_at, id", (incident_id,))


def insert_report(conn: psycopg.Connection, incident_id: int, r: dict, *, grade: str, at, by: str, account: str) -> dict:
    return _row(conn, """INSERT INTO incidents.report (incident_id, kind, number, reported_at, phoned_at, grade, course, cause, impact, trend,
                             actions, requests, on_site_commander, casualties, direct_loss_cny, reporter, reporter_account)
                         VALUES (%(incident_id)s, %(kind)s, %(number)s, %(at)s, %(phoned_at)s, %(grade)s, %(course)s, %(cause)s, %(impact)s,
                             %(trend)s, %(actions)s, %(requests)s, %(on_site_commander)s, %(casualties)s, %(direct_loss_cny)s, %(by)s,
                             %(account)s)
                         RETURNING *""",
                {**{k: (r.get(k) or None) for k in ("cause", "impact", "trend", "actions", "requests", "on_site_commander")},
                 "incident_id": incident_id, "kind": r["kind"], "number": r["number"], "phoned_at": r.get("phoned_at"), "grade": grade,
                 "course": r["course"], "casualties": jsonb(r["casualties"]), "direct_loss_cny": r.get("direct_loss_cny"), "by": by,
                 "account": account, "at": at})


# --- tasks --------------------------------------------------------------------------------------------

def tasks(conn: psycopg.Connection, incident_id: int) -> list[dict]:
    return _rows(conn, "SELECT * FROM incidents.task WHERE incident_id = %s ORDER BY id", (incident_id,))


def task(conn: psycopg.Connection, incident_id: int, task_id: int, *, lock: bool = False) -> dict | None:
    return _row(conn, "SELECT * FROM incidents.task WHERE incident_id = %s AND id = %s" + (" FOR UPDATE" if lock else ""),
                (incident_id, task_id))


def insert_task(conn: psycopg.Connection, incident_id: int, t: dict, *, team_name: str | None, by: str) -> dict:
    return _row(conn, """INSERT INTO incidents.task (incident_id, title, group_code, team_id, team_name, due_at, note, created_by, updated_by)
                         VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING *""",
                (incident_id, t["title"], t["group"], t["team_id"], team_name, t["due_at"], t["note"], by, by))


def move_task(conn: psycopg.Connection, task_id: int, *, status: str, note: str | None, by: str) -> dict:
    return _row(conn, """UPDATE incidents.task SET status = %s, note = coalesce(%s, note), updated_by = %s, updated_at = now(),
                             version = version + 1 WHERE id = %s RETURNING *""", (status, note, by, task_id))


# --- the timeline -------------------------------------------------------------------------------------

def append(conn: psycopg.Connection, incident_id: int, *, kind: str, text: str, actor_name: str, actor: str, detail: dict | None = None) -> int:
    """The next entry of the incident's timeline (the caller holds the incident's row lock, or has
    just inserted it, so the numbers are 1, 2, … without gaps or duplicates)."""
    (seq,) = conn.execute(
        """INSERT INTO incidents.timeline (incident_id, seq, kind, text, actor_name, actor, detail)
           SELECT %s, coalesce(max(seq), 0) + 1, %s, %s, %s, %s, %s FROM incidents.timeline WHERE incident_id = %s
           RETURNING seq""", (incident_id, kind, text, actor_name, actor, jsonb(detail or {}), incident_id)).fetchone()
    return seq


def timeline(conn: psycopg.Connection, incident_id: int, *, before: int, after: int, limit: int, newest_first: bool) -> list[dict]:
    if newest_first:
        return _rows(conn, """SELECT * FROM incidents.timeline WHERE incident_id = %s AND (%s = 0 OR seq < %s)
                              ORDER BY seq DESC LIMIT %s""", (incident_id, before, before, limit))
    return _rows(conn, "SELECT * FROM incidents.timeline WHERE incident_id = %s AND seq > %s ORDER BY seq LIMIT %s",
                 (incident_id, after, limit))


def timeline_count(conn: psycopg.Connection, incident_id: int) -> int:
    (n,) = conn.execute("SELECT count(*) FROM incidents.timeline WHERE incident_id = %s", (incident_id,)).fetchone()
    return n
