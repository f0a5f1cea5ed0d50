"""Enterprise staff accounts end to end: an agency administrator creates a person for an enterprise
(a real Keycloak user bound to its credit code), that person changes the one-time password at the
first login on Keycloak's real form and then logs in as the enterprise; the enterprise's own
administrator manages its people and no one else's; a county administrator of another county
cannot; disabling stops the login; lists mask phones; every write is audited."""
from __future__ import annotations

import html
import json
import re
import uuid
from dataclasses import dataclass

import httpx
import pytest
from jwcrypto import jws
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakAuthenticationError, KeycloakPostError

from infra.keycloak import realm
from services.kit import config, roles
from services.kit.auth import principal_from_claims
from tests.integration.conftest import GATEWAY, JC_USCC, assert_problem, bearer, random_uscc

KC = config.keycloak()
pytestmark = pytest.mark.integration
LOGIN_REFUSED = (KeycloakAuthenticationError, KeycloakPostError)


def _claims(token: str) -> dict:
    t = jws.JWS()
    t.deserialize(token)
    return json.loads(t.objects["payload"])


def password_token(username: str, password: str) -> str:
    """The password grant of the local dev client, as the other tests log people in."""
    return KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=realm.DEV_CLIENT).token(
        username, password)["access_token"]


def first_login(username: str, initial: str) -> str:
    """Log in the way a browser does (the gateway's /auth/login, Keycloak's real form) with the
    one-time password; Keycloak insists on a new one before it lets the login finish. Stops at
    Keycloak's redirect back to the gateway. Returns the new password."""
    new = f"Neu-{uuid.uuid4().hex[:12]}"
    with httpx.Client(base_url=GATEWAY, timeout=20) as client:
        r = client.get("/auth/login", params={"next": "/app/"})
        assert r.status_code == 302, r.text
        page = client.get(r.headers["location"])
        action = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', page.text)
        assert action, "Keycloak login form not found"
        for cookie in client.cookies.jar:  # Keycloak marks its cookies Secure; a browser on this machine sends them
            cookie.secure = False
        r = client.post(html.unescape(action.group(1)), data={"username": username, "password": initial, "credentialId": ""})
        assert r.status_code in (302, 303) and "UPDATE_PASSWORD" in r.headers["location"], "a new password must be set first"
        form = client.get(r.headers["location"])
        action = re.search(r'<form[^>]*id="kc-passwd-update-form"[^>]*action="([^"]+)"', form.text)
        assert action, "Keycloak's update-password form not found"
        r = client.post(html.unescape(action.group(1)), data={"password-new": new, "password-confirm": new})
        assert r.status_code in (302, 303) and r.headers["location"].startswith(f"{GATEWAY}/auth/callback?"), r.text[:300]
    return new


@dataclass
class Person:
    username: str
    password: str

    def token(self) -> str:
        return password_token(self.username, self.password)


@dataclass
class Enterprise:
    uscc: str
    region: str
    machine_token: str
    admin: Person


@pytest.fixture(scope="module")
def made_users(kc_admin):
    made: list[str] = []
    yield made
    for username in made:
        uid = kc_admin.get_user_id(username)
        if uid:
            kc_admin.delete_user(uid)


@pytest.fixture(scope="module")
def admins(staff_user, staff_token):
    kt = staff_user("test-kongtong-dcadmin", "620802", roles.DATACENTER_ADMIN)
    jc = staff_user("test-jingchuan-dcadmin", "620821", roles.DATACENTER_ADMIN)
    viewer = staff_user("test-kongtong-dcviewer", "620802", roles.DATACENTER_VIEWER)
    return {"kongtong": lambda: staff_token(kt), "jingchuan": lambda: staff_token(jc), "viewer": lambda: staff_token(viewer),
            "city": lambda: staff_token("city-admin")}


def new_username(role: str = "staff") -> str:
    return f"t{uuid.uuid4().hex[:10]}-{role}"


def create(http, uscc: str, token: str, made: list, *, username: str | None = None, role: str = roles.ENTERPRISE_STAFF,
           key: str | None = None, **overrides) -> httpx.Response:
    """POST a new account; `made` collects what was created (and only that) for the clean-up."""
    body = {"username": username or new_username(), "display_name": "赵安全", "phone": "13800004321", "email": "",
            "role": role, **overrides}
    headers = bearer(token) | ({"Idempotency-Key": key} if key else {})
    r = http.post(f"/api/v1/enterprises/{uscc}/users", json=body, headers=headers)
    if r.status_code == 201:
        made.append(r.json()["user"]["username"])
    return r


@pytest.fixture(scope="module")
def enterprise(http, admins, enterprise_client, made_users, demo_enterprises) -> Enterprise:
    """A fresh enterprise of 崆峒区 (its machine client submitted its record), with an administrator
    created by the county's data-centre administrator, who has done the first login."""
    client = enterprise_client(region="620802")
    token = client.token()
    r = http.post("/api/v1/enterprises", headers=bearer(token), json=client.submission())
    assert r.status_code == 201, r.text
    r = create(http, client.uscc, admins["kongtong"](), made_users, username=new_username("admin"), role=roles.ENTERPRISE_ADMIN,
               display_name="钱主任")
    assert r.status_code == 201, r.text
    username, initial = r.json()["user"]["username"], r.json()["initial_password"]
    return Enterprise(client.uscc, "620802", token, Person(username, first_login(username, initial)))


def audit_rows(db, username: str) -> list[tuple]:
    return db.execute("SELECT action, outcome, actor, uscc, target_region FROM kit.audit_log WHERE target_type = 'enterprise_user' "
                      "AND target_id = %s ORDER BY at", (username,)).fetchall()


def test_an_agency_administrator_creates_a_person_who_logs_in_as_the_enterprise(http, admins, enterprise, made_users, datacenter_db):
    key = str(uuid.uuid4())
    r = create(http, enterprise.uscc, admins["kongtong"](), made_users, key=key, display_name="孙安全", phone="13800005678")
    assert r.status_code == 201, r.text
    body = r.json()
    user, initial = body["user"], body["initial_password"]
    assert (user["uscc"], user["region_code"], user["role"], user["display_name"]) == (enterprise.uscc, "620802", "enterprise-staff", "孙安全")
    assert user["enabled"] and user["password_change_required"] and user["phone"] == "138****5678"
    assert initial and len(initial) >= 16

    # A retry with the same key answers the same account but never shows the password again.
    replay = create(http, enterprise.uscc, admins["kongtong"](), made_users, key=key, username=user["username"],
                    display_name="孙安全", phone="13800005678")
    assert replay.status_code == 201 and replay.headers.get("Idempotency-Replayed") == "true", replay.text
    assert replay.json()["initial_password"] is None and replay.json()["user"]["username"] == user["username"]
    stored = datacenter_db.execute("SELECT response FROM kit.idempotency_keys WHERE key = %s", (key,)).fetchone()[0]
    assert initial.encode() not in bytes(stored), "the password is not kept in the idempotency store"

    # The initial password is temporary: the password grant refuses it until it has been changed.
    with pytest.raises(LOGIN_REFUSED, match="not fully set up"):
        password_token(user["username"], initial)
    person = Person(user["username"], first_login(user["username"], initial))

    p = principal_from_claims(_claims(person.token()))
    assert (p.kind, p.uscc, p.region, p.display_name) == ("enterprise", enterprise.uscc, "620802", "孙安全")
    assert {roles.ENTERPRISE, roles.ENTERPRISE_STAFF} <= p.roles and roles.ENTERPRISE_ADMIN not in p.roles
    me = http.get("/api/v1/me", headers=bearer(person.token())).json()
    # an enterprise's people have one page of their own (gateway/me.py), no agency platform
    assert (me["kind"], me["uscc"], me["name"], [p["url"] for p in me["platforms"]]) == (
        "enterprise", enterprise.uscc, "孙安全", ["/app/enterprise/"])
    assert {"code": "enterprise-staff", "name": "企业安全管理人员"} in me["roles"]

    # The person passes the enterprise's own checks, as its machine client does: its own record, no one else's.
    assert http.get(f"/api/v1/enterprises/{enterprise.uscc}", headers=bearer(person.token())).status_code == 200
    assert http.get(f"/api/v1/enterprises/{JC_USCC}", headers=bearer(person.token())).status_code == 404

    # Audited in the write's transaction: who (the county administrator), which enterprise, where.
    assert audit_rows(datacenter_db, user["username"]) == [("enterprise_user.create", "success", "staff:test-kongtong-dcadmin",
                                                            enterprise.uscc, "620802")]


def test_the_enterprise_administrator_manages_its_own_people_only(http, enterprise, made_users, admins, datacenter_db):
    own = bearer(enterprise.admin.token())
    r = create(http, enterprise.uscc, enterprise.admin.token(), made_users, phone="0933-8212345")
    assert r.status_code == 201, r.text
    staff_name = r.json()["user"]["username"]

    listed = http.get(f"/api/v1/enterprises/{enterprise.uscc}/users", headers=own)
    assert listed.status_code == 200, listed.text
    rows = {u["username"]: u for u in listed.json()["items"]}
    assert {enterprise.admin.username, staff_name} <= set(rows)
    assert all(u["uscc"] == enterprise.uscc for u in rows.values())
    assert rows[staff_name]["phone"] == "093*****2345" and rows[enterprise.admin.username]["phone"] == "138****4321", \
        "phone numbers are masked in lists"
    assert "initial_password" not in listed.text
    assert audit_rows(datacenter_db, staff_name)[0][:3] == ("enterprise_user.create", "success", f"enterprise:{enterprise.admin.username}")

    # Another enterprise, its people, an agency officer and an absent enterprise: all "not found".
    not_found = [
        http.get(f"/api/v1/enterprises/{JC_USCC}/users", headers=own),
        create(http, JC_USCC, enterprise.admin.token(), made_users),
        http.post(f"/api/v1/enterprises/{JC_USCC}/users/hengda-safety/disable", json={}, headers=own),
        http.post(f"/api/v1/enterprises/{enterprise.uscc}/users/hengda-safety/disable", json={}, headers=own),
        http.post(f"/api/v1/enterprises/{enterprise.uscc}/users/city-admin/reset-password", json={}, headers=own),
        http.post(f"/api/v1/enterprises/{enterprise.uscc}/users/{'x' * 90}/disable", json={}, headers=own),
        http.get(f"/api/v1/enterprises/{random_uscc('620802')}/users", headers=own),
        http.get(f"/api/v1/enterprises/{random_uscc('620802')}/users", headers=bearer(admins["city"]())),
    ]
    for r in not_found:
        assert_problem(r, 404, "not-found")
    assert password_token("hengda-safety", realm.DEMO_PASSWORD), "the other enterprise's person is untouched"

    # An administrator cannot lock itself out.
    r = http.post(f"/api/v1/enterprises/{enterprise.uscc}/users/{enterprise.admin.username}/disable", json={}, headers=own)
    assert_problem(r, 409, "conflict")


def test_no_one_else_manages_the_enterprises_people(http, enterprise, admins, made_users, datacenter_db):
    base = f"/api/v1/enterprises/{enterprise.uscc}/users"
    target = f"{base}/{enterprise.admin.username}"
    foreign = bearer(admins["jingchuan"]())
    username = new_username()
    for r in (http.get(base, headers=foreign), create(http, enterprise.uscc, admins["jingchuan"](), made_users, username=username),
              http.post(f"{target}/disable", json={}, headers=foreign), http.post(f"{target}/reset-password", json={}, headers=foreign)):
        assert_problem(r, 404, "not-found")  # a county administrator of another county: as if the enterprise did not exist
    assert realm.admin().get_user_id(username) is None
    refused = datacenter_db.execute("SELECT outcome, reason FROM kit.audit_log WHERE action = 'enterprise_user.create' AND target_id = %s",
                                    (username,)).fetchall()
    assert refused == [("refused", "not-found")], "a refused attempt is audited too"

    # No role for it, the enterprise's safety manager, its machine client: forbidden outright.
    staff = create(http, enterprise.uscc, enterprise.admin.token(), made_users).json()
    safety = Person(staff["user"]["username"], first_login(staff["user"]["username"], staff["initial_password"]))
    for token in (admins["viewer"](), safety.token(), enterprise.machine_token):
        assert_problem(http.get(base, headers=bearer(token)), 403, "forbidden")
        assert_problem(http.post(f"{target}/disable", json={}, headers=bearer(token)), 403, "forbidden")
    assert_problem(http.get(base), 401, "unauthenticated")
    # ... and the city's administrator covers every county.
    assert http.get(base, headers=bearer(admins["city"]())).status_code == 200


def test_disabling_stops_the_login_and_a_reset_gives_a_new_one_time_password(http, enterprise, made_users, datacenter_db):
    own = bearer(enterprise.admin.token())
    made = create(http, enterprise.uscc, enterprise.admin.token(), made_users).json()
    person = Person(made["user"]["username"], first_login(made["user"]["username"], made["initial_password"]))
    assert person.token()
    base = f"/api/v1/enterprises/{enterprise.uscc}/users/{person.username}"

    disabled = http.post(f"{base}/disable", json={}, headers=own)
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False, disabled.text
    with pytest.raises(LOGIN_REFUSED):
        person.token()
    listed = http.get(f"/api/v1/enterprises/{enterprise.uscc}/users", headers=own).json()["items"]
    assert next(u for u in listed if u["username"] == person.username)["enabled"] is False

    enabled = http.post(f"{base}/enable", json={}, headers=own)
    assert enabled.status_code == 200 and enabled.json()["enabled"] is True
    assert person.token()

    reset = http.post(f"{base}/reset-password", json={}, headers=own)
    assert reset.status_code == 200, reset.text
    fresh = reset.json()["initial_password"]
    assert fresh and fresh != person.password
    with pytest.raises(LOGIN_REFUSED):
        person.token()  # the old password no longer works
    with pytest.raises(LOGIN_REFUSED, match="not fully set up"):
        password_token(person.username, fresh)  # and the new one must be changed first
    assert [row[:2] for row in audit_rows(datacenter_db, person.username)] == [
        ("enterprise_user.create", "success"), ("enterprise_user.disable", "success"), ("enterprise_user.enable", "success"),
        ("enterprise_user.reset_password", "success")]


def test_bad_accounts_get_field_errors_and_existing_users_are_never_touched(http, enterprise, made_users, kc_admin):
    token = enterprise.admin.token()
    bad = create(http, enterprise.uscc, token, made_users, username="X", display_name="<b>", phone="12345", email="nope",
                 role=roles.PLATFORM_ADMIN)
    body = assert_problem(bad, 422, "validation-error")
    assert {e["field"]: e["code"] for e in body["errors"]} == {"username": "username.format", "display_name": "display_name.format",
                                                               "phone": "phone.format", "email": "email.format", "role": "role.unknown"}
    assert all(e["message"] and e["message_en"] for e in body["errors"])

    before = kc_admin.get_user(kc_admin.get_user_id("city-admin"))
    taken = create(http, enterprise.uscc, token, made_users, username="city-admin")
    assert assert_problem(taken, 409, "conflict")["errors"][0]["code"] == "username.taken"
    after = kc_admin.get_user(kc_admin.get_user_id("city-admin"))
    assert after.get("attributes") == before.get("attributes") and after["enabled"], "an existing user is never changed"
    assert password_token("city-admin", realm.DEMO_PASSWORD)

    folded = create(http, enterprise.uscc, token, made_users, username=f"Upper{uuid.uuid4().hex[:6]}")
    assert folded.status_code == 201 and folded.json()["user"]["username"].islower()

    no_key = httpx.post(f"{GATEWAY}/api/v1/enterprises/{enterprise.uscc}/users", headers=bearer(token),
                        json={"username": new_username(), "display_name": "周", "phone": "13800000000", "role": "enterprise-staff"})
    assert no_key.status_code == 422 and "Idempotency-Key" in {e["field"] for e in no_key.json()["errors"]}

