"""Fixtures for tests against the running platform (`make test` starts it first).

Nothing here stands in for a real component: tokens come from Keycloak, requests go to the
gateway on its port, events travel through Kafka, and assertions read PostgreSQL."""
from __future__ import annotations

import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Callable

import httpx
import psycopg
import pytest
from keycloak import KeycloakOpenID

from infra.keycloak import realm
from services.kit import config
from services.kit.codes import USCC_ALPHABET, uscc_check_char

pytestmark = pytest.mark.integration

GATEWAY = config.env("SAFETY_GATEWAY_URL", f"http://127.0.0.1:{config.GATEWAY_PORT}")
KC = config.keycloak()


def random_uscc(region: str) -> str:
    body = "91" + region + "".join(random.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def corrupt_check_char(uscc: str) -> str:
    return uscc[:17] + next(c for c in "0123456789" if c != uscc[17])


def wait_for(what: str, probe: Callable[[], object], timeout: float = 60, interval: float = 0.2):
    """Poll until probe() returns something truthy; the platform is asynchronous by design."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def platformctl(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "infra.platformctl", *args], check=True, cwd=config.REPO_ROOT)


@dataclass
class EnterpriseClient:
    uscc: str
    region: str
    client_id: str
    secret: str

    def token(self) -> str:
        return KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=self.client_id,
                              client_secret_key=self.secret).token(grant_type="client_credentials")["access_token"]

    def submission(self, **overrides) -> dict:
        body = {"uscc": self.uscc, "name": f"测试单位{self.uscc[-6:]}有限公司", "region_code": self.region,
                "address": "甘肃省平凉市测试路1号", "industry_code": "C2614"}
        body.update(overrides)
        return body


@pytest.fixture(scope="session")
def kc_admin():
    return realm.admin()


@pytest.fixture(scope="session")
def enterprise_client(kc_admin):
    """Factory: a Keycloak machine client bound to a fresh credit code, as onboarding creates."""
    created = []

    def make(region: str = "620821", uscc: str | None = None) -> EnterpriseClient:
        uscc = uscc or random_uscc(region)
        client_id, secret = realm.ensure_enterprise_client(kc_admin, uscc=uscc, region=region, name=f"测试 {uscc}")
        created.append(client_id)
        return EnterpriseClient(uscc, region, client_id, secret)

    yield make
    for client_id in created:
        kc_admin.delete_client(kc_admin.get_client_id(client_id))


@pytest.fixture(scope="session")
def staff_token():
    cache: dict[str, str] = {}

    def token(username: str) -> str:
        if username not in cache:
            cache[username] = KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=realm.DEV_CLIENT).token(
                username, realm.DEMO_PASSWORD)["access_token"]
        return cache[username]

    return token


@pytest.fixture(scope="session")
def http():
    """A gateway client that, like every well-behaved caller, sends an Idempotency-Key with each
    POST unless the test set one itself (tests of the missing key use `raw_http`)."""
    def add_key(request: httpx.Request) -> None:
        if request.method == "POST" and "idempotency-key" not in request.headers:
            request.headers["Idempotency-Key"] = str(uuid.uuid4())

    with httpx.Client(base_url=GATEWAY, timeout=20, event_hooks={"request": [add_key]}) as client:
        yield client


@pytest.fixture
def raw_http():
    with httpx.Client(base_url=GATEWAY, timeout=20) as client:
        yield client


def _db(name: str) -> psycopg.Connection:
    pg = config.postgres()
    return psycopg.connect(pg.dsn(name, pg.admin_user, pg.admin_password), autocommit=True)


@pytest.fixture(scope="session")
def datacenter_db():
    with _db("datacenter") as conn:
        yield conn


@pytest.fixture(scope="session")
def supervision_db():
    with _db("supervision") as conn:
        yield conn


def stored_enterprise(db: psycopg.Connection, uscc: str):
    return db.execute("SELECT name, address, version FROM enterprises.enterprise WHERE uscc = %s", (uscc,)).fetchone()


def outbox_rows(db: psycopg.Connection, uscc: str) -> int:
    return db.execute("SELECT count(*) FROM kit.outbox WHERE record_key = %s", (uscc,)).fetchone()[0]


def registration(db: psycopg.Connection, uscc: str):
    return db.execute("SELECT name, grid_code, source_version FROM supervision.registration WHERE uscc = %s", (uscc,)).fetchone()
