"""What duty tells others, through the outbox in the transaction of the change: an intake logged,
linked to an incident or closed, a spot check started or answered, a daily report submitted. JSON
CloudEvents on safety.emergency.duty.v1 (proto/asyncapi.yaml). No personal data: never the caller's
name or phone, nor the free text of a report (which may name people); the people on duty are not
published either."""
from __future__ import annotations

import psycopg

from services.kit import kafka, outbox

TOPIC = kafka.topic("safety.emergency.duty.v1")
DEAD_LETTERS = kafka.topic("safety.emergency.dlq.v1")
SOURCE = "/safety/emergency/duty"
INTAKE_LOGGED = "cn.gov.safety.emergency.duty.intake.logged.v1"
INTAKE_LINKED = "cn.gov.safety.emergency.duty.intake.linked.v1"
INTAKE_CLOSED = "cn.gov.safety.emergency.duty.intake.closed.v1"
SPOT_CHECK_STARTED = "cn.gov.safety.emergency.duty.spot_check.started.v1"
SPOT_CHECK_ANSWERED = "cn.gov.safety.emergency.duty.spot_check.answered.v1"
DAILY_REPORT_SUBMITTED = "cn.gov.safety.emergency.duty.daily_report.submitted.v1"


def _intake(row: dict) -> dict:
    return {"id": str(row["id"]), "channel": row["channel"], "received_at": row["received_at"], "region_code": row["region_code"],
            "uscc": row["uscc"], "status": row["status"], "incident_id": str(row["incident_id"]) if row["incident_id"] else None,
            "logged_by_kind": row["logged_by_kind"], "version": row["version"]}


def intake_logged(conn: psycopg.Connection, row: dict, *, actor: str) -> None:
    data = _intake(row) | {"action": "logged", "actor": actor, "logged_at": row["logged_at"]}
    outbox.enqueue_json(conn, topic=TOPIC, key=f"intake:{row['id']}", source=SOURCE, type_=INTAKE_LOGGED, subject=str(row["id"]), data=data)


def intake_linked(conn: psycopg.Connection, row: dict, *, actor: str) -> None:
    data = _intake(row) | {"action": row["status"], "actor": actor, "linked_at": row["handled_at"]}
    outbox.enqueue_json(conn, topic=TOPIC, key=f"intake:{row['id']}", source=SOURCE, type_=INTAKE_LINKED, subject=str(row["id"]), data=data)


def intake_closed(conn: psycopg.Connection, row: dict, *, actor: str) -> None:
    data = _intake(row) | {"action": "closed_no_action", "actor": actor, "closed_at": row["handled_at"]}
    outbox.enqueue_json(conn, topic=TOPIC, key=f"intake:{row['id']}", source=SOURCE, type_=INTAKE_CLOSED, subject=str(row["id"]), data=data)


def _spot(row: dict) -> dict:
    return {"id": str(row["id"]), "region_code": row["region_code"], "asked_by_agency": row["asked_by_agency"], "asked_at": row["asked_at"],
            "limit_seconds": row["limit_seconds"], "answered_at": row["answered_at"], "response_seconds": row["response_seconds"],
            "version": row["version"]}


def spot_check_started(conn: psycopg.Connection, row: dict, *, actor: str) -> None:
    outbox.enqueue_json(conn, topic=TOPIC, key=f"spot_check:{row['id']}", source=SOURCE, type_=SPOT_CHECK_STARTED, subject=str(row["id"]),
                        data=_spot(row) | {"actor": actor})


def spot_check_answered(conn: psycopg.Connection, row: dict, *, actor: str, on_time: bool) -> None:
    outbox.enqueue_json(conn, topic=TOPIC, key=f"spot_check:{row['id']}", source=SOURCE, type_=SPOT_CHECK_ANSWERED, subject=str(row["id"]),
                        data=_spot(row) | {"actor": actor, "on_time": on_time})


def daily_report_submitted(conn: psycopg.Connection, row: dict, *, actor: str, late: bool) -> None:
    data = {"id": str(row["id"]), "region_code": row["region_code"], "day": row["day"], "nil": row["nil"], "reasons": row["reasons"],
            "submitted_at": row["submitted_at"], "late": late, "actor": actor, "version": row["version"]}
    outbox.enqueue_json(conn, topic=TOPIC, key=f"daily_report:{row['region_code']}", source=SOURCE, type_=DAILY_REPORT_SUBMITTED,
                        subject=f"{row['region_code']}:{row['day'].isoformat()}", data=data)
