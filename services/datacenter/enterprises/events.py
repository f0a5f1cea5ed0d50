"""Events the enterprises database publishes (see proto/asyncapi.yaml)."""
from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from safety.datacenter.events.v1 import enterprise_events_pb2 as ev
from services.kit import kafka
from services.kit.cloudevents import CloudEvent, new_event

TOPIC = kafka.topic("safety.datacenter.enterprise.v1")
SOURCE = "/safety/datacenter/enterprises"
CHANGED = "cn.gov.safety.datacenter.enterprise.changed.v1"


def enterprise_changed(row: dict, *, created: bool) -> CloudEvent:
    changed_at = Timestamp()
    changed_at.FromDatetime(row["updated_at"])
    message = ev.EnterpriseChanged(
        kind=ev.EnterpriseChanged.CREATED if created else ev.EnterpriseChanged.UPDATED,
        uscc=row["uscc"], name=row["name"], region_code=row["region_code"], address=row["address"],
        industry_code=row["industry_code"], version=row["version"], changed_at=changed_at,
    )
    return new_event(source=SOURCE, type=CHANGED, subject=row["uscc"], message=message)
