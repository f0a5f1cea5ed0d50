"""What grid supervision tells others, through the outbox in the transaction of the change: an
enterprise moved to another grid, and a county's yearly classes computed (for plans elsewhere
and the portal's statistics). JSON CloudEvents documented in proto/asyncapi.yaml."""
from __future__ import annotations

import psycopg

from services.kit import kafka, outbox

TOPIC = kafka.topic("safety.supervision.grid.v1")
SOURCE = "/safety/supervision/grids"
ENTERPRISE_ASSIGNED = "cn.gov.safety.supervision.grid.enterprise_assigned.v1"
CLASSES_COMPUTED = "cn.gov.safety.supervision.grid.classes_computed.v1"


def enterprise_assigned(conn: psycopg.Connection, *, uscc: str, region_code: str, from_grid: str, to_grid: str, reason: str,
                        by: str) -> None:
    data = {"uscc": uscc, "region_code": region_code, "from_grid": from_grid, "to_grid": to_grid, "reason": reason, "by": by}
    outbox.enqueue_json(conn, topic=TOPIC, key=uscc, source=SOURCE, type_=ENTERPRISE_ASSIGNED, subject=uscc, data=data)


def classes_computed(conn: psycopg.Connection, *, county_code: str, year: int, counts: dict, key_targets: int, table_version) -> None:
    key = f"{county_code}:{year}"
    data = {"county_code": county_code, "year": year, "counts": counts, "key_targets": key_targets, "table_version": table_version}
    outbox.enqueue_json(conn, topic=TOPIC, key=key, source=SOURCE, type_=CLASSES_COMPUTED, subject=key, data=data)
