"""Stored derived values follow the rule tables: when a table a kind derives from changes (a new
version, or a corrected transcription such as GB 18218's full Table 1), every stored record of that
kind is derived again — a major hazard source's S, R and grade — and each record whose values
change is updated through the normal system-change path: version, history, event and audit entry,
as the actor `system:rules`.

    python -m services.datacenter.registry.rederive        (`make up` runs it; idempotent)

Which tables a kind derives from is declared on the kind (`derived_from`); their fingerprint is kept
in registry.rule_basis, so an unchanged set of tables costs one query. Safe with copies running at
once: one pass per kind at a time (an advisory lock), batches of records in their own transactions,
a pass cut short is resumed by the next one (records already right do not change again). A record
the rules now refuse is left as it was, counted and named in the log, for a person to correct."""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Iterable

import psycopg

from services.datacenter.registry import catalogue, store
from services.datacenter.registry.spec import Kind, RuleContext
from services.datacenter.registry.values import SHANGHAI, comparable
from services.kit import config
from services.kit.auth import Principal, principal_var
from services.kit.errors import DomainError

log = logging.getLogger(__name__)
PRINCIPAL = Principal(subject="system:rules", client_id="rules", username="rules", kind="system")
BATCH = 200


@dataclass
class Pass:
    kind: str
    skipped: bool = False   # the stored values already follow these tables
    changed: int = 0
    unchanged: int = 0
    refused: int = 0


def fingerprint(tables: Iterable, names: Iterable[str]) -> str:
    """Of every version of the named tables: a new version or an edited body changes it."""
    wanted = set(names)
    h = hashlib.sha256()
    for t in sorted((t for t in tables if t.name in wanted), key=lambda t: (t.name, t.effective_from)):
        h.update(json.dumps([t.name, t.effective_from.isoformat(), t.body], sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\0")
    return h.hexdigest()


def changes_for(kind: Kind, record: dict, ctx: RuleContext) -> dict | None:
    """The derived values that differ from the stored ones ({} when none); None when the record no
    longer passes the kind's rules with these tables."""
    try:
        if kind.check and kind.check(record, ctx):
            return None
        derived = kind.derive(record, ctx)
    except DomainError:
        return None
    return {k: v for k, v in derived.items() if comparable(v) != comparable(record.get(k))}


def rederive_kind(conn: psycopg.Connection, records, kind: Kind, *, now: datetime, batch: int = BATCH) -> Pass:
    """One kind, on a connection of its own in autocommit mode: each batch commits by itself."""
    result = Pass(kind.name)
    fp = fingerprint(records.tables, kind.derived_from)
    lock = f"registry.rederive.{kind.name}"
    conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 7))", (lock,))   # one pass per kind at a time
    try:
        stored = conn.execute("SELECT fingerprint FROM registry.rule_basis WHERE kind = %s", (kind.name,)).fetchone()
        if stored and stored[0] == fp:
            result.skipped = True
            return result
        ctx = RuleContext(now=now.astimezone(SHANGHAI), tables=records.tables, actor=PRINCIPAL.label, actor_kind=PRINCIPAL.kind)
        after = None
        while keys := store.live_keys(conn, kind, after=after, limit=batch):
            with conn.transaction():
                for key in keys:
                    row = store.get(conn, kind, key, for_update=True)
                    if row is None:  # deleted meanwhile
                        continue
                    changes = changes_for(kind, row, replace(ctx, current=row))
                    if changes is None:
                        result.refused += 1
                        log.warning("%s %s: refused by the current rule tables; its derived values are left as they were", kind.name, key)
                    elif changes:
                        records.system_update(conn, PRINCIPAL, kind, key, changes)
                        result.changed += 1
                    else:
                        result.unchanged += 1
            after = keys[-1]
        conn.execute("""INSERT INTO registry.rule_basis (kind, fingerprint, changed, refused) VALUES (%s, %s, %s, %s)
                        ON CONFLICT (kind) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, changed = EXCLUDED.changed,
                                                         refused = EXCLUDED.refused, derived_at = now()""",
                     (kind.name, fp, result.changed, result.refused))
        return result
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 7))", (lock,))


def rederive_all(conn: psycopg.Connection, records, *, now: datetime | None = None) -> list[Pass]:
    token = principal_var.set(PRINCIPAL)  # the audit entries' actor
    try:
        return [rederive_kind(conn, records, kind, now=now or datetime.now(timezone.utc))
                for kind in catalogue.KINDS.values() if kind.derive and kind.derived_from]
    finally:
        principal_var.reset(token)


def main(argv: list[str] | None = None) -> int:
    from services.datacenter.registry.servicer import RecordServicer
    argparse.ArgumentParser(prog="services.datacenter.registry.rederive", description=__doc__.split("\n\n")[0]).parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with psycopg.connect(config.database_dsn("datacenter"), autocommit=True) as conn:
        records = RecordServicer(None, jurisdiction=config.jurisdiction())
        for p in rederive_all(conn, records):
            state = "up to date" if p.skipped else f"{p.changed} changed, {p.unchanged} unchanged, {p.refused} refused"
            print(f"\033[1;32m[rules]\033[0m {p.kind}: {state}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
