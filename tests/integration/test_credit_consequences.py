"""The serious-dishonesty list has consequences elsewhere, end to end on the test instance with a new
enterprise of 崆峒区 each run: its 安全生产许可证 is renewed without review (免审延期, no fatal
accident in the validity period) while it is not listed; once a supervisor lists it, the renewal of
its second licence is reviewed in full (从严审查), and the renewal's step names the consequence.

In the yearly inspection plan (提高检查频次): 崆峒区 is classed for a year two years ahead (so as not
to meet tests/integration/test_inspections_flow.py's plan) before two new enterprises are listed,
one of them with its listing moved back past its three-year term; the plan drawn then makes the one
listed on the day of the draw a key target at its yearly cap with the reason
严重失信主体名单（提高检查频次） and its decision number, leaves the expired one alone, records the
listed set in its inputs and verifies from them; once that listing too is past its term, a draw with
the same seed no longer has it."""
from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest

from services.kit import jsonio, roles
from services.kit.ruletables import add_months
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


PLAN_YEAR = jsonio.today().year + 2
REASON = "严重失信主体名单（提高检查频次）"


def new_enterprise(http, enterprise_client, supervision_db) -> str:
    ent = enterprise_client(region="620802")
    r = http.post("/api/v1/enterprises", headers=bearer(ent.token()), json=ent.submission())
    assert r.status_code in (200, 201), r.text
    wait_for("registration", lambda: supervision_db.execute("SELECT 1 FROM supervision.registration WHERE uscc = %s",
                                                            (ent.uscc,)).fetchone())
    return ent.uscc


def list_it(http, people, uscc: str) -> dict:
    return post(http, people["supervisor"](), "/api/v1/credit/dishonesty-listings", {
        "uscc": uscc, "situation": "unlicensed_operation", "facts": "安全生产许可证暂扣期间从事生产活动（计划测试）",
        "penalty_number": f"(崆)应急罚〔{jsonio.today().year}〕{random.randint(1000, 999_999)}号"}, status=201)


def move_past_term(supervision_db, listing: dict) -> None:
    listed_on = add_months(jsonio.today(), -37)
    supervision_db.execute("UPDATE credit.listing SET listed_on = %s, expires_on = %s WHERE id = %s",
                           (listed_on, add_months(listed_on, 36), int(listing["id"])))


def test_a_listed_enterprise_is_a_key_target_of_the_yearly_plan_at_its_cap(http, people, records, enterprise_client, supervision_db):
    listed, expired = (new_enterprise(http, enterprise_client, supervision_db) for _ in range(2))
    for _ in range(2):
        records.create("officer", region="620802", valid_until=f"{PLAN_YEAR + 2}-12-31")
    supervision_db.execute("DELETE FROM inspections.plan WHERE county_code = '620802' AND year = %s", (PLAN_YEAR,))
    # classed before the listings: the class table's floor for a listed enterprise (D) is not what puts it in the plan
    classed = post(http, people["supervisor"](), "/api/v1/grids/classes", {"county_code": "620802", "year": PLAN_YEAR})
    assert classed["classified"] >= 2
    listing = list_it(http, people, listed)
    move_past_term(supervision_db, list_it(http, people, expired))

    body = {"county_code": "620802", "year": PLAN_YEAR, "seed": 20261203}
    plan = post(http, people["supervisor"](), "/api/v1/inspection-plans", body)
    treated = {t["uscc"]: t for t in plan["summary"]["credit_listed"]}
    mine = treated[listed]
    assert mine["decision_numbers"] == [listing["decision_number"]] and mine["reason_zh"].endswith(REASON)
    assert mine["inspections"] == mine["cap"] >= 1 and mine["extra_capped"] == 0, "a key target at its cap, the cap holds"
    items = [i for i in plan["items"] if i["uscc"] == listed]
    unassigned = [u for u in plan["unassigned"] if u[0] == listed]
    assert items and len(items) + len(unassigned) == mine["cap"]
    assert all(i["key_target"] and i["reason"] == mine["reason_zh"] for i in items), items
    if not mine["class_key"]:
        assert {i["reason"] for i in items} == {REASON}
    assert expired not in treated, "a listing past its term on the day of the draw changes nothing"
    assert all(REASON not in i["reason"] for i in plan["items"] if i["uscc"] == expired)
    assert all(i["uscc"] in treated for i in plan["items"] if REASON in i["reason"])
    assert plan["summary"]["listed_dishonest"] == len(treated)
    assert plan["tables"]["dishonesty_list"] == "2026-12-01"

    inputs = supervision_db.execute("SELECT inputs FROM inspections.plan WHERE id = %s", (plan["id"],)).fetchone()[0]
    credit = inputs["credit"]
    assert credit["as_of"] == jsonio.today().isoformat() and credit["dishonesty_list"] == "2026-12-01"
    assert [c["effect"] for c in credit["listed"][listed]] == ["key_target"] and expired not in credit["listed"]
    check = http.get(f"/api/v1/inspection-plans/{plan['id']}/verification", headers=people["inspector"]())
    assert check.status_code == 200 and check.json()["verified"] is True, check.text
    shown = http.get("/api/v1/inspection-plans", params={"county_code": "620802", "year": PLAN_YEAR}, headers=people["inspector"]()).json()
    assert [t["uscc"] for t in shown["summary"]["credit_listed"]] == sorted(treated)

    # the listing past its term too: the same seed draws it out of the key targets
    move_past_term(supervision_db, listing)
    again = post(http, people["supervisor"](), "/api/v1/inspection-plans", body)
    assert listed not in {t["uscc"] for t in again["summary"]["credit_listed"]} and again["digest"] != plan["digest"]
    assert all(REASON not in i["reason"] for i in again["items"] if i["uscc"] == listed)
