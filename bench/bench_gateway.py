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
    with bench_gateway_process(workers) as (url, _):
        yield url


@contextlib.contextmanager
def bench_gateway_process(workers: int = 1):
    """(url, Popen) of the bench gateway, for benchmarks that also measure its memory."""
    env = {**os.environ, "SAFETY_GATEWAY_PORT": str(PORT), "SAFETY_GATEWAY_METRICS_PORT": str(PORT + 1000),
           "SAFETY_GATEWAY_WORKERS": str(workers),
           "SAFETY_RATE_PER_SUBJECT": "1000000", "SAFETY_RATE_BURST_PER_SUBJECT": "1000000"}
    with _serving([sys.executable, "-m", "gateway"], f"{URL}/readyz", env=env) as proc:
        yield URL, proc


@contextlib.contextmanager
def _serving(cmd: list[str], ready_url: str, *, env: dict | None = None):
    """Run a server for the length of the block, once `ready_url` answers 200."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            time.sleep(0.3)
        else:
            raise SystemExit(f"{' '.join(cmd)} did not become ready")
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=15)


HELLO_PORT = int(config.env("SAFETY_BENCH_HELLO_PORT", "8002"))


@contextlib.contextmanager
def hello_server(workers: int = 1):
    """bench/hello.py under uvicorn: the ceiling of one (or N) Python HTTP processes on this machine."""
    url = f"http://127.0.0.1:{HELLO_PORT}"
    with _serving([sys.executable, "-m", "uvicorn", "bench.hello:app", "--port", str(HELLO_PORT), "--workers", str(workers),
                   "--no-access-log", "--log-level", "warning"], url + "/"):
        yield url
