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
    mo = results.load("monitoring")
    if mo and mo.get("intake"):
        w, ceilings = mo["intake"], mo.get("ceilings") or {}
        kafka = (ceilings.get("kafka") or {}).get("readings_per_s")
        copy = (ceilings.get("copy") or {}).get("copy_readings_per_s")
        stored = w["stored_per_s"]
        ceiling = "; ".join(x for x in (f"Kafka produce+consume {kafka:,}/s" if kafka else "",
                                        f"PostgreSQL COPY {copy:,}/s" if copy else "") if x) or "—"
        ok = stored >= 50_000 and all(c and stored / c >= 0.25 for c in (kafka, copy))
        out.append((f"monitoring intake, {mo['points']:,} points every {mo['interval_s']:g} s ({mo['offered_per_s']:,}/s offered), "
                    f"{mo['seconds']} s", f"accepted {w['accepted_per_s']:,}/s (posts p99 {w.get('http_p99_ms') or 0:.0f} ms); "
                    f"stored + evaluated {stored:,}/s; lag {w['lag_records_end']:,} records at the end", ceiling,
                    f"{_ratio(stored, kafka)} of Kafka; {_ratio(stored, copy)} of COPY", "≥ 50,000/s, ≥ 0.25 of each ceiling", _met(ok)))
        for al in (mo.get("alarms"), mo.get("alarms_light")):
            if not al:
                continue
            k, e = al["kafka"], al["sse"]
            out.append((f"monitoring alarm, HTTP ack → Kafka / → browser stream, at {al['load_per_s']:,.0f} readings/s",
                        f"p99 {k['p99_ms'] or 0:,.0f} / {e['p99_ms'] or 0:,.0f} ms ({k['received']}, {e['received']} of {al['probes']})",
                        "—", "—", "p99 < 1 s", _met(e["p99_ms"] is not None and e["p99_ms"] < 1000 and e["received"] == al["probes"]
                                                   and k["p99_ms"] is not None and k["p99_ms"] < 1000)))
        ch = mo.get("chart")
        if ch:
            seq, con, c1, cn = ch["sequential"], ch["concurrent"], ch.get("sql_c1") or {}, ch.get("sql_cn") or {}
            out.append((f"monitoring chart, one point over 30 days (1-h rollups, synthetic), sequential / c={con['c']}",
                        f"p99 {seq['p99_ms']:.0f} / {con['p99_ms']:.0f} ms; {con['rps']:,.0f} req/s at c={con['c']}",
                        f"SQL p99 {c1.get('p99_ms') or 0:.1f} / {cn.get('p99_ms') or 0:.1f} ms, {cn.get('tps', 0):,.0f} tx/s (pgbench 1 / {con['c']})",
                        _ratio(con["rps"], cn.get("tps")), "p99 < 100 ms", _met(seq["p99_ms"] < 100 and con["p99_ms"] < 100)))
        m = mo.get("memory")
        if m:
            out.append(("monitoring: memory of the whole stack under that load", f"{m['total_rss_max_mib']:,} MiB RSS "
                        f"({m['total_pss_max_mib']:,} MiB PSS)", "—", "—", "—", "—"))
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
    pl = results.load("plan")
    if pl:
        out.append((f"plan: classes of {pl['enterprises']:,} enterprises", f"{pl['classify']['seconds']:.2f} s",
                    f"copy + table lookup {pl['classify']['ceiling_seconds'] * 1000:.0f} ms", "—", "—", "—"))
        out.append((f"plan: 双随机 draw of {pl['enterprises']:,} enterprises, {pl['officers']} officers (whole city)",
                    f"{pl['plan_city']['seconds']:.2f} s", f"sort + shuffle {pl['ceiling_sort_shuffle']['seconds'] * 1000:.0f} ms",
                    _ratio(pl["plan_city"]["per_s"], pl["ceiling_sort_shuffle"]["per_s"]), "< 1 s", _met(pl["plan_city"]["seconds"] < 1)))
    dn = results.load("docnumbers")
    if dn:
        out.append((f"document numbers, {dn['issuers']} issuers on one counter (gapless: {dn['gapless']})",
                    f"{dn['one_row_issues_per_s']:,} issues/s", f"same transaction without a counter {dn['ceiling_commits_per_s']:,}/s",
                    _ratio(dn["one_row_issues_per_s"], dn["ceiling_commits_per_s"]), "no gaps", _met(dn["gapless"])))
        out.append(("document numbers, 8 agencies × 10 types", f"{dn['spread_issues_per_s']:,} issues/s", "—",
                    _ratio(dn["spread_issues_per_s"], dn["ceiling_commits_per_s"]), "—", "—"))
    return out


def main() -> None:
    table = rows()
    print("\nmake bench — each figure beside its ceiling measured in the same run (2 shared cores: the load generator, "
          "the platform and PostgreSQL all on them)\n")
    print("| figure | platform | ceiling (same run) | of ceiling | target | met |")
    print("|---|---|---|---|---|---|")
    for r in table:
        print("| " + " | ".join(r) + " |")
    missing = [n for n in ("gateway_reads", "live_updates", "submit_enterprises", "monitoring", "datacenter", "plan", "docnumbers")
               if results.load(n) is None]
    if missing:
        print(f"\n(not run: {', '.join(missing)})")


if __name__ == "__main__":
    main()
