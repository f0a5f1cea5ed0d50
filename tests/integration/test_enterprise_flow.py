"""The foundation's proof: an enterprise submits through the gateway, the data centre stores it
with its event, Kafka carries the event, supervision registers the enterprise, and an agency
officer reads the registration back — all through real Keycloak, gRPC, PostgreSQL and Kafka."""
from __future__ import annotations

from tests.integration.conftest import outbox_rows, registration, stored_enterprise, wait_for


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_submission_flows_through_to_a_supervision_registration(http, enterprise_client, staff_token, supervision_db):
    ent = enterprise_client(region="620821")
    r = http.post("/api/v1/enterprises", json=ent.submission(), headers=bearer(ent.token()))
    assert r.status_code == 201, r.text
    assert r.json()["created"] is True and r.json()["enterprise"]["version"] == 1
    assert r.json()["enterprise"]["created_at"].endswith("+08:00")  # Asia/Shanghai

    wait_for("supervision registration", lambda: registration(supervision_db, ent.uscc))
    r = http.get(f"/api/v1/supervision/registrations/{ent.uscc}", headers=bearer(staff_token("jingchuan-inspector")))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["grid_code"], body["county_code"], body["source_version"]) == ("620821-G01", "620821", 1)
    assert body["name"] == ent.submission()["name"]


def test_registration_is_visible_to_the_city_but_not_to_another_county(http, enterprise_client, staff_token, supervision_db):
    ent = enterprise_client(region="620821")
    assert http.post("/api/v1/enterprises", json=ent.submission(), headers=bearer(ent.token())).status_code == 201
    wait_for("supervision registration", lambda: registration(supervision_db, ent.uscc))
    path = f"/api/v1/supervision/registrations/{ent.uscc}"
    assert http.get(path, headers=bearer(staff_token("city-admin"))).status_code == 200
    other_county = http.get(path, headers=bearer(staff_token("kongtong-inspector")))
    assert other_county.status_code == 404  # same answer as for a record that does not exist
    assert other_county.headers["content-type"] == "application/problem+json"


def test_an_update_bumps_the_version_and_supervision_follows(http, enterprise_client, supervision_db, datacenter_db):
    ent = enterprise_client(region="620802")
    token = ent.token()
    assert http.post("/api/v1/enterprises", json=ent.submission(), headers=bearer(token)).status_code == 201
    r = http.post("/api/v1/enterprises", json=ent.submission(address="甘肃省平凉市崆峒区新址2号"), headers=bearer(token))
    assert r.status_code == 200 and r.json()["changed"] is True and r.json()["enterprise"]["version"] == 2
    wait_for("registration at version 2", lambda: (registration(supervision_db, ent.uscc) or (None, None, 0))[2] == 2)
    assert registration(supervision_db, ent.uscc)[1] == "620802-G01"

    # The same content again changes nothing and publishes nothing.
    r = http.post("/api/v1/enterprises", json=ent.submission(address="甘肃省平凉市崆峒区新址2号"), headers=bearer(token))
    assert r.status_code == 200 and r.json()["changed"] is False and r.json()["enterprise"]["version"] == 2
    assert outbox_rows(datacenter_db, ent.uscc) == 2


def test_the_owner_can_read_its_record_and_another_enterprise_cannot(http, enterprise_client):
    owner, stranger = enterprise_client(region="620802"), enterprise_client(region="620802")
    assert http.post("/api/v1/enterprises", json=owner.submission(), headers=bearer(owner.token())).status_code == 201
    assert http.get(f"/api/v1/enterprises/{owner.uscc}", headers=bearer(owner.token())).json()["uscc"] == owner.uscc
    r = http.get(f"/api/v1/enterprises/{owner.uscc}", headers=bearer(stranger.token()))
    assert r.status_code == 404


def test_an_enterprise_cannot_submit_for_another_credit_code(http, enterprise_client, datacenter_db):
    me, other = enterprise_client(), enterprise_client()
    r = http.post("/api/v1/enterprises", json=other.submission(), headers=bearer(me.token()))
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert stored_enterprise(datacenter_db, other.uscc) is None


def test_staff_cannot_submit_enterprise_information(http, staff_token, enterprise_client, datacenter_db):
    ent = enterprise_client()
    r = http.post("/api/v1/enterprises", json=ent.submission(), headers=bearer(staff_token("city-admin")))
    assert r.status_code == 403
    assert stored_enterprise(datacenter_db, ent.uscc) is None
