"""The closing table of `make bench`: every figure of the benchmarks just run beside its ceiling
measured in the same run on the same machine (the bare ASGI hello with one and with all workers,
the same SQL straight to PostgreSQL with pgbench, a raw COPY of the same rows), and the target the
issue set. Reads what each benchmark saved (bench/results.py); a benchmark that did not run shows
as such. Figures, never assertions."""
from __future__ import annotations

from bench import results


def _rps(r: dict | None) -> str:
    return "—" if not r else f"{r['rps']:,.0f} req/s, p99 {r['p99_ms']:.0f} ms"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "—"


def _met(ok: bool | None) -> str:
    return "—" if ok is None else "yes" if ok else "**no**"


def rows() -> list[tuple[str, str, str, str, str, str]]:
    out = []
    g = results.load("gateway_reads")
    if g:
        routes, n = g["routes"], g.get("cores", 2)
        hello1, hellon = routes.get("hello ceiling, 1 worker(s)"), routes.get(f"hello ceiling, {n} worker(s)")
        out.append(("bare ASGI hello, 1 worker (ceiling)", _rps(hello1), "—", "—", "—", "—"))
        out.append((f"bare ASGI hello, {n} workers (ceiling)", _rps(hellon), "—", "—", "—", "—"))
        health, me = routes.get(f"healthz (no auth), {n} worker(s)"), routes.get(f"me (auth, no gRPC), {n} worker(s)")
        read = routes.get(f"enterprise read (auth + gRPC + PostgreSQL), {n} worker(s)")
        raw = routes.get("enterprise read, raw PostgreSQL (pgbench)") or {}
        out.append((f"`/healthz`, {n} workers", _rps(health), f"hello {n}w", _ratio(health and health["rps"], hellon and hellon["rps"]),
                    "—", "—"))
        if me:
            ratio = me["rps"] / hellon["rps"] if hellon else None
            out.append((f"`/api/v1/me`, {n} workers", _rps(me), f"hello {n}w", _ratio(me["rps"], hellon and hellon["rps"]), "≥ 0.8 of hello",
                        _met(ratio is not None and ratio >= 0.8)))
        if read:
            ratio = read["rps"] / hellon["rps"] if hellon else None
            ok = read["rps"] >= 3000 and read["p99_ms"] < 30 and (ratio or 0) >= 0.5
            out.append((f"`/api/v1/enterprises/{{uscc}}`, {n} workers, {g['connections']} connections", _rps(read),
                        f"hello {n}w; raw SQL {raw.get('tps', 0):,.0f} tx/s, p99 {raw.get('p99_ms') or 0:.0f} ms (pgbench)",
                        f"{_ratio(read['rps'], hellon and hellon['rps'])} of hello; {_ratio(read['rps'], raw.get('tps'))} of SQL",
                        "≥ 3,000 req/s, p99 < 30 ms, ≥ 0.5 of hello", _met(ok)))
    live = results.load("live_updates")
    if live:
        out.append((f"live updates: {live['clients']:,} streams, commit → event", f"p99 {live['p99_ms']:.0f} ms "
                    f"({live['events_received']:,}/{live['events_expected']:,} events); gateway {live['gateway_rss_mib']} MiB",
                    "—", "—", "p99 < 1 s", _met(live["p99_ms"] is not None and live["p99_ms"] < 1000
                                               and live["events_received"] == live["events_expected"])))
    s = results.load("submit_enterprises")
    if s:
        out.append(("enterprise submission (write + outbox), c=16", _rps(s["submit"]), "—", "—", "—", "—"))
        out.append(("event lag, acknowledged → supervision registration", f"p50 {s['lag']['p50_ms']:.0f} ms, "
                    f"p99 {s['lag']['p99_ms']:.0f} ms", "—", "—", "—", "—"))
    d = results.load("datacenter")
    if d:
        e, h = d["data"]["enterprises"]["rows"], d["data"]["hazards"]["rows"]
        for q in d["queries"].values():
            c16 = q["wrk"].get("16")
            raw = q.get("raw_pg") or {}
            if not c16:
                continue
            out.append((f"{q['label']} at {e:,} / {h:,}, c=16", _rps(c16),
                        f"SQL {raw.get('tps', 0):,.0f} tx/s, p99 {raw.get('p99_ms') or 0:.0f} ms (pgbench 16)",
                        _ratio(c16["rps"], raw.get("tps")), "p99 < 100 ms", _met(c16["p99_ms"] < 100)))
        imp = d["import"]
        if imp.get("runs"):
            best = max(r["rows_per_s"] for r in imp["runs"])
            raw = imp.get("raw_copy") or {}
            out.append((f"hazard import, {imp['runs'][0]['rows']:,} rows into {h:,}, committed", f"{best:,} rows/s",
                        f"raw COPY of the same rows into the same table {raw.get('rows_per_s', 0):,} rows/s" if raw else "—",
                        _ratio(best, raw.get("rows_per_s")), "≥ 20,000 rows/s", _met(best >= 20000)))
        if imp.get("dry_run"):
            out.append(("hazard import, dry run", f"{imp['dry_run']['rows_per_s']:,} rows/s", "—", "—", "—", "—"))
        ei = d.get("enterprise_import")
        if ei:
            raw = ei.get("raw_copy") or {}
            out.append((f"enterprise import, {ei['rows']:,} rows from CSV, committed", f"{ei['rows_per_s']:,} rows/s",
                        f"raw COPY of the same rows with the same indexes {raw.get('rows_per_s', 0):,} rows/s",
                        _ratio(ei["rows_per_s"], raw.get("rows_per_s")), "≥ 20,000 rows/s", _met(ei["rows_per_s"] >= 20000)))
            out.append((f"enterprise import, {ei['rows']:,} rows, dry run", f"{ei['dry_rows_per_s']:,} rows/s", "—", "—", "—", "—"))
    return out


def main() -> None:
    table = rows()
    print("\nmake bench — each figure beside its ceiling measured in the same run (2 shared cores: the load generator, "
          "the platform and PostgreSQL all on them)\n")
    print("| figure | platform | ceiling (same run) | of ceiling | target | met |")
    print("|---|---|---|---|---|---|")
    for r in table:
        print("| " + " | ".join(r) + " |")
    missing = [n for n in ("gateway_reads", "live_updates", "submit_enterprises", "datacenter") if results.load(n) is None]
    if missing:
        print(f"\n(not run: {', '.join(missing)})")


if __name__ == "__main__":
    main()
