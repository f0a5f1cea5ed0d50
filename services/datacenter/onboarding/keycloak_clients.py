"""Enterprise clients in Keycloak (python-keycloak admin API): the one place that knows how an
enterprise's machine client looks. Used by onboarding (through the `safety-platform-admin`
service account, which holds only client and user management rights in the `safety` realm)
and by infra/keycloak/realm.py for the local demo enterprises.

An enterprise client: confidential, client-credentials only, its tokens carry the `enterprise`
realm role and hard-coded `uscc` and `region` claims, and the `safety-api` audience scope."""
from __future__ import annotations

from dataclasses import dataclass

from keycloak import KeycloakAdmin, KeycloakOpenIDConnection

from services.kit import config, roles
from services.kit.keycloak_admin import ensure_client, ensure_realm_role

API_SCOPE = "safety-api"
CLIENT_PREFIX = "ent-"
PLATFORM_ADMIN_CLIENT = "safety-platform-admin"


def enterprise_client_id(uscc: str) -> str:
    return f"{CLIENT_PREFIX}{uscc.lower()}"


def representation(*, uscc: str, region: str, name: str, secret: str | None = None) -> dict:
    return {
        "clientId": enterprise_client_id(uscc), "name": name, "enabled": True, "protocol": "openid-connect",
        "publicClient": False, "serviceAccountsEnabled": True, "standardFlowEnabled": False,
        "directAccessGrantsEnabled": False, "implicitFlowEnabled": False,
        "attributes": {"uscc": uscc, "region": region}, **({"secret": secret} if secret else {}),
        "protocolMappers": [
            {"name": claim, "protocol": "openid-connect", "protocolMapper": "oidc-hardcoded-claim-mapper",
             "config": {"claim.name": claim, "claim.value": value, "jsonType.label": "String",
                        "access.token.claim": "true", "id.token.claim": "false", "userinfo.token.claim": "false"}}
            for claim, value in (("uscc", uscc), ("region", region))],
    }


@dataclass(frozen=True)
class ClientInfo:
    client_id: str
    uscc: str
    region: str
    name: str
    enabled: bool


def platform_admin() -> KeycloakAdmin:
    """Admin API as the platform's service account (not the master-realm administrator)."""
    kc = config.keycloak()
    return KeycloakAdmin(connection=KeycloakOpenIDConnection(
        server_url=kc.url + "/", realm_name=kc.realm, user_realm_name=kc.realm, client_id=PLATFORM_ADMIN_CLIENT,
        client_secret_key=config.env("SAFETY_PLATFORM_ADMIN_SECRET", "safety-platform-admin-local-only"),
        timeout=10))


class EnterpriseClients:
    def __init__(self, admin_factory=platform_admin):
        self._factory = admin_factory
        self._admin: KeycloakAdmin | None = None

    @property
    def admin(self) -> KeycloakAdmin:
        if self._admin is None:
            self._admin = self._factory()
        return self._admin

    def ensure(self, *, uscc: str, region: str, name: str, secret: str | None = None) -> str:
        """Create the client if it is missing (or bring it back to the declared shape and enable
        it); idempotent, so a retried approval after a failed commit is harmless. Returns its
        internal id."""
        cid = ensure_client(self.admin, representation(uscc=uscc, region=region, name=name, secret=secret),
                            default_scopes=(API_SCOPE,))
        ensure_realm_role(self.admin, self.admin.get_client_service_account_user(cid)["id"], roles.ENTERPRISE)
        return cid

    def provision(self, *, uscc: str, region: str, name: str) -> str:
        """Ensure the enterprise's client and give it a new secret, which is returned."""
        self.ensure(uscc=uscc, region=region, name=name)
        return self.new_secret(enterprise_client_id(uscc))

    def new_secret(self, client_id: str) -> str:
        cid = self._internal_id(client_id)
        return self.admin.generate_client_secrets(cid)["value"]

    def set_enabled(self, client_id: str, enabled: bool) -> None:
        self.admin.update_client(self._internal_id(client_id), {"clientId": client_id, "enabled": enabled})

    def all(self) -> list[ClientInfo]:
        out = []
        for c in self.admin.get_clients():
            attrs = c.get("attributes") or {}
            if c["clientId"].startswith(CLIENT_PREFIX) and attrs.get("uscc"):
                out.append(ClientInfo(c["clientId"], attrs["uscc"], attrs.get("region", ""), c.get("name") or attrs["uscc"],
                                      bool(c.get("enabled"))))
        return out

    def _internal_id(self, client_id: str) -> str:
        cid = self.admin.get_client_id(client_id)
        if cid is None:
            raise LookupError(client_id)
        return cid
