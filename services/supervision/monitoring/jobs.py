"""The monitoring jobs, run by every evaluator copy but each by one at a time: a job's run is one
transaction that first takes the job's transaction-level advisory lock (pg_try_advisory_xact_lock);
a copy that does not get it skips that run. Nothing is kept between runs but what is in the database.

- partitions: create the days/months ahead, drop those past retention (hourly, and at start)
- offline: points silent beyond their limit get an offline alarm (every 5 s)
- escalation: alarms not acknowledged in time go up a level, and their people are told (every 5 s)
- rollups: 1-minute and 1-hour min/max/avg/count of the readings (every 15 s)
- commitments: after the day's deadline, flag each major-hazard enterprise that has not filed (every 60 s)
- quality: online rate, completeness and timeliness per enterprise, today and yesterday (every 5 min)"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import psycopg
from psycopg.rows import dict_row

from services.kit.jobs import Job, Scheduler
from services.supervision.monitoring import events, partitions, rules, store, warnings
from services.supervision.monitoring.evaluator import ACTOR, STATE_WRITE_EVERY, body

log = logging.getLogger(__name__)


def run_partitions(conn: psycopg.Connection, all_tables, now: datetime) -> None:
    today = now.astimezone(rules.SHANGHAI).date()
    for plan in partitions.plans():
        existing = [r[0] for r in conn.execute(
            """SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
               JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = 'monitoring' AND p.relname = %s""", (plan.table,)).fetchall()]
        for name, lo, hi in partitions.wanted(plan, today):
            if name not in existing:
                conn.execute(f"CREATE TABLE IF NOT EXISTS monitoring.{name} PARTITION OF monitoring.{plan.table} "
                             f"FOR VALUES FROM ('{lo.isoformat()}') TO ('{hi.isoformat()}')")
        for name in partitions.expired(plan, existing, today):
            conn.execute(f"DROP TABLE monitoring.{name}")
            log.info("monitoring: dropped partition %s (past retention)", name)


def run_offline(conn: psycopg.Connection, all_tables, now: datetime) -> None:
    evaluation = body(all_tables, "alarm_evaluation", now)
    escalation = body(all_tables, "alarm_escalation", now)
    with conn.cursor(row_factory=dict_row) as cur:
        silent = cur.execute(
            """SELECT s.point_id, s.seen_at, p.uscc, p.region_code, p.source_id FROM monitoring.point_state s
               JOIN monitoring.point p ON p.id = s.point_id
               WHERE s.online AND NOT p.deleted AND p.status = 'in_service'
                 AND s.seen_at < now() - make_interval(secs => %s + %s)   -- the shortest limit: the index on seen_at narrows it
                 AND s.seen_at < now() - make_interval(secs => greatest(p.interval_s * %s, %s) + %s)
               ORDER BY s.point_id LIMIT 5000 FOR UPDATE OF s SKIP LOCKED""",
            (evaluation["offline_min_seconds"], STATE_WRITE_EVERY,
             evaluation["offline_intervals"], evaluation["offline_min_seconds"], STATE_WRITE_EVERY)).fetchall()
    touched = set()
    for p in silent:
        conn.execute("UPDATE monitoring.point_state SET online = false WHERE point_id = %s", (p["point_id"],))
        exists = conn.execute("SELECT 1 FROM monitoring.alarm WHERE point_id = %s AND condition = 'offline' AND status <> 'closed'",
                              (p["point_id"],)).fetchone()
        if exists:
            continue
        step = rules.next_escalation("enterprise", "offline", now, escalation)
        alarm = store.insert_alarm(conn, {"point_id": p["point_id"], "uscc": p["uscc"], "region_code": p["region_code"],
                                          "source_id": p["source_id"], "condition": "offline", "level": "warning", "status": "raised",
                                          "active": True, "raised_at": p["seen_at"], "last_at": now,
                                          "next_escalation_at": step[1] if step else None}, actor=ACTOR)
        store.notify(conn, alarm, "enterprise")
        touched.add(p["uscc"])
    table = body(all_tables, "warning_colours", now)
    for uscc in sorted(touched):
        warnings.recompute(conn, uscc, table)


def run_escalation(conn: psycopg.Connection, all_tables, now: datetime) -> None:
    table = body(all_tables, "alarm_escalation", now)
    with conn.cursor(row_factory=dict_row) as cur:
        due = cur.execute(f"SELECT {store.ALARM_COLUMNS} FROM monitoring.alarm WHERE status = 'raised' AND next_escalation_at <= now() "
                          "ORDER BY next_escalation_at LIMIT 500 FOR UPDATE SKIP LOCKED").fetchall()
    for a in due:
        kind = rules.escalation_kind(a["condition"], a["level"])
        step = rules.next_escalation(a["escalation"], kind, a["next_escalation_at"], table)
        if step is None:
            store.update_alarm(conn, a["id"], {"next_escalation_at": None}, actor=ACTOR, action=None)
            continue
        after = rules.next_escalation(step[0], kind, a["next_escalation_at"], table)
        row = store.update_alarm(conn, a["id"], {"escalation": step[0], "next_escalation_at": after[1] if after else None},
                                 actor=ACTOR, action="escalated", detail={"to": step[0]})
        store.notify(conn, row, step[0])


def run_rollups(conn: psycopg.Connection, all_tables, now: datetime) -> None:
    """Runs in transactions of its own (`OWN_TRANSACTIONS`), so that the evaluator never waits for an
    aggregation: (1) move `until` to the last whole minute, which waits only for the evaluator's
    batches in flight (they read it under a share lock) — every batch after that marks readings
    below it dirty; (2) aggregate the minutes from `done` to `until` and the dirty buckets, and the
    hours that are now complete; move `done`."""
    timely = body(all_tables, "data_quality", now)["timely_within_s"]
    with conn.transaction():
        held = conn.execute("SELECT until, done FROM monitoring.rollup_watermark WHERE name = '1m' FOR UPDATE").fetchone()
        target = conn.execute("SELECT date_trunc('minute', now() - interval '20 seconds')").fetchone()[0]
        if held is None:
            held = (target - timedelta(minutes=10),) * 2
            conn.execute("INSERT INTO monitoring.rollup_watermark (name, until, done) VALUES ('1m', %s, %s)", held)
        until = max(held[0], target)
        if until > held[0]:
            conn.execute("UPDATE monitoring.rollup_watermark SET until = %s WHERE name = '1m'", (until,))
    done = held[1] or held[0]
    aggregate = """min(value), max(value), sum(value), count(*), count(*) FILTER (WHERE received_at <= time + make_interval(secs => %s))"""
    upsert = """ON CONFLICT (point_id, bucket) DO UPDATE SET min = EXCLUDED.min, max = EXCLUDED.max, sum = EXCLUDED.sum,
                count = EXCLUDED.count, timely = EXCLUDED.timely"""
    with conn.transaction():
        if until > done:
            conn.execute(f"""INSERT INTO monitoring.rollup_1m SELECT point_id, date_trunc('minute', time), {aggregate}
                             FROM monitoring.reading WHERE time >= %s AND time < %s GROUP BY 1, 2 {upsert}""", (timely, done, until))
        dirty = conn.execute("DELETE FROM monitoring.rollup_dirty RETURNING point_id, bucket").fetchall()
        if dirty:
            conn.execute(f"""INSERT INTO monitoring.rollup_1m SELECT r.point_id, date_trunc('minute', r.time), {aggregate}
                             FROM monitoring.reading r JOIN unnest(%s::int[], %s::timestamptz[]) d(point_id, bucket)
                               ON r.point_id = d.point_id AND r.time >= d.bucket AND r.time < d.bucket + interval '1 minute'
                             GROUP BY 1, 2 {upsert}""", (timely, [d[0] for d in dirty], [d[1] for d in dirty]))
        # Hours are rolled up once complete (the series reads the hour in progress from its minutes),
        # and again when a late reading dirtied one of their minutes.
        conn.execute(f"""INSERT INTO monitoring.rollup_1h
                         SELECT point_id, date_trunc('hour', bucket), min(min), max(max), sum(sum), sum(count), sum(timely)
                         FROM monitoring.rollup_1m
                         WHERE bucket >= date_trunc('hour', %(done)s::timestamptz) AND bucket < date_trunc('hour', %(until)s::timestamptz)
                         GROUP BY 1, 2 {upsert}""", {"done": done, "until": until})
        if dirty:
            conn.execute(f"""INSERT INTO monitoring.rollup_1h
                             SELECT m.point_id, date_trunc('hour', m.bucket), min(m.min), max(m.max), sum(m.sum), sum(m.count), sum(m.timely)
                             FROM monitoring.rollup_1m m JOIN (SELECT DISTINCT d.p, date_trunc('hour', d.b) AS h
                                                              FROM unnest(%s::int[], %s::timestamptz[]) d(p, b)) x
                               ON m.point_id = x.p AND m.bucket >= x.h AND m.bucket < x.h + interval '1 hour'
                             WHERE x.h < date_trunc('hour', %s::timestamptz)
                             GROUP BY 1, 2 {upsert}""", ([d[0] for d in dirty], [d[1] for d in dirty], until))
        conn.execute("UPDATE monitoring.rollup_watermark SET done = %s WHERE name = '1m'", (until,))


run_rollups.OWN_TRANSACTIONS = True


def run_commitments(conn: psycopg.Connection, all_tables, now: datetime) -> None:
    local = now.astimezone(rules.SHANGHAI)
    table = body(all_tables, "safety_commitment", now)
    if local < rules.deadline(local.date(), table, rules.SHANGHAI):
        return
    missing = conn.execute("""INSERT INTO monitoring.commitment_flag (uscc, day, region_code)
                              SELECT DISTINCT ON (s.uscc) s.uscc, %s::date, s.region_code FROM monitoring.source s
                              WHERE NOT s.deleted AND NOT EXISTS (SELECT 1 FROM monitoring.commitment c WHERE c.uscc = s.uscc AND c.day = %s)
                              ON CONFLICT DO NOTHING RETURNING uscc, region_code""", (local.date(), local.date())).fetchall()
    for uscc, region in missing:
        events.commitment_missing(conn, uscc=uscc, region_code=region, day=local.date().isoformat())


def run_quality(conn: psycopg.Connection, all_tables, now: datetime) -> None:
    local = now.astimezone(rules.SHANGHAI)
    for day in (local.date() - timedelta(days=1), local.date()):
        lo, hi = partitions.bounds(day, "day")
        upto = min(hi, now)
        conn.execute("""INSERT INTO monitoring.quality_daily (day, uscc, region_code, points, expected, received, timely, offline_s, observed_s)
            SELECT %(day)s, p.uscc, min(p.region_code), count(*),
                   sum(floor(extract(epoch FROM (%(upto)s - greatest(%(lo)s, p.registered_at))) / p.interval_s))::bigint,
                   coalesce(sum(r.received), 0), coalesce(sum(r.timely), 0), coalesce(sum(o.offline_s), 0),
                   sum(extract(epoch FROM (%(upto)s - greatest(%(lo)s, p.registered_at))))::bigint
            FROM monitoring.point p
            LEFT JOIN (SELECT point_id, sum(count) AS received, sum(timely) AS timely FROM monitoring.rollup_1m
                       WHERE bucket >= %(lo)s AND bucket < %(upto)s GROUP BY 1) r ON r.point_id = p.id
            LEFT JOIN (SELECT point_id, sum(extract(epoch FROM least(coalesce(cleared_at, %(upto)s), %(upto)s) - greatest(raised_at, %(lo)s)))::bigint
                              AS offline_s
                       FROM monitoring.alarm WHERE condition = 'offline' AND raised_at < %(upto)s
                         AND coalesce(cleared_at, %(upto)s) > %(lo)s GROUP BY 1) o ON o.point_id = p.id
            WHERE NOT p.deleted AND p.status = 'in_service' AND %(upto)s > greatest(%(lo)s, p.registered_at)
            GROUP BY p.uscc
            ON CONFLICT (day, uscc) DO UPDATE SET region_code = EXCLUDED.region_code, points = EXCLUDED.points,
                expected = EXCLUDED.expected, received = EXCLUDED.received, timely = EXCLUDED.timely,
                offline_s = EXCLUDED.offline_s, observed_s = EXCLUDED.observed_s, computed_at = now()""",
                     {"day": day, "lo": lo, "upto": upto})


JOBS = (("partitions", 3600.0, run_partitions), ("offline", 5.0, run_offline), ("escalation", 5.0, run_escalation),
        ("rollups", 15.0, run_rollups), ("commitments", 60.0, run_commitments), ("quality", 300.0, run_quality))


def scheduler(pool, all_tables, *, jobs=JOBS) -> Scheduler:
    """The monitoring jobs on the kit's scheduler, each given the rule tables."""
    def bind(fn):
        def run(conn, now):
            return fn(conn, all_tables, now)
        run.OWN_TRANSACTIONS = getattr(fn, "OWN_TRANSACTIONS", False)
        return run
    return Scheduler(pool, [Job(name, 7_262_900 + i, every, bind(fn)) for i, (name, every, fn) in enumerate(jobs)], name="monitoring-jobs")
