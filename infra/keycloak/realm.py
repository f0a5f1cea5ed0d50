"""The Keycloak realm `safety`, kept as code and applied idempotently with python-keycloak
(`python -m infra.keycloak.realm`, run by `make up`). Re-running changes nothing.

What it declares: the realm, the user attributes `region`, `uscc` and `phone` (administrators
only may change them), the platform's realm roles (services/kit/roles.py), a `safety-api` client
scope that puts the API audience, the caller's region and — for an enterprise's staff account —
its credit code into every access token, the integrators' read-only scopes, the gateway's
web-login client `safety-web` (authorization code + PKCE), the platform's own admin client
`safety-platform-admin` (used by onboarding to manage enterprise clients and staff accounts) and —
unless SAFETY_DEMO_CONTENT=0 — the local-only demo accounts and clients listed in the README and
docs/identity.md."""
from __future__ import annotations

import os
from dataclasses import dataclass

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakGetError

from services.datacenter.onboarding.keycloak_clients import (
    API_SCOPE, PLATFORM_ADMIN_CLIENT, EnterpriseClients, enterprise_client_id)
from services.datacenter.onboarding.keycloak_users import EnterpriseUsers
from services.kit import config, roles
from services.kit.keycloak_admin import ensure_client, ensure_realm_role

REALM = config.keycloak().realm
AUDIENCE = config.keycloak().audience
DEV_CLIENT = "safety-dev-cli"  # local-only: password grant for demo staff and tests
WEB_CLIENT = "safety-web"      # the gateway's browser login (confidential, code flow + PKCE)
# What the platform's admin client may do in the realm: manage clients (enterprise clients) and
# the role mappings of their service accounts, and users (enterprises' staff accounts); nothing in
# other realms.
PLATFORM_ADMIN_RIGHTS = ("manage-clients", "view-clients", "query-clients", "manage-users", "view-users", "view-realm")


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
    sector: str                   # the supervised sector (监管行业 dictionary): decides its checklist and class
    legal_representative: str
    standardization_grade: str | None = None

    @property
    def client_id(self) -> str:
        return enterprise_client_id(self.uscc)

    @property
    def submission(self) -> dict:
        """The enterprise's own submission of its basic record (POST /api/v1/enterprises)."""
        return {"uscc": self.uscc, "name": self.name, "region_code": self.region, "address": self.address, "industry_code": self.industry}

    @property
    def profile(self) -> dict:
        """What supervision judges it by, set on its record afterwards (PATCH /api/v1/enterprises/{uscc})."""
        return {"sector": self.sector, "legal_representative": self.legal_representative,
                "standardization_grade": self.standardization_grade}


DEMO_PASSWORD = "demo-local-only"
_COUNTY_OFFICERS = (("kongtong", "崆峒区", "620802"), ("jingchuan", "泾川县", "620821"), ("lingtai", "灵台县", "620822"),
                    ("chongxin", "崇信县", "620823"), ("zhuanglang", "庄浪县", "620825"), ("jingning", "静宁县", "620826"),
                    ("huating", "华亭市", "620881"))
DEMO_USERS = (
    DemoUser("city-admin", "平凉市管理员", "620800", (roles.PLATFORM_ADMIN, roles.DATACENTER_ADMIN, roles.SUPERVISION_SUPERVISOR)),
    *(DemoUser(f"{slug}-inspector", f"{zh}检查员", code, (roles.SUPERVISION_INSPECTOR, roles.DATACENTER_VIEWER))
      for slug, zh, code in _COUNTY_OFFICERS),
    DemoUser("city-duty", "市应急值班员", "620800", (roles.EMERGENCY_DUTY_OFFICER, roles.DATACENTER_VIEWER)),
    DemoUser("city-commander", "市应急指挥长", "620800", (roles.EMERGENCY_COMMANDER, roles.DATACENTER_VIEWER)),
    DemoUser("kongtong-duty", "崆峒区应急值班员", "620802", (roles.EMERGENCY_DUTY_OFFICER, roles.DATACENTER_VIEWER)),
    DemoUser("kongtong-commander", "崆峒区应急指挥长", "620802", (roles.EMERGENCY_COMMANDER, roles.DATACENTER_VIEWER)),
)
DEMO_ENTERPRISES = (
    DemoEnterprise("91620802MA71KT001D", "平凉市崆峒化工有限公司", "620802", "甘肃省平凉市崆峒区工业园区纬一路8号", "C2614",
                   "hazardous_chemicals", "王志强", "3"),
    DemoEnterprise("91620821MA72JC002N", "泾川县恒达煤业有限责任公司", "620821", "甘肃省平凉市泾川县高平镇煤矿路1号", "B0610", "coal", "赵德明"),
)


@dataclass(frozen=True)
class DemoEnterpriseUser:
    """A person of a demo enterprise (services/datacenter/onboarding/keycloak_users.py), with the
    demo password, not temporary, so the demo and tests log in at once (no first-login change)."""
    username: str
    name: str
    enterprise: DemoEnterprise
    role: str
    phone: str


_KT, _JC = DEMO_ENTERPRISES
DEMO_ENTERPRISE_USERS = (
    DemoEnterpriseUser("ktchem-admin", "李建国", _KT, roles.ENTERPRISE_ADMIN, "13909331001"),
    DemoEnterpriseUser("ktchem-safety", "王秀兰", _KT, roles.ENTERPRISE_STAFF, "13909331002"),
    DemoEnterpriseUser("hengda-admin", "张志强", _JC, roles.ENTERPRISE_ADMIN, "13909332001"),
    DemoEnterpriseUser("hengda-safety", "刘海涛", _JC, roles.ENTERPRISE_STAFF, "13909332002"),
)


@dataclass(frozen=True)
class DemoIntegrator:
    client_id: str
    name: str
    region: str
    scopes: tuple[str, ...]


DEMO_INTEGRATOR = DemoIntegrator("integ-pingliang-gis", "平凉市地理信息共享平台（演示）", "620800", ("datacenter.read",))


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


# User attributes the platform sets and only administrators may change. Keycloak 26 keeps an
# attribute the user profile does not declare nowhere (unmanaged attributes are disabled: a write
# answers 2xx and stores nothing), so each is declared; `edit: admin` keeps users from changing
# them in the account console or on a login form.
PROFILE_ATTRIBUTES = (
    {"name": "region", "displayName": "行政区划代码",
     "validations": {"pattern": {"pattern": r"^\d{6}(\d{3}(\d{3})?)?$", "error-message": "行政区划代码应为6、9或12位数字"}},
     "permissions": {"view": ["admin", "user"], "edit": ["admin"]}},
    {"name": "uscc", "displayName": "统一社会信用代码",
     "validations": {"pattern": {"pattern": r"^[0-9A-HJ-NPQRTUWXY]{18}$", "error-message": "统一社会信用代码应为18位"}},
     "permissions": {"view": ["admin", "user"], "edit": ["admin"]}},
    {"name": "phone", "displayName": "联系电话",
     "validations": {"length": {"max": 32}},
     "permissions": {"view": ["admin", "user"], "edit": ["admin"]}},
)
# Keycloak's default profile requires a last name and an e-mail address from every user
# (VERIFY_PROFILE: a login without them stops at "Account is not fully set up"). An enterprise's
# person has one Chinese name (kept whole in firstName) and often no e-mail: neither is required.
NOT_REQUIRED = ("lastName", "email")


def ensure_user_profile(a: KeycloakAdmin) -> None:
    profile = a.get_realm_users_profile()
    changed = False
    by_name = {attr["name"]: attr for attr in profile["attributes"]}
    for wanted in PROFILE_ATTRIBUTES:
        have = by_name.get(wanted["name"])
        if have is None:
            profile["attributes"].append(dict(wanted))
            changed = True
        elif any(have.get(k) != v for k, v in wanted.items()):
            have.update(wanted)
            changed = True
    for name in NOT_REQUIRED:
        if by_name.get(name, {}).pop("required", None) is not None:
            changed = True
    if changed:
        a.update_realm_users_profile(profile)


def ensure_roles(a: KeycloakAdmin) -> None:
    existing = {r["name"] for r in a.get_realm_roles()}
    for name, zh in roles.NAMES_ZH.items():
        if name not in existing:
            a.create_realm_role({"name": name, "description": zh})


def ensure_api_scope(a: KeycloakAdmin) -> None:
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
        # An enterprise's staff account (keycloak_users.py): its credit code makes it kind "enterprise".
        # Users without the attribute (agency staff, service accounts) get no claim from it.
        {"name": "uscc", "protocol": "openid-connect", "protocolMapper": "oidc-usermodel-attribute-mapper",
         "config": {"user.attribute": "uscc", "claim.name": "uscc", "jsonType.label": "String",
                    "access.token.claim": "true", "id.token.claim": "true", "userinfo.token.claim": "true"}},
    ]
    for m in wanted:
        if m["name"] not in mappers:
            a.add_mapper_to_client_scope(scope["id"], m)
    defaults = {s["name"] for s in a.get_default_default_client_scopes()}
    if API_SCOPE not in defaults:
        a.add_default_default_client_scope(scope["id"])


def ensure_integrator_scopes(a: KeycloakAdmin) -> None:
    """Read-only scopes an administrator grants integrators; they appear in the token's `scope`."""
    existing = {s["name"] for s in a.get_client_scopes()}
    for name, zh in roles.INTEGRATOR_SCOPES.items():
        if name not in existing:
            a.create_client_scope({"name": name, "protocol": "openid-connect", "description": zh,
                                   "attributes": {"include.in.token.scope": "true", "display.on.consent.screen": "false"}})


def gateway_urls() -> list[str]:
    public = config.env("SAFETY_GATEWAY_PUBLIC_URL", f"http://127.0.0.1:{config.ports().gateway}").rstrip("/")
    return sorted({public, f"http://127.0.0.1:{config.ports().gateway}", f"http://localhost:{config.ports().gateway}"})


def ensure_web_client(a: KeycloakAdmin) -> None:
    """The gateway logs staff in with the authorization code flow and PKCE (S256); it is a
    confidential client, so tokens stay on the server and never reach browser JavaScript."""
    urls = gateway_urls()
    ensure_client(a, {
        "clientId": WEB_CLIENT, "name": "平台网页登录", "enabled": True, "protocol": "openid-connect",
        "publicClient": False, "secret": config.env("SAFETY_WEB_CLIENT_SECRET", "safety-web-local-only"),
        "standardFlowEnabled": True, "directAccessGrantsEnabled": False, "implicitFlowEnabled": False,
        "serviceAccountsEnabled": False, "frontchannelLogout": False,
        "redirectUris": [f"{u}/auth/callback" for u in urls], "webOrigins": urls,
        "attributes": {"pkce.code.challenge.method": "S256", "post.logout.redirect.uris": "##".join(f"{u}/*" for u in urls)},
    }, default_scopes=(API_SCOPE,))


def ensure_platform_admin_client(a: KeycloakAdmin) -> None:
    cid = ensure_client(a, {
        "clientId": PLATFORM_ADMIN_CLIENT, "name": "平台内部管理（企业接入）", "enabled": True, "protocol": "openid-connect",
        "publicClient": False, "secret": config.env("SAFETY_PLATFORM_ADMIN_SECRET", "safety-platform-admin-local-only"),
        "standardFlowEnabled": False, "directAccessGrantsEnabled": False, "serviceAccountsEnabled": True,
    }, default_scopes=(API_SCOPE,))
    sa = a.get_client_service_account_user(cid)
    rm = a.get_client_id("realm-management")
    held = {r["name"] for r in a.get_client_roles_of_user(sa["id"], rm)}
    missing = [a.get_client_role(rm, r) for r in PLATFORM_ADMIN_RIGHTS if r not in held]
    if missing:
        a.assign_client_role(sa["id"], rm, missing)


def ensure_enterprise_client(a: KeycloakAdmin, *, uscc: str, region: str, name: str, secret: str | None = None) -> tuple[str, str]:
    """A machine client bound to one enterprise (see services/datacenter/onboarding/keycloak_clients.py).
    Returns (client_id, secret)."""
    cid = EnterpriseClients(admin_factory=lambda: a).ensure(uscc=uscc, region=region, name=name, secret=secret)
    return enterprise_client_id(uscc), a.get_client_secrets(cid)["value"]


def ensure_integrator(a: KeycloakAdmin, i: DemoIntegrator) -> None:
    cid = ensure_client(a, {
        "clientId": i.client_id, "name": i.name, "enabled": True, "protocol": "openid-connect", "publicClient": False,
        "secret": demo_secret(i.client_id), "serviceAccountsEnabled": True, "standardFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "protocolMappers": [{"name": "region", "protocol": "openid-connect", "protocolMapper": "oidc-hardcoded-claim-mapper",
                             "config": {"claim.name": "region", "claim.value": i.region, "jsonType.label": "String",
                                        "access.token.claim": "true", "id.token.claim": "false", "userinfo.token.claim": "false"}}],
    }, default_scopes=(API_SCOPE, *i.scopes))
    ensure_realm_role(a, a.get_client_service_account_user(cid)["id"], roles.INTEGRATOR)


def ensure_demo(a: KeycloakAdmin) -> None:
    ensure_client(a, {"clientId": DEV_CLIENT, "name": "本地开发与测试（仅限本机）", "enabled": True, "publicClient": True,
                       "standardFlowEnabled": False, "directAccessGrantsEnabled": True, "protocol": "openid-connect"},
                  default_scopes=(API_SCOPE,))
    for u in DEMO_USERS:
        uid = a.get_user_id(u.username)
        if uid is None:
            uid = a.create_user({"username": u.username, "enabled": True, "firstName": u.name,
                                 "email": f"{u.username}@demo.invalid", "emailVerified": True,
                                 "attributes": {"region": [u.region]},
                                 "credentials": [{"type": "password", "value": DEMO_PASSWORD, "temporary": False}]})
        elif (rep := a.get_user(uid)).get("lastName") == "演示":  # made by an earlier version: the name claim read "王某 演示"
            a.update_user(uid, rep | {"lastName": ""})  # the whole representation: a partial one may drop the region attribute
        for r in u.roles:
            ensure_realm_role(a, uid, r)
    for e in DEMO_ENTERPRISES:
        ensure_enterprise_client(a, uscc=e.uscc, region=e.region, name=e.name, secret=demo_secret(e.client_id))
    users = EnterpriseUsers(admin_factory=lambda: a)
    for u in DEMO_ENTERPRISE_USERS:
        users.ensure(username=u.username, uscc=u.enterprise.uscc, region=u.enterprise.region, display_name=u.name,
                     phone=u.phone, email=f"{u.username}@demo.invalid", role=u.role, password=DEMO_PASSWORD)
    ensure_integrator(a, DEMO_INTEGRATOR)


def apply() -> None:
    a = admin()
    ensure_realm(a)
    ensure_user_profile(a)
    ensure_roles(a)
    ensure_api_scope(a)
    ensure_integrator_scopes(a)
    ensure_web_client(a)
    ensure_platform_admin_client(a)
    if os.environ.get("SAFETY_DEMO_CONTENT", "1") != "0":
        ensure_demo(a)
    print(f"\033[1;32m[platform]\033[0m keycloak realm '{REALM}' applied", flush=True)


if __name__ == "__main__":
    try:
        apply()
    except KeycloakGetError as exc:
        raise SystemExit(f"realm apply failed: {exc}")
