"""The duty rule tables (tables/*.json, services/kit/ruletables.py), loaded once; the version in force on a day."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from services.kit import jsonio, ruletables

TABLES = ruletables.load_dir(Path(__file__).parent / "tables")
NAMES = ("duty_shifts", "duty_spot_check", "duty_reporting_days", "duty_agencies", "duty_intake")


def table(name: str, at: date | datetime) -> ruletables.RuleTable:
    """The version in force on `at`; for a day before the first version (a daily report of an earlier
    holiday), the first version — the oldest rule the platform knows."""
    if isinstance(at, datetime):
        at = at.astimezone(jsonio.SHANGHAI).date()
    try:
        return ruletables.effective(TABLES, name, at)
    except LookupError:
        return min((t for t in TABLES if t.name == name), key=lambda t: t.effective_from)


def table_on(name: str, at: date | datetime) -> dict:
    return table(name, at).body
