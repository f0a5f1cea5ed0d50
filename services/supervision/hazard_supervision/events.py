"""What listed supervision tells others, through the outbox: a major hazard listed, an extension
requested or decided, a listing escalated, a listing closed (销号), a report submitted. JSON
CloudEvents on safety.supervision.hazard_supervision.v1 (proto/asyncapi.yaml)."""
from __future__ import annotations

import psycopg

from services.kit import kafka, outbox

TOPIC = kafka.topic("safety.supervision.hazard_supervision.v1")
SOURCE = "/safety/supervision/hazard-supervision"
LISTING_CHANGED = "cn.gov.safety.supervision.hazard_listing.changed.v1"
REPORT_SUBMITTED = "cn.gov.safety.supervision.hazard_report.submitted.v1"


def listing_changed(conn: psycopg.Connection, listing: dict, *, action: str, actor: str) -> None:
    data = {"id": str(listing["id"]), "action": action, "actor": actor, "hazard_id": str(listing["hazard_id"]), "uscc": listing["uscc"],
            "enterprise_name": listing["enterprise_name"], "region_code": listing["region_code"], "level": listing["level"],
            "document_number": listing["document_number"], "listed_on": listing["listed_on"], "deadline": listing["deadline"],
            "status": listing["status"], "escalated_to": listing.get("escalated_to"), "closed_on": listing.get("closed_on"),
            "version": listing["version"]}
    outbox.enqueue_json(conn, topic=TOPIC, key=str(listing["id"]), source=SOURCE, type_=LISTING_CHANGED, subject=str(listing["id"]), data=data)


def report_submitted(conn: psycopg.Connection, report: dict) -> None:
    data = {"id": str(report["id"]), "uscc": report["uscc"], "region_code": report["region_code"], "period": report["period"],
            "figures": report["figures"], "signed_at": report["signed_at"]}
    outbox.enqueue_json(conn, topic=TOPIC, key=report["uscc"], source=SOURCE, type_=REPORT_SUBMITTED, subject=report["uscc"], data=data)
