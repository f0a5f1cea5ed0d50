"""应急救援队伍 (rescue teams): professional, enterprise and social teams, where they are based,
what they can do and whether they are ready. Kept by the data centre and the emergency platform."""
from __future__ import annotations

from services.datacenter.registry.spec import Field, Kind, coordinates, person, phone, region_field
from services.kit import roles

TEAM_TYPES = (("professional", "专业救援队伍"), ("enterprise", "企业救援队伍"), ("social", "社会救援力量"))
READINESS = (("ready", "待命"), ("deployed", "执行任务中"), ("resting", "休整"), ("unavailable", "不可用"))

KIND = Kind(
    name="rescue_team", database="rescue_teams", table="team", path="rescue-teams", label="应急救援队伍",
    writer_roles=(roles.PLATFORM_ADMIN, roles.DATACENTER_ADMIN, roles.EMERGENCY_COMMANDER, roles.EMERGENCY_DUTY_OFFICER),
    description="专业、企业和社会救援队伍：专长、人数、装备、驻地、值班电话、战备状态",
    category_field="team_type",
    fields=(
        Field("name", "队伍名称", required=True, min_length=2, max_length=100, search=True, list_column=True),
        region_field(),
        Field("team_type", "队伍类型", "enum", required=True, options=TEAM_TYPES, filter=True, list_column=True),
        Field("specialty", "救援专长", dictionary="rescue_specialty", required=True, max_length=40, filter=True, list_column=True),
        Field("headcount", "队员人数", "int", required=True, minimum=1, maximum=100_000, list_column=True),
        Field("equipment", "主要装备", max_length=2000, search=True),
        Field("base_address", "驻地地址", max_length=300, search=True),
        *coordinates(),
        person("leader", "队长"),
        phone("leader_phone", "队长电话"),
        phone("duty_phone", "值班电话", required=True),
        Field("affiliated_uscc", "所属单位信用代码", "uscc"),
        Field("readiness", "战备状态", "enum", required=True, options=READINESS, filter=True, list_column=True),
    ),
)
