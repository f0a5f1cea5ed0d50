"""The data centre's change events the emergency service keeps its resource copies from (ADR 0010
(d); services/kit/consumer.py: each event id is handled once, recorded in kit.processed_events in
the transaction of its writes):

- safety.datacenter.rescue_team.v1     → resources.team
- safety.datacenter.supply_warehouse.v1 → resources.warehouse
- safety.datacenter.supply_item.v1     → resources.item (its balance is the data centre's quantity,
  which every ledger movement updates and republishes)
- safety.datacenter.expert.v1          → resources.expert
- safety.datacenter.major_hazard.v1    → resources.hazard_source

Every event carries the whole record after the change. A copy is replaced only by a newer version
(the record's `version`); a DELETED event removes the copy and leaves a tombstone with its version,
so an older event delivered late cannot resurrect it. A redelivered event is skipped by the kit
before it reaches the handler, and would change nothing anyway.

Backfill: the kit's consumers start a new group at the earliest offset (`auto_offset_reset=
"earliest"`), and the data-centre topics are compacted, so the first start of these subscriptions
reads the latest event of every record ever written, the demo seed included."""
from __future__ import annotations

import psycopg
from google.protobuf import json_format

from safety.datacenter.events.v1 import record_events_pb2 as rec
from services.emergency.duty.events import DEAD_LETTERS
from services.emergency.resources import rules, store
from services.kit import kafka
from services.kit.cloudevents import CloudEvent
from services.kit.consumer import PermanentError, Subscription


def _coordinate(record: dict, name: str) -> float | None:
    value = record.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _text(value) -> str | None:
    return None if value is None or value == "" else str(value)


def _team(r: dict) -> dict:
    return {"name": r.get("name") or "", "team_type": _text(r.get("team_type")), "specialty": _text(r.get("specialty")),
            "headcount": int(r["headcount"]) if isinstance(r.get("headcount"), (int, float)) else None,
            "equipment": _text(r.get("equipment")), "base_address": _text(r.get("base_address")),
            "duty_phone": _text(r.get("duty_phone")), "readiness": _text(r.get("readiness"))}


def _warehouse(r: dict) -> dict:
    return {"name": r.get("name") or "", "level": _text(r.get("level")), "address": _text(r.get("address")),
            "keeper": _text(r.get("keeper")), "keeper_phone": _text(r.get("keeper_phone"))}


def _item(r: dict) -> dict:
    wid = r.get("warehouse_id")
    if wid is None or wid == "":
        raise PermanentError("supply_item without warehouse_id")
    quantity = r.get("quantity")
    return {"warehouse_id": str(int(wid)) if isinstance(wid, float) else str(wid), "name": r.get("name") or "",
            "category": r.get("category") or "", "specification": _text(r.get("specification")), "unit": _text(r.get("unit")),
            "balance": quantity if isinstance(quantity, (int, float)) and not isinstance(quantity, bool) else 0,
            "expiry_date": _text(r.get("expiry_date"))}


def _expert(r: dict) -> dict:
    fields = r.get("fields") or []
    return {"name": r.get("name") or "", "fields": [str(f) for f in fields] if isinstance(fields, list) else [],
            "title": _text(r.get("title")), "employer": _text(r.get("employer")), "phone": _text(r.get("phone")),
            "availability": _text(r.get("availability"))}


def _hazard(r: dict) -> dict:
    pop = r.get("population_500m")
    return {"uscc": _text(r.get("uscc")), "unit_name": r.get("unit_name") or "", "unit_type": _text(r.get("unit_type")),
            "grade": _text(r.get("grade")), "chemicals": r.get("chemicals") if isinstance(r.get("chemicals"), list) else [],
            "population_500m": int(pop) if isinstance(pop, (int, float)) and not isinstance(pop, bool) else None}


def _handler(kind: str, event_type: str, values):
    def handle(conn: psycopg.Connection, event: CloudEvent) -> None:
        if event.type != event_type:
            return
        changed = event.decode(rec.RecordChanged)
        if not changed.id or changed.version <= 0:
            raise PermanentError("RecordChanged without id or version")
        record = json_format.MessageToDict(changed.record)
        # A copy is keyed by the data centre's id as text; a Struct number would arrive as a float.
        store.lock(conn, kind, changed.id)
        if not rules.is_newer(store.held_version(conn, kind, changed.id), changed.version):
            return
        if changed.operation == rec.RecordChanged.DELETED:
            store.remove(conn, kind, changed.id, changed.version)
            return
        region = record.get("region_code") or changed.region_code
        if not region:
            raise PermanentError(f"{kind} {changed.id} without region_code")
        store.upsert(conn, kind, changed.id, changed.version, {**values(record), "region_code": region},
                     lon=_coordinate(record, "lon"), lat=_coordinate(record, "lat"))
    handle.__name__ = f"on_{kind}_event"
    return handle


def _subscription(kind: str, datacentre_kind: str, values) -> Subscription:
    return Subscription(name=f"emergency.resources-{kind.replace('_', '-')}",
                        topics=(kafka.topic(f"safety.datacenter.{datacentre_kind}.v1"),),
                        handler=_handler(kind, f"cn.gov.safety.datacenter.{datacentre_kind}.changed.v1", values),
                        dead_letter_topic=DEAD_LETTERS)


SUBSCRIPTIONS = (
    _subscription("team", "rescue_team", _team),
    _subscription("warehouse", "supply_warehouse", _warehouse),
    _subscription("item", "supply_item", _item),
    _subscription("expert", "expert", _expert),
    _subscription("hazard_source", "major_hazard", _hazard),
)
