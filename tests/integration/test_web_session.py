"""Browser login through the gateway (OIDC code + PKCE against the real Keycloak), the session
cookie, CSRF protection of state-changing requests, the pages each role may open, and logout
ending the Keycloak session too."""
from __future__ import annotations

import httpx
import pytest

from tests.integration.conftest import GATEWAY, web_login

pytestmark = pytest.mark.integration


@pytest.fixture
def officer():
    client = web_login("kongtong-inspector")
    yield client
    client.close()


def test_login_sets_an_httponly_session_and_a_csrf_cookie(officer):
    me = officer.get("/api/v1/me")
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["username"] == "kongtong-inspector" and body["region"] == {"code": "620802", "name": "崆峒区"}
    assert {p["code"] for p in body["platforms"]} == {"datacenter", "supervision"}
    assert "监管执法检查员" in {r["name"] for r in body["roles"]}
    # The browser never holds a token: only an opaque session id (HttpOnly) and the CSRF value.
    names = {c.name for c in officer.cookies.jar if c.domain.startswith("127.0.0.1") and c.path == "/"}
    assert {"safety_session", "safety_csrf"} <= names
    session = next(c for c in officer.cookies.jar if c.name == "safety_session")
    assert session.has_nonstandard_attr("HttpOnly") and session.get_nonstandard_attr("SameSite", "").lower() == "lax"
    assert all("eyJ" not in (c.value or "") for c in officer.cookies.jar if c.name.startswith("safety_"))


def test_the_login_refuses_a_callback_from_another_browser():
    with httpx.Client(base_url=GATEWAY) as victim:
        r = victim.get("/auth/callback", params={"code": "planted", "state": "planted"})
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


def test_login_only_returns_to_paths_on_this_site():
    with httpx.Client(base_url=GATEWAY) as c:
        for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
            r = c.get("/auth/login", params={"next": evil})
            assert r.status_code == 302
    client = web_login("kongtong-inspector", next_path="/app/supervision/")
    client.close()


def test_state_changing_requests_need_the_csrf_token(officer):
    csrf = officer.cookies.get("safety_csrf", path="/")
    body = {"reason": "测试"}
    url = "/api/v1/onboarding/applications/00000000-0000-0000-0000-000000000000/reject"
    headers = {"Idempotency-Key": "csrf-1"}
    missing = officer.post(url, json=body, headers=headers)
    assert missing.status_code == 403 and missing.json()["type"] == "/problems/csrf"
    wrong = officer.post(url, json=body, headers={**headers, "X-CSRF-Token": "forged"})
    assert wrong.status_code == 403 and wrong.json()["type"] == "/problems/csrf"
    cross_site = officer.post(url, json=body, headers={**headers, "X-CSRF-Token": csrf, "Origin": "https://evil.example"})
    assert cross_site.status_code == 403 and cross_site.json()["type"] == "/problems/csrf"
    # With the token the request reaches the authorization check (an inspector may not review: 403 forbidden).
    ok = officer.post(url, json=body, headers={**headers, "X-CSRF-Token": csrf})
    assert ok.status_code == 403 and ok.json()["type"] == "/problems/forbidden"
    # Reads need no CSRF token.
    assert officer.get("/api/v1/me").status_code == 200


def test_pages_follow_the_roles(officer):
    assert officer.get("/app/").status_code == 200 or officer.get("/app/").status_code == 503  # 503 only before `make web`
    assert officer.get("/app/supervision/").status_code in (200, 503)
    refused = officer.get("/app/emergency/")
    assert refused.status_code == 403 and "无权访问" in refused.text
    assert officer.get("/app/govaffairs/").status_code == 403
    with httpx.Client(base_url=GATEWAY) as anonymous:
        r = anonymous.get("/app/supervision/")
        assert r.status_code == 302 and r.headers["location"].startswith("/auth/login?next=/app/supervision/")
        assert anonymous.get("/app/apply/").status_code in (200, 503)  # the public application form


def test_logout_ends_the_gateway_and_the_keycloak_session(officer):
    csrf = officer.cookies.get("safety_csrf", path="/")
    session_cookie = officer.cookies.get("safety_session", path="/")
    # Logout is state-changing too: without the CSRF token it is refused and the session lives on.
    assert officer.post("/auth/logout").status_code == 403
    assert officer.get("/api/v1/me").status_code == 200
    r = officer.post("/auth/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["redirect"] == "/app/"
    assert officer.get("/api/v1/me").status_code == 401
    with httpx.Client(base_url=GATEWAY, cookies={"safety_session": session_cookie}) as replay:
        assert replay.get("/api/v1/me").status_code == 401, "the old session id is dead, not just forgotten by the browser"
    # Keycloak's SSO session ended too: a new login shows the login form again instead of passing straight through.
    again = officer.get("/auth/login", params={"next": "/app/"})
    page = officer.get(again.headers["location"])
    assert page.status_code == 200 and "kc-form-login" in page.text
