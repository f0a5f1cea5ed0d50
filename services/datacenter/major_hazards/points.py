"""监测点 (monitoring points): the one registry of the sensors whose readings the supervision
platform takes in — a major hazard source's level, temperature, pressure and gas detectors, and a
coal mine's methane, CO, O₂, wind and feed-power sensors. The data centre is its system of record;
supervision keeps a copy from the kind's events (services/supervision/monitoring/catalogue.py).

Limits are the point's own (低低/低/高/高高). Gas detectors are also held to GB/T 50493-2019 and
coal-mine methane sensors to the methane table of 煤矿安全规程 by location class, by the
supervision evaluator's rule tables; calibration falls due by this database's rule table."""
from __future__ import annotations

from datetime import date, timedelta

from services.datacenter.registry.spec import Field, Kind, RuleContext, uscc_field
from services.datacenter.ruletables import effective
from services.kit.errors import FieldViolation

SITE_TYPES = (("major_hazard", "危险化学品重大危险源"), ("coal_mine", "煤矿"))
QUANTITIES = (("level", "液位"), ("temperature", "温度"), ("pressure", "压力"), ("flow", "流量"),
              ("combustible_gas", "可燃气体浓度"), ("toxic_gas", "有毒气体浓度"), ("oxygen", "氧气浓度"),
              ("methane", "甲烷浓度"), ("carbon_monoxide", "一氧化碳浓度"), ("wind_speed", "风速"), ("switch", "开关量"))
# The unit each quantity is reported in (readings carry no unit: the point's is the contract).
UNITS = {"combustible_gas": "%LEL", "toxic_gas": "ppm", "oxygen": "%VOL", "methane": "%CH4", "carbon_monoxide": "ppm",
         "wind_speed": "m/s"}
SWITCH_KINDS = (("emergency_shutoff", "紧急切断阀"), ("sis_bypass", "SIS旁路"), ("feed_power", "馈电状态"),
                ("other", "其他开关量"))
COAL_LOCATIONS = (("working_face", "采掘工作面"), ("upper_corner", "工作面上隅角"), ("return_airway", "回风巷"),
                  ("intake_airway", "进风巷"), ("drainage_roadway", "专用排瓦斯巷"), ("machine_mounted", "采掘机械机载"))
STATUSES = (("in_service", "在用"), ("out_of_service", "停用"))
CALIBRATION_RESULTS = (("pass", "合格"), ("adjusted", "调校后合格"), ("fail", "不合格"))
LIMITS = ("low_low", "low", "high", "high_high")

_CALIBRATION = (Field("on", "调校日期", "date", required=True), Field("by", "调校人", required=True, max_length=50),
                Field("result", "结果", "enum", required=True, options=CALIBRATION_RESULTS),
                Field("note", "说明", max_length=200))


def violations(record: dict) -> list[FieldViolation]:
    """Cross-field rules of one point. Pure."""
    out, site, quantity = [], record.get("site_type"), record.get("quantity")
    if site == "major_hazard" and record.get("source_id") is None:
        out.append(FieldViolation("source_id", "source_id.required", "重大危险源的监测点须指明所属重大危险源",
                                  "A major hazard source's point names its source"))
    if quantity == "switch":
        if not record.get("switch_kind"):
            out.append(FieldViolation("switch_kind", "switch_kind.required", "开关量监测点须指明开关类型", "A switch point names its kind"))
        for name in LIMITS:
            if record.get(name) is not None:
                out.append(FieldViolation(name, f"{name}.switch", "开关量监测点不设上下限", "A switch point has no limits"))
    elif record.get("switch_kind"):
        out.append(FieldViolation("switch_kind", "switch_kind.not_switch", "仅开关量监测点填写开关类型", "Only switch points have a switch kind"))
    if quantity == "methane" and site == "coal_mine" and not record.get("coal_location"):
        out.append(FieldViolation("coal_location", "coal_location.required", "煤矿甲烷传感器须指明设置地点类别（用于确定报警、断电、复电浓度）",
                                  "A coal-mine methane sensor names its location class"))
    if record.get("coal_location") and not (site == "coal_mine" and quantity == "methane"):
        out.append(FieldViolation("coal_location", "coal_location.not_methane", "仅煤矿甲烷传感器填写设置地点类别",
                                  "Only coal-mine methane sensors have a location class"))
    if site == "coal_mine" and (quantity == "methane" or record.get("switch_kind") == "feed_power") and not record.get("zone"):
        out.append(FieldViolation("zone", "zone.required", "煤矿甲烷传感器和馈电传感器须指明断电区域",
                                  "Coal-mine methane and feed-power sensors name their power-cut zone"))
    if quantity == "toxic_gas" and not record.get("gas"):
        out.append(FieldViolation("gas", "gas.required", "有毒气体监测点须指明气体", "A toxic gas point names its gas"))
    if quantity and quantity != "switch" and not record.get("unit"):
        out.append(FieldViolation("unit", "unit.required", "单位不能为空", "unit is required"))
    expected = UNITS.get(quantity or "")
    if expected and record.get("unit") and record["unit"] != expected:
        out.append(FieldViolation("unit", "unit.quantity", f"该监测参数的单位应为 {expected}", f"This quantity is reported in {expected}"))
    present = [(n, record[n]) for n in LIMITS if record.get(n) is not None]
    for (a, x), (b, y) in zip(present, present[1:]):
        if x > y:
            out.append(FieldViolation(b, f"{b}.order", "报警限值须满足 低低限 ≤ 低限 ≤ 高限 ≤ 高高限",
                                      "Limits must satisfy low-low ≤ low ≤ high ≤ high-high"))
            break
    return out


def last_calibration(record: dict):
    dates = [c["on"] if isinstance(c["on"], date) else date.fromisoformat(str(c["on"]))
             for c in record.get("calibrations") or () if c.get("on") and c.get("result") != "fail"]
    return max(dates) if dates else None


def calibration_due(record: dict, table) -> object:
    """The date the next calibration falls due: the last passed calibration plus the interval of
    the point's site and quantity (the most specific row of the table)."""
    last = last_calibration(record)
    if last is None:
        return None
    rows = table.body["intervals"]
    best = max((r for r in rows if r["site_type"] in (record.get("site_type"), "*") and r["quantity"] in (record.get("quantity"), "*")),
               key=lambda r: (r["site_type"] != "*", r["quantity"] != "*"))
    return last + timedelta(days=int(best["days"]))


def _check(record: dict, ctx: RuleContext) -> list:
    return violations(record)


def _derive(record: dict, ctx: RuleContext) -> dict:
    table = effective(ctx.tables, "sensor_calibration", ctx.today)
    return {"calibrated_on": last_calibration(record), "calibration_due": calibration_due(record, table)}


def _at_read(row: dict, ctx: RuleContext) -> dict:
    due = row.get("calibration_due")
    return {"calibration_overdue": bool(due and due < ctx.today and row.get("status") != "out_of_service")}


KIND = Kind(
    name="monitoring_point", database="major_hazards", table="monitoring_point", path="monitoring-points", label="监测点",
    owned=True, enterprise_writes=True, unique=(("uscc", "point_code"),),
    description="重大危险源和煤矿的在线监测点：监测参数、单位、报警限值、上报周期、煤矿甲烷设置地点与断电区域、调校记录",
    category_field="quantity",
    fields=(
        uscc_field(),
        Field("point_code", "监测点编号", required=True, max_length=64, pattern=r"[A-Za-z0-9_.\-]+", pattern_hint="字母、数字、点、下划线或连字符",
              search=True, list_column=True, help="本单位内唯一；上报数据时用它指明监测点"),
        Field("site_type", "场所类型", "enum", required=True, options=SITE_TYPES, filter=True, list_column=True),
        Field("source_id", "所属重大危险源", "int", ref="major_hazard", filter=True, minimum=1),
        Field("location", "安装位置", required=True, max_length=100, search=True, list_column=True),
        Field("quantity", "监测参数", "enum", required=True, options=QUANTITIES, filter=True, list_column=True),
        Field("unit", "单位", max_length=16, help="开关量不填；其余必填，气体浓度等按监测参数的规定单位"),
        Field("gas", "气体名称", max_length=40, help="有毒气体监测点必填，如 硫化氢、氨、氯气"),
        Field("switch_kind", "开关类型", "enum", options=SWITCH_KINDS),
        Field("low_low", "低低限", "float"), Field("low", "低限", "float"),
        Field("high", "高限", "float"), Field("high_high", "高高限", "float"),
        Field("interval_s", "上报周期（秒）", "int", required=True, minimum=1, maximum=86_400),
        Field("coal_location", "甲烷传感器设置地点", "enum", options=COAL_LOCATIONS, filter=True),
        Field("zone", "断电区域", max_length=60, help="同一断电区域的甲烷传感器与馈电传感器填写相同名称"),
        Field("calibrations", "调校记录", "json", item_fields=_CALIBRATION),
        Field("calibrated_on", "最近调校日期", "date", computed=True),
        Field("calibration_due", "下次调校期限", "date", computed=True, list_column=True),
        Field("status", "状态", "enum", required=True, options=STATUSES, filter=True, list_column=True),
    ),
    check=_check, derive=_derive, derived_from=("sensor_calibration",), at_read=_at_read,
    read_fields=(Field("calibration_overdue", "调校逾期", "bool"),),
)
