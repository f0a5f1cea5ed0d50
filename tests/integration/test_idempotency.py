"""A submission retried with the same idempotency key creates nothing new."""
from __future__ import annotations

import uuid

from tests.integration.conftest import outbox_rows, stored_enterprise


def test_a_retry_with_the_same_key_returns_the_first_response(http, enterprise_client, datacenter_db):
    ent = enterprise_client()
    headers = {"Authorization": f"Bearer {ent.token()}", "Idempotency-Key": str(uuid.uuid4())}
    first = http.post("/api/v1/enterprises", json=ent.submission(), headers=headers)
    second = http.post("/api/v1/enterprises", json=ent.submission(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("idempotency-replayed") == "true" and "idempotency-replayed" not in first.headers
    assert stored_enterprise(datacenter_db, ent.uscc)[2] == 1
    assert outbox_rows(datacenter_db, ent.uscc) == 1


def test_a_replayed_update_does_not_apply_twice(http, enterprise_client, datacenter_db):
    ent = enterprise_client()
    token = ent.token()
    assert http.post("/api/v1/enterprises", json=ent.submission(), headers={"Authorization": f"Bearer {token}"}).status_code == 201
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "update-1"}
    body = ent.submission(address="甘肃省平凉市泾川县新址8号")
    assert http.post("/api/v1/enterprises", json=body, headers=headers).json()["enterprise"]["version"] == 2
    # Meanwhile someone else changes the record; the retry must not re-apply the old update.
    assert http.post("/api/v1/enterprises", json=ent.submission(address="第三次地址9号"), headers={"Authorization": f"Bearer {token}"}).json()["enterprise"]["version"] == 3
    replay = http.post("/api/v1/enterprises", json=body, headers=headers)
    assert replay.status_code == 200 and replay.json()["enterprise"]["version"] == 2
    assert stored_enterprise(datacenter_db, ent.uscc)[1:] == ("第三次地址9号", 3)
    assert outbox_rows(datacenter_db, ent.uscc) == 3


def test_the_same_key_with_a_different_body_is_refused(http, enterprise_client, datacenter_db):
    ent = enterprise_client()
    headers = {"Authorization": f"Bearer {ent.token()}", "Idempotency-Key": str(uuid.uuid4())}
    assert http.post("/api/v1/enterprises", json=ent.submission(), headers=headers).status_code == 201
    r = http.post("/api/v1/enterprises", json=ent.submission(name="另一个名称有限公司"), headers=headers)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert "幂等键" in r.json()["detail"]
    assert stored_enterprise(datacenter_db, ent.uscc)[2] == 1
