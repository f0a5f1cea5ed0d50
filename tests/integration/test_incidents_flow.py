"""突发事件 end to end on the test instance (docs/emergency.md): 崆峒区's duty officer registers an
accident at a chemical plant of 崆峒区 (made for the test) with its 首报 — the data centre has the accident with its
grade; a retried POST answers the first answer; a 续报 with more deaths raises the grade there (read
back); the commander decides the level (a reason when it differs from the suggestion; a stale
version is refused); the command structure, tasks to a group and to a rescue team moved on to done;
the timeline refuses UPDATE and DELETE; the close-out; another county gets 404, an inspector 403;
a data-centre refusal commits nothing; the outbox holds the CloudEvents."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest

from services.kit import roles
from tests.integration.conftest import assert_problem, bearer, random_uscc

SH = ZoneInfo("Asia/Shanghai")
BASE = "/api/v1/incidents"
TOPIC = "safety.emergency.incident.v1"


def post(http, token: str, path: str, body: dict, *, key: str | None = None):
    return http.post(path, json=body, headers=bearer(token) | {"Idempotency-Key": key or str(uuid.uuid4())})


def now() -> datetime:
    return datetime.now(SH).replace(microsecond=0)


@pytest.fixture(scope="module")
def duty(staff_token):
    return lambda: staff_token("kongtong-duty")


@pytest.fixture(scope="module")
def commander(staff_token):
    return lambda: staff_token("kongtong-commander")


@pytest.fixture(scope="module")
def plant(records):
    """A chemical plant of 崆峒区 made for these tests: the fatal accidents below must not land on the
    demo plant 崆峒化工, whose standardization review (no fatal accident in the look-back) other tests run."""
    return records.create("enterprise", region="620802", sector="hazardous_chemicals")


def accident_body(title: str, *, uscc: str | None, occurred: datetime | None = None, **over) -> dict:
    occurred = occurred or now() - timedelta(minutes=20)
    return {"title": title, "type": "production_accident", "subtype": "poisoning_asphyxia", "region_code": "620802",
            "address": "崆峒区工业园区纬一路8号 液氨储罐区", "lon": 106.684, "lat": 35.543, "occurred_at": occurred.isoformat(),
            "reported_at": (occurred + timedelta(minutes=5)).isoformat(), "source": "phone", "uscc": uscc,
            "casualties": {"deaths": 1, "missing": 0, "injured": 3, "serious_injuries": 1, "trapped": 2},
            "description": "液氨储罐区阀门泄漏，现场1人死亡、3人受伤（1人重伤），2人被困", **over}


def events_of(db, incident_id: int) -> list[tuple[str, dict]]:
    rows = db.execute("SELECT headers->>'ce_type', convert_from(payload, 'UTF8') FROM kit.outbox WHERE topic = %s AND record_key = %s ORDER BY seq",
                      (TOPIC, str(incident_id))).fetchall()
    return [(t.removesuffix(".v1").removeprefix("cn.gov.safety.emergency."), json.loads(p)) for t, p in rows]


def test_an_accident_incident_from_first_report_to_close_out(http, duty, commander, records, emergency_db, staff_token, staff_user, plant,
                                                             demo_enterprises):
    title = f"崆峒化工液氨中毒事故{uuid.uuid4().hex[:6]}"
    body = accident_body(title, uscc=plant["uscc"], first_report={"course": "接报后已通知消防、医疗赶赴现场，正在组织被困人员搜救", "cause": "阀门密封失效（初步）",
                                              "phoned_at": (now() - timedelta(minutes=2)).isoformat()})
    key = str(uuid.uuid4())
    r = post(http, duty(), BASE, body, key=key)
    assert r.status_code == 201, r.text
    inc = r.json()
    iid = inc["id"]
    assert inc["status"] == "reported" and inc["status_name"] == "已接报" and inc["enterprise_name"] == plant["name"]
    assert inc["accident"]["grade"] == "general" and inc["accident"]["grade_name"] == "一般"
    assert inc["accident"]["report_deadlines"], "the data centre's deadlines, as it computes them"
    assert [x["kind"] for x in inc["reports"]] == ["first"] and inc["reports"][0]["status"] == "on_time"
    assert inc["suggestion"]["level"] == 4 and inc["suggestion"]["level_name"] == "Ⅳ级"
    assert inc["casualties"]["trapped"] == 2 and inc["lon"] == pytest.approx(106.684)

    held = records.get("accident", inc["accident"]["id"])
    assert held.status_code == 200, held.text
    acc = held.json()
    assert (acc["uscc"], acc["title"], acc["category"], acc["accident_type"], acc["deaths"], acc["serious_injuries"], acc["minor_injuries"],
            acc["grade"], acc["status"]) == (plant["uscc"], title, "production", "poisoning_asphyxia", 1, 1, 2, "general", "reported")
    assert [x["level"] for x in acc["reports"]] == ["county", "city"]

    again = post(http, duty(), BASE, body, key=key)
    assert again.status_code == 201 and again.headers.get("idempotency-replayed") == "true", again.text
    assert again.json()["id"] == iid
    assert emergency_db.execute("SELECT count(*) FROM incidents.incident WHERE title = %s", (title,)).fetchone()[0] == 1
    assert post(http, duty(), BASE, body | {"description": "改过的内容"}, key=key).status_code == 409, "same key, another body"

    # 续报: two more dead — the data centre re-grades the accident to 较大, read back here
    r = post(http, duty(), f"{BASE}/{iid}/reports", {"kind": "follow_up", "course": "被困2人已救出，经抢救无效死亡",
                                                     "casualties": {"deaths": 3, "trapped": 0}, "trend": "泄漏已控制"})
    assert r.status_code == 201, r.text
    inc = r.json()
    assert inc["report"]["label"] == "续报（第1次）" and inc["report"]["due"]
    assert inc["accident"]["grade"] == "large" and inc["casualties"]["deaths"] == 3 and inc["casualties"]["trapped"] == 0
    assert inc["suggestion"]["level"] == 3
    acc = records.get("accident", inc["accident"]["id"]).json()
    assert acc["grade"] == "large" and acc["deaths"] == 3
    assert acc["casualty_updates"][-1]["grade_from"] == "general" and acc["casualty_updates"][-1]["grade_to"] == "large"
    assert inc["accident"]["casualty_updates"] == acc["casualty_updates"]
    assert inc["report_clock"]["grade"] == "large"
    assert inc["reports"][0]["status"] == "on_time", "the first report is judged by the grade known when it was made"

    # the response level: commanders only, a reason when it differs, the version as read
    assert post(http, duty(), f"{BASE}/{iid}/level", {"version": inc["version"], "level": 3}).status_code == 403
    r = post(http, commander(), f"{BASE}/{iid}/level", {"version": inc["version"], "level": 2})
    body422 = assert_problem(r, 422, "validation-error")
    assert body422["errors"][0]["field"] == "reason" and body422["errors"][0]["message"] and body422["errors"][0]["message_en"]
    assert post(http, commander(), f"{BASE}/{iid}/level", {"version": inc["version"] - 1, "level": 3}).status_code == 409
    r = post(http, commander(), f"{BASE}/{iid}/level", {"version": inc["version"], "level": 3, "plan_name": "平凉市危险化学品事故应急预案"})
    assert r.status_code == 200, r.text
    inc = r.json()
    assert (inc["level"], inc["level_name"], inc["level_suggested"], inc["status"]) == (3, "Ⅲ级", 3, "responding")

    # the command structure: phones whole for commanders, masked for the duty officer
    cmd = {"version": inc["version"], "commander": {"name": "王指挥", "phone": "13909331111"},
           "groups": [{"code": "rescue", "leader": {"name": "赵队长", "phone": "13909332222"}, "members": [{"name": "钱队员"}]},
                      {"code": "medical", "leader": {"name": "孙医生"}}]}
    r = post(http, commander(), f"{BASE}/{iid}/command", cmd)
    assert r.status_code == 200, r.text
    inc = r.json()
    assert [g["name"] for g in inc["command"]["groups"]] == ["抢险救援组", "医疗救护组"]
    assert inc["command"]["commander"]["phone"] == "13909331111"
    seen = http.get(f"{BASE}/{iid}", headers=bearer(duty())).json()
    assert seen["command"]["commander"]["phone"] == "139****1111"

    # tasks: to a group of the command and to a rescue team of the data centre (its name copied)
    team = records.create("rescue_team", region="620802")
    r = post(http, duty(), f"{BASE}/{iid}/tasks", {"title": "关闭储罐区进料阀并持续监测", "group": "rescue",
                                                   "due_at": (now() + timedelta(hours=2)).isoformat()})
    assert r.status_code == 201, r.text
    task = r.json()["task"]
    assert (task["status"], task["group_name"], task["overdue"]) == ("assigned", "抢险救援组", False)
    r = post(http, duty(), f"{BASE}/{iid}/tasks", {"title": "携正压呼吸器搜救", "team_id": team["id"]})
    assert r.status_code == 201, r.text
    team_task = r.json()["task"]
    assert team_task["team_name"] == team["name"]
    assert post(http, duty(), f"{BASE}/{iid}/tasks", {"title": "x", "group": "logistics"}).json()["errors"][0]["code"] == "group.not_in_command"
    for status in ("accepted", "in_progress", "done"):
        r = post(http, duty(), f"{BASE}/{iid}/tasks/{task['id']}", {"version": task["version"], "status": status})
        assert r.status_code == 200, r.text
        task = r.json()["task"]
        assert task["status"] == status
    assert post(http, duty(), f"{BASE}/{iid}/tasks/{task['id']}", {"version": task["version"], "status": "accepted"}).status_code == 409
    assert post(http, duty(), f"{BASE}/{iid}/tasks/{team_task['id']}",
                {"version": team_task["version"], "status": "cancelled", "note": "改派"}).status_code == 403, "cancelling is for commanders"

    # another county's staff see nothing; other roles are refused
    other = staff_token(staff_user("jingchuan-duty-t", "620821", roles.EMERGENCY_DUTY_OFFICER))
    assert http.get(f"{BASE}/{iid}", headers=bearer(other)).status_code == 404
    assert post(http, other, f"{BASE}/{iid}/notes", {"text": "越权"}).status_code == 404
    assert all(i["id"] != iid for i in http.get(BASE, headers=bearer(other), params={"page_size": 200}).json()["items"])
    city = http.get(f"{BASE}/{iid}", headers=bearer(staff_token("city-duty")))
    assert city.status_code == 200, "the city sees its counties' incidents"
    inspector = staff_token("kongtong-inspector")
    assert http.get(BASE, headers=bearer(inspector)).status_code == 403
    assert http.get(f"{BASE}/{iid}", headers=bearer(inspector)).status_code == 403

    # stabilised, the 终报, close-out (refused while a task is open), then notes only
    r = http.patch(f"{BASE}/{iid}", json={"version": inc["version"], "status": "stabilised"}, headers=bearer(duty()))
    assert r.status_code == 403, "a status change is the commander's"
    r = http.patch(f"{BASE}/{iid}", json={"version": inc["version"], "status": "stabilised"}, headers=bearer(commander()))
    assert r.status_code == 200, r.text
    inc = r.json()
    assert inc["status"] == "stabilised" and inc["report_clock"]["next"]["kind"] == "final"
    closing = {"summary": "泄漏控制，被困人员救出，现场无次生灾害", "evaluation": "响应及时，处置得当", "lessons": "加强阀门巡检"}
    assert post(http, commander(), f"{BASE}/{iid}/closure", closing | {"version": inc["version"]}).status_code == 409, "no 终报 yet"
    r = post(http, duty(), f"{BASE}/{iid}/reports", {"kind": "final", "course": "现场处置结束", "cause": "储罐出料阀密封件老化失效",
                                                     "direct_loss_cny": 1_200_000})
    assert r.status_code == 201, r.text
    inc = r.json()
    assert inc["report"]["status"] == "on_time" and records.get("accident", inc["accident"]["id"]).json()["direct_loss_cny"] == 1_200_000
    assert post(http, commander(), f"{BASE}/{iid}/closure", closing | {"version": inc["version"]}).status_code == 409, "a task is open"
    r = post(http, commander(), f"{BASE}/{iid}/tasks/{team_task['id']}", {"version": team_task["version"], "status": "cancelled", "note": "已撤回"})
    assert r.status_code == 200, r.text
    r = post(http, commander(), f"{BASE}/{iid}/closure", closing | {"version": inc["version"]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "closed" and r.json()["closure"]["evaluation"] == "响应及时，处置得当"
    assert post(http, duty(), f"{BASE}/{iid}/reports", {"kind": "follow_up", "course": "x"}).status_code == 409
    assert post(http, duty(), f"{BASE}/{iid}/notes", {"text": "事故调查组已进驻"}).status_code == 201, "notes after the close-out"

    # the timeline: every write, newest first, paged by seq; append-only in the database
    page = http.get(f"{BASE}/{iid}/timeline", headers=bearer(duty()), params={"page_size": 5}).json()
    assert page["items"][0]["kind"] == "note" and page["items"][0]["text"] == "事故调查组已进驻" and page["next_page_token"]
    assert [e["seq"] for e in page["items"]] == sorted((e["seq"] for e in page["items"]), reverse=True)
    rest = http.get(f"{BASE}/{iid}/timeline", headers=bearer(duty()), params={"page_size": 200, "page_token": page["next_page_token"]}).json()
    entries = page["items"] + rest["items"]
    assert [e["seq"] for e in entries] == list(range(page["total"], 0, -1)), "numbered 1…n without gaps"
    kinds = [e["kind"] for e in reversed(entries)]
    assert kinds[:3] == ["opened", "accident", "report"] and {"level", "command", "task", "status", "casualties", "closed"} <= set(kinds)
    assert entries[-1]["actor_name"] == "崆峒区应急值班员" and entries[-1]["actor"] == "staff:kongtong-duty"
    after = http.get(f"{BASE}/{iid}/timeline", headers=bearer(duty()), params={"after": page["total"] - 2}).json()
    assert [e["seq"] for e in after["items"]] == [page["total"] - 1, page["total"]]
    for sql in ("UPDATE incidents.timeline SET text = 'x' WHERE incident_id = %s", "DELETE FROM incidents.timeline WHERE incident_id = %s",
                "UPDATE incidents.report SET course = 'x' WHERE incident_id = %s"):
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            emergency_db.execute(sql, (iid,))
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        emergency_db.execute("TRUNCATE incidents.timeline")

    # the outbox: CloudEvents of every step, no personal data
    types = [t for t, _ in events_of(emergency_db, iid)]
    assert types[:2] == ["incident.opened", "incident.reported"]
    assert {"incident.changed", "incident.task.changed", "incident.closed"} <= set(types)
    assert types.count("incident.reported") == 3
    payloads = json.dumps([d for _, d in events_of(emergency_db, iid)], ensure_ascii=False)
    for private in ("13909331111", "13909332222", "王指挥", "赵队长"):
        assert private not in payloads
    audit = emergency_db.execute("SELECT action FROM kit.audit_log WHERE target_type = 'incident' AND target_id = %s AND outcome = 'success'",
                                 (str(iid),)).fetchall()
    assert {a for (a,) in audit} >= {"incident.open", "incident.report", "incident.level", "incident.command", "incident.task.add",
                                     "incident.task.update", "incident.update", "incident.close", "incident.note"}


def test_a_refusal_of_the_data_centre_commits_nothing(http, duty, emergency_db, demo_enterprises, plant):
    """A casualty change 31 days after the accident is outside the data centre's re-report window
    (493号令 art. 13): its 422 fails the 续报, and no report, timeline entry or event is left."""
    occurred = now() - timedelta(days=31)
    r = post(http, duty(), BASE, accident_body(f"崆峒化工旧事故补录{uuid.uuid4().hex[:6]}", uscc=plant["uscc"], occurred=occurred,
                                               first_report={"course": "补录首报"}))
    assert r.status_code == 201, r.text
    inc = r.json()
    before = (emergency_db.execute("SELECT count(*) FROM incidents.timeline WHERE incident_id = %s", (inc["id"],)).fetchone()[0],
              len(events_of(emergency_db, inc["id"])))
    r = post(http, duty(), f"{BASE}/{inc['id']}/reports", {"kind": "follow_up", "course": "又发现1人死亡", "casualties": {"deaths": 2}})
    problem = assert_problem(r, 422, "validation-error")
    assert problem["errors"][0]["field"] == "deaths" and problem["errors"][0]["code"] == "reported_at.after_window"
    assert emergency_db.execute("SELECT count(*) FROM incidents.report WHERE incident_id = %s", (inc["id"],)).fetchone()[0] == 1
    after = (emergency_db.execute("SELECT count(*) FROM incidents.timeline WHERE incident_id = %s", (inc["id"],)).fetchone()[0],
             len(events_of(emergency_db, inc["id"])))
    assert after == before
    held = http.get(f"{BASE}/{inc['id']}", headers=bearer(duty())).json()
    assert held["casualties"]["deaths"] == 1 and held["version"] == inc["version"]


def test_a_duplicate_is_merged_and_a_natural_disaster_makes_no_accident(http, duty, commander, emergency_db):
    base = {"type": "natural_disaster", "subtype": "geological", "region_code": "620802001", "address": "崆峒区东关街道某村后山",
            "occurred_at": (now() - timedelta(hours=1)).isoformat(), "source": "superior", "description": "山体滑坡，冲毁道路",
            "casualties": {"affected": 300, "to_relocate": 120}}
    main = post(http, duty(), BASE, base | {"title": f"东关街道山体滑坡{uuid.uuid4().hex[:4]}"}).json()
    dup = post(http, duty(), BASE, base | {"title": f"东关后山塌方{uuid.uuid4().hex[:4]}", "source": "network"}).json()
    assert main["accident"] is None and main["makes_accident"] is False and main["suggestion"] is None
    assert main["report_clock"]["next"]["kind"] == "first" and main["report_clock"]["grade"] == "general"
    r = http.patch(f"{BASE}/{dup['id']}", json={"version": dup["version"], "status": "merged", "merged_into": main["id"]},
                   headers=bearer(commander()))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "merged" and r.json()["merged_into"] == main["id"]
    texts = [e["text"] for e in http.get(f"{BASE}/{main['id']}/timeline", headers=bearer(duty())).json()["items"]]
    assert any(f"事件 #{dup['id']}" in t and "并入本事件" in t for t in texts)
    assert post(http, duty(), f"{BASE}/{dup['id']}/reports", {"kind": "first", "course": "x"}).status_code == 409
    listed = http.get(BASE, headers=bearer(duty()), params={"status": "merged", "page_size": 200}).json()["items"]
    assert any(i["id"] == dup["id"] for i in listed)
    main = http.get(f"{BASE}/{main['id']}", headers=bearer(duty())).json()   # the merge moved its version on
    r = http.patch(f"{BASE}/{main['id']}", json={"version": main["version"], "casualties": {"to_relocate": 100_000}}, headers=bearer(duty()))
    assert r.status_code == 200, r.text
    assert r.json()["suggestion"]["level"] == 1 and "需紧急转移安置人数达到10万人" in r.json()["suggestion"]["basis"]


def test_bodies_are_refused_field_by_field(http, duty):
    r = post(http, duty(), BASE, {"type": "production_accident", "region_code": "620821", "casualties": {"injured": 1, "serious_injuries": 2}})
    problem = assert_problem(r, 422, "validation-error")
    fields = {e["field"] for e in problem["errors"]}
    assert {"title", "subtype", "address", "occurred_at", "source", "description", "casualties.serious_injuries"} <= fields
    assert all(e["message"] and e["message_en"] for e in problem["errors"])
    r = post(http, duty(), BASE, accident_body("泾川县境内的事故登记", region_code="620821", uscc=None))
    assert assert_problem(r, 422, "validation-error")["errors"][0]["code"] == "region_code.outside_your_region"
    r = post(http, duty(), BASE, accident_body("未登记单位的事故", uscc=random_uscc("620802")))
    assert assert_problem(r, 422, "validation-error")["errors"][0]["code"] == "uscc.unknown"
    assert http.get(f"{BASE}/options", headers=bearer(duty())).json()["types"][0]["subtypes"][0] == {"code": "object_strike", "name": "物体打击"}
