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
