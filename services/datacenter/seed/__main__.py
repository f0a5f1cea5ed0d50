"""Loads the generated 平凉市 demo data into the data-centre database (docs/seed.md).

    python -m services.datacenter.seed --scale 200 [--seed 2026] [--no-events] [--if-empty]

Every record goes the way an import goes, minus the network: typed and limited by the kind's
declaration (`registry.values.parse` of its JSON form), dictionary codes and references checked,
the kind's `check` run with a RuleContext on the real clock — a record that fails stops the whole
load, nothing is written — then `derive` (grade, S/R, deadlines…), and in batches the set-based
create of imports (`importing.create_records`): rows, change history and, unless --no-events,
the change events in the outbox, so integrators' replicas receive the demo data. A ledger
movement's balance is computed with the supplies rule in ledger order, and each item's quantity is
then updated to the sum of its ledger (one audited, published update per item). One transaction:
all or nothing. The actor is "system:seed".

--if-empty: do nothing when enterprises other than the demo ones of infra/demo.py exist (what
`make up` runs). Loading a data set that is already there (same scale and seed) does nothing."""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from datetime import datetime
from decimal import Decimal

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from services.datacenter.registry import catalogue, events, importing, store
from services.datacenter.registry.spec import Kind, RuleContext
from services.datacenter.registry.values import SHANGHAI, json_ready, parse
from services.datacenter.ruletables import load_defaults
from services.datacenter.seed import generator
from services.datacenter.supplies import rules as supplies_rules
from services.kit import audit, config, context
from services.kit.auth import Principal
from services.kit.errors import FieldViolation

ACTOR = "system:seed"
PRINCIPAL = Principal(subject="system:seed", client_id="seed", username="seed", kind="system")
_DICTIONARIES = {"region": "region", "sector": "sector", "rescue_specialty": "rescue_specialty", "expert_field": "expert_field"}


class SeedError(Exception):
    """A generated record the platform's rules refuse: a generator bug, never loaded."""

    def __init__(self, kind: str, index: int, problems: list[FieldViolation], record: dict):
        self.kind, self.index, self.problems = kind, index, problems
        shown = "; ".join(f"{p.field}: {p.message_zh} ({p.code})" for p in problems)
        super().__init__(f"generated {kind} #{index} is invalid: {shown}\n{json.dumps(json_ready(record), ensure_ascii=False)[:2000]}")


def rule_context(now: datetime | None = None) -> RuleContext:
    """What the servicer passes the rules: the real clock (Beijing time) and the rule tables in force."""
    return RuleContext(now=(now or datetime.now(SHANGHAI)).astimezone(SHANGHAI), tables=load_defaults(), actor=ACTOR,
                       actor_kind="system")


def derive_context(kind: Kind, record: dict, ctx: RuleContext) -> RuleContext:
    """The context `derive` runs in. A hazard closed in the demo history was closed when it passed
    its verification, so its closing transition (closed_at) happens then, not at load time."""
    if kind.name == "hazard" and record.get("status") == "closed":
        return dataclasses.replace(ctx, now=record["verification"]["verified_at"])
    return ctx


def validate(kind: Kind, raw: dict, ctx: RuleContext, *, enterprise: dict | None = None, index: int = 0) -> dict:
    """The record as the API would store it: parsed from its JSON form (types, limits, options),
    placed in its enterprise's region, and passed by the kind's rules; SeedError otherwise."""
    values, problems = parse(kind, json_ready(raw))
    if kind.owned:
        if enterprise is None:
            problems.append(FieldViolation("uscc", "uscc.unknown", "该统一社会信用代码的单位尚未登记", "No such enterprise"))
        else:
            values["region_code"], values["enterprise_name"] = enterprise["region_code"], enterprise["name"]
            ctx = dataclasses.replace(ctx, enterprise=enterprise)
    if not problems and kind.check:
        problems = list(kind.check(values, ctx))
    if problems:
        raise SeedError(kind.name, index, problems, raw)
    return values


class Loader:
    def __init__(self, conn: psycopg.Connection, *, now: datetime, events: bool, batch: int, scale: int, seed: int):
        self.conn, self.events, self.batch = conn, events, batch
        self.scale, self.seed = scale, seed
        self.ctx = rule_context(now)
        self.enterprises: dict[str, dict] = {}                 # uscc -> stored row (name, region)
        self.ids: dict[str, list[tuple[int, str]]] = {}         # kind -> [(stored id, region)] in generated order
        self.balances: dict[int, Decimal] = {}                  # item id -> balance after its ledger so far
        self.codes = {name: {r[0] for r in conn.execute(sql.SQL("SELECT code FROM {}").format(sql.Identifier("dictionaries", table)))}
                      for name, table in _DICTIONARIES.items()}
        self.counts: dict[str, int] = {}

    def load(self, name: str, records) -> None:
        kind = catalogue.KINDS[name]
        started, n, batch = time.perf_counter(), 0, []
        for n, raw in enumerate(records, start=1):
            batch.append(self.prepare(kind, raw, n))
            if len(batch) >= self.batch:
                self.flush(kind, batch)
                batch = []
        self.flush(kind, batch)
        if name == "supply_movement":
            self.post_balances()
        seconds = time.perf_counter() - started
        self.counts[name] = n
        audit.write(self.conn, audit.entry(action=f"{name}.seed", target_type=name, target_id=f"seed:{n}", principal=PRINCIPAL,
                                           summary={"rows": n, "scale": self.scale, "seed": self.seed}))
        print(f"[seed] {name:<17}{n:>9,} rows {seconds:8.2f} s {n / seconds if seconds else 0:>10,.0f} rows/s", flush=True)

    def prepare(self, kind: Kind, raw: dict, index: int) -> dict:
        enterprise = self.enterprises.get(raw.get("uscc")) if kind.owned else None
        values = validate(kind, raw, self.ctx, enterprise=enterprise, index=index)
        problems = []
        for f in kind.fields:
            value = values.get(f.name)
            if value is None:
                continue
            if f.dictionary in self.codes:
                missing = [v for v in (value if isinstance(value, list) else [value]) if v not in self.codes[f.dictionary]]
                if missing:
                    problems.append(FieldViolation(f.name, f"{f.name}.unknown", f"{f.label}：代码 {'、'.join(missing)} 不在字典中",
                                                   f"{f.name}: {', '.join(missing)} not in the {f.dictionary} dictionary"))
            if f.ref:   # generated references are positions in the referenced kind's sequence
                stored = self.ids.get(f.ref, [])
                if not 1 <= value <= len(stored):
                    problems.append(FieldViolation(f.name, f"{f.name}.unknown", f"{f.label}：第{value}条{f.ref}不存在", f"No {f.ref} #{value}"))
                    continue
                values[f.name], region = stored[value - 1]
                if kind.region_from == f.name:
                    values["region_code"] = region
        if problems:
            raise SeedError(kind.name, index, problems, raw)
        if kind.derive:
            ctx = dataclasses.replace(self.ctx, enterprise=enterprise) if enterprise else self.ctx
            values.update(kind.derive(values, derive_context(kind, values, ctx)))
        if kind.name == "supply_movement":   # the ledger rule of MOVEMENT.on_insert, in ledger order
            item = values["item_id"]
            new, refused = supplies_rules.balance_after(self.balances.get(item, Decimal(0)), values["direction"], values["quantity"])
            if refused:
                raise SeedError(kind.name, index, refused, raw)
            self.balances[item] = values["balance_after"] = new
        return values

    def flush(self, kind: Kind, batch: list[dict]) -> None:
        if not batch:
            return
        rows = importing.create_records(self.conn, kind, batch, actor=ACTOR, events_too=self.events,
                                        returning=tuple(store.columns(kind)))
        if kind.name == "enterprise":
            self.enterprises.update({r["uscc"]: r for r in rows})
        elif kind.key == "id":
            self.ids.setdefault(kind.name, []).extend((r["id"], r.get("region_code")) for r in rows)

    def post_balances(self) -> None:
        """Each item's quantity becomes the balance its ledger left: one update (version 2) per item,
        with its history and event, as the servicer records the item change a movement makes."""
        kind = catalogue.KINDS["supply_item"]
        if not self.balances:
            return
        ids, quantities = list(self.balances), [self.balances[i] for i in self.balances]
        q = sql.SQL("""UPDATE supplies.item AS i SET quantity = v.q, version = i.version + 1, updated_at = now(), updated_by = %s
                       FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, q) WHERE i.id = v.id RETURNING {}""").format(
            sql.SQL(", ").join(sql.Identifier("i", c) for c in store.columns(kind)))
        with self.conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(q, (ACTOR, ids, quantities)).fetchall()
        store.copy_history(self.conn, kind, ((r["id"], r["version"], "updated", {"quantity": {"from": 0, "to": r["quantity"]}})
                                             for r in rows), actor=ACTOR)
        if self.events:
            events.publish_many(self.conn, kind, rows, operation="updated", fields=lambda r: ["quantity"], actor=ACTOR)


def other_enterprises(conn: psycopg.Connection) -> int:
    """Enterprises besides the demo ones `infra/demo.py` submits (deleted ones count: they were data)."""
    from infra.keycloak.realm import DEMO_ENTERPRISES
    return conn.execute("SELECT count(*) FROM enterprises.enterprise WHERE NOT (uscc = ANY(%s))",
                        ([e.uscc for e in DEMO_ENTERPRISES],)).fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m services.datacenter.seed", description="Load deterministic 平凉市 demo data.")
    ap.add_argument("--scale", type=int, default=200, help="number of enterprises; the other kinds grow in proportion (default 200)")
    ap.add_argument("--seed", type=int, default=2026, help="random seed (default 2026): same scale and seed, same data")
    ap.add_argument("--no-events", action="store_true", help="write no change events (history is still written)")
    ap.add_argument("--if-empty", action="store_true", help="do nothing if enterprises other than the demo ones exist")
    ap.add_argument("--batch", type=int, default=5000, help="rows per COPY (default 5000)")
    args = ap.parse_args(argv)
    if args.scale < 1 or args.batch < 1:
        ap.error("--scale and --batch must be positive")
    context.set_service("datacenter")
    now = datetime.now(SHANGHAI)
    data = generator.generate(args.scale, args.seed, as_of=now.date())
    started = time.perf_counter()
    with psycopg.connect(config.database_dsn("datacenter")) as conn:   # one transaction: committed on success only
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('services.datacenter.seed'))")   # one loader at a time
        if args.if_empty and (n := other_enterprises(conn)):
            print(f"[seed] skipped: {n:,} enterprises besides the demo ones are already loaded", flush=True)
            return 0
        enterprises = list(data["enterprise"])
        present = store.existing_keys(conn, catalogue.KINDS["enterprise"], [e["uscc"] for e in enterprises])
        if present:
            if len(present) == len(enterprises):
                print(f"[seed] the data set of scale {args.scale}, seed {args.seed} is already loaded: nothing to do", flush=True)
                return 0
            raise SystemExit(f"[seed] {len(present)} of the {len(enterprises)} generated enterprises already exist; "
                             f"choose another --seed")
        loader = Loader(conn, now=now, events=not args.no_events, batch=args.batch, scale=args.scale, seed=args.seed)
        for name, records in data.items():
            loader.load(name, enterprises if name == "enterprise" else records)
        total = sum(loader.counts.values())
    seconds = time.perf_counter() - started
    print(f"[seed] scale {args.scale}, seed {args.seed}: {total:,} rows in {seconds:.1f} s ({total / seconds:,.0f} rows/s)"
          f"{'' if not args.no_events else ', no events'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
