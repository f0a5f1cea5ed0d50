"""Benchmark of the document-number allocator (services/kit/docnumbers.py) on the test instance's
supervision database:

    SAFETY_INSTANCE=test .venv/bin/python -m bench.docnumbers            # 50 issuers, 10 s each phase

Every issuer is a thread with its own connection; each issue is one transaction that takes the next
serial and writes a row (an unlogged scratch table standing in for the document), as the
inspection service does. Prints issues/s for:
  1. one agency, one document type: all 50 issuers queue on one counter row (the worst case: the
     whole county issuing orders in the same second), and checks the serials are 1..n, no gaps,
     no duplicates, although every tenth transaction rolls back;
  2. eight agencies × ten document types, issuers spread over them (how the city issues);
beside the ceiling measured in the same run: the same transaction with no counter at all
(insert the row and commit), i.e. what PostgreSQL commits per second here. Figures only."""
from __future__ import annotations

import argparse
import threading
import time
import uuid

import psycopg

from bench import results
from services.kit import config, docnumbers

TYPES = ("inspection_record", "rectification_order", "onsite_measures", "recheck_opinion", "case_filing", "penalty_notice",
         "hearing_notice", "penalty_decision", "service_receipt", "case_closing")
AGENCIES = ("620800", "620802", "620821", "620822", "620823", "620825", "620826", "620881")


def run(dsn: str, *, issuers: int, seconds: float, pick, allocate: bool, tag: str) -> tuple[float, list[tuple[str, str, int]]]:
    """(committed issues per second, the committed (agency, type, serial))."""
    kept, lock = [], threading.Lock()
    start = threading.Barrier(issuers + 1)
    stop = time.monotonic() + seconds + 0.5

    def issuer(n: int):
        with psycopg.connect(dsn, autocommit=False) as conn:
            conn.autocommit = True
            start.wait()
            i = 0
            while time.monotonic() < stop:
                agency, doc_type = pick(n, i)
                i += 1
                try:
                    with conn.transaction():
                        serial = docnumbers.allocate(conn, agency=f"{tag}{agency}", doc_type=doc_type, year=2026) if allocate else 0
                        conn.execute("INSERT INTO bench_documents (agency, doc_type, serial) VALUES (%s, %s, %s)",
                                     (agency, doc_type, serial))
                        if allocate and i % 10 == 0:
                            raise _Rollback
                    with lock:
                        kept.append((agency, doc_type, serial))
                except _Rollback:
                    pass
    threads = [threading.Thread(target=issuer, args=(n,)) for n in range(issuers)]
    for t in threads:
        t.start()
    start.wait()
    began = time.monotonic()
    for t in threads:
        t.join()
    return len(kept) / (time.monotonic() - began), kept


class _Rollback(Exception):
    pass


def gapless(kept: list[tuple[str, str, int]]) -> bool:
    by: dict[tuple[str, str], list[int]] = {}
    for agency, doc_type, serial in kept:
        by.setdefault((agency, doc_type), []).append(serial)
    return all(sorted(s) == list(range(1, len(s) + 1)) for s in by.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issuers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    dsn = config.database_dsn("supervision")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE UNLOGGED TABLE IF NOT EXISTS bench_documents (agency text, doc_type text, serial integer)")
        conn.execute("TRUNCATE bench_documents")
    tag = f"bench-{uuid.uuid4().hex[:6]}-"
    ceiling, _ = run(dsn, issuers=args.issuers, seconds=args.seconds, pick=lambda n, i: ("620802", TYPES[1]), allocate=False, tag=tag)
    one, kept_one = run(dsn, issuers=args.issuers, seconds=args.seconds, pick=lambda n, i: ("620802", TYPES[1]), allocate=True, tag=tag)
    spread, kept_spread = run(dsn, issuers=args.issuers, seconds=args.seconds, allocate=True, tag=tag + "s",
                              pick=lambda n, i: (AGENCIES[n % len(AGENCIES)], TYPES[(n // len(AGENCIES) + i) % len(TYPES)]))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_documents")
        conn.execute("DELETE FROM kit.document_serial WHERE agency LIKE %s", (tag + "%",))
    ok_one, ok_spread = gapless(kept_one), gapless(kept_spread)
    print(f"document numbers, {args.issuers} concurrent issuers, {args.seconds:.0f} s per phase (test instance, supervision database)")
    print(f"  ceiling: the same transaction without a counter       {ceiling:10,.0f} commits/s")
    print(f"  one agency and type (all on one counter row)          {one:10,.0f} issues/s  ({one / ceiling:.2f} of ceiling), "
          f"{len(kept_one):,} kept, gapless: {ok_one}")
    print(f"  8 agencies x 10 types                                 {spread:10,.0f} issues/s  ({spread / ceiling:.2f} of ceiling), "
          f"{len(kept_spread):,} kept, gapless: {ok_spread}")
    results.save("docnumbers", {"issuers": args.issuers, "ceiling_commits_per_s": round(ceiling), "one_row_issues_per_s": round(one),
                                "spread_issues_per_s": round(spread), "gapless": ok_one and ok_spread})


if __name__ == "__main__":
    main()
