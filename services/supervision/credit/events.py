"""What credit tells others, through the outbox (services/kit/outbox.py) in the transaction of the
change, on topic safety.supervision.credit.v1: every ledger entry with the enterprise's score and
grade after it (keyed by USCC), every step of a listing on the serious-dishonesty list — listed,
repair applied for or refused, removed — for the portal's public list (keyed by USCC), every change
of an agency of the register (keyed by the agency's USCC), and each follow-up evaluation published
(keyed by the accident id). JSON CloudEvents documented in proto/asyncapi.yaml; a listed
principal's name travels masked, and no other personal data travels in them."""
from __future__ import annotations

from datetime import datetime, timezone

import psycopg

from services.kit import kafka, outbox
from services.supervision.credit import dishonesty

TOPIC = kafka.topic("safety.supervision.credit.v1")
SOURCE = "/safety/supervision/credit"
ENTRY_RECORDED = "cn.gov.safety.supervision.credit.entry.recorded.v1"
LISTING_CHANGED = "cn.gov.safety.supervision.credit.listing.changed.v1"
AGENCY_CHANGED = "cn.gov.safety.supervision.credit.agency.changed.v1"
FOLLOW_UP_PUBLISHED = "cn.gov.safety.supervision.credit.follow_up.published.v1"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def entry_recorded(conn: psycopg.Connection, entry: dict, *, score, grade: str) -> None:
    """`entry`: the credit.entry row; `score`, `grade`: the enterprise's as of today, after it."""
    data = {"id": str(entry["id"]), "uscc": entry["uscc"], "region_code": entry["region_code"], "source": entry["source"],
            "type": entry["type"], "points": entry["points"], "reason": entry["reason"], "reference": entry["reference"],
            "occurred_on": entry["occurred_on"], "score": float(score), "grade": grade, "recorded_at": _now()}
    outbox.enqueue_json(conn, topic=TOPIC, key=entry["uscc"], source=SOURCE, type_=ENTRY_RECORDED, subject=entry["uscc"], data=data)


def listing_changed(conn: psycopg.Connection, listing: dict, *, action: str, situation_name: str) -> None:
    """`action`: listed, repair_requested, repair_refused, removed."""
    data = {"id": str(listing["id"]), "action": action, "uscc": listing["uscc"], "enterprise_name": listing["enterprise_name"],
            "region_code": listing["region_code"], "agency_name": listing["agency_name"], "situation": listing["situation"],
            "situation_name": situation_name, "principal_name": dishonesty.mask_name(listing["principal_name"]),
            "decision_number": listing["decision_number"], "penalty_number": listing["penalty_number"],
            "listed_on": listing["listed_on"], "expires_on": listing["expires_on"], "status": listing["status"],
            "removal_reason": listing["removal_reason"], "removed_on": listing["removed_on"], "version": listing["version"],
            "changed_at": _now()}
    outbox.enqueue_json(conn, topic=TOPIC, key=listing["uscc"], source=SOURCE, type_=LISTING_CHANGED, subject=str(listing["id"]), data=data)


def agency_changed(conn: psycopg.Connection, agency: dict, *, action: str, score, grade: str) -> None:
    """`action`: registered, updated, work_recorded, finding_recorded."""
    data = {"id": str(agency["id"]), "action": action, "name": agency["name"], "uscc": agency["uscc"],
            "qualification_type": agency["qualification_type"], "qualification_number": agency["qualification_number"],
            "valid_until": agency["valid_until"], "region_code": agency["region_code"], "score": float(score), "grade": grade,
            "version": agency["version"], "changed_at": _now()}
    outbox.enqueue_json(conn, topic=TOPIC, key=agency["uscc"], source=SOURCE, type_=AGENCY_CHANGED, subject=str(agency["id"]), data=data)


def follow_up_published(conn: psycopg.Connection, row: dict, *, conclusion_name: str) -> None:
    data = {"id": str(row["id"]), "accident_id": row["accident_id"], "uscc": row["uscc"], "enterprise_name": row["enterprise_name"],
            "region_code": row["region_code"], "accident_title": row["accident_title"], "accident_grade": row["accident_grade"],
            "occurred_on": row["occurred_on"], "closed_on": row["closed_on"], "due_on": row["due_on"],
            "evaluated_on": row["evaluated_on"], "late": row["evaluated_on"] > row["due_on"], "conclusion": row["conclusion"],
            "conclusion_name": conclusion_name, "summary": row["summary"], "measures": row["measures"], "changed_at": _now()}
    outbox.enqueue_json(conn, topic=TOPIC, key=row["accident_id"], source=SOURCE, type_=FOLLOW_UP_PUBLISHED, subject=str(row["id"]), data=data)
