"""Change events of every record kind, through the outbox (see proto/asyncapi.yaml).

Every event carries the whole record after the change, so an integrator keeps a full replica
of any database from its topics alone. Enterprises keep their established EnterpriseChanged
payload (a superset: the legacy summary fields plus the whole record).

The data is the proto3 JSON form of RecordChanged / EnterpriseChanged, written directly with
json.dumps rather than by building the protobuf message and printing it: imports publish tens of
thousands of events a second and json_format costs ~100 µs per event. tests/unit/test_registry_events.py
checks that the JSON parses as the protobuf message with every field intact."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import psycopg

from services.datacenter.registry.spec import Kind
from services.datacenter.registry.values import record_json
from services.kit import kafka, outbox
from services.kit.cloudevents import CloudEvent

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
