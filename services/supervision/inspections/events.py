"""What inspections tell others, through the outbox in the transaction of the change: a plan
published (with its 双随机 draw, for the portal's public disclosure), an inspection completed, an
enforcement document issued, an enterprise's rectification reported, a re-check done. JSON CloudEvents documented in proto/asyncapi.yaml;
no personal data beyond officers' names and certificate numbers, which enforcement publishes."""
from __future__ import annotations

import psycopg

from services.kit import kafka, outbox

TOPIC = kafka.topic("safety.supervision.inspection.v1")
SOURCE = "/safety/supervision/inspections"
PLAN_PUBLISHED = "cn.gov.safety.supervision.plan.published.v1"
INSPECTION_COMPLETED = "cn.gov.safety.supervision.inspection.completed.v1"
DOCUMENT_ISSUED = "cn.gov.safety.supervision.document.issued.v1"
RECHECK_DONE = "cn.gov.safety.supervision.recheck.done.v1"
RECTIFICATION_REPORTED = "cn.gov.safety.supervision.rectification.reported.v1"


def plan_published(conn: psycopg.Connection, plan: dict, items: list[dict]) -> None:
    """One event per month of the plan (`part` of `parts` = 12), so a city-wide plan stays far below
    Kafka's message limit; each carries the plan's seed, digest and summary."""
    head = {"id": str(plan["id"]), "county_code": plan["county_code"], "year": plan["year"], "seed": str(plan["seed"]),
            "digest": plan["digest"], "tables": plan["tables"], "summary": plan["summary"], "parts": 12}
    for month in range(1, 13):
        data = head | {"part": month, "month": month,
                       "items": [{"uscc": i["uscc"], "enterprise_name": i["enterprise_name"], "month": i["month"],
                                  "key_target": i["key_target"], "officer_names": i["officer_names"], "reason": i["reason"]}
                                 for i in items if i["month"] == month]}
        outbox.enqueue_json(conn, topic=TOPIC, key=f"plan:{plan['id']}", source=SOURCE, type_=PLAN_PUBLISHED, subject=str(plan["id"]),
                            data=data)


def inspection_completed(conn: psycopg.Connection, inspection: dict, findings: list[dict], documents: list[dict]) -> None:
    data = {"id": str(inspection["id"]), "uscc": inspection["uscc"], "enterprise_name": inspection["enterprise_name"],
            "region_code": inspection["region_code"], "mode": inspection["mode"], "plan_item_id": inspection["plan_item_id"],
            "started_at": inspection["started_at"], "ended_at": inspection["ended_at"],
            "officers": [{"name": o["name"], "certificate_number": o["certificate_number"]} for o in inspection["officers"]],
            "findings": len(findings), "major_findings": sum(1 for f in findings if f["major"]),
            "documents": [d["number"] for d in documents if d["number"]]}
    outbox.enqueue_json(conn, topic=TOPIC, key=f"inspection:{inspection['id']}", source=SOURCE, type_=INSPECTION_COMPLETED,
                        subject=str(inspection["id"]), data=data)


def document_issued(conn: psycopg.Connection, doc: dict) -> None:
    data = {"id": str(doc["id"]), "type": doc["type"], "number": doc["number"], "agency_name": doc["agency_name"], "uscc": doc["uscc"],
            "enterprise_name": doc["enterprise_name"], "region_code": doc["region_code"], "inspection_id": doc["inspection_id"],
            "due_on": doc["due_on"], "issued_at": doc["issued_at"]}
    outbox.enqueue_json(conn, topic=TOPIC, key=f"document:{doc['id']}", source=SOURCE, type_=DOCUMENT_ISSUED, subject=str(doc["id"]), data=data)


def recheck_done(conn: psycopg.Connection, recheck: dict) -> None:
    data = {"id": str(recheck["id"]), "order_number": recheck["order_number"], "uscc": recheck["uscc"], "region_code": recheck["region_code"],
            "result": recheck["result"], "next_action": recheck["next_action"], "done_on": recheck["done_on"],
            "opinion_number": recheck["opinion_number"]}
    outbox.enqueue_json(conn, topic=TOPIC, key=f"recheck:{recheck['id']}", source=SOURCE, type_=RECHECK_DONE, subject=str(recheck["id"]), data=data)


def rectification_reported(conn: psycopg.Connection, recheck: dict) -> None:
    """The enterprise reported its rectification of an order (the report's text and its principal's
    name stay in the platform; the event says which order, when, and the re-check's due day)."""
    data = {"id": str(recheck["id"]), "order_id": str(recheck["order_id"]), "order_number": recheck["order_number"], "uscc": recheck["uscc"],
            "region_code": recheck["region_code"], "reported_on": recheck["reports"][-1]["reported_on"], "report": len(recheck["reports"]),
            "items": len(recheck["reports"][-1]["items"]), "rectify_by": recheck["rectify_by"], "due_on": recheck["due_on"]}
    outbox.enqueue_json(conn, topic=TOPIC, key=f"recheck:{recheck['id']}", source=SOURCE, type_=RECTIFICATION_REPORTED,
                        subject=str(recheck["id"]), data=data)
