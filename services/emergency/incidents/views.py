"""The JSON an incident answers (the REST page's shape): names beside codes, the report chain with
each report's deadline and flag, the tasks with their overdue flags, the data centre's accident as
it computes it. Pure: the rows, the accident and the time come in as parameters."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping, Sequence

from services.emergency.incidents import rules

# GB/T 2260 names of Pingliang and its counties (a township shows under its county).
COUNTY_NAMES = {"620800": "平凉市", "620802": "崆峒区", "620821": "泾川县", "620822": "灵台县", "620823": "崇信县", "620825": "庄浪县",
                "620826": "静宁县", "620881": "华亭市"}


def county_name(region_code: str) -> str:
    return COUNTY_NAMES.get((region_code or "")[:6], "")


def _type(row: Mapping, types_table: Mapping) -> tuple[dict, str]:
    kind = rules.types_of(types_table).get(row["type"]) or {"name": row["type"], "class": "", "subtypes": [], "subtype_label": ""}
    return kind, dict(kind["subtypes"]).get(row["subtype"] or "", row["subtype"] or "")


def list_view(row: Mapping, *, tables: Mapping) -> dict:
    kind, subtype_name = _type(row, tables["incident_types"])
    return {"id": row["id"], "title": row["title"], "type": row["type"], "type_name": kind["name"], "subtype": row["subtype"],
            "subtype_name": subtype_name or None, "region_code": row["region_code"], "county_name": county_name(row["region_code"]),
            "address": row["address"], "status": row["status"], "status_name": rules.STATUS_ZH[row["status"]], "level": row["level"],
            "level_name": rules.level_name(row["level"], tables["response_levels"]), "casualties": row["casualties"],
            "occurred_at": row["occurred_at"], "reported_at": row["reported_at"], "source": row["source"],
            "source_name": dict(tables["incident_types"]["sources"]).get(row["source"], row["source"]), "uscc": row["uscc"],
            "enterprise_name": row["enterprise_name"], "accident_id": row["accident_id"], "version": row["version"]}


def accident_view(record: Mapping | None) -> dict | None:
    """The data centre's accident as it computed it (grade, deadlines, late flags, casualty updates)."""
    if not record:
        return None
    grade = record.get("grade")
    return {"id": record.get("id"), "version": record.get("version"), "grade": grade, "grade_name": rules.GRADE_ZH.get(grade or "", grade),
            "status": record.get("status"), "deaths": record.get("deaths"), "missing": record.get("missing"),
            "serious_injuries": record.get("serious_injuries"), "minor_injuries": record.get("minor_injuries"),
            "report_deadlines": record.get("report_deadlines") or [], "late_reports": record.get("late_reports") or [],
            "casualty_updates": record.get("casualty_updates") or [], "investigating_level": record.get("investigating_level"),
            "investigation_due": record.get("investigation_due")}


def task_view(t: Mapping, *, command: Mapping | None, now: datetime) -> dict:
    groups = {g["code"]: g["name"] for g in (command or {}).get("groups") or []}
    group_name = groups.get(t["group_code"] or "", t["group_code"]) if t["group_code"] else None
    return {"id": t["id"], "title": t["title"], "group": t["group_code"], "group_name": group_name, "team_id": t["team_id"],
            "team_name": t["team_name"], "assignee_name": group_name or t["team_name"], "due_at": t["due_at"], "note": t["note"],
            "status": t["status"], "status_name": rules.TASK_STATUS_ZH[t["status"]], "overdue": rules.task_overdue(t, now),
            "next_statuses": [{"status": s, "status_name": rules.TASK_STATUS_ZH[s]} for s in rules.TASK_MOVES[t["status"]]],
            "created_by": t["created_by"], "created_at": t["created_at"], "updated_by": t["updated_by"], "updated_at": t["updated_at"],
            "version": t["version"]}


def report_view(r: Mapping, clock: Mapping | None) -> dict:
    out = {"id": r["id"], "kind": r["kind"], "kind_name": rules.REPORT_KINDS[r["kind"]], "number": r["number"],
           "label": rules.report_label(r["kind"], r["number"]), "reported_at": r["reported_at"], "phoned_at": r["phoned_at"],
           "grade": r["grade"], "grade_name": rules.GRADE_ZH.get(r["grade"], r["grade"]),
           **{k: r[k] for k, _, _ in rules.REPORT_TEXT}, "casualties": r["casualties"], "direct_loss_cny": r["direct_loss_cny"],
           "reporter": r["reporter"]}
    c = clock or {}
    return out | {"due": c.get("due"), "status": c.get("status"), "status_name": c.get("status_name"), "late": bool(c.get("late")),
                  "phone_due": c.get("phone_due"), "phone_status": c.get("phone_status"), "phone_status_name": c.get("phone_status_name")}


def incident_view(row: Mapping, *, reports: Sequence[Mapping], tasks: Sequence[Mapping], accident: Mapping | None, accident_error: str | None,
                  tables: Mapping, now: datetime, mask_phones: bool, timeline_count: int) -> dict:
    """GetIncident's answer (and every write's)."""
    grade = (accident or {}).get("grade") if accident else None
    clock_grade = rules.clock_grade(accident_grade=grade, level=row["level"], levels_table=tables["response_levels"],
                                    reporting_table=tables["incident_reporting"])
    clock = rules.report_clock(incident=row, reports=reports, grade=clock_grade, table=tables["incident_reporting"], now=now)
    suggestion = rules.suggest_level(grade=grade, figures=row["casualties"], table=tables["response_levels"])
    kind, subtype_name = _type(row, tables["incident_types"])
    return list_view(row, tables=tables) | {
        "type_class": kind.get("class"), "subtype_label": kind.get("subtype_label"), "lon": row["lon"], "lat": row["lat"],
        "description": row["description"], "direct_loss_cny": row["direct_loss_cny"], "stabilised_at": row["stabilised_at"],
        "merged_into": row["merged_into"], "level_suggested": row["level_suggested"], "level_reason": row["level_reason"],
        "plan_name": row["plan_name"], "level_decided_by": row["level_decided_by"], "level_decided_at": row["level_decided_at"],
        "suggestion": suggestion, "command": rules.masked_command(row["command"], mask=mask_phones),
        "accident": accident_view(accident), "accident_error": accident_error, "makes_accident": bool(kind.get("accident_category")),
        "report_clock": {"grade": clock["grade"], "grade_name": clock["grade_name"], "next": clock["next"], "late_count": clock["late_count"]},
        "reports": [report_view(r, clock["reports"].get(r["id"])) for r in reports],
        "tasks": [task_view(t, command=row["command"], now=now) for t in tasks],
        "closure": row["closure"], "closed_at": row["closed_at"], "closed_by": row["closed_by"], "created_by": row["created_by"],
        "created_at": row["created_at"], "updated_at": row["updated_at"], "timeline_count": timeline_count,
        "finished": row["status"] in rules.FINISHED}


def timeline_view(e: Mapping) -> dict:
    return {"seq": e["seq"], "at": e["at"], "kind": e["kind"], "text": e["text"], "actor_name": e["actor_name"], "actor": e["actor"],
            "detail": e["detail"]}
