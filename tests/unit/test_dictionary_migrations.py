"""The dictionary migrations (services/datacenter/migrations 0001, 0005, 0006), read as text: no database.

Checks the data itself: region codes and parents, township and village counts per county, the GB 6441
accident types, the GB/T 4754 sections and divisions, and the GB 18218 substances' CAS check digits."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "datacenter" / "migrations"
COUNTIES = {"620802": "崆峒区", "620821": "泾川县", "620822": "灵台县", "620823": "崇信县",
            "620825": "庄浪县", "620826": "静宁县", "620881": "华亭市"}


# --- a small reader for INSERT … VALUES (…), (…); -------------------------------------------------

_TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'|(NULL)|(-?\d+(?:\.\d+)?))\s*(,|\))")


def _tuples(values: str) -> list[tuple]:
    rows, i = [], 0
    while True:
        start = values.find("(", i)
        if start < 0:
            return rows
        i, row = start + 1, []
        while True:
            m = _TOKEN.match(values, i)
            assert m, f"cannot read a value at: {values[i:i + 60]!r}"
            text, null, number, end = m.groups()
            row.append(text.replace("''", "'") if text is not None else None if null else float(number))
            i = m.end()
            if end == ")":
                break
        rows.append(tuple(row))


def inserts(filename: str, table: str) -> list[dict]:
    sql = re.sub(r"--[^\n]*", "", (MIGRATIONS / filename).read_text(encoding="utf-8"))
    out = []
    for m in re.finditer(rf"INSERT INTO dictionaries\.{table} \(([^)]*)\) VALUES(.*?);", sql, re.S):
        columns = [c.strip() for c in m.group(1).split(",")]
        for row in _tuples(m.group(2)):
            assert len(row) == len(columns), row
            out.append(dict(zip(columns, row)))
    return out


REGIONS = inserts("0001_dictionaries.sql", "region") + inserts("0005_regions_townships.sql", "region")
BY_CODE = {r["code"]: r for r in REGIONS}
TOWNSHIPS = [r for r in REGIONS if r["level"] == "township"]
VILLAGES = [r for r in REGIONS if r["level"] == "village"]


def _count(level: str, county: str) -> int:
    return sum(1 for r in REGIONS if r["level"] == level and r["code"].startswith(county))


# --- regions --------------------------------------------------------------------------------------

def test_region_codes_are_unique():
    codes = [r["code"] for r in REGIONS]
    assert len(codes) == len(set(codes))


def test_every_parent_exists_and_sits_one_level_up():
    above = {"city": "province", "county": "city", "township": "county", "village": "township"}
    for r in REGIONS:
        if r["level"] == "province":
            assert r["parent_code"] is None
            continue
        parent = BY_CODE.get(r["parent_code"])
        assert parent is not None, r
        assert parent["level"] == above[r["level"]], r


def test_every_township_is_nine_digits_under_one_of_the_seven_counties():
    assert TOWNSHIPS
    for t in TOWNSHIPS:
        assert re.fullmatch(r"\d{9}", t["code"]), t
        assert t["parent_code"] in COUNTIES, t
        assert t["code"].startswith(t["parent_code"]), t
        assert t["name"].strip() == t["name"] and t["name"], t


def test_every_village_is_twelve_digits_under_its_township():
    for v in VILLAGES:
        assert re.fullmatch(r"\d{12}", v["code"]), v
        assert len(v["parent_code"]) == 9 and v["code"].startswith(v["parent_code"]), v
        assert v["name"], v


@pytest.mark.parametrize("county", sorted(COUNTIES), ids=[
    f"{c}-{_count('township', c)}townships-{_count('village', c)}villages" for c in sorted(COUNTIES)])
def test_each_county_has_a_plausible_number_of_townships_and_villages(county):
    # Pingliang's counties have between 7 (崇信) and 25 (静宁) township-level units and 60 to 400
    # villages/communities each; a count outside these bands means a broken extract.
    assert 5 <= _count("township", county) <= 40
    assert 40 <= _count("village", county) <= 500
    # every township of the county has at least one village or community
    townships = {t["code"] for t in TOWNSHIPS if t["parent_code"] == county}
    assert townships <= {v["parent_code"] for v in VILLAGES}


def test_city_and_counties_have_approximate_coordinates_inside_pingliang():
    sql = (MIGRATIONS / "0005_regions_townships.sql").read_text(encoding="utf-8")
    placed = {code: (float(lon), float(lat)) for lon, lat, code in re.findall(
        r"UPDATE dictionaries\.region SET lon = ([\d.]+), lat = ([\d.]+) WHERE code = '(\d+)';", sql)}
    assert set(placed) == {"620800", *COUNTIES}
    for lon, lat in placed.values():
        assert 105.2 <= lon <= 107.9 and 34.8 <= lat <= 35.9   # Pingliang's bounding box, roughly
    assert "APPROXIMATE" in sql


# --- GB 6441-1986 accident types ------------------------------------------------------------------

def test_twenty_accident_types_in_the_standards_order():
    rows = inserts("0006_dictionaries.sql", "accident_type")
    assert [r["code"] for r in rows] == [f"{i:02d}" for i in range(1, 21)]
    assert [r["sort"] for r in rows] == list(range(1, 21))
    assert [r["name"] for r in rows] == [
        "物体打击", "车辆伤害", "机械伤害", "起重伤害", "触电", "淹溺", "灼烫", "火灾", "高处坠落", "坍塌",
        "冒顶片帮", "透水", "放炮", "火药爆炸", "瓦斯爆炸", "锅炉爆炸", "容器爆炸", "其它爆炸", "中毒和窒息", "其它伤害"]


# --- GB/T 4754-2017 industries --------------------------------------------------------------------

INDUSTRIES = inserts("0006_dictionaries.sql", "industry")


def test_twenty_sections_a_to_t():
    sections = [r for r in INDUSTRIES if r["level"] == "section"]
    assert [r["code"] for r in sections] == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert all(r["parent_code"] is None for r in sections)


def test_ninety_seven_divisions_numbered_01_to_97_under_their_sections():
    divisions = [r for r in INDUSTRIES if r["level"] == "division"]
    assert len(divisions) == 97
    assert [r["code"][1:] for r in divisions] == [f"{i:02d}" for i in range(1, 98)]
    for d in divisions:
        assert d["parent_code"] == d["code"][0], d
    per_section = {}
    for d in divisions:
        per_section[d["parent_code"]] = per_section.get(d["parent_code"], 0) + 1
    # GB/T 4754-2017: 制造业 has 31 divisions (13–43), 采矿业 7 (06–12), 公共管理… 6 (91–96)
    assert (per_section["C"], per_section["B"], per_section["S"], per_section["T"]) == (31, 7, 6, 1)


def test_industry_codes_are_unique_and_match_the_enterprise_format():
    codes = [r["code"] for r in INDUSTRIES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[A-T](\d{2}(\d{1,2})?)?", c) for c in codes)   # enterprises.industry_code


# --- GB 18218-2018 substances ---------------------------------------------------------------------

def cas_check_digit_ok(cas: str) -> bool:
    m = re.fullmatch(r"(\d{2,7})-(\d{2})-(\d)", cas)
    if not m:
        return False
    digits = (m.group(1) + m.group(2))[::-1]
    return sum((i + 1) * int(d) for i, d in enumerate(digits)) % 10 == int(m.group(3))


def test_the_cas_check_itself():
    assert cas_check_digit_ok("7732-18-5")        # water
    assert cas_check_digit_ok("64-17-5")          # ethanol
    assert not cas_check_digit_ok("7732-18-4")
    assert not cas_check_digit_ok("773218-5")


SUBSTANCES = inserts("0006_dictionaries.sql", "substance")


@pytest.mark.parametrize("row", SUBSTANCES, ids=[s["cas"] for s in SUBSTANCES])
def test_substance_cas_passes_the_check_digit_and_threshold_is_positive(row):
    assert cas_check_digit_ok(row["cas"]), row
    assert row["threshold_t"] > 0
    assert row["beta"] is None or row["beta"] > 0
    assert row["name_zh"] and row["name_en"] and row["category"]


def test_substances_are_exactly_the_checked_thresholds():
    assert {s["cas"]: s["threshold_t"] for s in SUBSTANCES} == {
        "7664-41-7": 10, "7782-50-5": 5, "75-44-5": 0.3, "7446-09-5": 20, "75-21-8": 10, "68476-85-7": 50,
        "74-82-8": 50, "74-86-2": 1, "1333-74-0": 5, "7782-44-7": 200, "71-43-2": 50, "108-88-3": 500,
        "67-56-1": 500, "86290-81-5": 200}
    named_toxic_gas_beta = {"7664-41-7": 2, "7782-50-5": 4, "75-44-5": 20, "7446-09-5": 2, "75-21-8": 2}
    for s in SUBSTANCES:
        if s["cas"] in named_toxic_gas_beta:
            assert s["beta"] == named_toxic_gas_beta[s["cas"]], s


# --- the small dictionaries -----------------------------------------------------------------------

@pytest.mark.parametrize(("table", "required"), [
    ("sector", {"coal", "non_coal_mine", "hazardous_chemicals", "fireworks", "metallurgy", "nonferrous",
                "building_materials", "machinery", "light_industry", "textile", "tobacco", "commerce_trade",
                "construction", "transport", "other"}),
    ("expert_field", {"hazardous_chemicals", "non_coal_mine", "coal", "fireworks", "industry_trade",
                      "occupational_health", "fire", "electrical", "special_equipment", "emergency_rescue",
                      "construction", "transport"}),
    ("rescue_specialty", {"mine_rescue", "hazmat_rescue", "fire_rescue", "water_rescue", "medical_rescue",
                          "engineering_rescue", "comprehensive"}),
], ids=["sector", "expert_field", "rescue_specialty"])
def test_small_dictionaries_hold_the_required_codes_once_each(table, required):
    rows = inserts("0006_dictionaries.sql", table)
    codes, names, sorts = ([r[k] for r in rows] for k in ("code", "name", "sort"))
    assert required <= set(codes)
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names) and len(set(sorts)) == len(sorts)


def test_the_eight_industry_and_trade_sectors_are_grouped():
    grouped = {r["code"] for r in inserts("0006_dictionaries.sql", "sector") if r["group_name"] == "工贸行业"}
    assert grouped == {"metallurgy", "nonferrous", "building_materials", "machinery", "light_industry",
                       "textile", "tobacco", "commerce_trade"}
