"""The credit subsystem's rule tables; an enterprise's standing as of a day — its ledger (with the
open major hazards overdue since their last event), score, grade, listings and what they mean for
the other subsystems; and `enter`, the one way an entry reaches the ledger (consumers and staff).
In the caller's transaction; the rules stay pure (rules.py, dishonesty.py), this module brings
them the rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import psycopg

from services.kit import jsonio, regions, ruletables
from services.kit.consumer import PermanentError
from services.supervision.credit import agencies, dishonesty, events, followups, rules, store

SCORING, LIST, AGENCY_RATING, FOLLOW_UP = "credit_scoring", "dishonesty_list", "agency_rating", "follow_up"


_CHECKS = {SCORING: rules.check_table, LIST: dishonesty.check_table, AGENCY_RATING: agencies.check_table}


def _load() -> tuple[ruletables.RuleTable, ...]:
    """Every version of the four tables, each checked (a bad table stops the service at start-up)."""
    tables = ruletables.load_dir(Path(__file__).parent / "tables")
    for t in tables:
        if t.name in _CHECKS:
            _CHECKS[t.name](t.body)
        elif t.name == FOLLOW_UP:
            followups.check_table(t.body, credit_types=ruletables.effective(tables, SCORING, t.effective_from).body["event_types"])
    return tables


TABLES = _load()


def table(name: str, on: date) -> dict:
    """The version of `name` in force on `on`; a day before the first version is judged by the first
    (the ledger reaches back before the platform's first tables)."""
    return _version(name, on).body


def version(name: str, on: date) -> date:
    """`effective_from` of the version `table(name, on)` answers (recorded by those who act on it: plans)."""
    return _version(name, on).effective_from


def _version(name: str, on: date) -> ruletables.RuleTable:
    try:
        return ruletables.effective(TABLES, name, on)
    except LookupError:
        return min((t for t in TABLES if t.name == name), key=lambda t: t.effective_from)


@dataclass
class Standing:
    uscc: str
    entries: list[dict]          # the ledger, newest first, then the open hazards overdue without an event (derived)
    score: rules.Score
    listings: list[dict]
    consequences: list[dict]


def standings(conn: psycopg.Connection, usccs: list[str], *, as_of: date, whole_ledger: bool = False) -> dict[str, Standing]:
    """Each enterprise's standing on `as_of`. Without `whole_ledger`, only the entries recent enough
    to count (the longest validity of the table) are read."""
    scoring, listing_table = table(SCORING, as_of), table(LIST, as_of)
    longest = max(t["valid_months"] for t in scoring["event_types"].values())
    since = None if whole_ledger else ruletables.add_months(as_of, -longest)
    ledgers, hazards, listed = (store.entries(conn, usccs, since=since), store.open_hazards(conn, usccs),
                                store.listings_of(conn, usccs))
    out = {}
    for u in usccs:
        entries = ledgers[u] + rules.pending_hazard_entries(hazards[u], as_of=as_of, table=scoring)
        on_list = any(dishonesty.active(x, as_of=as_of) for x in listed[u])
        out[u] = Standing(u, entries, rules.score(entries, as_of=as_of, table=scoring, listed=on_list), listed[u],
                          dishonesty.consequences(u, as_of, listed[u], listing_table))
    return out


def standing(conn: psycopg.Connection, uscc: str, *, as_of: date, whole_ledger: bool = False) -> Standing:
    return standings(conn, [uscc], as_of=as_of, whole_ledger=whole_ledger)[uscc]


TREND_MONTHS = 12   # the trend reaches back at least a year (further when the ledger does)


def trend(s: Standing, *, as_of: date) -> list[dict]:
    """The score and grade of a standing (read with its whole ledger) over time, through `as_of`:
    rules.trend with every version of the scoring table and the standing's listings (the listed
    grade from a listing's first day, through its term, until its removal)."""
    versions = [(t.effective_from, t.body) for t in TABLES if t.name == SCORING]
    days = [d for x in s.listings for d in (x["listed_on"], x["expires_on"] + timedelta(days=1), x.get("removed_on")) if d]
    return rules.trend(s.entries, since=ruletables.add_months(as_of, -TREND_MONTHS), as_of=as_of, tables=versions,
                       listed_on=lambda day: any(dishonesty.active(x, as_of=day) for x in s.listings), extra_days=days)


def enter(conn: psycopg.Connection, entry: dict | None, *, uscc: str, region_code: str, account: str, event_id: str | None = None,
          recorded_by: str = rules.SYSTEM) -> dict | None:
    """Store `entry` with the points of its type in the table in force today, and publish it with the
    enterprise's score after it. None when there is no entry, or the same fact is in already.
    `account`: the consumer's name or the staff member's principal label."""
    if entry is None:
        return None
    if not regions.is_well_formed(region_code or ""):
        raise PermanentError(f"credit entry of {uscc} without a region code")
    priced = entry if "points" in entry else rules.priced(entry, table(SCORING, jsonio.today()))
    stored = store.add_entry(conn, {"uscc": uscc, "region_code": region_code, "source": priced["source"], "type": priced["type"],
                                    "points": priced["points"], "reason": priced["reason"], "reference": priced["reference"],
                                    "occurred_on": priced["occurred_on"], "recorded_by": recorded_by, "recorded_by_account": account,
                                    "event_id": event_id})
    if stored is not None:
        now = standing(conn, uscc, as_of=jsonio.today()).score
        events.entry_recorded(conn, stored, score=now.score, grade=now.grade)
    return stored
