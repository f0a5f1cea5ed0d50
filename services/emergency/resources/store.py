"""SQL on the `resources` schema (migration 0004): the copies' upserts (newer version wins, deletes
remembered as tombstones) and the KNN nearest query.

Nearest: `ORDER BY location <-> point LIMIT n` (the GiST index's KNN on geography), `ST_DWithin`
for the radius (index-assisted) and `ST_Distance` for the metres (spheroid). Region scope as
rules.scope: a prefix, plus one more exact region (a county's city)."""
from __future__ import annotations

from datetime import date

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from services.kit import jsonio, regions

TABLES = {"team": "team", "warehouse": "warehouse", "item": "item", "expert": "expert", "hazard_source": "hazard_source"}
COLUMNS = {
    "team": ("name", "region_code", "team_type", "specialty", "headcount", "equipment", "base_address", "duty_phone", "readiness"),
    "warehouse": ("name", "region_code", "level", "address", "keeper", "keeper_phone"),
    "item": ("warehouse_id", "name", "category", "specification", "unit", "balance", "expiry_date", "region_code"),
    "expert": ("name", "region_code", "fields", "title", "employer", "phone", "availability"),
    "hazard_source": ("uscc", "unit_name", "unit_type", "grade", "region_code", "chemicals", "population_500m"),
}
_LOCATED = {"team", "warehouse", "expert", "hazard_source"}


def held_version(conn: psycopg.Connection, kind: str, id_: str) -> int | None:
    """The version held for this record: the copy's, or its tombstone's."""
    row = conn.execute(sql.SQL("SELECT version FROM resources.{} WHERE id = %s FOR UPDATE").format(sql.Identifier(TABLES[kind])),
                       (id_,)).fetchone()
    if row:
        return row[0]
    row = conn.execute("SELECT version FROM resources.tombstone WHERE kind = %s AND id = %s FOR UPDATE", (kind, id_)).fetchone()
    return row[0] if row else None


def lock(conn: psycopg.Connection, kind: str, id_: str) -> None:
    """Serialise two copies of the service applying events of one record (a rebalance hands a
    partition over while the old owner finishes its batch)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"resources:{kind}:{id_}",))


def upsert(conn: psycopg.Connection, kind: str, id_: str, version: int, values: dict, lon: float | None = None,
           lat: float | None = None) -> None:
    cols = COLUMNS[kind]
    names = [sql.Identifier(c) for c in cols]
    params = [jsonio.jsonb(values.get(c)) if c == "chemicals" else values.get(c) for c in cols]
    located = kind in _LOCATED
    loc_sql = sql.SQL(", location") if located else sql.SQL("")
    loc_val = sql.SQL(", CASE WHEN %s::float8 IS NULL OR %s::float8 IS NULL THEN NULL "
                      "ELSE ST_SetSRID(ST_MakePoint(%s::float8, %s::float8), 4326)::geography END") if located else sql.SQL("")
    loc_params = [lon, lat, lon, lat] if located else []
    updates = sql.SQL(", ").join([sql.SQL("{} = EXCLUDED.{}").format(n, n) for n in names]
                                 + ([sql.SQL("location = EXCLUDED.location")] if located else []))
    conn.execute(sql.SQL("INSERT INTO resources.{t} (id, version, updated_at, {cols}{loc}) VALUES (%s, %s, now(), {vals}{locv}) "
                         "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, updated_at = now(), {upd} "
                         "WHERE resources.{t}.version < EXCLUDED.version").format(
        t=sql.Identifier(TABLES[kind]), cols=sql.SQL(", ").join(names), loc=loc_sql,
        vals=sql.SQL(", ").join(sql.Placeholder() * len(cols)), locv=loc_val, upd=updates),
        [id_, version, *params, *loc_params])
    conn.execute("DELETE FROM resources.tombstone WHERE kind = %s AND id = %s", (kind, id_))


def remove(conn: psycopg.Connection, kind: str, id_: str, version: int) -> None:
    conn.execute(sql.SQL("DELETE FROM resources.{} WHERE id = %s").format(sql.Identifier(TABLES[kind])), (id_,))
    conn.execute("INSERT INTO resources.tombstone (kind, id, version) VALUES (%s, %s, %s) "
                 "ON CONFLICT (kind, id) DO UPDATE SET version = EXCLUDED.version, deleted_at = now() "
                 "WHERE resources.tombstone.version < EXCLUDED.version", (kind, id_, version))


# --- reads --------------------------------------------------------------------------------------------
_SELECT = {
    "team": "t.id, t.name, t.region_code, t.team_type, t.specialty, t.headcount, t.equipment, t.base_address, t.duty_phone, t.readiness",
    "warehouse": "t.id, t.name, t.region_code, t.level, t.address, t.keeper, t.keeper_phone",
    "expert": "t.id, t.name, t.region_code, t.fields, t.title, t.employer, t.phone, t.availability",
    "hazard_source": "t.id, t.uscc, t.unit_name AS name, t.unit_type, t.grade, t.region_code, t.chemicals, t.population_500m",
}
_COORDS = ("ST_X(t.location::geometry) AS lon, ST_Y(t.location::geometry) AS lat, t.version, t.updated_at")


def _scope_sql(prefix: str, extra: str | None) -> tuple[sql.Composable, list]:
    if extra:
        return sql.SQL("(t.region_code LIKE %s OR t.region_code = %s)"), [prefix + "%", extra]
    return sql.SQL("t.region_code LIKE %s"), [prefix + "%"]


def _filters(q: dict, today: date) -> tuple[list[sql.Composable], list]:
    where, params = [], []
    if q.get("capability"):
        where.append(sql.SQL("t.specialty = %s"))
        params.append(q["capability"])
    if q.get("field"):
        where.append(sql.SQL("t.fields @> ARRAY[%s]::text[]"))
        params.append(q["field"])
    if q.get("category"):
        where.append(sql.SQL("EXISTS (SELECT 1 FROM resources.item i WHERE i.warehouse_id = t.id AND i.category = %s "
                             "AND i.balance > 0 AND (i.expiry_date IS NULL OR i.expiry_date >= %s))"))
        params += [q["category"], today]
    return where, params


def nearest(conn: psycopg.Connection, q: dict, *, lon: float, lat: float, prefix: str, extra: str | None, today: date,
            schema: str = "resources") -> list[dict]:
    """`schema`: the copies' schema (bench/resources.py ranks a scratch copy of 10,000 rows with the same SQL)."""
    kind = q["kind"]
    scope, scope_params = _scope_sql(prefix, extra)
    where, params = _filters(q, today)
    point = sql.SQL("ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography")
    query = sql.SQL("SELECT {cols}, {coords}, ST_Distance(t.location, {pt}) AS distance_m FROM {s}.{t} t "
                    "WHERE t.location IS NOT NULL AND ST_DWithin(t.location, {pt}, %s) AND {scope}{more} "
                    "ORDER BY t.location <-> {pt} LIMIT %s").format(
        cols=sql.SQL(_SELECT[kind]), coords=sql.SQL(_COORDS), pt=point, s=sql.Identifier(schema), t=sql.Identifier(TABLES[kind]), scope=scope,
        more=sql.SQL("").join(sql.SQL(" AND ") + w for w in where))
    all_params = [lon, lat, lon, lat, q["radius_km"] * 1000, *scope_params, *params, lon, lat, q["limit"]]
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query, all_params).fetchall()
    # `<->` on geography orders by the sphere's distance; ST_Distance is the spheroid's: equal ranks
    # can swap by centimetres, so the answer is sorted by the figure it shows.
    rows.sort(key=lambda r: (r["distance_m"], r["id"]))
    if kind == "expert" and len(rows) < q["limit"]:
        # The data centre keeps no coordinates for experts: after any located ones, the experts of the
        # scope (with the field asked) without a location, available ones first, distance unknown.
        more = sql.SQL("SELECT {cols}, {coords}, NULL::float8 AS distance_m FROM resources.expert t WHERE t.location IS NULL "
                       "AND {scope}{more} ORDER BY (t.availability = 'available') DESC, t.updated_at DESC, t.id LIMIT %s").format(
            cols=sql.SQL(_SELECT[kind]), coords=sql.SQL(_COORDS), scope=scope,
            more=sql.SQL("").join(sql.SQL(" AND ") + w for w in where))
        with conn.cursor(row_factory=dict_row) as cur:
            rows += cur.execute(more, [*scope_params, *params, q["limit"] - len(rows)]).fetchall()
    if kind == "warehouse":
        attach_items(conn, rows, category=q.get("category"), today=today)
    return rows


def listing(conn: psycopg.Connection, q: dict, *, prefix: str, extra: str | None, today: date) -> list[dict]:
    kind = q["kind"]
    scope, scope_params = _scope_sql(prefix, extra)
    where, params = [scope], list(scope_params)
    if q.get("region_code"):
        where.append(sql.SQL("t.region_code LIKE %s"))
        params.append(regions.significant_prefix(q["region_code"]) + "%")
    query = sql.SQL("SELECT {cols}, {coords} FROM resources.{t} t WHERE {w} ORDER BY t.updated_at DESC, t.id LIMIT %s").format(
        cols=sql.SQL(_SELECT[kind]), coords=sql.SQL(_COORDS), t=sql.Identifier(TABLES[kind]), w=sql.SQL(" AND ").join(where))
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query, [*params, q["limit"]]).fetchall()
    if kind == "warehouse":
        attach_items(conn, rows, category=None, today=today)
    return rows


def attach_items(conn: psycopg.Connection, rows: list[dict], *, category: str | None, today: date) -> None:
    """Each warehouse's items in stock (balance > 0; of the category when one is asked, and then not expired)."""
    if not rows:
        return
    ids = [r["id"] for r in rows]
    extra, params = (sql.SQL(" AND category = %s AND (expiry_date IS NULL OR expiry_date >= %s)"), [category, today]) if category else (sql.SQL(""), [])
    with conn.cursor(row_factory=dict_row) as cur:
        items = cur.execute(sql.SQL("SELECT id, warehouse_id, name, category, specification, unit, balance, expiry_date, version "
                                    "FROM resources.item WHERE warehouse_id = ANY(%s) AND balance > 0{} ORDER BY category, name, id").format(extra),
                            [ids, *params]).fetchall()
    by = {r["id"]: r for r in rows}
    for r in rows:
        r["items"] = []
    for item in items:
        wid = item.pop("warehouse_id")
        item["expired"] = item["expiry_date"] is not None and item["expiry_date"] < today
        by[wid]["items"].append(item)
