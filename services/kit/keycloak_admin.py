"""Idempotent Keycloak admin steps (python-keycloak), shared by the realm-as-code in infra/ and
by services that manage clients at run time (the data centre's onboarding)."""
from __future__ import annotations

from keycloak import KeycloakAdmin


def ensure_client(a: KeycloakAdmin, rep: dict, *, default_scopes: tuple[str, ...] = ()) -> str:
    """Create the client, or bring an existing one back to `rep` (protocol mappers are set only at
    creation); give it `default_scopes` as default client scopes. Returns its internal id."""
    cid = a.get_client_id(rep["clientId"])
    if cid is None:
        a.create_client(rep, skip_exists=True)
        cid = a.get_client_id(rep["clientId"])
    else:
        a.update_client(cid, {k: v for k, v in rep.items() if k != "protocolMappers"})
    held = {s["name"] for s in a.get_client_default_client_scopes(cid)}
    missing = [name for name in default_scopes if name not in held]
    if missing:
        by_name = {s["name"]: s["id"] for s in a.get_client_scopes()}
        for name in missing:
            a.add_client_default_client_scope(cid, by_name[name], {})
    return cid


def ensure_realm_role(a: KeycloakAdmin, user_id: str, role: str) -> None:
    if role not in {r["name"] for r in a.get_realm_roles_of_user(user_id)}:
        a.assign_realm_roles(user_id, [a.get_realm_role(role)])
