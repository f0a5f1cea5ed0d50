"""The PRC working-day calendar (工作日): deadlines that count working days, such as the licensing
clock (行政许可法 art. 82: statutory holidays are not working days).

A day is a working day when it is a Monday to Friday that the State Council's yearly notice
(国务院办公厅关于某年部分节假日安排的通知) does not make a holiday, or a weekend day the notice makes
a make-up working day (调休上班). Each year's notice is a row set in `kit.calendar_year` /
`kit.calendar_day` of the service's database: seeded from the `chinese-calendar` package (PyPI,
maintained; it knows each year soon after the notice) and extended by an administrator the day
the next notice is published (`enter_year`). Each entry is versioned; a year can be re-entered
(the notice corrected) and its version rises.

A year with no entry is computed from weekends alone, and every deadline that reaches into it is
**provisional** (待节假日安排确认): `Deadline.provisional` is True. Callers store the inputs of a
deadline (start day, count) beside the computed day so they can recompute it when the year is
entered (`recompute` hooks, see `enter_year`).

Counting (民法典 art. 201, 行政许可法 art. 82): the start day is not counted; "within N working
days of D" ends on the N-th working day after D.

Pure part: `Calendar`. I/O: `load`, `seed_from_package`, `enter_year` on an explicit connection.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Iterable, Mapping

import psycopg

from services.kit.errors import FieldViolation, invalid

HOLIDAY, WORKDAY = "holiday", "workday"
PROVISIONAL_ZH = "待节假日安排确认"


@dataclass(frozen=True)
class Year:
    """One year's notice: the holidays that fall on weekdays matter, and the weekend make-up days."""
    year: int
    holidays: Mapping[date, str]           # day → holiday name (春节, 国庆节, …), weekends included
    workdays: Mapping[date, str]           # weekend day → the holiday it makes up for
    version: int = 1
    source: str = ""


@dataclass(frozen=True)
class Deadline:
    day: date
    provisional: bool                      # reaches into a year whose notice is not entered
    unknown_years: tuple[int, ...] = ()

    def as_json(self) -> dict:
        return {"date": self.day.isoformat(), "provisional": self.provisional,
                "note": PROVISIONAL_ZH if self.provisional else ""}


@dataclass(frozen=True)
class Calendar:
    years: Mapping[int, Year] = field(default_factory=dict)

    def known(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, d: date) -> bool:
        y = self.years.get(d.year)
        if y is not None:
            if d in y.workdays:
                return True
            if d in y.holidays:
                return False
        return d.weekday() < 5

    def day_name(self, d: date) -> str:
        """休 + holiday name, 班 for a make-up day, else ''."""
        y = self.years.get(d.year)
        if y is None:
            return ""
        if d in y.workdays:
            return f"调休上班（{y.workdays[d]}）" if y.workdays[d] else "调休上班"
        return y.holidays.get(d, "")

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The n-th working day after `start` (n ≥ 0; n = 0 is `start` itself)."""
        if n < 0:
            raise ValueError("n must be ≥ 0")
        d, left, unknown = start, n, set()
        while left > 0:
            d += timedelta(days=1)
            if d.year not in self.years:
                unknown.add(d.year)
            if self.is_working_day(d):
                left -= 1
        return Deadline(d, bool(unknown), tuple(sorted(unknown)))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; 0 when end ≤ start."""
        count, d = 0, start
        while d < end:
            d += timedelta(days=1)
            count += self.is_working_day(d)
        return count

    def add_days(self, start: date, n: int) -> Deadline:
        """Calendar days (自然日): never provisional."""
        return Deadline(start + timedelta(days=n), False)

    def versions(self) -> dict[int, int]:
        return {y: v.version for y, v in sorted(self.years.items())}


def deadline(cal: Calendar, start: date, n: int, day_type: str) -> Deadline:
    """`n` days after `start`, counted as `day_type`: 'working' (工作日) or 'calendar' (自然日)."""
    if day_type == "working":
        return cal.add_working_days(start, n)
    if day_type == "calendar":
        return cal.add_days(start, n)
    raise ValueError(f"unknown day type {day_type!r}")


# --- the table ------------------------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple, Calendar]] = {}


def load(conn: psycopg.Connection) -> Calendar:
    """The calendar held in this database, cached per database until a year's version changes."""
    stamp = tuple(conn.execute("SELECT year, version FROM kit.calendar_year ORDER BY year").fetchall())
    key = conn.info.dbname
    with _cache_lock:
        held = _cache.get(key)
        if held is not None and held[0] == stamp:
            return held[1]
    rows = conn.execute("SELECT year, day, kind, name FROM kit.calendar_day ORDER BY day").fetchall()
    meta = {y: (v, s) for y, v, s in conn.execute("SELECT year, version, source FROM kit.calendar_year").fetchall()}
    holidays: dict[int, dict] = {y: {} for y in meta}
    workdays: dict[int, dict] = {y: {} for y in meta}
    for year, day, kind, name in rows:
        (holidays if kind == HOLIDAY else workdays)[year][day] = name
    cal = Calendar({y: Year(y, holidays[y], workdays[y], version=v, source=s) for y, (v, s) in meta.items()})
    with _cache_lock:
        _cache[key] = (stamp, cal)
    return cal


# The package names holidays in English; people read them in Chinese.
_HOLIDAY_ZH = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
               "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
               "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日"}


def package_years() -> dict[int, Year]:
    """The years the installed `chinese-calendar` package knows, as Years."""
    import chinese_calendar
    from chinese_calendar import constants

    def zh(name) -> str:
        return _HOLIDAY_ZH.get(str(name), str(name or ""))[:20]

    source = f"chinese-calendar {chinese_calendar.__version__}"
    years: dict[int, Year] = {}
    for y in sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays}):
        years[y] = Year(y, {d: zh(n) for d, n in constants.holidays.items() if d.year == y},
                        {d: zh(n) for d, n in constants.workdays.items() if d.year == y}, source=source)
    return years


def seed_from_package(conn: psycopg.Connection, *, years: Iterable[int] | None = None) -> list[int]:
    """Enter the package's years that the table does not hold yet (never overwrites an entry an
    administrator made). Returns the years entered. Safe to run by several processes at once."""
    known = package_years()
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('kit.calendar.seed', 0))")
    held = {y for (y,) in conn.execute("SELECT year FROM kit.calendar_year").fetchall()}
    entered = []
    for y in sorted(years if years is not None else known):
        if y in known and y not in held:
            _write_year(conn, known[y], entered_by="chinese-calendar")
            entered.append(y)
    return entered


def parse_year(year: int, days: list[Mapping]) -> Year:
    """An administrator's entry: [{"date": "2027-02-05", "kind": "holiday"|"workday", "name": "春节"}].
    FieldViolations for a day outside the year, a make-up day that is not a weekend day, a repeated
    day, an unknown kind; the notice must name at least one holiday."""
    errors, holidays, workdays = [], {}, {}
    for i, item in enumerate(days):
        where = f"days[{i}]"
        try:
            d = date.fromisoformat(str(item.get("date")))
        except ValueError:
            errors.append(FieldViolation(f"{where}.date", "date.format", "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD"))
            continue
        kind, label = item.get("kind"), str(item.get("name") or "")[:20]
        if d.year != year:
            errors.append(FieldViolation(f"{where}.date", "date.year", f"日期不在{year}年内", f"date is not in {year}"))
        elif d in holidays or d in workdays:
            errors.append(FieldViolation(f"{where}.date", "date.repeated", "同一日期重复出现", "the same date appears twice"))
        elif kind == HOLIDAY:
            holidays[d] = label
        elif kind == WORKDAY:
            if d.weekday() < 5:
                errors.append(FieldViolation(f"{where}.date", "workday.weekday", "调休上班日应为周六或周日",
                                             "a make-up working day must be a Saturday or Sunday"))
            workdays[d] = label
        else:
            errors.append(FieldViolation(f"{where}.kind", "kind.enum", "类型应为 holiday（放假）或 workday（调休上班）",
                                         "kind must be holiday or workday"))
    if not errors and not holidays:
        errors.append(FieldViolation("days", "days.required", "请至少填写一天法定节假日", "enter at least one holiday"))
    if errors:
        raise invalid(*errors)
    return Year(year, holidays, workdays)


# Deadline recomputers: a subsystem that stores provisional deadlines registers one; each is called
# with (conn, calendar) in the transaction that enters a year.
RECOMPUTERS: list[Callable[[psycopg.Connection, Calendar], int]] = []


def enter_year(conn: psycopg.Connection, entry: Year, *, entered_by: str, source: str) -> tuple[int, dict[str, int]]:
    """Enter (or correct) a year's notice in the caller's transaction, then recompute the stored
    deadlines that depend on it. Returns (the year's new version, recomputed count per hook)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('kit.calendar.seed', 0))")
    version = _write_year(conn, Year(entry.year, entry.holidays, entry.workdays, source=source), entered_by=entered_by)
    cal = load(conn)
    return version, {getattr(hook, "__qualname__", repr(hook)): hook(conn, cal) for hook in RECOMPUTERS}


def _write_year(conn: psycopg.Connection, y: Year, *, entered_by: str) -> int:
    (version,) = conn.execute(
        """INSERT INTO kit.calendar_year (year, version, source, entered_by) VALUES (%s, 1, %s, %s)
           ON CONFLICT (year) DO UPDATE SET version = kit.calendar_year.version + 1, source = EXCLUDED.source,
               entered_by = EXCLUDED.entered_by, entered_at = now()
           RETURNING version""", (y.year, y.source, entered_by)).fetchone()
    conn.execute("DELETE FROM kit.calendar_day WHERE year = %s", (y.year,))
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO kit.calendar_day (year, day, kind, name) VALUES (%s, %s, %s, %s)",
                        [(y.year, d, HOLIDAY, n) for d, n in y.holidays.items()]
                        + [(y.year, d, WORKDAY, n) for d, n in y.workdays.items()])
    return version
