"""Time partitions of the readings and their rollups: which ones must exist and which have
outlived their retention. Pure; jobs.py runs the SQL. Days and months are Asia/Shanghai's."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from services.kit import config
from services.kit.ruletables import add_months
from services.supervision.monitoring.rules import SHANGHAI


@dataclass(frozen=True)
class Plan:
    table: str          # monitoring.<table>
    step: str           # day | month
    behind_days: int    # created back this far (readings may arrive this late: the intake window)
    ahead_days: int
    retention_days: int


def plans() -> tuple[Plan, ...]:
    """Retention is configuration: raw readings 90 days unless SAFETY_MONITORING_RAW_DAYS says otherwise."""
    return (Plan("reading", "day", 8, 3, int(config.env("SAFETY_MONITORING_RAW_DAYS", "90"))),
            Plan("rollup_1m", "day", 8, 3, int(config.env("SAFETY_MONITORING_1M_DAYS", "180"))),
            Plan("rollup_1h", "month", 40, 40, int(config.env("SAFETY_MONITORING_1H_DAYS", "1830"))))


def _start(d: date, step: str) -> date:
    return d if step == "day" else d.replace(day=1)


def _next(d: date, step: str) -> date:
    return d + timedelta(days=1) if step == "day" else add_months(d, 1)


def name(plan: Plan, start: date) -> str:
    return f"{plan.table}_p{start:%Y%m%d}" if plan.step == "day" else f"{plan.table}_p{start:%Y%m}"


def bounds(start: date, step: str) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time(), tzinfo=SHANGHAI), datetime.combine(_next(start, step), time(), tzinfo=SHANGHAI))


def wanted(plan: Plan, today: date) -> list[tuple[str, datetime, datetime]]:
    out, d = [], _start(today - timedelta(days=plan.behind_days), plan.step)
    last = today + timedelta(days=plan.ahead_days)
    while d <= last:
        out.append((name(plan, d), *bounds(d, plan.step)))
        d = _next(d, plan.step)
    return out


def expired(plan: Plan, existing: list[str], today: date) -> list[str]:
    """Partitions whose whole range ended more than the retention ago."""
    cutoff = today - timedelta(days=plan.retention_days)
    out = []
    for n in existing:
        suffix = n.rsplit("_p", 1)[-1]
        try:
            start = datetime.strptime(suffix, "%Y%m%d" if plan.step == "day" else "%Y%m").date()
        except ValueError:
            continue
        if _next(start, plan.step) <= cutoff:
            out.append(n)
    return sorted(out)
