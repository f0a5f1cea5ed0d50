"""专家 (experts), including occupational-health experts: who can be called on for inspections,
reviews and emergencies. ID numbers and phones are personal data, masked in every list."""
from __future__ import annotations

from services.datacenter.registry.spec import Field, Kind, person, phone, region_field

TITLES = (("senior_full", "正高级"), ("senior_associate", "副高级"), ("intermediate", "中级"), ("junior", "初级"), ("none", "无"))
AVAILABILITY = (("available", "可聘请"), ("busy", "暂不可用"), ("retired", "已退出"))
GENDERS = (("male", "男"), ("female", "女"))

KIND = Kind(
    name="expert", database="experts", table="expert", path="experts", label="安全生产专家",
    description="安全生产和职业健康专家：专业领域、职称、工作单位、联系方式、可聘状态",
    category_field="title",
    fields=(
        person("name", "姓名", required=True, search=True, list_column=True),
        Field("gender", "性别", "enum", options=GENDERS),
        Field("id_number", "身份证号码", "id_number", mask="id_number", required=True),
        region_field(),
        Field("fields", "专业领域", "text_list", dictionary="expert_field", required=True, max_length=40, list_column=True),
        Field("title", "职称", "enum", options=TITLES, filter=True, list_column=True),
        Field("employer", "工作单位", max_length=200, search=True, list_column=True),
        phone("phone", "联系电话", required=True),
        Field("email", "电子邮箱", max_length=100, pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+", pattern_hint="如 name@example.cn"),
        Field("occupational_health", "职业健康专家", "bool", filter=True),
        Field("availability", "可聘状态", "enum", required=True, options=AVAILABILITY, filter=True, list_column=True),
    ),
)
