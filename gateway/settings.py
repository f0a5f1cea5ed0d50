"""The gateway's own settings, from environment variables with safe local defaults."""
from __future__ import annotations

from dataclasses import dataclass

from services.kit import config


@dataclass(frozen=True)
class RateLimit:
    rate: float   # requests per second, sustained
    burst: int    # requests allowed at once


@dataclass(frozen=True)
class GatewaySettings:
    public_url: str             # how browsers reach the gateway (redirect URIs, cookie security)
    keycloak_public_url: str    # how browsers reach Keycloak (the login page)
    web_client_id: str
    web_client_secret: str
    session_cookie: str
    csrf_cookie: str
    login_cookie: str
    per_subject: RateLimit      # per authenticated user or client
    per_address: RateLimit      # per client address, for deliberately public endpoints
    max_body_bytes: int

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @classmethod
    def from_env(cls) -> "GatewaySettings":
        env = config.env
        return cls(
            public_url=env("SAFETY_GATEWAY_PUBLIC_URL", f"http://127.0.0.1:{config.ports().gateway}").rstrip("/"),
            keycloak_public_url=env("SAFETY_KEYCLOAK_PUBLIC_URL", config.keycloak().url).rstrip("/"),
            web_client_id=env("SAFETY_WEB_CLIENT_ID", "safety-web"),
            web_client_secret=env("SAFETY_WEB_CLIENT_SECRET", "safety-web-local-only"),
            session_cookie="safety_session",
            csrf_cookie="safety_csrf",
            login_cookie="safety_login",
            per_subject=RateLimit(float(env("SAFETY_RATE_PER_SUBJECT", "50")), int(env("SAFETY_RATE_BURST_PER_SUBJECT", "100"))),
            per_address=RateLimit(float(env("SAFETY_RATE_PER_ADDRESS", "5")), int(env("SAFETY_RATE_BURST_PER_ADDRESS", "60"))),
            max_body_bytes=int(env("SAFETY_MAX_BODY_BYTES", str(1 << 20))),
        )
