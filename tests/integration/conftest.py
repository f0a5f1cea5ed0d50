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

from infra import demo
from infra.keycloak import realm
from services.kit import config, roles
from services.kit.codes import USCC_ALPHABET, uscc_check_char

pytestmark = pytest.mark.integration

GATEWAY = config.gateway_url()
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

    with httpx.Client(base_url=GATEWAY, timeout=20, event_hooks={"request": [add_key]}, transport=PoliteTransport()) as client:
        yield client


class PoliteTransport(httpx.HTTPTransport):
    """Waits out a 429 as the Retry-After header says and sends the same request again (same
    Idempotency-Key), as a well-behaved client does: tests run many requests as one user, faster
    than the per-user limit lets a person. Tests of the limit itself use `raw_http` or unit tests."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(20):
            response = super().handle_request(request)
            if response.status_code != 429:
                return response
            response.read()
            response.close()
            time.sleep(max(float(response.headers.get("retry-after", "1") or 1), 0.2))
        return response


@pytest.fixture
def raw_http():
    with httpx.Client(base_url=GATEWAY, timeout=20) as client:
        yield client


def _db(name: str) -> psycopg.Connection:
    pg = config.postgres()
    return psycopg.connect(pg.dsn(name, pg.admin_user, pg.admin_password), autocommit=True)


class _Reconnecting:
    """A session-long autocommit connection that reconnects after a PostgreSQL restart (the
    reliability tests restart it) instead of failing every later test."""

    def __init__(self, name: str):
        self.name, self.conn = name, _db(name)

    def __getattr__(self, attr):
        if self.conn.closed or self.conn.broken:
            self.conn = _db(self.name)
        return getattr(self.conn, attr)

    def execute(self, *args, **kwargs):
        try:
            return self.__getattr__("execute")(*args, **kwargs)
        except psycopg.OperationalError:
            self.conn = _db(self.name)
            return self.conn.execute(*args, **kwargs)


@pytest.fixture(scope="session")
def datacenter_db():
    db = _Reconnecting("datacenter")
    yield db
    db.conn.close()


@pytest.fixture(scope="session")
def supervision_db():
    db = _Reconnecting("supervision")
    yield db
    db.conn.close()


@pytest.fixture(scope="session")
def emergency_db():
    db = _Reconnecting("emergency")
    yield db
    db.conn.close()


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


# ---- the ten databases: the generic record API (gateway/records) -------------------------------
# Shared by test_records_*.py and the authorization matrix: a valid body for every record kind,
# created through the real gateway, and a reader of the kinds' compacted Kafka topics.

KT_USCC = "91620802MA71KT001D"   # demo enterprise in 崆峒区 (620802), client ent-91620802ma71kt001d
JC_USCC = "91620821MA72JC002N"   # demo enterprise in 泾川县 (620821)


def zh_token(n: int = 4) -> str:
    """A random run of Chinese characters: a search term (its bigrams) found only in our records."""
    return "".join(chr(random.randint(0x4E00, 0x9FA5)) for _ in range(n))


def resident_id(region: str = "620802", born: str = "19800101") -> str:
    from services.kit.codes import resident_id_check_char
    body = region[:6] + born + f"{random.randint(0, 999):03d}"
    return body + resident_id_check_char(body)


def machine_token(client_id: str, secret: str | None = None) -> str:
    return KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=client_id,
                          client_secret_key=secret or realm.demo_secret(client_id)).token(grant_type="client_credentials")["access_token"]


@pytest.fixture(scope="session")
def demo_tokens():
    """Cached client-credentials tokens of the demo machine clients (enterprises, integrator)."""
    cache: dict[str, tuple[str, float]] = {}

    def token(client_id: str) -> str:
        hit = cache.get(client_id)
        if hit is None or time.monotonic() - hit[1] > TOKEN_REUSE_SECONDS:
            cache[client_id] = hit = (machine_token(client_id), time.monotonic())
        return hit[0]
    return token


@pytest.fixture(scope="session")
def demo_enterprises(http, demo_tokens, staff_token):
    """The two demo enterprises are registered (as `make up` leaves them); the owned kinds point at them."""
    for e in realm.DEMO_ENTERPRISES:
        r = http.post("/api/v1/enterprises", headers=bearer(demo_tokens(e.client_id)), json=e.submission)
        assert r.status_code in (200, 201), r.text
        demo.profile(http, e.uscc, e.profile, bearer(staff_token("city-admin")))
    return realm.DEMO_ENTERPRISES


def townships(db: psycopg.Connection, county: str = "620802") -> list[str]:
    return [r[0] for r in db.execute("SELECT code FROM dictionaries.region WHERE parent_code = %s ORDER BY code", (county,)).fetchall()]


def _now_shanghai():
    from datetime import datetime
    from zoneinfo import ZoneInfo
    return datetime.now(ZoneInfo("Asia/Shanghai"))


def good_body(kind: str, *, tok: str, region: str = "620802", uscc: str = KT_USCC, refs: dict | None = None) -> dict:
    """A valid create body of each record kind; `tok` (Chinese) lands in a searchable field.
    `refs`: ids a kind points at (warehouse_id, item_id)."""
    from datetime import timedelta
    refs = refs or {}
    now = _now_shanghai()
    n = random.randint(100, 999_999)
    if kind == "law":
        return {"title": f"平凉市安全生产测试规定{tok}", "document_number": f"平凉市人民政府令第{n}号",
                "issuing_authority": "平凉市人民政府", "level": "local_rule", "issued_on": "2020-01-05",
                "effective_on": "2020-03-01", "keywords": ["安全生产", "测试"],
                "full_text": f"总则\n第一条 为了{tok}，制定本规定。\n第二条 本规定自2020年3月1日起施行。"}
    if kind == "enterprise":
        return {"uscc": random_uscc(region[:6]), "name": f"测试{tok}化工有限公司", "region_code": region,
                "address": f"甘肃省平凉市测试路{n}号", "industry_code": "C2614"}
    if kind == "hazard":
        found = now - timedelta(days=3)
        return {"uscc": uscc, "source": "self_inspection", "found_at": found.isoformat(timespec="seconds"),
                "place": f"储罐区{tok}", "category": "equipment", "description": f"液氨储罐压力表超期未检定{tok}",
                "level": "general", "status": "registered", "deadline": (now + timedelta(days=30)).date().isoformat()}
    if kind == "major_hazard":
        return {"uscc": uscc, "unit_type": "storage", "unit_name": f"液氨储罐区{tok}",
                "chemicals": [{"cas": "7664-41-7", "name": "氨", "max_quantity_t": 20}], "population_500m": 0,
                "assessed_on": "2025-05-10", "principal_person": "张主任", "technical_person": "李工程",
                "operation_person": "王班长", "principal_phone": "13909331234", "filing_status": "unfiled"}
    if kind == "monitoring_point":
        return {"uscc": uscc, "point_code": f"T{n}", "site_type": "coal_mine", "location": f"1302综采工作面{tok}",
                "quantity": "methane", "unit": "%CH4", "coal_location": "working_face", "zone": "1302综采工作面",
                "interval_s": 10, "status": "in_service", "calibrations": [{"on": now.date().isoformat(), "by": "仪表班", "result": "pass"}]}
    if kind == "rescue_team":
        return {"name": f"矿山救护队{tok}", "region_code": region, "team_type": "professional", "specialty": "mine_rescue",
                "headcount": 30, "equipment": f"正压氧气呼吸器{tok}", "leader": "赵队长", "leader_phone": "13909330001",
                "duty_phone": "0933-8212345", "readiness": "ready"}
    if kind == "supply_warehouse":
        return {"name": f"应急物资储备库{tok}", "region_code": region, "level": "county", "address": f"甘肃省平凉市储备路{n}号",
                "keeper": "钱保管", "keeper_phone": "13809330000", "area_m2": 1200}
    if kind == "supply_item":
        return {"warehouse_id": refs["warehouse_id"], "category": "protection", "name": f"防护服{tok}",
                "specification": "A级", "unit": "套", "minimum_stock": 10}
    if kind == "supply_movement":
        return {"item_id": refs["item_id"], "direction": "in", "quantity": 100,
                "moved_at": (now - timedelta(hours=1)).isoformat(timespec="seconds"), "reason": f"采购入库{tok}",
                "handler": "孙经办", "document_number": f"RK{n}"}
    if kind == "accident":
        occurred = (now - timedelta(days=2)).replace(microsecond=0)
        return {"uscc": uscc, "title": f"储罐区中毒事故{tok}", "occurred_at": occurred.isoformat(), "place": f"储罐区{tok}",
                "category": "production", "accident_type": "poisoning_asphyxia", "deaths": 0, "missing": 0,
                "serious_injuries": 1, "minor_injuries": 2, "direct_loss_cny": 150000, "status": "reported",
                "reports": [{"level": "county", "reported_at": (occurred + timedelta(minutes=30)).isoformat(), "reporter": "周报告"}]}
    if kind == "expert":
        return {"name": f"专家{tok}", "gender": "male", "id_number": resident_id(region), "region_code": region,
                "fields": ["hazardous_chemicals"], "title": "senior_full", "employer": f"平凉{tok}研究院",
                "phone": "13912345678", "availability": "available"}
    if kind == "licence":
        return {"uscc": uscc, "licence_type": "work_safety", "number": f"（甘）FM安许证字〔2026〕{n}号",
                "scope": f"危险化学品生产{tok}", "issuing_authority": "甘肃省应急管理厅", "issued_on": "2025-01-10",
                "valid_until": "2028-01-09", "public_disclosure": True}
    if kind == "officer":
        return {"name": f"执法{tok}", "id_number": resident_id(region), "region_code": region, "agency": "崆峒区应急管理局",
                "certificate_number": f"ZF{n}", "valid_from": "2024-01-01", "valid_until": "2029-12-31", "phone": "13900001111"}
    if kind == "trainee":
        return {"name": f"学员{tok}", "id_number": resident_id(region), "region_code": region, "phone": "13900002222",
                "employer_uscc": uscc, "employer_name": f"测试{tok}有限公司", "category": "special_operation",
                "operation_type": "electrician", "trainings": [{"course": "电工作业初训", "hours": 80}],
                "exams": [{"exam_date": "2025-03-01", "score": 88, "passed": True}], "certificate_number": f"T{n}",
                "certificate_issued_on": "2025-03-10", "certificate_valid_until": "2031-03-09"}
    raise KeyError(kind)


def csv_bytes(rows: list[list], *, encoding: str = "utf-8") -> bytes:
    import csv
    import io
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


@dataclass
class RecordsApi:
    """The record routes of one kind of caller (city-admin by default), through the gateway."""
    http: httpx.Client
    token: Callable[[], str]

    @staticmethod
    def base(kind: str) -> str:
        from services.datacenter.registry.catalogue import KINDS
        return f"/api/v1/{KINDS[kind].path}"

    def headers(self, token: str | None = None) -> dict:
        return bearer(token or self.token())

    def post(self, kind: str, body: dict, *, token: str | None = None) -> httpx.Response:
        return self.http.post(self.base(kind), json=body, headers=self.headers(token))

    def create(self, kind: str, *, tok: str | None = None, region: str = "620802", uscc: str = KT_USCC,
               token: str | None = None, **overrides) -> dict:
        """A new record of `kind` (and whatever it points at), returned as the API shows it."""
        tok = tok or zh_token()
        if kind == "enterprise":
            body = good_body("enterprise", tok=tok, region=region) | overrides
            self.import_rows("enterprise", [body])
            r = self.get(kind, body["uscc"], token=token)
            assert r.status_code == 200, r.text
            return r.json()
        refs = {k: overrides[k] for k in ("warehouse_id", "item_id") if k in overrides}
        if kind == "supply_item" and "warehouse_id" not in overrides:
            refs["warehouse_id"] = self.create("supply_warehouse", region=region, token=token)["id"]
        if kind == "supply_movement" and "item_id" not in overrides:
            refs["item_id"] = self.create("supply_item", region=region, token=token)["id"]
        body = good_body(kind, tok=tok, region=region, uscc=uscc, refs=refs) | overrides
        r = self.post(kind, body, token=token)
        assert r.status_code == 201, f"{kind}: {r.text}"
        return r.json()

    def import_rows(self, kind: str, rows: list[dict], *, dry_run: bool = False, all_or_nothing: bool = True) -> dict:
        names = list(dict.fromkeys(k for row in rows for k in row))
        content = csv_bytes([names] + [[_cell(row.get(n)) for n in names] for row in rows])
        r = self.http.post(f"{self.base(kind)}/import", headers=self.headers(),
                           files={"file": ("rows.csv", content, "text/csv")},
                           data={"dry_run": str(dry_run).lower(), "all_or_nothing": str(all_or_nothing).lower()})
        assert r.status_code == 200, r.text
        return r.json()

    def get(self, kind: str, key, *, token: str | None = None) -> httpx.Response:
        return self.http.get(f"{self.base(kind)}/{key}", headers=self.headers(token))

    def patch(self, kind: str, key, changes: dict, *, token: str | None = None) -> httpx.Response:
        return self.http.patch(f"{self.base(kind)}/{key}", json=changes, headers=self.headers(token))

    def delete(self, kind: str, key, version: int, *, token: str | None = None, reason: str = "") -> httpx.Response:
        return self.http.delete(f"{self.base(kind)}/{key}", params={"version": version, "reason": reason}, headers=self.headers(token))

    def history(self, kind: str, key, *, token: str | None = None) -> list[dict]:
        r = self.http.get(f"{self.base(kind)}/{key}/history", headers=self.headers(token))
        assert r.status_code == 200, r.text
        return r.json()["items"]

    def list(self, kind: str, *, token: str | None = None, **params) -> list[dict]:
        r = self.http.get(self.base(kind), params={"page_size": 200, **params}, headers=self.headers(token))
        assert r.status_code == 200, r.text
        return r.json()["items"]

    def list_all(self, kind: str, *, token: str | None = None, limit: int = 1_000_000, **params) -> list[dict]:
        """Every page (newest first), up to `limit` records."""
        out, page = [], ""
        while len(out) < limit:
            r = self.http.get(self.base(kind), params={"page_size": 200, "page_token": page, **params}, headers=self.headers(token))
            assert r.status_code == 200, r.text
            out += r.json()["items"]
            page = r.json()["next_page_token"]
            if not page:
                break
        return out[:limit]


def _cell(v) -> str:
    import json
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list) and all(isinstance(i, str) for i in v):
        return "；".join(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


@pytest.fixture(scope="session")
def records(http, staff_token, demo_enterprises) -> RecordsApi:
    return RecordsApi(http, lambda: staff_token("city-admin"))


def read_changes(kind_name: str, *, timeout: float = 60) -> list[tuple[str, int, bool, dict]]:
    """Every event on a kind's compacted topic, read from the beginning with a fresh consumer
    group, as (record id, version, deleted, record JSON) in topic order per partition."""
    from gateway.structs import plain
    from kafka import KafkaConsumer, TopicPartition

    from safety.datacenter.events.v1 import enterprise_events_pb2, record_events_pb2
    from services.datacenter.registry.catalogue import KINDS
    from services.kit.cloudevents import MalformedEvent, from_record

    topic = KINDS[kind_name].topic
    consumer = KafkaConsumer(bootstrap_servers=config.kafka_bootstrap(), group_id=f"test-replica-{uuid.uuid4()}",
                             auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=2000)
    out = []
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        assert parts, f"topic {topic} does not exist"
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        end = consumer.end_offsets(parts)
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < end[tp] for tp in parts):
            assert time.monotonic() < deadline, f"reading {topic} took over {timeout}s"
            for tp, messages in consumer.poll(timeout_ms=1000, max_records=5000).items():
                for m in messages:
                    if m.value is None:
                        continue  # a tombstone (none are written today)
                    try:
                        event = from_record(m.headers, m.value)
                        if event.type != KINDS[kind_name].event_type:
                            continue
                        msg = event.decode(enterprise_events_pb2.EnterpriseChanged if kind_name == "enterprise"
                                           else record_events_pb2.RecordChanged)
                    except MalformedEvent:
                        continue  # what a consumer dead-letters (test_delivery.py sends such a poison message)
                    if kind_name == "enterprise":
                        if not msg.HasField("record"):
                            continue  # an event from before the registry carried the whole record
                        deleted = msg.kind == enterprise_events_pb2.EnterpriseChanged.DELETED
                        key = msg.uscc
                    else:
                        deleted = msg.operation == record_events_pb2.RecordChanged.DELETED
                        key = msg.id
                    out.append((key, int(msg.version), deleted, plain(msg.record)))  # as the gateway shows a record
    finally:
        consumer.close()
    return out


def replica(kind_name: str, *, timeout: float = 60) -> tuple[dict[str, dict], dict[str, int]]:
    """A replica of one kind built from its topic alone: (live records by id, deleted ids -> version).
    Events apply by version, so a stale or repeated one changes nothing; DELETED removes."""
    live: dict[str, dict] = {}
    versions: dict[str, int] = {}
    deleted: dict[str, int] = {}
    for key, version, is_deleted, record in read_changes(kind_name, timeout=timeout):
        if version <= versions.get(key, 0):
            continue
        versions[key] = version
        if is_deleted:
            live.pop(key, None)
            deleted[key] = version
        else:
            live[key] = record
            deleted.pop(key, None)
    return live, deleted


def wait_published(db: psycopg.Connection, kind_name: str, keys: list, timeout: float = 90) -> None:
    """Poll until the outbox relay has published every event of these records."""
    from services.datacenter.registry.catalogue import KINDS
    topic = KINDS[kind_name].topic
    wait_for(f"outbox of {kind_name} published", lambda: db.execute(
        "SELECT count(*) = 0 FROM kit.outbox WHERE topic = %s AND record_key = ANY(%s) AND published_at IS NULL",
        (topic, [str(k) for k in keys])).fetchone()[0], timeout=timeout)
