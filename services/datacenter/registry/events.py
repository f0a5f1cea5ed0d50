"""Change events of every record kind, through the outbox (see proto/asyncapi.yaml).

Every event carries the whole record after the change, so an integrator keeps a full replica
of any database from its topics alone. Enterprises keep their established EnterpriseChanged
payload (a superset: the legacy summary fields plus the whole record)."""
from __future__ import annotations

import psycopg
from google.protobuf import struct_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from safety.datacenter.events.v1 import enterprise_events_pb2 as enterprise_ev
from safety.datacenter.events.v1 import record_events_pb2 as ev
from services.datacenter.registry.spec import Kind
from services.kit import kafka, outbox
from services.kit.cloudevents import CloudEvent, new_event

_OPERATIONS = {"created": ev.RecordChanged.CREATED, "updated": ev.RecordChanged.UPDATED, "deleted": ev.RecordChanged.DELETED}
_ENTERPRISE_KINDS = {"created": enterprise_ev.EnterpriseChanged.CREATED, "updated": enterprise_ev.EnterpriseChanged.UPDATED,
                     "deleted": enterprise_ev.EnterpriseChanged.DELETED}


def topic(kind: Kind) -> str:
    return kafka.topic(kind.topic)


def changed(kind: Kind, record: dict, *, operation: str, fields: list[str], actor: str, changed_at) -> CloudEvent:
    """`record` is the API's JSON form of the stored row."""
    body = struct_pb2.Struct()
    body.update(record)
    at = Timestamp()
    at.FromDatetime(changed_at)
    key = str(record["id"])
    if kind.name == "enterprise":
        message = enterprise_ev.EnterpriseChanged(
            kind=_ENTERPRISE_KINDS[operation], uscc=key, name=record.get("name") or "", region_code=record.get("region_code") or "",
            address=record.get("address") or "", industry_code=record.get("industry_code") or "", version=record["version"],
            changed_at=at, record=body, changed_fields=fields, actor=actor)
    else:
        message = ev.RecordChanged(operation=_OPERATIONS[operation], kind=kind.name, id=key, version=record["version"],
                                   record=body, changed_fields=fields, region_code=record.get("region_code") or "",
                                   uscc=record.get("uscc") or "", actor=actor, changed_at=at)
    return new_event(source=f"/safety/datacenter/{kind.database}", type=kind.event_type, subject=key, message=message)


def publish(conn: psycopg.Connection, kind: Kind, record: dict, *, operation: str, fields: list[str], actor: str, changed_at) -> None:
    outbox.enqueue(conn, topic=topic(kind), key=str(record["id"]),
                   event=changed(kind, record, operation=operation, fields=fields, actor=actor, changed_at=changed_at))
