"""Grids, classes, the yearly plan and an inspection end to end on the test instance: a county
supervisor classes the county's enterprises and draws a reproducible plan; two officers with valid
certificates inspect an enterprise, a finding matching a 重大事故隐患 item becomes a major hazard in
the data centre; completing the inspection issues numbered documents (record and order) and a
re-check; the re-check issues its opinion, and a failed one a new order."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.kit import roles
from infra.keycloak import realm
from tests.integration.conftest import JC_USCC, KT_USCC, bearer, wait_for

SH = ZoneInfo("Asia/Shanghai")
TODAY = datetime.now(SH).date()
YEAR = TODAY.year + 1   # officers' certificates below are valid through it


def post(http, token: str, path: str, body: dict, key: str | None = None):
    return http.post(path, json=body, headers=bearer(token) | {"Idempotency-Key": key or str(uuid.uuid4())})


@pytest.fixture(scope="module")
def supervisor(staff_user, staff_token):
    return staff_token(staff_user("kongtong-supervisor-t", "620802", roles.SUPERVISION_SUPERVISOR))


@pytest.fixture(scope="module")
def inspector(staff_token):
    return staff_token("kongtong-inspector")


@pytest.fixture(scope="module")
def officers(records):
    """Three officers of 崆峒区 valid for years, one whose certificate expired last year."""
    valid = [records.create("officer", region="620802", valid_until=f"{YEAR + 2}-12-31") for _ in range(3)]
    expired = records.create("officer", region="620802", valid_from="2019-01-01", valid_until=f"{TODAY.year - 1}-06-30")
    return valid, expired


def test_grids_tree_and_a_township_grid_with_a_member(http, supervisor, inspector, supervision_db):
    r = http.get("/api/v1/grids", headers=bearer(inspector))
    assert r.status_code == 200, r.text
    roots = r.json()["items"]
    assert [g["code"] for g in roots] == ["620802-G01"], "a county officer sees the county's grid as the root"
    r = post(http, supervisor, "/api/v1/grids", {"parent_code": "620802-G01", "name": "崆峒镇安全生产网格", "region_code": "620802100",
                                                  "responsibilities": "辖区企业日常巡查"})
    assert r.status_code == 200, r.text
    township = r.json()
    assert township["level"] == "township" and township["code"].startswith("620802100-G")
    bad = post(http, supervisor, "/api/v1/grids", {"parent_code": "620802-G01", "name": "错", "region_code": "620821100"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "region_code"
    r = post(http, supervisor, f"/api/v1/grids/{township['code']}/members",
             {"username": "zhang-san", "display_name": "张三", "duty": "网格员", "phone": "13912345678"})
    assert r.status_code == 200, r.text
    assert r.json()["member_list"][0]["phone"] == "139****5678"
    assert post(http, inspector, f"/api/v1/grids/{township['code']}/members",
                {"username": "li-si", "display_name": "李四"}).status_code == 403, "an inspector does not change grids"


def test_an_enterprise_moves_to_a_township_grid_and_keeps_its_history(http, supervisor, records):
    e = records.create("enterprise", region="620802")
    wait_for("registration", lambda: http.get(f"/api/v1/grids/enterprises/{e['uscc']}", headers=bearer(supervisor)).status_code == 200)
    township = post(http, supervisor, "/api/v1/grids", {"parent_code": "620802-G01", "name": "柳湖镇网格", "region_code": "620802101"}).json()
    r = post(http, supervisor, f"/api/v1/grids/enterprises/{e['uscc']}/assignment", {"grid_code": township["code"], "reason": "按属地划入乡镇网格"})
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["grid_code"] == township["code"] and moved["grid_assigned_manually"]
    assert [h["grid_code"] for h in moved["history"]] == [township["code"], "620802-G01"]
    assert moved["history"][1]["ended_at"] is not None
    other = post(http, supervisor, f"/api/v1/grids/enterprises/{e['uscc']}/assignment", {"grid_code": "620821-G01", "reason": "x"})
    assert other.status_code in (404, 422), "another county's grid is refused"


@pytest.fixture(scope="module")
def plan(http, supervisor, officers, demo_enterprises, supervision_db):
    # the test instance keeps its data between runs: start the year's plan afresh
    supervision_db.execute("DELETE FROM inspections.plan WHERE county_code = '620802' AND year = %s", (YEAR,))
    r = post(http, supervisor, "/api/v1/grids/classes", {"county_code": "620802", "year": YEAR})
    assert r.status_code == 200, r.text
    assert r.json()["classified"] >= 1
    r = post(http, supervisor, "/api/v1/inspection-plans", {"county_code": "620802", "year": YEAR, "seed": 20261202})
    assert r.status_code == 200, r.text
    return r.json()


def test_the_plan_is_reproducible_from_its_seed_and_published_for_the_portal(http, supervisor, inspector, plan, supervision_db):
    assert plan["status"] == "draft" and plan["items"], plan
    assert all(len(i["officer_ids"]) == 2 for i in plan["items"])
    key, body = str(uuid.uuid4()), {"county_code": "620802", "year": YEAR, "seed": 20261202}
    again = post(http, supervisor, "/api/v1/inspection-plans", body, key=key).json()
    assert again["digest"] == plan["digest"]
    # a retry with the same key is not drawn again: answered with the plan that stands, from a small kept reference
    retry = post(http, supervisor, "/api/v1/inspection-plans", body, key=key)
    assert retry.status_code == 200 and retry.headers.get("Idempotency-Replayed") == "true", retry.text
    assert {k: retry.json()[k] for k in ("id", "digest", "version", "items")} == {k: again[k] for k in ("id", "digest", "version", "items")}
    kept = supervision_db.execute("SELECT octet_length(response) FROM kit.idempotency_keys WHERE key = %s", (key,)).fetchone()[0]
    assert kept < 200, f"the key keeps the county and year, not the plan's {len(again['items'])} items ({kept} bytes)"
    assert [(i["uscc"], i["month"], i["officer_ids"]) for i in again["items"]] == [(i["uscc"], i["month"], i["officer_ids"]) for i in plan["items"]]
    check = http.get(f"/api/v1/inspection-plans/{again['id']}/verification", headers=bearer(inspector))
    assert check.status_code == 200 and check.json()["verified"] is True, check.text
    assert post(http, inspector, f"/api/v1/inspection-plans/{again['id']}/publication", {"version": again["version"]}).status_code == 403
    r = post(http, supervisor, f"/api/v1/inspection-plans/{again['id']}/publication", {"version": again["version"]})
    assert r.status_code == 200 and r.json()["status"] == "published", r.text
    assert supervision_db.execute("SELECT count(*) FROM kit.outbox WHERE record_key = %s AND headers->>'ce_type' = %s",
                                  (f"plan:{again['id']}", "cn.gov.safety.supervision.plan.published.v1")).fetchone()[0] == 12, \
        "one event per month of the plan"
    redraw = post(http, supervisor, "/api/v1/inspection-plans", {"county_code": "620802", "year": YEAR})
    assert redraw.status_code == 409, "a published plan is not drawn again"


@pytest.fixture(scope="module")
def inspection(http, inspector, officers):
    valid, _ = officers
    r = post(http, inspector, "/api/v1/inspections", {"uscc": KT_USCC, "mode": "unannounced", "place": "储罐区及装卸站台",
                                                      "officer_ids": [valid[0]["id"], valid[1]["id"]]})
    assert r.status_code == 200, r.text
    return r.json()


def test_an_inspection_needs_two_officers_with_valid_certificates(http, inspector, officers):
    valid, expired = officers
    one = post(http, inspector, "/api/v1/inspections", {"uscc": KT_USCC, "place": "厂区", "officer_ids": [valid[0]["id"]]})
    assert one.status_code == 422 and one.json()["errors"][0]["code"] == "officer_ids.two"
    lapsed = post(http, inspector, "/api/v1/inspections", {"uscc": KT_USCC, "place": "厂区", "officer_ids": [valid[0]["id"], expired["id"]]})
    assert lapsed.status_code == 422, lapsed.text
    assert lapsed.json()["errors"][0]["code"] == "officer.certificate"


def test_a_finding_matching_a_major_item_is_a_major_hazard_and_completion_issues_numbered_documents(
        http, inspector, inspection, records, supervision_db):
    checklist = http.get(f"/api/v1/inspection-checklists?uscc={KT_USCC}", headers=bearer(inspector)).json()
    major = next(i for i in checklist["items"] if i["major"])
    deadline = (TODAY + timedelta(days=20)).isoformat()
    base = f"/api/v1/inspections/{inspection['id']}"
    key = str(uuid.uuid4())
    r = post(http, inspector, f"{base}/findings", {"item_code": major["code"], "description": "液氨储罐区未设置紧急切断装置",
                                                   "handling": "order", "deadline": deadline}, key=key)
    assert r.status_code == 200, r.text
    assert r.json()["findings"][0]["major"] is True
    replay = post(http, inspector, f"{base}/findings", {"item_code": major["code"], "description": "液氨储罐区未设置紧急切断装置",
                                                        "handling": "order", "deadline": deadline}, key=key)
    assert replay.headers.get("Idempotency-Replayed") == "true" and len(replay.json()["findings"]) == 1, "a retried draft adds nothing"
    r = post(http, inspector, f"{base}/findings", {"description": "安全警示标志缺失", "handling": "fixed_on_site"})
    assert [f["major"] for f in r.json()["findings"]] == [True, False]
    bad = post(http, inspector, f"{base}/findings", {"description": "x", "handling": "order", "deadline": TODAY.isoformat()})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "deadline"

    done = post(http, inspector, f"{base}/completion", {"content": "检查了储罐区、装卸站台及安全管理制度",
                                                        "unit_present": {"name": "王厂长", "post": "安全副厂长"},
                                                        "unit_refused_to_sign": True, "refusal_note": "被检查单位负责人拒绝签字，两名执法人员在场见证"})
    assert done.status_code == 200, done.text
    d = done.json()
    assert d["status"] == "completed"
    types = [doc["type"] for doc in d["documents"]]
    assert types == ["inspection_record", "rectification_order"]
    assert d["documents"][0]["number"].startswith("(崆)应急检记〔") and d["documents"][1]["number"].startswith("(崆)应急责改〔")
    assert d["documents"][0]["unit_refused"] is True
    hazard_id = d["findings"][0]["hazard_id"]
    assert hazard_id and d["findings"][1]["hazard_id"] is None, "fixed on the spot: no hazard record"
    hazard = records.get("hazard", hazard_id).json()
    assert hazard["level"] == "major" and hazard["source"] == "agency_inspection" and hazard["unannounced"] is True
    again = post(http, inspector, f"{base}/completion", {})
    assert again.status_code == 200 and len(again.json()["documents"]) == 2, "completing again issues nothing new"
    for doc in d["documents"]:
        pdf = http.get(f"/api/v1/enforcement-documents/{doc['id']}/pdf", headers=bearer(inspector))
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-"), doc
    assert supervision_db.execute("SELECT count(*) FROM kit.outbox WHERE record_key = %s", (f"inspection:{inspection['id']}",)).fetchone()[0] == 1
    listed = http.get(f"/api/v1/inspections?uscc={KT_USCC}&page_size=200", headers=bearer(inspector)).json()["items"]
    mine = next(i for i in listed if i["id"] == inspection["id"])
    assert (mine["findings_count"], mine["major_count"], mine["documents_count"]) == (2, 1, 2)
    found = http.get("/api/v1/grids/enterprises?q=崆峒化工", headers=bearer(inspector)).json()["items"]
    assert KT_USCC in [e["uscc"] for e in found], "the start page finds the enterprise by name"


def test_the_enterprise_reads_the_documents_issued_to_it_and_no_others(http, demo_tokens, inspector, inspection):
    kt, jc = (next(e for e in realm.DEMO_ENTERPRISES if e.uscc == u) for u in (KT_USCC, JC_USCC))
    issued = http.get(f"/api/v1/inspections/{inspection['id']}", headers=bearer(inspector)).json()["documents"]
    assert issued, "the inspection above issued its record and order"
    own = http.get("/api/v1/enforcement-documents?page_size=200", headers=bearer(demo_tokens(kt.client_id)))
    assert own.status_code == 200, own.text
    assert own.json()["items"] and {d["uscc"] for d in own.json()["items"]} == {KT_USCC}
    assert {d["id"] for d in issued} <= {d["id"] for d in own.json()["items"]}
    order = next(d for d in issued if d["type"] == "rectification_order")
    one = http.get(f"/api/v1/enforcement-documents/{order['id']}", headers=bearer(demo_tokens(kt.client_id)))
    assert one.status_code == 200 and one.json()["number"] == order["number"], one.text
    pdf = http.get(f"/api/v1/enforcement-documents/{order['id']}/pdf", headers=bearer(demo_tokens(kt.client_id)))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    other = bearer(demo_tokens(jc.client_id))
    assert http.get(f"/api/v1/enforcement-documents/{order['id']}", headers=other).status_code == 404
    assert http.get(f"/api/v1/enforcement-documents/{order['id']}/pdf", headers=other).status_code == 404
    theirs = http.get(f"/api/v1/enforcement-documents?uscc={KT_USCC}&page_size=200", headers=other).json()["items"]
    assert all(d["uscc"] == JC_USCC for d in theirs), "an enterprise's uscc filter is its own, whatever it asks"
    assert post(http, demo_tokens(kt.client_id), f"/api/v1/enforcement-documents/{order['id']}/signatures",
                {"role": "unit", "name": "王厂长"}).status_code == 403, "signatures are recorded by the officers"


def test_another_county_does_not_see_the_inspection(http, staff_token, inspection):
    r = http.get(f"/api/v1/inspections/{inspection['id']}", headers=bearer(staff_token("jingchuan-inspector")))
    assert r.status_code == 404


def test_a_failed_recheck_issues_its_opinion_and_a_new_order(http, inspector, inspection, supervision_db):
    rechecks = http.get("/api/v1/rechecks?state=open&page_size=200", headers=bearer(inspector)).json()["items"]
    mine = next(r for r in rechecks if r["inspection_id"] == inspection["id"])
    assert mine["state"] == "waiting"
    early = post(http, inspector, f"/api/v1/rechecks/{mine['id']}", {"result": "failed", "opinion": "未整改", "next_action": "case"})
    assert early.status_code == 422 and early.json()["errors"][0]["code"] == "rechecked_on.early"
    # the rectification period ends: move its dates back instead of waiting twenty days
    supervision_db.execute("UPDATE inspections.recheck SET rectify_by = %s, due_on = %s WHERE id = %s",
                           (TODAY - timedelta(days=12), TODAY - timedelta(days=2), mine["id"]))
    listed = http.get("/api/v1/rechecks?state=overdue&page_size=200", headers=bearer(inspector)).json()["items"]
    assert any(r["id"] == mine["id"] and r["overdue"] for r in listed), "an overdue re-check is flagged"
    r = post(http, inspector, f"/api/v1/rechecks/{mine['id']}", {"result": "failed", "opinion": "紧急切断装置仍未安装",
                                                                  "next_action": "new_order",
                                                                  "new_deadline": (TODAY + timedelta(days=10)).isoformat()})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["result"] == "failed" and done["opinion_number"].startswith("(崆)应急复查〔")
    assert done["new_order_number"].startswith("(崆)应急责改〔")
    again = post(http, inspector, f"/api/v1/rechecks/{mine['id']}", {"result": "passed", "opinion": "x"})
    assert again.status_code == 409
    docs = http.get(f"/api/v1/inspections/{inspection['id']}", headers=bearer(inspector)).json()["documents"]
    assert [d["type"] for d in docs].count("rectification_order") == 2
    assert supervision_db.execute("SELECT count(*) FROM inspections.recheck WHERE order_id IN (SELECT id FROM inspections.document "
                                  "WHERE inspection_id = %s)", (inspection["id"],)).fetchone()[0] == 2


def test_the_enterprise_reports_its_rectification_and_the_recheck_falls_due(http, demo_tokens, inspector, inspection, supervision_db):
    kt, jc = (next(e for e in realm.DEMO_ENTERPRISES if e.uscc == u) for u in (KT_USCC, JC_USCC))
    ent = demo_tokens(kt.client_id)
    docs = http.get(f"/api/v1/inspections/{inspection['id']}", headers=bearer(inspector)).json()["documents"]
    order = [d for d in docs if d["type"] == "rectification_order"][-1]   # the new order the failed re-check issued
    record = next(d for d in docs if d["type"] == "inspection_record")
    seen = http.get(f"/api/v1/enforcement-documents/{order['id']}", headers=bearer(ent)).json()
    assert seen["rectification"]["state"] == "waiting" and seen["rectification"]["reported"] is False
    items = [it["no"] for it in http.get(f"/api/v1/enforcement-documents/{order['id']}", headers=bearer(inspector)).json()["body"]["items"]]
    path = f"/api/v1/enforcement-documents/{order['id']}/rectification-report"
    good = {"items": [{"no": n, "measures": "已安装紧急切断装置并联锁调试合格", "completed_on": TODAY.isoformat()} for n in items],
            "summary": "全部整改完成，申请复查", "principal": "王厂长"}

    bad = post(http, ent, path, {"items": [{"no": items[0], "measures": "", "completed_on": (TODAY + timedelta(days=1)).isoformat()}]})
    assert bad.status_code == 422, bad.text
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {f"items.{items[0]}.measures", f"items.{items[0]}.completed_on", "principal"} <= fields
    assert all(e["message"] and e["message_en"] for e in bad.json()["errors"])
    assert post(http, ent, path, good | {"items": good["items"] + [{"no": 99, "measures": "x", "completed_on": TODAY.isoformat()}]}
                ).status_code == 422, "an item the order does not have"
    assert post(http, demo_tokens(jc.client_id), path, good).status_code == 404, "another enterprise's order is not there"
    assert post(http, inspector, path, good).status_code == 403, "officers record re-checks, not reports"
    assert post(http, ent, f"/api/v1/enforcement-documents/{record['id']}/rectification-report", good).status_code == 422
    assert http.get(f"/api/v1/enforcement-documents/{order['id']}", headers=bearer(ent)).json()["rectification"]["reported"] is False, \
        "a refused report changes nothing"

    key = str(uuid.uuid4())
    r = post(http, ent, path, good, key=key)
    assert r.status_code == 200, r.text
    rect = r.json()["rectification"]
    assert rect["reported"] and rect["state"] == "due" and rect["report_count"] == 1
    assert rect["reported_on"] == TODAY.isoformat() and rect["due_on"] == (TODAY + timedelta(days=10)).isoformat()
    assert rect["report"]["principal"] == "王厂长" and rect["report"]["items"][0]["completed_on"] == TODAY.isoformat()
    replay = post(http, ent, path, good, key=key)
    assert replay.headers.get("Idempotency-Replayed") == "true" and replay.json()["rectification"]["report_count"] == 1
    corrected = post(http, ent, path, good | {"summary": "补充：已组织员工培训"})
    assert corrected.status_code == 200 and corrected.json()["rectification"]["report_count"] == 2
    assert corrected.json()["rectification"]["reported_on"] == TODAY.isoformat(), "the first report fixes the day"

    due = http.get("/api/v1/rechecks?state=due&page_size=200", headers=bearer(inspector)).json()["items"]
    mine = next(x for x in due if x["order_id"] == order["id"])
    assert mine["reported"] and mine["report"]["summary"] == "补充：已组织员工培训"
    assert supervision_db.execute("SELECT count(*) FROM kit.outbox WHERE record_key = %s AND headers::text LIKE %s",
                                  (f"recheck:{mine['id']}", "%rectification.reported%")).fetchone()[0] == 2
    passed = post(http, inspector, f"/api/v1/rechecks/{mine['id']}", {"result": "passed", "opinion": "经复查，整改到位", "version": mine["version"]})
    assert passed.status_code == 200, passed.text
    late = post(http, ent, path, good)
    assert late.status_code == 409, "after the re-check nothing more is reported"
    final = http.get(f"/api/v1/enforcement-documents/{order['id']}", headers=bearer(ent)).json()["rectification"]
    assert final["state"] == "done" and final["result"] == "passed" and final["opinion_number"].startswith("(崆)应急复查〔")


def test_document_serials_have_no_gaps_or_duplicates_under_fifty_concurrent_issuers(supervision_db):
    """50 threads issue at once; a fifth of them roll back (the document was not written) and
    give their serial back: the committed serials are exactly 1..n."""
    import threading

    import psycopg

    from services.kit import config, docnumbers
    agency = f"TEST-{uuid.uuid4().hex[:8]}"
    dsn = config.database_dsn("supervision")
    kept, lock = [], threading.Lock()
    start = threading.Barrier(50)

    def issuer(n: int):
        with psycopg.connect(dsn) as conn:
            start.wait()
            for attempt in range(4):
                try:
                    with conn.transaction():
                        serial = docnumbers.allocate(conn, agency=agency, doc_type="rectification_order", year=YEAR)
                        if (n + attempt) % 5 == 0:
                            raise RuntimeError("rolled back")
                    with lock:
                        kept.append(serial)
                except RuntimeError:
                    pass
    threads = [threading.Thread(target=issuer, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(kept) == list(range(1, len(kept) + 1)) and len(kept) == 160
    assert supervision_db.execute("SELECT last FROM kit.document_serial WHERE agency = %s", (agency,)).fetchone()[0] == len(kept)
    supervision_db.execute("DELETE FROM kit.document_serial WHERE agency = %s", (agency,))


def form_of(case: dict) -> list[str]:
    return [f["name"] for f in case["form"]]


def test_a_penalty_case_goes_through_its_chain_with_numbered_documents_and_a_publication(http, inspector, supervisor, supervision_db,
                                                                                         staff_token, demo_tokens):
    r = post(http, inspector, "/api/v1/penalty-cases", {"uscc": KT_USCC, "cause": "未按规定设置紧急切断装置", "source": "现场检查"})
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["step"] == "filing" and case["due_on"] and case["needs_approval"]
    assert case["form"] == [], "立案 needs a supervisor: the inspector gets no form"
    one = f"/api/v1/penalty-cases/{case['id']}"
    assert form_of(http.get(one, headers=bearer(supervisor)).json()) == ["summary", "approver_opinion"], "the county supervisor's form"
    assert http.get(one, headers=bearer(staff_token("jingchuan-inspector"))).status_code == 404, "an officer of another county sees no case"
    kt = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)
    assert http.get(one, headers=bearer(demo_tokens(kt.client_id))).status_code == 403, "nor does the enterprise"
    listed = http.get("/api/v1/penalty-cases?page_size=5", headers=bearer(supervisor)).json()["items"]
    assert listed and all("form" not in c for c in listed), "the list carries no forms"
    path = f"/api/v1/penalty-cases/{case['id']}/steps"
    assert post(http, inspector, path, {"step": "filing", "version": case["version"], "summary": "x", "approver_opinion": "同意"}).status_code == 403, \
        "立案 needs a supervisor"
    wrong = post(http, supervisor, path, {"step": "decision", "version": case["version"]})
    assert wrong.status_code == 409, "steps are taken in order"
    steps = [
        (supervisor, {"step": "filing", "summary": "现场检查发现储罐区未设紧急切断装置", "approver_opinion": "同意立案"}),
        (inspector, {"step": "investigation", "facts": "液氨储罐区未设置紧急切断装置", "evidence": "现场检查记录、照片3张",
                     "violated": "《安全生产法》第三十六条"}),
        (inspector, {"step": "notice", "basis": "《安全生产法》第九十九条", "penalty": {"content": "罚款人民币六万元", "amount_cny": 60000}}),
        (inspector, {"step": "statement", "statement": "当事人放弃听证", "hearing_held": False}),
        (supervisor, {"step": "decision", "decision": "罚款人民币六万元", "bank": "中国工商银行平凉分行"}),
        (inspector, {"step": "service", "method": "直接送达", "recipient": "王志强"}),
        (inspector, {"step": "execution", "execution": "已按期缴纳罚款", "paid_cny": 60000}),
        (supervisor, {"step": "closure", "summary": "罚款已缴纳，整改完成", "approver_opinion": "同意结案"}),
    ]
    forms = {"investigation": ["facts", "evidence", "violated"], "notice": ["basis", "penalty.content", "penalty.amount_cny"],
             "statement": ["statement", "hearing_held"], "decision": ["decision", "bank"], "service": ["method", "served_on", "recipient"],
             "execution": ["execution", "paid_cny"], "closure": ["summary", "approver_opinion"], "closed": []}
    for who, body in steps:
        r = post(http, who, path, body | {"version": case["version"]})
        assert r.status_code == 200, (body["step"], r.text)
        case = r.json()
        at = case["step"]
        assert form_of(case) == (forms[at] if who == supervisor or at not in ("decision", "closure") else []), (body["step"], at)
        assert form_of(http.get(one, headers=bearer(supervisor)).json()) == forms[at], f"the supervisor may take {at}"
        assert form_of(http.get(one, headers=bearer(inspector)).json()) == ([] if case["needs_approval"] else forms[at]), \
            f"the inspector takes {at} unless it needs a supervisor"
    assert case["step"] == "closed" and case["closed_at"] and case["form"] == []
    assert [e["label"] for e in case["steps"][0]["entries"]] == ["案情摘要", "负责人审批意见"]
    numbers = {s["step"]: s["number"] for s in case["steps"]}
    assert case["case_number"] == numbers["filing"] and numbers["filing"].startswith("(崆)应急立〔")
    assert numbers["decision"].startswith("(崆)应急罚〔") and numbers["service"] is None, "the receipt has no number"
    kinds = supervision_db.execute("SELECT type FROM inspections.document WHERE body->>'case_id' = %s ORDER BY id", (str(case["id"]),)).fetchall()
    assert [k[0] for k in kinds] == ["case_filing", "hearing_notice", "penalty_decision", "service_receipt", "case_closing"], \
        "a 60,000 fine gives the right to a hearing"
    assert supervision_db.execute("SELECT count(*) FROM kit.outbox WHERE record_key = %s AND headers->>'ce_type' = %s",
                                  (f"case:{case['id']}", "cn.gov.safety.supervision.penalty.publication.v1")).fetchone()[0] == 1
    for (doc_id,) in supervision_db.execute("SELECT id FROM inspections.document WHERE body->>'case_id' = %s", (str(case["id"]),)).fetchall():
        pdf = http.get(f"/api/v1/enforcement-documents/{doc_id}/pdf", headers=bearer(inspector))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-"), pdf.text
