"""Forged, altered, expired and misdirected tokens against the running gateway, and the same
tokens straight at a service's gRPC port: each is refused with 401 (UNAUTHENTICATED), nothing is
written, and a header merely naming a user is never believed."""
from __future__ import annotations

import base64
import json
import time
import uuid

import grpc
import pytest
from jwcrypto import jwk, jws
from keycloak import KeycloakOpenID

from safety.datacenter.v1 import enterprises_pb2 as pb
from safety.datacenter.v1 import enterprises_pb2_grpc
from services.kit import config
from tests.integration.conftest import assert_problem, bearer, stored_enterprise

KC = config.keycloak()
pytestmark = pytest.mark.integration
DEMO_USCC = "91620802MA71KT001D"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict, dict, str]:
    h, p, s = token.split(".")
    pad = lambda x: x + "=" * (-len(x) % 4)
    return json.loads(base64.urlsafe_b64decode(pad(h))), json.loads(base64.urlsafe_b64decode(pad(p))), s


def _sign(header: dict, claims: dict, key: jwk.JWK) -> str:
    t = jws.JWS(json.dumps(claims).encode())
    t.add_signature(key, alg=header["alg"], protected=json.dumps(header))
    return t.serialize(compact=True)


@pytest.fixture(scope="module")
def real(staff_token):
    return staff_token("kongtong-inspector")


@pytest.fixture(scope="module")
def short_lived_client(kc_admin):
    """A client whose access tokens live 1 s, to get a genuinely expired Keycloak token."""
    client_id = f"test-short-{uuid.uuid4().hex[:8]}"
    kc_admin.create_client({"clientId": client_id, "publicClient": False, "secret": "short-secret-local-only",
                            "serviceAccountsEnabled": True, "standardFlowEnabled": False,
                            "attributes": {"access.token.lifespan": "1"}})
    yield client_id
    kc_admin.delete_client(kc_admin.get_client_id(client_id))


@pytest.fixture(scope="module")
def other_audience_client(kc_admin):
    """A client of the same realm whose tokens are not meant for the platform API (no safety-api audience)."""
    client_id = f"test-noaud-{uuid.uuid4().hex[:8]}"
    kc_admin.create_client({"clientId": client_id, "publicClient": False, "secret": "noaud-secret-local-only",
                            "serviceAccountsEnabled": True, "standardFlowEnabled": False})
    cid = kc_admin.get_client_id(client_id)
    scope = next(s for s in kc_admin.get_client_default_client_scopes(cid) if s["name"] == "safety-api")
    kc_admin.delete_client_default_client_scope(cid, scope["id"])
    yield client_id
    kc_admin.delete_client(cid)


def _token(client_id: str, secret: str) -> str:
    return KeycloakOpenID(server_url=KC.url + "/", realm_name=KC.realm, client_id=client_id,
                          client_secret_key=secret).token(grant_type="client_credentials")["access_token"]


def abusive_tokens(real: str, expired: str, other_audience: str) -> dict[str, str]:
    header, claims, signature = _parts(real)
    attacker = jwk.JWK.generate(kty="RSA", size=2048, kid=header["kid"])
    tampered = dict(claims, region="620800", realm_access={"roles": ["platform-admin", "datacenter-admin"]})
    return {
        "alg none": f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{_b64(json.dumps(claims).encode())}.",
        "wrong key (same kid)": _sign(header, claims, attacker),
        "HS256 keyed with the public key": _sign({"alg": "HS256", "kid": header["kid"]}, claims,
                                                  jwk.JWK(kty="oct", k=_b64(attacker.export_to_pem()))),
        "tampered claims, original signature": f"{real.split('.')[0]}.{_b64(json.dumps(tampered).encode())}.{signature}",
        "expired": expired,
        "wrong audience": other_audience,
        "garbage": "not.a.token",
    }


@pytest.fixture(scope="module")
def tokens(real, short_lived_client, other_audience_client):
    expired = _token(short_lived_client, "short-secret-local-only")
    time.sleep(7)  # lifespan 1 s plus the 5 s clock leeway
    return abusive_tokens(real, expired, _token(other_audience_client, "noaud-secret-local-only"))


def test_the_gateway_refuses_every_abusive_token(http, tokens, datacenter_db):
    for name, token in tokens.items():
        r = http.get(f"/api/v1/enterprises/{DEMO_USCC}", headers=bearer(token))
        assert_problem(r, 401, "unauthenticated"), name
        assert r.headers.get("www-authenticate", "").startswith("Bearer"), name
        w = http.post("/api/v1/enterprises", headers=bearer(token), json={
            "uscc": DEMO_USCC, "name": "篡改", "region_code": "620802", "address": "篡改地址", "industry_code": "C2614"})
        assert w.status_code == 401, (name, w.text)
    assert stored_enterprise(datacenter_db, DEMO_USCC)[0] != "篡改"


def test_services_verify_the_token_themselves(tokens, real):
    """Straight at the data centre's gRPC port, bypassing the gateway."""
    with grpc.insecure_channel(config.grpc_target("datacenter")) as channel:
        stub = enterprises_pb2_grpc.EnterpriseServiceStub(channel)
        for name, token in tokens.items():
            with pytest.raises(grpc.RpcError) as e:
                stub.GetEnterprise(pb.GetEnterpriseRequest(uscc=DEMO_USCC), metadata=(("authorization", f"Bearer {token}"),), timeout=5)
            assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED, name
        # A header that only names a caller is not an identity.
        with pytest.raises(grpc.RpcError) as e:
            stub.GetEnterprise(pb.GetEnterpriseRequest(uscc=DEMO_USCC), metadata=(("x-user", "city-admin"), ("x-roles", "platform-admin")), timeout=5)
        assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED
        # The genuine token of a Kongtong officer still reads a Kongtong enterprise: the refusals above were about the tokens.
        ok = stub.GetEnterprise(pb.GetEnterpriseRequest(uscc=DEMO_USCC), metadata=(("authorization", f"Bearer {real}"),), timeout=5)
        assert ok.enterprise.uscc == DEMO_USCC
