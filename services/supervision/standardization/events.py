"""What standardization tells others, through the outbox (services/kit/outbox.py) in the transaction
of the change, on topic safety.supervision.standardization.v1 keyed by application id: every state
change of an application; the public notice (公示) the portal shows while objections are taken; and
the certificate as the portal publishes it (公告), again whenever it is downgraded, revoked or
replaced. JSON CloudEvents documented in proto/asyncapi.yaml; times in UTC with Z (enqueue_json);
no personal data travels in them (objectors and experts stay in the application)."""
from __future__ import annotations

from datetime import datetime, timezone

import psycopg

from services.kit import kafka, outbox

TOPIC = kafka.topic("safety.supervision.standardization.v1")
SOURCE = "/safety/supervision/standardization"
APPLICATION_CHANGED = "cn.gov.safety.supervision.standardization.application.changed.v1"
NOTICE = "cn.gov.safety.supervision.standardization.notice.v1"
CERTIFICATE = "cn.gov.safety.supervision.standardization.certificate.v1"


def _score(x) -> float | None:
    """A score (numeric(5,1), a Decimal) as a JSON number."""
    return float(x) if x is not None else None


def _send(conn: psycopg.Connection, key: str, type_: str, data: dict) -> None:
    outbox.enqueue_json(conn, topic=TOPIC, key=key, source=SOURCE, type_=type_, subject=key,
                        data=data | {"changed_at": datetime.now(timezone.utc)})


def application_changed(conn: psycopg.Connection, app: dict, *, action: str, actor: str) -> None:
    """`app`: the standardization.application row after the change; `action`: the step taken
    (submit, accept, return, score, review, notice, object, certify, renew, downgrade, revoke)."""
    _send(conn, str(app["id"]), APPLICATION_CHANGED, {
        "id": str(app["id"]), "action": action, "actor": actor, "kind": app["kind"],
        "parent_id": str(app["parent_id"]) if app.get("parent_id") else None, "uscc": app["uscc"],
        "region_code": app["region_code"], "agency_code": app["agency_code"], "family": app["family"],
        "applied_grade": app["applied_grade"], "status": app["status"], "total_score": _score(app.get("total_score")),
        "awarded_grade": app.get("awarded_grade"), "review_due": app["review_due"],
        "review_due_provisional": app["review_due_provisional"], "notice_ends_on": app.get("notice_ends_on"),
        "version": app["version"]})


def notice(conn: psycopg.Connection, app: dict, *, family_name: str, grade_name: str, authority: str) -> None:
    """公示: the result of the review as the portal shows it until the notice's last day."""
    _send(conn, str(app["id"]), NOTICE, {
        "application_id": str(app["id"]), "enterprise_name": app["enterprise_name"], "uscc": app["uscc"],
        "region_code": app["region_code"], "family": app["family"], "family_name": family_name, "kind": app["kind"],
        "grade": app["awarded_grade"], "grade_name": grade_name, "total_score": _score(app["total_score"]), "authority": authority,
        "starts_on": app["notice_starts_on"], "ends_on": app["notice_ends_on"], "ends_provisional": app["notice_ends_provisional"]})


def certificate(conn: psycopg.Connection, cert: dict, *, family_name: str, grade_name: str, authority: str) -> None:
    """The certificate as the portal publishes it; sent when issued and again on each change of state."""
    _send(conn, str(cert["application_id"]), CERTIFICATE, {
        "application_id": str(cert["application_id"]), "number": cert["number"], "enterprise_name": cert["enterprise_name"],
        "uscc": cert["uscc"], "region_code": cert["region_code"], "family": cert["family"], "family_name": family_name,
        "issued_grade": cert["issued_grade"], "grade": cert["grade"], "grade_name": grade_name, "state": cert["state"],
        "authority": authority, "issued_on": cert["issued_on"], "valid_until": cert["valid_until"]})
