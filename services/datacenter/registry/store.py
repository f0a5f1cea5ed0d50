"""Storage of every record kind: SQL built from the declaration, over the caller's connection.
Functions never commit; the servicer owns the transaction. Column names come only from the
declaration, never from a caller, so composing them into SQL is safe; values are always bound."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable
from datetime import date, datetime

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from services.datacenter.registry import search
from services.datacenter.registry.spec import Kind
from services.datacenter.registry.values import json_ready
from services.kit import regions


SEARCH_WINDOW = 5_000


@dataclass(frozen=True)
class Scope:
    """Which rows a caller may see: a region (covering its sub-regions) and/or one enterprise."""
    region: str | None = None   # None: no region restriction (laws, or the whole jurisdiction)
    uscc: str | None = None


def columns(kind: Kind) -> list[str]:
    cols = list(kind.system_columns()) + [f.name for f in kind.fields if f.name not in kind.system_columns()]
    return cols


def _select(kind: Kind) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(c) for c in columns(kind))


def _table(kind: Kind) -> sql.Composed:
    return sql.Identifier(kind.database, kind.table)


def _adapt(kind: Kind, name: str, value):
    f = kind.by_name.get(name)
    if f is not None and f.type == "json" and value is not None:
        return Jsonb(json_ready({"v": value})["v"])
    return value


def search_document(kind: Kind, record: dict) -> str | None:
    """The tsvector literal of a record: its searchable fields as bigram terms (see search.py)."""
    if not kind.searchable:
        return None
    parts = []
    for f in kind.searchable:
        v = record.get(f.name)
        parts.extend(v if isinstance(v, list) else [v])
    terms = search.document([str(p) for p in parts if p is not None]).split()
    return " ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)


_GET_SQL: dict[tuple, sql.SQL] = {}  # (table, for update, deleted too) → the composed statement of get()


def get(conn: psycopg.Connection, kind: Kind, key, *, for_update: bool = False, include_deleted: bool = False) -> dict | None:
    shape = (kind.database, kind.table, for_update, include_deleted)
    q = _GET_SQL.get(shape)
    if q is None:  # one record by key is the commonest read: compose its SQL once, not per call
        composed = sql.SQL("SELECT {} FROM {} WHERE {} = %s").format(_select(kind), _table(kind), sql.Identifier(kind.key))
        if not include_deleted:
            composed += sql.SQL(" AND deleted_at IS NULL")
        if for_update:
            composed += sql.SQL(" FOR UPDATE")
        q = _GET_SQL[shape] = sql.SQL(composed.as_string(None))  # identifiers quoted without a connection
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(q, (key,)).fetchone()


def live_keys(conn: psycopg.Connection, kind: Kind, *, after=None, limit: int) -> list:
    """Keys of the records not deleted, in key order, after `after` (keyset paging for batch jobs)."""
    q = sql.SQL("SELECT {k} FROM {} WHERE deleted_at IS NULL").format(_table(kind), k=sql.Identifier(kind.key))
    params: list = []
    if after is not None:
        q += sql.SQL(" AND {} > %s").format(sql.Identifier(kind.key))
        params.append(after)
    q += sql.SQL(" ORDER BY {} LIMIT %s").format(sql.Identifier(kind.key))
    return [r[0] for r in conn.execute(q, params + [limit]).fetchall()]


def insert(conn: psycopg.Connection, kind: Kind, record: dict, *, actor: str) -> dict:
    values = {k: v for k, v in record.items() if k in set(columns(kind)) and k not in ("version", "created_at", "updated_at")}
    values["created_by"] = values["updated_by"] = actor
    names = list(values)
    columns_sql = [sql.Identifier(n) for n in names] + ([sql.Identifier("search")] if kind.searchable else [])
    slots = [sql.Placeholder()] * len(names) + ([sql.SQL("%s::tsvector")] if kind.searchable else [])
    q = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING {}").format(
        _table(kind), sql.SQL(", ").join(columns_sql), sql.SQL(", ").join(slots), _select(kind))
    params = [_adapt(kind, n, values[n]) for n in names] + ([search_document(kind, record)] if kind.searchable else [])
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(q, params).fetchone()


def update(conn: psycopg.Connection, kind: Kind, key, changes: dict, *, full: dict, actor: str) -> dict:
    """Apply `changes`; `full` is the whole record afterwards (for the search document)."""
    sets = [sql.SQL("{} = %s").format(sql.Identifier(n)) for n in changes]
    params = [_adapt(kind, n, v) for n, v in changes.items()]
    if kind.searchable:
        sets.append(sql.SQL("search = %s::tsvector"))
        params.append(search_document(kind, full))
    sets.append(sql.SQL("version = version + 1, updated_at = now(), updated_by = %s"))
    params.append(actor)
    q = sql.SQL("UPDATE {} SET {} WHERE {} = %s RETURNING {}").format(
        _table(kind), sql.SQL(", ").join(sets), sql.Identifier(kind.key), _select(kind))
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(q, params + [key]).fetchone()


def soft_delete(conn: psycopg.Connection, kind: Kind, key, *, actor: str) -> dict:
    q = sql.SQL("""UPDATE {} SET deleted_at = now(), deleted_by = %s, version = version + 1, updated_at = now(), updated_by = %s
                   WHERE {} = %s RETURNING {}""").format(_table(kind), sql.Identifier(kind.key), _select(kind))
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(q, (actor, actor, key)).fetchone()


def _region_condition(code: str) -> tuple[list[sql.Composable], list]:
    """Rows in a region and below. A county also gets an equality on left(region_code, 6), which
    has its own index (0018): ordered by key, a LIKE alone makes PostgreSQL walk past every other
    county's rows first (seconds at a million enterprises, see docs/benchmarks.md)."""
    prefix = regions.significant_prefix(code)
    conds, params = [sql.SQL("region_code LIKE %s")], [prefix + "%"]
    if len(prefix) == 6:
        conds.append(sql.SQL("left(region_code, 6) = %s"))
        params.append(prefix)
    return conds, params


def _scope_conditions(kind: Kind, scope: Scope) -> tuple[list[sql.Composable], list]:
    conds, params = [sql.SQL("deleted_at IS NULL")], []
    if scope.region and kind.regional:
        c, p = _region_condition(scope.region)
        conds += c
        params += p
    if scope.uscc:
        conds.append(sql.SQL("{} = %s").format(sql.Identifier("uscc")))
        params.append(scope.uscc)
    return conds, params


def list_rows(conn: psycopg.Connection, kind: Kind, *, scope: Scope, filters: dict, extra: list[tuple[str, tuple]],
              query: str | None, size: int, after: str | None) -> list[dict]:
    """Newest first (by key), `size + 1` rows so the caller knows whether there is a next page."""
    conds, params = _scope_conditions(kind, scope)
    for name, value in filters.items():
        f = kind.by_name.get(name)
        if name == "region_code":
            c, p = _region_condition(value)
            conds += c
            params += p
        elif f is not None and f.sql_type.endswith("[]"):
            conds.append(sql.SQL("{} @> ARRAY[%s]::text[]").format(sql.Identifier(name)))
            params.append(value)
        else:
            conds.append(sql.SQL("{} = %s").format(sql.Identifier(name)))
            params.append(value)
    for condition, extra_params in extra:
        conds.append(sql.SQL("(" + condition + ")"))  # conditions written in the kind declarations
        params.extend(extra_params)
    key = sql.Identifier(kind.key)
    if after is not None:
        conds.append(sql.SQL("{} < %s").format(key))
        params.append(after)

    def fetch(extra_conds: list, extra_params: list, limit: int) -> list[dict]:
        matching = [sql.SQL("search @@ %s::tsquery")] if query else []
        q = sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {} DESC LIMIT %s").format(
            _select(kind), _table(kind), sql.SQL(" AND ").join(conds + extra_conds + matching), key)
        with conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(q, params + extra_params + ([query] if query else []) + [limit]).fetchall()

    if not (query and kind.key == "id"):
        return fetch([], [], size + 1)
    # Search: the planner cannot know how often a Chinese word's character pairs occur together, and
    # for a common word it intersects the whole GIN match (100,000+ rows) with the newest ids. Newest
    # records first, so read the most recent SEARCH_WINDOW ids by key and match those (the OFFSET 0
    # keeps PostgreSQL from pushing the match into that scan); only then search the rest.
    top = after if after is not None else (conn.execute(sql.SQL("SELECT max(id) + 1 FROM {}").format(_table(kind))).fetchone()[0] or 0)
    floor = top - SEARCH_WINDOW
    window = sql.SQL("SELECT {cols} FROM (SELECT {cols}, search FROM {t} WHERE {conds} AND id >= %s OFFSET 0) w "
                     "WHERE search @@ %s::tsquery ORDER BY id DESC LIMIT %s").format(
        cols=_select(kind), t=_table(kind), conds=sql.SQL(" AND ").join(conds))
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(window, params + [floor, query, size + 1]).fetchall()
    if len(rows) <= size:
        rows += fetch([sql.SQL("id < %s")], [floor], size + 1 - len(rows))
    return rows


def statistics(conn: psycopg.Connection, kind: Kind, *, by: str, region: str | None,
               month_from: date | None, month_to: date | None) -> list[tuple[str, int]]:
    """Counts of live records from the counters (registry.stat), grouped by county, category or month."""
    group = {"region": "left(region_code, 6)", "category": "category", "month": "to_char(month, 'YYYY-MM')"}[by]
    conds, params = ["kind = %s"], [kind.name]
    if region and kind.regional:
        conds.append("region_code LIKE %s")
        params.append(regions.significant_prefix(region) + "%")
    if month_from:
        conds.append("month >= %s")
        params.append(month_from)
    if month_to:
        conds.append("month <= %s")
        params.append(month_to)
    # Without a month range, the month-less counters answer (a tenth of the rows or fewer).
    table = "registry.stat" if by == "month" or month_from or month_to else "registry.stat_total"
    rows = conn.execute(f"SELECT {group} AS k, sum(n)::bigint FROM {table} WHERE {' AND '.join(conds)} "
                        f"GROUP BY 1 HAVING sum(n) <> 0 ORDER BY 1", params).fetchall()
    return [(r[0], r[1]) for r in rows]


def append_history(conn: psycopg.Connection, kind: Kind, key, *, version: int, operation: str, actor: str, changes: dict) -> None:
    conn.execute("INSERT INTO registry.change (kind, record_id, version, operation, actor, changes) VALUES (%s, %s, %s, %s, %s, %s)",
                 (kind.name, str(key), version, operation, actor, Jsonb(json_ready(changes))))


def copy_history(conn: psycopg.Connection, kind: Kind, entries, *, actor: str) -> None:
    """append_history for many records at once (imports, demo data): (key, version, operation, changes)."""
    with conn.cursor() as cur, cur.copy("COPY registry.change (kind, record_id, version, operation, actor, changes) FROM STDIN") as cp:
        for key, version, operation, changes in entries:
            cp.write_row((kind.name, str(key), version, operation, actor, json.dumps(json_ready(changes), ensure_ascii=False)))


def history(conn: psycopg.Connection, kind: Kind, key) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT version, operation, actor, at, changes FROM registry.change WHERE kind = %s AND record_id = %s "
                           "ORDER BY version", (kind.name, str(key))).fetchall()


def create_many(conn: psycopg.Connection, kind: Kind, records: list[dict], *, actor: str,
                outbox: "Callable[[str, list[str]], sql.Composable] | None" = None,
                returning: tuple[str, ...] | None = None) -> list[dict]:
    """Set-based create for imports and demo data: the records are streamed with COPY into a staging
    table (no indexes, no triggers), then one statement inserts them into the kind's table and, from
    the rows it stored, builds their history entries and — given `outbox(source, columns)`, the SQL of
    their change events (events.outbox_insert) — their outbox rows, so PostgreSQL does that work
    rather than Python row by row. Ids (identity) and the stored defaults (version 1, now()) come
    from the table itself. Returns the stored rows' `returning`
    columns (default: the key), in no particular order."""
    if not records:
        return []
    names = [c for c in columns(kind) if c not in ("version", "created_at", "updated_at", "created_by", "updated_by",
                                                     "deleted_at", "deleted_by") and not (c == "id" and kind.key == "id")]
    cols = names + ["created_by", "updated_by"] + (["search"] if kind.searchable else [])
    stage = sql.Identifier(f"stage_{kind.database}_{kind.table}")
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(stage))
    conn.execute(sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
        stage, sql.SQL(", ").join(map(sql.Identifier, cols)), _table(kind)))
    json_columns = {f.name for f in kind.fields if f.type == "json"}
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
            stage, sql.SQL(", ").join(map(sql.Identifier, cols)))) as cp:
        for r in records:
            row = [_copy_value(n in json_columns, r.get(n)) for n in names] + [actor, actor]
            if kind.searchable:
                row.append(search_document(kind, r))
            cp.write_row(row)
    stored = columns(kind)
    parts = [sql.SQL("ins AS (INSERT INTO {t} ({c}) SELECT {c} FROM {s} RETURNING {r})").format(
                 t=_table(kind), c=sql.SQL(", ").join(map(sql.Identifier, cols)), s=stage,
                 r=sql.SQL(", ").join(map(sql.Identifier, stored))),
             sql.SQL("history AS (INSERT INTO registry.change (kind, record_id, version, operation, actor) "
                     "SELECT {kind}, ins.{key}::text, ins.version, 'created', {actor} FROM ins)").format(
                 kind=sql.Literal(kind.name), key=sql.Identifier(kind.key), actor=sql.Literal(actor))]
    if outbox is not None:
        parts.append(sql.SQL("events AS ({})").format(outbox("ins", stored)))
    back = returning or (kind.key,)
    q = sql.SQL("WITH {} SELECT {} FROM ins").format(sql.SQL(", ").join(parts), sql.SQL(", ").join(map(sql.Identifier, back)))
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(q).fetchall()


def _copy_value(is_json: bool, value):
    if value is None:
        return None
    if is_json:
        return json.dumps(json_ready({"v": value})["v"], ensure_ascii=False)
    if isinstance(value, list):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def existing_keys(conn: psycopg.Connection, kind: Kind, keys: list) -> set:
    q = sql.SQL("SELECT {} FROM {} WHERE {} = ANY(%s)").format(sql.Identifier(kind.key), _table(kind), sql.Identifier(kind.key))
    return {r[0] for r in conn.execute(q, (keys,)).fetchall()}


def taken(conn: psycopg.Connection, kind: Kind, fields: tuple[str, ...], values: list[tuple], *, exclude=None) -> set[tuple]:
    """Which of `values` (tuples of `fields`) a live record other than `exclude` already holds."""
    if not values:
        return set()
    cols = sql.SQL(", ").join(map(sql.Identifier, fields))
    q = sql.SQL("SELECT {cols} FROM {t} WHERE ({cols}) IN (SELECT * FROM unnest({arrays})) AND deleted_at IS NULL AND {key} IS DISTINCT FROM %s").format(
        cols=cols, t=_table(kind), key=sql.Identifier(kind.key),
        arrays=sql.SQL(", ").join(sql.SQL("%s::{}[]").format(sql.SQL(kind.by_name[f].sql_type)) for f in fields))
    params = [[v[i] for v in values] for i in range(len(fields))] + [exclude]
    return {tuple(r) for r in conn.execute(q, params).fetchall()}


def lookup(conn: psycopg.Connection, kind: Kind, keys: list, cols: tuple[str, ...]) -> dict:
    """{key: {col: value}} of live records, for resolving references in bulk."""
    q = sql.SQL("SELECT {}, {} FROM {} WHERE {} = ANY(%s) AND deleted_at IS NULL").format(
        sql.Identifier(kind.key), sql.SQL(", ").join(map(sql.Identifier, cols)), _table(kind), sql.Identifier(kind.key))
    with conn.cursor(row_factory=dict_row) as cur:
        return {r[kind.key]: r for r in cur.execute(q, (keys,)).fetchall()}
