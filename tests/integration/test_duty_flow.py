"""值班值守 end to end on the test instance (docs/emergency.md "Duty"): 崆峒区's duty officer puts shifts
on the roster and hands over; logs an intake, turns it into an incident and joins a second one to it;
another county gets 404; the city starts a spot check and the county answers it with its response
time stored; the daily reports of a holiday show who is missing; the enterprise's machine client logs
an intake for itself; a red warning event logs one intake even when delivered twice."""
from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from kafka import KafkaAdminClient, KafkaProducer, TopicPartition

from infra.keycloak import realm
from services.emergency.duty.consumers import SUBSCRIPTIONS, WARNING_CHANGED
from services.kit import config, roles
from tests.integration.conftest import JC_USCC, KT_USCC, assert_problem, bearer, random_uscc, wait_for, zh_token

SH = ZoneInfo("Asia/Shanghai")
KT = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == KT_USCC)
JC = next(e for e in realm.DEMO_ENTERPRISES if e.uscc == JC_USCC)
WARNINGS = "safety.supervision.warning.v1"


def today():
    return datetime.now(SH).date()


def post(http, token: str, path: str, body: dict, *, key: str | None = None):
    return http.post(path, json=body, headers=bearer(token) | {"Idempotency-Key": key or str(uuid.uuid4())})


@pytest.fixture(scope="module")
def kongtong(staff_token):
    return lambda: staff_token("kongtong-duty")


@pytest.fixture(scope="module")
def city(staff_token):
    return lambda: staff_token("city-duty")


@pytest.fixture(scope="module")
def jingchuan(staff_user, staff_token):
    user = staff_user("jingchuan-duty-t", "620821", roles.EMERGENCY_DUTY_OFFICER)
    return lambda: staff_token(user)


def shift_body(day, code: str, leader: str, officers: list[str], **over) -> dict:
    return {"region_code": "620802", "day": day.isoformat(), "shift": code, "leader": {"name": leader, "post": "副局长", "phone": "13909331234"},
            "officers": [{"name": n, "phone": "0933-8212345"} for n in officers], "contacts": [{"label": "值班电话", "phone": "0933-8211110"}]} | over


# --- 排班 and 交接班 --------------------------------------------------------------------------------

def test_the_roster_masks_phones_refuses_overlaps_and_hands_over_once(http, kongtong, city, emergency_db):
    yesterday, day = today() - timedelta(days=1), today()
    # the roster of those two days is this test's own (reruns on the same day start from a clean roster)
    emergency_db.execute("DELETE FROM duty.handover WHERE region_code = '620802' AND (from_shift_id IN "
                         "(SELECT id FROM duty.shift WHERE region_code = '620802' AND day BETWEEN %s AND %s) OR to_shift_id IN "
                         "(SELECT id FROM duty.shift WHERE region_code = '620802' AND day BETWEEN %s AND %s))",
                         (yesterday, day, yesterday, day))
    emergency_db.execute("DELETE FROM duty.shift WHERE region_code = '620802' AND day BETWEEN %s AND %s", (yesterday, day))

    bad = post(http, kongtong(), "/api/v1/duty/shifts", shift_body(day, "full", "", []) | {"leader": None})
    body = assert_problem(bad, 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["leader", "officers"] and "带班领导" in body["errors"][0]["message"]

    r = post(http, kongtong(), "/api/v1/duty/shifts", shift_body(yesterday, "full", "张局长", ["李值班"]))
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["shift_name"] == "24小时班" and first["agency_name"] == "崆峒区应急管理局"
    assert first["leader"]["phone"] == "13909331234" and first["phones_masked"] is False, "the agency's own answer is whole"
    r = post(http, kongtong(), "/api/v1/duty/shifts", shift_body(day, "full", "赵局长", ["钱值班", "孙值班"]))
    assert r.status_code == 201, r.text
    second = r.json()

    clash = post(http, kongtong(), "/api/v1/duty/shifts", shift_body(day, "day", "周局长", ["吴值班"]))
    assert_problem(clash, 409, "conflict")
    foreign = post(http, kongtong(), "/api/v1/duty/shifts", shift_body(day, "night", "周局长", ["吴值班"], region_code="620821"))
    assert assert_problem(foreign, 422, "validation-error")["errors"][0]["code"] == "region_code.outside"

    week = http.get("/api/v1/duty/shifts", headers=bearer(kongtong()), params={"region_code": "620802"})
    assert week.status_code == 200, week.text
    mine = [s for s in week.json()["items"] if s["id"] in (first["id"], second["id"])]
    assert len(mine) == 2 and all(s["leader"]["phone"] == "139****1234" and s["phones_masked"] for s in mine), "lists mask phones"
    assert http.get(f"/api/v1/duty/shifts/{first['id']}", headers=bearer(kongtong())).json()["leader"]["phone"] == "13909331234"
    as_city = http.get(f"/api/v1/duty/shifts/{first['id']}", headers=bearer(city()))
    assert as_city.status_code == 200 and as_city.json()["leader"]["phone"] == "139****1234", "the city reads the county's shift masked"

    change = {"leader": {"name": "张局长", "post": "局长", "phone": "13909331234"}, "officers": [{"name": "李值班"}, {"name": "刘值班"}],
              "contacts": [], "note": "加强夜间值守"}
    stale = http.put(f"/api/v1/duty/shifts/{first['id']}", json=change | {"version": 99}, headers=bearer(kongtong()))
    assert_problem(stale, 409, "conflict")
    r = http.put(f"/api/v1/duty/shifts/{first['id']}", json=change | {"version": first["version"]}, headers=bearer(kongtong()))
    assert r.status_code == 200, r.text
    assert [o["name"] for o in r.json()["officers"]] == ["李值班", "刘值班"] and r.json()["version"] == 2

    before = http.get(f"/api/v1/duty/shifts/{first['id']}", headers=bearer(kongtong())).json()
    assert before["next_shift"]["id"] == second["id"] and "open_intakes" in before
    wrong = post(http, kongtong(), f"/api/v1/duty/shifts/{first['id']}/handover",
                 {"version": 2, "handed_by": "李值班", "received_by": "张局长"})
    assert assert_problem(wrong, 422, "validation-error")["errors"][0]["code"] == "received_by.not_on_shift"
    r = post(http, kongtong(), f"/api/v1/duty/shifts/{first['id']}/handover",
             {"version": 2, "handed_by": "李值班", "received_by": "钱值班", "notes": "夜间平稳", "open_matters": ["跟进化工园区异味接报"]})
    assert r.status_code == 201, r.text
    h = r.json()
    assert h["to_shift_id"] == second["id"] and h["handed_by"] == "李值班" and h["received_by"] == "钱值班"
    assert isinstance(h["open_intakes"], list) and h["shift"]["handed_over"] is True
    again = post(http, kongtong(), f"/api/v1/duty/shifts/{first['id']}/handover", {"version": 3, "handed_by": "李值班", "received_by": "钱值班"})
    assert_problem(again, 409, "conflict")
    r = http.put(f"/api/v1/duty/shifts/{first['id']}", json=change | {"version": 3}, headers=bearer(kongtong()))
    assert_problem(r, 409, "conflict")
    r = http.delete(f"/api/v1/duty/shifts/{second['id']}", params={"version": second["version"]}, headers=bearer(kongtong()))
    assert_problem(r, 409, "conflict")  # it was handed to: the log of who was on duty stays
    audit = emergency_db.execute("SELECT action, outcome FROM kit.audit_log WHERE target_type = 'duty_shift' AND target_id = %s ORDER BY at, id",
                                 (str(first["id"]),)).fetchall()
    assert [a for a, o in audit if o == "success"] == ["duty.shift.save", "duty.shift.save", "duty.shift.handover"]
    assert ("duty.shift.handover", "refused") in audit, "refused attempts are audited too"


# --- 接报 -------------------------------------------------------------------------------------------

def test_an_intake_becomes_an_incident_and_a_second_one_joins_it(http, kongtong, city, jingchuan, emergency_db):
    tok = zh_token()
    body = {"channel": "phone", "received_at": (datetime.now(SH) - timedelta(minutes=3)).isoformat(timespec="seconds"),
            "caller_name": "王志强", "caller_phone": "13909337788", "caller_unit": "西郊村委会",
            "content": f"西郊化工园区方向有刺鼻气味，疑似泄漏{tok}", "place": "崆峒区西郊化工园区", "region_code": "620802"}
    key = str(uuid.uuid4())
    r = post(http, kongtong(), "/api/v1/duty/intakes", body, key=key)
    assert r.status_code == 201, r.text
    intake = r.json()
    assert intake["status"] == "open" and intake["channel_name"] == "电话" and intake["caller_phone"] == "13909337788"
    replay = post(http, kongtong(), "/api/v1/duty/intakes", body, key=key)
    assert replay.status_code == 201 and replay.json()["id"] == intake["id"], "a retry with the same key logs nothing twice"

    listed = http.get("/api/v1/duty/intakes", headers=bearer(kongtong()), params={"open": "true", "page_size": 200}).json()["items"]
    row = next(i for i in listed if i["id"] == intake["id"])
    assert row["caller_name"] == "王**" and row["caller_phone"] == "139****7788" and row["caller_masked"]
    assert all(i["open"] for i in listed), "open=true lists open intakes only"
    assert http.get(f"/api/v1/duty/intakes/{intake['id']}", headers=bearer(kongtong())).json()["caller_name"] == "王志强"
    assert_problem(http.get(f"/api/v1/duty/intakes/{intake['id']}", headers=bearer(jingchuan())), 404, "not-found")
    assert not [i for i in http.get("/api/v1/duty/intakes", headers=bearer(jingchuan()), params={"page_size": 200}).json()["items"]
                if i["id"] == intake["id"]], "another county does not list it"
    assert http.get(f"/api/v1/duty/intakes/{intake['id']}", headers=bearer(city())).status_code == 200, "the city sees its counties"
    assert_problem(post(http, jingchuan(), f"/api/v1/duty/intakes/{intake['id']}/link", {"version": 1, "incident_id": 1}), 404, "not-found")

    new_incident = {"title": f"西郊化工园区疑似泄漏{tok}", "type": "other", "region_code": "620802", "address": "崆峒区西郊化工园区",
                    "occurred_at": body["received_at"], "description": body["content"]}
    stale = post(http, kongtong(), f"/api/v1/duty/intakes/{intake['id']}/link", {"version": 5, "new_incident": new_incident})
    assert_problem(stale, 409, "conflict")
    both = post(http, kongtong(), f"/api/v1/duty/intakes/{intake['id']}/link", {"version": 1, "incident_id": 1, "new_incident": new_incident})
    assert assert_problem(both, 422, "validation-error")["errors"][0]["code"] == "link.one_of"
    r = post(http, kongtong(), f"/api/v1/duty/intakes/{intake['id']}/link", {"version": 1, "new_incident": new_incident})
    assert r.status_code == 200, r.text
    became = r.json()
    incident_id = became["incident_id"]
    assert became["status"] == "became_incident" and became["status_name"] == "已转为事件" and became["incident"]["id"] == incident_id
    incident = http.get(f"/api/v1/incidents/{incident_id}", headers=bearer(kongtong()))
    assert incident.status_code == 200, incident.text
    assert incident.json()["title"] == new_incident["title"] and incident.json()["source"] == "phone", "the intake's channel is the source"
    again = post(http, kongtong(), f"/api/v1/duty/intakes/{intake['id']}/link", {"version": became["version"], "incident_id": incident_id})
    assert_problem(again, 409, "conflict")

    r = post(http, city(), "/api/v1/duty/intakes", {"channel": "superior", "content": f"省厅交办：核实西郊化工园区气味情况{tok}",
                                                    "region_code": "620802", "caller_unit": "甘肃省应急管理厅"})
    assert r.status_code == 201, r.text
    second = r.json()
    r = post(http, kongtong(), f"/api/v1/duty/intakes/{second['id']}/link", {"version": second["version"], "incident_id": incident_id})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "joined" and r.json()["incident_id"] == incident_id
    kinds = [k for (k,) in emergency_db.execute("SELECT kind FROM incidents.timeline WHERE incident_id = %s ORDER BY seq", (incident_id,))]
    assert kinds[0] == "opened" and "intake_joined" in kinds, "both intakes are on the incident's timeline"

    r = post(http, kongtong(), "/api/v1/duty/intakes", {"channel": "network", "content": f"网民反映西郊有烟雾{tok}", "region_code": "620802"})
    third = r.json()
    assert_problem(post(http, kongtong(), f"/api/v1/duty/intakes/{third['id']}/close", {"version": third["version"]}), 422, "validation-error")
    r = post(http, kongtong(), f"/api/v1/duty/intakes/{third['id']}/close", {"version": third["version"], "reason": "经核实为农户焚烧秸秆"})
    assert r.status_code == 200 and r.json()["status"] == "closed_no_action" and r.json()["closed_reason"] == "经核实为农户焚烧秸秆"

    events = emergency_db.execute("SELECT headers->>'ce_type', convert_from(payload, 'UTF8') FROM kit.outbox WHERE record_key = ANY(%s) ORDER BY seq",
                                  ([f"intake:{i}" for i in (intake["id"], second["id"], third["id"])],)).fetchall()
    types = [t.rsplit(".", 2)[-2] for t, _ in events]
    assert types == ["logged", "linked", "logged", "linked", "logged", "closed"], types
    for _, payload in events:
        assert "王志强" not in payload and "13909337788" not in payload and tok not in payload, "no caller and no free text in events"
    actions = {a for (a,) in emergency_db.execute("SELECT action FROM kit.audit_log WHERE target_type = 'duty_intake' AND target_id = %s "
                                                  "AND outcome = 'success'", (str(intake["id"]),))}
    assert actions == {"duty.intake.log", "duty.intake.link"}


def test_the_enterprise_logs_an_intake_for_itself(http, demo_tokens, demo_enterprises, kongtong):
    tok = zh_token()
    ent = demo_tokens(KT.client_id)
    r = post(http, ent, "/api/v1/duty/intakes", {"channel": "phone", "content": f"本企业液氨储罐区压力异常，已启动现场处置方案{tok}",
                                                 "uscc": JC_USCC, "region_code": "620821", "caller_name": "李建国", "caller_phone": "13909330001"})
    assert r.status_code == 201, r.text
    intake = r.json()
    assert (intake["channel"], intake["channel_name"], intake["uscc"], intake["region_code"]) == ("enterprise_api", "企业接口", KT_USCC, "620802")
    assert intake["enterprise_name"] == KT.name and intake["logged_by_kind"] == "enterprise"
    own = http.get("/api/v1/duty/intakes", headers=bearer(ent), params={"page_size": 200}).json()["items"]
    assert intake["id"] in [i["id"] for i in own] and all(i["uscc"] == KT_USCC for i in own)
    assert http.get(f"/api/v1/duty/intakes/{intake['id']}", headers=bearer(ent)).status_code == 200
    assert_problem(http.get(f"/api/v1/duty/intakes/{intake['id']}", headers=bearer(demo_tokens(JC.client_id))), 404, "not-found")
    assert post(http, ent, f"/api/v1/duty/intakes/{intake['id']}/link", {"version": 1, "incident_id": 1}).status_code == 403
    county = http.get(f"/api/v1/duty/intakes/{intake['id']}", headers=bearer(kongtong()))
    assert county.status_code == 200 and county.json()["status"] == "open", "the county's duty desk has it"


# --- 查岗 -------------------------------------------------------------------------------------------

def test_the_city_checks_the_county_and_the_answer_time_is_stored(http, kongtong, city, jingchuan, emergency_db):
    assert_problem(post(http, kongtong(), "/api/v1/duty/spot-checks", {"region_code": "620802", "question": "自查"}), 403, "forbidden")
    r = post(http, city(), "/api/v1/duty/spot-checks", {"region_code": "620802", "question": "请报告当前在岗带班领导和值班人员"})
    assert r.status_code == 201, r.text
    check = r.json()
    assert check["state"] == "waiting" and check["limit_seconds"] == 300 and check["asked_by_agency"] == "620800"
    mine = http.get("/api/v1/duty/spot-checks", headers=bearer(kongtong()), params={"open": "true"}).json()["items"]
    assert check["id"] in [c["id"] for c in mine] and all(c["region_code"] == "620802" for c in mine)
    assert check["id"] not in [c["id"] for c in http.get("/api/v1/duty/spot-checks", headers=bearer(jingchuan())).json()["items"]]

    answer = {"version": check["version"], "answer": "在岗：带班领导赵局长，值班员钱值班", "answered_by": "钱值班"}
    assert_problem(post(http, city(), f"/api/v1/duty/spot-checks/{check['id']}/answer", answer), 404, "not-found")
    assert_problem(post(http, jingchuan(), f"/api/v1/duty/spot-checks/{check['id']}/answer", answer), 404, "not-found")
    r = post(http, kongtong(), f"/api/v1/duty/spot-checks/{check['id']}/answer", answer)
    assert r.status_code == 200, r.text
    done = r.json()
    stored = emergency_db.execute("SELECT response_seconds, extract(epoch FROM answered_at - asked_at)::int FROM duty.spot_check WHERE id = %s",
                                  (check["id"],)).fetchone()
    assert done["response_seconds"] == stored[0] and abs(stored[0] - stored[1]) <= 1 and 0 <= stored[0] < 300
    assert done["state"] == "answered" and done["answered_by"] == "钱值班"
    assert_problem(post(http, kongtong(), f"/api/v1/duty/spot-checks/{check['id']}/answer", answer | {"version": done["version"]}), 409, "conflict")
    seen = next(c for c in http.get("/api/v1/duty/spot-checks", headers=bearer(city()), params={"page_size": 200}).json()["items"]
                if c["id"] == check["id"])
    assert seen["response_seconds"] == done["response_seconds"] and seen["agency_name"] == "崆峒区应急管理局"

    r = post(http, city(), "/api/v1/duty/spot-checks", {"region_code": "620802", "question": "请报告值班电话是否畅通"})
    late = r.json()
    emergency_db.execute("UPDATE duty.spot_check SET asked_at = now() - interval '301 seconds' WHERE id = %s", (late["id"],))
    flagged = next(c for c in http.get("/api/v1/duty/spot-checks", headers=bearer(city()), params={"page_size": 200}).json()["items"]
                   if c["id"] == late["id"])
    assert flagged["state"] == "overdue" and flagged["state_name"] == "超时未应答" and flagged["flagged"], "flagged at read past the limit"


# --- 日报 / 零报告 -----------------------------------------------------------------------------------

def test_the_daily_reports_of_a_holiday_show_who_is_missing(http, kongtong, city, jingchuan, emergency_db):
    import chinese_calendar
    holidays = sorted(d for d in chinese_calendar.constants.holidays if 2015 <= d.year <= 2025)
    day = random.choice(holidays)
    emergency_db.execute("DELETE FROM duty.daily_report WHERE day = %s", (day,))  # the day is this run's own

    r = post(http, kongtong(), "/api/v1/duty/daily-reports", {"region_code": "620802", "day": day.isoformat(), "nil": True})
    assert r.status_code == 201, r.text
    assert r.json()["nil"] is True and r.json()["late"] is True, "a report of a past holiday is late"
    r = post(http, jingchuan(), "/api/v1/duty/daily-reports", {"region_code": "620821", "day": day.isoformat(), "nil": False,
                                                              "content": "接报1起道路交通事故，已按程序处置"})
    assert r.status_code == 201, r.text
    jc = r.json()
    assert_problem(post(http, kongtong(), "/api/v1/duty/daily-reports", {"region_code": "620802", "day": day.isoformat(), "nil": True}), 409,
                   "conflict")
    assert_problem(post(http, city(), "/api/v1/duty/daily-reports", {"region_code": "620802", "day": day.isoformat(), "nil": True}), 403,
                   "forbidden")
    ordinary = next(d for d in (day + timedelta(days=n) for n in range(1, 60)) if d not in chinese_calendar.constants.holidays and d.weekday() < 5)
    r = post(http, kongtong(), "/api/v1/duty/daily-reports", {"region_code": "620802", "day": ordinary.isoformat(), "nil": True})
    assert assert_problem(r, 422, "validation-error")["errors"][0]["code"] == "day.not_required"
    r = post(http, jingchuan(), "/api/v1/duty/daily-reports", {"region_code": "620821", "day": day.isoformat(), "nil": True, "version": jc["version"]})
    assert r.status_code == 201 and r.json()["version"] == 2 and r.json()["nil"] is True, "a correction names the version"

    r = http.get("/api/v1/duty/daily-reports", headers=bearer(city()), params={"day": day.isoformat()})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["required"] is True and page["reasons"]
    states = {i["region_code"]: i["state"] for i in page["items"]}
    assert states == {"620802": "nil", "620821": "nil", "620822": "missing", "620823": "missing", "620825": "missing", "620826": "missing",
                      "620881": "missing"}
    assert page["counts"] == {"reported": 0, "nil": 2, "missing": 5}
    assert page["missing"] == ["灵台县应急管理局", "崇信县应急管理局", "庄浪县应急管理局", "静宁县应急管理局", "华亭市应急管理局"]
    county = http.get("/api/v1/duty/daily-reports", headers=bearer(kongtong()), params={"day": day.isoformat()}).json()
    assert [i["region_code"] for i in county["items"]] == ["620802"], "a county sees its own"


# --- 监测预警升为红色 → 接报 ---------------------------------------------------------------------------

def _caught_up(group: str, partition: int, offset: int) -> bool:
    admin = KafkaAdminClient(bootstrap_servers=config.kafka_bootstrap())
    try:
        committed = admin.list_group_offsets(group).get(group, {})
    finally:
        admin.close()
    meta = committed.get(TopicPartition(WARNINGS, partition))
    return meta is not None and meta.offset > offset


def test_a_red_warning_logs_one_intake_even_when_delivered_twice(emergency_db, kongtong, http):
    uscc = random_uscc("620802")
    event_id = str(uuid.uuid4())
    now = datetime.now(timezone.utc)
    data = {"scope": "enterprise", "scope_id": uscc, "uscc": uscc, "region_code": "620802", "colour": "red", "previous": "orange",
            "reason": "断电失效", "changed_at": now.isoformat().replace("+00:00", "Z")}
    headers = [("ce_id", event_id), ("ce_source", "/safety/supervision/monitoring"), ("ce_type", WARNING_CHANGED), ("ce_specversion", "1.0"),
               ("ce_time", now.isoformat().replace("+00:00", "Z")), ("ce_subject", f"enterprise:{uscc}"), ("content-type", "application/json"),
               ("ce_dataschema", f"asyncapi:{WARNING_CHANGED}")]
    producer = KafkaProducer(bootstrap_servers=config.kafka_bootstrap(), acks="all")
    try:
        sent = [producer.send(WARNINGS, key=f"enterprise:{uscc}".encode(), value=json.dumps(data).encode(),
                              headers=[(k, v.encode()) for k, v in headers]).get(timeout=15) for _ in range(2)]
        orange = producer.send(WARNINGS, key=f"source:{uuid.uuid4()}".encode(), value=json.dumps(data | {"colour": "orange", "previous": "none"}).encode(),
                               headers=[(k, (str(uuid.uuid4()) if k == "ce_id" else v).encode()) for k, v in headers]).get(timeout=15)
    finally:
        producer.close()
    group = SUBSCRIPTIONS[0].name
    wait_for("the consumer past both deliveries", lambda: all(_caught_up(group, m.partition, m.offset) for m in sent), timeout=90)
    rows = emergency_db.execute("SELECT id, channel, source_event_id, caller_name, caller_phone FROM duty.intake WHERE uscc = %s", (uscc,)).fetchall()
    assert len(rows) == 1, rows
    intake_id, channel, source, caller_name, caller_phone = rows[0]
    assert channel == "monitoring_alarm" and source == event_id and caller_name == "" and caller_phone == ""
    wait_for("the orange change consumed", lambda: _caught_up(group, orange.partition, orange.offset), timeout=60)
    assert emergency_db.execute("SELECT count(*) FROM duty.intake WHERE uscc = %s", (uscc,)).fetchone()[0] == 1, "orange logs nothing"
    seen = http.get(f"/api/v1/duty/intakes/{intake_id}", headers=bearer(kongtong()))
    assert seen.status_code == 200 and seen.json()["channel_name"] == "监测报警" and "断电失效" in seen.json()["content"]
    assert seen.json()["logged_by_kind"] == "system"
