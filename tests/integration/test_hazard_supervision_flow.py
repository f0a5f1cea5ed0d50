"""Listed supervision of a major hazard end to end on the test instance: a county supervisor lists a
major hazard of the data centre (number issued, the listing written into the hazard's record); the
enterprise asks for an extension and the supervisor approves it (the record's deadline moves);
closing is refused until the hazard is verified and closed by someone other than its rectifier;
then it closes. An overdue listing escalates to the city; an enterprise's quarterly report is filed."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from infra.keycloak import realm
from services.kit import roles
from tests.integration.conftest import KT_USCC, bearer, wait_for

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
KT = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)


def post(http, token: str, path: str, body: dict):
    return http.post(path, json=body, headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4())})


@pytest.fixture(scope="module")
def supervisor(staff_user, staff_token):
    return staff_token(staff_user("kongtong-supervisor-t", "620802", roles.SUPERVISION_SUPERVISOR))


def major_hazard(records, supervision_db) -> dict:
    h = records.create("hazard", level="major", description="液氨储罐区紧急切断阀失效（测试）", source="agency_inspection",
                       deadline=(TODAY + timedelta(days=30)).isoformat())
    wait_for("the hazard's copy in supervision", lambda: supervision_db.execute(
        "SELECT 1 FROM hazard_supervision.hazard WHERE id = %s", (h["id"],)).fetchone())
    return h


def test_a_major_hazard_is_listed_extended_and_closed_only_after_verification(http, supervisor, records, demo_tokens, supervision_db,
                                                                              staff_token):
    h = major_hazard(records, supervision_db)
    r = post(http, supervisor, "/api/v1/hazard-supervision/listings",
             {"hazard_id": h["id"], "deadline": (TODAY + timedelta(days=20)).isoformat(), "requirements": "限期完成紧急切断系统改造"})
    assert r.status_code == 200, r.text
    listing = r.json()
    assert listing["level"] == "county" and listing["document_number"].startswith("崆应急督〔")
    held = records.get("hazard", h["id"]).json()
    assert held["supervision"]["document_number"] == listing["document_number"], "the listing is in the data centre's record"
    again = post(http, supervisor, "/api/v1/hazard-supervision/listings", {"hazard_id": h["id"], "deadline": (TODAY + timedelta(days=9)).isoformat(),
                                                                           "requirements": "x"})
    assert again.status_code == 409
    higher = post(http, supervisor, "/api/v1/hazard-supervision/listings", {"hazard_id": h["id"], "level": "province",
                                                                            "deadline": (TODAY + timedelta(days=9)).isoformat(), "requirements": "x"})
    assert higher.status_code == 422 and higher.json()["errors"][0]["code"] == "level.above_agency"

    base = f"/api/v1/hazard-supervision/listings/{listing['id']}"
    ent = demo_tokens(KT.client_id)
    new_deadline = (TODAY + timedelta(days=40)).isoformat()
    r = post(http, ent, f"{base}/extensions", {"new_deadline": new_deadline, "reason": "进口阀门到货延迟"})
    assert r.status_code == 200, r.text
    assert post(http, ent, f"{base}/extensions", {"new_deadline": new_deadline, "reason": "再次"}).status_code == 409, "one pending at a time"
    assert post(http, ent, f"{base}/extension-decision", {"approved": True}).status_code == 403, "the enterprise does not decide"
    r = post(http, supervisor, f"{base}/extension-decision", {"approved": True, "note": "同意延期"})
    assert r.status_code == 200, r.text
    assert r.json()["deadline"] == new_deadline and r.json()["extensions"][0]["status"] == "approved"
    held = records.get("hazard", h["id"]).json()
    assert held["deadline"] == new_deadline and held["supervision"]["extensions"][0]["approved"] is True

    early = post(http, supervisor, f"{base}/closure", {"note": "已整改"})
    assert early.status_code == 422 and early.json()["errors"][0]["code"] == "hazard.not_verified"

    plan = {"target": "恢复紧急切断功能", "measures": "更换切断阀", "funds": "20万元", "materials": "切断阀2台", "responsible": "设备部",
            "deadline": new_deadline, "safety_emergency_measures": "停用该储罐"}
    for changes in ({"status": "rectifying", "measures": "更换紧急切断阀并联调", "responsible_person": "赵工程师", "plan": plan},
                    {"status": "awaiting_verification"},
                    {"status": "closed", "verification": {"verified_by": "钱科长", "verified_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(
                        timespec="seconds"), "result": "passed", "opinion": "整改到位"}}):
        version = records.get("hazard", h["id"]).json()["version"]
        r = records.patch("hazard", h["id"], {"version": version, **changes})
        assert r.status_code == 200, r.text
    wait_for("the closed hazard's copy", lambda: supervision_db.execute(
        "SELECT status FROM hazard_supervision.hazard WHERE id = %s", (h["id"],)).fetchone()[0] == "closed")
    assert http.post(f"{base}/closure", json={"note": "x"}, headers=bearer(staff_token("jingchuan-inspector")) | {
        "Idempotency-Key": str(uuid.uuid4())}).status_code == 403
    r = post(http, supervisor, f"{base}/closure", {"note": "经验收合格，同意销号"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "closed"
    assert supervision_db.execute("SELECT count(*) FROM kit.outbox WHERE record_key = %s AND topic LIKE %s",
                                  (str(listing["id"]), "%hazard_supervision%")).fetchone()[0] == 4  # listed, requested, approved, closed
    seen = http.get(base, headers=bearer(ent))
    assert seen.status_code == 200 and seen.json()["status"] == "closed", "the enterprise reads its own listing"
    assert http.get(base, headers=bearer(demo_tokens(realm.DEMO_ENTERPRISES[1].client_id))).status_code == 404


def test_an_overdue_listing_escalates_to_the_city_once(http, supervisor, records, supervision_db):
    from services.kit.jobs import db_now
    from services.supervision.hazard_supervision import jobs
    h = major_hazard(records, supervision_db)
    listing = post(http, supervisor, "/api/v1/hazard-supervision/listings",
                   {"hazard_id": h["id"], "deadline": (TODAY + timedelta(days=5)).isoformat(), "requirements": "限期整改"}).json()
    supervision_db.execute("UPDATE hazard_supervision.listing SET deadline = %s WHERE id = %s", (TODAY - timedelta(days=1), listing["id"]))
    conn = supervision_db.conn
    with conn.transaction():
        jobs.run_escalation(conn, db_now(conn))
    row = supervision_db.execute("SELECT escalated_to, version FROM hazard_supervision.listing WHERE id = %s", (listing["id"],)).fetchone()
    assert row[0] == "city"
    with conn.transaction():
        jobs.run_escalation(conn, db_now(conn))
    assert supervision_db.execute("SELECT escalated_to FROM hazard_supervision.listing WHERE id = %s", (listing["id"],)).fetchone()[0] == "province"
    overdue = http.get("/api/v1/hazard-supervision/listings?overdue=true&page_size=200", headers=bearer(supervisor)).json()["items"]
    assert any(i["id"] == listing["id"] and i["overdue"] and i["escalated_to_name"] == "省级挂牌督办" for i in overdue)


def test_the_enterprise_files_its_quarterly_report_signed_by_its_principal(http, supervisor, demo_tokens):
    ent = demo_tokens(KT.client_id)
    period = f"{TODAY.year - 1}Q4"
    bad = post(http, ent, "/api/v1/hazard-supervision/reports", {"period": f"{TODAY.year + 1}Q1", "figures": {"general_found": 1,
                                                                                                              "general_rectified": 2}})
    assert bad.status_code == 422
    assert {e["code"] for e in bad.json()["errors"]} >= {"period.not_over", "figures.general_rectified.exceeds", "principal.required"}
    r = post(http, ent, "/api/v1/hazard-supervision/reports", {"period": period, "principal": "王志强",
                                                               "signed_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(),
                                                               "figures": {"general_found": 12, "general_rectified": 11, "major_found": 1,
                                                                           "major_rectified": 1, "funds_cny": 230000}})
    assert r.status_code == 200, r.text
    listed = http.get(f"/api/v1/hazard-supervision/reports?period={period}", headers=bearer(supervisor)).json()
    assert any(i["uscc"] == KT_USCC for i in listed["items"]) and all(m["uscc"] != KT_USCC for m in listed["missing"])
    assert post(http, supervisor, "/api/v1/hazard-supervision/reports", {"period": period}).status_code == 403
    board = http.get("/api/v1/hazard-supervision/board", headers=bearer(supervisor))
    assert board.status_code == 200 and any(c["county_code"] == "620802" for c in board.json()["by_county"])
