"""Licences an emergency management bureau issues: default validity, the renewal window and the
status on a given day. Pure functions.

Source: 国务院令第397号《安全生产许可证条例》 for 安全生产许可证. The rule table
`licence_validity` keeps one entry per licence type; a type without an entry has no default
validity and no renewal reminder until an administrator adds one (a newer table version).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Mapping

from services.datacenter.ruletables import RuleTable, add_months
from services.kit.errors import FieldViolation

LICENCE_TYPES = (
    ("work_safety", "安全生产许可证"),
    ("hazchem_operation", "危险化学品经营许可证"),
    ("hazchem_use", "危险化学品安全使用许可证"),
    ("precursor_production_filing", "非药品类易制毒化学品生产备案证明"),
    ("precursor_operation_filing", "非药品类易制毒化学品经营备案证明"),
    ("fireworks_wholesale", "烟花爆竹经营（批发）许可证"),
    ("fireworks_retail", "烟花爆竹经营（零售）许可证"),
)
STATUSES = (
    ("valid", "有效"), ("renewal_open", "可申请延续"), ("expired", "已过期"),
    ("suspended", "暂扣"), ("revoked", "吊销"), ("not_yet_valid", "未生效"),
)
_TYPE_ZH = dict(LICENCE_TYPES)


def _rule(licence_type: str, table: RuleTable) -> Mapping:
    try:
        return table.body["types"][licence_type]
    except KeyError:
        raise LookupError(f"no validity rule for licence type {licence_type!r} in {table.name} "
                          f"of {table.effective_from}") from None


def default_valid_until(licence_type: str, valid_from: date, table: RuleTable) -> date:
    """The last valid day: a licence valid 3 years from 2026-03-15 is valid up to 2029-03-14."""
    return add_months(valid_from, _rule(licence_type, table)["validity_months"]) - timedelta(days=1)


def renewal_window(valid_until: date, licence_type: str, table: RuleTable) -> tuple[date, date]:
    """(opens, closes), both inclusive: from `renewal_opens_months_before` the expiry up to the last
    valid day ("期满前3个月办理延期手续")."""
    return add_months(valid_until, -_rule(licence_type, table)["renewal_opens_months_before"]), valid_until


def status(*, licence_type: str, valid_from: date, valid_until: date, suspended: bool, revoked: bool,
           today: date, table: RuleTable) -> str:
    """Revoked beats suspended beats expired beats the renewal window beats valid."""
    if revoked:
        return "revoked"
    if suspended:
        return "suspended"
    if today > valid_until:
        return "expired"
    if today < valid_from:
        return "not_yet_valid"
    try:
        opens, _ = renewal_window(valid_until, licence_type, table)
    except LookupError:
        return "valid"  # no rule for this type yet: nothing to remind about
    return "renewal_open" if today >= opens else "valid"


def _is_day(value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def violations(record: Mapping, *, table: RuleTable) -> list[FieldViolation]:
    """licence_type, number, valid_from, valid_until; the validity may not exceed the type's rule."""
    out: list[FieldViolation] = []
    licence_type = record.get("licence_type")
    if licence_type not in _TYPE_ZH:
        out.append(FieldViolation("licence_type", "licence_type.unknown", "许可证种类不在可选范围内", "Unknown licence type"))
    number = record.get("number")
    if not isinstance(number, str) or not 1 <= len(number.strip()) <= 64:
        out.append(FieldViolation("number", "number.length", "证书编号应为1至64个字符", "The licence number must have 1 to 64 characters"))
    valid_from, valid_until = record.get("valid_from"), record.get("valid_until")
    for key, zh, value in (("valid_from", "有效期起始日", valid_from), ("valid_until", "有效期截止日", valid_until)):
        if not _is_day(value):
            out.append(FieldViolation(key, f"{key}.required", f"{zh}不能为空", f"{key} is required"))
    if _is_day(valid_from) and _is_day(valid_until):
        if valid_until <= valid_from:
            out.append(FieldViolation("valid_until", "valid_until.before_from", "有效期截止日应晚于起始日",
                                      "valid_until must be after valid_from"))
        elif licence_type in table.body["types"]:
            # One day of slack: some certificates print the anniversary itself as the last day.
            months = table.body["types"][licence_type]["validity_months"]
            if valid_until > add_months(valid_from, months):
                out.append(FieldViolation("valid_until", "valid_until.too_long",
                                          f"{_TYPE_ZH[licence_type]}有效期不能超过{months}个月",
                                          f"A {licence_type} licence is valid for at most {months} months"))
    for key in ("suspended", "revoked"):
        if not any(record.get(key) is ok for ok in (None, True, False)):  # `in` would accept 1 and 0
            out.append(FieldViolation(key, f"{key}.invalid", "暂扣/吊销标志应为是或否", f"{key} must be true or false"))
    return out
