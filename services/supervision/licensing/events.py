"""What licensing tells others, through the outbox (services/kit/outbox.py) in the transaction of
the change, on topic safety.supervision.licensing.v1 keyed by application id: every state change of
an application, and for every certificate issued the 双公示 record the portal publishes (decision
number, holder's credit code, content, authority, validity, the day it must be published by).
JSON CloudEvents documented in proto/asyncapi.yaml; no personal data travels in them."""
from __future__ import annotations

from datetime import date, datetime, timezone

import psycopg

from services.kit import kafka, outbox

TOPIC = kafka.topic("safety.supervision.licensing.v1")
SOURCE = "/safety/supervision/licensing"
APPLICATION_CHANGED = "cn.gov.safety.supervision.licensing.application.changed.v1"
PUBLICATION = "cn.gov.safety.supervision.licensing.publication.v1"


def application_changed(conn: psycopg.Connection, app: dict, *, action: str, actor: str) -> None:
    """`app`: the licensing.application row after the change; `action`: the step taken (submit,
    accept, decide, issue_certificate, …; rules.ACTIONS)."""
    data = {"id": str(app["id"]), "action": action, "actor": actor, "licence_type": app["licence_type"], "kind": app["kind"],
            "parent_id": str(app["parent_id"]) if app.get("parent_id") else None, "uscc": app["uscc"],
            "region_code": app["region_code"], "agency_code": app["agency_code"], "status": app["status"],
            "decision": app.get("decision"), "decision_number": app.get("decision_number"),
            "certificate_number": app.get("certificate_number"), "licence_record_id": app.get("licence_record_id"),
            "licence_state": app.get("licence_state"), "valid_until": app.get("valid_until"),
            "decision_due": app.get("decision_due"), "decision_due_provisional": app.get("decision_due_provisional", False),
            "version": app["version"], "changed_at": datetime.now(timezone.utc)}
    outbox.enqueue_json(conn, topic=TOPIC, key=str(app["id"]), source=SOURCE, type_=APPLICATION_CHANGED, subject=str(app["id"]),
                        data=data)


def publication(conn: psycopg.Connection, app: dict, *, licence_type_name: str, authority: str, publish_by: date,
                publish_by_provisional: bool) -> None:
    """双公示: the licensing decision as the portal publishes it, within the publication limit."""
    data = {"application_id": str(app["id"]), "decision_number": app["decision_number"],
            "certificate_number": app["certificate_number"], "holder_name": app["enterprise_name"], "holder_uscc": app["uscc"],
            "licence_type": app["licence_type"], "licence_type_name": licence_type_name, "kind": app["kind"],
            "content": app["scope"], "authority": authority, "decided_on": app["decided_on"],
            "valid_from": app["issued_on"], "valid_until": app["valid_until"], "region_code": app["region_code"],
            "publish_by": publish_by, "publish_by_provisional": publish_by_provisional, "changed_at": datetime.now(timezone.utc)}
    outbox.enqueue_json(conn, topic=TOPIC, key=str(app["id"]), source=SOURCE, type_=PUBLICATION, subject=str(app["id"]), data=data)
