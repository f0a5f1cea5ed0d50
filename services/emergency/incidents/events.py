"""What the incidents tell others, through the outbox, in the transaction of the change: an incident
opened, changed (status, level, casualties, details, command, an intake joined, merged), a report
made, a task changed, the incident closed. JSON CloudEvents on safety.emergency.incident.v1, keyed
by incident id (proto/asyncapi.yaml `incidentEvents`). No personal data: no names, no phones, no
free text beyond the incident's title; the actor is the account."""
from __future__ import annotations

import psycopg

from services.kit import kafka, outbox

TOPIC = kafka.topic("safety.emergency.incident.v1")
SOURCE = "/safety/emergency/incidents"
OPENED = "cn.gov.safety.emergency.incident.opened.v1"
CHANGED = "cn.gov.safety.emergency.incident.changed.v1"
REPORTED = "cn.gov.safety.emergency.incident.reported.v1"
TASK_CHANGED = "cn.gov.safety.emergency.incident.task.changed.v1"
CLOSED = "cn.gov.safety.emergency.incident.closed.v1"


def _base(row: dict) -> dict:
    return {"id": str(row["id"]), "region_code": row["region_code"], "type": row["type"], "subtype": row["subtype"],
            "status": row["status"], "level": row["level"], "casualties": row["casualties"], "version": row["version"]}


def _send(conn: psycopg.Connection, row: dict, type_: str, data: dict) -> None:
    outbox.enqueue_json(conn, topic=TOPIC, key=str(row["id"]), source=SOURCE, type_=type_, subject=str(row["id"]), data=data)


def opened(conn: psycopg.Connection, row: dict, *, actor: str, intake_id=None) -> None:
    _send(conn, row, OPENED, _base(row) | {
        "title": row["title"], "occurred_at": row["occurred_at"], "reported_at": row["reported_at"], "source": row["source"],
        "lon": row["lon"], "lat": row["lat"], "uscc": row["uscc"], "enterprise_name": row["enterprise_name"],
        "accident_id": str(row["accident_id"]) if row["accident_id"] else None,
        "intake_id": str(intake_id) if intake_id is not None else None, "actor": actor})


def changed(conn: psycopg.Connection, row: dict, *, change: str, actor: str, **extra) -> None:
    """`change`: status, level, casualties, details, command, intake_joined, merged."""
    _send(conn, row, CHANGED, _base(row) | {"change": change, "merged_into": str(row["merged_into"]) if row["merged_into"] else None,
                                            "actor": actor} | extra)


def reported(conn: psycopg.Connection, row: dict, report: dict, *, actor: str) -> None:
    _send(conn, row, REPORTED, _base(row) | {"report_id": str(report["id"]), "kind": report["kind"], "number": report["number"],
                                             "reported_at": report["reported_at"], "phoned_at": report["phoned_at"],
                                             "grade": report["grade"], "report_casualties": report["casualties"], "actor": actor})


def task_changed(conn: psycopg.Connection, row: dict, task: dict, *, actor: str) -> None:
    _send(conn, row, TASK_CHANGED, {"id": str(row["id"]), "region_code": row["region_code"], "task_id": str(task["id"]),
                                    "status": task["status"], "group": task["group_code"],
                                    "team_id": str(task["team_id"]) if task["team_id"] else None, "due_at": task["due_at"],
                                    "version": task["version"], "actor": actor})


def closed(conn: psycopg.Connection, row: dict, *, actor: str) -> None:
    _send(conn, row, CLOSED, _base(row) | {"closed_at": row["closed_at"], "accident_id": str(row["accident_id"]) if row["accident_id"] else None,
                                           "actor": actor})
