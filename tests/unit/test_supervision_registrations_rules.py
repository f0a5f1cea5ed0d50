"""services.supervision.registrations.rules: grid choice, event ordering and visibility."""
import pytest

from services.kit.auth import Principal
from services.kit.errors import NotFound, PermissionDenied
from services.supervision.registrations import rules

GRIDS = [
    ("620800-G00", "620800"),   # city grid
    ("620802-G01", "620802"),   # county grid
    ("620821-G01", "620821"),   # another county
]


def staff(region="620800", roles=("supervision-inspector",), kind="staff") -> Principal:
    return Principal(subject="s", client_id="web", username="wang.wu", kind=kind, roles=frozenset(roles), region=region)


# --- choose_grid ----------------------------------------------------------------------------------

@pytest.mark.parametrize("region, grid", [
    ("620800", "620800-G00"),
    ("620802", "620802-G01"),
    ("620802001", "620802-G01"),
    ("620802001001", "620802-G01"),
    ("620821", "620821-G01"),
    ("620822", "620800-G00"),   # a county without its own grid falls back to the city grid
])
def test_choose_grid_picks_the_most_specific_covering_grid(region, grid):
    assert rules.choose_grid(region, GRIDS) == grid


def test_choose_grid_does_not_depend_on_list_order():
    for region in ("620800", "620802", "620802001"):
        assert rules.choose_grid(region, GRIDS) == rules.choose_grid(region, list(reversed(GRIDS)))


def test_township_grid_beats_county_city_and_province_grids():
    grids = [("P", "620000"), ("C", "620800"), ("K", "620802"), ("T", "620802001")]
    assert rules.choose_grid("620802001", grids) == "T"
    assert rules.choose_grid("620802001007", grids) == "T"
    assert rules.choose_grid("620802002", grids) == "K"
    assert rules.choose_grid("620900", grids) == "P"


@pytest.mark.parametrize("region", ["620900", "610802", "620000", "", "6208"])
def test_choose_grid_is_none_when_nothing_covers(region):
    assert rules.choose_grid(region, GRIDS) is None


def test_choose_grid_with_no_grids_is_none():
    assert rules.choose_grid("620802", []) is None


def test_grid_with_a_malformed_area_never_covers():
    assert rules.choose_grid("620802", [("BAD", "6208"), ("ALSO-BAD", "")]) is None


# --- is_newer -------------------------------------------------------------------------------------

@pytest.mark.parametrize("held, incoming, newer", [
    (None, 1, True), (None, 0, True), (3, 4, True), (4, 4, False), (5, 4, False),
])
def test_is_newer(held, incoming, newer):
    assert rules.is_newer(held, incoming) is newer


# --- require_reader -------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["platform-admin", "supervision-inspector", "supervision-supervisor"])
def test_supervision_staff_with_region_may_read(role):
    rules.require_reader(staff(roles=(role,)))


@pytest.mark.parametrize("p", [
    staff(roles=("datacenter-viewer",)),
    staff(roles=()),
    staff(region=None),
    staff(region=""),
    staff(kind="enterprise", roles=("supervision-inspector",)),
    staff(kind="integrator", roles=("platform-admin",)),
])
def test_others_may_not_read_registrations(p):
    with pytest.raises(PermissionDenied):
        rules.require_reader(p)


# --- require_visible ------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["620800", "620802", "620802001"])
def test_registration_within_the_readers_region_is_visible(target):
    rules.require_visible(staff(region="620800"), target)


@pytest.mark.parametrize("region, target", [
    ("620800", "620900"), ("620802", "620821"), ("620802", "620800"), ("620800", None), (None, "620802"),
])
def test_registration_outside_the_readers_region_or_absent_is_not_found(region, target):
    with pytest.raises(NotFound):
        rules.require_visible(staff(region=region), target)
