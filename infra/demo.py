"""Loads Pingliang demo data through the real front door: each demo enterprise's client gets a
token from Keycloak and submits its basic information to the gateway. Idempotent (fixed
idempotency keys, and an unchanged submission changes nothing)."""
from __future__ import annotations

import httpx
from keycloak import KeycloakOpenID

from infra.keycloak.realm import DEMO_ENTERPRISES, demo_secret
from services.kit import config


def main() -> None:
    kc = config.keycloak()
    gateway = config.gateway_url()
    for e in DEMO_ENTERPRISES:
        token = KeycloakOpenID(server_url=kc.url + "/", realm_name=kc.realm, client_id=e.client_id,
                               client_secret_key=demo_secret(e.client_id)).token(grant_type="client_credentials")["access_token"]
        r = httpx.post(f"{gateway}/api/v1/enterprises", timeout=15,
                       headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"demo-{e.uscc}-1"},
                       json={"uscc": e.uscc, "name": e.name, "region_code": e.region, "address": e.address, "industry_code": e.industry})
        if r.status_code not in (200, 201):
            raise SystemExit(f"demo data: {e.name}: {r.status_code} {r.text}")
    print(f"\033[1;32m[platform]\033[0m demo data loaded: {len(DEMO_ENTERPRISES)} enterprises", flush=True)


if __name__ == "__main__":
    main()
