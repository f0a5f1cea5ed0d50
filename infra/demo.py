"""Loads Pingliang demo data through the real front door: each demo enterprise's client gets a
token from Keycloak and submits its basic information to the gateway, then its monitoring: the
chemical plant's major hazard source with its points, the coal mine's safety-monitoring sensors.
Idempotent: an unchanged submission changes nothing, and what is already there is not added again."""
from __future__ import annotations

import uuid

import httpx
from keycloak import KeycloakOpenID

from infra.keycloak.realm import DEMO_ENTERPRISES, DEMO_PASSWORD, DEMO_USERS, DEV_CLIENT, demo_secret
from services.kit import config

KT_USCC, HD_USCC = "91620802MA71KT001D", "91620821MA72JC002N"
KT_SOURCE = {"unit_type": "storage", "unit_name": "液化石油气储罐区", "population_500m": 160, "assessed_on": "2025-09-12",
             "chemicals": [{"cas": "68476-85-7", "name": "液化石油气", "max_quantity_t": 180}],
             "principal_person": "王建国", "principal_phone": "13909330101", "technical_person": "李明华", "technical_phone": "13909330102",
             "operation_person": "张卫东", "operation_phone": "13909330103", "filing_status": "filed", "filed_on": "2025-09-20",
             "lon": 106.7112, "lat": 35.5311}
CALIBRATED = [{"on": "2026-11-20", "by": "仪表班", "result": "pass"}]
KT_POINTS = (
    {"point_code": "KT-V101-LT01", "location": "1号球罐", "quantity": "level", "unit": "m", "low_low": 1.0, "low": 1.5, "high": 10.2,
     "high_high": 10.8, "interval_s": 10},
    {"point_code": "KT-V101-PT01", "location": "1号球罐", "quantity": "pressure", "unit": "MPa", "low": 0.2, "high": 1.5, "high_high": 1.6,
     "interval_s": 10},
    {"point_code": "KT-V101-TT01", "location": "1号球罐", "quantity": "temperature", "unit": "℃", "high": 40.0, "high_high": 50.0,
     "interval_s": 10},
    {"point_code": "KT-V102-LT01", "location": "2号球罐", "quantity": "level", "unit": "m", "low_low": 1.0, "low": 1.5, "high": 10.2,
     "high_high": 10.8, "interval_s": 10},
    {"point_code": "KT-V102-PT01", "location": "2号球罐", "quantity": "pressure", "unit": "MPa", "low": 0.2, "high": 1.5, "high_high": 1.6,
     "interval_s": 10},
    {"point_code": "KT-GD-AT01", "location": "罐区防火堤内东侧", "quantity": "combustible_gas", "unit": "%LEL", "high": 20.0, "high_high": 40.0,
     "interval_s": 5},
    {"point_code": "KT-GD-AT02", "location": "装卸车鹤位", "quantity": "combustible_gas", "unit": "%LEL", "high": 20.0, "high_high": 40.0,
     "interval_s": 5},
    {"point_code": "KT-XV01", "location": "罐区出口总管", "quantity": "switch", "switch_kind": "emergency_shutoff", "interval_s": 10},
    {"point_code": "KT-SIS-BP01", "location": "SIS机柜间", "quantity": "switch", "switch_kind": "sis_bypass", "interval_s": 10},
)
HD_POINTS = (
    *({"point_code": f"HD-KJ-{code}", "location": location, "quantity": "methane", "unit": "%CH4", "coal_location": where, "zone": zone,
       "interval_s": 5}
      for code, where, zone, location in (("T0", "working_face", "1302综采工作面", "1302综采工作面"),
                                          ("T1", "upper_corner", "1302综采工作面", "1302工作面上隅角"),
                                          ("T2", "return_airway", "1302综采工作面", "1302回风巷"),
                                          ("TJ", "machine_mounted", "1302综采工作面", "1302采煤机机载"),
                                          ("T3", "working_face", "2205掘进工作面", "2205掘进工作面"),
                                          ("T4", "intake_airway", "2205掘进工作面", "2205进风巷"))),
    {"point_code": "HD-KJ-CO", "location": "1302回风巷", "quantity": "carbon_monoxide", "unit": "ppm", "high": 24.0, "high_high": 50.0,
     "interval_s": 5},
    {"point_code": "HD-KJ-O2", "location": "1302回风巷", "quantity": "oxygen", "unit": "%VOL", "interval_s": 5},
    {"point_code": "HD-KJ-FS", "location": "1302回风巷", "quantity": "wind_speed", "unit": "m/s", "low": 0.25, "high": 6.0, "interval_s": 10},
    {"point_code": "HD-KJ-KD1", "location": "1302综采工作面馈电开关", "quantity": "switch", "switch_kind": "feed_power",
     "zone": "1302综采工作面", "interval_s": 5},
    {"point_code": "HD-KJ-KD2", "location": "2205掘进工作面馈电开关", "quantity": "switch", "switch_kind": "feed_power",
     "zone": "2205掘进工作面", "interval_s": 5},
)


def token(client_id: str) -> str:
    kc = config.keycloak()
    return KeycloakOpenID(server_url=kc.url + "/", realm_name=kc.realm, client_id=client_id,
                          client_secret_key=demo_secret(client_id)).token(grant_type="client_credentials")["access_token"]


def _post(http: httpx.Client, path: str, headers: dict, body: dict, key: str) -> dict:
    r = http.post(path, headers=headers | {"Idempotency-Key": key}, json=body)
    if r.status_code not in (200, 201):
        raise SystemExit(f"demo data: POST {path}: {r.status_code} {r.text}")
    return r.json()


def monitoring(http: httpx.Client, uscc: str, headers: dict) -> int:
    """The enterprise's demo source and points, those not there yet. Returns how many were added."""
    points = KT_POINTS if uscc == KT_USCC else HD_POINTS
    held = {p["point_code"] for p in http.get("/api/v1/monitoring-points", headers=headers,
                                               params={"uscc": uscc, "page_size": 200}).json()["items"]}
    source_id = None
    if uscc == KT_USCC:
        sources = http.get("/api/v1/major-hazards", headers=headers, params={"uscc": uscc, "page_size": 200}).json()["items"]
        source = next((s for s in sources if s["unit_name"] == KT_SOURCE["unit_name"]), None)
        source_id = (source or _post(http, "/api/v1/major-hazards", headers, {"uscc": uscc, **KT_SOURCE}, f"demo-{uscc}-source-1"))["id"]
    added = 0
    for p in points:
        if p["point_code"] in held:
            continue
        body = {"uscc": uscc, "site_type": "major_hazard" if source_id else "coal_mine", "status": "in_service",
                "calibrations": CALIBRATED, **p, **({"source_id": source_id} if source_id else {})}
        _post(http, "/api/v1/monitoring-points", headers, body, f"demo-{uscc}-{p['point_code']}-{uuid.uuid4()}")
        added += 1
    return added


def profile(http: httpx.Client, uscc: str, wanted: dict, headers: dict) -> None:
    """The record's sector and standardization grade (the regulator's fields), set when they differ."""
    record = http.get(f"/api/v1/enterprises/{uscc}", headers=headers).json()
    changes = {k: v for k, v in wanted.items() if record.get(k) != v}
    if changes:
        r = http.patch(f"/api/v1/enterprises/{uscc}", headers=headers | {"Idempotency-Key": str(uuid.uuid4())},
                       json={"version": record["version"], **changes})
        if r.status_code != 200:
            raise SystemExit(f"demo data: PATCH enterprise {uscc}: {r.status_code} {r.text}")


def grid_members(http: httpx.Client) -> int:
    """The demo inspectors as the members (网格员) of their county's grid, and the city administrator as
    the city grid's duty officer: the people told of an alarm when it escalates. Added through the grid
    API as the city administrator; a person already in the grid is left as they are."""
    headers = {"Authorization": f"Bearer {staff_token('city-admin')}"}
    grids = {g["region_code"]: g for g in _walk(http.get("/api/v1/grids", headers=headers).json()["items"])}
    n = 0
    for u in DEMO_USERS:
        grid = grids.get(u.region)
        if grid is None:
            continue
        held = {m["username"] for m in http.get(f"/api/v1/grids/{grid['code']}", headers=headers).json()["member_list"]}
        if u.username not in held:
            _post(http, f"/api/v1/grids/{grid['code']}/members", headers,
                  {"username": u.username, "display_name": u.name, "duty": "网格员" if u.region != "620800" else "市级值班"},
                  f"demo-member-{u.username}")
            n += 1
    return n


def _walk(nodes: list[dict]):
    for node in nodes:
        yield node
        yield from _walk(node["children"])


def staff_token(username: str) -> str:
    kc = config.keycloak()
    return KeycloakOpenID(server_url=kc.url + "/", realm_name=kc.realm, client_id=DEV_CLIENT).token(username, DEMO_PASSWORD)["access_token"]


def main() -> None:
    added = 0
    with httpx.Client(base_url=config.gateway_url(), timeout=15) as http:
        admin = {"Authorization": f"Bearer {staff_token('city-admin')}"}
        for e in DEMO_ENTERPRISES:
            headers = {"Authorization": f"Bearer {token(e.client_id)}"}
            _post(http, "/api/v1/enterprises", headers, e.submission, f"demo-{e.uscc}-1")
            profile(http, e.uscc, e.profile, admin)
            added += monitoring(http, e.uscc, headers)
        members = grid_members(http)
    print(f"\033[1;32m[platform]\033[0m demo data loaded: {len(DEMO_ENTERPRISES)} enterprises, {added} monitoring points added, "
          f"{members} grid members", flush=True)


if __name__ == "__main__":
    main()
