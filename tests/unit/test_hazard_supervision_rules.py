"""Listed supervision of major hazards: who lists at which level, deadlines and extensions, closing
only after verification by someone other than the rectifier, escalation one level at a time, and
the quarterly / annual reports' periods, due days and figures."""
from datetime import date, datetime, timezone

import pytest

from services.kit.errors import Conflict, InvalidArgument
from services.supervision.hazard_supervision import rules
from services.supervision.hazard_supervision.servicer import table_on

TODAY = date(2026, 12, 2)
TABLE = table_on(TODAY)
MAJOR = {"level": "major", "status": "registered"}


def codes(exc) -> list[str]:
    return [v.code for v in exc.value.violations]


def test_an_agency_lists_at_its_own_level_or_below():
    county = rules.listing({"deadline": "2026-12-31", "requirements": "限期改造"}, hazard=MAJOR, caller_region="620802", today=TODAY,
                           max_days=365)
    assert county["level"] == "county"
    assert rules.listing({"level": "city", "deadline": "2026-12-31", "requirements": "x"}, hazard=MAJOR, caller_region="620800",
                         today=TODAY, max_days=365)["level"] == "city"
    with pytest.raises(InvalidArgument) as refused:
        rules.listing({"level": "city", "deadline": "2026-12-31", "requirements": "x"}, hazard=MAJOR, caller_region="620802",
                      today=TODAY, max_days=365)
    assert codes(refused) == ["level.above_agency"]


@pytest.mark.parametrize("hazard, body, code", [
    ({"level": "general", "status": "registered"}, {"deadline": "2026-12-31", "requirements": "x"}, "hazard_id.not_major"),
    ({"level": "major", "status": "closed"}, {"deadline": "2026-12-31", "requirements": "x"}, "hazard_id.closed"),
    (MAJOR, {"deadline": "2026-12-02", "requirements": "x"}, "deadline.range"),
    (MAJOR, {"deadline": "2027-12-03", "requirements": "x"}, "deadline.range"),
    (MAJOR, {"requirements": "x"}, "deadline.required"),
    (MAJOR, {"deadline": "2026-12-31"}, "requirements.required"),
    (MAJOR, {"level": "ministry", "deadline": "2026-12-31", "requirements": "x"}, "level.enum"),
])
def test_a_listing_is_refused_field_by_field(hazard, body, code):
    with pytest.raises(InvalidArgument) as refused:
        rules.listing(body, hazard=hazard, caller_region="620802", today=TODAY, max_days=365)
    assert code in codes(refused)


def test_the_deadline_may_be_the_last_allowed_day():
    assert rules.listing({"deadline": "2027-12-02", "requirements": "x"}, hazard=MAJOR, caller_region="620802", today=TODAY,
                         max_days=365)["deadline"] == date(2027, 12, 2)


def test_extensions_move_the_deadline_later_within_the_tables_days():
    row = {"status": "listed", "deadline": date(2026, 12, 20)}
    ok = rules.extension_request({"new_deadline": "2027-03-20", "reason": "设备到货延迟"}, listing_row=row, today=TODAY, max_days=90)
    assert ok["new_deadline"] == date(2027, 3, 20)
    for new in ("2026-12-20", "2027-03-21"):
        with pytest.raises(InvalidArgument) as refused:
            rules.extension_request({"new_deadline": new, "reason": "x"}, listing_row=row, today=TODAY, max_days=90)
        assert codes(refused) == ["new_deadline.range"]
    with pytest.raises(Conflict):
        rules.extension_request({"new_deadline": "2027-01-20", "reason": "x"}, listing_row={**row, "status": "closed"}, today=TODAY, max_days=90)
    assert rules.extension_decision({"approved": True}) == (True, "")
    with pytest.raises(InvalidArgument) as refused:
        rules.extension_decision({"approved": False})
    assert codes(refused) == ["note.required"], "a refusal gives its reason"


def test_closure_needs_a_passed_verification_by_someone_other_than_the_rectifier():
    listed = {"status": "listed"}
    verified = {"status": "closed", "responsible_person": "赵工", "verification": {"result": "passed", "verified_by": "钱科长"}}
    rules.closure(hazard=verified, listing_row=listed)
    for hazard, code in (({**verified, "status": "awaiting_verification"}, "hazard.not_verified"),
                         ({**verified, "verification": {"result": "failed", "verified_by": "钱科长"}}, "hazard.not_verified"),
                         ({**verified, "verification": {"result": "passed", "verified_by": " 赵工 "}}, "hazard.verified_by_rectifier")):
        with pytest.raises(InvalidArgument) as refused:
            rules.closure(hazard=hazard, listing_row=listed)
        assert codes(refused) == [code]
    with pytest.raises(Conflict):
        rules.closure(hazard=verified, listing_row={"status": "closed"})


def test_escalation_goes_one_level_up_after_the_deadline_and_stops_at_the_province():
    row = {"status": "listed", "deadline": date(2026, 12, 1), "level": "county", "escalated_to": None}
    assert rules.escalation(row, today=date(2026, 12, 1), after_days=0) is None, "on the deadline itself: not yet"
    assert rules.escalation(row, today=date(2026, 12, 2), after_days=0) == "city"
    assert rules.escalation(row, today=date(2026, 12, 3), after_days=2) is None
    assert rules.escalation({**row, "escalated_to": "city"}, today=TODAY, after_days=0) == "province"
    assert rules.escalation({**row, "escalated_to": "province"}, today=TODAY, after_days=0) is None
    assert rules.escalation({**row, "level": "province"}, today=TODAY, after_days=0) is None
    assert rules.escalation({**row, "status": "closed"}, today=TODAY, after_days=0) is None


def test_report_periods_and_due_days():
    assert rules.period_end("2026Q1") == date(2026, 3, 31)
    assert rules.period_end("2026Q4") == date(2026, 12, 31)
    assert rules.period_end("2026") == date(2026, 12, 31)
    assert rules.report_due("2026Q3", TABLE) == date(2026, 10, 15)
    assert rules.report_due("2025", TABLE) == date(2026, 1, 31)
    with pytest.raises(InvalidArgument):
        rules.period_end("2026Q5")


def test_a_report_is_signed_by_the_principal_after_its_period_and_its_figures_add_up():
    signed = datetime(2026, 10, 8, 9, 0, tzinfo=timezone.utc).isoformat()
    ok = rules.report({"period": "2026Q3", "principal": "王志强", "signed_at": signed,
                       "figures": {"general_found": 3, "general_rectified": 3, "major_found": 1, "major_rectified": 0}}, today=TODAY)
    assert ok["figures"]["funds_cny"] == 0
    with pytest.raises(InvalidArgument) as refused:
        rules.report({"period": "2026Q4", "figures": {"major_found": 1, "major_rectified": 2, "funds_cny": -5}}, today=TODAY)
    assert set(codes(refused)) == {"period.not_over", "figures.major_rectified.exceeds", "figures.funds_cny.range", "principal.required",
                                   "signed_at.required"}
