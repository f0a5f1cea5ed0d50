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
