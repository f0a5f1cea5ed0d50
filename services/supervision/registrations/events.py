"""Events supervision consumes to keep its registrations current.

Subscribes to the data centre's enterprise topic; each changed enterprise is (re)registered
with the grid of its county. Idempotent twice over: the kit skips event ids already processed,
and an event older than the held version changes nothing."""
from __future__ import annotations

import logging

import psycopg

from safety.datacenter.events.v1 import enterprise_events_pb2 as ev
from services.kit import kafka, regions
from services.kit.cloudevents import CloudEvent
from services.kit.consumer import PermanentError, Subscription
from services.supervision.registrations import rules, store

log = logging.getLogger(__name__)

ENTERPRISE_TOPIC = kafka.topic("safety.datacenter.enterprise.v1")
DEAD_LETTERS = kafka.topic("safety.supervision.dlq.v1")
ENTERPRISE_CHANGED = "cn.gov.safety.datacenter.enterprise.changed.v1"


def on_enterprise_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    if event.type != ENTERPRISE_CHANGED:
        return  # other event types on the topic are not ours to act on
    changed = event.decode(ev.EnterpriseChanged)
    if not changed.uscc or not changed.region_code or changed.version <= 0:
        raise PermanentError("EnterpriseChanged without uscc, region_code or version")
    held = store.held(conn, changed.uscc)
    if not rules.is_newer(held["source_version"] if held else None, changed.version):
        return
    grid = rules.keep_or_choose_grid(held, changed.region_code, store.grids(conn))
    if grid is None:
        raise PermanentError(f"no grid covers region {changed.region_code}")
    fields = changed.record.fields  # the whole record: where the map puts it, and what the classes read
    lon, lat = (fields[k].number_value if k in fields and fields[k].HasField("number_value") else None for k in ("lon", "lat"))
    text = {k: fields[k].string_value or None if k in fields and fields[k].HasField("string_value") else None
            for k in ("sector", "standardization_grade", "risk_colour", "status")}
    store.upsert(conn, uscc=changed.uscc, name=changed.name, region_code=changed.region_code,
                 county_code=regions.county_of(changed.region_code), grid_code=grid, source_version=changed.version,
                 lon=lon, lat=lat, **text)
    store.assign(conn, uscc=changed.uscc, grid_code=grid, by="system",
                 reason="按所在行政区划自动划入" if held is None else "所在行政区划变更，重新划入")


SUBSCRIPTION = Subscription(
    name="supervision.enterprise-registry",
    topics=(ENTERPRISE_TOPIC,),
    handler=on_enterprise_event,
    dead_letter_topic=DEAD_LETTERS,
)
