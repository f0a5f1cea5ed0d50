"""Recomputes the four-colour warning of an enterprise and its sources after anything that could
change it (an alarm raised, cleared or closed; a point offline or back), in the same transaction,
and publishes each colour that changed."""
from __future__ import annotations

import psycopg

from services.supervision.monitoring import events, rules, store


def recompute(conn: psycopg.Connection, uscc: str, table: dict) -> list[tuple[str, str, str]]:
    """(scope, scope_id, colour) of every warning that changed."""
    store.lock_enterprise(conn, uscc)
    points, alarms, sources = store.warning_inputs(conn, uscc)
    held = store.held_warnings(conn, uscc)
    region = (sources[0]["region_code"] if sources else points[0]["region_code"] if points else None)
    if region is None:
        return []
    results = []
    grades = {s["id"]: s["grade"] for s in sources}
    for s in sources:
        mine = [p for p in points if p["source_id"] == s["id"]]
        colour, reason = rules.colour([rules.OpenAlarm(a["condition"], a["level"]) for a in alarms if a["source_id"] == s["id"]],
                                      points=len(mine), offline=sum(not p["online"] for p in mine), grade=s["grade"], table=table)
        results.append(("source", str(s["id"]), s["region_code"], colour, reason))
    colour, reason = rules.colour([rules.OpenAlarm(a["condition"], a["level"]) for a in alarms], points=len(points),
                                  offline=sum(not p["online"] for p in points),
                                  grade=rules.most_severe_grade(list(grades.values())), table=table)
    overall = rules.worst([colour] + [r[3] for r in results])
    if overall != colour:
        reason = next(r[4] for r in results if r[3] == overall)
    results.append(("enterprise", uscc, region, overall, reason))
    changed = []
    for scope, scope_id, region_code, colour, reason in results:
        previous = held.get((scope, scope_id), "none")
        if previous == colour and (scope, scope_id) in held:
            continue
        store.set_warning(conn, scope=scope, scope_id=scope_id, uscc=uscc, region_code=region_code, colour=colour, reason=reason)
        if previous != colour:
            events.warning_changed(conn, scope=scope, scope_id=scope_id, uscc=uscc, region_code=region_code, colour=colour,
                                   previous=previous, reason=reason)
            changed.append((scope, scope_id, colour))
    return changed
