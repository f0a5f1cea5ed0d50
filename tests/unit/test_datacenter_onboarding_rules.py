from __future__ import annotations

import pytest

from services.datacenter.audit_trail import rules as audit_rules
from services.datacenter.onboarding import rules
from services.kit import roles
from services.kit.auth import Principal
from services.kit.codes import uscc_check_char
from services.kit.errors import Conflict, NotFound, PermissionDenied

COUNTIES = {"620802", "620821"}
USCC17 = "91620802MA71KT001"
GOOD = dict(uscc=USCC17 + uscc_check_char(USCC17), name="平凉市崆峒化工有限公司", region_code="620802", contact_name="张安全",
            contact_phone="13800001234", email="a@b.cn", note="")


def form(**over) -> rules.ApplicationForm:
    return rules.ApplicationForm.normalised(**{**GOOD, **over})


def fields(**over) -> set[str]:
    return {v.field for v in rules.violations(form(**over), allowed_regions=COUNTIES)}


def test_a_complete_application_passes():
    assert fields() == set()
    assert form(uscc=" " + GOOD["uscc"].lower() + " ").uscc == GOOD["uscc"]


@pytest.mark.parametrize("over,field", [
    (dict(uscc=USCC17 + "0" if uscc_check_char(USCC17) != "0" else USCC17 + "1"), "uscc"),
    (dict(uscc=""), "uscc"), (dict(name="x"), "name"), (dict(region_code="620800"), "region_code"),
    (dict(region_code="110101"), "region_code"), (dict(contact_name=""), "contact_name"),
    (dict(contact_phone="12345"), "contact_phone"), (dict(contact_phone="23800001234"), "contact_phone"),
    (dict(email="no-at-sign"), "email"), (dict(note="长" * 501), "note"),
])
def test_each_bad_field_is_named(over, field):
    assert field in fields(**over)


@pytest.mark.parametrize("phone", ["13800001234", "0933-8211234", "09338211234", "138 0000 1234"])
def test_mobile_and_landline_numbers_are_accepted(phone):
    assert "contact_phone" not in fields(contact_phone=phone)


def test_duplicates_are_refused():
    with pytest.raises(Conflict):
        rules.refuse_duplicate(has_pending=True, has_enabled_client=False)
    with pytest.raises(Conflict):
        rules.refuse_duplicate(has_pending=False, has_enabled_client=True)
    rules.refuse_duplicate(has_pending=False, has_enabled_client=False)


def admin(region: str, *role_names: str, kind: str = "staff") -> Principal:
    return Principal("s", "c", "u", kind, frozenset(role_names or (roles.DATACENTER_ADMIN,)), region)


def test_only_data_centre_administrators_review():
    rules.require_reviewer(admin("620802"))
    rules.require_reviewer(admin("620800", roles.PLATFORM_ADMIN))
    for p in (admin("620802", roles.DATACENTER_VIEWER), admin("620802", kind="integrator"), admin(None)):
        with pytest.raises(PermissionDenied):
            rules.require_reviewer(p)


def test_outside_the_region_looks_like_absent():
    rules.require_in_scope(admin("620802"), "620802")
    rules.require_in_scope(admin("620800"), "620821")
    with pytest.raises(NotFound):
        rules.require_in_scope(admin("620802"), "620821")
    with pytest.raises(NotFound):
        rules.require_in_scope(admin("620802"), None)


def test_an_application_is_decided_once():
    rules.require_pending("pending")
    for status in ("approved", "rejected"):
        with pytest.raises(Conflict):
            rules.require_pending(status)


def test_enterprises_apply_in_counties_and_townships_of_the_jurisdiction():
    dictionary = [("620000", "甘肃省", "province"), ("620800", "平凉市", "city"), ("620802", "崆峒区", "county"),
                  ("620802001", "某街道", "township"), ("620102", "城关区", "county")]
    assert rules.allowed_regions(dictionary, "620800") == [("620802", "崆峒区"), ("620802001", "某街道")]


def test_audit_scope():
    assert audit_rules.scope_for(admin("620800", roles.PLATFORM_ADMIN), "620800").prefix is None
    assert audit_rules.scope_for(admin("620802"), "620800").prefix == "620802"
    assert audit_rules.scope_for(admin("620802001"), "620800").prefix == "620802001"
    for p in (admin("620800", roles.SUPERVISION_SUPERVISOR), admin("620800", kind="enterprise")):
        with pytest.raises(PermissionDenied):
            audit_rules.scope_for(p, "620800")
    assert audit_rules.filter_violations(outcome="maybe", since=None, until=None)[0].field == "outcome"
    assert audit_rules.filter_violations(outcome="", since=2, until=1)[0].field == "since"
