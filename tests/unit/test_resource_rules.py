"""应急资源就近查询的纯规则 (services/emergency/resources/rules.py) and its table."""
from datetime import date

import pytest

from services.emergency.resources import rules
from services.kit.auth import Principal
from services.kit.errors import InvalidArgument, PermissionDenied

TBL = rules.table(date(2026, 12, 2))
POINT = {"kind": "team", "lon": "106.665", "lat": "35.543"}


def _fields(exc: InvalidArgument) -> set[str]:
    return {v.field for v in exc.violations}


def test_table_values():
    assert TBL["default_radius_km"] == 50
    assert TBL["max_radius_km"] == 300
    assert TBL["max_limit"] == 50
    assert TBL["default_limit"] == 10
    assert TBL["bounds"] == {"lon": [73, 136], "lat": [3, 54]}
    assert rules.TABLES[0].source.strip()


def test_table_before_its_first_version_is_missing():
    with pytest.raises(LookupError):
        rules.table(date(2025, 12, 31))


def test_defaults():
    q = rules.nearest_query(POINT, tbl=TBL)
    assert q == {"kind": "team", "lon": 106.665, "lat": 35.543, "incident_id": None, "radius_km": 50.0, "limit": 10,
                 "capability": None, "category": None, "field": None}


@pytest.mark.parametrize("lon,lat,ok", [("73", "3", True), ("136", "54", True), ("72.999", "35", False), ("136.01", "35", False),
                                        ("106", "2.99", False), ("106", "54.01", False), ("abc", "35", False), ("nan", "35", False)])
def test_bounds_of_china(lon, lat, ok):
    query = {"kind": "team", "lon": lon, "lat": lat}
    if ok:
        assert rules.nearest_query(query, tbl=TBL)["lon"] == float(lon)
    else:
        with pytest.raises(InvalidArgument):
            rules.nearest_query(query, tbl=TBL)


def test_point_or_incident_required():
    with pytest.raises(InvalidArgument) as e:
        rules.nearest_query({"kind": "team"}, tbl=TBL)
    assert _fields(e.value) == {"lon"}
    assert rules.nearest_query({"kind": "team", "incident_id": "12"}, tbl=TBL)["incident_id"] == 12
    with pytest.raises(InvalidArgument) as e:
        rules.nearest_query({"kind": "team", "incident_id": "-1"}, tbl=TBL)
    assert "incident_id" in _fields(e.value)


def test_only_lon_is_not_enough():
    with pytest.raises(InvalidArgument):
        rules.nearest_query({"kind": "team", "lon": "106.6"}, tbl=TBL)


def test_kind():
    for kind in ("team", "warehouse", "expert", "hazard_source"):
        assert rules.nearest_query({**POINT, "kind": kind}, tbl=TBL)["kind"] == kind
    with pytest.raises(InvalidArgument) as e:
        rules.nearest_query({**POINT, "kind": "shelter"}, tbl=TBL)
    assert _fields(e.value) == {"kind"}


@pytest.mark.parametrize("radius,ok", [("300", True), ("0.5", True), ("300.01", False), ("0", False), ("-1", False), ("x", False)])
def test_radius_limit(radius, ok):
    if ok:
        assert rules.nearest_query({**POINT, "radius_km": radius}, tbl=TBL)["radius_km"] == float(radius)
    else:
        with pytest.raises(InvalidArgument) as e:
            rules.nearest_query({**POINT, "radius_km": radius}, tbl=TBL)
        assert _fields(e.value) == {"radius_km"}


@pytest.mark.parametrize("limit,ok", [("1", True), ("50", True), ("51", False), ("0", False), ("-3", False), ("2.5", False)])
def test_limit(limit, ok):
    if ok:
        assert rules.nearest_query({**POINT, "limit": limit}, tbl=TBL)["limit"] == int(limit)
    else:
        with pytest.raises(InvalidArgument) as e:
            rules.nearest_query({**POINT, "limit": limit}, tbl=TBL)
        assert _fields(e.value) == {"limit"}


def test_filters_belong_to_their_kind():
    assert rules.nearest_query({**POINT, "capability": "mine_rescue"}, tbl=TBL)["capability"] == "mine_rescue"
    assert rules.nearest_query({**POINT, "kind": "warehouse", "category": "protection"}, tbl=TBL)["category"] == "protection"
    assert rules.nearest_query({**POINT, "kind": "expert", "field": "coal"}, tbl=TBL)["field"] == "coal"
    with pytest.raises(InvalidArgument) as e:
        rules.nearest_query({**POINT, "kind": "warehouse", "capability": "mine_rescue"}, tbl=TBL)
    assert _fields(e.value) == {"capability"}
    with pytest.raises(InvalidArgument) as e:
        rules.nearest_query({**POINT, "category": "protection", "field": "coal"}, tbl=TBL)
    assert _fields(e.value) == {"category", "field"}


def test_category_must_be_a_data_centre_category():
    with pytest.raises(InvalidArgument) as e:
        rules.nearest_query({**POINT, "kind": "warehouse", "category": "weapons"}, tbl=TBL)
    assert _fields(e.value) == {"category"}
    assert "防护用品" in e.value.violations[0].message_zh


def test_capability_must_look_like_a_code():
    with pytest.raises(InvalidArgument) as e:
        rules.nearest_query({**POINT, "capability": "矿山救护"}, tbl=TBL)
    assert _fields(e.value) == {"capability"}


def test_every_error_at_once():
    with pytest.raises(InvalidArgument) as e:
        rules.nearest_query({"kind": "boat", "lon": "200", "lat": "35", "radius_km": "999", "limit": "100"}, tbl=TBL)
    assert _fields(e.value) == {"kind", "lon", "radius_km", "limit"}


def test_list_query():
    assert rules.list_query({"kind": "expert"}, tbl=TBL) == {"kind": "expert", "region_code": None, "limit": 200}
    with pytest.raises(InvalidArgument) as e:
        rules.list_query({"kind": "expert", "region_code": "62x", "limit": "201"}, tbl=TBL)
    assert _fields(e.value) == {"region_code", "limit"}


@pytest.mark.parametrize("metres,text", [(None, None), (0, "0米"), (849.6, "850米"), (999.4, "999米"), (1000, "1.0公里"),
                                         (1234.5, "1.2公里"), (99_949, "99.9公里"), (123_456, "123公里")])
def test_distance_text(metres, text):
    assert rules.distance_text(metres) == text


def test_chinese_names_from_the_data_centre():
    assert rules.READINESS_NAMES == {"ready": "待命", "deployed": "执行任务中", "resting": "休整", "unavailable": "不可用"}
    team = rules.describe("team", {"readiness": "deployed", "team_type": "professional", "distance_m": 1234.56})
    assert team["readiness_name"] == "执行任务中" and team["team_type_name"] == "专业救援队伍"
    assert team["distance_m"] == 1234.6 and team["distance"] == "1.2公里"
    wh = rules.describe("warehouse", {"level": "city", "items": [{"category": "protection"}]})
    assert wh["level_name"] == "市级" and wh["items"][0]["category_name"] == "防护用品"
    assert rules.describe("expert", {"availability": "busy", "title": "senior_full"})["availability_name"] == "暂不可用"
    assert rules.describe("hazard_source", {"grade": "1"})["grade_name"] == "一级"
    assert rules.describe("team", {"readiness": "unknown_new"})["readiness_name"] == "unknown_new"


def test_scope_county_sees_itself_and_its_city():
    assert rules.scope("620802") == ("620802", "620800")
    assert rules.visible("620802", "620802101")
    assert rules.visible("620802", "620800")
    assert not rules.visible("620802", "620821")
    assert not rules.visible("620802", "620821001")
    assert not rules.visible("620802", "620000")


def test_scope_township_staff_see_their_county_and_city():
    assert rules.scope("620802101") == ("620802", "620800")


def test_scope_city_sees_all_of_the_city_only():
    assert rules.scope("620800") == ("6208", None)
    assert rules.visible("620800", "620821") and rules.visible("620800", "620800")
    assert not rules.visible("620800", "620100")


def test_scope_without_region_is_refused():
    with pytest.raises(PermissionDenied):
        rules.scope("")


def _staff(*role_names, kind="staff"):
    return Principal(subject="s", client_id="c", username="u", kind=kind, roles=frozenset(role_names), region="620802")


def test_only_emergency_staff():
    rules.require_staff(_staff("emergency-duty-officer"))
    rules.require_staff(_staff("emergency-commander"))
    rules.require_staff(_staff("platform-admin"))
    for p in (_staff("supervision-inspector"), _staff("datacenter-viewer"), _staff("emergency-commander", kind="enterprise")):
        with pytest.raises(PermissionDenied):
            rules.require_staff(p)


def test_newer_version_wins():
    assert rules.is_newer(None, 1)
    assert rules.is_newer(1, 2)
    assert not rules.is_newer(2, 2)
    assert not rules.is_newer(3, 2)
