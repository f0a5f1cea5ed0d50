"""Keycloak rotates its signing keys: the platform's token verifier (services/kit/auth.py, used by the
gateway and every service) accepts tokens signed with the new key at once, and stops accepting those
of the retired key, even one it had verified and cached. Runs in a realm of its own, made and removed
here, so rotating keys cannot disturb the other tests' tokens."""
from __future__ import annotations

import base64
import json
import time

import pytest
from keycloak import KeycloakOpenID

from infra.keycloak import realm
from services.kit import auth, config
from services.kit.auth import TokenVerifier
from services.kit.errors import Unauthenticated

KEYS = "org.keycloak.keys.KeyProvider"


def kid(token: str) -> str:
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


@pytest.fixture
def realm_of_its_own():
    name = f"rotation-{int(time.time() * 1000)}"
    a = realm.admin()
    a.create_realm({"realm": name, "enabled": True})
    a.change_current_realm(name)
    a.create_client({"clientId": "rotation-cli", "publicClient": True, "directAccessGrantsEnabled": True, "standardFlowEnabled": False})
    a.create_user({"username": "rotation-user", "enabled": True, "firstName": "轮换", "lastName": "测试", "email": "r@example.cn",
                   "emailVerified": True, "credentials": [{"type": "password", "value": "rotation-local-only", "temporary": False}]})
    try:
        yield a, name
    finally:
        a.change_current_realm("master")
        a.delete_realm(name)


def test_tokens_of_a_retired_key_are_refused_and_the_new_key_is_taken_up(realm_of_its_own, monkeypatch):
    a, name = realm_of_its_own
    kc = config.keycloak()
    monkeypatch.setattr(auth, "JWKS_REFRESH_MIN_INTERVAL", 0.0)  # no waiting between refetches in a test
    oidc = KeycloakOpenID(server_url=kc.url + "/", realm_name=name, client_id="rotation-cli")
    verifier = TokenVerifier(config.Keycloak(url=kc.url, realm=name, audience="account"))

    def token() -> str:
        return oidc.token("rotation-user", "rotation-local-only")["access_token"]

    old = token()
    assert verifier.verify(old).username == "rotation-user"

    realm_id = a.get_realm(name)["id"]
    retired = [c for c in a.get_components(query={"type": KEYS}) if c["providerId"] == "rsa-generated"]
    a.create_component({"name": "rsa-rotated", "providerId": "rsa-generated", "providerType": KEYS, "parentId": realm_id,
                        "config": {"priority": ["500"], "enabled": ["true"], "active": ["true"], "algorithm": ["RS256"]}})
    for c in retired:
        a.delete_component(c["id"])

    new = token()
    assert kid(new) != kid(old), "Keycloak signs with the new key"
    assert verifier.verify(new).username == "rotation-user", "a token of the new key is accepted (keys fetched again)"
    with pytest.raises(Unauthenticated) as refused:
        verifier.verify(old)
    assert refused.value.detail_en == "Unknown signing key", "the cached token of the retired key is no longer accepted"
