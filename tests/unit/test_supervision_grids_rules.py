"""The grid tree's rules: a child grid one level finer and within its parent, codes, people, and
an enterprise moving only within its county; registration keeps a grid an officer chose."""
import pytest

from services.kit import roles
from services.kit.auth import Principal
from services.kit.errors import InvalidArgument, NotFound, PermissionDenied
from services.supervision.grids import rules
from services.supervision.registrations.rules import keep_or_choose_grid

COUNTY = {"code": "620802-G01", "level": "county", "region_code": "620802"}
TOWNSHIP = {"code": "620802100-G01", "level": "township", "region_code": "620802100"}


def staff(*role_names, region="620802"):
    return Principal(subject="s", client_id="c", username="u", kind="staff", roles=frozenset(role_names), region=region)


def codes(exc) -> list[str]:
    return [v.code for v in exc.value.violations]


def test_a_township_grid_under_a_county_grid():
    g = rules.new_grid({"name": "崆峒镇网格", "region_code": "620802100"}, COUNTY)
    assert g == {"name": "崆峒镇网格", "responsibilities": "", "region_code": "620802100", "level": "township"}
    assert rules.new_grid({"name": "村网格", "region_code": "620802100201"}, TOWNSHIP)["level"] == "village"


def test_a_county_may_have_another_grid_of_its_own_level():
    assert rules.new_grid({"name": "工业园区网格", "region_code": "620802"}, COUNTY)["level"] == "county"


@pytest.mark.parametrize("body, parent, code", [
    ({"name": "x", "region_code": "620821100"}, COUNTY, "region_code.outside"),
    ({"name": "x", "region_code": "6208021"}, COUNTY, "region_code.level"),
    ({"name": "x", "region_code": "620802100201"}, COUNTY, "region_code.level"),
    ({"name": "x", "region_code": "620802100"}, None, "parent_code.unknown"),
    ({"name": "", "region_code": "620802100"}, COUNTY, "name.required"),
    ({"name": "x" * 101, "region_code": "620802100"}, COUNTY, "name.max_length"),
    ({"name": "x", "region_code": "620802100201001"}, {"code": "v", "level": "village", "region_code": "620802100201"}, "parent_code.leaf"),
])
def test_a_child_grid_is_refused_field_by_field(body, parent, code):
    with pytest.raises(InvalidArgument) as refused:
        rules.new_grid(body, parent)
    assert code in codes(refused)


def test_child_codes_take_the_next_free_serial_of_the_region():
    assert rules.child_code("620802100", []) == "620802100-G01"
    assert rules.child_code("620802100", ["620802100-G01", "620802100-G03", "620802101-G07"]) == "620802100-G04"


def test_people_of_a_grid_by_duty_name_or_code():
    m = rules.member({"username": "zhang.san", "display_name": "张三", "duty": "网格长", "phone": "13912345678"})
    assert m["duty"] == "网格长"
    assert rules.member({"username": "li", "display_name": "李四", "duty": "officer", "officer_id": "17"})["duty"] == "网格监管员"
    with pytest.raises(InvalidArgument) as refused:
        rules.member({"username": "Bad Name", "display_name": "", "duty": "队长", "phone": "123"})
    assert set(codes(refused)) >= {"username.format", "display_name.required", "duty.enum", "phone.format"}
    with pytest.raises(InvalidArgument) as refused:
        rules.member({"username": "li", "display_name": "李四", "duty": "officer"})
    assert codes(refused) == ["officer_id.required"], "a grid officer names the officer record"


def test_an_enterprise_moves_only_within_its_county_and_with_a_reason():
    e = {"uscc": "X", "region_code": "620802100"}
    rules.check_assignment(enterprise=e, grid=TOWNSHIP, reason="属地调整")
    with pytest.raises(InvalidArgument) as refused:
        rules.check_assignment(enterprise=e, grid={"code": "620821-G01", "region_code": "620821"}, reason="x")
    assert codes(refused) == ["grid_code.outside_county"]
    with pytest.raises(InvalidArgument) as refused:
        rules.check_assignment(enterprise=e, grid=None, reason=" ")
    assert codes(refused) == ["grid_code.unknown", "reason.required"]
    city_level = {"uscc": "Y", "region_code": "620800"}
    rules.check_assignment(enterprise=city_level, grid={"code": "620802-G01", "region_code": "620802"}, reason="划入崆峒区")


def test_only_supervisors_and_administrators_change_grids_in_their_region():
    rules.require_manager(staff(roles.SUPERVISION_SUPERVISOR), "620802100")
    with pytest.raises(PermissionDenied):
        rules.require_manager(staff(roles.SUPERVISION_INSPECTOR), "620802")
    with pytest.raises(NotFound):
        rules.require_manager(staff(roles.SUPERVISION_SUPERVISOR), "620821")
    with pytest.raises(PermissionDenied):
        rules.require_reader(staff(roles.GOVAFFAIRS_EDITOR))
    assert rules.require_reader(staff(roles.SUPERVISION_INSPECTOR, region="620800")) == "6208"


def test_the_tree_nests_children_under_parents_and_roots_are_the_callers_top():
    rows = [{"code": "620802-G01", "parent_code": "620800-G00"}, {"code": "620802100-G01", "parent_code": "620802-G01"},
            {"code": "620802101-G01", "parent_code": "620802-G01"}]
    tree = rules.tree(rows)
    assert [n["code"] for n in tree] == ["620802-G01"]
    assert [c["code"] for c in tree[0]["children"]] == ["620802100-G01", "620802101-G01"]


def test_registration_keeps_an_officers_grid_while_the_region_stays_and_rechooses_when_it_moves():
    grids = [("620802-G01", "620802"), ("620821-G01", "620821"), ("620800-G00", "620800")]
    held = {"region_code": "620802", "grid_code": "620802100-G01"}
    assert keep_or_choose_grid(held, "620802", grids) == "620802100-G01"
    assert keep_or_choose_grid(held, "620821", grids) == "620821-G01"
    assert keep_or_choose_grid(None, "620802", grids) == "620802-G01"
