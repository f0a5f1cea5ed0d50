"""安全生产标准化 (safety standardization grading): the application's state machine, the review's
arithmetic, the grade and the certificate's life. Pure.

    submitted 已申请 ─(受理)→ accepted 已受理 ─(scores entered)→ under_review 评审中 ─(评审)→ reviewed 评审通过
    ─(公示)→ in_notice 公示中 ─(the notice over, 发证)→ certified 已发证;
    submitted ─(退回, with reasons)→ returned 已退回; under_review ─(评审, no grade reached)→ not_passed 未通过.

A certified application's certificate (valid / downgraded / revoked / replaced, and expired after its
last valid day) is renewed through a new application of kind `renewal` from the renewal window on
(复评换证), downgraded (降级) or revoked (撤销) with reasons.

The grade a review awards: the best grade, no better than the one applied for, whose bands the
scores reach (the total and, for coal mines, each part; every threshold with its own operator) and
whose preconditions hold (`precondition_violations`: no fatal accident within that grade's look-back,
not on the serious-dishonesty list). Scores: per element of the family's table, 0..points, or
"not applicable" (缺项) where the element is optional; total = earned ÷ applicable points × 100, a
part's score likewise over its own elements, rounded as the table says.

Every number (bands, look-backs, months, working days, minimums) comes from
tables/standardization_standards.*.json; none is written here. Counting: the start day is not
counted (民法典 art. 201, services/kit/workdays.py); "N months since" reaches the same day N months
later (ruletables.add_months); a certificate valid 36 months from 2026-03-15 is valid up to 2029-03-14."""
from __future__ import annotations

import operator
import string
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping

from services.kit import jsonio, ruletables
from services.kit.errors import Conflict, FieldViolation, InvalidArgument, invalid
from services.kit.ruletables import add_months
from services.kit.workdays import Calendar, Deadline

STATUSES = {"submitted": "已申请", "returned": "已退回", "accepted": "已受理", "under_review": "评审中", "not_passed": "未通过",
            "reviewed": "评审通过", "in_notice": "公示中", "certified": "已发证"}
KINDS = {"new": "首次申请", "renewal": "复评换证"}
CERTIFICATE_STATES = {"valid": "有效", "downgraded": "已降级", "revoked": "已撤销", "replaced": "已换发", "expired": "已过期"}
OPEN = ("submitted", "accepted", "under_review", "reviewed", "in_notice")      # not yet certified, returned or failed
UNDER_WAY = ("submitted", "accepted", "under_review")                          # the review clock runs
CURRENT = ("valid", "downgraded")                                              # a certificate that still counts
TEXT_MAX, NOTE_MAX, NAME_MAX, REFERENCE_MAX, EXPERTS_MAX = 1000, 500, 50, 200, 20
ROUNDING = {"down": ROUND_DOWN, "half_up": ROUND_HALF_UP}
_OPS = {"gte": operator.ge, "gt": operator.gt, "lte": operator.le, "lt": operator.lt}
_OPS_ZH = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<"}

ACTIONS = {"submit": "提交定级申请", "accept": "受理", "return": "退回", "score": "录入评审得分", "review": "作出评审结论",
           "notice": "发布公示", "object": "登记公示异议", "certify": "颁发证书", "renew": "申请复评换证", "downgrade": "降级",
           "revoke": "撤销等级"}
FROM = {  # the statuses each action may be taken from
    "accept": ("submitted",),
    "return": ("submitted",),
    "score": ("accepted", "under_review"),
    "review": ("under_review",),
    "notice": ("reviewed",),
    "object": ("in_notice",),
    "certify": ("in_notice",),
    "renew": ("certified",),
    "downgrade": ("certified",),
    "revoke": ("certified",),
}
# who takes each action: "party" (the applicant or staff), "staff" (the agency's), "decider" (its head)
WHO = {
    "accept": "staff",
    "return": "staff",
    "score": "staff",
    "review": "decider",
    "notice": "staff",
    "object": "staff",
    "certify": "decider",
    "renew": "party",
    "downgrade": "decider",
    "revoke": "decider",
}


def require_status(status: str, action: str) -> None:
    """Conflict unless `action` may be taken on an application in `status`."""
    if status not in FROM[action]:
        raise Conflict(f"申请当前为“{STATUSES[status]}”，不能{ACTIONS[action]}",
                       f"The application is {status}: it cannot take the action {action}")


# --- the table -----------------------------------------------------------------------------------

def check_table(table: Mapping) -> None:
    """ValueError naming the place when a standardization_standards body is inconsistent (at start-up)."""
    for key in ("province", "validity_months", "renewal_window_months", "min_system_run_months", "min_experts",
                "fatal_accident_min_deaths", "refuse_listed_dishonest", "score_rounding", "platform_review_levels",
                "accident_grades", "certificate_number", "grades", "levels", "agencies", "families"):
        if key not in table:
            raise ValueError(f"standardization_standards: missing {key}")
    if not 0 < table["renewal_window_months"] < table["validity_months"]:
        raise ValueError("standardization_standards: the renewal window must be shorter than the validity")
    if table["score_rounding"].get("mode") not in ROUNDING:
        raise ValueError(f"standardization_standards: score_rounding.mode is one of {', '.join(ROUNDING)}")
    fields = {f for _, f, _, _ in string.Formatter().parse(table["certificate_number"]["format"]) if f}
    if not fields <= {"grade_roman", "sector_code", "province", "year", "serial"} or not {"serial", "year"} <= fields:
        raise ValueError("standardization_standards: the number format takes {grade_roman}, {sector_code}, {province}, {year}, {serial}")
    grades = set(table["grades"])
    sectors: set[str] = set()
    for code, f in table["families"].items():
        where = f"standardization_standards.families.{code}"
        if sectors & set(f["sectors"]):
            raise ValueError(f"{where}: a sector belongs to one family only")
        sectors |= set(f["sectors"])
        codes = [e["code"] for e in f["elements"]]
        if len(set(codes)) != len(codes) or sum(ruletables.decimal(e["points"]) for e in f["elements"]) != 100:
            raise ValueError(f"{where}: element codes must be unique and their points add up to 100")
        if {e.get("part") for e in f["elements"]} - {None} != set(f["parts"]) or (f["parts"] and any("part" not in e for e in f["elements"])):
            raise ValueError(f"{where}: with parts, every element names one of them, and every part has elements")
        for part in f["parts"]:
            if all(e.get("optional") for e in f["elements"] if e.get("part") == part):
                raise ValueError(f"{where}: part {part} needs an element that cannot be left out")
        if set(f["bands"]) != grades or set(f["fatal_accident_lookback_months"]) != grades or set(f["review_levels"]) != grades:
            raise ValueError(f"{where}: bands, look-backs and review levels need every grade")
        for grade, band in f["bands"].items():
            for threshold in (band["total"], *(band.get("parts") or {}).values()):
                if threshold.get("op") not in _OPS:
                    raise ValueError(f"{where}.bands.{grade}: every threshold carries op gte|gt|lte|lt")
            if set(band.get("parts") or {}) - set(f["parts"]):
                raise ValueError(f"{where}.bands.{grade}: a part threshold names an unknown part")
        for grade, months in f["fatal_accident_lookback_months"].items():
            if set(months) != set(table["accident_grades"]):
                raise ValueError(f"{where}.fatal_accident_lookback_months.{grade}: one look-back per accident grade")
        if set(f["review_levels"].values()) - set(table["levels"]):
            raise ValueError(f"{where}: unknown review level")
        if f["review_working_days"] <= 0 or f["notice_working_days"] <= 0:
            raise ValueError(f"{where}: review and notice periods are positive numbers of working days")


def family_of(table: Mapping, sector: str | None) -> tuple[str, Mapping]:
    """(code, entry) of the family grading enterprises of `sector`; a field error when none does."""
    for code, family in table["families"].items():
        if sector in family["sectors"]:
            return code, family
    raise invalid(FieldViolation("sector", "sector.not_graded",
                                 "该单位的监管行业不在安全生产标准化定级范围内（请先在数据中心核实其监管行业）",
                                 "The enterprise's sector is not graded for safety standardization"))


def grade_name(table: Mapping, grade: str | None) -> str | None:
    return table["grades"][grade]["name"] if grade else None


def _grades_from(table: Mapping, best: str) -> list[str]:
    """The grades no better than `best`, best first (the table lists them best first)."""
    order = list(table["grades"])
    return order[order.index(best):]


def agency_of(table: Mapping, family: Mapping, grade: str, *, region_code: str, city_code: str) -> str:
    """The region code of the agency that reviews `grade` for an enterprise in `region_code`."""
    code = region_code[:6] if family["review_levels"][grade] == "county" else city_code
    return code if code in table["agencies"] else city_code


def standards_view(table: Mapping) -> list[dict]:
    """The grading standards as the REST page lists them."""
    def threshold(t: Mapping) -> dict:
        return {"op": t["op"], "op_symbol": _OPS_ZH[t["op"]], "value": ruletables.decimal(t["value"])}
    return [{"code": code, "name": f["name"], "standard": f["standard"], "sectors": list(f["sectors"]),
             "elements": [{"code": e["code"], "name": e["name"], "points": e["points"], "part": e.get("part"),
                           "optional": bool(e.get("optional"))} for e in f["elements"]],
             "parts": [{"code": k, **v} for k, v in f["parts"].items()],
             "bands": [{"grade": g, "grade_name": grade_name(table, g), "total": threshold(b["total"]),
                        "parts": {k: threshold(v) for k, v in (b.get("parts") or {}).items()}} for g, b in f["bands"].items()],
             "fatal_accident_lookback_months": f["fatal_accident_lookback_months"],
             "review_levels": [{"grade": g, "level": lv, "level_name": table["levels"][lv]} for g, lv in f["review_levels"].items()],
             "review_working_days": f["review_working_days"], "notice_working_days": f["notice_working_days"], "source": f["source"]}
            for code, f in table["families"].items()]


# --- field checks --------------------------------------------------------------------------------

def _day(body: Mapping, name: str, label: str, errors: list) -> date | None:
    try:
        return jsonio.day(body.get(name), field=name, label=label, required=False)
    except InvalidArgument as e:
        errors.extend(e.violations)
        return None


def _number(value, *, field: str, code: str, label: str, high, decimals: int, errors: list) -> Decimal | None:
    """A score from 0 to `high` with at most `decimals` places; errors coded `<code>.type` / `<code>.range`."""
    try:
        x = ruletables.decimal(value) if not isinstance(value, str) else None
    except (TypeError, ValueError):
        x = None
    if x is None:
        errors.append(FieldViolation(field, f"{code}.type", f"{label}应为数字", f"{field} must be a number"))
        return None
    if not 0 <= x <= ruletables.decimal(high) or x != x.quantize(Decimal(1).scaleb(-decimals)):
        errors.append(FieldViolation(field, f"{code}.range", f"{label}应为0至{high}、至多{decimals}位小数",
                                     f"{field} must be 0 to {high} with at most {decimals} decimals"))
        return None
    return x


def meets(value: Decimal, threshold: Mapping) -> bool:
    """Does `value` meet a table threshold {op, value}?"""
    return _OPS[threshold["op"]](value, ruletables.decimal(threshold["value"]))


def _round(table: Mapping, x: Decimal) -> Decimal:
    r = table["score_rounding"]
    return x.quantize(Decimal(1).scaleb(-r["decimals"]), rounding=ROUNDING[r["mode"]])


def system_run_violation(since: date, *, table: Mapping, today: date) -> FieldViolation | None:
    """The enterprise's standardization system must have run the table's months by `today`."""
    months = table["min_system_run_months"]
    ready = add_months(since, months)
    if since > today:
        return FieldViolation("system_running_since", "system_running_since.future", "体系运行起始日期不能晚于今天",
                              "system_running_since cannot be in the future")
    if ready > today:
        return FieldViolation("system_running_since", "system_running_since.too_recent",
                              f"安全生产标准化管理体系运行满{months}个月后方可申请（自{ready.isoformat()}起）",
                              f"The system must have run {months} months: apply from {ready.isoformat()}")
    return None


def submission(body: Mapping, *, table: Mapping, family: Mapping, today: date) -> dict:
    """A new application (or a renewal's) from the REST body: applied_grade, self_score (自评得分),
    system_running_since (体系运行起始日期), self_assessment (自评报告的引用), note."""
    errors: list[FieldViolation] = []
    grade = body.get("applied_grade")
    if grade not in table["grades"]:
        choices = "、".join(f"{g}（{grade_name(table, g)}）" for g in table["grades"])
        errors.append(FieldViolation("applied_grade", "applied_grade.enum", f"申请等级应为：{choices}",
                                     f"applied_grade is one of {', '.join(table['grades'])}"))
        grade = None
    elif family["review_levels"][grade] not in table["platform_review_levels"]:
        level = table["levels"][family["review_levels"][grade]]
        errors.append(FieldViolation("applied_grade", "applied_grade.outside_platform",
                                     f"{family['name']}{grade_name(table, grade)}企业由{level}组织定级，本平台不受理",
                                     f"Grade {grade} of {family['name']} is graded by the {family['review_levels'][grade]} level, not here"))
        grade = None
    score = None
    if body.get("self_score") is None:
        errors.append(FieldViolation("self_score", "self_score.required", "请填写自评得分", "self_score is required"))
    else:
        score = _number(body["self_score"], field="self_score", code="self_score", label="自评得分", high=100,
                        decimals=table["score_rounding"]["decimals"], errors=errors)
    if grade and score is not None and not meets(score, family["bands"][grade]["total"]):
        t = family["bands"][grade]["total"]
        errors.append(FieldViolation("self_score", "self_score.below_grade",
                                     f"自评得分未达到申请等级的分数线（{_OPS_ZH[t['op']]}{t['value']}分）",
                                     f"self_score does not reach the applied grade ({t['op']} {t['value']})"))
    since = _day(body, "system_running_since", "体系运行起始日期", errors)
    if since is None and not any(e.field == "system_running_since" for e in errors):
        errors.append(FieldViolation("system_running_since", "system_running_since.required", "请填写安全生产标准化管理体系运行起始日期",
                                     "system_running_since is required"))
    elif since is not None and (v := system_run_violation(since, table=table, today=today)):
        errors.append(v)
    reference = jsonio.text(body, "self_assessment", "自评报告", errors, max_length=REFERENCE_MAX, required=False)
    note = jsonio.text(body, "note", "备注", errors, max_length=NOTE_MAX, required=False)
    if errors:
        raise invalid(*errors)
    return {"applied_grade": grade, "self_score": score, "system_running_since": since, "self_assessment": reference, "note": note}


# --- acceptance and review -----------------------------------------------------------------------

def return_reasons(app: Mapping, body: Mapping) -> str:
    """退回: the application goes back to the enterprise with the reasons (it applies anew)."""
    require_status(app["status"], "return")
    errors: list[FieldViolation] = []
    reasons = jsonio.text(body, "reasons", "退回理由", errors, max_length=TEXT_MAX)
    if errors:
        raise invalid(*errors)
    return reasons


def scores_entry(app: Mapping, body: Mapping, *, table: Mapping, family: Mapping) -> dict:
    """{scores: [{code, score, not_applicable, note}], experts: [names]}: the reviewers' scores of some
    or all elements (a later entry of an element replaces the earlier one) and the experts' names."""
    require_status(app["status"], "score")
    errors: list[FieldViolation] = []
    elements = {e["code"]: e for e in family["elements"]}
    items = body.get("scores")
    if not isinstance(items, list) or not items or len(items) > len(elements):
        errors.append(FieldViolation("scores", "scores.type", f"scores 应为1至{len(elements)}项要素得分的数组",
                                     f"scores must be an array of 1 to {len(elements)} element scores"))
        items = []
    out, seen = [], set()
    for i, item in enumerate(items):
        where = f"scores[{i}]"
        code = item.get("code") if isinstance(item, dict) else None
        element = elements.get(code)
        if element is None:
            errors.append(FieldViolation(f"{where}.code", "element.unknown", "要素不在该行业的评分标准内", "Not an element of this standard"))
            continue
        if code in seen:
            errors.append(FieldViolation(f"{where}.code", "element.repeated", "同一要素重复录入", "The same element appears twice"))
            continue
        seen.add(code)
        note = jsonio.text(item, "note", "扣分说明", errors, max_length=NOTE_MAX, required=False)
        if item.get("not_applicable") is True:
            if not element.get("optional"):
                errors.append(FieldViolation(f"{where}.not_applicable", "element.required", f"要素“{element['name']}”不能作为缺项",
                                             "This element cannot be left out"))
            out.append({"code": code, "score": None, "not_applicable": True, "note": note})
            continue
        score = _number(item.get("score"), field=f"{where}.score", code="score", label=f"“{element['name']}”得分", high=element["points"],
                        decimals=table["score_rounding"]["decimals"], errors=errors)
        out.append({"code": code, "score": score, "not_applicable": False, "note": note})
    experts = body.get("experts", [])
    if not isinstance(experts, list) or len(experts) > EXPERTS_MAX or not all(isinstance(x, str) and 0 < len(x.strip()) <= NAME_MAX for x in experts):
        errors.append(FieldViolation("experts", "experts.type", f"experts 应为至多{EXPERTS_MAX}位评审专家的姓名（每人至多{NAME_MAX}字）",
                                     f"experts must be at most {EXPERTS_MAX} names of at most {NAME_MAX} characters"))
        experts = []
    if errors:
        raise invalid(*errors)
    return {"scores": out, "experts": list(dict.fromkeys(x.strip() for x in experts))}


def totals(scores: Iterable[Mapping], *, table: Mapping, family: Mapping) -> dict:
    """{total, parts: {part: score}} from every element's score (a missing element is a field error):
    earned ÷ applicable points × 100, rounded as the table says."""
    by_code = {s["code"]: s for s in scores}
    missing = [e["name"] for e in family["elements"] if e["code"] not in by_code]
    if missing:
        raise invalid(FieldViolation("scores", "scores.incomplete", f"尚有要素未评分：{'、'.join(missing)}",
                                     f"{len(missing)} elements have no score yet"))

    def over(elements: list[Mapping]) -> Decimal:
        counted = [e for e in elements if not by_code[e["code"]]["not_applicable"]]
        earned = sum((ruletables.decimal(by_code[e["code"]]["score"]) for e in counted), Decimal(0))
        return _round(table, earned / sum(ruletables.decimal(e["points"]) for e in counted) * 100)
    return {"total": over(family["elements"]),
            "parts": {p: over([e for e in family["elements"] if e.get("part") == p]) for p in family["parts"]}}


def unmet_bands(result: Mapping, *, family: Mapping, grade: str) -> list[str]:
    """What the scores lack for `grade`, in words (empty when they reach it)."""
    band = family["bands"][grade]
    out = []
    if not meets(result["total"], band["total"]):
        out.append(f"总分{result['total']}未达到{_OPS_ZH[band['total']['op']]}{band['total']['value']}分")
    for part, t in (band.get("parts") or {}).items():
        if not meets(result["parts"][part], t):
            out.append(f"{family['parts'][part]['name']}得分{result['parts'][part]}未达到{_OPS_ZH[t['op']]}{t['value']}分")
    return out


def fatal_accidents(accidents: Iterable[Mapping], *, table: Mapping, family: Mapping, grade: str, on: date) -> list[Mapping]:
    """The accidents with deaths (missing people counted as dead) that still bar `grade` on `on`: an
    accident of grade G bars it until the look-back's months for G have passed since it occurred
    (未满 N 个月: on the day N months later the bar is over); an accident of an unknown grade bars for
    the longest look-back."""
    months = family["fatal_accident_lookback_months"][grade]
    return [a for a in accidents
            if (a.get("deaths") or 0) + (a.get("missing") or 0) >= table["fatal_accident_min_deaths"]
            and a["occurred_on"] <= on < add_months(a["occurred_on"], months.get(a.get("grade") or "", max(months.values())))]


def precondition_violations(*, table: Mapping, family: Mapping, grade: str, accidents: Iterable[Mapping], on: date,
                            listed_dishonest: bool) -> list[dict]:
    """Why `grade` cannot be awarded on `on` even where the scores reach it: each a {code, reason,
    accident_ids}. `accidents`: the enterprise's accidents from the data centre ({id, occurred_on,
    deaths, missing, grade}); `listed_dishonest`: whether the enterprise is on the serious-dishonesty
    list (严重失信主体名单) — the credit subsystem's answer, which the caller supplies."""
    out = []
    fatal = fatal_accidents(accidents, table=table, family=family, grade=grade, on=on)
    if fatal:
        out.append({"code": "fatal_accident", "accident_ids": [a.get("id") for a in fatal],
                    "reason": f"发生生产安全死亡事故未满{grade_name(table, grade)}定级的回溯期"})
    if listed_dishonest and table["refuse_listed_dishonest"]:
        out.append({"code": "listed_dishonest", "accident_ids": [], "reason": "列入安全生产严重失信主体名单期间不予定级"})
    return out


def review(app: Mapping, scores: Iterable[Mapping], *, table: Mapping, family: Mapping, accidents: Iterable[Mapping],
           listed_dishonest: bool, today: date) -> dict:
    """评审结论: {total, parts, grade (None: not passed), considered [{grade, unmet, preconditions}]}.
    Needs every element scored and the table's number of experts recorded."""
    require_status(app["status"], "review")
    if len(app["experts"]) < table["min_experts"]:
        raise invalid(FieldViolation("experts", "experts.too_few", f"评审专家不少于{table['min_experts']}人，请在录入得分时填写专家姓名",
                                     f"At least {table['min_experts']} experts must be recorded with the scores"))
    result = totals(scores, table=table, family=family)
    accidents = list(accidents)
    considered, awarded = [], None
    for grade in _grades_from(table, app["applied_grade"]):
        unmet = unmet_bands(result, family=family, grade=grade)
        barred = precondition_violations(table=table, family=family, grade=grade, accidents=accidents, on=today,
                                         listed_dishonest=listed_dishonest)
        considered.append({"grade": grade, "grade_name": grade_name(table, grade), "unmet": unmet, "preconditions": barred})
        if not unmet and not barred:
            awarded = grade
            break
    return result | {"grade": awarded, "considered": considered}


# --- notice and certificate ----------------------------------------------------------------------

def notice(app: Mapping, *, family: Mapping, calendar: Calendar, today: date) -> tuple[date, Deadline]:
    """公示 from today for the family's working days: (starts_on, ends) — objections are taken up to
    and including the last day; the certificate follows after it."""
    require_status(app["status"], "notice")
    return today, calendar.add_working_days(today, family["notice_working_days"])


def objection(app: Mapping, body: Mapping, *, today: date) -> dict:
    """An objection raised during the notice (异议): {content, objector, received_on}."""
    require_status(app["status"], "object")
    if today > app["notice_ends_on"]:
        raise Conflict(f"公示期已于{app['notice_ends_on'].isoformat()}结束，不再受理异议",
                       f"The notice ended on {app['notice_ends_on'].isoformat()}")
    errors: list[FieldViolation] = []
    content = jsonio.text(body, "content", "异议内容", errors, max_length=TEXT_MAX)
    objector = jsonio.text(body, "objector", "异议人", errors, max_length=NAME_MAX * 2, required=False)
    received = _day(body, "received_on", "收到异议日期", errors) or today
    if not errors and not app["notice_starts_on"] <= received <= today:
        errors.append(FieldViolation("received_on", "received_on.range", f"收到日期应在公示开始日{app['notice_starts_on'].isoformat()}至今天之间",
                                     "received_on must be between the start of the notice and today"))
    if errors:
        raise invalid(*errors)
    return {"content": content, "objector": objector, "received_on": received}


def certification(app: Mapping, body: Mapping, *, today: date) -> str:
    """After the notice's last day: the certificate. Where objections were raised, how they were
    looked into and found (objections_handled) is required."""
    require_status(app["status"], "certify")
    if today <= app["notice_ends_on"]:
        raise Conflict(f"公示期至{app['notice_ends_on'].isoformat()}，期满后方可发证",
                       f"The notice runs until {app['notice_ends_on'].isoformat()}: certify after it")
    errors: list[FieldViolation] = []
    handled = jsonio.text(body, "objections_handled", "异议核实处理情况", errors, max_length=TEXT_MAX, required=bool(app["objections"]))
    if errors:
        raise invalid(*errors)
    return handled


def certificate_number(table: Mapping, *, family: Mapping, sector: str, grade: str, year: int, serial: int) -> str:
    """E.g. AQBⅢWH甘202600012, from the table's format."""
    return table["certificate_number"]["format"].format(grade_roman=table["grades"][grade]["roman"],
                                                        sector_code=family["sectors"][sector], province=table["province"],
                                                        year=year, serial=serial)


def valid_until(table: Mapping, *, start: date) -> date:
    """The last valid day: valid 36 months from 2026-03-15 is up to 2029-03-14."""
    return add_months(start, table["validity_months"]) - timedelta(days=1)


def certificate_state(certificate: Mapping, *, today: date) -> str:
    """The stored state, or expired once a current certificate is past its last valid day."""
    if certificate["state"] in CURRENT and today > certificate["valid_until"]:
        return "expired"
    return certificate["state"]


def renewal_window(table: Mapping, *, valid_until: date) -> tuple[date, date]:
    """(opens, closes), both inclusive: from the window's months before expiry to the last valid day."""
    return add_months(valid_until, -table["renewal_window_months"]), valid_until


def renewal(app: Mapping, certificate: Mapping, *, table: Mapping, today: date) -> tuple[date, date]:
    """May the certificate issued through `app` be renewed today? Returns its window."""
    require_status(app["status"], "renew")
    state = certificate_state(certificate, today=today)
    if state not in CURRENT:
        raise Conflict(f"证书{CERTIFICATE_STATES[state]}，不能复评换证，请重新申请定级",
                       f"The certificate is {state}: apply for grading anew")
    opens, closes = renewal_window(table, valid_until=certificate["valid_until"])
    if today < opens:
        raise Conflict(f"复评换证自{opens.isoformat()}起受理（有效期届满前{table['renewal_window_months']}个月）",
                       f"Renewal opens on {opens.isoformat()}")
    return opens, closes


def _sanction(app: Mapping, certificate: Mapping, body: Mapping, *, action: str, today: date, errors: list) -> dict:
    require_status(app["status"], action)
    state = certificate_state(certificate, today=today)
    if state not in CURRENT:
        raise Conflict(f"证书{CERTIFICATE_STATES[state]}，不能{ACTIONS[action]}", f"The certificate is {state}")
    reasons = jsonio.text(body, "reasons", f"{ACTIONS[action]}的事实和理由", errors, max_length=TEXT_MAX)
    accident_id = jsonio.text(body, "accident_id", "相关事故编号", errors, max_length=NAME_MAX, required=False)
    return {"action": action, "from_grade": certificate["grade"], "reasons": reasons, "accident_id": accident_id or None, "on": today}


def downgrade(app: Mapping, certificate: Mapping, body: Mapping, *, table: Mapping, today: date) -> dict:
    """降级 to a lower grade (to_grade), with reasons (e.g. a fatal accident: accident_id). The lowest
    grade cannot go lower: it is revoked instead."""
    errors: list[FieldViolation] = []
    done = _sanction(app, certificate, body, action="downgrade", today=today, errors=errors)
    lower = _grades_from(table, certificate["grade"])[1:]
    if not lower:
        raise Conflict(f"{grade_name(table, certificate['grade'])}已是最低等级，不能再降级，请撤销等级",
                       "The lowest grade cannot be lowered: revoke it instead")
    to = body.get("to_grade")
    if to not in lower:
        choices = "、".join(f"{g}（{grade_name(table, g)}）" for g in lower)
        errors.append(FieldViolation("to_grade", "to_grade.enum", f"降级后的等级应为：{choices}", f"to_grade is one of {', '.join(lower)}"))
    if errors:
        raise invalid(*errors)
    return done | {"to_grade": to}


def revocation(app: Mapping, certificate: Mapping, body: Mapping, *, today: date) -> dict:
    """撤销 the grade with reasons: the certificate no longer counts and the enterprise has no grade."""
    errors: list[FieldViolation] = []
    done = _sanction(app, certificate, body, action="revoke", today=today, errors=errors)
    if errors:
        raise invalid(*errors)
    return done | {"to_grade": None}


# --- the clock -----------------------------------------------------------------------------------

def stored_deadlines(app: Mapping, *, calendar: Calendar, family: Mapping) -> dict:
    """The deadline columns kept for the queue: the review due N working days after receipt, and the
    notice's last day once it is published; each with `provisional` from the calendar."""
    due = calendar.add_working_days(app["received_on"], family["review_working_days"])
    out = {"review_due": due.day, "review_due_provisional": due.provisional}
    if app.get("notice_starts_on"):
        ends = calendar.add_working_days(app["notice_starts_on"], family["notice_working_days"])
        out |= {"notice_ends_on": ends.day, "notice_ends_provisional": ends.provisional}
    return out


def clock(app: Mapping, *, certificate: Mapping | None, calendar: Calendar, table: Mapping, family: Mapping, today: date) -> dict:
    """Where the application stands on `today`: the review period, the notice, the certificate's
    validity and renewal window. Deadlines as {date, provisional, note}."""
    d = stored_deadlines(app, calendar=calendar, family=family)
    review_due = Deadline(d["review_due"], d["review_due_provisional"])
    out = {"received_on": app["received_on"], "review_due": review_due.as_json(),
           "review_overdue": app["status"] in UNDER_WAY and today > review_due.day,
           "working_days_left": calendar.working_days_between(today, review_due.day) if app["status"] in UNDER_WAY else None,
           "notice": None, "certificate": None}
    if app.get("notice_starts_on"):
        ends = Deadline(d["notice_ends_on"], d["notice_ends_provisional"])
        out["notice"] = {"starts_on": app["notice_starts_on"], "ends": ends.as_json(),
                         "open": app["status"] == "in_notice" and today <= ends.day,
                         "over": today > ends.day}
    if certificate:
        opens, closes = renewal_window(table, valid_until=certificate["valid_until"])
        state = certificate_state(certificate, today=today)
        out["certificate"] = {"valid_until": certificate["valid_until"], "state": state, "renewal_opens": opens,
                              "renewal_open": state in CURRENT and opens <= today <= closes,
                              "days_to_expiry": (certificate["valid_until"] - today).days}
    return out
