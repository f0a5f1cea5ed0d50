"""Benchmark of the enterprise classes and the annual inspection plan (pure Python, no platform):

    .venv/bin/python -m bench.plan            # 20,000 enterprises, 200 officers, 5 runs each
    .venv/bin/python -m bench.plan --enterprises 5000 --runs 3

Synthetic inputs from a seeded generator: enterprises across Pingliang's seven counties weighted
as the demo data's (services/datacenter/seed/generator.py: COUNTIES, SECTOR_WEIGHTS), with a mix of
standardization grades, risk colours, major hazard sources, open hazards, accidents, credit grades
and a few on the serious-dishonesty list; officers in every county and at the city, a few with a
certificate expiring during the year or suspended; conflicts (回避) for about one enterprise in a hundred.

Prints, as the median of the runs, beside the ceiling measured in the same run on the same inputs:
  1. classes.classify for every enterprise, enterprises/s; ceiling: one pass copying each
     enterprise's dict and reading its sector's points from the table (touching every input once
     and allocating what a result that keeps its inputs must);
  2. planning.make_plan for each county in turn (the seven plans' times added) and for the whole
     city in one call, enterprises/s; ceiling: sorting the same enterprises by uscc and officers by
     id and shuffling both with random.Random — the floor any reproducible draw pays.
The plans' sizes and officer loads are printed too. Figures, never assertions: this is not a test."""
from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date

from bench import results
from services.datacenter.seed.generator import COUNTIES, SECTOR_WEIGHTS
from services.kit import ruletables
from services.kit.codes import uscc_check_char
from services.supervision.credit import dishonesty, ledger as credit_ledger
from services.supervision.grids import classes
from services.supervision.inspections import planning

YEAR = 2026
CITY = "620800"
SEED = 20260101
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# (一级, 二级, 三级, none) and (red, orange, yellow, blue, not graded) by kind of sector
HIGH_RISK = ("coal", "non_coal_mine", "hazardous_chemicals", "fireworks", "metallurgy", "nonferrous")
GRADES_HIGH, GRADES_LOW = (10, 40, 35, 15), (1, 8, 30, 61)
COLOURS_HIGH, COLOURS_LOW = (4, 25, 45, 20, 6), (1, 6, 38, 45, 10)
MAJOR_HAZARD_SHARE = {"coal": 0.3, "hazardous_chemicals": 0.35, "metallurgy": 0.15, "nonferrous": 0.1, "fireworks": 0.1}


def _pick(rng: random.Random, values, weights):
    return rng.choices(values, weights)[0]


def enterprises(n: int, rng: random.Random) -> list[dict]:
    sectors, weights = list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values())
    out = []
    for i in range(n):
        county = _pick(rng, COUNTIES, [c.weight for c in COUNTIES])
        sector = _pick(rng, sectors, weights)
        high = sector in HIGH_RISK
        body = f"91{county.code}{i:07d}" + "".join(rng.choice(USCC_CHARS) for _ in range(2))
        accidents = []
        if rng.random() < 0.02:
            deaths = _pick(rng, (0, 1, 3), (70, 28, 2))
            accidents.append({"occurred_on": date(YEAR - rng.randint(1, 3), rng.randint(1, 12), rng.randint(1, 28)),
                              "deaths": deaths, "grade": "large" if deaths >= 3 else "general"})
        major = rng.randint(0, 2) if rng.random() < 0.3 else 0
        out.append({
            "uscc": body + uscc_check_char(body), "name": f"压测{county.name}企业{i:05d}有限公司",
            "region_code": f"{county.code}{rng.randint(100, 115)}", "sector": sector,
            "standardization_grade": _pick(rng, ("1", "2", "3", None), GRADES_HIGH if high else GRADES_LOW),
            "risk_colour": _pick(rng, ("red", "orange", "yellow", "blue", None), COLOURS_HIGH if high else COLOURS_LOW),
            "grid_code": f"{county.code}{rng.randint(1, 40):03d}",
            "accidents": accidents,
            "major_hazard_sources": [_pick(rng, "1234", (5, 15, 40, 40)) for _ in range(rng.randint(1, 3))]
            if rng.random() < MAJOR_HAZARD_SHARE.get(sector, 0) else [],
            "open_hazards": {"general": rng.randint(0, 6), "major": major, "overdue_major": rng.randint(0, major)},
            "credit_grade": _pick(rng, ("A", "B", "C", "D", None), (10, 12, 5, 1, 72)),
            "listed_dishonest": rng.random() < 0.003,
        })
    return out


def officers(n: int, rng: random.Random) -> list[dict]:
    codes = [CITY] + [c.code for c in COUNTIES]
    weights = [10] + [c.weight for c in COUNTIES]
    out = []
    for i in range(n):
        region = _pick(rng, codes, weights)
        expiring = rng.random() < 0.05
        out.append({"id": f"officer-{i:04d}", "name": f"执法员{i:04d}", "agency": f"{region}应急管理局", "region_code": region,
                    "certificate_number": f"62{i:08d}",
                    "valid_until": date(YEAR, rng.randint(1, 12), 15) if expiring else date(YEAR + rng.randint(1, 4), 6, 30),
                    "status": "suspended" if rng.random() < 0.02 else "active"})
    return out


def conflicts(ents: list[dict], offs: list[dict], rng: random.Random) -> list[tuple[str, str]]:
    return [(rng.choice(offs)["id"], e["uscc"]) for e in ents if rng.random() < 0.01 for _ in range(rng.randint(1, 2))]


def median_time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def floor_pass(ents: list[dict], table) -> list[tuple[dict, int]]:
    points = table.body["points"]["sector"]
    return [(dict(e), points[e["sector"]]) for e in ents]


def sort_and_shuffle(ents: list[dict], offs: list[dict]) -> None:
    rng = random.Random(SEED)
    rng.shuffle(sorted(ents, key=lambda e: e["uscc"]))
    rng.shuffle(sorted(offs, key=lambda o: o["id"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=20_000)
    ap.add_argument("--officers", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(SEED)
    ents, offs = enterprises(args.enterprises, rng), officers(args.officers, rng)
    pairs = conflicts(ents, offs, rng)
    class_table = classes.table_for(YEAR)
    plan_tables = planning.tables()
    caps = ruletables.effective(plan_tables, "inspection_caps", date(YEAR, 1, 1))
    plan_rules = ruletables.effective(plan_tables, "plan", date(YEAR, 1, 1))
    n = len(ents)
    print(f"bench.plan: {n:,} enterprises in {len(COUNTIES)} counties, {len(offs)} officers, {len(pairs)} conflict pairs, "
          f"median of {args.runs} runs")

    t_classify, classified = median_time(lambda: {e["uscc"]: classes.classify(e, table=class_table) for e in ents}, args.runs)
    t_floor, _ = median_time(lambda: floor_pass(ents, class_table), args.runs)
    by_class = {k: sum(1 for c in classified.values() if c.klass == k) for k in class_table.body["classes"]}
    print(f"  classify:      {t_classify * 1000:8.1f} ms  {n / t_classify:12,.0f} enterprises/s   "
          f"ceiling (copy + one lookup each) {t_floor * 1000:.1f} ms, {n / t_floor:,.0f}/s; "
          f"classes {by_class}, key targets {sum(c.key for c in classified.values()):,}")

    by_county: dict[str, list[dict]] = {}
    for e in ents:
        by_county.setdefault(e["region_code"][:6], []).append(e)

    # the listed ones get the list's measures as the servicer asks the credit module for them (dishonesty.consequences)
    day = max(t.effective_from for t in credit_ledger.TABLES if t.name == credit_ledger.LIST)   # the list's newest table
    listing = {"listed_on": day, "expires_on": date(day.year + 3, 1, 1), "removed_on": None}
    list_table = credit_ledger.table(credit_ledger.LIST, day)
    listed = {e["uscc"]: [c for c in dishonesty.consequences(e["uscc"], day, [listing | {"uscc": e["uscc"]}], list_table)
                          if c["applies_to"] == "plans"] for e in ents if e["listed_dishonest"]}

    def plan(county: str, group: list[dict]):
        return planning.make_plan(county=county, year=YEAR, enterprises=group, classifications=classified, officers=offs,
                                  seed=SEED, table_caps=caps, table_plan=plan_rules, conflicts=pairs,
                                  listed={u: listed[u] for u in (e["uscc"] for e in group) if u in listed})

    t_counties, county_plans = median_time(lambda: [plan(c, g) for c, g in sorted(by_county.items())], args.runs)
    t_city, city_plan = median_time(lambda: plan(CITY, ents), args.runs)
    t_ceiling, _ = median_time(lambda: sort_and_shuffle(ents, offs), args.runs)
    print(f"  plan, 7 counties: {t_counties * 1000:5.1f} ms  {n / t_counties:12,.0f} enterprises/s   "
          f"ceiling (sort + shuffle with random.Random) {t_ceiling * 1000:.1f} ms, {n / t_ceiling:,.0f}/s "
          f"({t_counties / t_ceiling:.0f}× the ceiling)")
    print(f"  plan, the city:   {t_city * 1000:5.1f} ms  {n / t_city:12,.0f} enterprises/s   "
          f"({t_city / t_ceiling:.0f}× the ceiling)")
    s = city_plan.summary
    print(f"  the city's plan: {s['inspections']:,} inspections ({s['key_inspections']:,} of {s['key_targets']:,} key targets, "
          f"{s['drawn_inspections']:,} drawn of {s['ordinary_targets']:,} ordinary), {s['unassigned']} unassigned; "
          f"{s['eligible_officers']} eligible officers, most loaded {s['max_load']} (bound {s['load_bound']}); "
          f"{s.get('listed_dishonest', 0)} on the serious-dishonesty list ({s.get('listed_made_key', 0)} made key targets)")
    for p in county_plans:
        s = p.summary
        print(f"    {p.county}: {s['enterprises']:5,} enterprises, {s['inspections']:5,} inspections, {s['eligible_officers']:3} officers, "
              f"most loaded {s['max_load']:3} (bound {s['load_bound']}), unassigned {s['unassigned']}")
    results.save("plan", {
        "enterprises": n, "officers": len(offs), "runs": args.runs,
        "classify": {"seconds": t_classify, "per_s": round(n / t_classify), "ceiling_seconds": t_floor},
        "plan_counties": {"seconds": t_counties, "per_s": round(n / t_counties)},
        "plan_city": {"seconds": t_city, "per_s": round(n / t_city), "inspections": city_plan.summary["inspections"]},
        "ceiling_sort_shuffle": {"seconds": t_ceiling, "per_s": round(n / t_ceiling)},
    })


if __name__ == "__main__":
    main()
