"""Every test runs against the test instance of the platform (SAFETY_INSTANCE=test: its own
PostgreSQL cluster, Kafka broker, Keycloak realm and ports; docs/test-instance.md), never against
the demo instance that `make up` loads and people browse. This is set here, before any test module
reads the configuration, so a bare `pytest` cannot write into the demo data either.

tests/integration/test_demo_instance_untouched.py checks it: a snapshot of the demo instance is
taken before the first test and compared after the last."""
from __future__ import annotations

import os

import pytest

os.environ["SAFETY_INSTANCE"] = "test"

UNTOUCHED = "test_demo_instance_untouched.py"


def pytest_collection_modifyitems(session, config, items):
    """The comparison runs after every other test; the snapshot before the first (fixture below)."""
    last = [i for i in items if i.nodeid.split("::")[0].endswith(UNTOUCHED)]
    if last:
        items[:] = [i for i in items if i not in last] + last


def _needs_platform(items) -> bool:
    return any(i.nodeid.startswith(("tests/integration/", "tests/browser/")) for i in items)


@pytest.fixture(scope="session", autouse=True)
def test_instance(request):
    """The test instance, started if it is not answering (`make test` has started it already; a bare
    `pytest tests/integration` after `make up` starts it here)."""
    if not _needs_platform(request.session.items):
        return
    import subprocess
    import sys

    import httpx

    from services.kit import config
    try:
        ready = httpx.get(f"{config.gateway_url()}/readyz", timeout=3).status_code == 200
    except httpx.HTTPError:
        ready = False
    if not ready:
        subprocess.run([sys.executable, "-m", "infra.platformctl", "up"], check=True, cwd=config.REPO_ROOT)


@pytest.fixture(scope="session", autouse=True)
def demo_snapshot_before(request, test_instance):
    if not any(i.nodeid.split("::")[0].endswith(UNTOUCHED) for i in request.session.items):
        yield None
        return
    from tests.demo_instance import settled_snapshot
    yield settled_snapshot()
