"""services.datacenter.registry.access: role × region × ownership for the ten databases."""
import dataclasses
import re

import pytest

from services.datacenter.registry import access, catalogue
from services.datacenter.registry.store import Scope
from services.kit import roles
from services.kit.auth import Principal
from services.kit.errors import NotFound, PermissionDenied

CITY, COUNTY, OTHER_COUNTY, TOWNSHIP = "620800", "620802", "620821", "620802100"
VILLAGE, OTHER_TOWNSHIP = "620802100001", "620802101"
JURISDICTION = CITY
USCC = "91350100M000100Y43"
OTHER_USCC = "91110000802100433B"
CJK = re.compile(r"[\u4e00-\u9fff]")

K = catalogue.KINDS
HAZARD, LAW, RESCUE_TEAM, ENTERPRISE, LICENCE = K["hazard"], K["law"], K["rescue_team"], K["enterprise"], K["licence"]
EXPERT, MOVEMENT, ITEM, ACCIDENT, OFFICER = K["expert"], K["supply_movement"], K["supply_item"], K["accident"], K["officer"]


def staff(region=CITY, *role_names) -> Principal:
    return Principal(subject="s", client_id="web", username="li.si", kind="staff",
                     roles=frozenset(role_names or (roles.DATACENTER_VIEWER,)), region=region)


def admin(region=CITY) -> Principal:
    return staff(region, roles.DATACENTER_ADMIN)


def enterprise(uscc=USCC) -> Principal:
    return Principal(subject="e", client_id="ent", username="service-account-ent", kind="enterprise",
                     roles=frozenset({roles.ENTERPRISE}), uscc=uscc)


def integrator(region=CITY, scopes=(access.READ_SCOPE,)) -> Principal:
    return Principal(subject="i", client_id="sys", username="service-account-sys", kind="integrator",
                     roles=frozenset({roles.INTEGRATOR}), region=region, scopes=frozenset(scopes))


def row(region=COUNTY, uscc=USCC, **more) -> dict:
    return {"id": 1, "region_code": region, "uscc": uscc, **more}


# --- read_scope -----------------------------------------------------------------------------------

def test_staff_lists_within_their_region():
    assert access.read_scope(staff(CITY), HAZARD) == Scope(region=CITY)
    assert access.read_scope(staff(TOWNSHIP), RESCUE_TEAM) == Scope(region=TOWNSHIP)


def test_laws_are_not_regional():
    assert access.read_scope(staff(COUNTY), LAW) == Scope()
    assert access.read_scope(integrator(COUNTY), LAW) == Scope()
    assert access.read_scope(enterprise(), LAW) == Scope()


@pytest.mark.parametrize("role", [r for r in roles.DATACENTER_READERS])
def test_every_datacenter_reader_role_may_list(role):
    assert access.read_scope(staff(COUNTY, role), HAZARD) == Scope(region=COUNTY)


@pytest.mark.parametrize("role", [roles.GOVAFFAIRS_EDITOR, roles.GOVAFFAIRS_CLERK, roles.ENTERPRISE, roles.INTEGRATOR])
def test_staff_without_a_reader_role_may_not_list(role):
    with pytest.raises(PermissionDenied):
        access.read_scope(staff(CITY, role), HAZARD)


def test_staff_without_a_region_may_not_list_even_laws():
    for kind in (HAZARD, LAW):
        with pytest.raises(PermissionDenied):
            access.read_scope(staff(None, roles.PLATFORM_ADMIN), kind)


@pytest.mark.parametrize("kind", [HAZARD, LICENCE, ACCIDENT, K["major_hazard"], ENTERPRISE])
def test_an_enterprise_lists_only_its_own_records_of_owned_kinds(kind):
    assert access.read_scope(enterprise(), kind) == Scope(uscc=USCC)


@pytest.mark.parametrize("name", ["rescue_team", "supply_warehouse", "supply_item", "supply_movement", "expert", "officer",
                                  "trainee"])
def test_an_enterprise_may_not_list_the_agencys_own_registers(name):
    with pytest.raises(PermissionDenied) as refused:
        access.read_scope(enterprise(), K[name])
    assert CJK.search(refused.value.detail_zh) and refused.value.detail_en


def test_an_enterprise_without_a_credit_code_matches_nothing():
    scope = access.read_scope(enterprise(uscc=None), HAZARD)
    assert scope.uscc is not None and scope.uscc != ""
    assert not access.visible(enterprise(uscc=None), HAZARD, row(uscc=None))
    assert not access.visible(enterprise(uscc=None), HAZARD, {"region_code": COUNTY})


def test_an_integrator_with_the_read_scope_lists_its_region():
    assert access.read_scope(integrator(COUNTY), RESCUE_TEAM) == Scope(region=COUNTY)


@pytest.mark.parametrize("p", [integrator(scopes=()), integrator(scopes=("supervision.read",)), integrator(region=None)])
def test_an_integrator_without_the_read_scope_or_a_region_lists_nothing(p):
    for kind in (HAZARD, LAW):
        with pytest.raises(PermissionDenied):
            access.read_scope(p, kind)


# --- visible / require_visible --------------------------------------------------------------------

@pytest.mark.parametrize("viewer, region, seen", [
    (CITY, CITY, True), (CITY, COUNTY, True), (CITY, OTHER_COUNTY, True), (CITY, TOWNSHIP, True), (CITY, VILLAGE, True),
    (CITY, "620100", False), (CITY, "620000", False),
    (COUNTY, COUNTY, True), (COUNTY, TOWNSHIP, True), (COUNTY, VILLAGE, True),
    (COUNTY, CITY, False), (COUNTY, OTHER_COUNTY, False), (COUNTY, "620821100", False),
    (OTHER_COUNTY, COUNTY, False), (OTHER_COUNTY, OTHER_COUNTY, True),
    (TOWNSHIP, TOWNSHIP, True), (TOWNSHIP, VILLAGE, True),
    (TOWNSHIP, COUNTY, False), (TOWNSHIP, OTHER_TOWNSHIP, False), (TOWNSHIP, CITY, False),
])
def test_staff_see_records_of_their_region_and_below(viewer, region, seen):
    assert access.visible(staff(viewer), RESCUE_TEAM, row(region)) is seen
    assert access.visible(staff(viewer), HAZARD, row(region)) is seen


def test_nothing_is_visible_without_a_row_or_a_region():
    assert not access.visible(admin(), HAZARD, None)
    assert not access.visible(admin(), HAZARD, {"id": 1, "uscc": USCC})
    assert not access.visible(admin(), HAZARD, row(region=None))
    assert not access.visible(admin(), HAZARD, row(region="garbage"))


def test_laws_are_visible_to_every_reader_and_enterprise():
    law = {"id": 3, "title": "安全生产法"}
    for p in (staff(CITY), staff(TOWNSHIP), enterprise(), enterprise(OTHER_USCC), integrator(OTHER_COUNTY)):
        assert access.visible(p, LAW, law)
    assert not access.visible(staff(CITY, roles.GOVAFFAIRS_EDITOR), LAW, law)


def test_an_enterprise_sees_its_own_records_only():
    me = enterprise()
    assert access.visible(me, HAZARD, row(uscc=USCC))
    assert not access.visible(me, HAZARD, row(uscc=OTHER_USCC))
    assert access.visible(me, LICENCE, row(OTHER_COUNTY, USCC))   # region does not matter for the owner
    assert access.visible(me, ENTERPRISE, {"uscc": USCC, "region_code": COUNTY})
    assert not access.visible(me, ENTERPRISE, {"uscc": OTHER_USCC, "region_code": COUNTY})
    assert not access.visible(me, RESCUE_TEAM, row(uscc=USCC))  # not an enterprise's kind, whatever the row says
    assert not access.visible(me, EXPERT, row(uscc=USCC))


def test_an_integrator_sees_within_its_region_and_only_with_the_scope():
    assert access.visible(integrator(COUNTY), RESCUE_TEAM, row(TOWNSHIP))
    assert not access.visible(integrator(COUNTY), RESCUE_TEAM, row(OTHER_COUNTY))
    assert not access.visible(integrator(COUNTY, scopes=()), RESCUE_TEAM, row(TOWNSHIP))


def test_require_visible_returns_the_row():
    r = row(TOWNSHIP)
    assert access.require_visible(staff(COUNTY), HAZARD, r) is r


@pytest.mark.parametrize("p, kind, r", [
    (staff(COUNTY), HAZARD, row(OTHER_COUNTY)),                        # another county's record
    (staff(TOWNSHIP), HAZARD, row(COUNTY)),                            # above the township
    (staff(CITY, roles.GOVAFFAIRS_EDITOR), HAZARD, row(COUNTY)),       # no reader role at all
    (enterprise(), HAZARD, row(uscc=OTHER_USCC)),                      # another enterprise's
    (enterprise(), RESCUE_TEAM, row()),                                # a kind the enterprise may not read
    (integrator(scopes=()), HAZARD, row()),                            # an integrator without the grant
    (admin(), HAZARD, None),                                           # no such record
])
def test_an_invisible_record_is_not_found_rather_than_forbidden(p, kind, r):
    with pytest.raises(NotFound) as refused:
        access.require_visible(p, kind, r)
    assert not isinstance(refused.value, PermissionDenied)
    assert refused.value.http_status == 404
    assert kind.label in refused.value.detail_zh and kind.name in refused.value.detail_en


def test_not_found_says_the_same_whether_the_record_exists_or_not():
    absent, hidden = [pytest.raises(NotFound) for _ in range(2)]
    with absent as a:
        access.require_visible(staff(COUNTY), HAZARD, None)
    with hidden as h:
        access.require_visible(staff(COUNTY), HAZARD, row(OTHER_COUNTY))
    assert (a.value.detail_zh, a.value.detail_en) == (h.value.detail_zh, h.value.detail_en)


# --- authorize_write ------------------------------------------------------------------------------

@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_datacenter_admins_write_every_updatable_kind(operation):
    for kind in catalogue.ALL:
        if operation == "update" and not kind.updatable or operation == "delete" and not kind.deletable:
            continue
        access.authorize_write(admin(COUNTY), kind, operation=operation)


def test_writer_roles_are_per_kind():
    inspector = staff(COUNTY, roles.SUPERVISION_INSPECTOR)
    commander = staff(COUNTY, roles.EMERGENCY_COMMANDER)
    access.authorize_write(inspector, HAZARD, operation="create")
    access.authorize_write(commander, RESCUE_TEAM, operation="update")
    access.authorize_write(commander, ACCIDENT, operation="create")
    with pytest.raises(PermissionDenied):
        access.authorize_write(inspector, RESCUE_TEAM, operation="create")
    with pytest.raises(PermissionDenied):
        access.authorize_write(commander, HAZARD, operation="create")


@pytest.mark.parametrize("operation", ["create", "update", "delete", "import"])
def test_readers_do_not_write(operation):
    with pytest.raises(PermissionDenied) as refused:
        access.authorize_write(staff(CITY, roles.DATACENTER_VIEWER), HAZARD, operation=operation)
    assert refused.value.http_status == 403 and CJK.search(refused.value.detail_zh)


def test_staff_without_a_region_do_not_write():
    with pytest.raises(PermissionDenied):
        access.authorize_write(staff(None, roles.PLATFORM_ADMIN), HAZARD, operation="create")


@pytest.mark.parametrize("kind", [HAZARD, ENTERPRISE, ACCIDENT, K["major_hazard"]])
def test_an_enterprise_creates_and_updates_its_kinds_but_never_deletes(kind):
    access.authorize_write(enterprise(), kind, operation="create")
    access.authorize_write(enterprise(), kind, operation="update")
    with pytest.raises(PermissionDenied):
        access.authorize_write(enterprise(), kind, operation="delete")


@pytest.mark.parametrize("kind", [LICENCE, RESCUE_TEAM, EXPERT, LAW, OFFICER, ITEM])
def test_an_enterprise_does_not_write_the_agencys_kinds(kind):
    for operation in ("create", "update", "delete"):
        with pytest.raises(PermissionDenied) as refused:
            access.authorize_write(enterprise(), kind, operation=operation)
        assert kind.label in refused.value.detail_zh


@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_an_integrator_never_writes(operation):
    for kind in (HAZARD, LAW, RESCUE_TEAM):
        with pytest.raises(PermissionDenied):
            access.authorize_write(integrator(), kind, operation=operation)


def test_the_stock_ledger_is_append_only():
    access.authorize_write(admin(), MOVEMENT, operation="create")
    for operation in ("update", "delete"):
        with pytest.raises(PermissionDenied) as refused:
            access.authorize_write(admin(), MOVEMENT, operation=operation)
        assert "只能新增" in refused.value.detail_zh and "append-only" in refused.value.detail_en
        with pytest.raises(PermissionDenied):
            access.authorize_write(staff(CITY, roles.PLATFORM_ADMIN), MOVEMENT, operation=operation)


def test_an_append_only_kind_refuses_an_enterprise_update_too():
    ledger = dataclasses.replace(HAZARD, name="self_report", updatable=False, deletable=False)
    access.authorize_write(enterprise(), ledger, operation="create")
    with pytest.raises(PermissionDenied) as refused:
        access.authorize_write(enterprise(), ledger, operation="update")
    assert "append-only" in refused.value.detail_en


# --- record_violations ----------------------------------------------------------------------------

def test_an_enterprise_submits_only_its_own_records():
    assert access.record_violations(enterprise(), HAZARD, row(uscc=USCC), jurisdiction=JURISDICTION) == []
    with pytest.raises(PermissionDenied):
        access.record_violations(enterprise(), HAZARD, row(uscc=OTHER_USCC), jurisdiction=JURISDICTION)
    with pytest.raises(PermissionDenied):
        access.record_violations(enterprise(), ENTERPRISE, {"uscc": OTHER_USCC, "region_code": COUNTY}, jurisdiction=JURISDICTION)


def test_staff_write_within_their_region():
    assert access.record_violations(admin(COUNTY), RESCUE_TEAM, row(TOWNSHIP), jurisdiction=JURISDICTION) == []
    assert access.record_violations(admin(CITY), RESCUE_TEAM, row(OTHER_COUNTY), jurisdiction=JURISDICTION) == []
    for outside in (OTHER_COUNTY, CITY):
        with pytest.raises(PermissionDenied) as refused:
            access.record_violations(admin(COUNTY), RESCUE_TEAM, row(outside), jurisdiction=JURISDICTION)
        assert outside in refused.value.detail_zh and COUNTY in refused.value.detail_en
    with pytest.raises(PermissionDenied):
        access.record_violations(admin(TOWNSHIP), RESCUE_TEAM, row(COUNTY), jurisdiction=JURISDICTION)


def test_a_region_outside_the_platform_is_a_field_error():
    found = access.record_violations(admin(CITY), RESCUE_TEAM, row("620102"), jurisdiction=JURISDICTION)
    assert [(v.field, v.code) for v in found] == [("region_code", "region_code.outside_jurisdiction")]
    assert "620102" in found[0].message_zh and JURISDICTION in found[0].message_zh
    assert "620102" in found[0].message_en and JURISDICTION in found[0].message_en


def test_an_enterprise_outside_the_platform_is_a_field_error_too():
    found = access.record_violations(enterprise(), ENTERPRISE, {"uscc": USCC, "region_code": "110101"}, jurisdiction=JURISDICTION)
    assert [v.code for v in found] == ["region_code.outside_jurisdiction"]


def test_records_without_a_region_are_not_checked_for_one():
    assert access.record_violations(admin(COUNTY), LAW, {"title": "安全生产法"}, jurisdiction=JURISDICTION) == []
    assert access.record_violations(enterprise(), HAZARD, {"uscc": USCC}, jurisdiction=JURISDICTION) == []


# --- field_rights ---------------------------------------------------------------------------------

def test_an_enterprise_may_not_set_the_regulators_fields():
    found = access.field_rights(enterprise(), ENTERPRISE, {"name": "某公司", "risk_colour": "blue", "standardization_grade": "1"})
    assert sorted(v.code for v in found) == ["risk_colour.staff_only", "standardization_grade.staff_only"]
    for v in found:
        assert v.field in v.code and "监管部门" in v.message_zh and "regulator" in v.message_en
        assert ENTERPRISE.by_name[v.field].label in v.message_zh


def test_an_enterprise_may_set_everything_else():
    writable = {f.name: "x" for f in ENTERPRISE.writable if f.enterprise_writable}
    assert access.field_rights(enterprise(), ENTERPRISE, writable) == []


def test_staff_may_set_the_regulators_fields():
    assert access.field_rights(admin(), ENTERPRISE, {"risk_colour": "red"}) == []


def test_a_supervisor_may_update_the_standardization_grade_and_nothing_else():
    """The grade follows the certificate the supervision service's supervisor issues or withdraws."""
    supervisor = staff(COUNTY, roles.SUPERVISION_SUPERVISOR)
    access.authorize_write(supervisor, ENTERPRISE, operation="update")
    assert access.field_rights(supervisor, ENTERPRISE, {"standardization_grade": "3"}) == []
    with pytest.raises(PermissionDenied) as refused:
        access.field_rights(supervisor, ENTERPRISE, {"standardization_grade": "3", "risk_colour": "red"})
    assert "安全风险等级" in refused.value.detail_zh and "安全生产标准化等级" not in refused.value.detail_zh
    for operation in ("create", "delete"):
        with pytest.raises(PermissionDenied):
            access.authorize_write(supervisor, ENTERPRISE, operation=operation)
    with pytest.raises(PermissionDenied):   # an inspector has no such field
        access.authorize_write(staff(COUNTY, roles.SUPERVISION_INSPECTOR), ENTERPRISE, operation="update")
    assert not access.sees_personal_data(supervisor, ENTERPRISE, {"region_code": COUNTY}), "still not an enterprise editor"


# --- sees_personal_data ---------------------------------------------------------------------------

def test_writers_of_the_region_see_personal_data():
    r = row(TOWNSHIP, id_number="x", phone="13800138000")
    assert access.sees_personal_data(admin(COUNTY), EXPERT, r)
    assert access.sees_personal_data(admin(CITY), EXPERT, r)


@pytest.mark.parametrize("p", [
    staff(CITY, roles.DATACENTER_VIEWER),           # reads, does not edit
    staff(CITY, roles.SUPERVISION_INSPECTOR),       # edits hazards, not experts
    admin(OTHER_COUNTY),                            # edits experts, not this county's
    admin(TOWNSHIP.replace("100", "101")),          # another township
    enterprise(),
    integrator(),
])
def test_nobody_else_sees_personal_data(p):
    assert not access.sees_personal_data(p, EXPERT, row(TOWNSHIP))


def test_personal_data_of_kinds_with_their_own_writers():
    officer_row = row(COUNTY)
    assert access.sees_personal_data(staff(CITY, roles.PLATFORM_ADMIN), OFFICER, officer_row)
    commander = staff(CITY, roles.EMERGENCY_COMMANDER)
    assert access.sees_personal_data(commander, RESCUE_TEAM, officer_row)
    assert not access.sees_personal_data(commander, OFFICER, officer_row)
