"""Token-bucket rate limits, per authenticated subject and per client address (public routes).

The buckets live in Redis (SharedTokenBuckets), so every worker process and gateway copy shares one
bucket per client; TokenBuckets, in process memory, is the fallback while Redis is unreachable.
A busy client's worker takes a few tokens at a time from its shared bucket (a lease) and spends them
without asking Redis again, so the limiter costs one Redis call per lease, not per request.
The limits are a guard against a runaway client, not a billing meter."""
from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Callable

from redis.exceptions import RedisError

from gateway.settings import RateLimit
from services.kit.workers import Interval

log = logging.getLogger(__name__)

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


# --- shared across workers and gateway copies (Redis) ----------------------------------------------
# One atomic step per lease: refill the bucket for the time since its last use, take up to ARGV[3]
# tokens (at least one, else refuse), and keep the refusal streak (its first refusal is the one
# audited). Times are Redis's own clock (TIME), so gateway copies on machines whose clocks differ agree.
_TAKE = """
local rate, burst, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if tokens == nil then tokens, at = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local ttl = math.ceil(burst / math.max(rate, 0.001)) + 1
if tokens >= 1 then
  local granted = math.max(1, math.min(want, math.floor(tokens)))
  redis.call('HSET', KEYS[1], 'tokens', tokens - granted, 'at', now)
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('DEL', KEYS[2])
  return {'0', 0, granted}
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('EXPIRE', KEYS[1], ttl)
local first = redis.call('SET', KEYS[2], '1', 'NX', 'EX', ttl)
local wait = rate > 0 and math.max(0.001, (1 - tokens) / rate) or 1e9
return {tostring(wait), first and 1 or 0, 0}
"""


LEASE_FRACTION = 0.05  # a lease is at most this share of the rate per second and of the burst ...
MAX_LEASE = 500        # ... and at most this many tokens
LEASE_SECONDS = 1.0    # tokens of a lease unspent after this long are dropped, never given back


def lease_size(limit: RateLimit) -> int:
    """Tokens a worker takes from the shared bucket at once. 1 (a Redis call per request, exact) for
    the limits people and public routes have; more only for clients allowed hundreds per second."""
    return max(1, min(MAX_LEASE, int(min(limit.rate, limit.burst) * LEASE_FRACTION)))


class SharedTokenBuckets:
    """The same buckets as TokenBuckets, kept in Redis so that every worker process and every gateway
    copy draws on one bucket per key: a client cannot get N times its limit by landing on N workers.
    Every token a worker spends was taken from the shared bucket; a lease only moves when it is taken,
    so over any interval a client gets at most its bucket's worth plus the rate × LEASE_SECONDS its
    unexpired leases may hold. If Redis is unreachable the process falls back to its own buckets (a
    looser limit, never none) and says so in the log, once a minute at most."""

    def __init__(self, client, limit: RateLimit, *, prefix: str, fallback: TokenBuckets | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.client, self.limit, self.prefix, self.clock = client, limit, prefix, clock
        self.fallback = fallback or TokenBuckets(limit)
        self.lease = lease_size(limit)
        self._leases: dict[str, tuple[int, float]] = {}  # key → (tokens left, when they expire)
        self._asking: dict[str, asyncio.Future] = {}       # key → the Redis call in flight for it
        self._script = client.register_script(_TAKE)
        self._warned = Interval(60)

    async def take(self, key: str) -> tuple[float, bool]:
        """(0, False) when the request may go ahead, else (seconds to wait, first refusal of a streak)."""
        while True:
            now = self.clock()
            left, expires = self._leases.get(key, (0, 0.0))
            if left > 0 and now < expires:
                self._leases[key] = (left - 1, expires)
                return 0.0, False
            asking = self._asking.get(key)
            if asking is None:
                break
            # One call per key at a time: the requests that find the lease spent meanwhile wait for the
            # new one instead of each taking a lease of its own; a refusal answers them all.
            wait = await asyncio.shield(asking)
            if wait:
                return wait, False
        if self.lease == 1:
            return await self._ask(key)
        self._asking[key] = asking = asyncio.get_running_loop().create_future()
        wait = 0.0
        try:
            wait, first = await self._ask(key)
            return wait, first
        finally:
            del self._asking[key]
            asking.set_result(wait)

    async def _ask(self, key: str) -> tuple[float, bool]:
        try:
            wait, first, granted = await self._script(keys=[f"{self.prefix}:b:{key}", f"{self.prefix}:r:{key}"],
                                                      args=[self.limit.rate, self.limit.burst, self.lease])
        except RedisError as exc:
            if self._warned.due():
                self._warned.done()
                log.warning("rate limits: Redis unreachable (%s); limiting per process until it is back", exc)
            wait = self.fallback.take(key)
            return wait, bool(wait) and self.fallback.first_refusal(key)
        granted = int(granted)
        if granted > 1:
            if len(self._leases) >= MAX_KEYS:
                self._leases.clear()  # bounded memory; dropping leases only ever costs tokens
            self._leases[key] = (granted - 1, self.clock() + LEASE_SECONDS)
        else:
            self._leases.pop(key, None)
        return float(wait), bool(first)
