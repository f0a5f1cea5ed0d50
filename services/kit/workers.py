"""Background loops (outbox relay, consumers) share this shape: a thread with a stop event,
exponential back-off on failure, and an interruptible wait so shutdown is prompt."""
from __future__ import annotations

import threading
import time
from typing import Callable


class Backoff:
    def __init__(self, base: float = 0.2, cap: float = 5.0):
        self.base, self.cap, self.attempt = base, cap, 0

    def next(self) -> float:
        delay = min(self.cap, self.base * (2 ** self.attempt))
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0


class Worker(threading.Thread):
    def __init__(self, name: str):
        super().__init__(name=name, daemon=True)
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    def sleep(self, seconds: float) -> bool:
        """Wait, unless asked to stop; True when stopping."""
        return self.stopping.wait(seconds)


class Interval:
    """When a periodic chore (a cache refresh, a housekeeping pass) is due: at once the first time,
    then `seconds` after it was last done. "Never done" is None, not time zero: time.monotonic()
    counts from boot, so on a machine up for less than `seconds` a zero would read as "just done"."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic):
        self.seconds, self.clock = seconds, clock
        self._done_at: float | None = None

    def due(self) -> bool:
        return self._done_at is None or self.clock() - self._done_at >= self.seconds

    def done(self) -> None:
        self._done_at = self.clock()

    def forget(self) -> None:
        self._done_at = None
