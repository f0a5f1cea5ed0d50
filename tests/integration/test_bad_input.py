"""Bad input gets a clear problem+json error (Chinese and English, field-level) and stores nothing."""
from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.integration.conftest import assert_problem, corrupt_check_char, outbox_rows, random_uscc, stored_enterprise

PROBLEM = "application/problem+json"


def assert_nothing_stored(db, uscc: str) -> None:
    assert stored_enterprise(db, uscc) is None
    assert outbox_rows(db, uscc) == 0


def test_invalid_credit_code_check_digit_is_refused_by_the_data_centre(http, enterprise_client, datacenter_db):
    # A client bound to a code with a wrong check character passes the gateway's ownership check,
    # so this exercises the data centre's own validation end to end.
    bad = corrupt_check_char(random_uscc("620821"))
    ent = enterprise_client(region="620821", uscc=bad)
    body = assert_problem(http.post("/api/v1/enterprises", json=ent.submission(), headers={"Authorization": f"Bearer {ent.token()}"}),
                          422, "validation-error")
    [error] = body["errors"]
    assert error["field"] == "uscc" and error["code"] == "uscc.check_digit"
    assert "校验位" in error["message"] and "check character" in error["message_en"]
    assert_nothing_stored(datacenter_db, bad)


def test_unknown_region_and_bad_industry_are_reported_together(http, enterprise_client, datacenter_db):
    ent = enterprise_client(region="620821")
    r = http.post("/api/v1/enterprises", json=ent.submission(region_code="620899", industry_code="26"),
                  headers={"Authorization": f"Bearer {ent.token()}"})
    body = assert_problem(r, 422, "validation-error")
    assert {(e["field"], e["code"]) for e in body["errors"]} == {("region_code", "region_code.unknown"),
                                                                   ("industry_code", "industry_code.format")}
    assert_nothing_stored(datacenter_db, ent.uscc)


def test_a_region_outside_pingliang_is_refused(http, enterprise_client, datacenter_db):
    ent = enterprise_client(region="620821")
    body = assert_problem(http.post("/api/v1/enterprises", json=ent.submission(region_code="620000"),
                                    headers={"Authorization": f"Bearer {ent.token()}"}), 422, "validation-error")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("region_code", "region_code.outside_jurisdiction")]
    assert_nothing_stored(datacenter_db, ent.uscc)


def test_malformed_json_is_a_400(http, enterprise_client, datacenter_db):
    ent = enterprise_client()
    r = http.post("/api/v1/enterprises", content=b'{"uscc": "' + ent.uscc.encode() + b'", ',
                  headers={"Authorization": f"Bearer {ent.token()}", "Content-Type": "application/json"})
    assert_problem(r, 400, "malformed-request")
    assert_nothing_stored(datacenter_db, ent.uscc)


def test_missing_and_unknown_fields_are_listed(http, enterprise_client, datacenter_db):
    ent = enterprise_client()
    body = {k: v for k, v in ent.submission().items() if k != "name"} | {"colour": "red"}
    problem = assert_problem(http.post("/api/v1/enterprises", json=body, headers={"Authorization": f"Bearer {ent.token()}"}),
                             422, "validation-error")
    assert {(e["field"], e["code"]) for e in problem["errors"]} == {("name", "request.missing"), ("colour", "request.extra_forbidden")}
    assert_nothing_stored(datacenter_db, ent.uscc)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
                         ids=["missing-token", "garbage-token", "wrong-scheme"])
def test_requests_without_a_valid_token_are_401(http, enterprise_client, datacenter_db, headers):
    ent = enterprise_client()
    r = http.post("/api/v1/enterprises", json=ent.submission(), headers=headers)
    assert_problem(r, 401, "unauthenticated")
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert_nothing_stored(datacenter_db, ent.uscc)


def test_an_expired_token_is_401(enterprise_client, datacenter_db):
    """A real Keycloak token presented to a real gateway whose clock reads one hour later."""
    ent = enterprise_client()
    token = ent.token()
    with TestClient(create_app(clock=lambda: time.time() + 3600)) as client:
        r = client.post("/api/v1/enterprises", json=ent.submission(), headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "expired-1"})
        body = assert_problem(r, 401, "unauthenticated")
        assert "expired" in body["detail_en"] and "过期" in body["detail"]
        # The same token with the real clock is accepted by an identical app: the clock is the only difference.
    with TestClient(create_app()) as client:
        assert client.post("/api/v1/enterprises", json=ent.submission(),
                           headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "expired-2"}).status_code == 201


def test_oversized_bodies_are_refused(http, enterprise_client, datacenter_db):
    ent = enterprise_client()
    r = http.post("/api/v1/enterprises", json=ent.submission(address="长" * 600_000), headers={"Authorization": f"Bearer {ent.token()}"})
    assert_problem(r, 413, "payload-too-large")
    assert_nothing_stored(datacenter_db, ent.uscc)
