"""严重失信主体名单 (the serious-dishonesty list, 应急管理部令第11号): listing, repair, removal and
what a listing means for the other subsystems. Pure.

    listed 列入中 ─(a repair application 满12个月, approved by a supervisor)→ removed 已移出 (repaired)
           └─(the 3-year term over: a supervisor removes it)────────────→ removed 已移出 (expired)
    A refused repair leaves the listing as it was; the enterprise may apply again.

Periods (民法典 arts. 201-202: the listing day is not counted; a period in months ends on the
corresponding day of its last month, or that month's last day): listed on D, the term's last day is
add_months(D, listing_months); a repair may be applied for from the day after add_months(D,
repair_after_months) — listed 2024-02-29, the 12 months end on 2025-02-28 and the application opens
on 2025-03-01. The months, the situations, the repair conditions and the consequences are in
tables/dishonesty_list.*.json."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable, Mapping

from services.kit import jsonio
from services.kit.errors import Conflict, FieldViolation, invalid
from services.kit.ruletables import add_months
from services.supervision.credit import rules

STATUSES = {"listed": "列入中", "removed": "已移出"}
STATES = {"listed": "列入中", "expired": "管理期满待移出", "removed": "已移出"}
REMOVAL_REASONS = {"expired": "管理期满移出", "repaired": "信用修复提前移出"}
REPAIR_DECISIONS = {"approved": "准予信用修复", "refused": "不予信用修复"}
REPAIR_STATES = {"pending": "待审核", **REPAIR_DECISIONS}
APPLIES_TO = {"licensing": "行政许可", "standardization": "安全生产标准化", "plans": "执法检查计划"}
# What a precise `plans` measure does to the yearly inspection plan (services/supervision/inspections/planning.py applies it)
PLAN_EFFECTS = {"key_target": "列为重点检查对象（按年度检查频次上限全覆盖检查）"}
PLAN_FIELDS = ("effect", "extra_inspections", "within_cap", "reason_zh")
FACTS_MAX, STATEMENT_MAX, NAME_MAX = 2000, 2000, 50


def check_table(table: Mapping) -> None:
    """ValueError naming the entry when a dishonesty_list body is inconsistent."""
    for key in ("listing_months", "repair_after_months", "document", "situations", "repair_conditions", "consequences"):
        if key not in table:
            raise ValueError(f"dishonesty_list: missing {key}")
    if not 0 < table["repair_after_months"] < table["listing_months"]:
        raise ValueError("dishonesty_list: need 0 < repair_after_months < listing_months")
    if not all(table["document"].get(k) for k in ("type", "code", "name")):
        raise ValueError("dishonesty_list.document: needs type, code and name")
    if any(not s.get("name") or not s.get("source") for s in table["situations"].values()):
        raise ValueError("dishonesty_list.situations: each needs a name and a source")
    if any(c.get("applies_to") not in APPLIES_TO or not c.get("consequence_zh") for c in table["consequences"]):
        raise ValueError(f"dishonesty_list.consequences: applies_to is one of {', '.join(APPLIES_TO)}, with consequence_zh")
    for c in table["consequences"]:
        if any(k in c for k in PLAN_FIELDS):
            check_plan_measure(c)


def check_plan_measure(c: Mapping) -> None:
    """ValueError unless `c` is a precise plans measure: {applies_to: plans, effect (PLAN_EFFECTS),
    extra_inspections (an integer >= 0, beyond what the effect gives), within_cap (whether the
    province's yearly cap still bounds the enterprise's inspections), reason_zh (the plan item's reason)}."""
    where = f"dishonesty_list.consequences[{c.get('applies_to')}]"
    if c.get("applies_to") != "plans":
        raise ValueError(f"{where}: {', '.join(PLAN_FIELDS)} belong to a plans measure only")
    if c.get("effect") not in PLAN_EFFECTS:
        raise ValueError(f"{where}: effect is one of {', '.join(PLAN_EFFECTS)}")
    extra = c.get("extra_inspections")
    if not isinstance(extra, int) or isinstance(extra, bool) or extra < 0:
        raise ValueError(f"{where}: extra_inspections is an integer >= 0")
    if not isinstance(c.get("within_cap"), bool):
        raise ValueError(f"{where}: within_cap is true or false")
    if not isinstance(c.get("reason_zh"), str) or not c["reason_zh"].strip():
        raise ValueError(f"{where}: reason_zh names the reason a plan item shows")


# --- the periods -------------------------------------------------------------------------------

def expires_on(listed_on: date, table: Mapping) -> date:
    """The last day of the term."""
    return add_months(listed_on, table["listing_months"])


def repair_opens_on(listed_on: date, table: Mapping) -> date:
    """The first day a repair may be applied for: the day after the repair period's last day."""
    return add_months(listed_on, table["repair_after_months"]) + timedelta(days=1)


def state(listing: Mapping, *, today: date) -> str:
    if listing["status"] == "removed":
        return "removed"
    return "expired" if today > listing["expires_on"] else "listed"


def active(listing: Mapping, *, as_of: date) -> bool:
    """On the list on `as_of`: within the term and not yet removed."""
    removed = listing.get("removed_on")
    return listing["listed_on"] <= as_of <= listing["expires_on"] and (removed is None or as_of < removed)


def consequences(uscc: str, as_of: date, listings: Iterable[Mapping], table: Mapping) -> list[dict]:
    """What being on the list means on `as_of` for the subsystems that ask (licensing,
    standardization, plans): the table's measures while any listing of `uscc` is active, else none.
    A precise plans measure keeps its rule (effect, extra_inspections, within_cap, reason_zh)."""
    if not any(x["uscc"] == uscc and active(x, as_of=as_of) for x in listings):
        return []
    return [{"applies_to": c["applies_to"], "consequence_zh": c["consequence_zh"], **{k: c[k] for k in PLAN_FIELDS if k in c}}
            for c in table["consequences"]]


def mask_name(name: str) -> str:
    """Lists and events show a person's surname only: 王志强 → 王**."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


# --- the steps ---------------------------------------------------------------------------------

def decision(body: Mapping, *, table: Mapping, today: date) -> dict:
    """A listing decision: {uscc, situation, facts, penalty_number, principal_name, listed_on,
    expires_on}. The list follows a penalty decision (谁处罚、谁决定), named by its number; the
    enterprise's 主要负责人 is listed with it where the situation says so."""
    errors: list[FieldViolation] = []
    code = rules.uscc(body, errors)
    situation = body.get("situation")
    if not isinstance(situation, str) or situation not in table["situations"]:
        errors.append(FieldViolation("situation", "situation.enum", "列入情形不在应急管理部令第11号规定的情形内",
                                     f"situation is one of {', '.join(table['situations'])}"))
    facts = jsonio.text(body, "facts", "列入的事实、理由和依据", errors, max_length=FACTS_MAX)
    penalty = rules.document_number(body, "penalty_number", "行政处罚决定书文号", errors)
    principal = jsonio.text(body, "principal_name", "主要负责人姓名", errors, max_length=NAME_MAX, required=False)
    if errors:
        raise invalid(*errors)
    return {"uscc": code, "situation": situation, "facts": facts, "penalty_number": penalty, "principal_name": principal,
            "listed_on": today, "expires_on": expires_on(today, table)}


def _require_listed(listing: Mapping, *, today: date, action_zh: str) -> None:
    if listing["status"] == "removed":
        raise Conflict(f"该主体已移出名单，不能{action_zh}", f"The listing was removed: it cannot be {action_zh}")
    if today > listing["expires_on"]:
        raise Conflict(f"名单管理期已于{listing['expires_on'].isoformat()}届满，应予移出，不能{action_zh}",
                       f"The term ended on {listing['expires_on'].isoformat()}: remove the listing instead")


def repair_request(listing: Mapping, body: Mapping, *, table: Mapping, today: date) -> dict:
    """A repair application (信用修复): only while listed, from the day the 12 months are full, one at
    a time, declaring every condition of the table. {applied_on, statement, conditions, state}."""
    _require_listed(listing, today=today, action_zh="申请信用修复")
    opens = repair_opens_on(listing["listed_on"], table)
    if today < opens:
        raise Conflict(f"列入名单满{table['repair_after_months']}个月后方可申请信用修复，自{opens.isoformat()}起可以申请",
                       f"A repair may be applied for from {opens.isoformat()}")
    if any(r["state"] == "pending" for r in listing["repairs"]):
        raise Conflict("已有待审核的信用修复申请", "A repair application is pending already")
    errors: list[FieldViolation] = []
    statement = jsonio.text(body, "statement", "整改情况和信用修复理由", errors, max_length=STATEMENT_MAX)
    wanted = {c["code"]: c["name"] for c in table["repair_conditions"]}
    declared = body.get("conditions")
    if not isinstance(declared, list) or any(not isinstance(c, str) for c in declared):
        errors.append(FieldViolation("conditions", "conditions.type", "请逐项确认信用修复条件（条件代码数组）", "conditions is an array of codes"))
    else:
        unknown = [c for c in declared if c not in wanted]
        if unknown:
            errors.append(FieldViolation("conditions", "conditions.unknown", f"不是信用修复条件：{'、'.join(unknown)}",
                                         f"Unknown conditions: {', '.join(unknown)}"))
        lacking = [name for c, name in wanted.items() if c not in declared]
        if lacking:
            errors.append(FieldViolation("conditions", "conditions.missing", f"尚未满足信用修复条件：{'；'.join(lacking)}",
                                         "Every repair condition must be met"))
    if errors:
        raise invalid(*errors)
    return {"applied_on": today, "statement": statement, "conditions": list(wanted), "state": "pending"}


def repair_decision(listing: Mapping, body: Mapping, *, today: date) -> dict:
    """A supervisor's decision on the pending repair: {decision, opinion, decided_on}; an approval
    removes the listing (the caller writes the removal)."""
    _require_listed(listing, today=today, action_zh="审核信用修复")
    if not any(r["state"] == "pending" for r in listing["repairs"]):
        raise Conflict("没有待审核的信用修复申请", "No repair application is pending")
    errors: list[FieldViolation] = []
    outcome = body.get("decision")
    if outcome not in REPAIR_DECISIONS:
        errors.append(FieldViolation("decision", "decision.enum", "审核结论应为 approved（准予）或 refused（不予）",
                                     "decision is approved or refused"))
    opinion = jsonio.text(body, "opinion", "审核意见", errors, max_length=STATEMENT_MAX, required=outcome == "refused")
    if errors:
        raise invalid(*errors)
    return {"decision": outcome, "opinion": opinion, "decided_on": today}


def removal(listing: Mapping, body: Mapping, *, today: date) -> dict:
    """Removal at the end of the term (an early removal is a repair): {reason, note, removed_on}."""
    if listing["status"] == "removed":
        raise Conflict("该主体已移出名单", "The listing was removed already")
    if today <= listing["expires_on"]:
        raise Conflict(f"名单管理期至{listing['expires_on'].isoformat()}，期满后方可移出；提前移出须经信用修复",
                       f"The term lasts until {listing['expires_on'].isoformat()}; an earlier removal is a repair")
    errors: list[FieldViolation] = []
    note = jsonio.text(body, "note", "备注", errors, max_length=STATEMENT_MAX, required=False)
    if errors:
        raise invalid(*errors)
    return {"reason": "expired", "note": note, "removed_on": today}
