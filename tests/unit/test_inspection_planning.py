"""Inspection caps, the annual plan and its 双随机 draw (services/supervision/inspections/planning.py)
with the shipped tables, and what the serious-dishonesty list's plans measure (credit's
dishonesty_list table, through dishonesty.consequences as the servicer reads it) makes of a listed
enterprise: at its edges (listed, not listed, the cap reached, a listing expired or removed before
the plan's day)."""
import calendar
import math
import random
import re
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.kit import ruletables
from services.supervision.credit import dishonesty, ledger as credit_ledger
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


def plan_of(ents, cls, offs, *, seed=7, conflicts=(), county=COUNTY, caps=CAPS, rules=RULES, listed=None):
    return planning.make_plan(county=county, year=YEAR, enterprises=ents, classifications=cls, officers=offs, seed=seed,
                              table_caps=caps, table_plan=rules, conflicts=conflicts, listed=listed)


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


# --- the serious-dishonesty list (严重失信主体名单): the plans measure ------------------------------------

PLAN_DAY = date(2026, 12, 15)   # the day the plan is drawn, under the list table's precise version (the draw never compares it with YEAR)
LIST_TABLES = [t for t in credit_ledger.TABLES if t.name == credit_ledger.LIST]
LIST_TABLE = credit_ledger.table(credit_ledger.LIST, PLAN_DAY)
REASON = "严重失信主体名单（提高检查频次）"
ORDINARY_A = next(u for u, c in sorted(CLS.items()) if c["klass"] == "A" and not c["key"])
KEY_COAL = next(u for u, c in sorted(CLS.items()) if c["key"] and BY_USCC[u]["sector"] == "coal")


def listing(uscc: str, listed_on: date, *, removed_on: date | None = None) -> dict:
    return {"uscc": uscc, "status": "removed" if removed_on else "listed", "listed_on": listed_on,
            "expires_on": dishonesty.expires_on(listed_on, LIST_TABLE), "removed_on": removed_on}


def listed_on(day: date, *listings: dict, table=LIST_TABLE) -> dict:
    """What the servicer hands the draw: each enterprise's consequences on the plan's day, those for plans."""
    out = {}
    for uscc in sorted({x["uscc"] for x in listings}):
        plans = [c for c in dishonesty.consequences(uscc, day, listings, table) if c["applies_to"] == "plans"]
        if plans:
            out[uscc] = plans
    return out


def items_of(plan, uscc):
    return [it for it in plan.items if it.uscc == uscc]


def test_the_plans_measure_is_a_precise_new_version_of_the_list_table():
    first, precise = sorted(LIST_TABLES, key=lambda t: t.effective_from)[:2]
    assert (first.effective_from, precise.effective_from) == (date(2026, 1, 1), date(2026, 12, 1))
    assert credit_ledger.version(credit_ledger.LIST, PLAN_DAY) == date(2026, 12, 1)
    (measure,) = [c for c in precise.body["consequences"] if c["applies_to"] == "plans"]
    assert measure == {"applies_to": "plans", "consequence_zh": "列为重点检查对象，纳入年度执法计划全覆盖检查并提高检查频次",
                       "effect": "key_target", "extra_inspections": 0, "within_cap": True, "reason_zh": REASON}
    dishonesty.check_table(precise.body)
    assert "[verify" in precise.source and "国办发〔2024〕54号" in precise.source
    # the older version is kept as it was (vague), and nothing else changed with the new one
    (vague,) = [c for c in first.body["consequences"] if c["applies_to"] == "plans"]
    assert set(vague) == {"applies_to", "consequence_zh"}
    assert {k: v for k, v in precise.body.items() if k != "consequences"} == {k: v for k, v in first.body.items() if k != "consequences"}
    assert [c for c in precise.body["consequences"] if c["applies_to"] != "plans"] == \
        [c for c in first.body["consequences"] if c["applies_to"] != "plans"]


def test_the_pure_rule_at_the_cap():
    shipped = planning.listed_measure(dishonesty.consequences("x", PLAN_DAY, [listing("x", PLAN_DAY)], LIST_TABLE))
    assert shipped == {"effect": "key_target", "extra_inspections": 0, "within_cap": True, "reason_zh": REASON}
    assert planning.listed_inspections(4, shipped) == (4, 0), "the shipped measure: the cap, nothing left out"
    one_more = shipped | {"extra_inspections": 1}
    assert planning.listed_inspections(4, one_more) == (4, 1), "within the cap: the extra is left out, and counted"
    assert planning.listed_inspections(1, one_more | {"extra_inspections": 3}) == (1, 3)
    assert planning.listed_inspections(4, one_more | {"within_cap": False}) == (5, 0), "a measure lifting the cap"
    assert planning.listed_measure([]) is None
    assert planning.listed_measure([{"applies_to": "licensing", "consequence_zh": "从严审查"}]) is None


def test_a_listed_ordinary_enterprise_is_a_key_target_at_its_cap_with_the_reason():
    listed = listed_on(PLAN_DAY, listing(ORDINARY_A, PLAN_DAY - timedelta(days=30)))
    plan = plan_of(ENTS, CLS, OFFS, listed=listed)
    mine = items_of(plan, ORDINARY_A)
    cap = planning.cap_for(BY_USCC[ORDINARY_A], "A", table=CAPS)
    assert len(mine) == cap and all(it.key and it.reason_zh == REASON for it in mine)
    assert plan.listed == (planning.ListedTarget(ORDINARY_A, BY_USCC[ORDINARY_A]["name"], "A", False, cap, cap, 0, REASON),)
    assert plan.summary["listed_dishonest"] == 1 and plan.summary["listed_made_key"] == 1
    assert plan.summary["listed_inspections"] == cap and plan.summary["listed_extra_capped"] == 0
    assert plan.summary["key_targets"] == PLAN.summary["key_targets"] + 1
    assert plan.summary["ordinary_by_class"]["A"] == PLAN.summary["ordinary_by_class"]["A"] - 1, "out of the 双随机 draw"
    assert_staffed_by_eligible(plan, OFFS)


def test_with_a_higher_cap_a_listed_enterprise_is_inspected_more_often_than_a_drawn_one():
    # a class C 商贸 enterprise: drawn at most once a year by 双随机; listed, its cap (4) spread over the year
    ents, cls, offs = world(key_coal=0, key_chem=0, ordinary=(("C", 10),), officers=6)
    uscc = next(e["uscc"] for e in ents if e["sector"] not in ("hazardous_chemicals", "metallurgy"))
    plan = plan_of(ents, cls, offs, listed=listed_on(PLAN_DAY, listing(uscc, PLAN_DAY)))
    cap = planning.cap_for(next(e for e in ents if e["uscc"] == uscc), "C", table=CAPS)
    months = sorted(it.month for it in items_of(plan, uscc))
    assert cap > RULES.body["ordinary_inspections"] and len(months) == cap
    gaps = [(b - a) for a, b in zip(months, months[1:])] + [months[0] + 12 - months[-1]]
    assert max(gaps) - min(gaps) <= 1


def test_a_listed_key_target_stays_at_its_cap_and_keeps_its_class_reason():
    plan = plan_of(ENTS, CLS, OFFS, listed=listed_on(PLAN_DAY, listing(KEY_COAL, PLAN_DAY - timedelta(days=400))))
    cap = planning.cap_for(BY_USCC[KEY_COAL], CLS[KEY_COAL]["klass"], table=CAPS)
    mine = items_of(plan, KEY_COAL)
    assert len(mine) == cap == len(items_of(PLAN, KEY_COAL)), "the province's cap holds"
    assert {it.reason_zh for it in mine} == {f"重点检查对象（煤矿企业）；{REASON}"}
    (t,) = plan.listed
    assert (t.class_key, t.cap, t.inspections, t.extra_capped) == (True, cap, cap, 0)
    assert plan.summary["listed_made_key"] == 0 and plan.summary["key_targets"] == PLAN.summary["key_targets"]


def test_the_cap_reached_leaves_an_extra_inspection_out_unless_the_measure_lifts_the_cap():
    one_more = {u: [c | {"extra_inspections": 1} for c in cs] for u, cs in
                listed_on(PLAN_DAY, listing(KEY_COAL, PLAN_DAY), listing(ORDINARY_A, PLAN_DAY)).items()}
    capped = plan_of(ENTS, CLS, OFFS, listed=one_more)
    caps = {u: planning.cap_for(BY_USCC[u], CLS[u]["klass"], table=CAPS) for u in one_more}
    for u in one_more:
        assert len(items_of(capped, u)) == caps[u]
    assert [t.extra_capped for t in capped.listed] == [1, 1] and capped.summary["listed_extra_capped"] == 2
    lifted = plan_of(ENTS, CLS, OFFS, listed={u: [c | {"within_cap": False} for c in cs] for u, cs in one_more.items()})
    for u in one_more:
        assert len(items_of(lifted, u)) == caps[u] + 1
        assert len({it.month for it in items_of(lifted, u)}) == caps[u] + 1, "spread over distinct months"
    assert lifted.summary["listed_extra_capped"] == 0 and lifted.summary["listed_inspections"] == sum(caps.values()) + 2


def test_not_listed_the_plan_is_exactly_as_before():
    assert plan_of(ENTS, CLS, OFFS, listed={}) == PLAN
    assert plan_of(ENTS, CLS, OFFS, listed={ORDINARY_A: []}) == PLAN
    assert PLAN.listed == () and PLAN.summary["listed_dishonest"] == 0
    licensing_only = {ORDINARY_A: [{"applies_to": "licensing", "consequence_zh": "行政许可从严审查"}]}
    assert plan_of(ENTS, CLS, OFFS, listed=licensing_only) == PLAN, "only the plans measure is read"


@pytest.mark.parametrize("case, applies", [
    ("listed the day before", True),
    ("listed on the plan's day", True),
    ("listed the day after", False),
    ("term ends on the plan's day", True),
    ("term ended the day before", False),
    ("removed the day before", False),
    ("removed on the plan's day", False),
    ("removed the day after", True),
])
def test_only_a_listing_active_on_the_plan_day_applies(case, applies):
    day = timedelta(days=1)
    x = {"listed the day before": listing(ORDINARY_A, PLAN_DAY - day),
         "listed on the plan's day": listing(ORDINARY_A, PLAN_DAY),
         "listed the day after": listing(ORDINARY_A, PLAN_DAY + day),
         "term ends on the plan's day": listing(ORDINARY_A, ruletables.add_months(PLAN_DAY, -36)),
         "term ended the day before": listing(ORDINARY_A, ruletables.add_months(PLAN_DAY - day, -36)),
         "removed the day before": listing(ORDINARY_A, PLAN_DAY - timedelta(days=400), removed_on=PLAN_DAY - day),
         "removed on the plan's day": listing(ORDINARY_A, PLAN_DAY - timedelta(days=400), removed_on=PLAN_DAY),
         "removed the day after": listing(ORDINARY_A, PLAN_DAY - timedelta(days=400), removed_on=PLAN_DAY + day)}[case]
    if case.startswith("term"):
        assert x["expires_on"] == PLAN_DAY - (day if "before" in case else timedelta(0))
    plan = plan_of(ENTS, CLS, OFFS, listed=listed_on(PLAN_DAY, x))
    mine = items_of(plan, ORDINARY_A)
    if applies:
        assert mine and all(it.key and it.reason_zh == REASON for it in mine) and plan.summary["listed_dishonest"] == 1
    else:
        assert plan == PLAN, "an expired, removed or later listing changes nothing"


def test_the_listed_set_is_a_recorded_input_of_the_digest_and_the_verification():
    listed = listed_on(PLAN_DAY, listing(ORDINARY_A, PLAN_DAY))
    plan = plan_of(ENTS, CLS, OFFS, listed=listed)
    assert plan.digest != PLAN.digest
    again = plan_of(ENTS[::-1], dict(reversed(list(CLS.items()))), OFFS[::-1], listed=dict(reversed(list(listed.items()))))
    assert again == plan, "the same inputs and seed in any order"
    kw = dict(county=COUNTY, year=YEAR, enterprises=ENTS, classifications=CLS, officers=OFFS, seed=7, table_caps=CAPS, table_plan=RULES)
    assert planning.verify_plan(plan, **kw, listed=listed)
    assert not planning.verify_plan(plan, **kw), "the listed set left out"
    assert not planning.verify_plan(plan, **kw, listed={u: [c | {"reason_zh": "另一原因"} for c in cs] for u, cs in listed.items()}), \
        "the measure's wording is digested"
    assert not planning.verify_plan(PLAN, **kw, listed=listed)


def test_a_vague_measure_or_a_listed_stranger_is_refused():
    first = min(LIST_TABLES, key=lambda t: t.effective_from).body
    vague = listed_on(date(2026, 6, 1), listing(ORDINARY_A, date(2026, 5, 1)), table=first)
    with pytest.raises(ValueError, match="not precise: .*effect is one of key_target"):
        plan_of(ENTS, CLS, OFFS, listed=vague)
    with pytest.raises(ValueError, match="not precise: .*reason_zh"):
        plan_of(ENTS, CLS, OFFS, listed={u: [c | {"reason_zh": ""} for c in cs] for u, cs in listed_on(PLAN_DAY, listing(ORDINARY_A, PLAN_DAY)).items()})
    with pytest.raises(ValueError, match="not one of the plan's"):
        plan_of(ENTS, CLS, OFFS, listed=listed_on(PLAN_DAY, listing(ent(999)["uscc"], PLAN_DAY)))
