"""The platform-wide audit trail: every write attempt — done, or refused at the gateway or in a
service — becomes one entry with who, what, when, from where and the request id; administrators
search it within their region; nobody can change it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from services.kit import roles
from tests.integration.conftest import bearer, corrupt_check_char, random_uscc, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def auditors(staff_user, staff_token):
    kt = staff_user("test-kongtong-dcadmin", "620802", roles.DATACENTER_ADMIN)
    return {"city": lambda: staff_token("city-admin"), "kongtong": lambda: staff_token(kt)}


def search(http, token: str, **params) -> list[dict]:
    r = http.get("/api/v1/audit", params={"page_size": 200, **params}, headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def find(http, token: str, request_id: str, **params) -> dict | None:
    return next((e for e in search(http, token, **params) if e["request_id"] == request_id), None)


def test_a_successful_write_is_traceable_to_the_client_and_request(http, auditors, enterprise_client):
    ent = enterprise_client(region="620802")
    r = http.post("/api/v1/enterprises", json=ent.submission(), headers=bearer(ent.token()))
    assert r.status_code == 201
    rid = r.headers["x-request-id"]
    entry = wait_for("audit entry", lambda: find(http, auditors["city"](), rid, uscc=ent.uscc))
    assert entry["outcome"] == "success" and entry["action"] == "enterprise.create" and entry["service"] == "datacenter"
    assert entry["actor"]["kind"] == "enterprise" and "enterprise" in entry["actor"]["roles"] and entry["actor"]["region"] == "620802"
    assert entry["target_type"] == "enterprise" and entry["target_id"] == ent.uscc and entry["target_region"] == "620802"
    assert entry["source_ip"] == "127.0.0.1" and entry["summary"]["version"] == 1
    at = datetime.fromisoformat(entry["at"])
    assert at.utcoffset() == timedelta(hours=8) and abs(at - datetime.now(timezone.utc)) < timedelta(minutes=2)


def test_refused_attempts_are_recorded_wherever_they_are_refused(http, auditors, staff_token, enterprise_client):
    # Refused at the gateway: an inspector may not review applications.
    inspector = staff_token("kongtong-inspector")
    r = http.post("/api/v1/onboarding/applications/00000000-0000-0000-0000-000000000001/approve", json={}, headers=bearer(inspector))
    assert r.status_code == 403
    e = wait_for("gateway refusal", lambda: find(http, auditors["city"](), r.headers["x-request-id"], outcome="refused"))
    assert e["service"] == "gateway" and e["actor"]["name"] == "kongtong-inspector" and e["reason"] == "forbidden"
    assert e["action"] == "onboarding.approve"

    # Refused without credentials at all.
    r = http.post("/api/v1/enterprises", json={"uscc": "x"})
    assert r.status_code == 401
    e = wait_for("anonymous refusal", lambda: find(http, auditors["city"](), r.headers["x-request-id"], actor="anonymous"))
    assert e["actor"]["kind"] == "anonymous" and e["reason"] == "unauthenticated"

    # Refused inside the data centre: a credit code with a wrong check character.
    bad = enterprise_client(region="620802", uscc=corrupt_check_char(random_uscc("620802")))
    r = http.post("/api/v1/enterprises", json=bad.submission(), headers=bearer(bad.token()))
    assert r.status_code == 422
    e = wait_for("service refusal", lambda: find(http, auditors["city"](), r.headers["x-request-id"], action="enterprise.submit"))
    assert e["service"] == "datacenter" and e["outcome"] == "refused" and e["reason"] == "validation-error"
    assert e["target_id"] == bad.uscc


def test_a_county_administrator_sees_only_their_county(http, auditors, enterprise_client):
    kt, jc = enterprise_client(region="620802"), enterprise_client(region="620821")
    rids = {}
    for ent in (kt, jc):
        r = http.post("/api/v1/enterprises", json=ent.submission(), headers=bearer(ent.token()))
        assert r.status_code == 201
        rids[ent.region] = r.headers["x-request-id"]
    wait_for("both entries", lambda: find(http, auditors["city"](), rids["620821"], uscc=jc.uscc) and find(http, auditors["city"](), rids["620802"], uscc=kt.uscc))
    assert find(http, auditors["kongtong"](), rids["620802"], uscc=kt.uscc) is not None
    assert find(http, auditors["kongtong"](), rids["620821"], uscc=jc.uscc) is None
    assert search(http, auditors["kongtong"](), uscc=jc.uscc) == []


def test_search_filters_by_action_and_time(http, auditors, enterprise_client):
    ent = enterprise_client(region="620802")
    r = http.post("/api/v1/enterprises", json=ent.submission(), headers=bearer(ent.token()))
    rid = r.headers["x-request-id"]
    wait_for("entry", lambda: find(http, auditors["city"](), rid, uscc=ent.uscc))
    now = datetime.now(timezone.utc)
    assert find(http, auditors["city"](), rid, action="enterprise.", since=(now - timedelta(minutes=5)).isoformat()) is not None
    assert find(http, auditors["city"](), rid, action="onboarding.") is None
    assert find(http, auditors["city"](), rid, until=(now - timedelta(hours=1)).isoformat()) is None
    bad = http.get("/api/v1/audit", params={"since": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat()},
                   headers=bearer(auditors["city"]()))
    assert bad.status_code == 422


def test_only_administrators_search(http, staff_token):
    assert http.get("/api/v1/audit", headers=bearer(staff_token("kongtong-inspector"))).status_code == 403
    assert http.get("/api/v1/audit").status_code == 401


def test_entries_cannot_be_altered(datacenter_db):
    for table in ("audit.entry", "kit.audit_log"):
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            with datacenter_db.transaction():
                datacenter_db.execute(f"UPDATE {table} SET outcome = 'success' WHERE true")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            with datacenter_db.transaction():
                datacenter_db.execute(f"DELETE FROM {table} WHERE true")
