"""Storage of supervision.registration and supervision.grid."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

_COLUMNS = """r.uscc, r.name, r.region_code, r.county_code, r.grid_code, g.name AS grid_name,
              r.source_version, r.registered_at, r.updated_at"""


def grids(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT code, region_code FROM supervision.grid").fetchall()


def held(conn: psycopg.Connection, uscc: str) -> dict | None:
    """The held registration's version, region and grid, locked for the event's transaction."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("""SELECT source_version, region_code, grid_code, grid_assigned_manually
                              FROM supervision.registration WHERE uscc = %s FOR UPDATE""", (uscc,)).fetchone()


def upsert(conn: psycopg.Connection, *, uscc: str, name: str, region_code: str, county_code: str | None,
           grid_code: str, source_version: int, lon: float | None = None, lat: float | None = None,
           sector: str | None = None, standardization_grade: str | None = None, risk_colour: str | None = None,
           status: str | None = None) -> None:
    conn.execute(
        """INSERT INTO supervision.registration (uscc, name, region_code, county_code, grid_code, source_version, lon, lat,
               sector, standardization_grade, risk_colour, status)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (uscc) DO UPDATE SET name = EXCLUDED.name, region_code = EXCLUDED.region_code,
               county_code = EXCLUDED.county_code, grid_code = EXCLUDED.grid_code,
               grid_assigned_manually = supervision.registration.grid_assigned_manually
                                        AND supervision.registration.grid_code = EXCLUDED.grid_code,
               source_version = EXCLUDED.source_version, lon = EXCLUDED.lon, lat = EXCLUDED.lat,
               sector = EXCLUDED.sector, standardization_grade = EXCLUDED.standardization_grade,
               risk_colour = EXCLUDED.risk_colour, status = EXCLUDED.status, updated_at = now()""",
        (uscc, name, region_code, county_code, grid_code, source_version, lon, lat, sector, standardization_grade, risk_colour, status),
    )


def assign(conn: psycopg.Connection, *, uscc: str, grid_code: str, reason: str, by: str) -> None:
    """Close the enterprise's open assignment (if it is to another grid) and open one to `grid_code`."""
    open_grid = conn.execute("SELECT grid_code FROM supervision.grid_assignment WHERE uscc = %s AND ended_at IS NULL FOR UPDATE",
                             (uscc,)).fetchone()
    if open_grid and open_grid[0] == grid_code:
        return
    conn.execute("UPDATE supervision.grid_assignment SET ended_at = now() WHERE uscc = %s AND ended_at IS NULL", (uscc,))
    conn.execute("INSERT INTO supervision.grid_assignment (uscc, grid_code, reason, assigned_by) VALUES (%s, %s, %s, %s)",
                 (uscc, grid_code, reason, by))


def get(conn: psycopg.Connection, uscc: str) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {_COLUMNS} FROM supervision.registration r JOIN supervision.grid g ON g.code = r.grid_code WHERE r.uscc = %s",
                           (uscc,)).fetchone()


def list_within(conn: psycopg.Connection, *, region_prefix: str, after_uscc: str, limit: int) -> tuple[list[dict], int]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"""SELECT {_COLUMNS} FROM supervision.registration r JOIN supervision.grid g ON g.code = r.grid_code
                WHERE r.region_code LIKE %s AND r.uscc > %s ORDER BY r.uscc LIMIT %s""",
            (region_prefix + "%", after_uscc, limit),
        ).fetchall()
    total = conn.execute("SELECT count(*) FROM supervision.registration WHERE region_code LIKE %s", (region_prefix + "%",)).fetchone()[0]
    return rows, total
