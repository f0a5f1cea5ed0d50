"""Change events of every record kind, through the outbox (see proto/asyncapi.yaml).

Every event carries the whole record after the change, so an integrator keeps a full replica
of any database from its topics alone. Enterprises keep their established EnterpriseChanged
payload (a superset: the legacy summary fields plus the whole record).

The data is the proto3 JSON form of RecordChanged / EnterpriseChanged, written directly with
json.dumps rather than by building the protobuf message and printing it: imports publish tens of
thousands of events a second and json_format costs ~100 µs per event. tests/unit/test_registry_events.py
checks that the JSON parses as the protobuf message with every field intact. Imports and the demo
data have PostgreSQL build the same events from the rows it stores (outbox_insert, ADR 0007);
tests/integration/test_import_set_based.py checks the two agree for every kind."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import psycopg
from psycopg import sql

from services.datacenter.registry.spec import Kind
from services.datacenter.registry.values import record_json
from services.kit import kafka, outbox
from services.kit.cloudevents import CONTENT_TYPE, SPEC_VERSION, CloudEvent

_OPERATIONS = {"created": "CREATED", "updated": "UPDATED", "deleted": "DELETED"}
RECORD_SCHEMA = "proto:safety.datacenter.events.v1.RecordChanged"
ENTERPRISE_SCHEMA = "proto:safety.datacenter.events.v1.EnterpriseChanged"


def topic(kind: Kind) -> str:
    return kafka.topic(kind.topic)


def _timestamp(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def changed(kind: Kind, record: dict, *, operation: str, fields: list[str], actor: str, changed_at: datetime) -> CloudEvent:
    """`record` is the API's JSON form of the stored row."""
    key = str(record["id"])
    if kind.name == "enterprise":
        data = {"kind": _OPERATIONS[operation], "uscc": key, "name": record.get("name") or "",
                "region_code": record.get("region_code") or "", "address": record.get("address") or "",
                "industry_code": record.get("industry_code") or "", "version": str(record["version"]),
                "changed_at": _timestamp(changed_at), "record": record, "changed_fields": fields, "actor": actor}
        schema = ENTERPRISE_SCHEMA
    else:
        data = {"operation": _OPERATIONS[operation], "kind": kind.name, "id": key, "version": str(record["version"]),
                "record": record, "changed_fields": fields, "region_code": record.get("region_code") or "",
                "uscc": record.get("uscc") or "", "actor": actor, "changed_at": _timestamp(changed_at)}
        schema = RECORD_SCHEMA
    return CloudEvent(id=str(uuid.uuid4()), source=f"/safety/datacenter/{kind.database}", type=kind.event_type, subject=key,
                      time=datetime.now(timezone.utc), data=json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(),
                      dataschema=schema)


def publish(conn: psycopg.Connection, kind: Kind, record: dict, *, operation: str, fields: list[str], actor: str, changed_at) -> None:
    outbox.enqueue(conn, topic=topic(kind), key=str(record["id"]),
                   event=changed(kind, record, operation=operation, fields=fields, actor=actor, changed_at=changed_at))


def publish_many(conn: psycopg.Connection, kind: Kind, rows: list[dict], *, operation: str, fields, actor: str) -> None:
    """publish() for many stored rows at once (imports, demo data); `fields(row)` names what changed."""
    t = topic(kind)
    outbox.enqueue_many(conn, ((t, str(r[kind.key]), changed(kind, record_json(kind, r, masked=False), operation=operation,
                                                               fields=fields(r), actor=actor, changed_at=r["updated_at"]))
                               for r in rows))


# --- the same events, built by PostgreSQL (set-based imports) ---------------------------------------
def _record_sql(kind: Kind, columns: list[str], row: str) -> sql.Composed:
    """record_json(kind, row, masked=False) in SQL: every column, times in Beijing time to the second,
    and `id` the record's key. Built as json (text), not jsonb: a third of the time per row."""
    times = {c for c in columns if c in ("created_at", "updated_at", "deleted_at")
             or (c in kind.by_name and kind.by_name[c].type == "datetime")}
    r = sql.Identifier(row)
    values = [sql.SQL("registry.shanghai_iso({}.{}) AS {}" if c in times else "{}.{} AS {}").format(
        r, sql.Identifier(c), sql.Identifier(c)) for c in columns]
    if kind.key != "id":
        values.append(sql.SQL("{}.{} AS id").format(r, sql.Identifier(kind.key)))
    return sql.SQL("(SELECT row_to_json(v) FROM (SELECT {}) AS v)").format(sql.SQL(", ").join(values))


def _text(columns: list[str], row: str, name: str) -> sql.Composable:
    """`record.get(name) or ""` of changed(): the column's text, '' when it is null or absent."""
    if name not in columns:
        return sql.Literal("")
    return sql.SQL("coalesce({}.{}::text, '')").format(sql.Identifier(row), sql.Identifier(name))


def outbox_insert(kind: Kind, source: str, columns: list[str], *, operation: str, actor: str) -> sql.Composed:
    """INSERT INTO kit.outbox the change events of the rows of `source` (a CTE of stored rows with
    `columns`): the same CloudEvents that publish_many builds in Python, with none of the Python work
    per row (tests/integration/test_import_set_based.py compares the two)."""
    row = "e"
    key = sql.SQL("{}.{}::text").format(sql.Identifier(row), sql.Identifier(kind.key))
    record = _record_sql(kind, columns, row)
    changed_fields = sql.SQL("to_json(array_remove(ARRAY[{}]::text[], NULL))").format(sql.SQL(", ").join(
        sql.SQL("CASE WHEN {}.{} IS NOT NULL THEN {} END").format(sql.Identifier(row), sql.Identifier(f.name), sql.Literal(f.name))
        for f in kind.fields) if kind.fields else sql.SQL(""))
    version = sql.SQL("{}.version::text").format(sql.Identifier(row))
    changed_at = sql.SQL("to_char({}.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')").format(sql.Identifier(row))
    if kind.name == "enterprise":
        data = sql.SQL("json_build_object('kind', {op}, 'uscc', {key}, 'name', {name}, 'region_code', {region}, "
                       "'address', {address}, 'industry_code', {industry}, 'version', {version}, 'changed_at', {at}, "
                       "'record', {record}, 'changed_fields', {fields}, 'actor', {actor})").format(
            op=sql.Literal(_OPERATIONS[operation]), key=key, name=_text(columns, row, "name"),
            region=_text(columns, row, "region_code"), address=_text(columns, row, "address"),
            industry=_text(columns, row, "industry_code"), version=version, at=changed_at, record=record,
            fields=changed_fields, actor=sql.Literal(actor))
        schema = ENTERPRISE_SCHEMA
    else:
        data = sql.SQL("json_build_object('operation', {op}, 'kind', {kind}, 'id', {key}, 'version', {version}, "
                       "'record', {record}, 'changed_fields', {fields}, 'region_code', {region}, 'uscc', {uscc}, "
                       "'actor', {actor}, 'changed_at', {at})").format(
            op=sql.Literal(_OPERATIONS[operation]), kind=sql.Literal(kind.name), key=key, version=version, record=record,
            fields=changed_fields, region=_text(columns, row, "region_code"), uscc=_text(columns, row, "uscc"),
            actor=sql.Literal(actor), at=changed_at)
        schema = RECORD_SCHEMA
    headers = sql.SQL("jsonb_build_object('ce_id', e.event_id::text, 'ce_source', {source}, 'ce_type', {type}, "
                      "'ce_specversion', {spec}, 'ce_time', to_char(clock_timestamp() AT TIME ZONE 'UTC', "
                      "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), 'ce_subject', {key}, 'content-type', {ctype}, "
                      "'ce_dataschema', {schema})").format(
        source=sql.Literal(f"/safety/datacenter/{kind.database}"), type=sql.Literal(kind.event_type), spec=sql.Literal(SPEC_VERSION),
        key=key, ctype=sql.Literal(CONTENT_TYPE), schema=sql.Literal(schema))
    return sql.SQL("INSERT INTO kit.outbox (event_id, topic, record_key, headers, payload) "
                   "SELECT e.event_id, {topic}, {key}, {headers}, convert_to({data}::text, 'UTF8') "
                   "FROM (SELECT gen_random_uuid() AS event_id, s.* FROM {source} AS s) AS e").format(
        topic=sql.Literal(topic(kind)), key=key, headers=headers, data=data, source=sql.Identifier(source))
