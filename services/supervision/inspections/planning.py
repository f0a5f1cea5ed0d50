"""The annual inspection plan (年度监督检查计划) of a county or the city, with its 双随机 draw
(random enterprises, random officers). Pure functions over plain data: no I/O, no clock.

Rules (numbers in the tables of ./tables, whose sources say what is confirmed and what is [verify]):
- cap (`inspection_caps`, the Shanxi 2025 table of RULES.md §14 [confirmed]): at most so many
  inspections of one enterprise a year, by its class (services/supervision/grids/classes.py:
  A 低风险 … D 高风险) or, for hazardous chemicals and metallurgy, by its standardization grade;
- key targets (重点检查对象) get their full cap, spread evenly over the year: n inspections
  12/n months apart, the phase rotated from one key target to the next (in drawn order) so that
  the months carry equal loads;
- the serious-dishonesty list (严重失信主体名单): an enterprise whose listing is active on the day the
  plan is drawn is treated by the list's `plans` measure (credit's `dishonesty_list` table, read by
  the caller through the credit module's consequences): effect `key_target` makes it a key target at
  its class's cap (full coverage, out of the 双随机 draw), plus `extra_inspections`, which
  `within_cap` keeps within the cap (the shipped measure: no extra, the cap holds); its items'
  reason is the measure's `reason_zh` (after its class's key-target reason, if any);
- ordinary targets: in each class, ⌈ratio × count⌉ enterprises drawn at random (`plan`'s
  `ordinary_sample_ratio`; a 双随机 ratio is a minimum — 抽查比例不低于 — so the count rounds
  up, and a non-empty class with a ratio above 0 always gets at least one), each drawn one gets
  min(`ordinary_inspections`, cap) inspections, placed in the months least loaded so far;
- officers: each inspection gets `officers_per_inspection` distinct officers, each of them
  - eligible: a certificate number, a status not in `officer_excluded_statuses`, valid_until on
    or after the last day of the inspection's month, and a region on the plan's line (the plan's
    region covers the officer's, or the officer's covers the plan's: county officers in the
    city's plan, city officers in a county's);
  - not in a conflict pair (回避) with the enterprise;
  - within the load bound: at most ⌈officer-slots / eligible officers⌉ + 1 inspections in the
    year, officer-slots being officers per inspection × planned inspections, eligible officers
    those who may serve at least January (fewer than one inspection needs: ValueError).
  Officers are taken least loaded first (in the year, then in the month), ties broken at random,
  which keeps every officer's yearly and monthly load within one or two of the others'. The months
  are staffed from December back to January: an officer whose certificate expires during the year
  can serve only the early months, and staffing those last lets them catch up with the others'
  yearly load (they then carry more a month than the others, the price of the yearly bound). An
  inspection that cannot be staffed within these rules goes to `unassigned` with the reason.
- reproducible: one random.Random(seed) consumes the inputs in a fixed order (sorted by uscc and
  officer id, never dict or set order). The plan records the seed, the sha256 of the canonical JSON
  of the inputs and the tables, and the tables' versions; `verify_plan` runs the draw again."""
from __future__ import annotations

import calendar
import hashlib
import heapq
import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple, Sequence

from services.kit import regions, ruletables
from services.kit.ruletables import RuleTable
from services.supervision.credit.dishonesty import check_plan_measure
from services.supervision.grids.classes import Classification

TABLES_DIR = Path(__file__).parent / "tables"
MONTHS = 12
ENTERPRISE_FIELDS = ("uscc", "name", "region_code", "sector", "standardization_grade", "grid_code")
OFFICER_FIELDS = ("id", "name", "agency", "region_code", "certificate_number", "valid_until", "status")


def tables() -> tuple[RuleTable, ...]:
    """Every table shipped in ./tables, read afresh (callers keep the result)."""
    return ruletables.load_dir(TABLES_DIR)


class PlanItem(NamedTuple):
    uscc: str
    enterprise_name: str
    month: int
    key: bool
    officer_ids: tuple
    reason_zh: str


class ListedTarget(NamedTuple):
    """An enterprise on the serious-dishonesty list and what the plans measure made of it."""
    uscc: str
    enterprise_name: str
    klass: str
    class_key: bool        # a key target by its class already
    cap: int               # its yearly cap (inspection_caps)
    inspections: int       # planned for it
    extra_capped: int      # extra inspections the measure asked for that the cap left out
    reason_zh: str


@dataclass(frozen=True)
class Plan:
    county: str
    year: int
    seed: int
    digest: str
    tables: dict              # name → effective_from
    items: tuple[PlanItem, ...]
    unassigned: tuple[tuple[str, str], ...]   # (uscc, reason_zh), the month named in the reason
    summary: dict
    listed: tuple[ListedTarget, ...] = ()    # the enterprises the serious-dishonesty list's measure applied to


def _problem(zh: str, en: str) -> ValueError:
    return ValueError(f"{zh} / {en}")


def cap_for(enterprise: Mapping, klass: str, *, table: RuleTable) -> int:
    """At most how many inspections `enterprise` (its sector and standardization_grade) of class
    `klass` may get in a year under `table` (`inspection_caps`)."""
    body = table.body
    rule = body["sectors"].get(enterprise["sector"], body["otherwise"])
    by = rule["by"]
    if by == "class":
        column = klass
    elif by == "standardization_grade":
        column = enterprise.get("standardization_grade") or "none"
    else:
        raise _problem(f"检查频次上限表中未知的取值依据：{by!r}", f"unknown column kind in the cap table: {by!r}")
    if column not in rule["caps"]:
        raise _problem(f"检查频次上限表中没有{column!r}一栏（行业{enterprise['sector']}）",
                       f"no cap for {column!r} (sector {enterprise['sector']})")
    return rule["caps"][column]


def listed_measure(consequences: Sequence[Mapping]) -> dict | None:
    """The plans measure among an enterprise's consequences of the serious-dishonesty list (those of
    dishonesty.consequences on the plan's day), or None when none applies to plans (not listed, or
    the listing expired or was removed before that day). Several plans measures merge: the most extra
    inspections, within the cap unless every one lifts it, their reasons. A plans measure that is not
    precise (dishonesty.check_plan_measure: a known effect, extra_inspections, within_cap, reason_zh)
    is refused: the draw never guesses what a vague measure means."""
    plans = [c for c in consequences if c.get("applies_to") == "plans"]
    if not plans:
        return None
    for c in plans:
        try:
            check_plan_measure(c)
        except ValueError as exc:
            raise _problem(f"严重失信主体名单的执法检查计划管理措施不明确（应载明 effect、extra_inspections、within_cap、reason_zh）：{c.get('consequence_zh', '')}",
                           f"the list's plans measure is not precise: {exc}") from None
    return {"effect": "key_target", "extra_inspections": max(c["extra_inspections"] for c in plans),
            "within_cap": any(c["within_cap"] for c in plans), "reason_zh": "；".join(dict.fromkeys(c["reason_zh"] for c in plans))}


def listed_inspections(cap: int, measure: Mapping) -> tuple[int, int]:
    """(inspections, extra left out by the cap) of a listed enterprise whose yearly cap is `cap`: as a
    key target its cap, plus the measure's extra_inspections, which within_cap keeps within the cap."""
    asked = cap + measure["extra_inspections"]
    return (cap, asked - cap) if measure["within_cap"] else (asked, 0)


# --- inputs -----------------------------------------------------------------------------------------

def _class_of(c) -> tuple[str, bool, tuple[str, ...]]:
    if isinstance(c, Classification):
        return c.klass, c.key, c.key_reasons_zh
    return c["klass"], bool(c["key"]), tuple(c.get("key_reasons_zh") or ())


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")


def _digest(*, county, year, enterprises, classes, officers, conflicts, table_caps, table_plan, listed) -> str:
    """sha256 of the canonical JSON (sorted keys, inputs sorted by uscc / officer id) of what the draw reads
    (the listed enterprises' plans measures only when there are any: a plan without one digests as before)."""
    payload = {  # rows as lists, their field names given once: canonical, and cheaper than 20,000 key-sorted objects
        "county": county, "year": year,
        "enterprise_fields": ENTERPRISE_FIELDS + ("klass", "key", "key_reasons_zh"),
        "enterprises": [[e.get(f) for f in ENTERPRISE_FIELDS] + list(classes[e["uscc"]]) for e in enterprises],
        "officer_fields": OFFICER_FIELDS,
        "officers": [[o.get(f) for f in OFFICER_FIELDS] for o in officers],
        "conflicts": sorted(conflicts),
        "tables": [[t.name, t.effective_from, t.body] for t in (table_caps, table_plan)],
    }
    if listed:
        payload["listed"] = [[u, sorted(listed[u], key=lambda c: json.dumps(c, sort_keys=True, ensure_ascii=False))]
                             for u in sorted(listed)]
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _last_valid_month(officer: Mapping, *, county: str, year: int, excluded: Sequence[str]) -> int:
    """The last month of `year` whose every day the officer may inspect in (0: none)."""
    valid_until = officer.get("valid_until")
    if (not officer.get("certificate_number") or valid_until is None or officer.get("status") in excluded
            or not (regions.covers(county, officer.get("region_code") or "") or regions.covers(officer.get("region_code") or "", county))):
        return 0
    if isinstance(valid_until, datetime):
        valid_until = valid_until.date()
    elif isinstance(valid_until, str):
        valid_until = date.fromisoformat(valid_until)
    if valid_until.year != year:
        return MONTHS if valid_until.year > year else 0
    month = valid_until.month
    return month if valid_until.day == calendar.monthrange(year, month)[1] else month - 1


def _checked(*, county, enterprises, classifications, officers, listed) -> tuple[list, dict, list, dict, dict]:
    ents = sorted(enterprises, key=lambda e: e["uscc"])
    classes = {}
    for prev, e in zip([None, *ents], ents):
        uscc = e["uscc"]
        if prev is not None and prev["uscc"] == uscc:
            raise _problem(f"企业重复：{uscc}", f"enterprise listed twice: {uscc}")
        if not regions.covers(county, e.get("region_code") or ""):
            raise _problem(f"企业{uscc}不在{county}辖区内", f"enterprise {uscc} is not in region {county}")
        if uscc not in classifications:
            raise _problem(f"企业{uscc}没有年度分类", f"enterprise {uscc} has no class for the year")
        classes[uscc] = _class_of(classifications[uscc])
    offs = sorted(officers, key=lambda o: str(o["id"]))
    for prev, o in zip([None, *offs], offs):
        if prev is not None and str(prev["id"]) == str(o["id"]):
            raise _problem(f"执法人员重复：{o['id']}", f"officer listed twice: {o['id']}")
    plans, measures = {}, {}
    for uscc in sorted(listed):
        if uscc not in classes:
            raise _problem(f"严重失信主体{uscc}不是计划的企业", f"listed enterprise {uscc} is not one of the plan's")
        own = [dict(c) for c in listed[uscc] if c.get("applies_to") == "plans"]
        measure = listed_measure(own)
        if measure is not None:
            plans[uscc], measures[uscc] = own, measure
    return ents, classes, offs, plans, measures


# --- the draw ---------------------------------------------------------------------------------------

def _spread(n: int, phase: int) -> list[int]:
    """n months 12/n apart starting at month phase + 1 (wrapping round the year)."""
    return sorted(1 + (i * MONTHS // n + phase) % MONTHS for i in range(n))


def _targets(ents, classes, rng, *, table_caps, body, measures) -> tuple[list[tuple[dict, int, bool, str]], dict, list[ListedTarget]]:
    """(enterprise, month, key, reason) of every planned inspection, the draw's counts, and what the
    serious-dishonesty list's measure made of each listed enterprise."""
    planned: list[tuple[dict, int, bool, str]] = []
    load = [0] * (MONTHS + 1)
    key = [e for e in ents if classes[e["uscc"]][1] or e["uscc"] in measures]
    rng.shuffle(key)
    listed: list[ListedTarget] = []
    for i, e in enumerate(key):
        klass, class_key, reasons = classes[e["uscc"]]
        reason = f"重点检查对象（{'、'.join(reasons)}）" if reasons else "重点检查对象"
        n = cap_for(e, klass, table=table_caps)
        measure = measures.get(e["uscc"])
        if measure is not None:
            cap = n
            n, capped = listed_inspections(cap, measure)
            reason = f"{reason}；{measure['reason_zh']}" if class_key else measure["reason_zh"]
            listed.append(ListedTarget(e["uscc"], e.get("name") or "", klass, class_key, cap, n, capped, reason))
        for month in _spread(n, i % MONTHS):
            planned.append((e, month, True, reason))
            load[month] += 1
    by_class: dict[str, list[dict]] = defaultdict(list)
    for e in ents:
        if not classes[e["uscc"]][1] and e["uscc"] not in measures:
            by_class[classes[e["uscc"]][0]].append(e)
    ratios = body["ordinary_sample_ratio"]
    drawn_by_class = {}
    for klass in sorted(by_class):
        group = by_class[klass]
        if klass not in ratios:
            raise _problem(f"计划规则表中没有{klass}类的抽取比例", f"no ordinary sample ratio for class {klass}")
        ratio = ruletables.decimal(ratios[klass])
        if not 0 <= ratio <= 1:
            raise _problem(f"{klass}类抽取比例应在0到1之间：{ratio}", f"the sample ratio of class {klass} must be within 0..1: {ratio}")
        drawn = rng.sample(group, math.ceil(ratio * len(group)))
        drawn_by_class[klass] = len(drawn)
        for e in drawn:
            n = min(body["ordinary_inspections"], cap_for(e, klass, table=table_caps))
            used: set[int] = set()
            for _ in range(n):  # the least loaded months, a different one for each inspection while months last
                month = min(range(1, MONTHS + 1), key=lambda m: (m in used and len(used) < MONTHS, load[m], m))
                used.add(month)
                load[month] += 1
                planned.append((e, month, False, "双随机抽取"))
    listed.sort(key=lambda t: t.uscc)
    counts = {"enterprises": len(ents), "key_targets": len(key), "ordinary_targets": sum(map(len, by_class.values())),
              "ordinary_by_class": {k: len(v) for k, v in sorted(by_class.items())}, "drawn_by_class": drawn_by_class,
              "listed_dishonest": len(listed), "listed_made_key": sum(1 for t in listed if not t.class_key),
              "listed_inspections": sum(t.inspections for t in listed), "listed_extra_capped": sum(t.extra_capped for t in listed)}
    return planned, counts, listed


def _staff(planned, officers, rng, *, per: int, conflicts: set, last_month: dict) -> tuple[list[PlanItem], list, dict]:
    """Officers for each planned inspection, month by month, least loaded first, ties at random."""
    bound = math.ceil(per * len(planned) / len(officers)) + 1
    index_of = {str(o["id"]): i for i, o in enumerate(officers)}
    avoid: dict[str, set[int]] = defaultdict(set)
    for officer_id, uscc in conflicts:
        if str(officer_id) in index_of:
            avoid[uscc].add(index_of[str(officer_id)])
    year_load = [0] * len(officers)
    by_month: dict[int, list[int]] = defaultdict(list)
    for index, (_, month, _, _) in enumerate(planned):
        by_month[month].append(index)
    items: list[PlanItem] = []
    unassigned: list[tuple[str, str]] = []
    for month in range(MONTHS, 0, -1):  # December first: see the module docstring
        order = by_month.get(month, [])
        rng.shuffle(order)
        # (load in the year, load in the month, random tie-break, officer index)
        heap = [(year_load[i], 0, rng.random(), i) for i, o in enumerate(officers) if last_month[o["id"]] >= month]
        heapq.heapify(heap)
        for index in order:
            e, _, key, reason = planned[index]
            barred = avoid.get(e["uscc"], ())
            chosen, avoided = [], []
            while heap and len(chosen) < per:
                entry = heapq.heappop(heap)
                if entry[0] >= bound:
                    heapq.heappush(heap, entry)  # the least loaded is at the bound: so is everyone left
                    break
                (avoided if entry[3] in barred else chosen).append(entry)
            for entry in avoided:
                heapq.heappush(heap, entry)
            if len(chosen) < per:
                for entry in chosen:
                    heapq.heappush(heap, entry)
                if len(heap) < per:
                    why = f"本月执法证有效的执法人员不足{per}名"
                elif avoided:
                    why = f"回避后可选派的执法人员不足{per}名"
                else:
                    why = f"可选派的执法人员均已达到年度检查次数上限（{bound}次）"
                unassigned.append((e["uscc"], f"{month}月：{why}"))
                continue
            for load, month_load, _, i in chosen:
                year_load[i] = load + 1
                heapq.heappush(heap, (load + 1, month_load + 1, rng.random(), i))
            ids = tuple(sorted((officers[c[3]]["id"] for c in chosen), key=str))
            items.append(PlanItem(e["uscc"], e.get("name") or "", month, key, ids, reason))
    return items, unassigned, {"load_bound": bound, "max_load": max(year_load)}


def make_plan(*, county: str, year: int, enterprises: Iterable[Mapping], classifications: Mapping,
              officers: Iterable[Mapping], seed: int, table_caps: RuleTable, table_plan: RuleTable,
              conflicts: Iterable[tuple] = (), listed: Mapping[str, Sequence[Mapping]] | None = None) -> Plan:
    """The plan of `county` (a county's or the city's region code) for `year`.
    enterprises: uscc, name, region_code, sector, standardization_grade, grid_code; classifications:
    uscc → Classification (or a dict with klass, key and optionally key_reasons_zh); officers: id,
    name, agency, region_code, certificate_number, valid_until (date), status; conflicts:
    (officer id, uscc) pairs never to be paired; listed: uscc → the consequences of its listing on
    the serious-dishonesty list on the plan's day (dishonesty.consequences; its plans measure is
    applied, the others ignored). ValueError (Chinese / English) on inconsistent inputs or when fewer
    officers are eligible than one inspection needs."""
    body = table_plan.body
    per = body["officers_per_inspection"]
    conflict_pairs = {(str(o), u) for o, u in conflicts}
    ents, classes, offs, plans, measures = _checked(county=county, enterprises=enterprises, classifications=classifications,
                                                    officers=officers, listed=listed or {})
    last_month = {o["id"]: _last_valid_month(o, county=county, year=year, excluded=body["officer_excluded_statuses"]) for o in offs}
    eligible = [o for o in offs if last_month[o["id"]] > 0]
    if len(eligible) < per:
        raise _problem(f"可选派的执法人员不足{per}名（执法证有效、未暂停或吊销、属本辖区）：{len(eligible)}名",
                       f"fewer than {per} eligible officers (valid certificate, not suspended or revoked, in the region): {len(eligible)}")
    digest = _digest(county=county, year=year, enterprises=ents, classes=classes, officers=offs, conflicts=conflict_pairs,
                     table_caps=table_caps, table_plan=table_plan, listed=plans)
    rng = random.Random(seed)
    planned, counts, listed_targets = _targets(ents, classes, rng, table_caps=table_caps, body=body, measures=measures)
    items, unassigned, load = _staff(planned, eligible, rng, per=per, conflicts=conflict_pairs, last_month=last_month)
    items.sort(key=lambda it: (it.month, it.uscc, tuple(map(str, it.officer_ids))))
    unassigned.sort()
    summary = {**counts, "inspections": len(planned), "key_inspections": sum(1 for p in planned if p[2]),
               "drawn_inspections": sum(1 for p in planned if not p[2]), "assigned": len(items), "unassigned": len(unassigned),
               "officers": len(offs), "eligible_officers": len(eligible), **load}
    return Plan(county=county, year=year, seed=seed, digest=digest,
                tables={t.name: t.effective_from for t in (table_caps, table_plan)},
                items=tuple(items), unassigned=tuple(unassigned), summary=summary, listed=tuple(listed_targets))


def verify_plan(plan: Plan, *, county: str, year: int, enterprises: Iterable[Mapping], classifications: Mapping,
                officers: Iterable[Mapping], seed: int, table_caps: RuleTable, table_plan: RuleTable,
                conflicts: Iterable[tuple] = (), listed: Mapping[str, Sequence[Mapping]] | None = None) -> bool:
    """Whether `plan` is exactly what these inputs and seed draw (same digest, same items)."""
    again = make_plan(county=county, year=year, enterprises=enterprises, classifications=classifications, officers=officers,
                      seed=seed, table_caps=table_caps, table_plan=table_plan, conflicts=conflicts, listed=listed)
    return again == plan
