"""Listed supervision of major hazards (重大隐患挂牌督办) and the enterprises' hazard reports. Pure.

《安全生产事故隐患排查治理暂行规定》 (原国家安全监管总局令第16号), RULES.md §3:
- only a 重大隐患 not yet closed is listed, by a supervising level (省级/市级/县级) no higher than the
  agency's own, with a document number and a deadline (the table's `listing_max_days` at most);
- the enterprise may ask for an extension (延期申请: a later deadline, a reason), one at a time;
  the supervising agency approves or refuses it;
- the listing is closed (销号) only after the hazard itself was verified and closed in the data
  centre by someone other than the person responsible for the rectification;
- a listing past its deadline is escalated to the level above (县级 → 市级 → 省级), once per level;
- each quarter and each year the enterprise reports its hazard work, signed by its principal
  (主要负责人), within the table's days after the period.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Mapping

from services.kit import jsonio, regions, roles
from services.kit.auth import Principal
from services.kit.errors import Conflict, FieldViolation, NotFound, PermissionDenied, invalid

LEVELS = (("province", "省级挂牌督办"), ("city", "市级挂牌督办"), ("county", "县级挂牌督办"))
LEVEL_ZH = dict(LEVELS)
_RANK = {"county": 0, "city": 1, "province": 2}
UP = {"county": "city", "city": "province"}
SUPERVISORS = (roles.PLATFORM_ADMIN, roles.SUPERVISION_SUPERVISOR)
READERS = roles.SUPERVISION_READERS
STATUS_ZH = {"listed": "督办中", "closed": "已销号"}
EXTENSION_ZH = {"pending": "待审批", "approved": "已同意", "refused": "不同意"}
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:Q(?P<q>[1-4]))?$")
REPORT_FIGURES = (("general_found", "一般隐患排查数"), ("general_rectified", "一般隐患整改数"), ("major_found", "重大隐患排查数"),
                  ("major_rectified", "重大隐患整改数"), ("funds_cny", "整改资金（元）"))


def agency_level(region_code: str) -> str:
    """The level of the agency whose staff work in `region_code`: a county bureau or the city's."""
    return "county" if regions.county_of(region_code) else "city"


def require_staff(p: Principal) -> str:
    if p.kind != "staff" or not p.region or not p.has_any_role(*READERS):
        raise PermissionDenied("仅监管人员可处理挂牌督办", "Only supervision staff handle listed supervision")
    return regions.significant_prefix(p.region)


def require_supervisor(p: Principal, region_code: str) -> None:
    require_staff(p)
    if not p.has_any_role(*SUPERVISORS):
        raise PermissionDenied("仅监管科室负责人或平台管理员可挂牌、审批延期和销号", "Only supervisors list, decide extensions and close")
    require_within(p, region_code)


def require_within(p: Principal, region_code: str | None) -> None:
    if not region_code or not regions.covers(p.region, region_code):
        raise NotFound("未找到该记录", "Not found")


def visible(p: Principal, row: Mapping | None) -> Mapping:
    """Staff of the region, or the enterprise itself; anything else reads as absent."""
    if row is None:
        raise NotFound("未找到该记录", "Not found")
    if p.kind == "enterprise":
        if p.uscc != row["uscc"]:
            raise NotFound("未找到该记录", "Not found")
        return row
    require_staff(p)
    require_within(p, row["region_code"])
    return row


def listing(body: Mapping, *, hazard: Mapping | None, caller_region: str, today: date, max_days: int) -> dict:
    errors: list[FieldViolation] = []
    if hazard is None:
        raise invalid(FieldViolation("hazard_id", "hazard_id.unknown", "隐患不存在或尚未同步到监管平台", "No such hazard (or not synchronised yet)"))
    if hazard["level"] != "major":
        errors.append(FieldViolation("hazard_id", "hazard_id.not_major", "只有重大隐患可以挂牌督办", "Only a major hazard can be listed"))
    if hazard["status"] == "closed":
        errors.append(FieldViolation("hazard_id", "hazard_id.closed", "隐患已销号，不能挂牌督办", "The hazard is already closed"))
    level = body.get("level") or agency_level(caller_region)
    if level not in LEVEL_ZH:
        errors.append(FieldViolation("level", "level.enum", "督办层级应为省级、市级或县级", "level must be province, city or county"))
    elif _RANK[level] > _RANK[agency_level(caller_region)]:
        errors.append(FieldViolation("level", "level.above_agency", "不能以高于本机关的层级挂牌督办",
                                     "An agency lists at its own level or below"))
    deadline = jsonio.day(body.get("deadline"), field="deadline", label="督办期限", required=False)
    if deadline is None:
        errors.append(FieldViolation("deadline", "deadline.required", "请填写督办期限", "deadline is required"))
    elif deadline <= today or deadline > today + timedelta(days=max_days):
        errors.append(FieldViolation("deadline", "deadline.range", f"督办期限应在今后{max_days}天内", f"deadline must be within {max_days} days"))
    requirements = jsonio.text(body, "requirements", "督办要求", errors, max_length=2000)
    if errors:
        raise invalid(*errors)
    return {"level": level, "deadline": deadline, "requirements": requirements}


def extension_request(body: Mapping, *, listing_row: Mapping, today: date, max_days: int) -> dict:
    if listing_row["status"] != "listed":
        raise Conflict("督办已销号，不能申请延期", "The listing is closed")
    errors: list[FieldViolation] = []
    new = jsonio.day(body.get("new_deadline"), field="new_deadline", label="申请延期至", required=False)
    if new is None:
        errors.append(FieldViolation("new_deadline", "new_deadline.required", "请填写申请延期至的日期", "new_deadline is required"))
    elif new <= listing_row["deadline"] or new > listing_row["deadline"] + timedelta(days=max_days):
        errors.append(FieldViolation("new_deadline", "new_deadline.range", f"延期后的期限应晚于原期限，且延长不超过{max_days}天",
                                     f"new_deadline must be after the deadline and at most {max_days} days later"))
    reason = jsonio.text(body, "reason", "延期理由", errors, max_length=500)
    if errors:
        raise invalid(*errors)
    return {"new_deadline": new, "reason": reason, "requested_on": today}


def extension_decision(body: Mapping) -> tuple[bool, str]:
    approved = body.get("approved")
    errors: list[FieldViolation] = []
    if not isinstance(approved, bool):
        errors.append(FieldViolation("approved", "approved.type", "请选择同意或不同意", "approved must be true or false"))
    note = jsonio.text(body, "note", "审批意见", errors, max_length=500, required=approved is False)
    if errors:
        raise invalid(*errors)
    return approved, note


def closure(*, hazard: Mapping, listing_row: Mapping) -> None:
    """销号: the hazard was verified and closed in the data centre, by someone other than its rectifier."""
    if listing_row["status"] != "listed":
        raise Conflict("该督办已销号", "The listing is already closed")
    v = hazard.get("verification") or {}
    if hazard["status"] != "closed" or v.get("result") != "passed":
        raise invalid(FieldViolation("hazard", "hazard.not_verified", "隐患尚未验收合格并销号，不能解除挂牌督办",
                                     "The hazard has not been verified and closed"))
    fixer, verifier = (hazard.get("responsible_person") or "").strip(), (v.get("verified_by") or "").strip()
    if not verifier or verifier == fixer:
        raise invalid(FieldViolation("hazard", "hazard.verified_by_rectifier", "验收人不能是整改责任人本人",
                                     "The verifier must not be the person responsible for the rectification"))


def escalation(listing_row: Mapping, *, today: date, after_days: int) -> str | None:
    """The level an overdue listing goes up to now, or None (not overdue, or already at the top)."""
    if listing_row["status"] != "listed" or today <= listing_row["deadline"] + timedelta(days=after_days):
        return None
    current = listing_row.get("escalated_to") or listing_row["level"]
    return UP.get(current)


def period_end(period: str) -> date:
    m = _PERIOD.match(period or "")
    if not m:
        raise invalid(FieldViolation("period", "period.format", "报送期间应为 2026Q4（季报）或 2026（年报）",
                                     "period is 2026Q4 (quarter) or 2026 (year)"))
    year, q = int(m["year"]), m["q"]
    if not q:
        return date(year, 12, 31)
    month = int(q) * 3
    return (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)


def report_due(period: str, table: Mapping) -> date:
    days = table["report_due_days"]["quarter" if "Q" in period else "year"]
    return period_end(period) + timedelta(days=days)


def report(body: Mapping, *, today: date) -> dict:
    errors: list[FieldViolation] = []
    period = str(body.get("period") or "")
    try:
        end = period_end(period)
        if end >= today:
            errors.append(FieldViolation("period", "period.not_over", "报送期间尚未结束", "The period has not ended yet"))
    except Exception as exc:  # noqa: BLE001 — the period's own field error
        errors.extend(getattr(exc, "violations", ()))
    figures_in = body.get("figures") if isinstance(body.get("figures"), dict) else {}
    figures = {}
    for key, zh in REPORT_FIGURES:
        value = figures_in.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            errors.append(FieldViolation(f"figures.{key}", f"figures.{key}.range", f"{zh}应为非负数", f"figures.{key} must be ≥ 0"))
        else:
            figures[key] = value
    for found, fixed in (("general_found", "general_rectified"), ("major_found", "major_rectified")):
        if figures.get(fixed, 0) > figures.get(found, 0):
            errors.append(FieldViolation(f"figures.{fixed}", f"figures.{fixed}.exceeds", "整改数不能多于排查数",
                                         "rectified cannot exceed found"))
    principal = jsonio.text(body, "principal", "主要负责人（签字）", errors, max_length=50)
    signed_raw = body.get("signed_at")
    signed = None
    try:
        signed = datetime.fromisoformat(str(signed_raw)) if signed_raw else None
    except ValueError:
        pass
    if signed is None or signed.tzinfo is None:
        errors.append(FieldViolation("signed_at", "signed_at.required", "请填写主要负责人签字时间（带时区）", "signed_at (with offset) is required"))
    if errors:
        raise invalid(*errors)
    return {"period": period, "figures": figures, "principal": principal, "signed_at": signed}
