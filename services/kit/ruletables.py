"""Rule tables: the thresholds behind the platform's domain rules, as versioned data.

A province may change a threshold (a colour band, a deadline) without a code change: every table
is a JSON file with a name, the date it takes effect, the rule it comes from and a plain-JSON
body. A newer threshold is a new file with the same name and a later `effective_from`; the old
file stays, so records dated before the change are still judged by the rule that applied to them.
Rule modules never hold thresholds as literals; they receive the table (chosen with `effective`)
as a parameter. Each service keeps its tables beside its rules (services/datacenter/ruletables/tables,
services/supervision/monitoring/tables) and loads them with `load_dir`.

Conventions shared by the tables:
- decimals are written as JSON strings ("0.5") and read with `decimal()`, so 0.1 stays exact;
- a band is {"from": lo, "to": hi, ...} meaning lo <= x < hi, with null for an open end. This is
  how Chinese legal ranges read: "N以上" includes N, "N以下" excludes N.
"""
from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Mapping, Sequence

@dataclass(frozen=True)
class RuleTable:
    name: str
    effective_from: date
    body: dict
    source: str


def parse(data: Mapping, *, origin: str = "<memory>") -> RuleTable:
    """One table from its JSON object; ValueError naming `origin` when a key is missing or wrong."""
    missing = [k for k in ("name", "effective_from", "source", "body") if k not in data]
    if missing:
        raise ValueError(f"{origin}: missing {', '.join(missing)}")
    if not isinstance(data["name"], str) or not data["name"]:
        raise ValueError(f"{origin}: name must be a non-empty string")
    if not isinstance(data["source"], str) or not data["source"].strip():
        raise ValueError(f"{origin}: source must name the rule the table comes from")
    if not isinstance(data["body"], dict):
        raise ValueError(f"{origin}: body must be an object")
    try:
        effective_from = date.fromisoformat(data["effective_from"])
    except (TypeError, ValueError):
        raise ValueError(f"{origin}: effective_from must be YYYY-MM-DD") from None
    return RuleTable(name=data["name"], effective_from=effective_from, body=data["body"], source=data["source"])


def load_dir(directory: Path) -> tuple[RuleTable, ...]:
    tables = tuple(parse(json.loads(p.read_text(encoding="utf-8")), origin=p.name)
                   for p in sorted(directory.glob("*.json")))
    seen: set[tuple[str, date]] = set()
    for t in tables:
        # Two versions taking effect on the same day would make `effective` ambiguous.
        if (t.name, t.effective_from) in seen:
            raise ValueError(f"two versions of {t.name} take effect on {t.effective_from}")
        seen.add((t.name, t.effective_from))
    return tables


def effective(tables: Iterable[RuleTable], name: str, at: date) -> RuleTable:
    """The version of `name` in force on `at`: the latest effective_from <= at."""
    if isinstance(at, datetime):  # a datetime is a date, but the two do not compare
        at = at.date()
    candidates = [t for t in tables if t.name == name and t.effective_from <= at]
    if not candidates:
        raise LookupError(f"no rule table {name!r} in force on {at.isoformat()}")
    return max(candidates, key=lambda t: t.effective_from)


# --- helpers the rule modules share ---------------------------------------------------------------

def decimal(value) -> Decimal:
    """A table or form number as an exact Decimal. Floats go through str() so 0.1 stays 0.1;
    booleans are refused because True would silently be 1."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value)) if isinstance(value, (int, float, str)) else None
    except InvalidOperation:
        result = None
    if result is None or not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def band_for(bands: Sequence[Mapping], x) -> Mapping:
    """The first band with from <= x < to (null ends are open). LookupError when x is in none."""
    x = decimal(x)
    for band in bands:
        lo, hi = band.get("from"), band.get("to")
        if (lo is None or decimal(lo) <= x) and (hi is None or x < decimal(hi)):
            return band
    raise LookupError(f"{x} is in no band")


def check_bands(bands: Sequence[Mapping]) -> None:
    """ValueError unless the bands, in any order, tile a range without gaps or overlaps."""
    def key(b):
        return Decimal("-Infinity") if b.get("from") is None else decimal(b["from"])
    ordered = sorted(bands, key=key)
    for b in ordered:
        if b.get("from") is not None and b.get("to") is not None and decimal(b["from"]) >= decimal(b["to"]):
            raise ValueError(f"empty band {b}")
    for a, b in zip(ordered, ordered[1:]):
        if a.get("to") is None or b.get("from") is None or decimal(a["to"]) != decimal(b["from"]):
            raise ValueError(f"bands {a} and {b} do not meet")


def add_months(d: date, months: int) -> date:
    """The corresponding day `months` later (or earlier); a day the target month lacks becomes its
    last day, as 民法典 art. 202 counts periods in months and years (2024-02-29 + 12 → 2025-02-28)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
