"""services.datacenter.enterprises.rules: validation, ownership and visibility of enterprise records."""
import re

import pytest

from services.datacenter.enterprises import rules
from services.datacenter.enterprises.rules import Submission
from services.kit.auth import Principal
from services.kit.errors import InvalidArgument, NotFound, PermissionDenied

USCC = "91350100M000100Y43"
OTHER_USCC = "91110000802100433B"
CJK = re.compile(r"[\u4e00-\u9fff]")


def good(**overrides) -> Submission:
    fields = dict(uscc=USCC, name="甘肃某化工有限公司", region_code="620802", address="平凉市崆峒区某路1号", industry_code="C2614")
    fields.update(overrides)
    return Submission(**fields)


def exists(code: str) -> bool:
    return code in {"620000", "620800", "620802", "620802001"}


PINGLIANG = "620800"


def codes_of(s: Submission, region_exists=exists) -> list[str]:
    return [v.code for v in rules.violations(s, region_exists=region_exists, jurisdiction=PINGLIANG)]


def enterprise(uscc=USCC, roles=("enterprise",)) -> Principal:
    return Principal(subject="e", client_id="ent-client", username="service-account-ent", kind="enterprise",
                     roles=frozenset(roles), uscc=uscc)


def staff(region="620800", roles=("datacenter-viewer",)) -> Principal:
    return Principal(subject="s", client_id="web", username="li.si", kind="staff", roles=frozenset(roles), region=region)


# --- Submission.normalised ------------------------------------------------------------------------

def test_normalised_trims_everything_and_uppercases_codes():
    s = Submission.normalised(uscc=" 91350100m000100y43\n", name="  甘肃某公司 ", region_code=" 620802 ",
                              address="\t某路1号 ", industry_code=" c2614 ")
    assert s == Submission(uscc=USCC, name="甘肃某公司", region_code="620802", address="某路1号", industry_code="C2614")


def test_normalised_does_not_uppercase_name_or_address():
    s = Submission.normalised(uscc=USCC, name="abc Co.", region_code="620802", address="no. 1 road", industry_code="C")
    assert (s.name, s.address) == ("abc Co.", "no. 1 road")


# --- violations -----------------------------------------------------------------------------------

def test_good_submission_has_no_violations():
    assert rules.violations(good(), region_exists=exists, jurisdiction=PINGLIANG) == []
    rules.validate(good(), region_exists=exists, jurisdiction=PINGLIANG)


def test_empty_uscc_is_required():
    assert codes_of(good(uscc="")) == ["uscc.required"]


@pytest.mark.parametrize("uscc, code", [
    ("9135010", "uscc.length"),
    ("91350100M000100Y433", "uscc.length"),
    ("91350100M000100YI3", "uscc.charset"),
    ("91350100m000100y43", "uscc.charset"),   # violations() expects a normalised submission
    ("91350100M000100Y44", "uscc.check_digit"),
])
def test_uscc_problems(uscc, code):
    assert codes_of(good(uscc=uscc)) == [code]


def test_lowercase_uscc_is_fine_once_normalised():
    s = Submission.normalised(uscc=USCC.lower(), name="甘肃某公司", region_code="620802", address="某路1号", industry_code="C2614")
    assert codes_of(s) == []


@pytest.mark.parametrize("name", ["", "甲", "x" * 201])
def test_name_length_out_of_range(name):
    assert codes_of(good(name=name)) == ["name.length"]


@pytest.mark.parametrize("name", ["甲乙", "x" * 200])
def test_name_length_bounds_are_inclusive(name):
    assert codes_of(good(name=name)) == []


@pytest.mark.parametrize("region", ["", "6208", "62080a", "000000", "6208020"])
def test_malformed_region_code_is_a_format_problem_and_is_not_looked_up(region):
    def must_not_be_called(code):
        raise AssertionError("region_exists called for a malformed code")

    assert codes_of(good(region_code=region), region_exists=must_not_be_called) == ["region_code.format"]


def test_well_formed_but_unknown_region_is_unknown_and_names_the_code():
    found = rules.violations(good(region_code="620899"), region_exists=exists, jurisdiction=PINGLIANG)
    assert [v.code for v in found] == ["region_code.unknown"]
    assert "620899" in found[0].message_zh and "620899" in found[0].message_en


def test_township_region_code_is_accepted_when_it_exists():
    assert codes_of(good(region_code="620802001")) == []


@pytest.mark.parametrize("address", ["", "甲", "x" * 301])
def test_address_length_out_of_range(address):
    assert codes_of(good(address=address)) == ["address.length"]


@pytest.mark.parametrize("address", ["某路", "x" * 300])
def test_address_length_bounds_are_inclusive(address):
    assert codes_of(good(address=address)) == []


@pytest.mark.parametrize("industry", ["C", "A", "T", "C26", "C261", "C2614", "A0111"])
def test_gb_t_4754_industry_codes_are_accepted(industry):
    assert codes_of(good(industry_code=industry)) == []


@pytest.mark.parametrize("industry", ["", "U", "Z26", "C2", "C26145", "2614", "c2614", "CC26", "C26A"])
def test_malformed_industry_code_is_a_format_problem(industry):
    assert codes_of(good(industry_code=industry)) == ["industry_code.format"]


def test_several_problems_are_reported_at_once_in_field_order():
    s = Submission(uscc="123", name="x", region_code="62", address="", industry_code="?")
    found = rules.violations(s, region_exists=exists, jurisdiction=PINGLIANG)
    assert [(v.field, v.code) for v in found] == [
        ("uscc", "uscc.length"), ("name", "name.length"), ("region_code", "region_code.format"),
        ("address", "address.length"), ("industry_code", "industry_code.format"),
    ]


ALL_BAD = [
    good(uscc=""), good(uscc="123"), good(uscc="91350100M000100YI3"), good(uscc="91350100M000100Y44"),
    good(name=""), good(region_code="6"), good(region_code="620899"), good(address=""), good(industry_code="?"),
]


@pytest.mark.parametrize("s", ALL_BAD)
def test_every_violation_has_chinese_and_english_messages(s):
    found = rules.violations(s, region_exists=exists, jurisdiction=PINGLIANG)
    assert found
    for v in found:
        assert CJK.search(v.message_zh), v
        assert v.message_en and v.message_en.isascii() and not CJK.search(v.message_en), v
        assert v.code.startswith(v.field + "."), v


def test_validate_raises_one_invalid_argument_listing_every_violation():
    s = good(name="", industry_code="?")
    with pytest.raises(InvalidArgument) as e:
        rules.validate(s, region_exists=exists, jurisdiction=PINGLIANG)
    assert [v.code for v in e.value.violations] == ["name.length", "industry_code.format"]
    assert "；" in e.value.detail_zh and "; " in e.value.detail_en


# --- authorize_submit -----------------------------------------------------------------------------

def test_enterprise_may_submit_its_own_uscc():
    rules.authorize_submit(enterprise(), USCC)


def test_enterprise_may_not_submit_for_another_uscc():
    with pytest.raises(PermissionDenied):
        rules.authorize_submit(enterprise(), OTHER_USCC)


def test_staff_may_not_submit_even_as_admin():
    with pytest.raises(PermissionDenied):
        rules.authorize_submit(staff(roles=("platform-admin", "datacenter-admin")), USCC)


def test_enterprise_kind_without_the_enterprise_role_may_not_submit():
    with pytest.raises(PermissionDenied):
        rules.authorize_submit(enterprise(roles=()), USCC)


def test_integrator_may_not_submit():
    p = Principal(subject="i", client_id="feed", username="service-account-feed", kind="integrator",
                  roles=frozenset({"integrator", "enterprise"}))
    with pytest.raises(PermissionDenied):
        rules.authorize_submit(p, USCC)


# --- can_read / require_readable ------------------------------------------------------------------

def test_owner_can_read_its_own_record_wherever_it_is():
    assert rules.can_read(enterprise(), uscc=USCC, region_code="110101")
    rules.require_readable(enterprise(), uscc=USCC, region_code="110101")


def test_foreign_enterprise_cannot_read_and_sees_not_found():
    assert not rules.can_read(enterprise(), uscc=OTHER_USCC, region_code="620802")
    with pytest.raises(NotFound):
        rules.require_readable(enterprise(), uscc=OTHER_USCC, region_code="620802")


@pytest.mark.parametrize("role", ["platform-admin", "datacenter-admin", "datacenter-viewer", "supervision-inspector",
                                  "supervision-supervisor", "emergency-duty-officer", "emergency-commander"])
def test_staff_with_a_reader_role_can_read_within_a_covering_region(role):
    p = staff(region="620800", roles=(role,))
    for target in ("620800", "620802", "620802001"):
        assert rules.can_read(p, uscc=USCC, region_code=target)
        rules.require_readable(p, uscc=USCC, region_code=target)


def test_staff_in_another_county_sees_not_found():
    p = staff(region="620821")
    assert not rules.can_read(p, uscc=USCC, region_code="620802")
    with pytest.raises(NotFound):
        rules.require_readable(p, uscc=USCC, region_code="620802")


def test_county_staff_cannot_read_a_city_level_record():
    with pytest.raises(NotFound):
        rules.require_readable(staff(region="620802"), uscc=USCC, region_code="620800")


@pytest.mark.parametrize("roles", [(), ("govaffairs-editor",), ("govaffairs-clerk", "enterprise")])
def test_staff_without_a_reader_role_sees_not_found(roles):
    p = staff(region="620000", roles=roles)
    assert not rules.can_read(p, uscc=USCC, region_code="620802")
    with pytest.raises(NotFound):
        rules.require_readable(p, uscc=USCC, region_code="620802")


@pytest.mark.parametrize("region", [None, ""])
def test_staff_without_a_region_cannot_read(region):
    assert not rules.can_read(staff(region=region, roles=("platform-admin",)), uscc=USCC, region_code="620802")


def test_absent_record_is_not_found_even_for_the_owner():
    with pytest.raises(NotFound) as e:
        rules.require_readable(enterprise(), uscc=USCC, region_code=None)
    assert e.value.detail_en == "No such enterprise"


def test_absent_and_not_yours_look_the_same():
    with pytest.raises(NotFound) as absent:
        rules.require_readable(staff(), uscc=USCC, region_code=None)
    with pytest.raises(NotFound) as foreign:
        rules.require_readable(staff(region="620821"), uscc=USCC, region_code="620802")
    assert (absent.value.detail_zh, absent.value.detail_en) == (foreign.value.detail_zh, foreign.value.detail_en)


# --- changed_fields -------------------------------------------------------------------------------

def current(**overrides) -> dict:
    row = dict(uscc=USCC, name="甘肃某化工有限公司", region_code="620802", address="平凉市崆峒区某路1号", industry_code="C2614")
    row.update(overrides)
    return row


def test_new_enterprise_changes_every_mutable_field():
    assert rules.changed_fields(None, good()) == ["name", "region_code", "address", "industry_code"]


def test_repeat_submission_changes_nothing():
    assert rules.changed_fields(current(), good()) == []


def test_only_the_fields_that_differ_are_reported_in_stable_order():
    assert rules.changed_fields(current(address="旧地址", name="旧名称"), good()) == ["name", "address"]
    assert rules.changed_fields(current(industry_code="C26", region_code="620821"), good()) == ["region_code", "industry_code"]


def test_uscc_is_not_a_mutable_field():
    assert rules.changed_fields(current(uscc=OTHER_USCC), good()) == []


def test_a_region_outside_the_jurisdiction_is_refused_before_the_dictionary_is_asked():
    def must_not_be_called(code):
        raise AssertionError("region_exists called for a region outside the jurisdiction")
    for region in ("620000", "620900", "610802"):
        found = rules.violations(good(region_code=region), region_exists=must_not_be_called, jurisdiction=PINGLIANG)
        assert [v.code for v in found] == ["region_code.outside_jurisdiction"]
        assert "辖区" in found[0].message_zh and "jurisdiction" in found[0].message_en
