"""安全生产诚信 (enterprise credit): the ledger's entries and the score and grade computed from them. Pure.

An enterprise's credit record is an append-only ledger of credit events, each {type, points,
reason, reference, occurred_on}: written by the consumers of other subsystems' events (an overdue
重大事故隐患, a failed re-check, an accident, a missed commitment, a suspended or revoked licence, a
follow-up that found the measures not carried out) and by staff (penalty decisions, other findings).
The same scoring serves the third-party agencies' rating (agencies.py) with its own table.

The score as of a day D (`score`), with the table in force on D:
- an entry counts from its `occurred_on` through the day before add_months(occurred_on, valid_months)
  of its type (month arithmetic as 民法典 art. 202: 2024-02-29 + 12 months is 2025-02-28);
- its points are multiplied by the factor of the last decay step whose add_months(occurred_on,
  after_months) is on or before D;
- entries about one fact (the same reference on the same day, and the same type or the same `fact`
  of the table's types: an accident re-graded upwards, a suspension announced on every application
  of the licence) count once, at the worst;
- score = starting_score + the sum, kept within [floor, ceiling]; the grade is the band the score
  falls in, each bound with its own operator (gte / gt / lte / lt, RULES.md); an enterprise on the
  serious-dishonesty list on D has `listed_grade` whatever its score.

Every number is in tables/credit_scoring.*.json and tables/agency_rating.*.json, never here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Callable, Iterable, Mapping, Sequence

from services.kit import docnumbers, jsonio
from services.kit.codes import uscc_problem
from services.kit.errors import FieldViolation, invalid
from services.kit.ruletables import add_months, decimal

SOURCES = {"hazard": "重大事故隐患", "recheck": "整改复查", "accident": "生产安全事故", "commitment": "安全承诺",
           "licensing": "行政许可", "follow_up": "事故整改“回头看”", "staff": "执法人员录入"}
ACCIDENT_GRADES = ("general", "large", "major", "extraordinary")   # the data centre's accidents.rules.GRADES
EVENT_TYPES = ("hazard_overdue", "recheck_failed", *(f"accident_{g}" for g in ACCIDENT_GRADES), "commitment_missed",
               "licence_suspended", "licence_revoked", "follow_up_not_implemented")   # the types the consumers write
SYSTEM = "system"
REASON_MAX, REFERENCE_MAX = 1000, 100
_LOWER, _UPPER = ("gte", "gt"), ("lt", "lte")
_MEETS = {("gte", "lt"), ("gt", "lte")}   # a band's lower bound and the next band's upper bound leave no gap


# --- the tables --------------------------------------------------------------------------------

def check_scoring(table: Mapping, *, name: str) -> None:
    """ValueError naming the entry when a scoring body (credit_scoring, agency_rating) is inconsistent."""
    for key in ("starting_score", "floor", "ceiling", "event_types", "grades"):
        if key not in table:
            raise ValueError(f"{name}: missing {key}")
    if not table["floor"] <= table["starting_score"] <= table["ceiling"]:
        raise ValueError(f"{name}: need floor <= starting_score <= ceiling")
    for code, t in table["event_types"].items():
        where = f"{name}.event_types.{code}"
        if not t.get("name") or not isinstance(t.get("valid_months"), int) or t["valid_months"] <= 0:
            raise ValueError(f"{where}: needs a name and valid_months > 0")
        span = t.get("points_range")
        if span is None and (not isinstance(t.get("points"), int) or t["points"] == 0):
            raise ValueError(f"{where}: needs non-zero integer points, or points_range")
        if span is not None and not (len(span) == 2 and span[0] <= span[1] and 0 not in range(span[0], span[1] + 1)):
            raise ValueError(f"{where}: points_range is [low, high] on one side of zero")
        steps = t.get("decay") or [{"after_months": 0, "factor": "1"}]
        months = [s["after_months"] for s in steps]
        if months[0] != 0 or months != sorted(set(months)) or months[-1] >= t["valid_months"]:
            raise ValueError(f"{where}: decay steps start at 0 months, ascend, and end inside the validity")
        if any(not 0 < decimal(s["factor"]) <= 1 for s in steps):
            raise ValueError(f"{where}: decay factors are in (0, 1]")
    check_grades(table["grades"], name=name)


def check_grades(grades: list[Mapping], *, name: str) -> None:
    """The bands, best first, tile the whole line: an open top, an open bottom, and each band's lower
    bound meeting the next band's upper bound at the same value with complementary operators."""
    if not grades or grades[0]["upper"] is not None or grades[-1]["lower"] is not None:
        raise ValueError(f"{name}.grades: the first band has no upper bound and the last no lower bound")
    for a, b in zip(grades, grades[1:]):
        lo, hi = a["lower"], b["upper"]
        if lo is None or hi is None or lo["op"] not in _LOWER or hi["op"] not in _UPPER \
                or (lo["op"], hi["op"]) not in _MEETS or decimal(lo["value"]) != decimal(hi["value"]):
            raise ValueError(f"{name}.grades: {a['grade']} and {b['grade']} do not meet")


def check_table(table: Mapping) -> None:
    """credit_scoring: the scoring checks, plus what the code relies on."""
    check_scoring(table, name="credit_scoring")
    types = table["event_types"]
    missing = [t for t in EVENT_TYPES if t not in types]
    if missing:
        raise ValueError(f"credit_scoring: the consumers need event types {', '.join(missing)}")
    for code, t in types.items():
        if t.get("recorded_from") not in ("event", "staff") or (t["recorded_from"] == "event") != (code in EVENT_TYPES):
            raise ValueError(f"credit_scoring.event_types.{code}: recorded_from is event for {', '.join(EVENT_TYPES)}, else staff")
        if t["recorded_from"] == "staff" and t.get("reference") not in ("document", "text"):
            raise ValueError(f"credit_scoring.event_types.{code}: a staff type names its reference: document or text")
        if t["recorded_from"] == "event" and "points_range" in t:
            raise ValueError(f"credit_scoring.event_types.{code}: an event type has fixed points")
    if table["listed_grade"] not in {g["grade"] for g in table["grades"]}:
        raise ValueError("credit_scoring: listed_grade is not a grade")


def types_view(table: Mapping) -> list[dict]:
    return [{"code": code, "name": t["name"], "recorded_from": t.get("recorded_from"), "points": t.get("points"),
             "points_range": t.get("points_range"), "valid_months": t["valid_months"], "decay": t.get("decay"),
             "reference": t.get("reference")} for code, t in table["event_types"].items()]


# --- the score ---------------------------------------------------------------------------------

def expires_on(entry: Mapping, table: Mapping) -> date:
    """The last day the entry counts."""
    return add_months(entry["occurred_on"], table["event_types"][entry["type"]]["valid_months"]) - timedelta(days=1)


def factor(entry: Mapping, *, as_of: date, table: Mapping) -> Decimal:
    """What share of its points the entry counts on `as_of` (0 outside its window)."""
    t = table["event_types"][entry["type"]]
    start = entry["occurred_on"]
    if not start <= as_of < add_months(start, t["valid_months"]):
        return Decimal(0)
    steps = t.get("decay") or [{"after_months": 0, "factor": "1"}]
    return decimal([s for s in steps if add_months(start, s["after_months"]) <= as_of][-1]["factor"])


@dataclass(frozen=True)
class Score:
    score: Decimal
    grade: str
    grade_name: str
    listed: bool
    parts: tuple[Decimal, ...]   # what each entry given adds on the day, in their order (0: not counted)


def grade_of(score: Decimal, table: Mapping, *, listed: bool = False) -> Mapping:
    """The band `score` falls in ({grade, name, …}); the listed grade while on the dishonesty list."""
    if listed:
        return next(g for g in table["grades"] if g["grade"] == table["listed_grade"])
    for g in table["grades"]:
        lo, hi = g["lower"], g["upper"]
        if (lo is None or _holds(score, lo)) and (hi is None or _holds(score, hi)):
            return g
    raise LookupError(f"{score} is in no grade")  # check_grades makes the bands tile the line


def _holds(x: Decimal, bound: Mapping) -> bool:
    v = decimal(bound["value"])
    return {"gte": x >= v, "gt": x > v, "lt": x < v, "lte": x <= v}[bound["op"]]


def score(entries: Iterable[Mapping], *, as_of: date, table: Mapping, listed: bool = False) -> Score:
    """The score and grade on `as_of`. `entries`: {type, points, occurred_on, reference}; types the
    table no longer knows do not count. Entries of one fact — the same `fact` of their types (the
    type itself unless the table groups types, as it does an accident's grades), reference and
    day — count once, at the worst."""
    entries = list(entries)
    parts = [Decimal(0)] * len(entries)
    worst: dict[tuple, int] = {}
    for i, e in enumerate(entries):
        t = table["event_types"].get(e["type"])
        if t is None:
            continue
        parts[i] = decimal(e["points"]) * factor(e, as_of=as_of, table=table)
        if not parts[i]:
            continue
        key = (t.get("fact", e["type"]), e.get("reference") or f"#{i}", e["occurred_on"])
        held = worst.get(key)
        if held is not None and parts[held] <= parts[i]:
            parts[i] = Decimal(0)           # the fact counts already, as badly or worse
            continue
        if held is not None:
            parts[held] = Decimal(0)
        worst[key] = i
    total = decimal(table["starting_score"]) + sum(parts, Decimal(0))
    total = min(max(total, decimal(table["floor"])), decimal(table["ceiling"]))
    g = grade_of(total, table, listed=listed)
    return Score(total, g["grade"], g["name"], listed, tuple(parts))


def _table_on(tables: Sequence[tuple[date, Mapping]], day: date) -> Mapping:
    """The body in force on `day` of versions [(effective_from, body)]; before the first, the first."""
    held = [body for since, body in sorted(tables, key=lambda t: t[0]) if since <= day]
    return held[-1] if held else min(tables, key=lambda t: t[0])[1]


def trend(entries: Iterable[Mapping], *, since: date, as_of: date, tables: Sequence[tuple[date, Mapping]],
          listed_on: Callable[[date], bool] = lambda _: False, extra_days: Iterable[date] = ()) -> list[dict]:
    """The score over time: [{on, score, grade, grade_name, listed}], one point on each day the score,
    the grade or the listing changes, from `since` (or the day before the ledger's first change, if
    earlier) through `as_of`, each computed as `score` on that day with the table version in force
    then (`tables`: every version as (effective_from, body)). The days an entry may change the score
    are its first day, each decay step and the day after its window — of every version —; the
    versions' first days and `extra_days` (a listing's first day, the day after its term, its
    removal) are looked at too. The last point is always `as_of`, so the line reaches the day asked."""
    entries = list(entries)
    days = set(extra_days)
    for _, body in tables:
        for e in entries:
            t = body["event_types"].get(e["type"])
            if t is None:
                continue
            start = e["occurred_on"]
            days |= {start, add_months(start, t["valid_months"])}
            days |= {add_months(start, s["after_months"]) for s in t.get("decay") or ()}
    since = min(since, min(days, default=as_of) - timedelta(days=1))
    days |= {since, as_of, *(d for d, _ in tables)}
    points: list[dict] = []
    for day in sorted(d for d in days if since <= d <= as_of):
        s = score(entries, as_of=day, table=_table_on(tables, day), listed=listed_on(day))
        point = {"on": day, "score": s.score, "grade": s.grade, "grade_name": s.grade_name, "listed": s.listed}
        if points and all(points[-1][k] == point[k] for k in ("score", "grade", "listed")):
            continue
        points.append(point)
    if points[-1]["on"] != as_of:
        points.append(points[-1] | {"on": as_of})
    return points


# --- staff entries -----------------------------------------------------------------------------

def uscc(body: Mapping, errors: list, *, field: str = "uscc", label: str = "统一社会信用代码") -> str:
    """A credit code field, upper-cased; a problem is appended to `errors`."""
    value = str(body.get(field) or "").strip().upper()
    if not value:
        errors.append(FieldViolation(field, f"{field}.required", f"请填写{label}", f"{field} is required"))
    elif uscc_problem(value):
        errors.append(FieldViolation(field, f"{field}.invalid", f"{label}不正确（18位，校验位应正确）", f"{field} is not a valid USCC"))
    return value


def day(body: Mapping, name: str, label: str, errors: list, *, today: date, default: date | None = None) -> date | None:
    """A YYYY-MM-DD field not after today (`default` when absent)."""
    raw = body.get(name)
    if raw in (None, ""):
        if default is None:
            errors.append(FieldViolation(name, f"{name}.required", f"请填写{label}", f"{name} is required"))
        return default
    try:
        value = date.fromisoformat(str(raw))
    except ValueError:
        errors.append(FieldViolation(name, f"{name}.format", f"{label}格式应为 YYYY-MM-DD", f"{name} must be YYYY-MM-DD"))
        return None
    if value > today:
        errors.append(FieldViolation(name, f"{name}.future", f"{label}不能晚于今天", f"{name} cannot be in the future"))
    return value


def document_number(body: Mapping, name: str, label: str, errors: list, *, required: bool = True) -> str:
    """A document number such as (平)应急罚〔2026〕3号 (services/kit/docnumbers.py)."""
    value = jsonio.text(body, name, label, errors, max_length=REFERENCE_MAX, required=required)
    if value and docnumbers.parse(value) is None:
        errors.append(FieldViolation(name, f"{name}.format", f"{label}格式应为“机关代字+文书代字〔年份〕序号号”，如 (平)应急罚〔2026〕3号",
                                     f"{name} looks like (平)应急罚〔2026〕3号"))
    return value


def staff_entry(body: Mapping, *, table: Mapping, today: date) -> dict:
    """A credit event staff record (a penalty decision, another finding): {uscc, type, points, reason,
    reference, occurred_on}. A penalty's reference is its decision number; points come from the
    table unless the type lets staff choose within its range."""
    errors: list[FieldViolation] = []
    code = uscc(body, errors)
    kind = body.get("type")
    staff_types = {c: t for c, t in table["event_types"].items() if t["recorded_from"] == "staff"}
    rule = staff_types.get(kind) if isinstance(kind, str) else None
    if rule is None:
        names = "、".join(f"{c}（{t['name']}）" for c, t in staff_types.items())
        errors.append(FieldViolation("type", "type.enum", f"类型应为：{names}", f"type is one of {', '.join(staff_types)}"))
    points = body.get("points")
    if rule is not None and "points_range" in rule:
        low, high = rule["points_range"]
        if not isinstance(points, int) or isinstance(points, bool) or not low <= points <= high:
            errors.append(FieldViolation("points", "points.range", f"分值应为{low}至{high}之间的整数", f"points is an integer from {low} to {high}"))
    elif rule is not None:
        if points not in (None, rule["points"]):
            errors.append(FieldViolation("points", "points.fixed", f"该类型的分值由规则表确定（{rule['points']}分）",
                                         f"The points of {kind} are fixed by the rule table ({rule['points']})"))
        points = rule["points"]
    reason = jsonio.text(body, "reason", "事实和理由", errors, max_length=REASON_MAX)
    if rule is not None and rule["reference"] == "document":
        reference = document_number(body, "reference", "行政处罚决定书文号", errors)
    else:
        reference = jsonio.text(body, "reference", "依据（文书编号或检查记录）", errors, max_length=REFERENCE_MAX)
    occurred = day(body, "occurred_on", "决定或发现日期", errors, today=today)
    if errors:
        raise invalid(*errors)
    return {"uscc": code, "source": "staff", "type": kind, "points": points, "reason": reason, "reference": reference,
            "occurred_on": occurred}


# --- entries from other subsystems' events -----------------------------------------------------

def local_day(text: str | None) -> date | None:
    """The Beijing day of an ISO date-time (a date passes through)."""
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.astimezone(jsonio.SHANGHAI).date() if value.tzinfo else value.date()


def hazard_overdue(record: Mapping, *, today: date) -> dict | None:
    """The entry of a 重大事故隐患 whose rectification deadline passed before it was closed, if the
    hazard record (the data centre's, as its event carries it) shows one on `today`; it occurred
    the day after the deadline."""
    if record.get("level") != "major" or not record.get("deadline") or not record.get("uscc"):
        return None
    deadline = date.fromisoformat(record["deadline"])
    closed = local_day(record.get("closed_at")) if record.get("status") == "closed" else None
    if (closed or today) <= deadline:
        return None
    what = (record.get("description") or "")[:80]
    return {"source": "hazard", "type": "hazard_overdue", "reference": f"hazard:{record['id']}",
            "occurred_on": deadline + timedelta(days=1),
            "reason": f"重大事故隐患“{what}”整改期限{deadline.isoformat()}届满" + (f"，{closed.isoformat()}才销号" if closed else "仍未销号")}


def priced(entry: dict, table: Mapping) -> dict:
    """The entry with the points its type has in `table` (the table in force when it is recorded)."""
    return entry | {"points": table["event_types"][entry["type"]]["points"]}


def pending_hazard_entries(hazards: Iterable[Mapping], *, as_of: date, table: Mapping) -> list[dict]:
    """The same entries for open major hazards (supervision's copy: id, deadline) whose deadline has
    passed by `as_of` with no change since, so no event said so: counted at read time, and kept in
    the ledger once an event shows them overdue (the same reference and day count once)."""
    points = table["event_types"]["hazard_overdue"]["points"]
    return [{"source": "hazard", "type": "hazard_overdue", "reference": f"hazard:{h['id']}", "points": points,
             "occurred_on": h["deadline"] + timedelta(days=1), "derived": True,
             "reason": f"重大事故隐患整改期限{h['deadline'].isoformat()}已过，尚未销号"}
            for h in hazards if h["deadline"] is not None and h["deadline"] < as_of]


def accident_entry(record: Mapping, *, table: Mapping) -> dict | None:
    """The entry of an accident of a counted category, by the grade the data centre computed."""
    if not record.get("uscc") or record.get("grade") not in ACCIDENT_GRADES or record.get("category") not in table["accident_categories"]:
        return None
    kind = f"accident_{record['grade']}"
    return {"source": "accident", "type": kind, "reference": f"accident:{record['id']}", "occurred_on": local_day(record["occurred_at"]),
            "reason": f"{table['event_types'][kind]['name']}：{(record.get('title') or '')[:100]}"}


def recheck_entry(data: Mapping) -> dict | None:
    """A re-check that found the order not complied with (inspections' recheck.done event)."""
    if data.get("result") != "failed" or not data.get("uscc"):
        return None
    return {"source": "recheck", "type": "recheck_failed", "reference": data.get("opinion_number") or f"recheck:{data['id']}",
            "occurred_on": date.fromisoformat(str(data["done_on"])[:10]),
            "reason": f"责令限期整改指令书{data.get('order_number') or ''}复查不合格"}


def commitment_entry(data: Mapping) -> dict | None:
    """A major-hazard enterprise that did not file its daily safety commitment (monitoring's event)."""
    if not data.get("uscc") or not data.get("day"):
        return None
    on = date.fromisoformat(data["day"])
    return {"source": "commitment", "type": "commitment_missed", "reference": f"commitment:{on.isoformat()}", "occurred_on": on,
            "reason": f"{on.isoformat()}未按时作出安全承诺"}


def licence_entry(data: Mapping) -> dict | None:
    """A licence suspended or revoked (licensing's application.changed event of that step)."""
    kind = {"suspend": "licence_suspended", "revoke": "licence_revoked"}.get(data.get("action"))
    if kind is None or not data.get("uscc"):
        return None
    number = data.get("certificate_number") or f"licence:{data.get('licence_record_id')}"
    word = "暂扣" if kind == "licence_suspended" else "吊销"
    return {"source": "licensing", "type": kind, "reference": number, "occurred_on": local_day(data["changed_at"]),
            "reason": f"许可证{number}被{word}"}
