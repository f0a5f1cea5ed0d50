"""Rules of the personnel database: categories and credential validity. Pure."""
from __future__ import annotations

from datetime import date

from services.datacenter.registry.spec import SQL_TODAY
from services.kit.errors import FieldViolation

TRAINEE_CATEGORIES = (("principal", "主要负责人"), ("safety_manager", "安全生产管理人员"), ("special_operation", "特种作业人员"))
# 特种作业目录 (安监总局令第30号): the operation classes a special-operation certificate names.
OPERATION_TYPES = (("electrician", "电工作业"), ("welding", "焊接与热切割作业"), ("work_at_height", "高处作业"),
                   ("refrigeration", "制冷与空调作业"), ("coal_mine", "煤矿安全作业"),
                   ("metal_nonmetal_mine", "金属非金属矿山安全作业"), ("oil_gas", "石油天然气安全作业"),
                   ("metallurgy", "冶金（有色）生产安全作业"), ("hazardous_chemicals", "危险化学品安全作业"),
                   ("fireworks", "烟花爆竹安全作业"))
CREDENTIAL_STATUSES = (("valid", "有效"), ("expiring", "3个月内到期"), ("expired", "已过期"), ("none", "无证"))
EXPIRING_DAYS = 90


def credential_status(valid_until: date | None, today: date) -> str:
    if valid_until is None:
        return "none"
    if valid_until < today:
        return "expired"
    return "expiring" if (valid_until - today).days <= EXPIRING_DAYS else "valid"


def credential_filter_sql(column: str):
    today = SQL_TODAY

    def sql(value: str) -> tuple[str, tuple]:
        return {
            "none": (f"{column} IS NULL", ()),
            "expired": (f"{column} < {today}", ()),
            "expiring": (f"{column} >= {today} AND {column} <= {today} + {EXPIRING_DAYS}", ()),
            "valid": (f"{column} > {today} + {EXPIRING_DAYS}", ()),
        }[value]
    return sql


def validity_violations(record: dict, start: str, end: str) -> list[FieldViolation]:
    if record.get(start) and record.get(end) and record[end] <= record[start]:
        return [FieldViolation(end, f"{end}.before_start", "有效期截止日期应晚于开始日期", "The end of validity must be after its start")]
    return []


def trainee_violations(record: dict) -> list[FieldViolation]:
    out = validity_violations(record, "certificate_issued_on", "certificate_valid_until")
    if record.get("category") == "special_operation" and not record.get("operation_type"):
        out.append(FieldViolation("operation_type", "operation_type.required", "特种作业人员须填写特种作业类别",
                                  "A special-operation worker needs an operation type"))
    if record.get("category") != "special_operation" and record.get("operation_type"):
        out.append(FieldViolation("operation_type", "operation_type.not_applicable", "只有特种作业人员填写特种作业类别",
                                  "Only special-operation workers have an operation type"))
    return out
