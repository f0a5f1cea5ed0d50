"""重大危险源 (major hazard sources): each production or storage unit with the chemicals it holds,
assessed against GB 18218-2018 (S, R and grade computed from the rule tables in force on the
assessment date), its three responsible people and its filing. Its monitoring points are records of
their own (points.py)."""
from __future__ import annotations

from services.datacenter.major_hazards import rules
from services.datacenter.registry.spec import Field, Kind, RuleContext, coordinates, person, phone, uscc_field
from services.datacenter.ruletables import effective
from services.kit.errors import FieldViolation, InvalidArgument

UNIT_TYPES = (("production", "生产单元"), ("storage", "储存单元"))
FILING = (("unfiled", "未备案"), ("filed", "已备案"), ("cancelled", "已核销"))

_CHEMICAL = (Field("cas", "CAS号", required=True, max_length=12, pattern=r"\d{2,7}-\d{2}-\d", pattern_hint="如 7664-41-7"),
             Field("name", "品名", max_length=100),
             Field("max_quantity_t", "最大储存量（吨）", "decimal", required=True, minimum=0, maximum=1e7),
             Field("category", "危险性类别", max_length=40,
                   help="GB 18218表2类别符号，如 W2、W5.1、J1，可填多个（以逗号分隔）。表1未列名的物质必填，按表2取临界量、表4取校正系数；"
                        "表1列名的物质已按其自身类别确定校正系数，只在同一类别下按工艺条件取更大的β时填写（如工作温度高于沸点的苯填 W5.1）"),
             Field("table1_row", "表1序号", "int", minimum=1, maximum=85,
                   help="同一CAS号对应表1多项时（硝化纤维素第37—42项、硝酸铵第43—45项）指明哪一项；不填按临界量最小的一项"))


TABLES = (("substances", "gb18218_substances"), ("beta_categories", "gb18218_beta_categories"),
          ("category_thresholds", "gb18218_category_thresholds"), ("alpha", "gb18218_alpha"),
          ("grades", "gb18218_grades"), ("deadlines", "major_hazard_deadlines"))


def _tables(ctx: RuleContext, record: dict) -> dict:
    on = record.get("assessed_on") or ctx.today
    return {name: effective(ctx.tables, table, on) for name, table in TABLES}


def _assess(record: dict, ctx: RuleContext):
    t = _tables(ctx, record)
    return rules.assess(chemicals=record.get("chemicals") or [], population_500m=record.get("population_500m") or 0,
                        substances=t["substances"], beta_categories=t["beta_categories"],
                        category_thresholds=t["category_thresholds"], alpha=t["alpha"], grades=t["grades"])


def _check(record: dict, ctx: RuleContext) -> list:
    out = []
    for i, chem in enumerate(record.get("chemicals") or []):
        out += rules.cas_violations(chem.get("cas", ""), field=f"chemicals[{i}].cas")
    if out:
        return out
    try:
        a = _assess(record, ctx)
    except InvalidArgument as refused:
        return list(refused.violations)
    if not a.is_major:
        out.append(FieldViolation("chemicals", "chemicals.not_major", f"S＝Σq/Q＝{a.s}，小于1，不构成重大危险源",
                                  f"S = {a.s} is below 1: not a major hazard source"))
    if record.get("filing_status") == "filed" and not record.get("filed_on"):
        out.append(FieldViolation("filed_on", "filed_on.required", "已备案的须填写备案日期", "A filed source needs its filing date"))
    return out


def _derive(record: dict, ctx: RuleContext) -> dict:
    a = _assess(record, ctx)
    deadlines = _tables(ctx, record)["deadlines"]
    return {"s_value": a.s, "r_value": a.r, "alpha": a.alpha, "grade": a.grade,
            "filing_due": rules.filing_due(record["assessed_on"], deadlines),
            "reassessment_due": rules.reassessment_due(record["assessed_on"], deadlines)}


KIND = Kind(
    name="major_hazard", database="major_hazards", table="source", path="major-hazards", label="重大危险源",
    owned=True, enterprise_writes=True,
    description="重大危险源辨识与分级（GB 18218-2018）、包保责任人与备案",
    category_field="grade", month_field="assessed_on",
    fields=(
        uscc_field(),
        Field("unit_type", "单元类型", "enum", required=True, options=UNIT_TYPES, filter=True, list_column=True),
        Field("unit_name", "单元名称", required=True, min_length=2, max_length=100, search=True, list_column=True),
        Field("chemicals", "危险化学品", "json", required=True, item_fields=_CHEMICAL),
        Field("population_500m", "500米内常住人口", "int", required=True, minimum=0, maximum=10_000_000),
        Field("assessed_on", "辨识评估日期", "date", required=True),
        Field("s_value", "S值（Σq/Q）", "decimal", computed=True),
        Field("alpha", "校正系数α", "decimal", computed=True),
        Field("r_value", "R值", "decimal", computed=True, list_column=True),
        Field("grade", "危险源等级", "enum", options=rules.GRADES, computed=True, filter=True, list_column=True),
        person("principal_person", "主要负责人", required=True), phone("principal_phone", "主要负责人电话"),
        person("technical_person", "技术负责人", required=True), phone("technical_phone", "技术负责人电话"),
        person("operation_person", "操作负责人", required=True), phone("operation_phone", "操作负责人电话"),
        Field("filing_status", "备案状态", "enum", required=True, options=FILING, filter=True, list_column=True),
        Field("filed_on", "备案日期", "date"),
        Field("filing_due", "备案期限", "date", computed=True),
        Field("reassessment_due", "下次评估期限", "date", computed=True),
        *coordinates(),
    ),
    check=_check, derive=_derive, derived_from=tuple(table for _, table in TABLES),
)
