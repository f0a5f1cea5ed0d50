"""Enterprise onboarding end to end: the public application, approval by a data-centre
administrator of the enterprise's region (creating a real Keycloak client), the secret shown once,
rotation and disabling, and what outsiders get."""
from __future__ import annotations

import uuid

import pytest
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakAuthenticationError, KeycloakPostError

from services.kit import config, roles
from tests.integration.conftest import bearer, corrupt_check_char, random_uscc

KC = config.keycloak()
pytestmark = pytest.mark.integration


def apply(http, uscc: str, region: str = "620802", **overrides):
    body = {"uscc": uscc, "name": f"接入测试{uscc[-6:]}有限公司", "region_code": region, "contact_name": "张安全",
            "contact_phone": "13800001234", "email": "safety@example.cn", "note": "测试"}
    body.update(overrides)
    return http.post("/api/v1/onboarding/applications", json=body)


def client_token(client_id: str, secret: str) -> str:
    return KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=client_id,
                          client_secret_key=secret).token(grant_type="client_credentials")["access_token"]


@pytest.fixture(scope="module")
def admins(staff_user, staff_token):
    """A county data-centre administrator of 崆峒区 and one of 泾川县 (the foreign region)."""
    kt = staff_user("test-kongtong-dcadmin", "620802", roles.DATACENTER_ADMIN)
    jc = staff_user("test-jingchuan-dcadmin", "620821", roles.DATACENTER_ADMIN)
    return {"kongtong": lambda: staff_token(kt), "jingchuan": lambda: staff_token(jc), "city": lambda: staff_token("city-admin")}


def test_application_approval_creates_a_client_that_can_submit(http, admins, datacenter_db):
    uscc = random_uscc("620802")
    r = apply(http, uscc)
    assert r.status_code == 202, r.text
    app_id = r.json()["id"]
    listed = http.get("/api/v1/onboarding/applications", params={"status": "pending", "page_size": 200}, headers=bearer(admins["kongtong"]()))
    row = next(a for a in listed.json()["items"] if a["id"] == app_id)
    assert row["contact_phone"] == "138****1234", "phone numbers are masked in lists"

    key = str(uuid.uuid4())
    approved = http.post(f"/api/v1/onboarding/applications/{app_id}/approve", json={}, headers={**bearer(admins["kongtong"]()), "Idempotency-Key": key})
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["application"]["status"] == "approved" and body["client_id"] == f"ent-{uscc.lower()}"
    secret = body["client_secret"]
    assert secret and len(secret) >= 32

    # A retry with the same key answers the same approval but never shows the secret again.
    replay = http.post(f"/api/v1/onboarding/applications/{app_id}/approve", json={}, headers={**bearer(admins["kongtong"]()), "Idempotency-Key": key})
    assert replay.status_code == 200 and replay.headers.get("Idempotency-Replayed") == "true"
    assert replay.json()["client_secret"] is None and replay.json()["client_id"] == body["client_id"]
    stored = datacenter_db.execute("SELECT response FROM kit.idempotency_keys WHERE key = %s", (key,)).fetchone()[0]
    assert secret.encode() not in bytes(stored), "the secret is not kept in the idempotency store"

    # The new client is a real Keycloak client bound to its credit code: it submits its own record.
    token = client_token(body["client_id"], secret)
    submitted = http.post("/api/v1/enterprises", headers=bearer(token), json={
        "uscc": uscc, "name": "接入测试有限公司", "region_code": "620802", "address": "平凉市崆峒区测试路2号", "industry_code": "C2614"})
    assert submitted.status_code == 201, submitted.text
    # ... and only its own.
    other = random_uscc("620802")
    refused = http.post("/api/v1/enterprises", headers=bearer(token), json={
        "uscc": other, "name": "别家公司", "region_code": "620802", "address": "平凉市崆峒区测试路3号", "industry_code": "C2614"})
    assert refused.status_code == 403

    # Deciding twice is refused.
    again = http.post(f"/api/v1/onboarding/applications/{app_id}/approve", json={}, headers=bearer(admins["kongtong"]()))
    assert again.status_code == 409


def test_an_administrator_of_another_county_cannot_see_or_decide(http, admins):
    app_id = apply(http, random_uscc("620802")).json()["id"]
    foreign = bearer(admins["jingchuan"]())
    listed = http.get("/api/v1/onboarding/applications", params={"page_size": 200}, headers=foreign).json()["items"]
    assert app_id not in {a["id"] for a in listed}
    for action, body in (("approve", {}), ("reject", {"reason": "不属实"})):
        r = http.post(f"/api/v1/onboarding/applications/{app_id}/{action}", json=body, headers=foreign)
        assert r.status_code == 404, r.text  # the same answer as for an application that does not exist
    assert http.post(f"/api/v1/onboarding/applications/{uuid.uuid4()}/approve", json={}, headers=foreign).status_code == 404
    assert http.post("/api/v1/onboarding/applications/not-a-uuid/approve", json={}, headers=foreign).status_code == 404
    # The city administrator covers every county.
    assert app_id in {a["id"] for a in http.get("/api/v1/onboarding/applications", params={"page_size": 200},
                                                 headers=bearer(admins["city"]())).json()["items"]}


def test_rejection_records_the_reason(http, admins):
    app_id = apply(http, random_uscc("620802")).json()["id"]
    r = http.post(f"/api/v1/onboarding/applications/{app_id}/reject", json={"reason": "营业执照信息不符"}, headers=bearer(admins["kongtong"]()))
    assert r.status_code == 200 and r.json()["status"] == "rejected" and r.json()["reject_reason"] == "营业执照信息不符"
    empty = http.post(f"/api/v1/onboarding/applications/{app_id}/reject", json={"reason": ""}, headers=bearer(admins["kongtong"]()))
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "reason"


def test_bad_applications_get_field_errors_and_store_nothing(http, datacenter_db):
    before = datacenter_db.execute("SELECT count(*) FROM onboarding.application").fetchone()[0]
    bad = apply(http, corrupt_check_char(random_uscc("620802")), region="110101", contact_phone="12345", email="not-an-email")
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"uscc", "region_code", "contact_phone", "email"} <= fields
    assert all(e["message"] and e["message_en"] for e in bad.json()["errors"])
    assert datacenter_db.execute("SELECT count(*) FROM onboarding.application").fetchone()[0] == before


def test_a_second_pending_application_is_refused(http):
    uscc = random_uscc("620821")
    assert apply(http, uscc, region="620821").status_code == 202
    dup = apply(http, uscc, region="620821")
    assert dup.status_code == 409


def test_the_application_needs_an_idempotency_key(raw_http):
    r = raw_http.post("/api/v1/onboarding/applications", json={"uscc": random_uscc("620802")})
    assert r.status_code == 422
    assert "Idempotency-Key" in {e["field"] for e in r.json()["errors"]}


def test_rotation_replaces_the_secret_and_disabling_stops_new_tokens(http, admins):
    uscc = random_uscc("620802")
    app_id = apply(http, uscc).json()["id"]
    first = http.post(f"/api/v1/onboarding/applications/{app_id}/approve", json={}, headers=bearer(admins["kongtong"]())).json()
    client_id, old = first["client_id"], first["client_secret"]
    assert client_token(client_id, old)

    rotated = http.post(f"/api/v1/enterprise-clients/{client_id}/rotate-secret", json={}, headers=bearer(admins["kongtong"]()))
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["client_secret"]
    assert new and new != old
    with pytest.raises((KeycloakAuthenticationError, KeycloakPostError)):
        client_token(client_id, old)
    assert client_token(client_id, new)

    # The foreign county's administrator cannot touch it, and learns nothing (404).
    assert http.post(f"/api/v1/enterprise-clients/{client_id}/disable", json={}, headers=bearer(admins["jingchuan"]())).status_code == 404

    disabled = http.post(f"/api/v1/enterprise-clients/{client_id}/disable", json={}, headers=bearer(admins["kongtong"]()))
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    with pytest.raises((KeycloakAuthenticationError, KeycloakPostError)):
        client_token(client_id, new)
    listed = http.get("/api/v1/enterprise-clients", params={"page_size": 200}, headers=bearer(admins["kongtong"]())).json()["items"]
    assert next(c for c in listed if c["client_id"] == client_id)["enabled"] is False

    enabled = http.post(f"/api/v1/enterprise-clients/{client_id}/enable", json={}, headers=bearer(admins["kongtong"]()))
    assert enabled.status_code == 200 and enabled.json()["enabled"] is True
    assert client_token(client_id, new)
