"""services.kit.regions: GB/T 2260 region codes and who covers what."""
import pytest

from services.kit import regions


# --- covers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["620800", "620802", "620821", "620802001", "620802001001"])
def test_city_covers_itself_its_counties_and_their_townships_and_villages(target):
    assert regions.covers("620800", target)


@pytest.mark.parametrize("target", ["620900", "610802", "620000", "620902", "610800"])
def test_city_does_not_cover_a_neighbour_another_province_or_its_parent(target):
    assert not regions.covers("620800", target)


@pytest.mark.parametrize("target", ["620802", "620802001", "620802101", "620802001001"])
def test_county_covers_itself_and_its_townships(target):
    assert regions.covers("620802", target)


@pytest.mark.parametrize("target", ["620821", "620800", "620000", "620803", "6208021", "620821001"])
def test_county_does_not_cover_a_sibling_county_or_its_city(target):
    assert not regions.covers("620802", target)


@pytest.mark.parametrize("target", ["620000", "620100", "620802", "620821", "620802001"])
def test_province_covers_everything_beneath_it(target):
    assert regions.covers("620000", target)


@pytest.mark.parametrize("target", ["610000", "610802", "630802", "110101"])
def test_province_does_not_cover_another_province(target):
    assert not regions.covers("620000", target)


def test_township_covers_its_villages_but_not_its_county_or_a_sibling_township():
    assert regions.covers("620802001", "620802001")
    assert regions.covers("620802001", "620802001005")
    assert not regions.covers("620802001", "620802")
    assert not regions.covers("620802001", "620802002")


MALFORMED = ["", "6208", "62080", "6208000", "62080200", "6208020011", "62080200100", "6208020010011",
             "62080a", "000000", "001234", " 620802", "620802 ", "-62080"]


@pytest.mark.parametrize("bad", MALFORMED)
def test_malformed_codes_never_cover_nor_are_covered(bad):
    assert not regions.is_well_formed(bad)
    assert not regions.covers(bad, "620802")
    assert not regions.covers("620000", bad)
    assert not regions.covers(bad, bad)


def test_none_is_not_well_formed_and_covers_nothing():
    assert not regions.is_well_formed(None)
    assert not regions.covers(None, "620802")
    assert not regions.covers("620800", None)


def test_code_with_trailing_newline_is_malformed():
    # `$` in the pattern also matches just before a trailing "\n".
    assert not regions.is_well_formed("620802\n")
    assert not regions.covers("620800", "620802\n")


def test_code_in_fullwidth_digits_is_malformed():
    # `\d` matches any Unicode decimal digit, not only 0-9.
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in "620802")
    assert not regions.is_well_formed(fullwidth)
    assert regions.county_of(fullwidth) is None


@pytest.mark.parametrize("code", ["620000", "620800", "620802", "620802001", "620802001001", "110101"])
def test_well_formed_codes(code):
    assert regions.is_well_formed(code)


# --- significant_prefix, level, county_of ---------------------------------------------------------

@pytest.mark.parametrize("code, prefix", [
    ("620000", "62"), ("620800", "6208"), ("620802", "620802"),
    ("620802001", "620802001"), ("620802001001", "620802001001"),
])
def test_significant_prefix(code, prefix):
    assert regions.significant_prefix(code) == prefix


@pytest.mark.parametrize("code, lvl", [
    ("620000", "province"), ("620800", "city"), ("620802", "county"),
    ("620802001", "township"), ("620802001001", "village"),
])
def test_level(code, lvl):
    assert regions.level(code) == lvl


@pytest.mark.parametrize("code, county", [
    ("620802", "620802"), ("620802001", "620802"), ("620802001001", "620802"),
])
def test_county_of_a_county_or_below_is_the_first_six_digits(code, county):
    assert regions.county_of(code) == county


@pytest.mark.parametrize("code", ["620000", "620800", "", "6208", "62080a", "000001"])
def test_county_of_a_city_province_or_malformed_code_is_none(code):
    assert regions.county_of(code) is None
