"""Fixtures for tests against the running platform (`make test` starts it first).

Nothing here stands in for a real component: tokens come from Keycloak, requests go to the
gateway on its port, events travel through Kafka, and assertions read PostgreSQL."""
from __future__ import annotations

import html
import random
import re
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
from services.kit import config, roles
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


TOKEN_REUSE_SECONDS = 200  # access tokens live 300 s; fetch a new one well before that


@pytest.fixture(scope="session")
def staff_token():
    cache: dict[str, tuple[str, float]] = {}

    def token(username: str) -> str:
        hit = cache.get(username)
        if hit is None or time.monotonic() - hit[1] > TOKEN_REUSE_SECONDS:
            fresh = KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=realm.DEV_CLIENT).token(
                username, realm.DEMO_PASSWORD)["access_token"]
            cache[username] = hit = (fresh, time.monotonic())
        return hit[0]

    return token


@pytest.fixture(scope="session")
def staff_user(kc_admin):
    """Factory: a staff account with exactly these roles and this region (created once, kept
    between runs; password as for the demo accounts). Returns the username."""
    def make(username: str, region: str, *role_names: str) -> str:
        uid = kc_admin.get_user_id(username)
        if uid is None:
            uid = kc_admin.create_user({"username": username, "enabled": True, "firstName": username, "lastName": "测试",
                                        "email": f"{username}@test.invalid", "emailVerified": True,
                                        "attributes": {"region": [region]},
                                        "credentials": [{"type": "password", "value": realm.DEMO_PASSWORD, "temporary": False}]})
        held = {r["name"] for r in kc_admin.get_realm_roles_of_user(uid)}
        wanted = set(role_names)
        if held & set(roles.NAMES_ZH) != wanted:
            extra = [kc_admin.get_realm_role(r) for r in held & set(roles.NAMES_ZH) - wanted]
            if extra:
                kc_admin.delete_realm_roles_of_user(uid, extra)
            missing = [kc_admin.get_realm_role(r) for r in wanted - held]
            if missing:
                kc_admin.assign_realm_roles(uid, missing)
        return username

    return make


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


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


def web_login(username: str, password: str = realm.DEMO_PASSWORD, *, next_path: str = "/app/") -> httpx.Client:
    """Log in the way a browser does: the gateway's /auth/login, Keycloak's real login form, the
    callback. Returns a client holding the session cookie (HttpOnly) and the CSRF cookie."""
    client = httpx.Client(base_url=GATEWAY, timeout=20)
    r = client.get("/auth/login", params={"next": next_path})
    assert r.status_code == 302, r.text
    page = client.get(r.headers["location"])
    assert page.status_code == 200, page.text[:300]
    action = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', page.text) or re.search(r'action="([^"]+login-actions[^"]+)"', page.text)
    assert action, "Keycloak login form not found"
    # Keycloak marks its cookies Secure; browsers send those to http://127.0.0.1 (a secure context
    # for them), httpx does not. Let them through as a browser on this machine would.
    for cookie in client.cookies.jar:
        cookie.secure = False
    r = client.post(html.unescape(action.group(1)), data={"username": username, "password": password, "credentialId": ""})
    assert r.status_code in (302, 303), r.text[:300]
    r = client.get(r.headers["location"])  # the gateway's /auth/callback
    assert r.status_code == 303, r.text
    assert r.headers["location"] == next_path
    return client


PROBLEM = "application/problem+json"


def assert_problem(r, status: int, kind: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == f"/problems/{kind}" and body["status"] == status
    assert body["title"] and body["title_en"] and body["detail"] and body["detail_en"] and body["request_id"]
    return body
