"""隐患 (hidden hazards): found by the enterprise itself, by an inspection or by a report, and
followed through the closed loop 登记 → 整改 → 验收 → 销号. The owning enterprise registers its
self-inspection hazards; inspectors register what they find in their region."""
from __future__ import annotations


from services.datacenter.hazards import rules
from services.datacenter.registry.spec import SQL_TODAY, Field, Kind, ListFilter, RuleContext, person, uscc_field
from services.kit import roles
from services.kit.errors import FieldViolation, InvalidArgument

CATEGORIES = (("equipment", "设备设施"), ("environment", "作业场所环境"), ("behaviour", "人员操作行为"),
              ("management", "安全管理"), ("fire", "消防安全"), ("electrical", "用电安全"), ("other", "其他"))

_EVIDENCE = (Field("name", "文件名", required=True, max_length=200), Field("url", "地址", required=True, max_length=1000),
             Field("sha256", "SHA-256", max_length=64, pattern="[0-9a-f]{64}", pattern_hint="64位小写十六进制"))
_VERIFICATION = (person("verified_by", "验收人", required=True), Field("verified_at", "验收时间", "datetime", required=True),
                 Field("result", "验收结论", "enum", required=True, options=rules.VERIFICATION_RESULTS),
                 Field("opinion", "验收意见", max_length=1000))
# The 五落实 plan of a major hazard, with the rules' field names (hazards.rules.PLAN_FIELDS).
_PLAN = tuple(Field(code, label, "date" if code == "deadline" else "text", max_length=None if code == "deadline" else 2000)
              for code, label in rules.PLAN_FIELDS)
_EXTENSION = (Field("requested_on", "申请日期", "date"), Field("new_deadline", "申请延期至", "date", required=True),
              Field("reason", "延期理由", required=True, max_length=500), Field("approved", "是否同意", "bool"))
_LISTED = (Field("level", "督办层级", "enum", required=True, options=rules.SUPERVISION_LEVELS),
           Field("document_number", "督办文号", required=True, max_length=60, help="如 平应急发〔2026〕12号"),
           Field("listed_on", "挂牌日期", "date"), Field("deadline", "督办期限", "date", required=True),
           Field("extensions", "延期申请", "json", item_fields=_EXTENSION))


def _check(record: dict, ctx: RuleContext) -> list:
    found = record.get("found_at")
    out = list(rules.violations(record | {"found_on": found.date() if found else None}, today=ctx.today))
    out = [FieldViolation("found_at", v.code.replace("found_on", "found_at"), v.message_zh, v.message_en) if v.field == "found_on" else v
           for v in out]
    if ctx.actor_kind == "enterprise" and record.get("source") != "self_inspection":
        out.append(FieldViolation("source", "source.enterprise", "企业只能登记自查发现的隐患",
                                  "An enterprise registers only hazards from its own inspection"))
    current = ctx.current
    if current and current.get("status") != record.get("status"):
        try:
            rules.transition(current["status"], record["status"], record=record, actor=ctx.actor)
        except InvalidArgument as refused:
            out.extend(refused.violations)
    return out


def _derive(record: dict, ctx: RuleContext) -> dict:
    closing = record.get("status") == "closed" and (ctx.current or {}).get("status") != "closed"
    return {"closed_at": ctx.now if closing else (ctx.current or {}).get("closed_at")}


def _at_read(row: dict, ctx: RuleContext) -> dict:
    return {"overdue": rules.is_overdue(status=row.get("status"), deadline=row.get("deadline"), today=ctx.today)}


def _overdue_sql(value: str) -> tuple[str, tuple]:
    cond = f"status <> 'closed' AND deadline < {SQL_TODAY}"
    return (cond, ()) if value == "true" else (f"NOT ({cond}) OR deadline IS NULL", ())


KIND = Kind(
    name="hazard", database="hazards", table="hazard", path="hazards", label="隐患", owned=True, enterprise_writes=True,
    writer_roles=(roles.PLATFORM_ADMIN, roles.DATACENTER_ADMIN, roles.SUPERVISION_INSPECTOR, roles.SUPERVISION_SUPERVISOR),
    description="隐患排查治理闭环：来源、等级、整改、验收、销号、挂牌督办",
    category_field="level", month_field="found_at",
    fields=(
        uscc_field(),
        Field("source", "隐患来源", "enum", required=True, options=rules.SOURCES, filter=True, list_column=True),
        Field("unannounced", "四不两直检查", "bool", help="仅部门检查"),
        Field("found_at", "发现时间", "datetime", required=True, list_column=True),
        Field("place", "隐患部位", max_length=200, search=True),
        Field("category", "隐患类别", "enum", options=CATEGORIES, filter=True),
        Field("description", "隐患描述", required=True, min_length=2, max_length=2000, search=True, list_column=True),
        Field("level", "隐患等级", "enum", required=True, options=rules.LEVELS, filter=True, list_column=True),
        Field("measures", "整改措施", max_length=2000),
        person("responsible_person", "整改责任人"),
        Field("funds_cny", "整改资金（元）", "decimal", minimum=0, maximum=1e11),
        Field("deadline", "整改期限", "date", list_column=True),
        Field("status", "治理状态", "enum", required=True, options=rules.STATUSES, filter=True, list_column=True),
        Field("plan", "重大隐患治理方案（五落实）", "json", item_fields=_PLAN),
        Field("verification", "验收记录", "json", item_fields=_VERIFICATION),
        Field("supervision", "挂牌督办", "json", item_fields=_LISTED),
        Field("evidence", "证据附件", "json", item_fields=_EVIDENCE),
        Field("closed_at", "销号时间", "datetime", computed=True),
    ),
    check=_check, derive=_derive, at_read=_at_read,
    read_fields=(Field("overdue", "是否超期", "bool"),),
    list_filters=(ListFilter("overdue", "是否超期", (("true", "已超期"), ("false", "未超期")), _overdue_sql),),
)
