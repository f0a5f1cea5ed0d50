"""registry/rederive.py without a database: the fingerprint that decides whether stored derived
values are stale, and which values a record gets from the tables in force."""
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal

from services.datacenter.major_hazards.kind import KIND as MAJOR_HAZARD
from services.datacenter.registry import catalogue
from services.datacenter.registry.rederive import changes_for, fingerprint
from services.datacenter.registry.spec import RuleContext
from services.datacenter.ruletables import load_defaults

TABLES = load_defaults()
CTX = RuleContext(now=datetime(2026, 12, 1, tzinfo=timezone.utc), tables=TABLES, actor="system:rules", actor_kind="system")


def hydrogen_source(**stored) -> dict:
    """100 t hydrogen, 150 people within 500 m: S 20, α 2, β 1.5 → R 60, grade 2."""
    return {"uscc": "91620802MA71KT001D", "unit_type": "storage", "unit_name": "氢气罐区", "population_500m": 150,
            "chemicals": [{"cas": "1333-74-0", "max_quantity_t": 100}], "assessed_on": datetime(2025, 5, 10).date(),
            "filing_status": "unfiled", **stored}


def test_the_fingerprint_changes_with_a_tables_body_or_a_new_version_and_only_for_declared_tables():
    names = MAJOR_HAZARD.derived_from
    base = fingerprint(TABLES, names)
    assert base == fingerprint(tuple(reversed(TABLES)), names), "independent of load order"
    grades = next(t for t in TABLES if t.name == "gb18218_grades")
    edited = replace(grades, body={**grades.body, "bands": grades.body["bands"][::-1] + []})
    assert fingerprint([t if t is not grades else edited for t in TABLES], names) != base
    newer = replace(grades, effective_from=datetime(2027, 1, 1).date())
    assert fingerprint([*TABLES, newer], names) != base
    accidents = next(t for t in TABLES if t.name == "accident_grades")
    assert fingerprint([*TABLES, replace(accidents, effective_from=datetime(2030, 1, 1).date())], names) == base, \
        "a table the kind does not derive from leaves it alone"


def test_every_kind_that_derives_from_rule_tables_names_tables_that_exist():
    shipped = {t.name for t in TABLES}
    for kind in catalogue.KINDS.values():
        assert set(kind.derived_from) <= shipped, kind.name
    assert MAJOR_HAZARD.derived_from, "the major hazard grade follows GB 18218's tables"


def test_values_derived_with_the_old_beta_are_corrected():
    # What the old table gave hydrogen (β 1 → R 40, grade 3), as stored.
    stale = hydrogen_source(s_value=Decimal("20"), alpha=Decimal("2"), r_value=Decimal("40"), grade="3",
                            filing_due=datetime(2025, 5, 25).date(), reassessment_due=datetime(2028, 5, 10).date())
    assert changes_for(MAJOR_HAZARD, stale, CTX) == {"r_value": Decimal("60.0000"), "grade": "2"}


def test_values_already_right_give_no_change_and_a_record_the_rules_now_refuse_gives_none():
    right = hydrogen_source()
    right.update(MAJOR_HAZARD.derive(right, CTX))
    assert changes_for(MAJOR_HAZARD, right, CTX) == {}
    retired_category = hydrogen_source(chemicals=[{"cas": "75-28-5", "max_quantity_t": 100, "category": "toxic_gas_other"}])
    assert changes_for(MAJOR_HAZARD, retired_category, CTX) is None
