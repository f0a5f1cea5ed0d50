"""SQL on schema inspections: plans and their items, conflicts, inspections, findings, re-checks.
(Documents: services/supervision/enforcement/store.py.)"""
from __future__ import annotations

import psycopg

from services.kit.db import row as _row, rows as _rows, where_equal
from services.kit.jsonio import jsonb


# --- plans ----------------------------------------------------------------------------------------

def plan(conn: psycopg.Connection, *, plan_id: int | None = None, county_code: str | None = None, year: int | None = None,
         lock: bool = False) -> dict | None:
    where, params = ("id = %s", (plan_id,)) if plan_id else ("county_code = %s AND year = %s", (county_code, year))
    return _row(conn, f"""SELECT id, county_code, year, status, seed, digest, tables, summary, unassigned, created_by, created_at,
                                 published_by, published_at, version FROM inspections.plan WHERE {where}""" + (" FOR UPDATE" if lock else ""),
                params)


def plan_inputs(conn: psycopg.Connection, plan_id: int) -> dict:
    return conn.execute("SELECT inputs FROM inspections.plan WHERE id = %s", (plan_id,)).fetchone()[0]


def replace_draft(conn: psycopg.Connection, *, county_code: str, year: int, seed: int, digest: str, tables: dict, inputs: dict,
                  summary: dict, unassigned: list, items: list[tuple], by: str) -> int:
    """The county's draft plan for the year, replaced by a new draw. items: (uscc, name, month, key, officer_ids, officer_names, reason)."""
    conn.execute("DELETE FROM inspections.plan WHERE county_code = %s AND year = %s AND status = 'draft'", (county_code, year))
    (plan_id,) = conn.execute(
        """INSERT INTO inspections.plan (county_code, year, status, seed, digest, tables, inputs, summary, unassigned, created_by)
           VALUES (%s, %s, 'draft', %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        (county_code, year, seed, digest, jsonb(tables), jsonb(inputs), jsonb(summary), jsonb(unassigned), by)).fetchone()
    with conn.cursor() as cur:
        with cur.copy("COPY inspections.plan_item (plan_id, uscc, enterprise_name, month, key_target, officer_ids, officer_names, reason)"
                      " FROM STDIN") as copy:
            for item in items:
                copy.write_row((plan_id, *item))
    return plan_id


def publish(conn: psycopg.Connection, *, plan_id: int, version: int, by: str) -> bool:
    return conn.execute("""UPDATE inspections.plan SET status = 'published', published_by = %s, published_at = now(), version = version + 1
                           WHERE id = %s AND version = %s AND status = 'draft'""", (by, plan_id, version)).rowcount == 1


def plan_items(conn: psycopg.Connection, plan_id: int, *, month: int | None = None) -> list[dict]:
    cond, params = ("AND month = %s", (plan_id, month)) if month else ("", (plan_id,))
    return _rows(conn, f"""SELECT id, uscc, enterprise_name, month, key_target, officer_ids, officer_names, reason, inspection_id
                           FROM inspections.plan_item WHERE plan_id = %s {cond} ORDER BY month, key_target DESC, uscc""", params)


def plan_item(conn: psycopg.Connection, item_id: int, *, lock: bool = False) -> dict | None:
    return _row(conn, """SELECT i.id, i.plan_id, i.uscc, i.enterprise_name, i.month, i.officer_ids, i.inspection_id, p.county_code, p.status, p.year
                         FROM inspections.plan_item i JOIN inspections.plan p ON p.id = i.plan_id WHERE i.id = %s"""
                + (" FOR UPDATE OF i" if lock else ""), (item_id,))


def link_plan_item(conn: psycopg.Connection, *, item_id: int, inspection_id: int) -> None:
    conn.execute("UPDATE inspections.plan_item SET inspection_id = %s WHERE id = %s", (inspection_id, item_id))


def conflicts(conn: psycopg.Connection, usccs: list[str]) -> list[tuple[str, str]]:
    return conn.execute("SELECT officer_id, uscc FROM inspections.officer_conflict WHERE uscc = ANY(%s) ORDER BY 1, 2",
                        (usccs,)).fetchall()


def add_conflict(conn: psycopg.Connection, *, officer_id: str, uscc: str, reason: str, by: str) -> None:
    conn.execute("""INSERT INTO inspections.officer_conflict (officer_id, uscc, reason, declared_by) VALUES (%s, %s, %s, %s)
                    ON CONFLICT (officer_id, uscc) DO UPDATE SET reason = EXCLUDED.reason""", (officer_id, uscc, reason, by))


# --- inspections ----------------------------------------------------------------------------------

_INSPECTION = """SELECT id, plan_item_id, uscc, enterprise_name, region_code, sector, agency_region, mode, status, place, started_at,
                        ended_at, officers, checklist, content, unit_present, created_by, created_at, completed_at, version
                   FROM inspections.inspection"""


def inspection(conn: psycopg.Connection, inspection_id: int, *, lock: bool = False) -> dict | None:
    return _row(conn, _INSPECTION + " WHERE id = %s" + (" FOR UPDATE" if lock else ""), (inspection_id,))


def insert_inspection(conn: psycopg.Connection, *, fields: dict, enterprise: dict, officers: list[dict], agency_region: str,
                      by: str) -> int:
    (iid,) = conn.execute(
        """INSERT INTO inspections.inspection (plan_item_id, uscc, enterprise_name, region_code, sector, agency_region, mode, status,
               place, started_at, officers, checklist, created_by)
           VALUES (%s, %s, %s, %s, %s, %s, %s, 'in_progress', %s, %s, %s, %s, %s) RETURNING id""",
        (fields["plan_item_id"], enterprise["uscc"], enterprise["name"], enterprise["region_code"], enterprise["sector"] or "other",
         agency_region, fields["mode"], fields["place"], fields["started_at"], jsonb(officers), fields["checklist"], by)).fetchone()
    return iid


def list_inspections(conn: psycopg.Connection, *, prefix: str, uscc: str | None, status: str | None, after: int,
                     limit: int) -> tuple[list[dict], int]:
    cond, params = where_equal(["region_code LIKE %s"], [prefix + "%"], (("uscc", uscc), ("status", status)))
    rows = _rows(conn, f"""SELECT i.*, (SELECT count(*) FROM inspections.finding f WHERE f.inspection_id = i.id) AS findings_count,
                                  (SELECT count(*) FROM inspections.finding f WHERE f.inspection_id = i.id AND f.major) AS major_count,
                                  (SELECT count(*) FROM inspections.document d WHERE d.inspection_id = i.id) AS documents_count
                             FROM ({_INSPECTION} WHERE {cond} AND (%s = 0 OR id < %s) ORDER BY id DESC LIMIT %s) i ORDER BY i.id DESC""",
                 (*params, after, after, limit))
    (total,) = conn.execute(f"SELECT count(*) FROM inspections.inspection WHERE {cond}", params).fetchone()
    return rows, total


def complete(conn: psycopg.Connection, *, inspection_id: int, done: dict) -> None:
    conn.execute("""UPDATE inspections.inspection SET status = 'completed', content = %s, ended_at = %s, unit_present = %s,
                        completed_at = now(), version = version + 1 WHERE id = %s""",
                 (done["content"], done["ended_at"], jsonb(done["unit_present"]), inspection_id))


def findings(conn: psycopg.Connection, inspection_id: int) -> list[dict]:
    return _rows(conn, """SELECT seq, item_code, description, major, handling, deadline, basis, hazard_id, created_at
                          FROM inspections.finding WHERE inspection_id = %s ORDER BY seq""", (inspection_id,))


def add_finding(conn: psycopg.Connection, *, inspection_id: int, f: dict) -> int:
    (seq,) = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM inspections.finding WHERE inspection_id = %s", (inspection_id,)).fetchone()
    conn.execute("""INSERT INTO inspections.finding (inspection_id, seq, item_code, description, major, handling, deadline, basis)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
                 (inspection_id, seq, f["item_code"], f["description"], f["major"], f["handling"], f["deadline"], f["basis"]))
    conn.execute("UPDATE inspections.inspection SET version = version + 1 WHERE id = %s", (inspection_id,))
    return seq


def remove_finding(conn: psycopg.Connection, *, inspection_id: int, seq: int) -> bool:
    gone = conn.execute("DELETE FROM inspections.finding WHERE inspection_id = %s AND seq = %s", (inspection_id, seq)).rowcount == 1
    if gone:
        conn.execute("UPDATE inspections.inspection SET version = version + 1 WHERE id = %s", (inspection_id,))
    return gone


def set_hazard(conn: psycopg.Connection, *, inspection_id: int, seq: int, hazard_id: str) -> None:
    conn.execute("UPDATE inspections.finding SET hazard_id = %s WHERE inspection_id = %s AND seq = %s AND hazard_id IS NULL",
                 (hazard_id, inspection_id, seq))


# --- re-checks ------------------------------------------------------------------------------------

_RECHECK = """SELECT r.id, r.order_id, d.number AS order_number, d.inspection_id, r.uscc, r.enterprise_name, r.region_code, r.rectify_by,
                     r.due_on, r.done_on, r.result, r.opinion, r.next_action, r.opinion_id, o.number AS opinion_number, r.done_by,
                     r.reports, r.reported_on, r.version
                FROM inspections.recheck r JOIN inspections.document d ON d.id = r.order_id
                LEFT JOIN inspections.document o ON o.id = r.opinion_id"""


def insert_recheck(conn: psycopg.Connection, *, order: dict, due_on) -> int:
    (rid,) = conn.execute("""INSERT INTO inspections.recheck (order_id, uscc, enterprise_name, region_code, rectify_by, due_on)
                             VALUES (%s, %s, %s, %s, %s, %s) RETURNING id""",
                          (order["id"], order["uscc"], order["enterprise_name"], order["region_code"], order["due_on"], due_on)).fetchone()
    return rid


def recheck(conn: psycopg.Connection, recheck_id: int, *, lock: bool = False) -> dict | None:
    return _row(conn, _RECHECK + " WHERE r.id = %s" + (" FOR UPDATE OF r" if lock else ""), (recheck_id,))


def rechecks(conn: psycopg.Connection, *, prefix: str, state: str | None, today, after: int, limit: int) -> tuple[list[dict], int]:
    where, params = ["r.region_code LIKE %s"], [prefix + "%"]
    conds = {"open": "r.done_on IS NULL",
             "due": "r.done_on IS NULL AND (r.rectify_by < %s OR r.reported_on IS NOT NULL) AND r.due_on >= %s",
             "overdue": "r.done_on IS NULL AND r.due_on < %s", "done": "r.done_on IS NOT NULL",
             "waiting": "r.done_on IS NULL AND r.rectify_by >= %s AND r.reported_on IS NULL"}
    if state:
        where.append(conds[state])
        params.extend([today] * conds[state].count("%s"))
    cond = " AND ".join(where)
    rows = _rows(conn, f"{_RECHECK} WHERE {cond} AND (%s = 0 OR r.id > %s) ORDER BY r.due_on, r.id LIMIT %s", (*params, after, after, limit))
    (total,) = conn.execute(f"SELECT count(*) FROM inspections.recheck r WHERE {cond}", params).fetchone()
    return rows, total


def finish_recheck(conn: psycopg.Connection, *, recheck_id: int, version: int, result: dict, opinion_id: int, by: str) -> bool:
    return conn.execute("""UPDATE inspections.recheck SET done_on = %s, result = %s, opinion = %s, next_action = %s, opinion_id = %s,
                               done_by = %s, version = version + 1 WHERE id = %s AND version = %s AND done_on IS NULL""",
                        (result["rechecked_on"], result["result"], result["opinion"], result["next_action"], opinion_id, by,
                         recheck_id, version)).rowcount == 1


def recheck_of_order(conn: psycopg.Connection, order_id: int, *, lock: bool = False) -> dict | None:
    return _row(conn, _RECHECK + " WHERE r.order_id = %s" + (" FOR UPDATE OF r" if lock else ""), (order_id,))


def rechecks_of_orders(conn: psycopg.Connection, order_ids: list[int]) -> dict[int, dict]:
    if not order_ids:
        return {}
    return {r["order_id"]: r for r in _rows(conn, _RECHECK + " WHERE r.order_id = ANY(%s)", (order_ids,))}


def add_report(conn: psycopg.Connection, *, recheck_id: int, version: int, report: dict, reported_on, due_on) -> bool:
    """Append the enterprise's report; the first one fixes reported_on (and the due day it brings)."""
    return conn.execute("""UPDATE inspections.recheck SET reports = reports || %s::jsonb, reported_on = coalesce(reported_on, %s),
                               due_on = %s, version = version + 1 WHERE id = %s AND version = %s AND done_on IS NULL""",
                        (jsonb([report]), reported_on, due_on, recheck_id, version)).rowcount == 1
