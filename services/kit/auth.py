"""Who is calling: verifying Keycloak access tokens and the resulting Principal.

Used both by the gateway (for every request) and by every service (the gateway forwards the
caller's bearer token in gRPC metadata and the service verifies it again; a plain header naming
the caller is never trusted). Keys come from Keycloak's JWKS endpoint via python-keycloak, are
cached, and refreshed when a token names an unknown key id."""
from __future__ import annotations

import contextvars
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from jwcrypto import jwk, jws
from jwcrypto.common import JWException
from keycloak import KeycloakOpenID

from services.kit.config import Keycloak
from services.kit.errors import PermissionDenied, Unauthenticated, Unavailable

log = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = frozenset({"RS256"})
CLOCK_LEEWAY_SECONDS = 5
JWKS_REFRESH_MIN_INTERVAL = 10.0
# Keys Keycloak has retired (or an administrator disabled) stop being accepted within this long, and
# so do the tokens verified with them, even while no token with a new key has arrived.
JWKS_MAX_AGE = 300.0
VERIFIED_CACHE_SIZE = 4096  # tokens; each entry is the token string and its Principal

principal_var: contextvars.ContextVar["Principal | None"] = contextvars.ContextVar("principal", default=None)


@dataclass(frozen=True)
class Principal:
    subject: str
    client_id: str
    username: str
    kind: str  # "staff" | "enterprise" | "integrator"
    roles: frozenset[str] = field(default_factory=frozenset)
    region: str | None = None
    uscc: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)  # OAuth scopes (integrators' read grants)
    display_name: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.username or self.client_id}"

    @property
    def name(self) -> str:
        """Who a record shows did something: the person's name (the token's name claim), else the
        account. Audit entries and events keep the account (`label`)."""
        return self.display_name or self.username or self.client_id or self.subject

    def has_any_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def principal_from_claims(claims: dict) -> Principal:
    roles = frozenset((claims.get("realm_access") or {}).get("roles") or ())
    username = claims.get("preferred_username") or ""
    uscc = claims.get("uscc") or None
    if uscc:
        kind = "enterprise"
    elif username.startswith("service-account-"):
        kind = "integrator"
    else:
        kind = "staff"
    return Principal(
        subject=claims.get("sub") or "",
        client_id=claims.get("azp") or "",
        username=username,
        kind=kind,
        roles=roles,
        region=claims.get("region") or None,
        uscc=uscc,
        scopes=frozenset(str(claims.get("scope") or "").split()),
        display_name=str(claims.get("name") or ""),
    )


def check_claims(claims: dict, *, now: float, issuer: str, audience: str, leeway: int = CLOCK_LEEWAY_SECONDS) -> None:
    """Pure claim checks after the signature is verified. Raises Unauthenticated with the reason."""
    def refuse(zh: str, en: str):
        raise Unauthenticated(f"访问令牌无效：{zh}", f"Invalid access token: {en}")

    if claims.get("iss") != issuer:
        refuse("签发者不符", "wrong issuer")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if audience not in audiences:
        refuse("受众不符", "wrong audience")
    if claims.get("typ") not in (None, "Bearer"):
        refuse("不是访问令牌", "not an access token")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)):
        refuse("缺少过期时间", "no expiry")
    if now > exp + leeway:
        refuse("已过期", "expired")
    nbf = claims.get("nbf")
    if isinstance(nbf, (int, float)) and now + leeway < nbf:
        refuse("尚未生效", "not yet valid")
    iat = claims.get("iat")
    if isinstance(iat, (int, float)) and now + leeway < iat:
        refuse("签发时间在未来", "issued in the future")


class TokenVerifier:
    def __init__(self, kc: Keycloak, *, clock: Callable[[], float] = time.time, fetch_jwks: Callable[[], dict] | None = None):
        self.kc = kc
        self.clock = clock
        self._fetch = fetch_jwks or KeycloakOpenID(server_url=kc.url, realm_name=kc.realm, client_id=kc.audience).certs
        self._keys: jwk.JWKSet | None = None
        self._fetched_at: float | None = None  # never: None (time.monotonic() counts from boot)
        self._lock = threading.Lock()
        # token → (principal, exp, nbf, kid). An RS256 check costs far more than the rest of a simple
        # read, and a client sends the same token for minutes; the time checks are redone on
        # every hit, so a cached token still expires on time, and a token whose key is no longer
        # in the key set is dropped when the set is fetched again.
        self._verified: dict[str, tuple[Principal, float, float, str | None]] = {}

    def _stale(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at >= JWKS_MAX_AGE

    def _refresh(self, force: bool) -> None:
        """force: an unknown kid (Keycloak may have rotated), at most every JWKS_REFRESH_MIN_INTERVAL;
        otherwise only when there are no keys yet or they are older than JWKS_MAX_AGE."""
        with self._lock:
            if self._keys is not None and self._fetched_at is not None:
                age = time.monotonic() - self._fetched_at
                if age < (JWKS_REFRESH_MIN_INTERVAL if force else JWKS_MAX_AGE):
                    return
            self._keys = jwk.JWKSet.from_json(json.dumps(self._fetch()))
            self._fetched_at = time.monotonic()
            kids = {k.get("kid") for k in self._keys}
            retired = [t for t, hit in self._verified.items() if hit[3] not in kids]
            for t in retired:
                self._verified.pop(t, None)
            log.info("jwks refreshed", extra={"fields": {"kids": sorted(map(str, kids)), "tokens_dropped": len(retired)}})

    def prefetch(self) -> None:
        """Fetch the key set at start-up so a misconfigured issuer shows at once, not on first call."""
        self._refresh(force=False)

    def _key_for(self, kid: str | None) -> jwk.JWK | None:
        if self._keys is None or self._stale():
            self._refresh(force=False)
        key = self._keys.get_key(kid) if kid else None
        if key is None:
            self._refresh(force=True)  # Keycloak may have rotated its keys
            key = self._keys.get_key(kid) if kid else None
        return key

    def verify(self, token: str) -> Principal:
        token = (token or "").strip()
        if not token:
            raise Unauthenticated("缺少访问令牌", "No access token")
        if self._keys is not None and self._stale():
            try:
                self._refresh(force=False)  # drops the tokens of keys Keycloak no longer publishes
            except Exception as exc:  # Keycloak away: keep the keys we have
                log.warning("jwks refresh failed: %s", exc)
        hit = self._verified.get(token)
        if hit is not None:
            now = self.clock()
            if hit[2] - CLOCK_LEEWAY_SECONDS <= now <= hit[1] + CLOCK_LEEWAY_SECONDS:
                return hit[0]
            self._verified.pop(token, None)
        principal, exp, nbf, kid = self._verify_uncached(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # crude but bounded; tokens live minutes, so refilling is cheap
        self._verified[token] = (principal, exp, nbf, kid)
        return principal

    def _verify_uncached(self, token: str) -> tuple[Principal, float, float, str | None]:
        try:
            parsed = jws.JWS()
            parsed.deserialize(token)
            header = parsed.jose_header
        except (JWException, ValueError, TypeError):
            raise Unauthenticated("访问令牌格式错误", "Malformed access token") from None
        if isinstance(header, list) or header.get("alg") not in ALLOWED_ALGORITHMS:
            raise Unauthenticated("不允许的签名算法", "Signature algorithm not allowed")
        try:
            key = self._key_for(header.get("kid"))
        except Exception as exc:  # Keycloak unreachable: a 503-class problem, not the caller's fault
            log.warning("jwks fetch failed: %s", exc)
            raise Unavailable("暂时无法验证令牌，请稍后重试", "Cannot verify tokens right now; retry later") from None
        if key is None:
            raise Unauthenticated("签名密钥未知", "Unknown signing key")
        try:
            parsed.verify(key, alg=header["alg"])
            claims = json.loads(parsed.payload)
        except (JWException, ValueError):
            raise Unauthenticated("签名校验失败", "Signature verification failed") from None
        check_claims(claims, now=self.clock(), issuer=self.kc.issuer, audience=self.kc.audience)
        nbf = claims.get("nbf")
        return (principal_from_claims(claims), float(claims["exp"]), float(nbf) if isinstance(nbf, (int, float)) else 0.0,
                header.get("kid"))


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("缺少访问令牌", "No access token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("授权头格式应为 Bearer <令牌>", "Authorization header must be 'Bearer <token>'")
    return token.strip()


def current_principal() -> Principal:
    principal = principal_var.get()
    if principal is None:
        raise Unauthenticated()
    return principal


def require_roles(principal: Principal, *roles: str) -> None:
    if not principal.has_any_role(*roles):
        raise PermissionDenied("当前角色无权执行此操作", f"Requires one of the roles: {', '.join(roles)}")
