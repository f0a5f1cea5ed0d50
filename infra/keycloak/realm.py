"""The Keycloak realm `safety`, kept as code and applied idempotently with python-keycloak
(`python -m infra.keycloak.realm`, run by `make up`). Re-running changes nothing.

What it declares: the realm, the `region` user attribute, the platform's realm roles
(services/kit/roles.py), a `safety-api` client scope that puts the API audience and the caller's
region into every access token, and — unless SAFETY_DEMO_CONTENT=0 — the local-only demo accounts
and enterprise clients listed in the README."""
from __future__ import annotations

import os
from dataclasses import dataclass

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakGetError

from services.kit import config, roles

REALM = config.keycloak().realm
AUDIENCE = config.keycloak().audience
API_SCOPE = "safety-api"
DEV_CLIENT = "safety-dev-cli"  # local-only: password grant for demo staff and tests


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    region: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DemoEnterprise:
    uscc: str
    name: str
    region: str
    address: str
    industry: str

    @property
    def client_id(self) -> str:
        return enterprise_client_id(self.uscc)


DEMO_PASSWORD = "demo-local-only"
DEMO_USERS = (
    DemoUser("city-admin", "平凉市管理员", "620800", (roles.PLATFORM_ADMIN, roles.DATACENTER_ADMIN, roles.SUPERVISION_SUPERVISOR)),
    DemoUser("kongtong-inspector", "崆峒区检查员", "620802", (roles.SUPERVISION_INSPECTOR, roles.DATACENTER_VIEWER)),
    DemoUser("jingchuan-inspector", "泾川县检查员", "620821", (roles.SUPERVISION_INSPECTOR, roles.DATACENTER_VIEWER)),
)
DEMO_ENTERPRISES = (
    DemoEnterprise("91620802MA71KT001D", "平凉市崆峒化工有限公司", "620802", "甘肃省平凉市崆峒区工业园区纬一路8号", "C2614"),
    DemoEnterprise("91620821MA72JC002N", "泾川县恒达煤业有限责任公司", "620821", "甘肃省平凉市泾川县高平镇煤矿路1号", "B0610"),
)


def enterprise_client_id(uscc: str) -> str:
    return f"ent-{uscc.lower()}"


def demo_secret(client_id: str) -> str:
    return f"{client_id}-secret-local-only"


def admin() -> KeycloakAdmin:
    kc = config.keycloak()
    a = KeycloakAdmin(server_url=kc.url + "/", username=os.environ.get("SAFETY_KEYCLOAK_ADMIN", "admin"),
                      password=os.environ.get("SAFETY_KEYCLOAK_ADMIN_PASSWORD", "admin-local-only"),
                      realm_name="master", user_realm_name="master")
    if _realm_exists(a):
        a.change_current_realm(REALM)
    return a


def _realm_exists(a: KeycloakAdmin) -> bool:
    return any(r["realm"] == REALM for r in a.get_realms())


def ensure_realm(a: KeycloakAdmin) -> None:
    if not _realm_exists(a):
        a.create_realm({"realm": REALM, "enabled": True, "displayName": "平凉市安全生产信息平台",
                        "internationalizationEnabled": True, "supportedLocales": ["zh-CN", "en"], "defaultLocale": "zh-CN",
                        "accessTokenLifespan": 300, "sslRequired": "external", "bruteForceProtected": True})
    a.change_current_realm(REALM)


def ensure_region_attribute(a: KeycloakAdmin) -> None:
    """Keycloak's declarative user profile rejects unknown attributes; declare `region`."""
    profile = a.get_realm_users_profile()
    if not any(attr["name"] == "region" for attr in profile["attributes"]):
        profile["attributes"].append({
            "name": "region", "displayName": "行政区划代码",
            "validations": {"pattern": {"pattern": r"^\d{6}(\d{3}(\d{3})?)?$", "error-message": "行政区划代码应为6、9或12位数字"}},
            "permissions": {"view": ["admin", "user"], "edit": ["admin"]},
        })
        a.update_realm_users_profile(profile)


def ensure_roles(a: KeycloakAdmin) -> None:
    existing = {r["name"] for r in a.get_realm_roles()}
    for name, zh in roles.NAMES_ZH.items():
        if name not in existing:
            a.create_realm_role({"name": name, "description": zh})


def ensure_api_scope(a: KeycloakAdmin) -> str:
    scope = next((s for s in a.get_client_scopes() if s["name"] == API_SCOPE), None)
    if scope is None:
        a.create_client_scope({"name": API_SCOPE, "protocol": "openid-connect",
                               "description": "平台API访问：受众与行政区划", "attributes": {"include.in.token.scope": "true"}})
        scope = next(s for s in a.get_client_scopes() if s["name"] == API_SCOPE)
    mappers = {m["name"] for m in a.get_mappers_from_client_scope(scope["id"])}
    wanted = [
        {"name": "api-audience", "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper",
         "config": {"included.custom.audience": AUDIENCE, "access.token.claim": "true", "id.token.claim": "false"}},
        {"name": "region", "protocol": "openid-connect", "protocolMapper": "oidc-usermodel-attribute-mapper",
         "config": {"user.attribute": "region", "claim.name": "region", "jsonType.label": "String",
                    "access.token.claim": "true", "id.token.claim": "true", "userinfo.token.claim": "true"}},
    ]
    for m in wanted:
        if m["name"] not in mappers:
            a.add_mapper_to_client_scope(scope["id"], m)
    defaults = {s["name"] for s in a.get_default_default_client_scopes()}
    if API_SCOPE not in defaults:
        a.add_default_default_client_scope(scope["id"])
    return scope["id"]


def _ensure_client(a: KeycloakAdmin, rep: dict, scope_id: str) -> str:
    cid = a.get_client_id(rep["clientId"])
    if cid is None:
        a.create_client(rep)
        cid = a.get_client_id(rep["clientId"])
    if API_SCOPE not in {s["name"] for s in a.get_client_default_client_scopes(cid)}:
        a.add_client_default_client_scope(cid, scope_id, {})
    return cid


def ensure_enterprise_client(a: KeycloakAdmin, *, uscc: str, region: str, name: str, secret: str | None = None,
                             scope_id: str | None = None) -> tuple[str, str]:
    """A machine client bound to one enterprise: its tokens carry `uscc` and `region` claims and
    the `enterprise` role. Returns (client_id, secret)."""
    client_id = enterprise_client_id(uscc)
    scope_id = scope_id or ensure_api_scope(a)
    rep = {"clientId": client_id, "name": name, "enabled": True, "protocol": "openid-connect",
           "publicClient": False, "serviceAccountsEnabled": True, "standardFlowEnabled": False,
           "directAccessGrantsEnabled": False, "implicitFlowEnabled": False,
           "attributes": {"uscc": uscc}, **({"secret": secret} if secret else {}),
           "protocolMappers": [
               {"name": claim, "protocol": "openid-connect", "protocolMapper": "oidc-hardcoded-claim-mapper",
                "config": {"claim.name": claim, "claim.value": value, "jsonType.label": "String",
                           "access.token.claim": "true", "id.token.claim": "false", "userinfo.token.claim": "false"}}
               for claim, value in (("uscc", uscc), ("region", region))]}
    cid = _ensure_client(a, rep, scope_id)
    sa = a.get_client_service_account_user(cid)
    if roles.ENTERPRISE not in {r["name"] for r in a.get_realm_roles_of_user(sa["id"])}:
        a.assign_realm_roles(sa["id"], [a.get_realm_role(roles.ENTERPRISE)])
    return client_id, a.get_client_secrets(cid)["value"]


def ensure_demo(a: KeycloakAdmin, scope_id: str) -> None:
    _ensure_client(a, {"clientId": DEV_CLIENT, "name": "本地开发与测试（仅限本机）", "enabled": True, "publicClient": True,
                       "standardFlowEnabled": False, "directAccessGrantsEnabled": True, "protocol": "openid-connect"}, scope_id)
    for u in DEMO_USERS:
        uid = a.get_user_id(u.username)
        if uid is None:
            uid = a.create_user({"username": u.username, "enabled": True, "firstName": u.name, "lastName": "演示",
                                 "email": f"{u.username}@demo.invalid", "emailVerified": True,
                                 "attributes": {"region": [u.region]},
                                 "credentials": [{"type": "password", "value": DEMO_PASSWORD, "temporary": False}]})
        held = {r["name"] for r in a.get_realm_roles_of_user(uid)}
        missing = [a.get_realm_role(r) for r in u.roles if r not in held]
        if missing:
            a.assign_realm_roles(uid, missing)
    for e in DEMO_ENTERPRISES:
        ensure_enterprise_client(a, uscc=e.uscc, region=e.region, name=e.name, secret=demo_secret(e.client_id), scope_id=scope_id)


def apply() -> None:
    a = admin()
    ensure_realm(a)
    ensure_region_attribute(a)
    ensure_roles(a)
    scope_id = ensure_api_scope(a)
    if os.environ.get("SAFETY_DEMO_CONTENT", "1") != "0":
        ensure_demo(a, scope_id)
    print(f"\033[1;32m[platform]\033[0m keycloak realm '{REALM}' applied", flush=True)


if __name__ == "__main__":
    try:
        apply()
    except KeycloakGetError as exc:
        raise SystemExit(f"realm apply failed: {exc}")
