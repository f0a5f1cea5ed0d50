"""services.datacenter.ruletables: loading, versioning by effective date, and the shipped tables."""
import json
import re
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from services.datacenter import ruletables
from services.datacenter.accidents import rules as accidents
from services.datacenter.major_hazards.rules import cas_problem
from services.datacenter.ruletables import RuleTable, add_months, band_for, check_bands, decimal, effective, load_defaults, load_dir, parse

CJK = re.compile(r"[\u4e00-\u9fff]")
TABLES = load_defaults()
NAMES = {"accident_grades", "sensor_calibration", "gb18218_substances", "gb18218_beta_categories", "gb18218_category_thresholds", "gb18218_alpha", "gb18218_grades",
         "major_hazard_deadlines", "lec", "risk_matrix", "chemical_diagnosis", "licence_validity", "standardization"}


def table(name: str) -> RuleTable:
    return effective(TABLES, name, date(2026, 1, 1))


# --- the shipped files ----------------------------------------------------------------------------

def test_every_expected_table_is_shipped_once():
    assert sorted(t.name for t in TABLES) == sorted(NAMES)


@pytest.mark.parametrize("path", sorted(ruletables.TABLES_DIR.glob("*.json")), ids=lambda p: p.name)
def test_each_file_is_named_after_its_table_and_date_and_names_its_source(path):
    t = parse(json.loads(path.read_text(encoding="utf-8")), origin=path.name)
    assert path.name == f"{t.name}.{t.effective_from.isoformat()}.json"
    assert CJK.search(t.source)


def _band_lists(body):
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "bands" and isinstance(value, list):
                yield value
            elif key == "bands" and isinstance(value, dict):
                yield from value.values()
            else:
                yield from _band_lists(value)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_every_band_list_tiles_its_range_without_gaps_or_overlaps(name):
    for bands in _band_lists(table(name).body):
        check_bands(bands)


def test_accident_grade_bands_start_at_zero_and_are_open_upwards():
    for bands in table("accident_grades").body["bands"].values():
        assert min(decimal(b["from"]) for b in bands) == 0
        assert [b for b in bands if b["to"] is None][0]["grade"] == "extraordinary"


# Every substance RULES.md §2 gives a threshold for, with that threshold, and the nine table 3 gases that had none.
THRESHOLDS = {
    "7664-41-7": "10", "7782-50-5": "5", "75-44-5": "0.3", "7446-09-5": "20", "75-21-8": "10", "68476-85-7": "50",
    "74-82-8": "50", "74-86-2": "1", "1333-74-0": "5", "7782-44-7": "200", "71-43-2": "50", "108-88-3": "500",
    "67-56-1": "500", "86290-81-5": "200",
    "630-08-0": "20", "7647-01-0": "20", "74-83-9": "10", "7783-06-4": "5", "7664-39-3": "1", "10102-44-0": "1",
    "74-90-8": "1", "7803-51-2": "1", "624-83-9": "0.75",
}
# Every named toxic gas RULES.md §2 gives a β for: GB 18218-2018 table 3.
BETAS = {
    "630-08-0": "2", "7446-09-5": "2", "7664-41-7": "2", "75-21-8": "2", "7647-01-0": "3", "74-83-9": "3",
    "7782-50-5": "4", "7783-06-4": "5", "7664-39-3": "5", "10102-44-0": "10", "74-90-8": "10", "75-44-5": "20",
    "7803-51-2": "20", "624-83-9": "20",
}
# GB 18218-2018 table 2 (Q, t) and table 4 (β), by category.
CATEGORIES = {
    "J1": ("5", "4"), "J2": ("50", "1"), "J3": ("50", "2"), "J4": ("50", "2"), "J5": ("500", "1"),
    "W1.1": ("1", "2"), "W1.2": ("10", "2"), "W1.3": ("50", "2"), "W2": ("10", "1.5"), "W3": ("150", "1"), "W4": ("50", "1"),
    "W5.1": ("10", "1.5"), "W5.2": ("50", "1"), "W5.3": ("1000", "1"), "W5.4": ("5000", "1"), "W6.1": ("10", "1.5"),
    "W6.2": ("50", "1"), "W7.1": ("10", "1.5"), "W7.2": ("50", "1"), "W8": ("50", "1"), "W9.1": ("50", "1"),
    "W9.2": ("200", "1"), "W10": ("200", "1"), "W11": ("200", "1"),
}


def substances() -> dict:
    return table("gb18218_substances").body["substances"]


def table1_rows() -> dict[int, tuple[str, dict]]:
    """表1序号 → (the CAS it is keyed by, the row)."""
    out: dict[int, tuple[str, dict]] = {}
    for cas, entry in substances().items():
        for number, row in ({entry["row"]: entry} if "rows" not in entry else {int(n): r for n, r in entry["rows"].items()}).items():
            assert number not in out, number
            out[number] = (cas, row)
    return out


@pytest.mark.parametrize("cas, threshold", sorted(THRESHOLDS.items()))
def test_gb18218_thresholds(cas, threshold):
    assert decimal(substances()[cas]["threshold_t"]) == Decimal(threshold)


@pytest.mark.parametrize("cas, beta", sorted(BETAS.items()))
def test_gb18218_named_toxic_gas_betas(cas, beta):
    assert decimal(substances()[cas]["beta"]) == Decimal(beta)


def test_substances_without_a_named_beta_have_none():
    for cas, entry in substances().items():
        assert (entry.get("beta") is not None) == (cas in BETAS), cas
        for row in entry.get("rows", {}).values():
            assert row.get("beta") is None, cas


def test_table_1_has_all_85_rows_once_under_78_cas_keys():
    # 85 rows; nitrocellulose (rows 37–42) and ammonium nitrate (43–45) share one CAS each, so 78 keys.
    assert sorted(table1_rows()) == list(range(1, 86))
    assert len(substances()) == 78


def test_every_row_has_a_threshold_and_its_categories():
    for number, (cas, row) in table1_rows().items():
        assert decimal(row["threshold_t"]) > 0, number
        assert CJK.search(row["name_zh"]), number
        # Sulphur trioxide (row 26) has no hazard named in table 2 (it is corrosive and reacts with water), so β = 1.
        assert bool(row["categories"]) == (number != 26), number


def test_every_category_referenced_exists_in_tables_2_and_4():
    q, beta = table("gb18218_category_thresholds").body["categories"], table("gb18218_beta_categories").body["categories"]
    assert set(q) == set(beta) == set(CATEGORIES)
    for number, (cas, row) in table1_rows().items():
        assert set(row["categories"]) <= set(CATEGORIES), number


@pytest.mark.parametrize("category, q, beta", [(c, q, b) for c, (q, b) in CATEGORIES.items()])
def test_gb18218_category_thresholds_and_betas(category, q, beta):
    assert decimal(table("gb18218_category_thresholds").body["categories"][category]["threshold_t"]) == Decimal(q)
    assert decimal(table("gb18218_beta_categories").body["categories"][category]["beta"]) == Decimal(beta)
    assert CJK.search(table("gb18218_category_thresholds").body["categories"][category]["name_zh"])


def test_other_categories_get_beta_one():
    assert decimal(table("gb18218_beta_categories").body["default_beta"]) == 1


def test_every_substance_key_is_a_valid_cas_number_with_a_chinese_name():
    for cas, entry in substances().items():
        assert cas_problem(cas) is None, cas
        assert CJK.search(entry["name_zh"]), cas
        for other in entry.get("also_cas", ()):
            assert cas_problem(other) is None, other


def test_a_cas_number_names_one_entry_only():
    numbers = [c for cas, e in substances().items() for c in (cas, *e.get("also_cas", ()))]
    assert len(numbers) == len(set(numbers)) == 83


def test_rows_the_standard_prints_no_cas_for_are_marked():
    # 13 煤气 (keyed by carbon monoxide), 45 硝酸铵肥料 (under ammonium nitrate), 74 烷基铝 (keyed by triethylaluminium).
    assert {n for n, (cas, row) in table1_rows().items() if row.get("cas_in_standard") is False} == {13, 45, 74}
    assert table1_rows()[13][0] == "630-08-0" and table1_rows()[74][0] == "97-93-8"
    assert table1_rows()[45][0] == "6484-52-2"


def test_lec_allowed_values():
    body = table("lec").body
    assert [decimal(v) for v in body["L"]] == [Decimal(x) for x in ("10", "6", "3", "1", "0.5", "0.2", "0.1")]
    assert [decimal(v) for v in body["E"]] == [Decimal(x) for x in ("10", "6", "3", "2", "1", "0.5")]
    assert [decimal(v) for v in body["C"]] == [Decimal(x) for x in ("100", "40", "15", "7", "3", "1")]


def test_deadline_tables():
    acc = table("accident_grades").body
    assert acc["reporting"]["unit_to_county_hours"] == 1 and acc["reporting"]["per_level_hours"] == 2
    assert acc["casualty_update_days"] == {"default": 30, "road_traffic_or_fire": 7}
    assert acc["investigation"] == {"days": 60, "max_extension_days": 60}
    assert table("major_hazard_deadlines").body == {"filing_days": 15, "reassessment_years": 3}
    assert table("licence_validity").body["types"]["work_safety"] == {"validity_months": 36, "renewal_opens_months_before": 3}
    std = table("standardization").body
    assert (std["validity_months"], std["renewal_opens_months_before"]) == (36, 3)


# --- effective ------------------------------------------------------------------------------------

OLD = RuleTable("t", date(2020, 1, 1), {"v": 1}, "测试")
NEW = RuleTable("t", date(2027, 7, 1), {"v": 2}, "测试")
OTHER = RuleTable("u", date(2000, 1, 1), {"v": 3}, "测试")


@pytest.mark.parametrize("at, v", [
    (date(2020, 1, 1), 1),      # the day a version takes effect, it applies
    (date(2027, 6, 30), 1),     # the old version still applies the day before the new one
    (date(2027, 7, 1), 2),
    (date(2099, 1, 1), 2),
])
def test_effective_picks_the_latest_version_in_force(at, v):
    assert effective([NEW, OTHER, OLD], "t", at).body["v"] == v


def test_effective_accepts_a_datetime():
    assert effective([OLD, NEW], "t", datetime(2027, 7, 1, 0, 0)).body["v"] == 2
    assert effective([OLD, NEW], "t", datetime(2027, 6, 30, 23, 59)).body["v"] == 1


def test_effective_raises_lookup_error_before_the_first_version_or_for_an_unknown_name():
    with pytest.raises(LookupError):
        effective([OLD, NEW], "t", date(2019, 12, 31))
    with pytest.raises(LookupError):
        effective([OLD, NEW], "nope", date(2026, 1, 1))


def test_a_newer_accident_table_changes_the_grade_only_from_its_date():
    old = table("accident_grades")
    body = json.loads(json.dumps(old.body))
    body["bands"]["deaths"] = [{"from": 0, "to": 2, "grade": "general"}, {"from": 2, "to": 10, "grade": "large"},
                               {"from": 10, "to": 30, "grade": "major"}, {"from": 30, "to": None, "grade": "extraordinary"}]
    newer = replace(old, effective_from=date(2030, 1, 1), body=body, source="某省地方规定（测试）")
    tables = TABLES + (newer,)

    def grade_on(day):
        return accidents.grade(deaths=2, missing=0, serious_injuries=0, direct_loss_cny=Decimal(0),
                               table=effective(tables, "accident_grades", day))

    assert grade_on(date(2029, 12, 31)) == "general"
    assert grade_on(date(2030, 1, 1)) == "large"


def test_load_dir_reads_a_newer_version_beside_the_old_one(tmp_path):
    for p in ruletables.TABLES_DIR.glob("lec.*.json"):
        (tmp_path / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    data = json.loads((ruletables.TABLES_DIR / "lec.2000-01-01.json").read_text(encoding="utf-8"))
    data["effective_from"] = "2028-01-01"
    data["body"]["bands"][-1]["from"] = "300"
    data["body"]["bands"][-2]["to"] = "300"
    (tmp_path / "lec.2028-01-01.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tables = load_dir(tmp_path)
    assert band_for(effective(tables, "lec", date(2027, 12, 31)).body["bands"], 300)["colour"] == "orange"
    assert band_for(effective(tables, "lec", date(2028, 1, 1)).body["bands"], 300)["colour"] == "red"


def test_two_versions_on_the_same_day_are_refused(tmp_path):
    data = {"name": "x", "effective_from": "2026-01-01", "source": "测试", "body": {}}
    (tmp_path / "a.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="same day|take effect"):
        load_dir(tmp_path)


GOOD = {"name": "x", "effective_from": "2026-01-01", "source": "测试", "body": {}}


@pytest.mark.parametrize("change", [
    {"name": ""}, {"effective_from": "2026-1-1"}, {"effective_from": None}, {"source": " "}, {"body": []},
])
def test_parse_refuses_malformed_tables(change):
    with pytest.raises(ValueError):
        parse({**GOOD, **change}, origin="x.json")


@pytest.mark.parametrize("key", ["name", "effective_from", "source", "body"])
def test_parse_refuses_a_missing_key_and_names_the_file(key):
    data = {k: v for k, v in GOOD.items() if k != key}
    with pytest.raises(ValueError, match=f"x.json: missing {key}"):
        parse(data, origin="x.json")


def test_parse_returns_the_table():
    assert parse(GOOD) == RuleTable("x", date(2026, 1, 1), {}, "测试")


# --- shared helpers -------------------------------------------------------------------------------

def test_decimal_keeps_decimals_exact():
    assert decimal(0.1) == Decimal("0.1")
    assert decimal("0.3") == Decimal("0.3")
    assert decimal(7) == Decimal(7)
    assert decimal(Decimal("1.5")) == Decimal("1.5")


@pytest.mark.parametrize("bad", ["abc", "", "NaN", "Infinity", Decimal("NaN"), Decimal("-Infinity"), None, [1]])
def test_decimal_refuses_non_numbers(bad):
    with pytest.raises(ValueError):
        decimal(bad)


def test_decimal_refuses_booleans():
    with pytest.raises(TypeError):
        decimal(True)


BANDS = [{"from": None, "to": "10", "v": "a"}, {"from": "10", "to": "20", "v": "b"}, {"from": "20", "to": None, "v": "c"}]


@pytest.mark.parametrize("x, v", [(-5, "a"), ("9.999", "a"), (10, "b"), ("19.99", "b"), (20, "c"), (10**9, "c")])
def test_band_for_is_half_open(x, v):
    assert band_for(BANDS, x)["v"] == v


def test_band_for_raises_outside_closed_bands():
    with pytest.raises(LookupError):
        band_for([{"from": 0, "to": 1}], 1)
    with pytest.raises(LookupError):
        band_for([{"from": 0, "to": 1}], -1)


@pytest.mark.parametrize("bands", [
    [{"from": 0, "to": 1}, {"from": 2, "to": None}],          # gap
    [{"from": 0, "to": 2}, {"from": 1, "to": None}],          # overlap
    [{"from": 0, "to": None}, {"from": 5, "to": None}],       # two open tops
    [{"from": 3, "to": 3}],                                   # empty
])
def test_check_bands_refuses_bad_tilings(bands):
    with pytest.raises(ValueError):
        check_bands(bands)


def test_check_bands_accepts_any_order():
    check_bands(list(reversed(BANDS)))


@pytest.mark.parametrize("d, months, expected", [
    (date(2026, 3, 15), 36, date(2029, 3, 15)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),   # no 29 February: the month's last day
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2026, 5, 31), -3, date(2026, 2, 28)),
    (date(2026, 1, 15), -1, date(2025, 12, 15)),
    (date(2026, 12, 31), 2, date(2027, 2, 28)),
])
def test_add_months(d, months, expected):
    assert add_months(d, months) == expected
