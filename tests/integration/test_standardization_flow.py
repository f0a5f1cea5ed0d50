"""安全生产标准化 end to end on the test instance: the demo enterprise 崆峒化工 applies for 三级 through
the gateway; a county supervisor accepts, the county inspector and the supervisor enter the scores,
the supervisor reviews, publishes the notice and certifies; the data centre's enterprise record
holds grade 三级 (as the demo profile has it, so other tests still find "3"), the steps' events and
the notice and certificate records are in the outbox. Around it: a retried step answered once, a
stale version, another county, bad input naming its fields, the enterprise and an inspector that
cannot review; a fatal accident in the data centre that fails a review; and, on an enterprise made
for the test, a city-reviewed 二级 with an objection, renewal, downgrade and revocation reaching the
data centre's record.

The notice period and the certificate's validity are real dates: where a test needs them past, it
moves the stored dates back in the supervision database (a clock it can set, instead of waiting)."""
from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest

from infra.keycloak import realm
from services.kit import jsonio, roles
from tests.integration.conftest import KT_USCC, assert_problem, bearer, wait_for

KT = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)
BASE = "/api/v1/standardization/applications"
TOPIC = "safety.supervision.standardization.v1"
TODAY = jsonio.today()
EXPERTS = ["张建华", "李明远", "王立新"]
# GB 45673-2025's elements in the table, with scores that add up to 80.0 (三级: ≥ 60).
HAZCHEM_SCORES = {"H01": 5, "H02": 5, "H03": 4, "H04": 4, "H05": 5.5, "H06": 8, "H07": 8, "H08": 8, "H09": 6.5, "H10": 5,
                  "H11": 5, "H12": 6, "H13": 5, "H14": 5}


@pytest.fixture(scope="module")
def people(demo_enterprises, demo_tokens, staff_token, staff_user):
    """Headers by role: the enterprise's machine client, the county inspector, a county supervisor
    (the agency head who reviews 三级), the city administrator (reviews 二级; a writer of the data
    centre's enterprise records), and an inspector of another county."""
    supervisor = staff_user("kongtong-supervisor-t", "620802", roles.SUPERVISION_SUPERVISOR)
    return {"enterprise": lambda: bearer(demo_tokens(KT.client_id)), "inspector": lambda: bearer(staff_token("kongtong-inspector")),
            "supervisor": lambda: bearer(staff_token(supervisor)), "city": lambda: bearer(staff_token("city-admin")),
            "other_county": lambda: bearer(staff_token("jingchuan-inspector"))}


def apply(http, headers: dict, **over) -> dict:
    body = {"applied_grade": "3", "self_score": 78.5, "system_running_since": (TODAY - timedelta(days=400)).isoformat(),
            "self_assessment": f"sha256:{uuid.uuid4().hex}"} | over
    r = http.post(BASE, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def step(http, headers: dict, app: dict, path: str, body: dict | None = None, *, key: str | None = None, status: int = 200) -> dict:
    r = http.post(f"{BASE}/{app['id']}/{path}", json={"version": app["version"]} | (body or {}),
                  headers=headers | {"Idempotency-Key": key or str(uuid.uuid4())})
    assert r.status_code == status, r.text
    return r.json()


def scores(codes: dict) -> list[dict]:
    return [{"code": c, "score": s} for c, s in codes.items()]


def reviewed(http, people, app: dict, who: str = "supervisor") -> dict:
    """Accepted, scored (with the experts' names) and reviewed by `who`."""
    app = step(http, people[who](), app, "acceptance")
    app = step(http, people[who](), app, "scores", {"scores": scores(HAZCHEM_SCORES), "experts": EXPERTS})
    return step(http, people[who](), app, "review")


def end_the_notice(db, app: dict) -> None:
    """As if the notice had been published two weeks ago: its last day was yesterday."""
    db.execute("UPDATE standardization.application SET notice_starts_on = %s, notice_ends_on = %s WHERE id = %s",
               (TODAY - timedelta(days=14), TODAY - timedelta(days=1), int(app["id"])))


def outbox(db, app_id: str) -> list[dict]:
    rows = db.execute("SELECT headers, payload FROM kit.outbox WHERE topic = %s AND record_key = %s ORDER BY seq", (TOPIC, app_id)).fetchall()
    return [{"type": (h if isinstance(h, dict) else json.loads(h))["ce_type"], "data": json.loads(bytes(p))} for h, p in rows]


def grade_in_data_centre(http, people, uscc: str) -> str | None:
    r = http.get(f"/api/v1/enterprises/{uscc}", headers=people["city"]())
    assert r.status_code == 200, r.text
    return r.json().get("standardization_grade")


def test_kt_applies_and_a_county_supervisor_certifies_grade_three(http, people, supervision_db):
    app = apply(http, people["enterprise"]())
    assert (app["status"], app["status_name"], app["kind"], app["version"]) == ("submitted", "已申请", "new", 1)
    assert (app["family"], app["family_name"], app["agency_code"]) == ("hazardous_chemicals", "危险化学品", "620802")
    assert app["reviewing_authority"] == "平凉市崆峒区应急管理局" and app["applied_grade_name"] == "三级"
    assert app["clock"]["review_due"]["date"] and set(app["clock"]["review_due"]) == {"date", "provisional", "note"}
    assert [s["code"] for s in app["scores"]] == list(HAZCHEM_SCORES) and not any(s["scored"] for s in app["scores"])

    assert app["actions"] == [], "the applicant takes no step on a submitted application"
    assert http.get(f"{BASE}/{app['id']}", headers=people["inspector"]()).json()["actions"] == ["accept", "return"]
    assert http.get(f"{BASE}/{app['id']}", headers=people["other_county"]()).status_code == 404
    app = step(http, people["supervisor"](), app, "acceptance")
    assert app["status"] == "accepted" and app["accepted_on"] == TODAY.isoformat()
    assert app["actions"] == ["score"]
    half = dict(list(HAZCHEM_SCORES.items())[:7])
    app = step(http, people["inspector"](), app, "scores", {"scores": scores(half), "experts": EXPERTS[:2]})
    assert app["status"] == "under_review" and sum(s["scored"] for s in app["scores"]) == 7
    early = http.post(f"{BASE}/{app['id']}/review", json={"version": app["version"]},
                      headers=people["supervisor"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert assert_problem(early, 422, "validation-error")["errors"][0]["field"] in ("experts", "scores")
    rest = dict(list(HAZCHEM_SCORES.items())[7:])
    app = step(http, people["supervisor"](), app, "scores", {"scores": scores(rest), "experts": EXPERTS[2:]})
    assert app["experts"] == EXPERTS

    app = step(http, people["supervisor"](), app, "review")
    assert (app["status"], app["total_score"], app["awarded_grade"], app["awarded_grade_name"]) == ("reviewed", 80, "3", "三级")
    assert app["review"]["considered"] == [{"grade": "3", "grade_name": "三级", "unmet": [], "preconditions": []}]

    app = step(http, people["supervisor"](), app, "notice")
    assert app["status"] == "in_notice" and app["clock"]["notice"]["open"]
    assert app["clock"]["notice"]["starts_on"] == TODAY.isoformat() and app["clock"]["notice"]["ends"]["date"] > TODAY.isoformat()
    too_soon = http.post(f"{BASE}/{app['id']}/certificate", json={"version": app["version"]},
                         headers=people["supervisor"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(too_soon, 409, "conflict")
    app = step(http, people["supervisor"](), app, "objections", {"content": "该企业应急演练记录不实", "objector": "李某（来信人）"})
    assert app["objections"][0]["objector"] == "李某（来信人）"
    theirs = http.get(f"{BASE}/{app['id']}", headers=people["enterprise"]()).json()["objections"]
    assert theirs == [{"content": "该企业应急演练记录不实", "received_on": TODAY.isoformat()}], "the applicant does not learn who objected"
    listed = http.get(BASE, params={"page_size": 200}, headers=people["enterprise"]()).json()["items"]
    assert "objector" not in next(a for a in listed if a["id"] == app["id"])["objections"][0]

    end_the_notice(supervision_db, app)
    # the data centre holds no grade for KT until the certificate: the county supervisor writes it
    # (a field a supervisor may update alone; the demo's grade 三级 is back after the step)
    record = http.get(f"/api/v1/enterprises/{KT_USCC}", headers=people["city"]()).json()
    r = http.patch(f"/api/v1/enterprises/{KT_USCC}", json={"version": record["version"], "standardization_grade": None},
                   headers=people["city"]())
    assert r.status_code == 200 and r.json().get("standardization_grade") is None, r.text
    app = step(http, people["supervisor"](), app, "certificate", {"objections_handled": "经核实，演练记录与现场视频一致，异议不成立"})
    assert app["status"] == "certified" and app["certified_on"] == TODAY.isoformat()
    cert = app["certificate"]
    assert re.fullmatch(rf"AQBⅢWH甘{TODAY.year}\d{{5}}", cert["number"]), cert["number"]
    assert (cert["grade"], cert["state"], cert["state_name"]) == ("3", "valid", "有效")
    assert cert["valid_until"] == (TODAY.replace(year=TODAY.year + 3) - timedelta(days=1)).isoformat()
    assert grade_in_data_centre(http, people, KT_USCC) == "3"

    seen = http.get(f"{BASE}/{app['id']}", headers=people["enterprise"]())
    assert seen.status_code == 200
    actions = ["submit", "accept", "score", "score", "review", "notice", "object", "certify"]
    assert [s["action"] for s in seen.json()["steps"]] == actions
    events = outbox(supervision_db, app["id"])
    changed = [e["data"] for e in events if e["type"] == "cn.gov.safety.supervision.standardization.application.changed.v1"]
    assert [e["action"] for e in changed] == actions and [e["version"] for e in changed] == list(range(1, 9))
    assert changed[-1]["changed_at"].endswith("Z") and changed[-1]["awarded_grade"] == "3"
    (notice,) = [e["data"] for e in events if e["type"] == "cn.gov.safety.supervision.standardization.notice.v1"]
    assert (notice["uscc"], notice["grade_name"], notice["authority"]) == (KT_USCC, "三级", "平凉市崆峒区应急管理局")
    certificates = [e["data"] for e in events if e["type"] == "cn.gov.safety.supervision.standardization.certificate.v1"]
    assert [(c["number"], c["state"]) for c in certificates] == [(cert["number"], "valid")]
    assert supervision_db.execute("SELECT count(*) FROM kit.audit_log WHERE action LIKE 'standardization.%%' AND outcome = 'success' "
                                  "AND target_id = %s", (app["id"],)).fetchone()[0] == len(actions)
    listed = http.get(BASE, params={"status": "certified", "uscc": KT_USCC}, headers=people["inspector"]())
    assert listed.status_code == 200 and app["id"] in {i["id"] for i in listed.json()["items"]}
    assert next(i for i in listed.json()["items"] if i["id"] == app["id"])["clock"]["certificate"]["state"] == "valid"


def test_a_retried_step_is_answered_once(http, people, supervision_db):
    app = apply(http, people["enterprise"]())
    key = str(uuid.uuid4())
    first = http.post(f"{BASE}/{app['id']}/acceptance", json={"version": 1}, headers=people["supervisor"]() | {"Idempotency-Key": key})
    again = http.post(f"{BASE}/{app['id']}/acceptance", json={"version": 1}, headers=people["supervisor"]() | {"Idempotency-Key": key})
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers.get("Idempotency-Replayed") == "true" and again.json() == first.json()
    assert [e["data"]["action"] for e in outbox(supervision_db, app["id"])] == ["submit", "accept"]
    other = http.post(f"{BASE}/{app['id']}/acceptance", json={"version": 1, "note": "x"},
                      headers=people["supervisor"]() | {"Idempotency-Key": key})
    assert other.status_code == 409


def test_a_stale_version_is_refused(http, people):
    app = apply(http, people["enterprise"]())
    accepted = step(http, people["supervisor"](), app, "acceptance")
    r = http.post(f"{BASE}/{app['id']}/return", json={"version": app["version"], "reasons": "材料不全"},
                  headers=people["supervisor"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(r, 409, "conflict")
    assert step(http, people["supervisor"](), accepted, "scores", {"scores": scores({"H01": 5})})["version"] == accepted["version"] + 1


def test_another_countys_staff_does_not_see_it(http, people):
    app = apply(http, people["enterprise"]())
    assert_problem(http.get(f"{BASE}/{app['id']}", headers=people["other_county"]()), 404, "not-found")
    r = http.post(f"{BASE}/{app['id']}/acceptance", json={"version": 1},
                  headers=people["other_county"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(r, 404, "not-found")
    listed = http.get(BASE, params={"uscc": KT_USCC}, headers=people["other_county"]())
    assert listed.status_code == 200 and app["id"] not in {i["id"] for i in listed.json()["items"]}
    mine = http.get(BASE, params={"status": "open", "family": "hazardous_chemicals"}, headers=people["inspector"]())
    assert mine.status_code == 200 and app["id"] in {i["id"] for i in mine.json()["items"]}
    step(http, people["supervisor"](), app, "return", {"reasons": "测试结束，退回"})


def test_bad_input_names_its_fields(http, people):
    r = http.post(BASE, json={"applied_grade": "5", "self_score": 101}, headers=people["enterprise"]())
    body = assert_problem(r, 422, "validation-error")
    assert {e["field"] for e in body["errors"]} == {"applied_grade", "self_score", "system_running_since"}
    recent = (TODAY - timedelta(days=30)).isoformat()
    r = http.post(BASE, json={"applied_grade": "3", "self_score": 70, "system_running_since": recent}, headers=people["enterprise"]())
    (error,) = assert_problem(r, 422, "validation-error")["errors"]
    assert (error["field"], error["code"]) == ("system_running_since", "system_running_since.too_recent")
    assert error["message"] and error["message_en"]
    r = http.post(BASE, json={"applied_grade": "1", "self_score": 95, "system_running_since": "2024-01-01"}, headers=people["enterprise"]())
    assert assert_problem(r, 422, "validation-error")["errors"][0]["code"] == "applied_grade.outside_platform"
    app = step(http, people["supervisor"](), apply(http, people["enterprise"]()), "acceptance")
    r = http.post(f"{BASE}/{app['id']}/scores", json={"version": app["version"], "scores": [{"code": "H01", "score": 7}, {"code": "X9"}]},
                  headers=people["supervisor"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert {e["field"] for e in assert_problem(r, 422, "validation-error")["errors"]} == {"scores[0].score", "scores[1].code"}
    assert_problem(http.get(BASE, params={"status": "lost"}, headers=people["inspector"]()), 422, "validation-error")


def test_the_enterprise_and_an_inspector_cannot_review(http, people):
    app = apply(http, people["enterprise"]())
    for who, path in (("enterprise", "acceptance"), ("enterprise", "review"), ("inspector", "review")):
        r = http.post(f"{BASE}/{app['id']}/{path}", json={"version": app["version"]},
                      headers=people[who]() | {"Idempotency-Key": str(uuid.uuid4())})
        assert_problem(r, 403, "forbidden")
    step(http, people["inspector"](), app, "return", {"reasons": "测试结束，退回"})


@pytest.fixture
def fresh_enterprise(records, supervision_db):
    """A hazardous-chemicals enterprise of 崆峒区 made for the test, once supervision has registered it."""
    e = records.create("enterprise", region="620802", sector="hazardous_chemicals")
    wait_for("registration with its sector", lambda: supervision_db.execute(
        "SELECT sector = 'hazardous_chemicals' FROM supervision.registration WHERE uscc = %s", (e["uscc"],)).fetchone() == (True,))
    return e["uscc"]


def test_a_fatal_accident_in_the_look_back_fails_the_review(http, people, records, fresh_enterprise):
    records.create("accident", uscc=fresh_enterprise, deaths=1)
    app = reviewed(http, people, apply(http, people["supervisor"](), uscc=fresh_enterprise))
    assert (app["status"], app["awarded_grade"], app["total_score"]) == ("not_passed", None, 80)
    (considered,) = app["review"]["considered"]
    assert considered["unmet"] == [] and [p["code"] for p in considered["preconditions"]] == ["fatal_accident"]
    assert grade_in_data_centre(http, people, fresh_enterprise) is None


def test_a_city_grade_with_an_objection_renewal_downgrade_and_revocation(http, people, supervision_db, fresh_enterprise):
    app = apply(http, people["city"](), uscc=fresh_enterprise, applied_grade="2", self_score=85)
    assert (app["agency_code"], app["reviewing_authority"]) == ("620800", "平凉市应急管理局")
    r = http.post(f"{BASE}/{app['id']}/acceptance", json={"version": 1}, headers=people["supervisor"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(r, 403, "forbidden")                 # the county does not review a city-level grade
    app = reviewed(http, people, app, who="city")
    assert (app["status"], app["awarded_grade"]) == ("reviewed", "2"), app["review"]
    app = step(http, people["city"](), app, "notice")
    app = step(http, people["city"](), app, "objections", {"content": "该企业储罐区防火间距不足", "objector": "匿名"})
    assert app["objections"][0]["received_on"] == TODAY.isoformat()
    end_the_notice(supervision_db, app)
    late = http.post(f"{BASE}/{app['id']}/objections", json={"version": app["version"], "content": "迟到"},
                     headers=people["city"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(late, 409, "conflict")
    unanswered = http.post(f"{BASE}/{app['id']}/certificate", json={"version": app["version"]},
                           headers=people["city"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert assert_problem(unanswered, 422, "validation-error")["errors"][0]["field"] == "objections_handled"
    app = step(http, people["city"](), app, "certificate", {"objections_handled": "经现场核实，防火间距符合GB 50160要求，异议不成立"})
    assert app["certificate"]["grade"] == "2" and grade_in_data_centre(http, people, fresh_enterprise) == "2"

    too_early = http.post(f"{BASE}/{app['id']}/renewal", json={"version": app["version"]},
                          headers=people["city"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(too_early, 409, "conflict")
    supervision_db.execute("UPDATE standardization.certificate SET valid_until = %s WHERE application_id = %s",
                           (TODAY + timedelta(days=30), int(app["id"])))   # as if issued three years ago
    renewal = step(http, people["city"](), app, "renewal", {"applied_grade": "2", "self_score": 86,
                                                            "system_running_since": "2020-01-01"}, status=201)
    assert (renewal["kind"], renewal["kind_name"], renewal["parent_id"], renewal["status"]) == ("renewal", "复评换证", app["id"], "submitted")
    second = http.post(f"{BASE}/{app['id']}/renewal", json={"version": app["version"], "applied_grade": "2", "self_score": 86,
                                                            "system_running_since": "2020-01-01"},
                       headers=people["city"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(second, 409, "conflict")
    step(http, people["city"](), renewal, "return", {"reasons": "测试：复评材料退回"})

    app = http.get(f"{BASE}/{app['id']}", headers=people["city"]()).json()
    app = step(http, people["city"](), app, "downgrade", {"to_grade": "3", "reasons": "发生一般生产安全事故", "accident_id": "A-1"})
    assert (app["certificate"]["grade"], app["certificate"]["state"]) == ("3", "downgraded")
    assert grade_in_data_centre(http, people, fresh_enterprise) == "3"
    lowest = http.post(f"{BASE}/{app['id']}/downgrade", json={"version": app["version"], "to_grade": "3", "reasons": "再降"},
                       headers=people["city"]() | {"Idempotency-Key": str(uuid.uuid4())})
    assert_problem(lowest, 409, "conflict")
    app = step(http, people["city"](), app, "revocation", {"reasons": "发生较大生产安全事故"})
    assert app["certificate"]["state"] == "revoked" and grade_in_data_centre(http, people, fresh_enterprise) is None
    states = [e["data"]["state"] for e in outbox(supervision_db, app["id"])
              if e["type"] == "cn.gov.safety.supervision.standardization.certificate.v1"]
    assert states == ["valid", "downgraded", "revoked"]
    assert [s["action"] for s in app["steps"]][-2:] == ["downgrade", "revoke"]
