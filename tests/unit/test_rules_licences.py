"""services.datacenter.licences.rules against 国务院令第397号 (安全生产许可证条例)."""
import json
import re
from dataclasses import replace
from datetime import date, datetime

import pytest

from services.datacenter.licences import rules
from services.datacenter.ruletables import effective, load_defaults

CJK = re.compile(r"[\u4e00-\u9fff]")
TABLES = load_defaults()
TABLE = effective(TABLES, "licence_validity", date(2026, 1, 1))
FROM, UNTIL = date(2026, 3, 15), date(2029, 3, 14)


def status(today, licence_type="work_safety", suspended=False, revoked=False, valid_from=FROM, valid_until=UNTIL, table=TABLE):
    return rules.status(licence_type=licence_type, valid_from=valid_from, valid_until=valid_until, suspended=suspended,
                        revoked=revoked, today=today, table=table)


def test_option_lists():
    codes = [c for c, _ in rules.LICENCE_TYPES]
    assert codes[0] == "work_safety" and dict(rules.LICENCE_TYPES)["work_safety"] == "安全生产许可证"
    assert len(set(codes)) == len(codes)
    labels = dict(rules.LICENCE_TYPES).values()
    for zh in ("危险化学品经营许可证", "非药品类易制毒化学品生产备案证明", "烟花爆竹经营（批发）许可证", "烟花爆竹经营（零售）许可证"):
        assert zh in labels
    assert [c for c, _ in rules.STATUSES][:5] == ["valid", "renewal_open", "expired", "suspended", "revoked"]
    assert dict(rules.STATUSES)["renewal_open"] == "可申请延续"


# --- validity and renewal window ------------------------------------------------------------------

@pytest.mark.parametrize("valid_from, until", [
    (date(2026, 3, 15), date(2029, 3, 14)),
    (date(2026, 1, 1), date(2028, 12, 31)),
    (date(2024, 2, 29), date(2027, 2, 27)),    # no 29 Feb in 2027: the anniversary is 28 Feb
])
def test_safety_licence_is_valid_three_years(valid_from, until):
    assert rules.default_valid_until("work_safety", valid_from, TABLE) == until


def test_renewal_window_opens_three_months_before_expiry():
    assert rules.renewal_window(UNTIL, "work_safety", TABLE) == (date(2028, 12, 14), UNTIL)
    assert rules.renewal_window(date(2029, 5, 31), "work_safety", TABLE) == (date(2029, 2, 28), date(2029, 5, 31))


def test_a_type_without_a_rule_has_no_default_validity_or_window():
    with pytest.raises(LookupError):
        rules.default_valid_until("fireworks_retail", FROM, TABLE)
    with pytest.raises(LookupError):
        rules.renewal_window(UNTIL, "fireworks_retail", TABLE)


# --- status: every edge ---------------------------------------------------------------------------

@pytest.mark.parametrize("today, expected", [
    (date(2026, 3, 14), "not_yet_valid"),
    (date(2026, 3, 15), "valid"),
    (date(2028, 12, 13), "valid"),
    (date(2028, 12, 14), "renewal_open"),   # the window's first day
    (date(2029, 3, 14), "renewal_open"),    # the last valid day
    (date(2029, 3, 15), "expired"),
])
def test_status_edges(today, expected):
    assert status(today) == expected


@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2029, 1, 1), date(2030, 1, 1), date(2026, 1, 1)])
def test_revoked_beats_suspended_beats_everything_else(today):
    assert status(today, suspended=True, revoked=True) == "revoked"
    assert status(today, revoked=True) == "revoked"
    assert status(today, suspended=True) == "suspended"


def test_a_type_without_a_rule_is_valid_then_expired_with_no_renewal_window():
    assert status(date(2029, 3, 14), licence_type="hazchem_operation") == "valid"
    assert status(date(2029, 3, 15), licence_type="hazchem_operation") == "expired"


def test_adding_a_type_in_a_newer_table_version_applies_from_its_date():
    body = json.loads(json.dumps(TABLE.body))
    body["types"]["hazchem_operation"] = {"validity_months": 36, "renewal_opens_months_before": 3}
    tables = TABLES + (replace(TABLE, effective_from=date(2028, 1, 1), body=body, source="测试：新增危险化学品经营许可证"),)
    before = effective(tables, "licence_validity", date(2027, 12, 31))
    after = effective(tables, "licence_validity", date(2028, 1, 1))
    assert status(date(2029, 1, 1), licence_type="hazchem_operation", table=before) == "valid"
    assert status(date(2029, 1, 1), licence_type="hazchem_operation", table=after) == "renewal_open"
    assert rules.default_valid_until("hazchem_operation", FROM, after) == UNTIL


def test_a_province_may_open_the_window_earlier():
    body = {"types": {"work_safety": {"validity_months": 36, "renewal_opens_months_before": 6}}}
    wider = replace(TABLE, body=body)
    assert status(date(2028, 9, 14), table=wider) == "renewal_open"
    assert status(date(2028, 9, 13), table=wider) == "valid"


# --- record validation ----------------------------------------------------------------------------

def record(**overrides):
    r = dict(licence_type="work_safety", number="（甘）WH安许证字〔2026〕000123", valid_from=FROM, valid_until=UNTIL,
             suspended=False, revoked=False)
    r.update(overrides)
    return r


def codes(r):
    found = rules.violations(r, table=TABLE)
    for v in found:
        assert CJK.search(v.message_zh) and v.message_en and not CJK.search(v.message_en), v
    return [v.code for v in found]


@pytest.mark.parametrize("r", [
    record(),
    record(valid_until=date(2029, 3, 15)),              # the anniversary itself is tolerated
    record(valid_until=date(2026, 3, 16)),
    record(licence_type="fireworks_retail", valid_until=date(2036, 1, 1)),   # no rule, no maximum
    record(suspended=None, revoked=None),
])
def test_good_records(r):
    assert codes(r) == []


@pytest.mark.parametrize("overrides, expected", [
    (dict(licence_type="fishing"), ["licence_type.unknown"]),
    (dict(number=""), ["number.length"]),
    (dict(number="x" * 65), ["number.length"]),
    (dict(number=None), ["number.length"]),
    (dict(valid_from=None), ["valid_from.required"]),
    (dict(valid_until=datetime(2029, 3, 14)), ["valid_until.required"]),
    (dict(valid_until=FROM), ["valid_until.before_from"]),
    (dict(valid_until=date(2026, 3, 1)), ["valid_until.before_from"]),
    (dict(valid_until=date(2029, 3, 16)), ["valid_until.too_long"]),
    (dict(suspended="no"), ["suspended.invalid"]),
    (dict(revoked=1), ["revoked.invalid"]),
])
def test_record_problems(overrides, expected):
    assert codes(record(**overrides)) == expected


def test_too_long_message_names_the_licence_in_chinese():
    [v] = rules.violations(record(valid_until=date(2030, 1, 1)), table=TABLE)
    assert "安全生产许可证" in v.message_zh and "36" in v.message_zh
