"""Enterprise staff accounts in Keycloak (python-keycloak admin API): the one place that knows how
an enterprise's *person* looks. Used by onboarding (through the `safety-platform-admin` service
account, like the enterprise clients) and by infra/keycloak/realm.py for the local demo accounts.

An enterprise user: a realm user whose attributes `uscc` (the enterprise's credit code) and
`region` (the enterprise's region) only administrators may change (declared in the realm's user
profile), with the realm roles `enterprise` and one of `enterprise-admin` / `enterprise-staff`.
The `safety-api` scope maps `uscc` into the access token, which makes its Principal kind
"enterprise" (services/kit/auth.py). `firstName` holds the person's whole name (the token's `name`
claim); `lastName` stays empty, Chinese names are not split."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError

from services.datacenter.onboarding.keycloak_clients import platform_admin
from services.kit import roles
from services.kit.keycloak_admin import ensure_realm_role

# Initial passwords: no look-alike characters (0/O, 1/l/I), one of each class guaranteed.
_LOWER, _UPPER, _DIGITS = "abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789"
PASSWORD_LENGTH = 16


def initial_password(length: int = PASSWORD_LENGTH) -> str:
    alphabet = _LOWER + _UPPER + _DIGITS
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c in _LOWER for c in pw) and any(c in _UPPER for c in pw) and any(c in _DIGITS for c in pw):
            return pw


class UsernameTaken(Exception):
    """Keycloak already has a user with this username (field "username") or e-mail ("email")."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class UserInfo:
    id: str
    username: str
    uscc: str
    region: str
    display_name: str
    phone: str
    email: str
    role: str               # enterprise-admin | enterprise-staff; "" when it holds neither
    enabled: bool
    created_at: datetime | None
    password_change_required: bool


def _attr(rep: dict, name: str) -> str:
    values = (rep.get("attributes") or {}).get(name) or []
    return values[0] if values else ""


def representation(*, username: str, uscc: str, region: str, display_name: str, phone: str, email: str = "",
                   password: str | None = None, temporary: bool = True) -> dict:
    rep = {"username": username, "enabled": True, "firstName": display_name, "lastName": "",
           "attributes": {"uscc": [uscc], "region": [region], "phone": [phone]}}
    if email:
        rep |= {"email": email, "emailVerified": False}
    if password is not None:
        rep["credentials"] = [{"type": "password", "value": password, "temporary": temporary}]
    return rep


class EnterpriseUsers:
    def __init__(self, admin_factory=platform_admin):
        self._factory = admin_factory
        self._admin: KeycloakAdmin | None = None

    @property
    def admin(self) -> KeycloakAdmin:
        if self._admin is None:
            self._admin = self._factory()
        return self._admin

    # --- reading -------------------------------------------------------------------------------
    def _info(self, rep: dict) -> UserInfo:
        held = {r["name"] for r in self.admin.get_realm_roles_of_user(rep["id"])}
        role = next((r for r in roles.ENTERPRISE_USER_ROLES if r in held), "")
        created = rep.get("createdTimestamp")
        return UserInfo(
            id=rep["id"], username=rep["username"], uscc=_attr(rep, "uscc"), region=_attr(rep, "region"),
            display_name=" ".join(p for p in (rep.get("firstName"), rep.get("lastName")) if p), phone=_attr(rep, "phone"),
            email=rep.get("email") or "", role=role, enabled=bool(rep.get("enabled")),
            created_at=datetime.fromtimestamp(created / 1000, timezone.utc) if created else None,
            password_change_required="UPDATE_PASSWORD" in (rep.get("requiredActions") or ()))

    def find(self, username: str) -> UserInfo | None:
        """The user with exactly this username, whoever they are (the caller checks the enterprise)."""
        found = [u for u in self.admin.get_users({"username": username, "exact": "true"}) if u["username"] == username]
        return self._info(found[0]) if found else None

    def of_enterprise(self, uscc: str) -> list[UserInfo]:
        """The enterprise's people, by username. Keycloak's attribute search is checked again here:
        only an exact `uscc` and an enterprise role count."""
        found = [u for u in self.admin.get_users({"q": f"uscc:{uscc}"}) if _attr(u, "uscc") == uscc]
        infos = [self._info(u) for u in found]
        return sorted((i for i in infos if i.role), key=lambda i: i.username)

    # --- writing -------------------------------------------------------------------------------
    def create(self, *, username: str, uscc: str, region: str, display_name: str, phone: str, email: str, role: str,
               password: str, temporary: bool = True) -> UserInfo:
        """A new user; never touches an existing one (UsernameTaken). If anything after the creation
        fails, the half-made user is deleted again."""
        assert role in roles.ENTERPRISE_USER_ROLES
        try:
            uid = self.admin.create_user(representation(username=username, uscc=uscc, region=region, display_name=display_name,
                                                        phone=phone, email=email, password=password, temporary=temporary))
        except KeycloakError as exc:
            if getattr(exc, "response_code", None) == 409:
                raise UsernameTaken("email" if b"email" in (exc.response_body or b"").lower() else "username") from None
            raise
        try:
            self._ensure_roles(uid, role)
            info = self._info(self.admin.get_user(uid))
            if info.uscc != uscc or info.region != region:  # the user profile dropped them: never leave such a user behind
                raise RuntimeError("Keycloak did not keep the uscc/region attributes; are they declared in the user profile?")
            return info
        except BaseException:
            try:
                self.admin.delete_user(uid)
            except Exception:  # noqa: BLE001 — the original failure is the one to report
                pass
            raise

    def ensure(self, *, username: str, uscc: str, region: str, display_name: str, phone: str, email: str, role: str,
               password: str) -> str:
        """For the realm's demo accounts: create with a permanent password, or bring an existing user
        back to the declared attributes and roles (its password is left alone). Returns its id."""
        rep = representation(username=username, uscc=uscc, region=region, display_name=display_name, phone=phone, email=email)
        uid = self.admin.get_user_id(username)
        if uid is None:
            uid = self.admin.create_user(rep | {"emailVerified": True,
                                                "credentials": [{"type": "password", "value": password, "temporary": False}]})
        else:
            current = self.admin.get_user(uid)
            if any(_attr(current, k) != v[0] for k, v in rep["attributes"].items()) or current.get("firstName") != display_name:
                self.admin.update_user(uid, {**current, "firstName": display_name, "lastName": "",
                                             "attributes": {**(current.get("attributes") or {}), **rep["attributes"]}})
        self._ensure_roles(uid, role)
        return uid

    def _ensure_roles(self, uid: str, role: str) -> None:
        ensure_realm_role(self.admin, uid, roles.ENTERPRISE)
        ensure_realm_role(self.admin, uid, role)

    def set_enabled(self, user: UserInfo, enabled: bool) -> UserInfo:
        current = self.admin.get_user(user.id)
        self.admin.update_user(user.id, {**current, "enabled": enabled})
        if not enabled:
            self.admin.user_logout(user.id)  # its refresh tokens and browser sessions end now
        return self._info(self.admin.get_user(user.id))

    def reset_password(self, user: UserInfo, password: str, *, temporary: bool = True) -> None:
        self.admin.set_user_password(user.id, password, temporary=temporary)
        self.admin.user_logout(user.id)
