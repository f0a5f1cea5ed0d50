"""The monitoring evaluator: stores and evaluates readings in batches, and runs the monitoring
jobs (offline, escalation, rollups, partitions, commitments, data quality).

    python -m services.supervision.monitoring.evaluator      # started by `make up`; copies may run side by side

Exactly once, whatever crashes: the evaluator keeps its position in the readings topic in
PostgreSQL (monitoring.consumer_offset) and moves it in the transaction that stores the readings,
raises the alarms and writes their events. A batch is applied whole or not at all; a record
below the stored position is skipped; on (re)assignment of a partition the consumer seeks to the
stored position. Copies share the topic's partitions through the consumer group; a partition
holds whole enterprises (records are keyed by USCC), so a point is evaluated by one copy at a time,
and the offset rows are locked (FOR UPDATE) and checked, so a copy that lost a partition in a
rebalance cannot apply a batch the new owner has applied."""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition

from safety.supervision.events.v1 import monitoring_events_pb2 as ev
from services.kit import config, log as kitlog, metrics, ruletables
from services.kit.db import open_pool
from services.kit.workers import Backoff, Worker
from services.supervision.monitoring import events, rules, store, warnings
from services.supervision.monitoring.metrics import ALARMS, BATCH_SECONDS, READINGS

log = logging.getLogger(__name__)
CONSUMER = "supervision.monitoring-evaluator"
TABLES_DIR = Path(__file__).parent / "tables"
STATE_WRITE_EVERY = 10.0   # seconds: how often a steadily reporting point's state row is rewritten
ACTOR = "system:monitoring-evaluator"

def tables() -> tuple[ruletables.RuleTable, ...]:
    return ruletables.load_dir(TABLES_DIR)


def body(all_tables, name: str, at: datetime) -> dict:
    return ruletables.effective(all_tables, name, at.astimezone(rules.SHANGHAI).date()).body


@dataclass
class Decoded:
    uscc: str
    point_ids: list[int]
    times_ms: list[int]
    values: list[float]
    received_ms: int


def decode(value: bytes) -> Decoded:
    b = ev.ReadingBatch.FromString(value)
    ids = list(b.point_ids)
    return Decoded(b.uscc, [ids[i] for i in b.point_index], list(b.time_ms), list(b.value), b.received_at_ms)


class Points:
    """The copies of the points (monitoring.point), reloaded incrementally, with their checks."""

    def __init__(self):
        self.rows: dict[int, dict] = {}
        self.checks: dict[int, tuple[rules.Check, ...]] = {}
        self.loaded_until: datetime | None = None
        self.tables_key = None

    def refresh(self, conn: psycopg.Connection, all_tables, now: datetime) -> None:
        from psycopg.rows import dict_row
        with conn.cursor(row_factory=dict_row) as cur:
            since = self.loaded_until or datetime(1970, 1, 1, tzinfo=timezone.utc)
            rows = cur.execute("SELECT * FROM monitoring.point WHERE updated_at >= %s", (since - timedelta(seconds=5),)).fetchall()
        evaluation, gas, methane = (body(all_tables, n, now) for n in ("alarm_evaluation", "gas_setpoints", "coal_methane"))
        key = (id(evaluation), id(gas), id(methane))
        if key != self.tables_key:  # another version of a table came into force: recompile every point
            self.tables_key, rows = key, list(self.rows.values()) + rows
        for r in rows:
            self.rows[r["id"]] = r
            usable = not r["deleted"] and r["status"] == "in_service"
            self.checks[r["id"]] = rules.checks(r, evaluation=evaluation, gas=gas, methane=methane) if usable else ()
            if self.loaded_until is None or r["updated_at"] > self.loaded_until:
                self.loaded_until = r["updated_at"]
        if self.loaded_until is None:
            self.loaded_until = since


class Engine:
    """Applies batches of Kafka records to the database. One per evaluator; not thread-safe."""

    def __init__(self, all_tables=None):
        self.tables = all_tables or tables()
        self.points = Points()
        self.state_written: dict[int, float] = {}
        self._points_checked = 0.0

    def apply(self, conn: psycopg.Connection, topic: str, records: list) -> dict[int, int]:
        """Stores and evaluates `records` (ConsumerRecords of any partitions) in one transaction;
        returns the new position per partition. Records below the stored position are skipped."""
        started = time.perf_counter()
        by_partition: dict[int, list] = defaultdict(list)
        for r in records:
            by_partition[r.partition].append(r)
        with conn.transaction():
            now = store.now(conn)
            # Every partition has its row before any is locked: two copies meeting a partition's first
            # batch serialise on it like on any other.
            conn.execute("""INSERT INTO monitoring.consumer_offset (consumer, topic, partition, next_offset)
                            SELECT %s, %s, p, 0 FROM unnest(%s::int[]) p ON CONFLICT DO NOTHING""", (CONSUMER, topic, list(by_partition)))
            held = dict(conn.execute(
                "SELECT partition, next_offset FROM monitoring.consumer_offset WHERE consumer = %s AND topic = %s AND partition = ANY(%s) "
                "FOR UPDATE", (CONSUMER, topic, list(by_partition))).fetchall())
            fresh, position = [], {}
            for p, rs in by_partition.items():
                start = held[p]
                take = [r for r in rs if r.offset >= start]
                READINGS.labels("skipped_batch").inc(len(rs) - len(take))
                fresh += take
                position[p] = max(r.offset for r in rs) + 1 if take else start
            if time.monotonic() - self._points_checked > 2.0:
                self.points.refresh(conn, self.tables, now)
                self._points_checked = time.monotonic()
            batches = []
            for r in fresh:
                try:
                    batches.append(decode(r.value))
                except Exception as exc:  # noqa: BLE001 — a record the gateway did not write: count it, never stop the stream
                    log.error("evaluator: unreadable record %s/%d@%d: %s", r.topic, r.partition, r.offset, exc)
                    READINGS.labels("unreadable_record").inc()
            if batches:
                self._evaluate(conn, batches, now)
            for p, nxt in position.items():
                if nxt > held[p]:
                    conn.execute("""INSERT INTO monitoring.consumer_offset (consumer, topic, partition, next_offset) VALUES (%s, %s, %s, %s)
                                    ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset""",
                                 (CONSUMER, topic, p, nxt))
        BATCH_SECONDS.observe(time.perf_counter() - started)
        return position

    # --- storing -------------------------------------------------------------------------------
    def _store(self, conn: psycopg.Connection, batches: list[Decoded], candidates: list[int]) -> dict[int, set[int]]:
        """Stores every reading once; returns, for the candidate points only, the times (ms) of the
        readings this batch stored for the first time: only those are evaluated, so a batch sent
        again (a client's retry with a new key) cannot raise an alarm that has since closed."""
        conn.execute("""CREATE TEMP TABLE IF NOT EXISTS reading_batch (point_id integer, time_ms bigint, value double precision,
                        received_ms bigint) ON COMMIT DELETE ROWS""")
        n = 0
        with conn.cursor() as cur, cur.copy("COPY reading_batch (point_id, time_ms, value, received_ms) FROM STDIN") as cp:
            for b in batches:
                rec = b.received_ms
                for pid, t, v in zip(b.point_ids, b.times_ms, b.values):
                    cp.write_row((pid, t, v, rec))
                n += len(b.values)
        with conn.cursor() as cur:
            cur.execute("""WITH stored AS (
                               INSERT INTO monitoring.reading (point_id, time, value, received_at)
                               SELECT point_id, to_timestamp(time_ms / 1000.0), value, to_timestamp(received_ms / 1000.0)
                               FROM reading_batch ON CONFLICT DO NOTHING RETURNING point_id, time)
                           SELECT -1, count(*)::bigint FROM stored
                           UNION ALL
                           SELECT point_id, (extract(epoch FROM time) * 1000)::bigint FROM stored WHERE point_id = ANY(%s)""",
                        (candidates,))
            rows = cur.fetchall()
        stored = rows[0][1]
        new: dict[int, set[int]] = defaultdict(set)
        for pid, t in rows[1:]:
            new[pid].add(t)
        READINGS.labels("stored").inc(stored)
        READINGS.labels("duplicate").inc(n - stored)
        # Readings for minutes already rolled up: those buckets are rolled up again. The watermark is
        # read under a share lock, so a rollup run that moves it either waits for this transaction
        # (and sees its readings) or has committed (and this marks the minute dirty).
        conn.execute("""INSERT INTO monitoring.rollup_dirty (point_id, bucket)
                        SELECT DISTINCT b.point_id, date_trunc('minute', to_timestamp(b.time_ms / 1000.0))
                        FROM reading_batch b, (SELECT until FROM monitoring.rollup_watermark WHERE name = '1m' FOR SHARE) w
                        WHERE b.time_ms < extract(epoch FROM w.until) * 1000
                        ON CONFLICT DO NOTHING""")
        return new

    # --- evaluating ----------------------------------------------------------------------------
    def _evaluate(self, conn: psycopg.Connection, batches: list[Decoded], now: datetime) -> None:
        per_point: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for b in batches:
            for pid, t, v in zip(b.point_ids, b.times_ms, b.values):
                per_point[pid].append((t, v))
        if any(pid not in self.points.rows for pid in per_point):  # a point registered since the last refresh
            self.points.refresh(conn, self.tables, now)
            self._points_checked = time.monotonic()
        with_open = store.points_with_open_alarms(conn)
        candidates = []
        for pid, readings in per_point.items():
            checks = self.points.checks.get(pid)
            row = self.points.rows.get(pid) or {}
            if pid in with_open or row.get("switch_kind") == "feed_power":  # feed power is judged with its zone
                candidates.append(pid)
                continue
            if not checks:
                continue
            lo = min(v for _, v in readings)
            hi = max(v for _, v in readings)
            if any((c.switch and any(v == c.raise_at for _, v in readings)) or (not c.switch and (hi >= c.raise_at if c.direction > 0
                                                                                                   else lo <= c.raise_at))
                   for c in checks):
                candidates.append(pid)
        new = self._store(conn, batches, candidates)
        touched: set[str] = set()
        if candidates:
            fresh = {pid: [(t, v) for t, v in per_point[pid] if t in new.get(pid, ())] for pid in candidates}
            touched |= self._evaluate_points(conn, [pid for pid in candidates if fresh[pid]], fresh, now)
        self._point_states(conn, per_point, touched, now)
        if touched:
            warning_table = body(self.tables, "warning_colours", now)
            for uscc in sorted(touched):
                warnings.recompute(conn, uscc, warning_table)

    def _evaluate_points(self, conn, candidates: list[int], per_point, now: datetime) -> set[str]:
        open_rows = store.open_alarms_of(conn, candidates)
        by_point: dict[int, dict[str, dict]] = defaultdict(dict)
        for a in open_rows:
            by_point[a["point_id"]][a["condition"]] = a
        escalation = body(self.tables, "alarm_escalation", now)
        touched = set()
        # Methane first, so a zone's feed sensors are judged against the zone as it now stands.
        order = sorted(candidates, key=lambda pid: (self.points.rows.get(pid, {}).get("quantity") == "switch", pid))
        for pid in order:
            point = self.points.rows.get(pid)
            if point is None:
                continue
            readings = sorted(per_point[pid])
            alarms = by_point.get(pid, {})
            offline = alarms.pop("offline", None)
            if offline is not None:  # a reading: the point is back online, its offline alarm closes
                store.update_alarm(conn, offline["id"], {"active": False, "cleared_at": now, "status": "closed", "closed_at": now},
                                   actor=ACTOR, action="closed", detail={"reason": "back_online"})
                ALARMS.labels("closed").inc()
                touched.add(point["uscc"])
            last_at = max((a["last_at"] for a in alarms.values()), default=None)
            fresh = [(datetime.fromtimestamp(t / 1000, timezone.utc), v) for t, v in readings]
            if last_at is not None:
                fresh = [(t, v) for t, v in fresh if t > last_at]  # older or repeated readings change nothing
            if not fresh:
                continue
            states = {c: rules.Active(a["id"], a["active"], a["level"], a["peak_value"], a["last_value"], a["raised_at"], a["last_at"],
                                      a["critical_at"]) for c, a in alarms.items()}
            changes = rules.evaluate(self.points.checks.get(pid, ()), fresh, states)
            if point["quantity"] == "switch" and point.get("switch_kind") == "feed_power":
                changes += self._feed(conn, point, fresh, states, now)
            for change in changes:
                self._write(conn, point, alarms, states[change.condition], change, escalation, now)
                touched.add(point["uscc"])
        return touched

    def _feed(self, conn, point: dict, fresh, states: dict, now: datetime) -> list[rules.Change]:
        """断电失效 of a coal zone: methane at its cut value, and this feed sensor still reports power on."""
        cut_since = conn.execute("""SELECT min(a.critical_at) FROM monitoring.alarm a JOIN monitoring.point p ON p.id = a.point_id
                                    WHERE a.active AND a.condition = 'methane' AND a.level = 'critical'
                                      AND p.uscc = %s AND p.zone = %s""", (point["uscc"], point["zone"])).fetchone()[0]
        grace = body(self.tables, "coal_methane", now)["power_cut_grace_s"]
        out = []
        state = states.get("power_cut_failure")
        for t, v in fresh:
            failed = rules.power_cut_failed(v == 1, t, cut_since, grace)
            if failed and (state is None or not state.active):
                kind = "raised" if state is None else "reactivated"
                state = states["power_cut_failure"] = state or rules.Active(None, True, "critical", v, v, t, t, t)
                state.active, state.last_value, state.last_at = True, v, t
                out.append(rules.Change("power_cut_failure", kind, t, v, "critical", 1.0))
            elif not failed and state is not None and state.active:
                state.active, state.last_value, state.last_at = False, v, t
                out.append(rules.Change("power_cut_failure", "cleared", t, v, "critical", 1.0))
        return out

    def _write(self, conn, point: dict, alarms: dict, state: rules.Active, change: rules.Change, escalation: dict, now: datetime) -> None:
        row = alarms.get(change.condition)
        if change.kind == "raised" and row is None:
            # Escalation counts from when the platform learnt of it: a reading sent late does not escalate at once.
            step = rules.next_escalation("enterprise", rules.escalation_kind(change.condition, change.level), max(change.at, now),
                                         escalation)
            row = store.insert_alarm(conn, {
                "point_id": point["id"], "uscc": point["uscc"], "region_code": point["region_code"], "source_id": point["source_id"],
                "condition": change.condition, "level": state.level, "status": "raised", "active": True, "threshold": change.threshold,
                "peak_value": state.peak, "last_value": state.last_value, "raised_at": state.raised_at, "last_at": state.last_at,
                "critical_at": state.critical_at, "next_escalation_at": step[1] if step else None}, actor=ACTOR)
            store.notify(conn, row, "enterprise")
            alarms[change.condition] = row
            state.alarm_id = row["id"]
            ALARMS.labels("raised").inc()
            return
        values = {"active": state.active, "level": state.level, "peak_value": state.peak, "last_value": state.last_value,
                  "last_at": state.last_at, "critical_at": state.critical_at}
        action = {"reactivated": "reactivated", "escalated_level": "level", "cleared": "cleared"}.get(change.kind)
        closing = False
        if change.kind == "cleared":
            values["cleared_at"] = change.at
            status = rules.after_clear(row["status"])
            if status != row["status"]:  # disposed, and now back to normal: closed (one event, two history steps)
                values.update(status=status, closed_at=now)
                closing = True
        elif change.kind == "reactivated":
            values["cleared_at"] = None
        if change.kind == "escalated_level" and row["status"] == "raised" and row["escalation"] == "enterprise":
            # now critical: its shorter time to the county counts from now, unless the old one is sooner
            step = rules.next_escalation("enterprise", rules.escalation_kind(change.condition, "critical"), now, escalation)
            if step and (row["next_escalation_at"] is None or step[1] < row["next_escalation_at"]):
                values["next_escalation_at"] = step[1]
        alarms[change.condition] = store.update_alarm(conn, row["id"], values, actor=ACTOR, action=action,
                                                      detail={"value": change.value, "level": state.level})
        if closing:
            store.history(conn, row["id"], "closed", ACTOR, {})
            ALARMS.labels("closed").inc()
        if action:
            ALARMS.labels(action).inc()

    def _point_states(self, conn, per_point, touched: set[str], now: datetime) -> None:
        """The newest reading of each point, rewritten at most every STATE_WRITE_EVERY seconds per
        point (and whenever it came back online: its offline alarm closed above)."""
        mono = time.monotonic()
        rows = []
        for pid, readings in per_point.items():
            if mono - self.state_written.get(pid, -1e9) < STATE_WRITE_EVERY:
                continue
            t, v = max(readings)
            rows.append((pid, t, v))
            self.state_written[pid] = mono
        if not rows:
            return
        conn.execute("""CREATE TEMP TABLE IF NOT EXISTS point_state_batch (point_id integer, time_ms bigint, value double precision)
                        ON COMMIT DELETE ROWS""")
        with conn.cursor() as cur, cur.copy("COPY point_state_batch FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
        conn.execute("""INSERT INTO monitoring.point_state AS s (point_id, last_time, last_value, seen_at, online)
                        SELECT point_id, to_timestamp(time_ms / 1000.0), value, now(), true FROM point_state_batch
                        ON CONFLICT (point_id) DO UPDATE SET
                            last_time = greatest(s.last_time, EXCLUDED.last_time),
                            last_value = CASE WHEN s.last_time IS NULL OR EXCLUDED.last_time >= s.last_time THEN EXCLUDED.last_value
                                              ELSE s.last_value END,
                            seen_at = now(), online = true""")


class _Assignments(ConsumerRebalanceListener):
    """On assignment, seek each partition to the position stored with the data."""

    def __init__(self, consumer_ref, pool, topic: str):
        self.consumer_ref, self.pool, self.topic = consumer_ref, pool, topic

    def on_partitions_revoked(self, revoked):
        pass

    def on_partitions_assigned(self, assigned):
        consumer = self.consumer_ref()
        with self.pool.connection() as conn:
            held = dict(conn.execute("SELECT partition, next_offset FROM monitoring.consumer_offset WHERE consumer = %s AND topic = %s",
                                     (CONSUMER, self.topic)).fetchall())
        for tp in assigned:
            if tp.partition in held:
                consumer.seek(tp, held[tp.partition])
            else:
                consumer.seek_to_beginning(tp)
        log.info("evaluator: assigned %s", sorted(tp.partition for tp in assigned))


class EvaluatorConsumer(Worker):
    # Records per transaction: at the intake's batch size that is up to ~50,000 readings, a few hundred
    # ms. After a backlog a larger poll made one transaction of 400,000 readings and held every alarm
    # in it for seconds (bench/monitoring.py measured 9 s between an alarm's raising and its event).
    def __init__(self, pool, bootstrap: str, engine: Engine | None = None, *, max_records: int = 25):
        super().__init__("monitoring-evaluator")
        self.pool, self.bootstrap, self.engine = pool, bootstrap, engine or Engine()
        self.max_records = max_records
        self.topic = events.READINGS_TOPIC
        self._consumer: KafkaConsumer | None = None

    def run(self) -> None:
        backoff = Backoff()
        while not self.stopping.is_set():
            try:
                if self._consumer is None:
                    self._consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=CONSUMER, client_id=CONSUMER,
                                                   enable_auto_commit=False, auto_offset_reset="earliest",
                                                   max_partition_fetch_bytes=8 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024,
                                                   max_poll_interval_ms=300_000)
                    self._consumer.subscribe([self.topic], listener=_Assignments(lambda: self._consumer, self.pool, self.topic))
                batch = self._consumer.poll(timeout_ms=100, max_records=self.max_records)
                records = [r for rs in batch.values() for r in rs]
                if records:
                    with self.pool.connection() as conn:
                        position = self.engine.apply(conn, self.topic, records)
                    # Kafka's own committed offsets only show the lag; the stored position is what counts.
                    from kafka.structs import OffsetAndMetadata
                    self._consumer.commit_async({TopicPartition(self.topic, p): OffsetAndMetadata(o, "", -1)
                                                 for p, o in position.items() if o >= 0})
                backoff.reset()
            except Exception as exc:  # database or broker away: nothing was applied; read again from the stored position
                log.warning("evaluator: %s; retrying", exc)
                self._close()
                if self.sleep(backoff.next()):
                    break
        self._close()

    def _close(self) -> None:
        if self._consumer is not None:
            try:
                self._consumer.close(autocommit=False)
            except Exception:  # noqa: BLE001
                pass
            self._consumer = None


def main() -> None:
    from services.supervision.monitoring import jobs
    kitlog.setup("supervision-evaluator")
    settings = config.ServiceSettings.from_env("supervision")
    pool = open_pool(settings.database_dsn, name="supervision-evaluator", max_size=4)
    all_tables = tables()
    workers = [EvaluatorConsumer(pool, settings.kafka_bootstrap, Engine(all_tables)), jobs.scheduler(pool, all_tables)]
    port = int(config.env("SAFETY_EVALUATOR_METRICS_PORT", str(settings.metrics_port + 10)))
    metrics.serve(port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    for w in workers:
        w.start()
    log.info("evaluator running; metrics on 127.0.0.1:%d", port)
    stop.wait()
    for w in workers:
        w.stop()
    for w in workers:
        w.join(timeout=30)
    pool.close()


if __name__ == "__main__":
    main()
