"""The serious-dishonesty list has consequences elsewhere, end to end on the test instance with a new
enterprise of 崆峒区 each run: its 安全生产许可证 is renewed without review (免审延期, no fatal
accident in the validity period) while it is not listed; once a supervisor lists it, the renewal of
its second licence is reviewed in full (从严审查), and the renewal's step names the consequence."""
from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest

from services.kit import jsonio, roles
from tests.integration.conftest import bearer, wait_for

BASE = "/api/v1/licensing/applications"
MATERIALS = ["application_form", "business_licence", "safety_rules", "safety_organisation", "principal_certificates",
             "special_operator_certificates", "injury_insurance", "safety_assessment", "emergency_plan"]


def post(http, headers: dict, path: str, body: dict, status: int = 200) -> dict:
    r = http.post(path, json=body, headers=headers | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture(scope="module")
def people(http, enterprise_client, supervision_db, staff_token, staff_user):
    ent = enterprise_client(region="620802")
    r = http.post("/api/v1/enterprises", headers=bearer(ent.token()), json=ent.submission())
    assert r.status_code in (200, 201), r.text
    wait_for("registration", lambda: supervision_db.execute("SELECT 1 FROM supervision.registration WHERE uscc = %s",
                                                            (ent.uscc,)).fetchone())
    supervisor = staff_user("kongtong-supervisor-t", "620802", roles.SUPERVISION_SUPERVISOR)
    return {"uscc": ent.uscc, "enterprise": lambda: bearer(ent.token()), "inspector": lambda: bearer(staff_token("kongtong-inspector")),
            "supervisor": lambda: bearer(staff_token(supervisor)), "city": lambda: bearer(staff_token("city-admin"))}


def licence_near_expiry(http, people, scope: str) -> dict:
    """A 安全生产许可证 issued and delivered, then set in the data centre as issued three years ago and
    expiring in 20 days: inside the renewal window."""
    app = post(http, people["enterprise"](), BASE, {
        "licence_type": "work_safety", "sector": "hazchem_production", "scope": scope,
        "materials": [{"code": c, "reference": f"sha256:{uuid.uuid4().hex}"} for c in MATERIALS]}, status=201)
    for who, path, body in (("inspector", "accept", {}), ("supervisor", "decision", {"decision": "approved"}),
                            ("city", "certificate", {}), ("inspector", "delivery", {"method": "mail", "recipient": "李建国"})):
        app = post(http, people[who](), f"{BASE}/{app['id']}/{path}", {"version": app["version"]} | body)
    url = f"/api/v1/licences/{app['licence_record_id']}"
    record = http.get(url, headers=people["city"]()).json()
    soon = jsonio.today() + timedelta(days=20)
    r = http.patch(url, json={"version": record["version"], "issued_on": (soon - timedelta(days=3 * 365 - 2)).isoformat(),
                              "valid_until": soon.isoformat()}, headers=people["city"]())
    assert r.status_code == 200, r.text
    return app


def renew(http, people, app: dict) -> dict:
    return post(http, people["enterprise"](), f"{BASE}/{app['id']}/renewal", {"version": app["version"]}, status=201)


def test_a_listed_enterprise_loses_the_renewal_without_review(http, people):
    first = licence_near_expiry(http, people, "硝酸铵 3万吨/年")
    renewal = renew(http, people, first)
    assert (renewal["status"], renewal["review_skipped"], renewal["decision"]) == ("approved", True, "approved"), \
        "not listed, no fatal accident: renewed without review"
    assert renewal["steps"][-1]["detail"]["credit_consequences"] == []

    listing = post(http, people["supervisor"](), "/api/v1/credit/dishonesty-listings", {
        "uscc": people["uscc"], "situation": "concealed_accident", "facts": "瞒报一起造成1人死亡的生产安全事故",
        "penalty_number": f"(崆)应急罚〔{jsonio.today().year}〕{random.randint(1000, 999_999)}号"}, status=201)
    assert listing["state"] == "listed"

    second = licence_near_expiry(http, people, "浓硝酸 1万吨/年")
    strict = renew(http, people, second)
    assert (strict["status"], strict["review_skipped"], strict["decision"]) == ("submitted", False, None), \
        "listed: the renewal is reviewed in full"
    step = strict["steps"][-1]
    assert step["action"] == "renew" and step["detail"]["without_review"] is False and step["detail"]["fatal_accidents"] == []
    assert step["detail"]["credit_consequences"] and all(c for c in step["detail"]["credit_consequences"]), step["detail"]
