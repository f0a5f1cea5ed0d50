"""SQL on the grid tree, grid members, assignments and enterprise classes (schema supervision)."""
from __future__ import annotations

import psycopg

from services.kit.db import row as _row, rows as _rows
from services.kit.jsonio import jsonb


def grids_within(conn: psycopg.Connection, prefix: str) -> list[dict]:
    return _rows(conn, """
        SELECT g.code, g.name, g.region_code, g.parent_code, g.level, g.responsibilities, g.version,
               (SELECT count(*) FROM supervision.registration r WHERE r.grid_code = g.code) AS enterprises,
               (SELECT count(*) FROM supervision.grid_member m WHERE m.grid_code = g.code) AS members
          FROM supervision.grid g WHERE g.region_code LIKE %s ORDER BY g.code""", (prefix + "%",))


def grid(conn: psycopg.Connection, code: str, *, lock: bool = False) -> dict | None:
    return _row(conn, "SELECT code, name, region_code, parent_code, level, responsibilities, version, created_at"
                      " FROM supervision.grid WHERE code = %s" + (" FOR UPDATE" if lock else ""), (code,))


def codes_of_region(conn: psycopg.Connection, region_code: str) -> list[str]:
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('supervision.grid:' || %s, 0))", (region_code,))
    return [c for (c,) in conn.execute("SELECT code FROM supervision.grid WHERE region_code = %s", (region_code,)).fetchall()]


def insert_grid(conn: psycopg.Connection, *, code: str, parent_code: str, fields: dict) -> None:
    conn.execute("""INSERT INTO supervision.grid (code, name, region_code, parent_code, level, responsibilities)
                    VALUES (%s, %s, %s, %s, %s, %s)""",
                 (code, fields["name"], fields["region_code"], parent_code, fields["level"], fields["responsibilities"]))


def update_grid(conn: psycopg.Connection, *, code: str, version: int, changes: dict) -> bool:
    sets = ", ".join(f"{k} = %s" for k in changes)
    cur = conn.execute(f"UPDATE supervision.grid SET {sets}, version = version + 1 WHERE code = %s AND version = %s",
                       (*changes.values(), code, version))
    return cur.rowcount == 1


def members(conn: psycopg.Connection, code: str) -> list[dict]:
    return _rows(conn, """SELECT grid_code, username, display_name, duty, phone, officer_id, added_at
                          FROM supervision.grid_member WHERE grid_code = %s ORDER BY duty, username""", (code,))


def upsert_member(conn: psycopg.Connection, *, grid_code: str, m: dict) -> None:
    conn.execute("""INSERT INTO supervision.grid_member (grid_code, username, display_name, duty, phone, officer_id)
                    VALUES (%s, %s, %s, %s, %s, %s)
                    ON CONFLICT (grid_code, username) DO UPDATE SET display_name = EXCLUDED.display_name,
                        duty = EXCLUDED.duty, phone = EXCLUDED.phone, officer_id = EXCLUDED.officer_id""",
                 (grid_code, m["username"], m["display_name"], m["duty"], m["phone"], m["officer_id"]))


def delete_member(conn: psycopg.Connection, *, grid_code: str, username: str) -> bool:
    return conn.execute("DELETE FROM supervision.grid_member WHERE grid_code = %s AND username = %s",
                        (grid_code, username)).rowcount == 1


def registration(conn: psycopg.Connection, uscc: str, *, lock: bool = False) -> dict | None:
    return _row(conn, """SELECT r.uscc, r.name, r.region_code, r.county_code, r.grid_code, g.name AS grid_name,
                                r.sector, r.standardization_grade, r.risk_colour, r.status, r.grid_assigned_manually
                           FROM supervision.registration r JOIN supervision.grid g ON g.code = r.grid_code
                          WHERE r.uscc = %s""" + (" FOR UPDATE OF r" if lock else ""), (uscc,))


def move(conn: psycopg.Connection, *, uscc: str, grid_code: str) -> None:
    conn.execute("UPDATE supervision.registration SET grid_code = %s, grid_assigned_manually = true, updated_at = now() WHERE uscc = %s",
                 (grid_code, uscc))


def history(conn: psycopg.Connection, uscc: str) -> list[dict]:
    return _rows(conn, """SELECT a.grid_code, g.name AS grid_name, a.assigned_at, a.ended_at, a.reason, a.assigned_by
                          FROM supervision.grid_assignment a JOIN supervision.grid g ON g.code = a.grid_code
                          WHERE a.uscc = %s ORDER BY a.assigned_at DESC, a.id DESC""", (uscc,))


def enterprises(conn: psycopg.Connection, *, grid_code: str | None, prefix: str, year: int, klass: str | None,
                after: str, limit: int, name: str | None = None) -> tuple[list[dict], int]:
    where, params = ["r.region_code LIKE %s"], [prefix + "%"]
    if name:  # 单位名称 or credit code contains the text
        where.append("(r.name ILIKE %s OR r.uscc ILIKE %s)")
        like = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [like, like]
    if grid_code:
        # a grid's enterprises include those of the grids below it
        where.append("r.grid_code IN (WITH RECURSIVE t AS (SELECT code FROM supervision.grid WHERE code = %s"
                     " UNION ALL SELECT g.code FROM supervision.grid g JOIN t ON g.parent_code = t.code) SELECT code FROM t)")
        params.append(grid_code)
    if klass:
        where.append("c.class = %s")
        params.append(klass)
    cond = " AND ".join(where)
    rows = _rows(conn, f"""SELECT r.uscc, r.name, r.region_code, r.grid_code, g.name AS grid_name, r.sector, r.standardization_grade,
                                  r.risk_colour, r.grid_assigned_manually, c.class, c.score, c.key_target
                             FROM supervision.registration r JOIN supervision.grid g ON g.code = r.grid_code
                             LEFT JOIN supervision.enterprise_class c ON c.uscc = r.uscc AND c.year = %s
                            WHERE {cond} AND r.uscc > %s ORDER BY r.uscc LIMIT %s""", (year, *params, after, limit))
    (total,) = conn.execute(f"""SELECT count(*) FROM supervision.registration r
                                LEFT JOIN supervision.enterprise_class c ON c.uscc = r.uscc AND c.year = %s WHERE {cond}""",
                            (year, *params)).fetchone()
    return rows, total


def registrations_of_county(conn: psycopg.Connection, county: str) -> list[dict]:
    return _rows(conn, """SELECT uscc, name, region_code, sector, standardization_grade, risk_colour, status, grid_code
                          FROM supervision.registration WHERE region_code LIKE %s ORDER BY uscc""", (county + "%",))


def source_grades(conn: psycopg.Connection, county: str) -> dict[str, list[str]]:
    """The grades (一级…四级) of each enterprise's major hazard sources, from monitoring's copies."""
    out: dict[str, list[str]] = {}
    for uscc, grade in conn.execute("""SELECT uscc, grade FROM monitoring.source
                                        WHERE region_code LIKE %s AND NOT deleted AND grade IS NOT NULL ORDER BY uscc, id""",
                                    (county + "%",)).fetchall():
        out.setdefault(uscc, []).append(grade)  # a source not graded yet adds nothing
    return out


def save_classes(conn: psycopg.Connection, rows: list[tuple]) -> None:
    """rows: (uscc, year, class, score, key_target, key_reasons, inputs, factors, table_version, computed_by)."""
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO supervision.enterprise_class (uscc, year, class, score, key_target, key_reasons, inputs, factors, table_version,
                   computed_by)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (uscc, year) DO UPDATE SET class = EXCLUDED.class, score = EXCLUDED.score, key_target = EXCLUDED.key_target,
                   key_reasons = EXCLUDED.key_reasons, inputs = EXCLUDED.inputs, factors = EXCLUDED.factors,
                   table_version = EXCLUDED.table_version, computed_at = now(), computed_by = EXCLUDED.computed_by""",
            [(u, y, k, s, key, list(reasons), jsonb(i), jsonb(f), tv, by) for u, y, k, s, key, reasons, i, f, tv, by in rows])


def classes_of(conn: psycopg.Connection, uscc: str) -> list[dict]:
    return _rows(conn, """SELECT year, class, score, key_target, inputs, factors, table_version, computed_at, computed_by
                          FROM supervision.enterprise_class WHERE uscc = %s ORDER BY year DESC""", (uscc,))


def class_counts(conn: psycopg.Connection, *, prefix: str, year: int) -> list[dict]:
    return _rows(conn, """SELECT left(r.region_code, 6) AS county_code, c.class, count(*) AS n, count(*) FILTER (WHERE c.key_target) AS key_targets
                          FROM supervision.enterprise_class c JOIN supervision.registration r ON r.uscc = c.uscc
                          WHERE c.year = %s AND r.region_code LIKE %s GROUP BY 1, 2 ORDER BY 1, 2""", (year, prefix + "%"))


def classes_of_county(conn: psycopg.Connection, county_code: str, year: int) -> list[dict]:
    return _rows(conn, """SELECT c.uscc, c.class, c.key_target, coalesce(c.key_reasons, '{}') AS key_reasons_zh
                          FROM supervision.enterprise_class c
                          JOIN supervision.registration r ON r.uscc = c.uscc WHERE c.year = %s AND r.region_code LIKE %s""",
                 (year, county_code + "%"))
