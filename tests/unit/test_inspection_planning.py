"""Inspection caps, the annual plan and its 双随机 draw (services/supervision/inspections/planning.py)
with the shipped tables."""
import calendar
import math
import random
import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date

import pytest

from services.kit import ruletables
from services.supervision.grids import classes
from services.supervision.inspections import planning

CJK = re.compile(r"[\u4e00-\u9fff]")
YEAR = 2026
COUNTY = "620821"
TABLES = planning.tables()
CAPS = ruletables.effective(TABLES, "inspection_caps", date(YEAR, 1, 1))
RULES = ruletables.effective(TABLES, "plan", date(YEAR, 1, 1))
RATIOS = {k: ruletables.decimal(v) for k, v in RULES.body["ordinary_sample_ratio"].items()}
PER = RULES.body["officers_per_inspection"]
SECTORS = ("coal", "non_coal_mine", "hazardous_chemicals", "fireworks", "metallurgy", "nonferrous", "building_materials",
           "machinery", "light_industry", "textile", "tobacco", "commerce_trade", "construction", "transport", "other")

# RULES.md §14, the Shanxi 2025 table [confirmed]
SHANXI_BY_CLASS = {"coal": (2, 4, 6, 4), "non_coal_mine": (1, 1, 2, 4), "other": (1, 2, 4, 6)}
SHANXI_BY_GRADE = {"1": 2, "2": 4, "3": 8, None: 12}


# --- caps ------------------------------------------------------------------------------------------

def test_the_cap_table_is_the_confirmed_shanxi_table():
    assert CAPS.name == "inspection_caps" and CAPS.effective_from == date(2025, 1, 1) and "已核实" in CAPS.source


@pytest.mark.parametrize("sector", SECTORS)
@pytest.mark.parametrize("klass", ["A", "B", "C", "D"])
@pytest.mark.parametrize("grade", ["1", "2", "3", None])
def test_caps_for_every_sector_class_and_grade(sector, klass, grade):
    cap = planning.cap_for({"sector": sector, "standardization_grade": grade}, klass, table=CAPS)
    if sector in ("hazardous_chemicals", "metallurgy"):
        assert cap == SHANXI_BY_GRADE[grade]      # by standardization grade, whatever the class
    else:
        assert cap == SHANXI_BY_CLASS.get(sector, SHANXI_BY_CLASS["other"])["ABCD".index(klass)]


def test_a_cap_for_a_class_the_table_lacks_is_refused():
    with pytest.raises(ValueError, match="E"):
        planning.cap_for({"sector": "coal"}, "E", table=CAPS)


# --- inputs ------------------------------------------------------------------------------------------

def ent(i: int, *, sector="commerce_trade", grade=None, region=COUNTY + "100") -> dict:
    return {"uscc": f"91{region[:6]}MA{i:08d}", "name": f"测试企业{i}", "region_code": region, "sector": sector,
            "standardization_grade": grade, "grid_code": f"{region[:6]}001"}


def officer(i: int, **kw) -> dict:
    return {"id": f"o{i:03d}", "name": f"执法员{i}", "agency": "泾川县应急管理局", "region_code": COUNTY,
            "certificate_number": f"6200{i:06d}", "valid_until": date(YEAR + 1, 12, 31), "status": "active", **kw}


def world(*, key_coal=6, key_chem=4, ordinary=(("A", 40), ("B", 60), ("C", 30)), officers=12, seed_rng=1):
    """Enterprises of the county (key coal mines, key chemical plants of each grade, ordinary ones per
    class), their classes as minimal dicts, and officers all valid for the year."""
    ents, cls, i = [], {}, 0
    for _ in range(key_coal):
        e = ent(i := i + 1, sector="coal")
        ents.append(e)
        cls[e["uscc"]] = {"klass": "B", "key": True, "key_reasons_zh": ["煤矿企业"]}
    for n in range(key_chem):
        e = ent(i := i + 1, sector="hazardous_chemicals", grade=("1", "2", "3", None)[n % 4])
        ents.append(e)
        cls[e["uscc"]] = {"klass": "D", "key": True}
    for klass, count in ordinary:
        for _ in range(count):
            e = ent(i := i + 1, sector=random.Random(seed_rng + i).choice(SECTORS[6:]))
            ents.append(e)
            cls[e["uscc"]] = {"klass": klass, "key": False}
    return ents, cls, [officer(n) for n in range(officers)]


def plan_of(ents, cls, offs, *, seed=7, conflicts=(), county=COUNTY, caps=CAPS, rules=RULES):
    return planning.make_plan(county=county, year=YEAR, enterprises=ents, classifications=cls, officers=offs, seed=seed,
                              table_caps=caps, table_plan=rules, conflicts=conflicts)


ENTS, CLS, OFFS = world()
PLAN = plan_of(ENTS, CLS, OFFS)
BY_USCC = {e["uscc"]: e for e in ENTS}


def month_end(month: int) -> date:
    return date(YEAR, month, calendar.monthrange(YEAR, month)[1])


def assert_staffed_by_eligible(plan, offs, conflicts=()):
    by_id = {o["id"]: o for o in offs}
    for it in plan.items:
        assert len(it.officer_ids) == PER and len(set(it.officer_ids)) == PER
        for oid in it.officer_ids:
            o = by_id[oid]
            assert o["valid_until"] >= month_end(it.month) and o["status"] not in RULES.body["officer_excluded_statuses"]
            assert o["certificate_number"]
            assert (oid, it.uscc) not in set(conflicts)


# --- reproducibility and verification -----------------------------------------------------------------

def test_the_same_inputs_and_seed_give_the_identical_plan_whatever_the_input_order():
    shuffled_ents, shuffled_offs = ENTS[::-1], OFFS[::-1]
    again = plan_of(shuffled_ents, dict(reversed(list(CLS.items()))), shuffled_offs)
    assert again == PLAN and again.items == PLAN.items and again.digest == PLAN.digest


def test_a_different_seed_gives_a_different_draw_of_the_same_inputs():
    other = plan_of(ENTS, CLS, OFFS, seed=8)
    assert other.digest == PLAN.digest and other.seed == 8
    drawn = lambda p: {it.uscc for it in p.items if not it.key}  # noqa: E731
    assert drawn(other) != drawn(PLAN)
    assert [it.officer_ids for it in other.items] != [it.officer_ids for it in PLAN.items]


def test_the_plan_records_seed_digest_and_table_versions():
    assert PLAN.county == COUNTY and PLAN.year == YEAR and PLAN.seed == 7
    assert re.fullmatch(r"[0-9a-f]{64}", PLAN.digest)
    assert PLAN.tables == {"inspection_caps": date(2025, 1, 1), "plan": date(2026, 1, 1)}


def test_verify_plan_accepts_the_same_inputs():
    assert planning.verify_plan(PLAN, county=COUNTY, year=YEAR, enterprises=ENTS[::-1], classifications=CLS, officers=OFFS,
                                seed=7, table_caps=CAPS, table_plan=RULES)


@pytest.mark.parametrize("change", ["enterprise", "class", "officer", "conflict", "seed", "table"])
def test_verify_plan_detects_a_changed_input(change):
    ents, cls, offs, conflicts, seed, rules = list(ENTS), dict(CLS), list(OFFS), [], 7, RULES
    if change == "enterprise":
        ents[-1] = {**ents[-1], "name": ents[-1]["name"] + "（更名）"}
    elif change == "class":
        uscc = ents[-1]["uscc"]
        cls[uscc] = {**cls[uscc], "klass": "A" if cls[uscc]["klass"] != "A" else "B"}
    elif change == "officer":
        offs[0] = {**offs[0], "valid_until": date(YEAR + 2, 1, 1)}
    elif change == "conflict":
        conflicts = [(offs[0]["id"], ents[0]["uscc"])]
    elif change == "seed":
        seed = 8
    else:
        # a body changed where it does not change this draw: the digest still tells
        rules = replace(RULES, body={**RULES.body, "officer_excluded_statuses": [*RULES.body["officer_excluded_statuses"], "retired"]})
    assert not planning.verify_plan(PLAN, county=COUNTY, year=YEAR, enterprises=ents, classifications=cls, officers=offs,
                                    seed=seed, table_caps=CAPS, table_plan=rules, conflicts=conflicts)
    if change != "seed":
        assert plan_of(ents, cls, offs, seed=seed, conflicts=conflicts, rules=rules).digest != PLAN.digest


# --- what the plan contains ----------------------------------------------------------------------------

def test_every_item_has_distinct_eligible_officers_and_a_month_of_the_year():
    assert PLAN.items and not PLAN.unassigned
    assert_staffed_by_eligible(PLAN, OFFS)
    assert all(1 <= it.month <= 12 for it in PLAN.items)
    assert all(CJK.search(it.reason_zh) for it in PLAN.items)


def test_key_targets_get_their_full_cap_spread_over_the_year():
    for uscc, c in CLS.items():
        if not c["key"]:
            continue
        months = sorted(it.month for it in PLAN.items if it.uscc == uscc)
        cap = planning.cap_for(BY_USCC[uscc], c["klass"], table=CAPS)
        assert len(months) == cap
        gaps = [(b - a) for a, b in zip(months, months[1:])] + [months[0] + 12 - months[-1]]
        assert max(gaps) - min(gaps) <= 1  # evenly: 12/cap months apart, round the year
        assert all(it.key and it.reason_zh.startswith("重点检查对象") for it in PLAN.items if it.uscc == uscc)
    coal = next(it for it in PLAN.items if BY_USCC[it.uscc]["sector"] == "coal")
    assert coal.reason_zh == "重点检查对象（煤矿企业）"


def test_ordinary_targets_drawn_per_class_by_the_ratio_rounded_up():
    drawn = defaultdict(set)
    for it in PLAN.items:
        if not it.key:
            drawn[CLS[it.uscc]["klass"]].add(it.uscc)
            assert it.reason_zh == "双随机抽取"
    counts = Counter(c["klass"] for c in CLS.values() if not c["key"])
    for klass, n in counts.items():
        assert len(drawn[klass]) == math.ceil(RATIOS[klass] * n) == PLAN.summary["drawn_by_class"][klass]
    per_enterprise = Counter(it.uscc for it in PLAN.items if not it.key)
    assert set(per_enterprise.values()) == {RULES.body["ordinary_inspections"]}


@pytest.mark.parametrize("n", [1, 9, 10, 11, 20, 21])
def test_the_sample_size_on_and_just_past_a_whole_number(n):
    ents, cls, offs = world(key_coal=0, key_chem=0, ordinary=(("A", n),), officers=4)
    plan = plan_of(ents, cls, offs)
    expected = math.ceil(RATIOS["A"] * n)
    assert len({it.uscc for it in plan.items}) == expected
    if RATIOS["A"] * n == int(RATIOS["A"] * n):
        assert expected == RATIOS["A"] * n     # exactly on: no rounding
    else:
        assert expected == int(RATIOS["A"] * n) + 1


def test_the_yearly_load_bound_holds_and_the_months_are_balanced():
    total = len(PLAN.items)
    bound = math.ceil(PER * total / len(OFFS)) + 1
    load = Counter(oid for it in PLAN.items for oid in it.officer_ids)
    assert PLAN.summary["load_bound"] == bound and max(load.values()) <= bound and len(load) == len(OFFS)
    for month in range(1, 13):
        in_month = [it for it in PLAN.items if it.month == month]
        monthly = Counter(oid for it in in_month for oid in it.officer_ids)
        assert max(monthly.values(), default=0) <= math.ceil(PER * len(in_month) / len(OFFS)) + 1


def test_the_load_bound_holds_at_city_scale_with_expiring_certificates():
    rng = random.Random(3)
    ents, cls, offs = world(key_coal=60, key_chem=80, ordinary=(("A", 900), ("B", 1500), ("C", 600)), officers=40)
    for o in offs[:4]:
        o["valid_until"] = date(YEAR, rng.randint(2, 11), 10)
    plan = plan_of(ents, cls, offs)
    eligible = [o for o in offs if o["valid_until"] >= month_end(1)]
    load = Counter(oid for it in plan.items for oid in it.officer_ids)
    assert not plan.unassigned
    assert max(load.values()) <= math.ceil(PER * plan.summary["inspections"] / len(eligible)) + 1
    assert_staffed_by_eligible(plan, offs)


# --- officers ----------------------------------------------------------------------------------------

def test_ineligible_officers_are_never_drawn():
    offs = [officer(n) for n in range(6)] + [
        officer(90, valid_until=date(YEAR, 1, 30)),            # expires before the end of the first month
        officer(91, status="suspended"), officer(92, status="revoked"),
        officer(93, certificate_number=""),
        officer(94, region_code="620822"),                     # another county
        officer(95, valid_until=date(YEAR - 1, 12, 31)),
    ]
    plan = plan_of(ENTS, CLS, offs)
    drawn = {oid for it in plan.items for oid in it.officer_ids}
    assert drawn == {o["id"] for o in offs[:6]}
    assert plan.summary["eligible_officers"] == 6 and plan.summary["officers"] == len(offs)


def test_a_certificate_expiring_during_the_year_serves_only_the_months_it_covers():
    offs = [officer(n) for n in range(6)] + [officer(80, valid_until=date(YEAR, 6, 30)),   # the whole of June
                                             officer(81, valid_until=date(YEAR, 6, 29))]   # the end of May
    plan = plan_of(ENTS, CLS, offs)
    months = defaultdict(set)
    for it in plan.items:
        for oid in it.officer_ids:
            months[oid].add(it.month)
    assert max(months["o080"]) == 6 and max(months["o081"]) == 5
    assert_staffed_by_eligible(plan, offs)


def test_city_officers_serve_a_county_plan_and_county_officers_the_city_plan():
    offs = [officer(0, region_code="620800"), officer(1), officer(2, region_code="620822")]
    assert plan_of(ENTS, CLS, offs).summary["eligible_officers"] == 2
    ents = ENTS + [ent(900, region="620822100")]
    cls = {**CLS, ents[-1]["uscc"]: {"klass": "A", "key": False}}
    assert plan_of(ents, cls, offs, county="620800").summary["eligible_officers"] == 3


def test_no_conflict_pair_is_ever_drawn():
    rng = random.Random(5)
    conflicts = [(o["id"], e["uscc"]) for e in ENTS for o in OFFS if rng.random() < 0.3]
    plan = plan_of(ENTS, CLS, OFFS, conflicts=conflicts)
    assert_staffed_by_eligible(plan, OFFS, conflicts)
    assert len(plan.items) + len(plan.unassigned) == plan.summary["inspections"]


def test_an_enterprise_everyone_is_barred_from_is_unassigned_with_the_reason():
    uscc = next(u for u, c in CLS.items() if c["key"])
    conflicts = [(o["id"], uscc) for o in OFFS[1:]]
    plan = plan_of(ENTS, CLS, OFFS, conflicts=conflicts)
    cap = planning.cap_for(BY_USCC[uscc], CLS[uscc]["klass"], table=CAPS)
    mine = [u for u in plan.unassigned if u[0] == uscc]
    assert len(mine) == cap and not any(it.uscc == uscc for it in plan.items)
    assert all("回避" in reason and re.match(r"\d{1,2}月：", reason) for _, reason in mine)
    assert plan.summary["unassigned"] == cap


def test_fewer_eligible_officers_than_an_inspection_needs_is_refused():
    offs = [officer(0), officer(1, status="suspended"), officer(2, valid_until=date(YEAR, 1, 1))]
    with pytest.raises(ValueError) as e:
        plan_of(ENTS, CLS, offs)
    zh, en = str(e.value).split(" / ")
    assert CJK.search(zh) and "fewer than 2 eligible officers" in en and not CJK.search(en)


def test_exactly_two_officers_staff_every_inspection_within_the_bound():
    offs = OFFS[:PER]
    ents, cls, _ = world(key_coal=2, key_chem=0, ordinary=(("A", 10),))
    plan = plan_of(ents, cls, offs)
    assert not plan.unassigned and all(set(it.officer_ids) == {o["id"] for o in offs} for it in plan.items)


# --- refused inputs --------------------------------------------------------------------------------------

def test_inconsistent_inputs_are_refused():
    with pytest.raises(ValueError, match="listed twice"):
        plan_of(ENTS + ENTS[:1], CLS, OFFS)
    with pytest.raises(ValueError, match="not in region"):
        plan_of(ENTS + [ent(901, region="620822100")], {**CLS, ent(901, region="620822100")["uscc"]: {"klass": "A", "key": False}},
                OFFS)
    with pytest.raises(ValueError, match="no class"):
        plan_of(ENTS + [ent(902)], CLS, OFFS)
    with pytest.raises(ValueError, match="officer listed twice"):
        plan_of(ENTS, CLS, OFFS + OFFS[:1])


def test_classifications_from_classify_plan_like_their_minimal_dicts():
    table = classes.table_for(YEAR)
    facts = {"accidents": [], "open_hazards": {}, "risk_colour": "blue", "credit_grade": None, "listed_dishonest": False}
    ents = [ent(1, sector="coal", grade="2"), ent(2, sector="commerce_trade", grade="1")]
    cls = {e["uscc"]: classes.classify({**e, **facts, "major_hazard_sources": []}, table=table) for e in ents}
    plan = plan_of(ents, cls, OFFS)
    minimal = {u: {"klass": c.klass, "key": c.key, "key_reasons_zh": c.key_reasons_zh} for u, c in cls.items()}
    assert plan == plan_of(ents, minimal, OFFS)
    coal = [it for it in plan.items if it.uscc == ents[0]["uscc"]]
    assert len(coal) == planning.cap_for(ents[0], cls[ents[0]["uscc"]].klass, table=CAPS)


def test_the_months_carry_equal_numbers_of_inspections():
    per_month = Counter(it.month for it in PLAN.items)
    assert set(per_month) == set(range(1, 13)) and max(per_month.values()) - min(per_month.values()) <= 1


def test_an_officer_never_passes_the_yearly_bound_even_when_the_others_cannot_share_the_load():
    offs = [officer(0), officer(1), officer(2, valid_until=month_end(1))]  # the third serves January only
    plan = plan_of(ENTS, CLS, offs)
    bound = math.ceil(PER * plan.summary["inspections"] / len(offs)) + 1
    load = Counter(oid for it in plan.items for oid in it.officer_ids)
    assert plan.summary["load_bound"] == bound and max(load.values()) == bound
    assert plan.unassigned and all("年度检查次数上限" in reason for _, reason in plan.unassigned)
    assert len(plan.items) + len(plan.unassigned) == plan.summary["inspections"]
