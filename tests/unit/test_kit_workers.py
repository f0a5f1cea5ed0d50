"""services.kit.workers: exponential back-off and the stoppable worker thread."""
import pytest

from services.kit.workers import Backoff, Worker


def test_backoff_doubles_from_the_base_up_to_the_cap():
    b = Backoff()
    assert [b.next() for _ in range(8)] == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0])


def test_backoff_with_custom_base_and_cap():
    b = Backoff(base=1.0, cap=3.0)
    assert [b.next() for _ in range(4)] == [1.0, 2.0, 3.0, 3.0]


def test_backoff_never_exceeds_the_cap_even_after_many_failures():
    b = Backoff(base=0.5, cap=7.0)
    delays = [b.next() for _ in range(200)]
    assert max(delays) == 7.0
    assert delays == sorted(delays)


def test_reset_starts_again_from_the_base():
    b = Backoff()
    for _ in range(5):
        b.next()
    b.reset()
    assert b.attempt == 0
    assert b.next() == pytest.approx(0.2)


def test_worker_sleep_returns_false_until_stopped_then_true():
    w = Worker("test-worker")
    assert w.daemon
    assert w.name == "test-worker"
    assert w.sleep(0) is False
    w.stop()
    assert w.sleep(60) is True  # returns at once: stopping is already set


# --- Interval: "never done" must be due whatever the clock reads ------------------------------------

def test_an_interval_never_done_is_due_on_a_machine_booted_a_second_ago():
    from services.kit.workers import Interval
    clock = {"t": 1.0}  # time.monotonic() one second after boot
    every = Interval(600, clock=lambda: clock["t"])
    assert every.due()
    every.done()
    assert not every.due()
    clock["t"] += 599.9
    assert not every.due()
    clock["t"] += 0.1
    assert every.due()
    every.done()
    every.forget()
    assert every.due()


def test_the_relay_does_its_housekeeping_on_its_first_pass_after_boot():
    """The outbox backlog gauge and the retention pass ran only once the machine had been up for
    their interval (5 s, 1 h): relay timers started at zero."""
    from services.kit import relay as relay_mod
    executed = []

    class Conn:
        def execute(self, sql, *args):
            executed.append(sql)
            return self

        def fetchone(self):
            return (0,)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    class Pool:
        def connection(self):
            return Conn()

    r = relay_mod.OutboxRelay(Pool(), "127.0.0.1:1", clock=lambda: 2.0)  # two seconds after boot
    r._housekeeping()
    assert any("count(*)" in sql for sql in executed), "backlog gauge not refreshed on the first pass"
    assert all(any(sql == done for done in executed) for sql in relay_mod.RETENTION_SQL), "retention not run on the first pass"
