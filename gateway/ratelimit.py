"""Token-bucket rate limits, per authenticated subject and per client address (public routes).

In process memory: each gateway process limits on its own, so N processes allow N times the rate;
the limits are a guard against a runaway client, not a billing meter."""
from __future__ import annotations

import math
import time
from typing import Callable

from gateway.settings import RateLimit

MAX_KEYS = 100_000


class TokenBuckets:
    def __init__(self, limit: RateLimit, *, clock: Callable[[], float] = time.monotonic):
        self.limit, self.clock = limit, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, last refill time)
        self._refused: dict[str, float] = {}                 # key → when its current refusal streak began

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds to wait before retrying."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (float(self.limit.burst), now))
        tokens = min(float(self.limit.burst), tokens + (now - last) * self.limit.rate)
        if len(self._buckets) >= MAX_KEYS:
            self._buckets.clear()  # bounded memory; forgetting buckets only ever lets clients through
            self._refused.clear()
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            self._refused.pop(key, None)
            return 0.0
        self._buckets[key] = (tokens, now)
        return max(0.001, (1.0 - tokens) / self.limit.rate) if self.limit.rate > 0 else math.inf

    def first_refusal(self, key: str) -> bool:
        """True for the first refused request of a streak: the audit trail records that one, not
        every request of a flood."""
        if key in self._refused:
            return False
        self._refused[key] = self.clock()
        return True
