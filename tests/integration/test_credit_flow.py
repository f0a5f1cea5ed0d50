"""安全生产诚信 end to end on the test instance, with a new enterprise of 崆峒区 each run (the instance
keeps its data): a 重大事故隐患 registered in the data centre past its deadline reaches the credit
ledger through Kafka; a staff penalty entry lowers the score; a supervisor lists the enterprise on
the serious-dishonesty list with a numbered decision; the enterprise reads its own credit page with
the listing and its consequences; a repair before 12 months is refused, after them (dates moved in
SQL) approved, which removes the listing; an accident closed more than a year ago has its follow-up
overdue and recorded; an agency of the register is rated from a finding. The credit page gives the
score over time (a point on each change, the listing's D included); the list finds enterprises by a
part of their name (any case, % and _ literal, within the caller's region, with the other filters).
Another county's staff get 404, bad input 422, and neither an enterprise nor an inspector may list (403)."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.kit import roles
from services.kit.ruletables import add_months
from tests.integration.conftest import bearer, random_uscc, wait_for

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime.now(SH).replace(microsecond=0)
TODAY = NOW.date()
API = "/api/v1/credit"


def post(http, token: str, path: str, body: dict, key: str | None = None):
    return http.post(path, json=body, headers=bearer(token) | {"Idempotency-Key": key or str(uuid.uuid4())})


def penalty_number() -> str:
    return f"(崆)应急罚〔{TODAY.year}〕{random.randint(1000, 999_999)}号"


@pytest.fixture(scope="module")
def supervisor(staff_user, staff_token):
    return staff_token(staff_user("kongtong-supervisor-t", "620802", roles.SUPERVISION_SUPERVISOR))


@pytest.fixture(scope="module")
def inspector(staff_token):
    return staff_token("kongtong-inspector")


@pytest.fixture(scope="module")
def foreign(staff_token):
    return staff_token("jingchuan-inspector")


@pytest.fixture(scope="module")
def enterprise(http, enterprise_client, supervision_db):
    """A new enterprise of 崆峒区 with its own machine client, registered for supervision."""
    ent = enterprise_client(region="620802")
    r = http.post("/api/v1/enterprises", headers=bearer(ent.token()), json=ent.submission())
    assert r.status_code in (200, 201), r.text
    wait_for("registration", lambda: supervision_db.execute("SELECT 1 FROM supervision.registration WHERE uscc = %s",
                                                            (ent.uscc,)).fetchone())
    return ent


def page(http, token: str, uscc: str) -> dict:
    r = http.get(f"{API}/enterprises/{uscc}", headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()


def test_an_overdue_major_hazard_reaches_the_ledger_through_kafka(http, inspector, enterprise, records):
    assert page(http, inspector, enterprise.uscc)["score"] == 100
    hazard = records.create("hazard", uscc=enterprise.uscc, level="major", found_at=(NOW - timedelta(days=10)).isoformat(),
                            deadline=(TODAY - timedelta(days=2)).isoformat())
    mine = wait_for("the hazard's credit entry", lambda: next(
        (e for e in page(http, inspector, enterprise.uscc)["entries"] if e["reference"] == f"hazard:{hazard['id']}" and not e["derived"]),
        None))
    assert mine["type"] == "hazard_overdue" and mine["source"] == "hazard" and mine["points"] == -10
    assert mine["occurred_on"] == (TODAY - timedelta(days=1)).isoformat(), "overdue from the day after the deadline"
    p = page(http, inspector, enterprise.uscc)
    assert p["score"] == 90 and p["grade"] == "A", "counted once, though the open copy is overdue too"


def test_a_staff_penalty_entry_lowers_the_score(http, inspector, foreign, enterprise):
    before = page(http, inspector, enterprise.uscc)["score"]
    body = {"uscc": enterprise.uscc, "type": "penalty_fine", "reason": "未按规定对从业人员进行安全生产教育和培训",
            "reference": penalty_number(), "occurred_on": TODAY.isoformat()}
    key = str(uuid.uuid4())
    r = post(http, inspector, f"{API}/events", body, key=key)
    assert r.status_code == 201, r.text
    assert r.json()["score"] == before - 8
    replay = post(http, inspector, f"{API}/events", body, key=key)
    assert replay.status_code == 201 and replay.headers.get("Idempotency-Replayed") == "true"
    assert post(http, inspector, f"{API}/events", body).status_code == 409, "the same decision is in the ledger once"
    bad = post(http, inspector, f"{API}/events", body | {"type": "hazard_overdue", "reference": "罚字7号", "occurred_on": "2099-01-01"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"type", "occurred_on"}
    bad = post(http, inspector, f"{API}/events", body | {"reference": "罚字7号"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "reference"
    assert http.get(f"{API}/enterprises/{enterprise.uscc}", headers=bearer(foreign)).status_code == 404
    assert post(http, foreign, f"{API}/events", body | {"reference": penalty_number()}).status_code == 404
    listed = http.get(f"{API}/enterprises", headers=bearer(inspector), params={"uscc": enterprise.uscc}).json()["items"]
    assert [(e["uscc"], e["score"]) for e in listed] == [(enterprise.uscc, before - 8)]


@pytest.fixture(scope="module")
def listing(http, supervisor, enterprise) -> dict:
    r = post(http, supervisor, f"{API}/dishonesty-listings", {
        "uscc": enterprise.uscc, "situation": "concealed_accident", "facts": "瞒报一起造成1人死亡的生产安全事故",
        "penalty_number": penalty_number(), "principal_name": "王志强"})
    assert r.status_code == 201, r.text
    return r.json()


def test_neither_an_enterprise_nor_an_inspector_may_list(http, inspector, enterprise):
    body = {"uscc": enterprise.uscc, "situation": "concealed_accident", "facts": "x", "penalty_number": penalty_number()}
    assert post(http, enterprise.token(), f"{API}/dishonesty-listings", body).status_code == 403
    assert post(http, inspector, f"{API}/dishonesty-listings", body).status_code == 403


def test_a_supervisor_lists_the_enterprise_with_a_numbered_decision(http, supervisor, listing, enterprise, supervision_db):
    assert listing["decision_number"].startswith(f"(崆)应急失信〔{TODAY.year}〕")
    assert listing["expires_on"] == add_months(TODAY, 36).isoformat() and listing["state"] == "listed"
    assert listing["principal_name"] == "王志强", "the record itself shows the name"
    listed = http.get(f"{API}/dishonesty-listings", headers=bearer(supervisor), params={"uscc": enterprise.uscc}).json()["items"]
    assert [x["principal_name"] for x in listed] == ["王**"], "lists mask it"
    bad = post(http, supervisor, f"{API}/dishonesty-listings", {"uscc": enterprise.uscc, "situation": "late_report", "facts": "",
                                                                "penalty_number": "罚字第1号"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"situation", "facts", "penalty_number"}
    published = supervision_db.execute("SELECT payload FROM kit.outbox WHERE topic = 'safety.supervision.credit.v1' AND record_key = %s "
                                       "AND headers->>'ce_type' = 'cn.gov.safety.supervision.credit.listing.changed.v1'",
                                       (enterprise.uscc,)).fetchall()
    assert len(published) == 1 and "王**" in bytes(published[0][0]).decode() and "王志强" not in bytes(published[0][0]).decode()


def test_the_credit_page_gives_the_score_over_time(http, inspector, listing, enterprise):
    p = page(http, inspector, enterprise.uscc)
    steps = [(t["on"], t["score"], t["grade"], t["listed"]) for t in p["trend"]]
    assert steps == [(add_months(TODAY, -12).isoformat(), 100, "A", False),
                     ((TODAY - timedelta(days=1)).isoformat(), 90, "A", False),    # the overdue hazard, counted once
                     (TODAY.isoformat(), 82, "D", True)], steps                    # the penalty today, and the listing: D
    assert p["trend"][-1]["grade_name"] == p["grade_name"] and p["trend"][-1]["score"] == p["score"]
    earlier = http.get(f"{API}/enterprises/{enterprise.uscc}", headers=bearer(inspector),
                       params={"as_of": (TODAY - timedelta(days=1)).isoformat()}).json()["trend"]
    assert earlier[-1] == {"on": (TODAY - timedelta(days=1)).isoformat(), "score": 90, "grade": "A", "grade_name": "诚信", "listed": False}


def test_the_list_finds_enterprises_by_name_within_the_region(http, inspector, foreign, enterprise_client, supervision_db):
    tok = "Q" + uuid.uuid4().hex[:5].upper()
    names = {}
    for region, name in (("620802", f"诚信检索{tok}甲化工有限公司"), ("620802", f"诚信检索{tok}乙建材有限公司"),
                         ("620821", f"诚信检索{tok}丙煤业有限公司")):
        ent = enterprise_client(region=region)
        r = http.post("/api/v1/enterprises", headers=bearer(ent.token()), json=ent.submission(name=name))
        assert r.status_code in (200, 201), r.text
        wait_for("registration", lambda: supervision_db.execute("SELECT 1 FROM supervision.registration WHERE uscc = %s",
                                                                (ent.uscc,)).fetchone())
        names[name] = ent.uscc

    def found(token: str, q: str, **params) -> list[str]:
        r = http.get(f"{API}/enterprises", headers=bearer(token), params={"q": q, **params})
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["total"] == len(answer["items"])
        return sorted(i["name"] for i in answer["items"])

    ours = sorted(n for n in names if "丙" not in n)
    assert found(inspector, tok) == ours, "the county's two, not the other county's"
    assert found(foreign, tok) == [f"诚信检索{tok}丙煤业有限公司"]
    assert found(inspector, f"{tok}甲") == [f"诚信检索{tok}甲化工有限公司"]
    assert found(inspector, tok.lower()) == ours, "any case"
    assert found(inspector, f"  {tok}乙建材 ") == [f"诚信检索{tok}乙建材有限公司"], "trimmed"
    assert found(inspector, f"{tok}_化工") == [] and found(inspector, f"{tok}%化工") == [], "% and _ are themselves"
    assert found(inspector, tok, grade="A") == ours and found(inspector, tok, grade="D") == []
    assert found(inspector, tok, listed="true") == []
    too_long = http.get(f"{API}/enterprises", headers=bearer(inspector), params={"q": "x" * 51})
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "q", too_long.text


def test_the_enterprise_reads_its_own_page_with_the_listing_and_its_consequences(http, listing, enterprise, demo_tokens):
    own = page(http, enterprise.token(), enterprise.uscc)
    assert own["listed"] is True and own["grade"] == "D"
    assert [x["id"] for x in own["listings"]] == [listing["id"]]
    assert {c["applies_to"] for c in own["consequences"]} == {"licensing", "standardization", "plans"}
    assert any("重点检查对象" in c["consequence_zh"] for c in own["consequences"])
    other = http.get(f"{API}/enterprises/91620802MA71KT001D", headers=bearer(enterprise.token()))
    assert other.status_code == 404, "another enterprise's page is as if absent"


def test_a_repair_is_refused_before_twelve_months_and_approved_after_them(http, supervisor, listing, enterprise, supervision_db):
    repair = {"version": listing["version"], "statement": "已缴纳罚款并完成整改，建立事故报告制度",
              "conditions": [c["code"] for c in listing["repair_conditions"]]}
    early = post(http, enterprise.token(), f"{API}/dishonesty-listings/{listing['id']}/repair", repair)
    assert early.status_code == 409 and "满12个月" in early.json()["detail"], early.text
    # thirteen months pass: move the listing back instead of waiting
    listed_on = add_months(TODAY, -13)
    supervision_db.execute("UPDATE credit.listing SET listed_on = %s, expires_on = %s WHERE id = %s",
                           (listed_on, add_months(listed_on, 36), int(listing["id"])))
    r = post(http, enterprise.token(), f"{API}/dishonesty-listings/{listing['id']}/repair", repair)
    assert r.status_code == 200, r.text
    applied = r.json()
    assert applied["repair_state"] == "pending" and applied["version"] == listing["version"] + 1
    stale = post(http, supervisor, f"{API}/dishonesty-listings/{listing['id']}/repair-decision", {"version": listing["version"],
                                                                                                   "decision": "approved"})
    assert stale.status_code == 409, "the version read is checked"
    assert post(http, enterprise.token(), f"{API}/dishonesty-listings/{listing['id']}/repair-decision",
                {"version": applied["version"], "decision": "approved"}).status_code == 403
    done = post(http, supervisor, f"{API}/dishonesty-listings/{listing['id']}/repair-decision",
                {"version": applied["version"], "decision": "approved", "opinion": "整改到位，准予提前移出"})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["removal_reason"]) == ("removed", "repaired")
    own = page(http, enterprise.token(), enterprise.uscc)
    assert own["listed"] is False and own["consequences"] == []


def test_an_accident_closed_more_than_a_year_ago_has_its_follow_up_overdue(http, inspector, foreign, enterprise, records):
    occurred = NOW - timedelta(days=800)
    closed_on = TODAY - timedelta(days=400)
    accident = records.create("accident", uscc=enterprise.uscc, occurred_at=occurred.isoformat(), status="closed",
                              closed_on=closed_on.isoformat(),
                              reports=[{"level": "county", "reported_at": (occurred + timedelta(minutes=30)).isoformat(), "reporter": "周报告"}])

    def mine():
        r = http.get(f"{API}/follow-ups", headers=bearer(inspector), params={"uscc": enterprise.uscc, "state": "overdue"})
        assert r.status_code == 200, r.text
        return next((f for f in r.json()["items"] if f["accident_id"] == str(accident["id"])), None)
    f = wait_for("the follow-up", mine)
    assert f["closed_on"] == closed_on.isoformat() and f["due_on"] == add_months(closed_on, 12).isoformat() and f["overdue"]
    assert http.get(f"{API}/follow-ups/{f['id']}", headers=bearer(foreign)).status_code == 404
    bad = post(http, inspector, f"{API}/follow-ups/{f['id']}", {"version": f["version"], "measures": [], "conclusion": "x"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"measures", "conclusion", "summary"}
    r = post(http, inspector, f"{API}/follow-ups/{f['id']}", {
        "version": f["version"], "conclusion": "not_implemented", "summary": "储罐区紧急切断装置仍未安装",
        "measures": [{"measure": "储罐区加装紧急切断装置", "result": "not_implemented"},
                     {"measure": "开展全员安全培训", "result": "implemented", "note": "已培训120人次"}]})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "recorded" and r.json()["late"] is True
    entries = page(http, inspector, enterprise.uscc)["entries"]
    assert any(e["type"] == "follow_up_not_implemented" and e["reference"] == f"follow_up:{f['id']}" for e in entries)
    assert any(e["type"] == "accident_general" and e["counted"] == 0 for e in entries), "an accident of 800 days ago no longer counts"


def test_an_agency_is_registered_and_rated_from_a_finding(http, inspector, supervisor, foreign):
    body = {"name": "甘肃测试安全评价有限公司", "uscc": random_uscc("620802"), "qualification_type": "safety_assessment",
            "qualification_number": f"APJ-(甘)-{random.randint(100, 999)}", "scope": "危险化学品生产、储存", "valid_until": "2030-12-31",
            "region_code": "620802"}
    r = post(http, inspector, f"{API}/agencies", body)
    assert r.status_code == 201, r.text
    agency = r.json()
    assert (agency["score"], agency["grade"]) == (100, "A")
    assert post(http, inspector, f"{API}/agencies", body).status_code == 409
    bad = post(http, inspector, f"{API}/agencies", body | {"qualification_type": "x", "valid_until": "2030/12/31"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"qualification_type", "valid_until"}
    work = post(http, inspector, f"{API}/agencies/{agency['id']}/work", {
        "for_uscc": "91620802MA71KT001D", "for_name": "平凉市崆峒化工有限公司", "content": "安全现状评价",
        "report_number": f"PJ-{uuid.uuid4().hex[:8]}", "report_date": TODAY.isoformat()})
    assert work.status_code == 201 and len(work.json()["work"]) == 1
    finding = {"type": "no_site_visit", "reason": "评价人员未到现场", "reference": "现场检查记录", "found_on": TODAY.isoformat()}
    assert post(http, inspector, f"{API}/agencies/{agency['id']}/findings", finding).status_code == 403
    rated = post(http, supervisor, f"{API}/agencies/{agency['id']}/findings", finding)
    assert rated.status_code == 201 and rated.json()["score"] == 90
    assert http.get(f"{API}/agencies/{agency['id']}", headers=bearer(foreign)).status_code == 404
    changed = http.patch(f"{API}/agencies/{agency['id']}", headers=bearer(inspector), json={"version": agency["version"],
                                                                                             "valid_until": "2033-12-31"})
    assert changed.status_code == 200 and changed.json()["valid_until"] == "2033-12-31"
    stale = http.patch(f"{API}/agencies/{agency['id']}", headers=bearer(inspector), json={"version": agency["version"], "scope": "x"})
    assert stale.status_code == 409
