"""services.kit.auth: claim checks, Principal mapping, bearer parsing and TokenVerifier (local keys only)."""
import base64
import json
import types

import pytest
from jwcrypto import jwk, jwt

from services.kit import auth
from services.kit.auth import Principal, TokenVerifier, bearer_token, check_claims, principal_from_claims
from services.kit.config import Keycloak
from services.kit.errors import Unavailable, PermissionDenied, Unauthenticated

KC = Keycloak(url="http://kc.test", realm="safety", audience="safety-api")
ISSUER = "http://kc.test/realms/safety"
NOW = 1_700_000_000


def claims(**overrides) -> dict:
    base = {
        "iss": ISSUER, "aud": "safety-api", "typ": "Bearer", "sub": "u-1", "azp": "safety-web",
        "exp": NOW + 300, "iat": NOW - 10, "nbf": NOW - 10,
        "preferred_username": "zhang.san", "region": "620802",
        "realm_access": {"roles": ["datacenter-viewer"]},
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not _DROP}


_DROP = object()


def check(c: dict, now: float = NOW) -> None:
    check_claims(c, now=now, issuer=ISSUER, audience="safety-api")


# --- check_claims ---------------------------------------------------------------------------------

def test_keycloak_issuer_is_url_plus_realm():
    assert KC.issuer == ISSUER


def test_good_claims_pass():
    check(claims())


@pytest.mark.parametrize("aud", ["safety-api", ["account", "safety-api"], ["safety-api"]])
def test_audience_may_be_a_string_or_a_list_containing_it(aud):
    check(claims(aud=aud))


@pytest.mark.parametrize("aud", ["account", ["account", "other"], [], None, _DROP, "safety-api-x"])
def test_audience_not_naming_the_api_is_refused(aud):
    with pytest.raises(Unauthenticated) as e:
        check(claims(aud=aud))
    assert "wrong audience" in e.value.detail_en
    assert "受众不符" in e.value.detail_zh


@pytest.mark.parametrize("iss", ["http://kc.test/realms/other", "http://evil.test/realms/safety", ISSUER + "/", None, _DROP])
def test_wrong_or_missing_issuer_is_refused(iss):
    with pytest.raises(Unauthenticated) as e:
        check(claims(iss=iss))
    assert "wrong issuer" in e.value.detail_en


@pytest.mark.parametrize("typ", ["Bearer", None, _DROP])
def test_bearer_or_absent_typ_is_accepted(typ):
    check(claims(typ=typ))


@pytest.mark.parametrize("typ", ["ID", "Refresh", "bearer"])
def test_other_token_types_are_refused(typ):
    with pytest.raises(Unauthenticated) as e:
        check(claims(typ=typ))
    assert "not an access token" in e.value.detail_en


@pytest.mark.parametrize("exp", [_DROP, None, "1700000300"])
def test_missing_or_non_numeric_expiry_is_refused(exp):
    with pytest.raises(Unauthenticated) as e:
        check(claims(exp=exp))
    assert "no expiry" in e.value.detail_en


def test_expiry_is_allowed_the_clock_leeway():
    check(claims(exp=NOW), now=NOW + auth.CLOCK_LEEWAY_SECONDS)


def test_expired_beyond_leeway_is_refused():
    with pytest.raises(Unauthenticated) as e:
        check(claims(exp=NOW), now=NOW + auth.CLOCK_LEEWAY_SECONDS + 1)
    assert "expired" in e.value.detail_en
    assert "已过期" in e.value.detail_zh


def test_not_before_within_leeway_is_accepted_beyond_is_refused():
    check(claims(nbf=NOW + auth.CLOCK_LEEWAY_SECONDS))
    with pytest.raises(Unauthenticated) as e:
        check(claims(nbf=NOW + auth.CLOCK_LEEWAY_SECONDS + 1))
    assert "not yet valid" in e.value.detail_en


def test_issued_in_the_future_beyond_leeway_is_refused():
    check(claims(iat=NOW + auth.CLOCK_LEEWAY_SECONDS))
    with pytest.raises(Unauthenticated) as e:
        check(claims(iat=NOW + auth.CLOCK_LEEWAY_SECONDS + 1))
    assert "issued in the future" in e.value.detail_en


def test_custom_leeway_is_honoured():
    with pytest.raises(Unauthenticated):
        check_claims(claims(exp=NOW), now=NOW + 1, issuer=ISSUER, audience="safety-api", leeway=0)
    check_claims(claims(exp=NOW), now=NOW + 60, issuer=ISSUER, audience="safety-api", leeway=60)


# --- principal_from_claims ------------------------------------------------------------------------

def test_enterprise_when_uscc_claim_present():
    p = principal_from_claims(claims(uscc="91350100M000100Y43", preferred_username="service-account-ent",
                                     realm_access={"roles": ["enterprise"]}))
    assert p.kind == "enterprise"
    assert p.uscc == "91350100M000100Y43"
    assert p.roles == frozenset({"enterprise"})


def test_integrator_when_username_is_a_service_account():
    p = principal_from_claims(claims(preferred_username="service-account-city-feed", realm_access={"roles": ["integrator"]}))
    assert p.kind == "integrator"
    assert p.uscc is None


def test_staff_otherwise_with_roles_region_and_identity():
    p = principal_from_claims(claims(realm_access={"roles": ["datacenter-viewer", "supervision-inspector"]}))
    assert p == Principal(subject="u-1", client_id="safety-web", username="zhang.san", kind="staff",
                          roles=frozenset({"datacenter-viewer", "supervision-inspector"}), region="620802", uscc=None)
    assert p.label == "staff:zhang.san"


def test_empty_uscc_claim_does_not_make_an_enterprise():
    assert principal_from_claims(claims(uscc="")).kind == "staff"


def test_missing_roles_region_and_username_give_empty_values():
    p = principal_from_claims({"sub": "s", "azp": "cli"})
    assert p.kind == "staff"
    assert p.roles == frozenset()
    assert p.region is None
    assert p.username == ""
    assert p.label == "staff:cli"


def test_null_realm_access_and_empty_region_are_tolerated():
    p = principal_from_claims(claims(realm_access=None, region=""))
    assert p.roles == frozenset()
    assert p.region is None


def test_has_any_role_and_require_roles():
    p = principal_from_claims(claims(realm_access={"roles": ["datacenter-viewer"]}))
    assert p.has_any_role("platform-admin", "datacenter-viewer")
    assert not p.has_any_role("platform-admin")
    auth.require_roles(p, "datacenter-viewer")
    with pytest.raises(PermissionDenied):
        auth.require_roles(p, "platform-admin", "datacenter-admin")


def test_current_principal_reads_the_context_variable():
    with pytest.raises(Unauthenticated):
        auth.current_principal()
    p = principal_from_claims(claims())
    token = auth.principal_var.set(p)
    try:
        assert auth.current_principal() is p
    finally:
        auth.principal_var.reset(token)


# --- bearer_token ---------------------------------------------------------------------------------

@pytest.mark.parametrize("header, token", [
    ("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer abc", "abc"), ("BEARER abc", "abc"), ("Bearer  abc  ", "abc"),
])
def test_bearer_token_extracts_the_token(header, token):
    assert bearer_token(header) == token


@pytest.mark.parametrize("header", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer    ", "abc.def.ghi", "Token abc"])
def test_bearer_token_refuses_missing_or_malformed_headers(header):
    with pytest.raises(Unauthenticated):
        bearer_token(header)


# --- TokenVerifier --------------------------------------------------------------------------------

KEY = jwk.JWK.generate(kty="RSA", size=2048, kid="k1")
OTHER_KEY = jwk.JWK.generate(kty="RSA", size=2048, kid="k1")  # same kid, different key
ROTATED_KEY = jwk.JWK.generate(kty="RSA", size=2048, kid="k2")


def jwks(*keys) -> dict:
    return {"keys": [k.export_public(as_dict=True) for k in keys]}


def sign(c: dict, key=KEY, alg="RS256", kid="k1") -> str:
    header = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    token = jwt.JWT(header=header, claims=c)
    token.make_signed_token(key)
    return token.serialize()


def b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


class Fetcher:
    def __init__(self, *responses):
        self.responses = list(responses)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.responses[min(self.calls, len(self.responses)) - 1]


def verifier(fetch, now=NOW) -> TokenVerifier:
    return TokenVerifier(KC, clock=lambda: now, fetch_jwks=fetch)


def test_valid_token_is_accepted_and_mapped_to_a_principal():
    fetch = Fetcher(jwks(KEY))
    p = verifier(fetch).verify(sign(claims()))
    assert p.kind == "staff"
    assert p.username == "zhang.san"
    assert p.region == "620802"
    assert p.roles == frozenset({"datacenter-viewer"})
    assert fetch.calls == 1


def test_keys_are_cached_between_calls():
    fetch = Fetcher(jwks(KEY))
    v = verifier(fetch)
    v.prefetch()
    for _ in range(3):
        v.verify(sign(claims()))
    assert fetch.calls == 1


@pytest.mark.parametrize("token", ["", "   ", None])
def test_missing_token_is_refused(token):
    with pytest.raises(Unauthenticated) as e:
        verifier(Fetcher(jwks(KEY))).verify(token)
    assert e.value.detail_en == "No access token"


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b", "a.b.c", "!!.!!.!!"])
def test_garbage_is_refused(token):
    with pytest.raises(Unauthenticated):
        verifier(Fetcher(jwks(KEY))).verify(token)


def test_alg_none_is_refused():
    token = b64({"alg": "none", "kid": "k1"}) + "." + b64(claims()) + "."
    fetch = Fetcher(jwks(KEY))
    with pytest.raises(Unauthenticated):
        verifier(fetch).verify(token)
    assert fetch.calls == 0


def test_hs256_token_is_refused_even_when_keyed_with_the_public_key():
    # Classic key-confusion attack: HMAC keyed with the RSA public key material.
    secret = jwk.JWK(kty="oct", k=base64.urlsafe_b64encode(KEY.export_to_pem()).rstrip(b"=").decode())
    token = sign(claims(), key=secret, alg="HS256")
    with pytest.raises(Unauthenticated) as e:
        verifier(Fetcher(jwks(KEY))).verify(token)
    assert e.value.detail_en == "Signature algorithm not allowed"


def test_other_rs_algorithms_are_refused():
    with pytest.raises(Unauthenticated) as e:
        verifier(Fetcher(jwks(KEY))).verify(sign(claims(), alg="RS512"))
    assert e.value.detail_en == "Signature algorithm not allowed"


def test_signature_by_another_key_is_refused():
    with pytest.raises(Unauthenticated) as e:
        verifier(Fetcher(jwks(KEY))).verify(sign(claims(), key=OTHER_KEY))
    assert e.value.detail_en == "Signature verification failed"


def test_tampered_payload_is_refused():
    header, _, signature = sign(claims()).split(".")
    forged = header + "." + b64(claims(realm_access={"roles": ["platform-admin"]}, region="620000")) + "." + signature
    with pytest.raises(Unauthenticated) as e:
        verifier(Fetcher(jwks(KEY))).verify(forged)
    assert e.value.detail_en == "Signature verification failed"


def test_token_expired_by_the_injected_clock_is_refused():
    token = sign(claims(exp=NOW + 60))
    verifier(Fetcher(jwks(KEY)), now=NOW).verify(token)
    with pytest.raises(Unauthenticated) as e:
        verifier(Fetcher(jwks(KEY)), now=NOW + 60 + auth.CLOCK_LEEWAY_SECONDS + 1).verify(token)
    assert "expired" in e.value.detail_en


def test_wrong_audience_is_refused():
    with pytest.raises(Unauthenticated) as e:
        verifier(Fetcher(jwks(KEY))).verify(sign(claims(aud="account")))
    assert "wrong audience" in e.value.detail_en


def test_wrong_issuer_is_refused():
    with pytest.raises(Unauthenticated) as e:
        verifier(Fetcher(jwks(KEY))).verify(sign(claims(iss="http://kc.test/realms/master")))
    assert "wrong issuer" in e.value.detail_en


def test_token_without_kid_is_refused_as_unknown_key():
    with pytest.raises(Unauthenticated) as e:
        verifier(Fetcher(jwks(KEY))).verify(sign(claims(), kid=None))
    assert e.value.detail_en == "Unknown signing key"


@pytest.fixture
def monotonic(monkeypatch):
    """Controls the clock TokenVerifier uses to rate-limit JWKS refreshes."""
    clock = {"t": 1000.0}
    fake_time = types.SimpleNamespace(monotonic=lambda: clock["t"], time=lambda: NOW)
    monkeypatch.setattr(auth, "time", fake_time)
    return clock


def test_unknown_kid_triggers_one_refetch_then_succeeds_when_the_key_appears(monotonic):
    fetch = Fetcher(jwks(KEY), jwks(KEY, ROTATED_KEY))
    v = verifier(fetch)
    v.prefetch()
    assert fetch.calls == 1
    monotonic["t"] += auth.JWKS_REFRESH_MIN_INTERVAL + 1  # Keycloak rotates keys some time later
    p = v.verify(sign(claims(), key=ROTATED_KEY, kid="k2"))
    assert p.username == "zhang.san"
    assert fetch.calls == 2
    v.verify(sign(claims(), key=ROTATED_KEY, kid="k2"))
    v.verify(sign(claims()))
    assert fetch.calls == 2


def test_unknown_kid_that_never_appears_is_refused_after_one_refetch(monotonic):
    fetch = Fetcher(jwks(KEY))
    v = verifier(fetch)
    v.prefetch()
    monotonic["t"] += auth.JWKS_REFRESH_MIN_INTERVAL + 1
    with pytest.raises(Unauthenticated) as e:
        v.verify(sign(claims(), key=ROTATED_KEY, kid="k2"))
    assert e.value.detail_en == "Unknown signing key"
    assert fetch.calls == 2


def test_unknown_kids_do_not_refetch_more_often_than_the_minimum_interval(monotonic):
    fetch = Fetcher(jwks(KEY))
    v = verifier(fetch)
    v.prefetch()
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            v.verify(sign(claims(), key=ROTATED_KEY, kid="k2"))
    assert fetch.calls == 1


def test_jwks_fetch_failure_is_reported_as_unavailable_not_as_the_callers_fault():
    def unreachable():
        raise ConnectionError("keycloak down")

    with pytest.raises(Unavailable) as e:
        verifier(unreachable).verify(sign(claims()))
    assert e.value.http_status == 503 and "retry later" in e.value.detail_en


# --- key rotation: what the cache keeps ------------------------------------------------------------

def test_a_key_keycloak_retires_stops_being_accepted_within_the_max_age_even_for_cached_tokens(monotonic):
    fetch = Fetcher(jwks(KEY), jwks(ROTATED_KEY))          # later, Keycloak publishes only the new key
    v = verifier(fetch)
    old = sign(claims())
    assert v.verify(old).username == "zhang.san"           # verified and cached
    monotonic["t"] += auth.JWKS_MAX_AGE - 1
    assert v.verify(old).username == "zhang.san" and fetch.calls == 1
    monotonic["t"] += 2                                    # the key set is now older than the max age
    with pytest.raises(Unauthenticated) as e:
        v.verify(old)
    assert e.value.detail_en == "Unknown signing key" and fetch.calls == 2
    assert v.verify(sign(claims(), key=ROTATED_KEY, kid="k2")).username == "zhang.san"


def test_a_new_kid_refetches_the_keys_and_drops_the_tokens_of_a_key_that_went(monotonic):
    fetch = Fetcher(jwks(KEY), jwks(ROTATED_KEY))
    v = verifier(fetch)
    old = sign(claims())
    v.verify(old)
    monotonic["t"] += auth.JWKS_REFRESH_MIN_INTERVAL + 1
    v.verify(sign(claims(sub="u-2"), key=ROTATED_KEY, kid="k2"))  # unknown kid: refetch, k1 gone
    assert fetch.calls == 2
    with pytest.raises(Unauthenticated):
        v.verify(old)


def test_keycloak_away_at_a_scheduled_refresh_keeps_the_keys_it_has(monotonic):
    calls = {"n": 0}

    def fetch():
        calls["n"] += 1
        if calls["n"] > 1:
            raise ConnectionError("keycloak down")
        return jwks(KEY)

    v = verifier(fetch)
    token = sign(claims())
    v.verify(token)
    monotonic["t"] += auth.JWKS_MAX_AGE + 1
    assert v.verify(token).username == "zhang.san", "a cached token still passes while Keycloak is away"


def test_a_record_shows_the_persons_name_and_the_audit_the_account():
    named = principal_from_claims({"sub": "u1", "azp": "web", "preferred_username": "kongtong-inspector", "name": "李建国",
                                   "realm_access": {"roles": ["supervision-inspector"]}, "region": "620802"})
    assert (named.name, named.label) == ("李建国", "staff:kongtong-inspector")
    unnamed = Principal(subject="u2", client_id="web", username="zhang-san", kind="staff")
    assert unnamed.name == "zhang-san", "no name claim: the account"
    machine = Principal(subject="u3", client_id="enterprise-91620802MA71KT001D", username="", kind="enterprise")
    assert machine.name == "enterprise-91620802MA71KT001D"
