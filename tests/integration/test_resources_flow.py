"""应急资源 (docs/emergency.md "Resources"): the emergency service's copies of the data centre's rescue
teams, warehouses with their items, and experts, fed by the data centre's events, ranked by distance.

Each run works around its own random point in 平凉市 with a small radius, and checks the order of the
records it made (others' records from earlier runs may sit in the answer too)."""
from __future__ import annotations

import math
import random
import time
import uuid

import pytest

from services.kit import config, roles
from tests.integration.conftest import bearer, wait_for

NEAREST = "/api/v1/emergency-resources/nearest"
LIST = "/api/v1/emergency-resources"


def _offset(lon: float, lat: float, north_m: float, east_m: float = 0.0) -> tuple[float, float]:
    return (lon + east_m / (111_320 * math.cos(math.radians(lat))), lat + north_m / 110_574)


def _haversine(lon1, lat1, lon2, lat2) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def origin() -> tuple[float, float]:
    return (round(random.uniform(106.3, 107.3), 6), round(random.uniform(35.1, 35.6), 6))


@pytest.fixture(scope="module")
def kt_duty(staff_token):
    return lambda: staff_token("kongtong-duty")


def _copy(db, table: str, id_) -> tuple | None:
    return db.execute(f"SELECT version, ST_X(location::geometry), ST_Y(location::geometry) FROM resources.{table} WHERE id = %s",
                      (str(id_),)).fetchone()


def _wait_copy(db, table: str, id_, version: int = 1) -> tuple:
    return wait_for(f"the copy of {table} {id_} v{version}",
                    lambda: (row := _copy(db, table, id_)) and row[0] >= version and row, timeout=60)


def _nearest(http, token, **params) -> dict:
    for _ in range(5):  # another engineer may be restarting the service
        r = http.get(NEAREST, params=params, headers=bearer(token()))
        if r.status_code != 503:
            break
        time.sleep(1)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def teams(records, emergency_db, origin):
    lon, lat = origin
    made = []
    for metres in (2500, 700, 1600):  # created out of order
        tlon, tlat = _offset(lon, lat, metres, metres / 3)
        made.append((records.create("rescue_team", region="620802", lon=tlon, lat=tlat), metres, tlon, tlat))
    for team, *_ in made:
        _wait_copy(emergency_db, "team", team["id"])
    return made


def test_three_teams_come_back_nearest_first_with_metres(http, kt_duty, teams, origin):
    lon, lat = origin
    answer = _nearest(http, kt_duty, kind="team", lon=lon, lat=lat, radius_km=5, limit=50)
    ours = {str(t["id"]): (tlon, tlat) for t, _, tlon, tlat in teams}
    got = [i for i in answer["items"] if str(i["id"]) in ours]
    expected_order = [str(t["id"]) for t, *_ in sorted(teams, key=lambda x: x[1])]
    assert [str(i["id"]) for i in got] == expected_order
    for item in got:
        truth = _haversine(lon, lat, *ours[str(item["id"])])
        assert abs(item["distance_m"] - truth) / truth < 0.01, (item["distance_m"], truth)
        assert item["readiness"] == "ready" and item["readiness_name"] == "待命"
        assert item["distance"].endswith(("米", "公里"))
    distances = [i["distance_m"] for i in answer["items"]]
    assert distances == sorted(distances)
    assert all(d <= 5000 for d in distances)


def test_radius_and_limit(http, kt_duty, teams, origin):
    lon, lat = origin
    near = _nearest(http, kt_duty, kind="team", lon=lon, lat=lat, radius_km=1, limit=50)
    ids = {str(i["id"]) for i in near["items"]}
    by_metres = {m: str(t["id"]) for t, m, *_ in teams}
    assert by_metres[700] in ids and by_metres[1600] not in ids and by_metres[2500] not in ids
    one = _nearest(http, kt_duty, kind="team", lon=lon, lat=lat, radius_km=5, limit=1)
    assert len(one["items"]) == 1 and one["items"][0]["distance_m"] <= 750


def test_capability_filter(http, kt_duty, records, emergency_db, teams, origin):
    lon, lat = origin
    hazmat = records.create("rescue_team", region="620802", lon=_offset(lon, lat, 300)[0], lat=_offset(lon, lat, 300)[1],
                            specialty="hazmat_rescue")
    _wait_copy(emergency_db, "team", hazmat["id"])
    only = _nearest(http, kt_duty, kind="team", lon=lon, lat=lat, radius_km=5, capability="hazmat_rescue")
    assert str(hazmat["id"]) in {str(i["id"]) for i in only["items"]}
    assert {i["specialty"] for i in only["items"]} == {"hazmat_rescue"}
    mine = _nearest(http, kt_duty, kind="team", lon=lon, lat=lat, radius_km=5, capability="mine_rescue", limit=50)
    assert str(hazmat["id"]) not in {str(i["id"]) for i in mine["items"]}
    assert str(teams[1][0]["id"]) in {str(i["id"]) for i in mine["items"]}


def test_warehouse_category_returns_items_and_balances(http, kt_duty, records, emergency_db, origin):
    lon, lat = origin
    wlon, wlat = _offset(lon, lat, -900)
    warehouse = records.create("supply_warehouse", region="620802", lon=wlon, lat=wlat)
    empty = records.create("supply_warehouse", region="620802", lon=_offset(lon, lat, -400)[0], lat=_offset(lon, lat, -400)[1])
    item = records.create("supply_item", region="620802", warehouse_id=warehouse["id"], category="life_rescue", unit="台")
    records.create("supply_item", region="620802", warehouse_id=empty["id"], category="life_rescue")  # balance 0
    records.create("supply_movement", region="620802", item_id=item["id"], quantity=40)
    _wait_copy(emergency_db, "warehouse", warehouse["id"])
    _wait_copy(emergency_db, "warehouse", empty["id"])
    wait_for("the item's balance in the copy", lambda: emergency_db.execute(
        "SELECT balance = 40 FROM resources.item WHERE id = %s", (str(item["id"]),)).fetchone() == (True,))
    answer = _nearest(http, kt_duty, kind="warehouse", lon=lon, lat=lat, radius_km=5, category="life_rescue", limit=50)
    by_id = {str(i["id"]): i for i in answer["items"]}
    assert str(warehouse["id"]) in by_id and str(empty["id"]) not in by_id  # the nearer one holds none in stock
    items = by_id[str(warehouse["id"])]["items"]
    assert [(str(i["id"]), float(i["balance"]), i["unit"], i["category_name"]) for i in items] == [(str(item["id"]), 40.0, "台", "生命救助")]
    assert abs(by_id[str(warehouse["id"])]["distance_m"] - _haversine(lon, lat, wlon, wlat)) < 0.01 * 900
    lighting = _nearest(http, kt_duty, kind="warehouse", lon=lon, lat=lat, radius_km=5, category="lighting", limit=50)
    assert str(warehouse["id"]) not in {str(i["id"]) for i in lighting["items"]}


def test_expert_list(http, kt_duty, staff_token, records, emergency_db):
    expert = records.create("expert", region="620802", fields=["coal", "emergency_rescue"])
    wait_for("the expert's copy", lambda: emergency_db.execute("SELECT 1 FROM resources.expert WHERE id = %s",
                                                                 (str(expert["id"]),)).fetchone())
    r = http.get(LIST, params={"kind": "expert", "region_code": "620802"}, headers=bearer(kt_duty()))
    assert r.status_code == 200, r.text
    got = {str(i["id"]): i for i in r.json()["items"]}
    # experts have no coordinates in the data centre: listed (newest first), never ranked by distance
    e = got[str(expert["id"])]
    assert e["fields"] == ["coal", "emergency_rescue"] and e["availability_name"] == "可聘请" and e["title_name"] == "正高级"
    assert "*" in e["phone"]  # a duty officer sees a masked personal phone
    r = http.get(LIST, params={"kind": "expert", "region_code": "620802"}, headers=bearer(staff_token("city-commander")))
    assert {str(i["id"]): i for i in r.json()["items"]}[str(expert["id"])]["phone"] == "13912345678"  # whole for a commander
    by_field = _nearest(http, kt_duty, kind="expert", lon=106.665, lat=35.543, field="coal", limit=50)["items"]
    assert all("coal" in i["fields"] and i["distance_m"] is None for i in by_field)
    other = _nearest(http, kt_duty, kind="expert", lon=106.665, lat=35.543, field="fireworks", limit=50)["items"]
    assert str(expert["id"]) not in {str(i["id"]) for i in other}
    # newest first among the available ones: found unless 50 newer available coal experts were made since
    assert str(expert["id"]) in {str(i["id"]) for i in by_field}
    row = emergency_db.execute("SELECT fields FROM resources.expert WHERE id = %s", (str(expert["id"]),)).fetchone()
    assert row[0] == ["coal", "emergency_rescue"]


def test_an_update_moves_the_copy_and_a_replay_changes_nothing(http, kt_duty, records, emergency_db, origin):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition

    lon, lat = origin
    far = _offset(lon, lat, 4000)
    team = records.create("rescue_team", region="620802", lon=far[0], lat=far[1])
    _wait_copy(emergency_db, "team", team["id"])
    near = _offset(lon, lat, 100)
    r = records.patch("rescue_team", team["id"], {"version": team["version"], "lon": near[0], "lat": near[1], "readiness": "deployed"})
    assert r.status_code == 200, r.text
    moved = _wait_copy(emergency_db, "team", team["id"], version=2)
    assert abs(moved[1] - near[0]) < 1e-9 and abs(moved[2] - near[1]) < 1e-9
    answer = _nearest(http, kt_duty, kind="team", lon=lon, lat=lat, radius_km=1, limit=50)
    hit = next(i for i in answer["items"] if str(i["id"]) == str(team["id"]))
    assert hit["distance_m"] < 110 and hit["readiness_name"] == "执行任务中"

    # Replay every event of this team on its topic: the same ids (skipped by the kit), and the same
    # events under new ids (the version rule: the v1 event must not move the copy back).
    topic = "safety.datacenter.rescue_team.v1"
    consumer = KafkaConsumer(bootstrap_servers=config.kafka_bootstrap(), group_id=f"test-replay-{uuid.uuid4()}",
                             enable_auto_commit=False, consumer_timeout_ms=2000)
    parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    end = consumer.end_offsets(parts)
    mine = []
    deadline = time.monotonic() + 60
    while any(consumer.position(tp) < end[tp] for tp in parts) and time.monotonic() < deadline:
        for messages in consumer.poll(timeout_ms=1000, max_records=5000).values():
            mine += [m for m in messages if m.key and m.key.decode() == str(team["id"])]
    consumer.close()
    assert len(mine) >= 2
    processed_before = emergency_db.execute("SELECT count(*) FROM kit.processed_events WHERE consumer = 'emergency.resources-team'").fetchone()[0]
    producer = KafkaProducer(bootstrap_servers=config.kafka_bootstrap())
    renamed = []
    for m in mine:
        producer.send(topic, key=m.key, value=m.value, headers=m.headers).get(timeout=15)
        new_id = str(uuid.uuid4())
        renamed.append(new_id)
        headers = [(k, new_id.encode() if k == "ce_id" else v) for k, v in m.headers]
        producer.send(topic, key=m.key, value=m.value, headers=headers).get(timeout=15)
    producer.close()
    wait_for("the renamed replays processed", lambda: emergency_db.execute(
        "SELECT count(*) FROM kit.processed_events WHERE consumer = 'emergency.resources-team' AND event_id = ANY(%s)",
        (renamed,)).fetchone()[0] == len(renamed))
    assert _copy(emergency_db, "team", team["id"]) == moved
    processed_after = emergency_db.execute("SELECT count(*) FROM kit.processed_events WHERE consumer = 'emergency.resources-team'").fetchone()[0]
    assert processed_after - processed_before >= len(renamed)


def test_a_deleted_record_leaves_the_copies(http, kt_duty, records, emergency_db, origin):
    lon, lat = origin
    p = _offset(lon, lat, 200, 200)
    team = records.create("rescue_team", region="620802", lon=p[0], lat=p[1])
    _wait_copy(emergency_db, "team", team["id"])
    r = records.delete("rescue_team", team["id"], team["version"], reason="测试删除")
    assert r.status_code in (200, 204), r.text
    wait_for("the copy removed", lambda: _copy(emergency_db, "team", team["id"]) is None)
    assert emergency_db.execute("SELECT version FROM resources.tombstone WHERE kind = 'team' AND id = %s",
                                (str(team["id"]),)).fetchone()[0] == 2


def test_scope_county_sees_its_county_and_the_city_not_its_neighbour(http, staff_token, staff_user, records, emergency_db, origin):
    lon, lat = origin
    p = _offset(lon, lat, -1500, 1500)
    own = records.create("rescue_team", region="620802", lon=p[0], lat=p[1])
    city = records.create("rescue_team", region="620800", lon=p[0], lat=p[1] + 0.0001)
    neighbour = records.create("rescue_team", region="620821", lon=p[0], lat=p[1] + 0.0002)
    for t in (own, city, neighbour):
        _wait_copy(emergency_db, "team", t["id"])
    def seen(user: str) -> set[str]:
        answer = _nearest(http, lambda: staff_token(user), kind="team", lon=p[0], lat=p[1], radius_km=1, limit=50)
        return {str(i["id"]) for i in answer["items"]}
    ids = {k: str(t["id"]) for k, t in (("own", own), ("city", city), ("neighbour", neighbour))}
    kongtong = seen("kongtong-duty")
    assert ids["own"] in kongtong and ids["city"] in kongtong and ids["neighbour"] not in kongtong
    jingchuan = seen(staff_user("jingchuan-duty-t", "620821", roles.EMERGENCY_DUTY_OFFICER))
    assert ids["neighbour"] in jingchuan and ids["city"] in jingchuan and ids["own"] not in jingchuan
    assert {ids["own"], ids["city"], ids["neighbour"]} <= seen("city-duty")
    r = http.get(LIST, params={"kind": "team", "region_code": "620821"}, headers=bearer(staff_token("kongtong-duty")))
    assert r.status_code == 404, r.text


def test_validation_answers_field_errors(http, kt_duty):
    r = http.get(NEAREST, params={"kind": "team", "lon": 150, "lat": 35, "radius_km": 10_000, "limit": 51}, headers=bearer(kt_duty()))
    assert r.status_code == 422, r.text
    assert {e["field"] for e in r.json()["errors"]} == {"lon", "radius_km", "limit"}


def test_an_inspector_is_refused(http, staff_token, origin):
    lon, lat = origin
    for path, params in ((NEAREST, {"kind": "team", "lon": lon, "lat": lat}), (LIST, {"kind": "team"})):
        r = http.get(path, params=params, headers=bearer(staff_token("kongtong-inspector")))
        assert r.status_code == 403, r.text


def test_nearest_an_incident(http, kt_duty, teams, origin, staff_token, staff_user):
    from datetime import datetime, timedelta, timezone
    lon, lat = origin
    occurred = datetime.now(timezone(timedelta(hours=8))).replace(microsecond=0) - timedelta(minutes=10)
    body = {"title": f"资源就近测试{uuid.uuid4().hex[:6]}", "type": "natural_disaster", "region_code": "620802",
            "address": "崆峒区测试地点", "lon": lon, "lat": lat, "occurred_at": occurred.isoformat(),
            "reported_at": (occurred + timedelta(minutes=2)).isoformat(), "source": "phone",
            "casualties": {"deaths": 0, "missing": 0, "injured": 0, "trapped": 0}, "description": "山体滑坡，测试就近资源"}
    r = http.post("/api/v1/incidents", json=body, headers=bearer(kt_duty()))
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    answer = _nearest(http, kt_duty, kind="team", incident_id=iid, radius_km=5, limit=50)
    assert answer["origin"]["lon"] == pytest.approx(lon) and answer["origin"]["lat"] == pytest.approx(lat)
    ours = [str(t["id"]) for t, *_ in sorted(teams, key=lambda x: x[1])]
    assert [str(i["id"]) for i in answer["items"] if str(i["id"]) in ours] == ours
    other = staff_user("jingchuan-duty-t", "620821", roles.EMERGENCY_DUTY_OFFICER)
    r = http.get(NEAREST, params={"kind": "team", "incident_id": iid}, headers=bearer(staff_token(other)))
    assert r.status_code == 404, r.text  # another county's incident: as if it did not exist
