"""行政许可 end to end on the test instance: an enterprise submits a hazardous-chemicals operation
licence application through the gateway; the county inspector accepts it, the supervisor approves,
the certificate is issued with its number and the licence appears in the data centre, the steps'
events are in the outbox (with the 双公示 record), and the delivery closes it. Around it: a retried
step is answered once, a stale version is refused, another county does not see the application,
bad input names its fields, the enterprise cannot decide, the one correction notice, pauses and the
one extension, renewal, suspension and revocation written into the data centre, and the calendar
hook that makes provisional deadlines final."""
from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta

import psycopg
import pytest

from infra.keycloak import realm
from services.kit import config, jsonio, roles, workdays
from services.supervision.licensing import rules, servicer, store
from tests.integration.conftest import KT_USCC, assert_problem, bearer

KT = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)
BASE = "/api/v1/licensing/applications"
TOPIC = "safety.supervision.licensing.v1"
REQUIRED = ["application_form", "business_licence", "principal_certificates", "safety_rules", "emergency_plan", "premises_proof"]


@pytest.fixture(scope="module")
def people(demo_enterprises, demo_tokens, staff_token, staff_user):
    """Tokens by role: the enterprise's machine client, the county inspector, a county supervisor
    (the agency head who decides), the city administrator (writes licences into the data centre),
    and an inspector of another county."""
    supervisor = staff_user("lic-kongtong-supervisor", "620802", roles.SUPERVISION_SUPERVISOR)
    return {"enterprise": lambda: bearer(demo_tokens(KT.client_id)), "inspector": lambda: bearer(staff_token("kongtong-inspector")),
            "supervisor": lambda: bearer(staff_token(supervisor)), "city": lambda: bearer(staff_token("city-admin")),
            "other_county": lambda: bearer(staff_token("jingchuan-inspector"))}


def submit(http, people, **over):
    body = {"licence_type": "hazchem_operation", "scope": "批发（不带储存设施）：硫酸、盐酸、氢氧化钠",
            "materials": [{"code": c, "reference": f"sha256:{uuid.uuid4().hex}"} for c in REQUIRED]} | over
    r = http.post(BASE, json=body, headers=people["enterprise"]())
    assert r.status_code == 201, r.text
    return r.json()


def step(http, headers: dict, app: dict, path: str, body: dict | None = None, *, key: str | None = None, status: int = 200):
    r = http.post(f"{BASE}/{app['id']}/{path}", json={"version": app["version"]} | (body or {}),
                  headers=headers | {"Idempotency-Key": key or str(uuid.uuid4())})
    assert r.status_code == status, r.text
    return r.json()


def outbox(db, app_id: str) -> list[dict]:
    rows = db.execute("SELECT headers, payload FROM kit.outbox WHERE topic = %s AND record_key = %s ORDER BY seq", (TOPIC, app_id)).fetchall()
    return [{"type": (h if isinstance(h, dict) else json.loads(h))["ce_type"], "data": json.loads(bytes(p))} for h, p in rows]


def test_an_application_from_submission_to_delivery(http, people, supervision_db):
    app = submit(http, people)
    assert (app["status"], app["status_name"], app["kind"], app["version"]) == ("submitted", "已申请", "new", 1)
    assert app["licence_type_name"] == "危险化学品经营许可证" and app["issuing_authority"] == "平凉市应急管理局"
    assert app["missing_materials"] == [] and app["clock"]["notice_due"]["date"]
    assert set(app["clock"]["notice_due"]) == {"date", "provisional", "note"}
    # the steps each caller may take now, by status and role: what the pages offer
    assert app["actions"] == ["withdraw"], "the applicant itself may only withdraw a submitted application"
    seen = {who: http.get(f"{BASE}/{app['id']}", headers=people[who]()).json()["actions"] for who in ("inspector", "supervisor")}
    assert seen == {"inspector": ["request_correction", "accept", "withdraw"], "supervisor": ["request_correction", "accept", "withdraw"]}

    app = step(http, people["inspector"](), app, "accept")
    assert app["status"] == "accepted" and app["accepted_on"] and not app["clock"]["deemed_accepted"]
    assert app["actions"] == ["start_pause", "withdraw"], "deciding and extending are for the head"
    assert http.get(f"{BASE}/{app['id']}", headers=people["supervisor"]()).json()["actions"] == [
        "start_pause", "extend", "decide", "withdraw"]
    due = app["clock"]["decision_due"]
    assert due["date"] and due["note"] == ("待节假日安排确认" if due["provisional"] else "")
    assert app["clock"]["day_type"] == "calendar" and app["clock"]["days_left"] <= 30

    app = step(http, people["supervisor"](), app, "decision", {"decision": "approved"})
    assert app["status"] == "approved" and app["decision_name"] == "准予许可"
    assert re.fullmatch(r"\(平\)应急许准〔\d{4}〕[1-9]\d*号", app["decision_number"]), app["decision_number"]
    assert app["clock"]["publication_due"]["date"] and app["clock"]["delivery_due"]["date"]

    app = step(http, people["city"](), app, "certificate")
    assert app["status"] == "certificate_issued" and app["licence_state"] == "valid"
    assert re.fullmatch(r"甘平危化经字〔\d{4}〕\d{6}", app["certificate_number"]), app["certificate_number"]
    licence = http.get(f"/api/v1/licences/{app['licence_record_id']}", headers=people["city"]())
    assert licence.status_code == 200, licence.text
    record = licence.json()
    assert (record["number"], record["uscc"], record["licence_type"]) == (app["certificate_number"], KT_USCC, "hazchem_operation")
    assert record["valid_until"] == app["valid_until"] and record["issuing_authority"] == "平凉市应急管理局"

    app = step(http, people["inspector"](), app, "delivery", {"method": "in_person", "recipient": "王秀兰"})
    assert app["status"] == "delivered" and app["delivery"]["recipient"] == "王秀兰"

    seen = http.get(f"{BASE}/{app['id']}", headers=people["enterprise"]())
    assert seen.status_code == 200
    assert [s["action"] for s in seen.json()["steps"]] == ["submit", "accept", "decide", "issue_certificate", "deliver"]
    events = outbox(supervision_db, app["id"])
    changed = [e["data"] for e in events if e["type"] == "cn.gov.safety.supervision.licensing.application.changed.v1"]
    assert [e["action"] for e in changed] == ["submit", "accept", "decide", "issue_certificate", "deliver"]
    assert [e["version"] for e in changed] == [1, 2, 3, 4, 5]
    (published,) = [e["data"] for e in events if e["type"] == "cn.gov.safety.supervision.licensing.publication.v1"]
    assert published["holder_uscc"] == KT_USCC and published["certificate_number"] == app["certificate_number"]
    assert published["decision_number"] == app["decision_number"] and published["authority"] == "平凉市应急管理局"
    assert published["publish_by"] == app["clock"]["publication_due"]["date"]
    assert supervision_db.execute("SELECT count(*) FROM kit.audit_log WHERE action LIKE 'licensing.%%' AND target_id = %s",
                                  (app["id"],)).fetchone()[0] == 5


def test_a_retried_step_is_answered_once(http, people, supervision_db):
    app = submit(http, people)
    key = str(uuid.uuid4())
    first = http.post(f"{BASE}/{app['id']}/accept", json={"version": 1}, headers=people["inspector"]() | {"Idempotency-Key": key})
    again = http.post(f"{BASE}/{app['id']}/accept", json={"version": 1}, headers=people["inspector"]() | {"Idempotency-Key": key})
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers.get("Idempotency-Replayed") == "true" and again.json() == first.json()
    assert [e["data"]["action"] for e in outbox(supervision_db, app["id"])] == ["submit", "accept"]
    other = http.post(f"{BASE}/{app['id']}/accept", json={"version": 1, "note": "x"},
                      headers=people["inspector"]() | {"Idempotency-Key": key})
    assert other.status_code == 409


def test_a_stale_version_is_refused(http, people):
    app = submit(http, people)
    accepted = step(http, people["inspector"](), app, "accept")
    r = http.post(f"{BASE}/{app['id']}/decision", json={"version": app["version"], "decision": "approved"},
                  headers=people["supervisor"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(r, 409, "conflict")
    assert step(http, people["supervisor"](), accepted, "decision", {"decision": "refused", "reasons": "储存场所不符合要求"})["status"] == "refused"


def test_another_countys_inspector_does_not_see_it(http, people):
    app = submit(http, people)
    assert_problem(http.get(f"{BASE}/{app['id']}", headers=people["other_county"]()), 404, "not-found")
    r = http.post(f"{BASE}/{app['id']}/accept", json={"version": 1}, headers=people["other_county"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(r, 404, "not-found")
    listed = http.get(BASE, params={"uscc": KT_USCC}, headers=people["other_county"]())
    assert listed.status_code == 200 and app["id"] not in {i["id"] for i in listed.json()["items"]}
    mine = http.get(BASE, params={"status": "submitted"}, headers=people["inspector"]())
    assert mine.status_code == 200 and app["id"] in {i["id"] for i in mine.json()["items"]}


def test_bad_input_names_its_fields(http, people):
    r = http.post(BASE, json={"licence_type": "driving_licence", "materials": [{"code": "x"}]}, headers=people["enterprise"]())
    body = assert_problem(r, 422, "validation-error")
    assert {e["field"] for e in body["errors"]} == {"licence_type", "scope"}
    app = submit(http, people)
    r = http.post(f"{BASE}/{app['id']}/pauses", json={"version": 1, "kind": "nap"}, headers=people["inspector"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 409, r.text          # not yet accepted: no pause before acceptance
    accepted = step(http, people["inspector"](), app, "accept")
    r = http.post(f"{BASE}/{app['id']}/pauses", json={"version": accepted["version"], "kind": "nap"},
                  headers=people["inspector"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert assert_problem(r, 422, "validation-error")["errors"][0]["field"] == "kind"
    r = http.post(f"{BASE}/{app['id']}/decision", json={"version": accepted["version"], "decision": "refused"},
                  headers=people["supervisor"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert assert_problem(r, 422, "validation-error")["errors"][0]["field"] == "reasons"
    assert_problem(http.get(BASE, params={"status": "lost"}, headers=people["inspector"]()), 422, "validation-error")


def test_the_enterprise_cannot_decide(http, people):
    app = submit(http, people)
    accepted = step(http, people["inspector"](), app, "accept")
    r = http.post(f"{BASE}/{app['id']}/decision", json={"version": accepted["version"], "decision": "approved"},
                  headers=people["enterprise"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(r, 403, "forbidden")
    r = http.post(f"{BASE}/{app['id']}/decision", json={"version": accepted["version"], "decision": "approved"},
                  headers=people["inspector"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(r, 403, "forbidden")                # an inspector is not the agency head


def test_one_correction_notice_then_the_enterprise_completes_its_materials(http, people):
    app = submit(http, people, materials=[{"code": "application_form"}, {"code": "business_licence"}])
    assert {m["code"] for m in app["missing_materials"]} == set(REQUIRED) - {"application_form", "business_licence"}
    asked = step(http, people["inspector"](), app, "correction", {"missing": ["safety_rules", "emergency_plan"], "note": "请一并补齐"})
    assert asked["status"] == "correction_requested" and asked["clock"]["decision_due"] is None
    completed = step(http, people["enterprise"](), asked, "materials", {"materials": [{"code": "safety_rules"}, {"code": "emergency_plan"}]})
    assert completed["status"] == "submitted"
    again = http.post(f"{BASE}/{app['id']}/correction", json={"version": completed["version"], "missing": ["premises_proof"]},
                      headers=people["inspector"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(again, 409, "conflict")
    assert step(http, people["inspector"](), completed, "accept")["status"] == "accepted"


def test_pauses_stop_the_clock_and_the_head_extends_it_once(http, people):
    """A county-issued filing (working days, +10): an on-site check, one extension, then withdrawal."""
    app = submit(http, people, licence_type="precursor_operation_filing", scope="经营硫酸、盐酸（第三类易制毒化学品）",
                 materials=[{"code": c} for c in ("filing_form", "business_licence", "products_list", "premises_proof")])
    assert app["issuing_authority"] == "平凉市崆峒区应急管理局" and app["agency_code"] == "620802"
    app = step(http, people["inspector"](), app, "accept")
    assert app["clock"]["day_type"] == "working" and app["clock"]["working_days_left"] == 20
    app = step(http, people["inspector"](), app, "pauses", {"kind": "on_site_check", "note": "核查经营场所"})
    assert app["status"] == "on_site_check" and app["clock"]["paused"]
    step(http, people["inspector"](), app, "decision", {"decision": "approved"}, status=403)   # an inspector does not decide
    app = step(http, people["inspector"](), app, "pauses/end", {"result": "经营场所符合要求"})
    assert app["status"] == "under_review" and app["pauses"][0]["kind_name"] == "现场核查"
    app = step(http, people["supervisor"](), app, "extension", {"approved_by": "崆峒区应急管理局局长", "reason": "需补充核查储存条件"})
    assert app["clock"]["extended"] and app["clock"]["working_days_left"] == 30
    again = http.post(f"{BASE}/{app['id']}/extension", json={"version": app["version"], "approved_by": "局长", "reason": "再延"},
                      headers=people["supervisor"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(again, 409, "conflict")
    app = step(http, people["enterprise"](), app, "withdrawal", {"reason": "企业调整经营范围"})
    assert app["status"] == "withdrawn"
    assert [s["action"] for s in app["steps"]] == ["submit", "accept", "start_pause", "end_pause", "extend", "withdraw"]


def test_renewal_suspension_and_revocation_reach_the_data_centre(http, people):
    app = submit(http, people)
    for who, path, body in (("inspector", "accept", {}), ("supervisor", "decision", {"decision": "approved"}), ("city", "certificate", {}),
                            ("inspector", "delivery", {"method": "mail", "recipient": "李建国"})):
        app = step(http, people[who](), app, path, body)
    too_early = http.post(f"{BASE}/{app['id']}/renewal", json={"version": app["version"]},
                          headers=people["enterprise"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(too_early, 409, "conflict")
    # Bring the licence near its expiry in the data centre, as if issued three years ago.
    url = f"/api/v1/licences/{app['licence_record_id']}"
    record = http.get(url, headers=people["city"]()).json()
    soon = jsonio.today() + timedelta(days=20)
    r = http.patch(url, json={"version": record["version"], "issued_on": (soon - timedelta(days=3 * 365 - 2)).isoformat(),
                              "valid_until": soon.isoformat()}, headers=people["city"]())
    assert r.status_code == 200, r.text

    renewal = step(http, people["enterprise"](), app, "renewal", {"materials": [{"code": "business_licence"}]}, status=201)
    assert (renewal["kind"], renewal["status"], renewal["parent_id"]) == ("renewal", "submitted", app["id"])
    assert renewal["certificate_number"] == app["certificate_number"] and not renewal["review_skipped"]   # this type re-reviews
    second = http.post(f"{BASE}/{app['id']}/renewal", json={"version": app["version"]},
                       headers=people["enterprise"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(second, 409, "conflict")
    for who, path, body in (("inspector", "accept", {}), ("supervisor", "decision", {"decision": "approved"}), ("city", "certificate", {})):
        renewal = step(http, people[who](), renewal, path, body)
    record = http.get(url, headers=people["city"]()).json()
    assert record["valid_until"] == renewal["valid_until"] and record["valid_until"] > soon.isoformat()
    assert record["number"] == app["certificate_number"]

    # The data centre lets only its writers (platform / data-centre administrators) change a licence
    # record, and the change is made as the caller: the city administrator suspends it.
    suspended = step(http, people["city"](), renewal, "suspension", {"reasons": "储存场所存在重大事故隐患，责令停业整改"})
    assert suspended["licence_state"] == "suspended" and http.get(url, headers=people["city"]()).json()["suspended"] is True
    parent = http.get(f"{BASE}/{app['id']}", headers=people["inspector"]()).json()
    assert parent["licence_state"] == "suspended"
    revoked = step(http, people["city"](), suspended, "revocation", {"reasons": "逾期未整改"})
    assert revoked["licence_state"] == "revoked" and http.get(url, headers=people["city"]()).json()["status"] == "revoked"


def test_entering_a_years_notice_recomputes_the_stored_provisional_deadlines():
    """In one transaction that is rolled back: an application whose deadline reaches into 2027,
    stored while 2027's notice is missing (provisional), then 2027 entered: the hook registered by
    the licensing servicer recomputes the stored deadline, now final."""
    pg = config.postgres()
    with psycopg.connect(pg.dsn("supervision", pg.admin_user, pg.admin_password)) as conn:
        try:
            conn.execute("DELETE FROM kit.calendar_year WHERE year = 2027")   # as if not yet published (rolled back below)
            table = servicer.table_on(date(2026, 12, 15))
            values = {"licence_type": "precursor_production_filing", "kind": "new", "uscc": KT_USCC, "enterprise_name": KT.name,
                      "region_code": KT.region, "agency_code": "620800", "status": "under_review", "scope": "硫酸生产",
                      "submitted_by": "test", "received_on": date(2026, 12, 15), "accepted_on": date(2026, 12, 15)}
            values |= rules.stored_deadlines(values, calendar=workdays.load(conn), table=table, today=jsonio.today())
            row = store.insert(conn, values)
            assert (row["decision_due"], row["decision_due_provisional"]) == (date(2027, 1, 12), True)
            _, counts = workdays.enter_year(conn, workdays.Year(2027, {date(2027, 1, 1): "元旦"}, {}), entered_by="test", source="test")
            assert counts["recompute_deadlines"] >= 1
            fresh = store.get(conn, row["id"])
            assert (fresh["decision_due"], fresh["decision_due_provisional"]) == (date(2027, 1, 13), False)
            assert fresh["version"] == row["version"]          # a derived column: nobody's next write is refused for it
        finally:
            conn.rollback()
