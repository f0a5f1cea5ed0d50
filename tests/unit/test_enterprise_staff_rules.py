"""Enterprise staff accounts: who may manage whose accounts, and what an account must contain
(services/datacenter/onboarding/rules.py), with no infrastructure."""
from __future__ import annotations

import pytest

from gateway.onboarding.router import MANAGE_USERS
from safety.datacenter.v1 import onboarding_pb2 as pb
from services.datacenter.onboarding import rules
from services.datacenter.onboarding.keycloak_users import UserInfo, initial_password, representation
from services.datacenter.onboarding.servicer import _password_withheld, user_proto
from services.kit import roles
from services.kit.auth import Principal, principal_from_claims
from services.kit.errors import Conflict, InvalidArgument, NotFound, PermissionDenied

KT, JC = "91620802MA71KT001D", "91620821MA72JC002N"   # 崆峒区 620802, 泾川县 620821


def who(kind: str, *role_names: str, region: str | None = "620800", uscc: str | None = None, subject: str = "s") -> Principal:
    return Principal(subject=subject, client_id="c", username="u", kind=kind, roles=frozenset(role_names), region=region, uscc=uscc)


CITY_ADMIN = who("staff", roles.PLATFORM_ADMIN)
KT_DC_ADMIN = who("staff", roles.DATACENTER_ADMIN, region="620802")
JC_DC_ADMIN = who("staff", roles.DATACENTER_ADMIN, region="620821")
KT_ENT_ADMIN = who("enterprise", roles.ENTERPRISE, roles.ENTERPRISE_ADMIN, region="620802", uscc=KT)
KT_ENT_STAFF = who("enterprise", roles.ENTERPRISE, roles.ENTERPRISE_STAFF, region="620802", uscc=KT)
KT_MACHINE = who("enterprise", roles.ENTERPRISE, region="620802", uscc=KT)


# --- who may manage ---------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [CITY_ADMIN, KT_DC_ADMIN, who("staff", roles.DATACENTER_ADMIN, region="620802001"), KT_ENT_ADMIN])
def test_managers_pass_the_role_check(p):
    rules.require_user_manager(p)


@pytest.mark.parametrize("p", [
    who("staff", roles.DATACENTER_VIEWER), who("staff", roles.SUPERVISION_SUPERVISOR), who("staff"),
    who("staff", roles.DATACENTER_ADMIN, region=None),   # an administrator without a region covers nothing
    KT_ENT_STAFF, KT_MACHINE,                             # the safety manager and the machine client do not manage people
    who("enterprise", roles.ENTERPRISE_ADMIN, uscc=None),  # no credit code, no enterprise
    who("integrator", roles.INTEGRATOR, roles.DATACENTER_ADMIN),
])
def test_nobody_else_does(p):
    with pytest.raises(PermissionDenied) as e:
        rules.require_user_manager(p)
    assert e.value.detail_zh and e.value.detail_en


def test_agency_administrators_manage_enterprises_within_their_region():
    assert rules.may_manage_enterprise(CITY_ADMIN, uscc=KT, region_code="620802")
    assert rules.may_manage_enterprise(KT_DC_ADMIN, uscc=KT, region_code="620802")
    assert rules.may_manage_enterprise(KT_DC_ADMIN, uscc=KT, region_code="620802100")  # a township of the county
    assert not rules.may_manage_enterprise(JC_DC_ADMIN, uscc=KT, region_code="620802")
    assert not rules.may_manage_enterprise(KT_DC_ADMIN, uscc=JC, region_code="620821")
    assert not rules.may_manage_enterprise(who("staff", roles.DATACENTER_VIEWER), uscc=KT, region_code="620802")


def test_an_enterprise_administrator_manages_only_its_own_enterprise():
    assert rules.may_manage_enterprise(KT_ENT_ADMIN, uscc=KT, region_code="620802")
    assert not rules.may_manage_enterprise(KT_ENT_ADMIN, uscc=JC, region_code="620821")
    # even another enterprise of its own county, or one its region attribute would cover
    assert not rules.may_manage_enterprise(KT_ENT_ADMIN, uscc="91620802MA71KT002B", region_code="620802")
    assert not rules.may_manage_enterprise(KT_ENT_STAFF, uscc=KT, region_code="620802")
    assert not rules.may_manage_enterprise(KT_MACHINE, uscc=KT, region_code="620802")


def test_another_enterprise_and_an_unknown_one_look_the_same():
    for p, uscc, region in ((KT_ENT_ADMIN, JC, "620821"), (JC_DC_ADMIN, KT, "620802"), (CITY_ADMIN, "91620802MA71KT999X", None),
                            (KT_ENT_ADMIN, KT, None)):
        with pytest.raises(NotFound) as e:
            rules.require_manages_enterprise(p, uscc=uscc, region_code=region)
        assert e.value.detail_zh == "未找到该单位"


def test_an_account_must_be_one_of_the_enterprises_people():
    rules.require_user_of(KT, user_uscc=KT, user_role=roles.ENTERPRISE_STAFF)
    rules.require_user_of(KT, user_uscc=KT, user_role=roles.ENTERPRISE_ADMIN)
    for user_uscc, role in ((JC, roles.ENTERPRISE_STAFF),   # another enterprise's person
                            (None, ""),                      # absent, or an agency officer (no credit code)
                            (KT, ""),                        # bound to the code but holding no enterprise role
                            (KT.lower(), roles.ENTERPRISE_ADMIN)):
        with pytest.raises(NotFound):
            rules.require_user_of(KT, user_uscc=user_uscc, user_role=role)


def test_an_administrator_cannot_disable_itself():
    with pytest.raises(Conflict):
        rules.refuse_self_disable(KT_ENT_ADMIN, user_id="s", enabled=False)
    rules.refuse_self_disable(KT_ENT_ADMIN, user_id="s", enabled=True)
    rules.refuse_self_disable(KT_ENT_ADMIN, user_id="other", enabled=False)


def test_the_gateway_declares_the_same_rule():
    """The route's Permission (read by the authorization matrix) lets the same callers through."""
    for p in (CITY_ADMIN, KT_DC_ADMIN, KT_ENT_ADMIN):
        assert MANAGE_USERS.allows(p)
    for p in (KT_ENT_STAFF, KT_MACHINE, who("staff", roles.DATACENTER_VIEWER), who("integrator", roles.INTEGRATOR)):
        assert not MANAGE_USERS.allows(p)
    assert MANAGE_USERS.record == "owner-or-region" and MANAGE_USERS.kinds == {"staff", "enterprise"}


# --- what an account contains -----------------------------------------------------------------------

def form(**overrides) -> rules.UserForm:
    fields = dict(username="ktchem-zhang", display_name="张安全", phone="13800001234", email="", role=roles.ENTERPRISE_STAFF)
    fields.update(overrides)
    return rules.UserForm.normalised(**fields)


@pytest.mark.parametrize("username", ["abc", "ktchem-admin", "zhang.san_01", "a" * 40, "0731-zhang", "li.3"])
def test_good_usernames(username):
    assert rules.username_violations(username) == []


@pytest.mark.parametrize("username", [
    "", "ab", "a" * 41, "张三", "zhang san", "-zhang", "zhang-", ".zhang", "zhang@corp", "ｚｈａｎｇ",
    "service-account-ent-91620802ma71kt001d", "Zhang",   # upper case is folded by normalised(), not accepted raw
])
def test_bad_usernames(username):
    found = rules.username_violations(username)
    assert [v.code for v in found] == ["username.format"] and found[0].message_zh and found[0].message_en


def test_usernames_are_folded_to_lower_case_and_trimmed():
    assert form(username="  KtChem-Zhang ").username == "ktchem-zhang"
    assert rules.normalised_username("İ") != "i"  # not ASCII after folding: refused by the format
    assert rules.username_violations(rules.normalised_username("ＡＢＣ")) != []


def test_a_good_form_passes():
    rules.validate_user(form())
    rules.validate_user(form(role=roles.ENTERPRISE_ADMIN, email="Zhang@Example.cn", phone="0933-8212345"))
    assert form(email="Zhang@Example.cn").email == "zhang@example.cn"
    assert form(phone="138 0000 1234").phone == "13800001234"


def test_a_bad_form_names_every_field():
    with pytest.raises(InvalidArgument) as e:
        rules.validate_user(form(username="x", display_name="", phone="12345", email="not-an-email", role=roles.PLATFORM_ADMIN))
    assert {v.field: v.code for v in e.value.violations} == {
        "username": "username.format", "display_name": "display_name.format", "phone": "phone.format",
        "email": "email.format", "role": "role.unknown"}
    assert all(v.message_zh and v.message_en for v in e.value.violations)


@pytest.mark.parametrize("role", [roles.ENTERPRISE, roles.DATACENTER_ADMIN, roles.PLATFORM_ADMIN, "", "Enterprise-Admin"])
def test_only_the_two_enterprise_roles_may_be_given(role):
    assert [v.field for v in rules.user_violations(form(role=role))] == ["role"]


@pytest.mark.parametrize("name", ["<script>", "张(三)", "a" * 51, "   ", "王\n五"])
def test_names_keycloak_would_refuse_are_refused_here(name):
    assert [v.field for v in rules.user_violations(form(display_name=name))] == ["display_name"]


@pytest.mark.parametrize("name", ["张三", "欧阳修远", "阿不都·热合曼", "Li Lei"])
def test_real_names(name):
    assert rules.user_violations(form(display_name=name)) == []


# --- the account in Keycloak and in answers --------------------------------------------------------

def test_the_keycloak_account_carries_the_enterprise_and_a_temporary_password():
    rep = representation(username="ktchem-zhang", uscc=KT, region="620802", display_name="张安全", phone="13800001234",
                         password="Pw", temporary=True)
    assert rep["attributes"] == {"uscc": [KT], "region": ["620802"], "phone": ["13800001234"]}
    assert rep["firstName"] == "张安全" and rep["lastName"] == "" and "email" not in rep
    assert rep["credentials"] == [{"type": "password", "value": "Pw", "temporary": True}]


def test_a_token_of_such_an_account_is_an_enterprise_principal():
    claims = {"sub": "u1", "azp": "safety-dev-cli", "preferred_username": "ktchem-zhang", "name": "张安全", "uscc": KT,
              "region": "620802", "realm_access": {"roles": [roles.ENTERPRISE, roles.ENTERPRISE_STAFF]}}
    p = principal_from_claims(claims)
    assert (p.kind, p.uscc, p.region, p.display_name) == ("enterprise", KT, "620802", "张安全")


def test_initial_passwords_are_long_mixed_and_different():
    seen = {initial_password() for _ in range(200)}
    assert len(seen) == 200
    for pw in seen:
        assert len(pw) == 16 and any(c.islower() for c in pw) and any(c.isupper() for c in pw) and any(c.isdigit() for c in pw)
        assert not set(pw) & set("0O1lI")


def test_answers_mask_the_phone_and_replays_withhold_the_password():
    user = UserInfo(id="i", username="ktchem-zhang", uscc=KT, region="620802", display_name="张安全", phone="13800001234",
                    email="", role=roles.ENTERPRISE_STAFF, enabled=True, created_at=None, password_change_required=True)
    assert user_proto(user).phone == "138****1234"
    response = pb.CreateEnterpriseUserResponse(user=user_proto(user), initial_password="Secret123")
    stored = _password_withheld(response)
    assert stored.initial_password == "" and stored.password_withheld and stored.user.username == "ktchem-zhang"
    assert response.initial_password == "Secret123", "the live answer keeps it"


def test_the_new_roles_are_not_agency_staff_roles():
    assert roles.ENTERPRISE_ADMIN not in roles.STAFF_ROLES and roles.ENTERPRISE_STAFF not in roles.STAFF_ROLES
    assert roles.NAMES_ZH[roles.ENTERPRISE_ADMIN] == "企业管理员" and roles.NAMES_ZH[roles.ENTERPRISE_STAFF] == "企业安全管理人员"
    assert not any(set(allowed) & set(roles.ENTERPRISE_USER_ROLES) for _, allowed in roles.PLATFORMS.values())
