"""行政许可结果 (licences): what the agency has licensed, to whom, until when. The status (valid,
renewal window open, expired, suspended, revoked) is computed on every read from the dates and
the rule table, so it is never stale; disclosed licences may be shown on the public portal."""
from __future__ import annotations

from datetime import date

from services.datacenter.licences import rules
from services.datacenter.registry.spec import SQL_TODAY, Field, Kind, ListFilter, RuleContext, uscc_field
from services.datacenter.ruletables import effective
from services.kit import roles

def _table(ctx_tables, on):
    return effective(ctx_tables, "licence_validity", on)


def read_status(row: dict, *, today: date, tables) -> dict:
    table = _table(tables, today)
    st = rules.status(licence_type=row["licence_type"], valid_from=row["issued_on"], valid_until=row["valid_until"],
                      suspended=bool(row.get("suspended")), revoked=bool(row.get("revoked")), today=today, table=table)
    try:
        opens, _ = rules.renewal_window(row["valid_until"], row["licence_type"], table)
    except LookupError:
        opens = None
    return {"status": st, "renewal_opens": opens}


def status_filter_sql(value: str) -> tuple[str, tuple]:
    """The same precedence as rules.status, in SQL (renewal window: 3 months for every type today)."""
    today = SQL_TODAY
    live = "NOT coalesce(revoked, false) AND NOT coalesce(suspended, false)"
    return {
        "revoked": ("coalesce(revoked, false)", ()),
        "suspended": ("coalesce(suspended, false) AND NOT coalesce(revoked, false)", ()),
        "expired": (f"{live} AND valid_until < {today}", ()),
        "not_yet_valid": (f"{live} AND issued_on > {today}", ()),
        "renewal_open": (f"{live} AND issued_on <= {today} AND valid_until >= {today} AND valid_until - interval '3 months' <= {today}", ()),
        "valid": (f"{live} AND issued_on <= {today} AND valid_until - interval '3 months' > {today}", ()),
    }[value]


def _check(record: dict, ctx: RuleContext) -> list:
    return rules.violations(record | {"valid_from": record.get("issued_on")}, table=_table(ctx.tables, record.get("issued_on") or ctx.today))


KIND = Kind(
    name="licence", database="licences", table="licence", path="licences", label="行政许可结果", owned=True,
    # the licensing section's supervisors issue, renew, suspend and revoke (supervision/licensing writes them here)
    writer_roles=(roles.PLATFORM_ADMIN, roles.DATACENTER_ADMIN, roles.SUPERVISION_SUPERVISOR),
    description="安全生产许可证等行政许可：持证单位、编号、许可范围、有效期、状态、公示",
    category_field="licence_type", month_field="issued_on",
    fields=(
        uscc_field(),
        Field("licence_type", "许可类型", "enum", required=True, options=rules.LICENCE_TYPES, filter=True, list_column=True),
        Field("number", "许可证编号", required=True, max_length=60, search=True, list_column=True,
              help="如（甘）FM安许证字〔2026〕000123号"),
        Field("scope", "许可范围", required=True, max_length=1000, search=True),
        Field("issuing_authority", "发证机关", required=True, max_length=100),
        Field("issued_on", "发证日期", "date", required=True, list_column=True),
        Field("valid_until", "有效期至", "date", required=True, list_column=True),
        Field("suspended", "暂扣", "bool"),
        Field("revoked", "吊销", "bool"),
        Field("public_disclosure", "向社会公示", "bool", filter=True),
    ),
    check=_check,
    at_read=lambda row, ctx: read_status(row, today=ctx.today, tables=ctx.tables),
    read_fields=(Field("status", "许可状态", "enum", options=rules.STATUSES), Field("renewal_opens", "可申请延续日期", "date")),
    list_filters=(ListFilter("status", "许可状态", rules.STATUSES, status_filter_sql),),
)
