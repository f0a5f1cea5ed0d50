"""生产安全事故 (accidents): what happened, the casualties and loss, the grade computed from the
493号令 table, the reporting timeline against its computed deadlines, casualty updates within the
re-report window (which re-grade), the investigation and the closure."""
from __future__ import annotations

from datetime import datetime

from services.datacenter.accidents import rules
from services.datacenter.registry.spec import Field, Kind, RuleContext, person, uscc_field
from services.datacenter.ruletables import decimal, effective
from services.kit import roles
from services.kit.errors import FieldViolation, InvalidArgument

CATEGORIES = (("production", "生产安全事故"), ("road_traffic", "道路交通事故"), ("fire", "火灾事故"))
STATUSES = (("reported", "已报告"), ("investigating", "调查中"), ("closed", "已结案"))
ROAD_OR_FIRE = ("road_traffic", "fire")  # re-report window 7 days instead of 30

_REPORT = (Field("level", "报告层级", "enum", required=True, options=rules.REPORT_LEVELS),
           Field("reported_at", "报告时间", "datetime", required=True), person("reporter", "报告人"))
_INVESTIGATION = (person("team_leader", "调查组组长"), Field("team", "调查组成员单位", max_length=1000),
                  Field("extension_days", "延长天数", "int", minimum=0, maximum=60),
                  Field("report_submitted_on", "调查报告提交日期", "date"),
                  Field("findings", "调查结论", max_length=5000), Field("accountability", "责任追究", max_length=5000))


def _table(ctx: RuleContext, record: dict):
    return effective(ctx.tables, "accident_grades", record.get("occurred_at") or ctx.now)


def _figures(r: dict) -> rules.Figures:
    return rules.Figures(deaths=r.get("deaths") or 0, missing=r.get("missing") or 0,
                         serious_injuries=r.get("serious_injuries") or 0, minor_injuries=r.get("minor_injuries") or 0,
                         direct_loss_cny=decimal(r.get("direct_loss_cny") or 0))


def _casualty_changes(record: dict, current: dict | None) -> dict:
    if not current:
        return {}
    return {f: record.get(f) or 0 for f in rules.CASUALTY_FIELDS if (record.get(f) or 0) != (current.get(f) or 0)}


def _check(record: dict, ctx: RuleContext) -> list:
    table = _table(ctx, record)
    out = list(rules.violations(record | {"missing": record.get("missing") or 0, "serious_injuries": record.get("serious_injuries") or 0,
                                          "minor_injuries": record.get("minor_injuries") or 0,
                                          "direct_loss_cny": record.get("direct_loss_cny") or 0,
                                          # grade is computed (derive); on update the record carries the stored, old grade
                                          "grade": None}, table=table, now=ctx.now))
    if changes := _casualty_changes(record, ctx.current):
        # A change of casualties after the first report is a re-report (续报), allowed only in its window.
        try:
            rules.apply_casualty_update(_figures(ctx.current), changes, reported_at=ctx.now,
                                        occurred_at=record["occurred_at"], is_road_or_fire=record.get("category") in ROAD_OR_FIRE,
                                        table=table)
        except InvalidArgument as refused:
            out.extend(v if v.field not in ("reported_at", "update") else
                       FieldViolation("deaths", v.code, v.message_zh, v.message_en) for v in refused.violations)
    extension = (record.get("investigation") or {}).get("extension_days") or 0
    try:
        rules.investigation_due(occurred_at=record["occurred_at"], extension_days=extension, table=table)
    except (InvalidArgument, KeyError) as refused:
        out.extend(FieldViolation("investigation", v.code, v.message_zh, v.message_en) for v in getattr(refused, "violations", ()))
    return out


def _derive(record: dict, ctx: RuleContext) -> dict:
    table = _table(ctx, record)
    grade = rules.grade_of(_figures(record), table)
    deadlines = rules.reporting_deadlines(occurred_at=record["occurred_at"], grade=grade, table=table)
    out = {"grade": grade, "investigating_level": rules.investigating_level(grade, table=table),
           "investigation_due": rules.investigation_due(occurred_at=record["occurred_at"],
                                                        extension_days=(record.get("investigation") or {}).get("extension_days") or 0,
                                                        table=table),
           "report_deadlines": [{"level": d.level, "level_zh": d.level_zh, "due": d.due.isoformat()} for d in deadlines]}
    updates = list((ctx.current or {}).get("casualty_updates") or [])
    if changes := _casualty_changes(record, ctx.current):
        updates.append({"at": ctx.now.isoformat(), "by": ctx.actor, "grade_from": ctx.current.get("grade"), "grade_to": grade,
                        "changes": {f: {"from": ctx.current.get(f) or 0, "to": v} for f, v in changes.items()}})
    out["casualty_updates"] = updates
    return out


def _at_read(row: dict, ctx: RuleContext) -> dict:
    deadlines = [rules.Deadline(d["level"], d["level_zh"], datetime.fromisoformat(d["due"])) for d in row.get("report_deadlines") or ()]
    reports = [rules.Report(r["level"], r["reported_at"] if isinstance(r["reported_at"], datetime) else datetime.fromisoformat(r["reported_at"]))
               for r in row.get("reports") or ()]
    flags = rules.late_reports(deadlines=deadlines, reports=reports, now=ctx.now)
    return {"late_reports": [{"level": f.level, "level_zh": f.level_zh, "due": f.due, "status": f.status,
                              "status_zh": f.status_zh, "reported_at": f.reported_at} for f in flags]}


KIND = Kind(
    name="accident", database="accidents", table="accident", path="accidents", label="生产安全事故", owned=True,
    enterprise_writes=True,
    writer_roles=(roles.PLATFORM_ADMIN, roles.DATACENTER_ADMIN, roles.EMERGENCY_DUTY_OFFICER, roles.EMERGENCY_COMMANDER),
    description="事故快报与续报：伤亡、损失、等级（493号令）、报告时限、调查与结案",
    category_field="grade", month_field="occurred_at",
    fields=(
        uscc_field(),
        Field("title", "事故简称", required=True, min_length=4, max_length=200, search=True, list_column=True),
        Field("occurred_at", "发生时间", "datetime", required=True, list_column=True),
        Field("place", "发生地点", required=True, max_length=300, search=True),
        Field("category", "事故类别", "enum", required=True, options=CATEGORIES, filter=True),
        Field("accident_type", "事故类型（GB 6441）", "enum", options=rules.ACCIDENT_TYPES, required=True, filter=True,
              list_column=True),
        Field("deaths", "死亡人数", "int", required=True, minimum=0, maximum=100_000, list_column=True),
        Field("missing", "失踪人数", "int", minimum=0, maximum=100_000),
        Field("serious_injuries", "重伤人数（含急性工业中毒）", "int", minimum=0, maximum=100_000),
        Field("minor_injuries", "轻伤人数", "int", minimum=0, maximum=100_000),
        Field("direct_loss_cny", "直接经济损失（元）", "decimal", minimum=0, maximum=1e13),
        Field("grade", "事故等级", "enum", options=rules.GRADES, computed=True, filter=True, list_column=True),
        Field("description", "事故经过", max_length=10_000, search=True),
        Field("reports", "报告记录", "json", item_fields=_REPORT),
        Field("report_deadlines", "报告时限", "json", computed=True),
        Field("casualty_updates", "伤亡续报", "json", computed=True),
        Field("investigating_level", "调查级别", computed=True),
        Field("investigation_due", "调查报告期限", "date", computed=True),
        Field("investigation", "事故调查", "json", item_fields=_INVESTIGATION),
        Field("status", "办理状态", "enum", required=True, options=STATUSES, filter=True, list_column=True),
        Field("closed_on", "结案日期", "date"),
    ),
    check=_check, derive=_derive, at_read=_at_read,
    read_fields=(Field("late_reports", "迟报漏报", "json"),),
)
