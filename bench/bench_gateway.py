"""A gateway instance for benchmarks: the same code and services as `make up`, on its own port,
with the per-subject rate limit raised so the limiter is exercised but never refuses (one token
drives thousands of requests a second, far above what the default limit allows a person)."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import httpx

from services.kit import config

PORT = int(config.env("SAFETY_BENCH_GATEWAY_PORT", "8001"))
URL = f"http://127.0.0.1:{PORT}"


@contextlib.contextmanager
def bench_gateway(workers: int = 1):
    env = {**os.environ, "SAFETY_GATEWAY_PORT": str(PORT), "SAFETY_GATEWAY_METRICS_PORT": str(PORT + 1000),
           "SAFETY_RATE_PER_SUBJECT": "1000000", "SAFETY_RATE_BURST_PER_SUBJECT": "1000000"}
    proc = subprocess.Popen([sys.executable, "-m", "gateway"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{URL}/readyz", timeout=1).status_code == 200:
                    break
            time.sleep(0.3)
        else:
            raise SystemExit("bench gateway did not become ready")
        yield URL
    finally:
        proc.terminate()
        proc.wait(timeout=15)
