"""The events credit consumes (services/kit/consumer.py: each event id is handled once, in the
transaction of its writes), turned into ledger entries by the pure rules:

- safety.datacenter.hazard.v1 — a 重大事故隐患 whose deadline passed before it was closed
  (rules.hazard_overdue), and supervision's copy of open major hazards for the ones that pass their
  deadline with no further change (store.keep_hazard; counted at read time);
- safety.datacenter.accident.v1 — an accident by grade (rules.accident_entry), and the follow-up
  (回头看) of a closed one scheduled a year after its closure (followups.schedule);
- safety.supervision.inspection.v1 — a failed re-check (rules.recheck_entry);
- safety.supervision.licensing.v1 — a licence suspended or revoked (rules.licence_entry);
- safety.supervision.commitment.v1 — a missed daily safety commitment (rules.commitment_entry).
  The topic carries only missed commitments, so kept ones earn no points.

An inspection completed with major findings is not an entry of its own: those findings become
hazard records in the data centre and count when they go overdue. The same fact arriving twice (a
redelivery past the kit's dedup, a suspension announced on every application of a licence) is one
row: the ledger's (uscc, type, reference, day) is unique."""
from __future__ import annotations

import json
from datetime import date, timezone

import psycopg
from google.protobuf import json_format

from safety.datacenter.events.v1 import record_events_pb2 as rec
from services.kit import jsonio, kafka
from services.kit.cloudevents import CloudEvent
from services.kit.consumer import PermanentError, Subscription
from services.supervision.credit import followups, ledger, rules, store
from services.supervision.inspections import events as inspection_events
from services.supervision.licensing import events as licensing_events
from services.supervision.monitoring import events as monitoring_events
from services.supervision.registrations.events import DEAD_LETTERS

HAZARD_TOPIC = kafka.topic("safety.datacenter.hazard.v1")
ACCIDENT_TOPIC = kafka.topic("safety.datacenter.accident.v1")
HAZARD_CHANGED = "cn.gov.safety.datacenter.hazard.changed.v1"
ACCIDENT_CHANGED = "cn.gov.safety.datacenter.accident.changed.v1"
HAZARDS, ACCIDENTS, RECHECKS, LICENCES, COMMITMENTS = (f"supervision.credit-{n}" for n in (
    "hazards", "accidents", "rechecks", "licences", "commitments"))


def _record_changed(event: CloudEvent) -> tuple[rec.RecordChanged, dict]:
    """The RecordChanged and its whole record (with its id) as a dict."""
    changed = event.decode(rec.RecordChanged)
    if not changed.id or changed.version <= 0:
        raise PermanentError("RecordChanged without id or version")
    return changed, json_format.MessageToDict(changed.record) | {"id": changed.id}


def _data(event: CloudEvent) -> dict:
    try:
        data = json.loads(event.data)
    except ValueError as exc:
        raise PermanentError(f"unreadable event data: {exc}") from exc
    if not isinstance(data, dict):
        raise PermanentError("event data is not an object")
    return data


def on_hazard_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    if event.type != HAZARD_CHANGED:
        return
    changed, hazard = _record_changed(event)
    uscc = hazard.get("uscc")
    if not uscc:
        return
    deleted = changed.operation == rec.RecordChanged.DELETED
    if hazard.get("level") != "major" or deleted:
        store.drop_hazard(conn, hazard_id=changed.id, version=changed.version)
        return
    deadline = date.fromisoformat(hazard["deadline"]) if hazard.get("deadline") else None
    store.keep_hazard(conn, hazard_id=changed.id, uscc=uscc, deadline=deadline, open_=hazard.get("status") != "closed",
                      version=changed.version)
    # judged as of the change the event reports, however late it is consumed
    on = changed.changed_at.ToDatetime(tzinfo=timezone.utc).astimezone(jsonio.SHANGHAI).date()
    ledger.enter(conn, rules.hazard_overdue(hazard, today=on), uscc=uscc, region_code=hazard.get("region_code") or changed.region_code,
                 account=HAZARDS, event_id=event.id)


def on_accident_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    if event.type != ACCIDENT_CHANGED:
        return
    changed, accident = _record_changed(event)
    if changed.operation == rec.RecordChanged.DELETED or not accident.get("uscc"):
        return
    on = rules.local_day(accident.get("occurred_at"))
    if on is None:
        raise PermanentError(f"accident {changed.id} without occurred_at")
    region = accident.get("region_code") or changed.region_code
    ledger.enter(conn, rules.accident_entry(accident, table=ledger.table(ledger.SCORING, jsonio.today())), uscc=accident["uscc"],
                 region_code=region, account=ACCIDENTS, event_id=event.id)
    due = followups.schedule(accident, table=ledger.table(ledger.FOLLOW_UP, jsonio.today()))
    if due is not None:
        store.schedule_follow_up(conn, {"accident_id": changed.id, "accident_version": changed.version, "uscc": accident["uscc"],
                                        "enterprise_name": accident.get("enterprise_name") or "", "region_code": region,
                                        "accident_title": accident.get("title") or "", "accident_grade": accident.get("grade"),
                                        "occurred_on": on, **due})


def on_inspection_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    if event.type != inspection_events.RECHECK_DONE:
        return
    data = _data(event)
    ledger.enter(conn, rules.recheck_entry(data), uscc=data.get("uscc") or "", region_code=data.get("region_code") or "",
                 account=RECHECKS, event_id=event.id)


def on_licensing_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    if event.type != licensing_events.APPLICATION_CHANGED:
        return
    data = _data(event)
    ledger.enter(conn, rules.licence_entry(data), uscc=data.get("uscc") or "", region_code=data.get("region_code") or "",
                 account=LICENCES, event_id=event.id)


def on_commitment_event(conn: psycopg.Connection, event: CloudEvent) -> None:
    if event.type != monitoring_events.COMMITMENT_MISSING:
        return
    data = _data(event)
    ledger.enter(conn, rules.commitment_entry(data), uscc=data.get("uscc") or "", region_code=data.get("region_code") or "",
                 account=COMMITMENTS, event_id=event.id)


SUBSCRIPTIONS = tuple(Subscription(name=name, topics=(topic,), handler=handler, dead_letter_topic=DEAD_LETTERS) for name, topic, handler in (
    (HAZARDS, HAZARD_TOPIC, on_hazard_event), (ACCIDENTS, ACCIDENT_TOPIC, on_accident_event),
    (RECHECKS, inspection_events.TOPIC, on_inspection_event), (LICENCES, licensing_events.TOPIC, on_licensing_event),
    (COMMITMENTS, monitoring_events.COMMITMENT_TOPIC, on_commitment_event)))
