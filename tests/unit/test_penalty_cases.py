"""The penalty case chain: steps in order, each due by the table's days (working days across the
Spring Festival, provisional into an unpublished year), the hearing right at the fine threshold,
field checks per step, and the document each step issues."""
from datetime import date

import pytest

from services.kit import workdays
from services.kit.errors import Conflict, InvalidArgument
from services.supervision.enforcement import cases, documents

TABLE = documents.table("enforcement_deadlines", date(2026, 12, 2)).body
YEARS = workdays.package_years()
CAL = workdays.Calendar({2026: YEARS[2026]})


def codes(exc) -> list[str]:
    return [v.code for v in exc.value.violations]


def test_steps_follow_the_chain_and_end_closed():
    seen, step = [], "filing"
    while step != "closed":
        seen.append(step)
        step = cases.next_step(step)
    assert seen == ["filing", "investigation", "notice", "statement", "decision", "service", "execution", "closure"]


def test_each_step_is_due_by_its_days_in_its_kind_of_day():
    # 立案 within 7 working days: from 2026-02-10 over the Spring Festival (2/14 is a make-up working day)
    assert cases.due("filing", date(2026, 2, 10), cal=CAL, table=TABLE) == workdays.Deadline(date(2026, 2, 26), False)
    # 调查 within 90 calendar days
    assert cases.due("investigation", date(2026, 3, 1), cal=CAL, table=TABLE).day == date(2026, 5, 30)
    into_2027 = cases.due("decision", date(2026, 12, 28), cal=CAL, table=TABLE)
    assert into_2027.provisional, "a working-day deadline into 2027 waits for its holiday notice"


def test_the_hearing_right_starts_at_the_threshold():
    threshold = TABLE["hearing_fine_threshold_cny"]["unit"]
    assert cases.hearing_right({"amount_cny": threshold}, TABLE)
    assert not cases.hearing_right({"amount_cny": threshold - 1}, TABLE)
    assert not cases.hearing_right(None, TABLE)


def test_a_step_must_be_the_cases_next_and_carry_its_fields():
    case = {"step": "notice", "penalty": None}
    with pytest.raises(Conflict):
        cases.step_fields("notice", {"step": "decision"}, case=case, table=TABLE, today=date(2026, 12, 2))
    with pytest.raises(InvalidArgument) as refused:
        cases.step_fields("notice", {"step": "notice", "penalty": {"amount_cny": -1}}, case=case, table=TABLE, today=date(2026, 12, 2))
    assert set(codes(refused)) == {"basis.required", "penalty.content.required", "penalty.amount_cny.range"}
    with pytest.raises(InvalidArgument) as refused:
        cases.step_fields("decision", {"step": "decision", "decision": "罚款"}, case={"step": "decision", "penalty": {"amount_cny": 5000}},
                          table=TABLE, today=date(2026, 12, 2))
    assert codes(refused) == ["bank.required"], "a fine says where to pay it"
    with pytest.raises(InvalidArgument) as refused:
        cases.step_fields("service", {"step": "service", "method": "口头", "served_on": "2026-12-03", "recipient": "王"},
                          case={"step": "service"}, table=TABLE, today=date(2026, 12, 2))
    assert set(codes(refused)) == {"method.enum", "served_on.future"}
    with pytest.raises(Conflict):
        cases.step_fields("closure", {"step": "closure"}, case={"step": "closed"}, table=TABLE, today=date(2026, 12, 2))


def test_the_documents_of_the_chain():
    case = {"case_number": "(崆)应急立〔2026〕1号", "cause": "x", "source": "现场检查", "penalty": None}
    history = {"investigation": {"facts": "f", "evidence": "e", "violated": "v"}}
    big = {"basis": "b", "penalty": {"content": "罚款六万元", "amount_cny": 60000}}
    small = {"basis": "b", "penalty": {"content": "警告", "amount_cny": 0}}
    assert cases.document_fields("notice", case=case, fields=big, history=history, table=TABLE)[0] == "hearing_notice"
    doc, fields = cases.document_fields("notice", case=case, fields=small, history=history, table=TABLE)
    assert doc == "penalty_notice" and fields["facts"] == "f" and fields["case_number"] == case["case_number"]
    doc, fields = cases.document_fields("service", case=case, fields={"served_on": date(2026, 12, 2), "method": "直接送达", "recipient": "王"},
                                        history={}, table=TABLE, decision_number="(崆)应急罚〔2026〕1号")
    assert doc == "service_receipt" and fields["document_number"] == "(崆)应急罚〔2026〕1号"
    assert set(cases.STEP_DOCUMENT) == {"filing", "notice", "decision", "service", "closure"}
    with pytest.raises(ValueError):
        cases.document_fields("investigation", case=case, fields={}, history={}, table=TABLE)
