"""生产经营单位 (enterprises): the register every other database points at, keyed by the unified
social credit code. An enterprise client maintains its own basic information; staff of its region
maintain the rest (risk colour, standardization grade, status)."""
from __future__ import annotations

from services.datacenter.enterprises import risk
from services.datacenter.enterprises.rules import INDUSTRY_CODE
from services.datacenter.registry.spec import Field, Kind, coordinates, person, phone, region_field, uscc_field
from services.kit import roles
from services.kit.errors import FieldViolation

SCALES = (("large", "大型"), ("medium", "中型"), ("small", "小型"), ("micro", "微型"))
STATUSES = (("operating", "正常生产"), ("suspended", "停产停业"), ("under_construction", "在建"), ("closed", "关闭注销"))


def _check(record: dict, ctx) -> list[FieldViolation]:
    out = []
    if record.get("employees") is not None and record.get("scale") == "large" and record["employees"] < 300:
        out.append(FieldViolation("scale", "scale.employees", "大型企业从业人员一般不少于300人，请核对规模或人数",
                                  "A large enterprise has at least 300 employees; check the scale or the head count"))
    return out


KIND = Kind(
    name="enterprise", database="enterprises", table="enterprise", path="enterprises", label="生产经营单位",
    key="uscc", owned=False, enterprise_writes=True,
    description="生产经营单位基本信息：统一社会信用代码、行业、监管行业、规模、风险等级、标准化等级",
    category_field="sector", month_field="created_at",
    fields=(
        uscc_field(list_column=True, search=True),
        Field("name", "单位名称", required=True, min_length=2, max_length=200, search=True, list_column=True),
        person("legal_representative", "法定代表人"),
        region_field(),
        Field("address", "地址", required=True, min_length=2, max_length=300, search=True),
        *coordinates(),
        Field("industry_code", "国民经济行业（GB/T 4754）", required=True, pattern=INDUSTRY_CODE.pattern,
              pattern_hint="字母加2至4位数字，如 C2614", max_length=5, filter=True),
        Field("sector", "监管行业", dictionary="sector", filter=True, list_column=True, max_length=40),
        Field("scale", "企业规模", "enum", options=SCALES, filter=True),
        Field("employees", "从业人员数", "int", minimum=0, maximum=1_000_000),
        person("safety_manager", "安全管理负责人"),
        phone("safety_manager_phone", "安全管理负责人电话"),
        phone("contact_phone", "单位联系电话"),
        Field("risk_colour", "安全风险等级", "enum", options=risk.COLOURS, filter=True, list_column=True, enterprise_writable=False),
        Field("standardization_grade", "安全生产标准化等级", "enum", options=risk.STANDARDIZATION_GRADES, filter=True,
              enterprise_writable=False, field_writers=(roles.SUPERVISION_SUPERVISOR,)),
        Field("status", "经营状态", "enum", options=STATUSES, filter=True, list_column=True),
    ),
    check=_check,
)

