"""法律法规规章 (laws): the laws, regulations, rules and standards the agency enforces, with their
full text split into articles for reading and searching. Not regional: every officer sees all."""
from __future__ import annotations


from services.datacenter.laws import rules
from services.datacenter.registry.spec import Field, Kind, ListFilter, RuleContext


def _derive(record: dict, ctx: RuleContext) -> dict:
    return {"articles": rules.split_articles(record.get("full_text") or "")}


def _at_read(row: dict, ctx: RuleContext) -> dict:
    return {"status": rules.status(issued_on=row.get("issued_on"), effective_on=row.get("effective_on"),
                                   repealed_on=row.get("repealed_on"), today=ctx.today)}


KIND = Kind(
    name="law", database="laws", table="law", path="laws", label="法律法规规章", regional=False,
    description="法律、行政法规、部门规章、地方性法规、规章和标准，含全文与条款",
    category_field="level", month_field="issued_on",
    fields=(
        Field("title", "名称", required=True, min_length=2, max_length=200, search=True, list_column=True),
        Field("document_number", "文号", max_length=100, search=True, list_column=True, help="如 国务院令第493号"),
        Field("issuing_authority", "发布机关", required=True, max_length=100, filter=True, search=True, list_column=True),
        Field("level", "效力层级", "enum", required=True, options=rules.LEVELS, filter=True, list_column=True),
        Field("issued_on", "发布日期", "date", required=True, list_column=True),
        Field("effective_on", "施行日期", "date", required=True),
        Field("repealed_on", "废止日期", "date"),
        Field("keywords", "关键词", "text_list", max_length=20, search=True),
        Field("full_text", "全文", max_length=500_000, search=True, help="按“第X条”自动拆分条款"),
        Field("articles", "条款", "json", computed=True),
    ),
    check=lambda record, ctx: rules.violations(record),
    derive=_derive, at_read=_at_read,
    read_fields=(Field("status", "时效性", "enum", options=rules.STATUSES),),
    list_filters=(ListFilter("status", "时效性", rules.STATUSES, rules.status_filter_sql),),
)
