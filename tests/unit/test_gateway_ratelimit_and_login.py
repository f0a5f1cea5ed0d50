from __future__ import annotations

import pytest

from gateway.oidc import safe_next
from gateway.ratelimit import MAX_LEASE, TokenBuckets, lease_size
from gateway.settings import RateLimit


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_burst_passes_then_the_rate_applies():
    clock = Clock()
    b = TokenBuckets(RateLimit(rate=2, burst=3), clock=clock)
    assert [b.take("a") for _ in range(3)] == [0, 0, 0]
    wait = b.take("a")
    assert 0.4 < wait <= 0.5
    clock.now += 0.5
    assert b.take("a") == 0
    assert b.take("b") == 0, "buckets are per key"


def test_only_the_first_refusal_of_a_streak_is_reported_for_audit():
    clock = Clock()
    b = TokenBuckets(RateLimit(rate=1, burst=1), clock=clock)
    b.take("a")
    assert b.take("a") > 0 and b.first_refusal("a")
    assert b.take("a") > 0 and not b.first_refusal("a")
    clock.now += 5
    assert b.take("a") == 0
    assert b.take("a") > 0 and b.first_refusal("a"), "a new streak after the client behaved"


@pytest.mark.parametrize("path,expected", [
    ("/app/supervision/", "/app/supervision/"), (None, "/app/"), ("", "/app/"), ("https://evil.example/", "/app/"),
    ("//evil.example/x", "/app/"), ("/\\evil.example", "/app/"), ("/app/\r\nSet-Cookie: x", "/app/"), ("app/", "/app/"),
])
def test_login_returns_only_to_local_paths(path, expected):
    assert safe_next(path) == expected


@pytest.mark.parametrize("rate, burst, expected", [
    (50, 100, 2),           # a person (the default per-subject limit): a Redis call every two requests
    (5, 60, 1),             # public routes per address: exact, one call per request
    (1000, 400, 20),        # a busy machine client: a twentieth of the smaller of rate and burst
    (1_000_000, 1_000_000, MAX_LEASE),
])
def test_leases_are_a_small_share_of_the_limit(rate, burst, expected):
    assert lease_size(RateLimit(rate=rate, burst=burst)) == expected
