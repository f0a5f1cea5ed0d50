"""services.datacenter.seed.generator: deterministic, valid, realistic 平凉市 demo data. Pure: every
record is checked the way the loader checks it (parse of its JSON form, the kind's rules), without
a database; region, sector and other dictionary codes are read from the migrations."""
import re
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from services.datacenter.hazards.rules import PLAN_FIELDS
from services.datacenter.licences.kind import read_status
from services.datacenter.registry import catalogue
from services.datacenter.registry.values import SHANGHAI, json_ready, parse
from services.datacenter.ruletables import effective, load_defaults
from services.datacenter.seed import generator
from services.datacenter.seed.__main__ import derive_context, rule_context, validate
from services.datacenter.supplies import rules as supplies_rules
from services.kit.codes import resident_id_problem, uscc_problem

MIGRATIONS = Path(__file__).resolve().parents[2] / "services/datacenter/migrations"
TODAY = datetime.now(SHANGHAI).date()   # the loader generates up to today, and the rules compare with the real clock
FIXED = date(2026, 6, 30)
COUNTIES = {"620802", "620821", "620822", "620823", "620825", "620826", "620881"}
PEOPLE = ("expert", "officer", "trainee")


def _codes(table: str) -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(MIGRATIONS.glob("*.sql")))
    out = set()
    for block in re.findall(rf"INSERT INTO dictionaries\.{table} \([^)]*\) VALUES(.*?);", text, re.S):
        out |= set(re.findall(r"^\s*\('([^']+)'", block, re.M))
    return out


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict]]:
    return {kind: list(records) for kind, records in generator.generate(200, as_of=TODAY).items()}


@pytest.fixture(scope="module")
def data500() -> dict[str, list[dict]]:
    return {kind: list(records) for kind, records in generator.generate(500, as_of=TODAY).items()}


@pytest.fixture(scope="module")
def ctx():
    return rule_context()


def _enterprises(data: dict) -> dict[str, dict]:
    return {e["uscc"]: e for e in data["enterprise"]}


# --- determinism ----------------------------------------------------------------------------------

def test_same_seed_same_records():
    first = {k: [json_ready(r) for r in v] for k, v in generator.generate(120, 7, as_of=FIXED).items()}
    again = {k: [json_ready(r) for r in v] for k, v in generator.generate(120, 7, as_of=FIXED).items()}
    assert first == again
    other = [r["uscc"] for r in generator.generate(120, 8, as_of=FIXED)["enterprise"]]
    assert other != [r["uscc"] for r in first["enterprise"]]


def test_kinds_are_independent_streams():
    """Reading only some kinds, or in another order, gives the same records."""
    whole = generator.generate(60, as_of=FIXED)
    alone = list(generator.generate(60, as_of=FIXED)["hazard"])
    assert [json_ready(r) for r in whole["hazard"]] == [json_ready(r) for r in alone]


def test_a_later_day_moves_dates_not_names_or_codes():
    a = list(generator.generate(50, as_of=FIXED)["enterprise"])
    b = list(generator.generate(50, as_of=FIXED + timedelta(days=40))["enterprise"])
    assert [(r["uscc"], r["name"], r["region_code"]) for r in a] == [(r["uscc"], r["name"], r["region_code"]) for r in b]


# --- every record is what the API would accept --------------------------------------------------

def test_every_kind_is_generated_in_dependency_order(data):
    assert tuple(data) == generator.KINDS
    assert set(data) == set(catalogue.KINDS)
    assert all(data[k] for k in data)


def test_every_record_survives_the_parse_round_trip(data):
    for name, records in data.items():
        kind = catalogue.KINDS[name]
        for r in records:
            values, problems = parse(kind, json_ready(r))
            assert not problems, (name, r, problems)
            assert values == r, name
            assert not any(f.computed for f in kind.fields if f.name in r)


def test_every_record_passes_its_kinds_rules_and_derives(data, ctx):
    enterprises = _enterprises(data)
    for name, records in data.items():
        kind = catalogue.KINDS[name]
        for i, r in enumerate(records, start=1):
            enterprise = enterprises.get(r.get("uscc")) if kind.owned else None
            values = validate(kind, r, ctx, enterprise=enterprise, index=i)   # raises SeedError with the reasons
            if kind.owned:
                assert values["region_code"] == enterprise["region_code"]
            if kind.derive:
                values.update(kind.derive(values, derive_context(kind, values, ctx)))


def test_owned_records_point_at_generated_enterprises(data):
    usccs = {e["uscc"] for e in data["enterprise"]}
    for name, records in data.items():
        if catalogue.KINDS[name].owned:
            assert {r["uscc"] for r in records} <= usccs, name
    assert {t["employer_uscc"] for t in data["trainee"]} <= usccs
    assert {t["affiliated_uscc"] for t in data["rescue_team"] if t.get("affiliated_uscc")} <= usccs
    assert {i["warehouse_id"] for i in data["supply_item"]} <= set(range(1, len(data["supply_warehouse"]) + 1))
    assert {m["item_id"] for m in data["supply_movement"]} <= set(range(1, len(data["supply_item"]) + 1))


def test_dictionary_codes_exist(data):
    regions, sectors = _codes("region"), _codes("sector")
    specialties, fields = _codes("rescue_specialty"), _codes("expert_field")
    assert len(regions) > 1500 and "620802106" in regions
    for name, records in data.items():
        for r in records:
            if "region_code" in r:
                assert r["region_code"] in regions, (name, r["region_code"])
    assert {e["sector"] for e in data["enterprise"]} <= sectors
    assert {t["specialty"] for t in data["rescue_team"]} <= specialties
    assert {f for x in data["expert"] for f in x["fields"]} <= fields


# --- codes ----------------------------------------------------------------------------------------

def test_credit_codes_are_valid_and_registered_in_the_county(data):
    codes = [e["uscc"] for e in data["enterprise"]]
    assert len(set(codes)) == len(codes)
    for e in data["enterprise"]:
        assert uscc_problem(e["uscc"]) is None
        assert e["uscc"][:2] in ("91", "92")
        assert e["uscc"][2:8] == e["region_code"][:6]          # characters 3-8: the registering county
        org = e["uscc"][8:17]                                    # GB 11714 organisation code with its own check
        assert generator.organisation_code(org[:8]) == org


def test_id_numbers_are_valid(data):
    for name in PEOPLE:
        for p in data[name]:
            assert resident_id_problem(p["id_number"]) is None, (name, p["id_number"])
            born = date(int(p["id_number"][6:10]), int(p["id_number"][10:12]), int(p["id_number"][12:14]))
            assert 18 <= (TODAY - born).days // 365 <= 70
    for x in data["expert"]:   # the 17th digit is odd for men
        assert (int(x["id_number"][16]) % 2 == 1) == (x["gender"] == "male")


# --- realism --------------------------------------------------------------------------------------

def test_enterprises_cover_every_county_and_the_local_trades(data):
    ents = data["enterprise"]
    assert {e["region_code"][:6] for e in ents} == COUNTIES
    assert all(len(e["region_code"]) == 9 for e in ents)        # a township
    assert {e["region_code"][:6] for e in generator.generate(7, as_of=FIXED)["enterprise"]} == COUNTIES
    sectors = Counter(e["sector"] for e in ents)
    assert {"coal", "hazardous_chemicals", "building_materials", "fireworks", "non_coal_mine", "commerce_trade",
            "construction"} <= set(sectors)
    coal_counties = Counter(e["region_code"][:6] for e in ents if e["sector"] == "coal")
    assert coal_counties.most_common(1)[0][0] in ("620881", "620823")   # 华亭, 崇信


def test_industry_codes_match_the_sector(data):
    prefixes = {"coal": ("B06",), "non_coal_mine": ("B10",), "hazardous_chemicals": ("C26", "F51", "F52", "D45", "G59"),
                "fireworks": ("F51", "F52"), "building_materials": ("C30",), "light_industry": ("C13", "C15", "C21", "C22"),
                "machinery": ("C33", "C34", "C35", "C36"), "metallurgy": ("C31",), "nonferrous": ("C32",),
                "textile": ("C17", "C18"), "commerce_trade": ("F51", "F52", "H61", "H62", "G59"), "construction": ("E",),
                "transport": ("G54",), "other": ("D", "N")}
    for e in data["enterprise"]:
        assert e["industry_code"].startswith(prefixes[e["sector"]]), e
        assert e["scale"] != "large" or e["employees"] >= 300


def test_enterprises_sit_near_their_county_seat(data):
    for e in data["enterprise"]:
        c = generator.COUNTY[e["region_code"][:6]]
        assert abs(e["lon"] - c.lon) < 0.3 and abs(e["lat"] - c.lat) < 0.25, e
        assert e["address"].startswith(f"甘肃省平凉市{c.name}")


def test_counts_follow_the_scale(data, data500):
    for d, s in ((data, 200), (data500, 500)):
        assert len(d["enterprise"]) == s
        assert len(d["hazard"]) == 5 * s
        assert abs(len(d["major_hazard"]) - s / 20) <= s / 40
        assert len(d["accident"]) == round(s / 50)
        assert len(d["trainee"]) == round(1.5 * s)
    assert len(data500["supply_item"]) > len(data["supply_item"])


def test_small_scales_still_make_every_kind():
    for s in (1, 7, 20):
        d = {k: list(v) for k, v in generator.generate(s, as_of=FIXED).items()}
        assert len(d["enterprise"]) == s
        assert all(d[k] for k in d if k not in ("major_hazard", "licence")), s
        assert d["major_hazard"] or s == 1


def test_hazards_are_spread_over_36_months_with_the_whole_closed_loop(data):
    hazards = data["hazard"]
    days = [(TODAY - h["found_at"].date()).days for h in hazards]
    assert min(days) >= 1 and max(days) <= 3 * 365 + 1 and max(days) > 900
    statuses = Counter(h["status"] for h in hazards)
    assert set(statuses) == {"registered", "rectifying", "awaiting_verification", "closed"}
    assert statuses["closed"] > len(hazards) / 2
    levels = Counter(h["level"] for h in hazards)
    assert 0 < levels["major"] < len(hazards) / 10
    for h in hazards:
        if h["status"] == "closed":
            v = h["verification"]
            assert v["result"] == "passed" and v["verified_by"] != h["responsible_person"]
            assert h["found_at"] < v["verified_at"] and v["verified_at"].date() < TODAY
        if h["level"] == "major" and h["status"] != "registered":
            assert all(h["plan"].get(f) for f, _ in PLAN_FIELDS)
    overdue = [h for h in hazards if h["status"] != "closed" and h.get("deadline") and h["deadline"] < TODAY]
    assert overdue and len(overdue) < len(hazards) / 5
    assert any(h.get("supervision") for h in hazards)


def test_major_hazard_sources_are_major_under_gb18218(data, ctx):
    substances = effective(load_defaults(), "gb18218_substances", TODAY).body["substances"]
    kind = catalogue.KINDS["major_hazard"]
    grades = Counter()
    for m in data["major_hazard"]:
        for c in m["chemicals"]:
            assert substances[c["cas"]]["threshold_t"] is not None
            assert Decimal(substances[c["cas"]]["threshold_t"]) == generator.THRESHOLDS_T[c["cas"]]
        derived = kind.derive(m, ctx)
        assert derived["s_value"] >= 1 and derived["grade"] in ("1", "2", "3", "4")
        grades[derived["grade"]] += 1
    hazchem = {e["uscc"] for e in data["enterprise"] if e["sector"] == "hazardous_chemicals"}
    assert {m["uscc"] for m in data["major_hazard"]} <= hazchem
    assert len(grades) >= 2


def test_accidents_cover_three_grades_at_scale_500(data500, ctx):
    kind = catalogue.KINDS["accident"]
    grades = Counter(kind.derive(a, ctx)["grade"] for a in data500["accident"])
    assert len(grades) >= 3
    assert grades.most_common(1)[0][0] == "general"
    assert grades["major"] <= 2 and grades["extraordinary"] == 0
    for a in data500["accident"]:
        assert a["reports"] and a["reports"][0]["level"] == "county"
        assert a["occurred_at"].date() < TODAY


def test_the_supply_ledger_never_goes_negative(data):
    balances: dict[int, Decimal] = {}
    for m in data["supply_movement"]:
        new, refused = supplies_rules.balance_after(balances.get(m["item_id"], Decimal(0)), m["direction"], m["quantity"])
        assert not refused, m
        balances[m["item_id"]] = new
    assert set(balances) == set(range(1, len(data["supply_item"]) + 1))   # every item was stocked
    first = {}
    for m in data["supply_movement"]:
        first.setdefault(m["item_id"], m["direction"])
    assert set(first.values()) == {"in"}


def test_licences_include_expired_and_renewal_window(data):
    tables = load_defaults()
    status = Counter(read_status(x, today=TODAY, tables=tables)["status"] for x in data["licence"])
    assert status["valid"] and status["expired"] and status["renewal_open"]
    assert {"work_safety", "hazchem_operation", "fireworks_retail"} <= {x["licence_type"] for x in data["licence"]}


def test_trainees_and_officers_hang_together(data):
    for t in data["trainee"]:
        assert (t["category"] == "special_operation") == bool(t.get("operation_type"))
        if t.get("certificate_number"):
            assert any(e["passed"] for e in t["exams"])
    agencies = {o["agency"] for o in data["officer"]}
    assert "平凉市应急管理局" in agencies and len(agencies) == 16
