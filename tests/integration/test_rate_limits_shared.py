"""Rate limits hold per client across every gateway worker (and copy): the buckets are in Redis.
A burst from one user spread over fresh connections, and so over the gateway's worker processes,
gets no more than one bucket's worth; the limiter itself against the test instance's Redis; and
with Redis away each process still limits on its own."""
from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import redis.asyncio

from gateway.ratelimit import SharedTokenBuckets
from gateway.settings import GatewaySettings, RateLimit
from services.kit import config, roles
from tests.integration.conftest import GATEWAY


def run(coroutine):
    with ThreadPoolExecutor(1) as pool:  # an event loop of its own, whatever this thread has
        return pool.submit(asyncio.run, coroutine).result()


def test_one_user_gets_one_bucket_whichever_worker_answers(staff_user, staff_token):
    limit = GatewaySettings.from_env().per_subject
    user = staff_user(f"burst-{int(time.time() * 1000)}", "620802", roles.DATACENTER_VIEWER)  # a bucket of its own
    token = staff_token(user)
    n = int(limit.burst * 2)

    # No keep-alive: a new connection for each request, which any worker may accept.
    with httpx.Client(base_url=GATEWAY, timeout=20, limits=httpx.Limits(max_keepalive_connections=0)) as c:
        def once(_):
            return c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code

        once(0)  # the token is verified once per worker; not part of the burst's timing
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(once, range(n)))
        elapsed = time.monotonic() - started
    allowed = codes.count(200)
    assert set(codes) <= {200, 429}, codes
    assert codes.count(429) > 0, f"{n} requests in {elapsed:.2f}s, none refused"
    # One bucket: the burst plus what refilled meanwhile (a small margin for the request in flight).
    assert allowed <= limit.burst + limit.rate * elapsed + 3, (allowed, elapsed)


def test_the_shared_bucket_refuses_past_its_burst_and_audits_the_first_refusal_only():
    async def scenario():
        client = redis.asyncio.Redis.from_url(config.redis_url())
        try:
            b = SharedTokenBuckets(client, RateLimit(rate=50, burst=3), prefix=f"test:{time.time_ns()}")
            taken = [await b.take("k") for _ in range(5)]
            await asyncio.sleep(0.1)  # 50/s: five tokens back
            after = await b.take("k")
            other = await b.take("another-key")
            return taken, after, other
        finally:
            await client.aclose()

    taken, after, other = run(scenario())
    assert taken[:3] == [(0.0, False)] * 3
    (wait4, first4), (wait5, first5) = taken[3:]
    assert 0 < wait4 <= 1 / 50 + 0.001 and first4 is True
    assert wait5 > 0 and first5 is False, "the same streak is audited once"
    assert after == (0.0, False) and other == (0.0, False)


def test_without_redis_each_process_still_limits():
    async def scenario():
        client = redis.asyncio.Redis(port=1, socket_timeout=0.2, socket_connect_timeout=0.2)  # nothing listens there
        try:
            b = SharedTokenBuckets(client, RateLimit(rate=0.001, burst=2), prefix="test:down")
            return [await b.take("k") for _ in range(4)]
        finally:
            await client.aclose()

    results = run(scenario())
    assert [w == 0 for w, _ in results] == [True, True, False, False]
    assert [first for _, first in results] == [False, False, True, False]


def test_a_busy_client_is_limited_by_leases_that_never_exceed_its_shared_bucket():
    """Two workers (two limiters on one Redis) serving one client allowed 1,000/s: each takes a lease of
    tokens at a time, so Redis is asked once per lease, and together they never spend more than the bucket."""
    async def scenario():
        client = redis.asyncio.Redis.from_url(config.redis_url())
        try:
            prefix = f"test:lease:{time.time_ns()}"
            limit = RateLimit(rate=1000, burst=400)
            a, b = SharedTokenBuckets(client, limit, prefix=prefix), SharedTokenBuckets(client, limit, prefix=prefix)
            lease = a.lease
            calls = []
            original = a._script

            async def counted(*args, **kwargs):
                calls.append(1)
                return await original(*args, **kwargs)

            a._script = counted
            started = time.monotonic()
            first_hundred = [await a.take("k") for _ in range(100)]
            calls_for_hundred = len(calls)
            allowed = 0
            for i in range(2000):  # far more than the bucket holds, alternating workers
                wait, _ = await (a if i % 2 else b).take("k")
                allowed += wait == 0
            elapsed = time.monotonic() - started
            return lease, calls_for_hundred, first_hundred, allowed, elapsed
        finally:
            await client.aclose()

    lease, calls, first_hundred, allowed, elapsed = run(scenario())
    assert lease == 20
    assert all(w == 0 for w, _ in first_hundred)
    assert calls == 100 // lease, "one Redis call per lease, not per request"
    budget = 400 + 1000 * elapsed  # the shared bucket and its refill over the whole run
    assert 100 + allowed <= budget + 1, (allowed, budget)
    assert allowed < 2000, "the limit still holds"
