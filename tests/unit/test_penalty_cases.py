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


# --- the step forms (cases.FORMS): what the page draws is what step_fields checks -------------------

TODAY = date(2026, 12, 2)


def refused(step: str, body: dict, case: dict | None = None) -> dict[str, list[str]]:
    """field → codes of the violations step_fields answers for `body` (the case at `step`)."""
    with pytest.raises(InvalidArgument) as exc:
        cases.step_fields(step, {"step": step} | body, case={"step": step, "penalty": None} | (case or {}), table=TABLE, today=TODAY)
    out: dict[str, list[str]] = {}
    for v in exc.value.violations:
        out.setdefault(v.field, []).append(v.code)
    return out


def filled(step: str) -> dict:
    """A body that passes every field of the step's form."""
    body: dict = {}
    for f in cases.FORMS[step]:
        value = {"money": 100, "flag": True, "date": TODAY.isoformat(), "choice": f.options[0] if f.options else ""}.get(f.kind, "内容")
        *parents, leaf = f.name.split(".")
        target = body
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return body


def test_every_step_has_a_form_of_known_kinds_and_every_field_is_recorded():
    assert list(cases.FORMS) == cases.ORDER
    for step, fields in cases.FORMS.items():
        assert fields and len({f.name for f in fields}) == len(fields), step
        for f in fields:
            assert f.kind in cases.KINDS and f.label, (step, f.name)
            assert (f.max_length is not None) == (f.kind in ("text", "textarea")), (step, f.name)
            assert bool(f.options) == (f.kind == "choice"), (step, f.name)
        case = {"step": step, "penalty": {"content": "警告", "amount_cny": 100}}
        out = cases.step_fields(step, {"step": step} | filled(step), case=case, table=TABLE, today=TODAY)
        assert [e["name"] for e in cases.entries(step, out)] == [f.name for f in fields], "every declared field is recorded"


@pytest.mark.parametrize("step", cases.ORDER)
def test_every_required_field_missing_gives_its_field_error(step):
    required = [f for f in cases.FORMS[step] if f.required]
    for f in required:
        body = filled(step)
        *parents, leaf = f.name.split(".")
        target = body
        for part in parents:
            target = target[part]
        del target[leaf]
        errors = refused(step, body)
        assert list(errors) == [f.name], (step, f.name, errors)
        expected = f"{f.name}.enum" if f.kind == "choice" else f"{f.name}.required"
        assert errors[f.name] == [expected]
    every = refused(step, {}) if required else {}
    assert set(every) == {f.name for f in required}, "all at once"


def test_the_required_messages_name_the_fields_label():
    with pytest.raises(InvalidArgument) as exc:
        cases.step_fields("investigation", {"step": "investigation"}, case={"step": "investigation"}, table=TABLE, today=TODAY)
    labels = {f.name: f.label for f in cases.FORMS["investigation"]}
    assert {v.field: v.message_zh for v in exc.value.violations} == {n: f"请填写{label}" for n, label in labels.items()}


def test_choice_fields_refuse_values_outside_their_options():
    for step, fields in cases.FORMS.items():
        for f in (f for f in fields if f.kind == "choice"):
            for wrong in ("口头", f.options[0] + " ", 1, None):
                errors = refused(step, filled(step) | {f.name: wrong})
                assert errors == {f.name: [f"{f.name}.enum"]}, (f.name, wrong)
            for right in f.options:
                out = cases.step_fields(step, {"step": step} | filled(step) | {f.name: right}, case={"step": step}, table=TABLE, today=TODAY)
                assert out[f.name] == right
    with pytest.raises(InvalidArgument) as exc:
        cases.step_fields("service", {"step": "service", "method": "口头", "recipient": "王"}, case={"step": "service"}, table=TABLE, today=TODAY)
    assert exc.value.violations[0].message_zh == "送达方式应为：" + "、".join(cases.SERVICE_METHODS)


def test_text_fields_are_held_to_their_declared_length():
    for step, fields in cases.FORMS.items():
        for f in (f for f in fields if f.kind in ("text", "textarea") and "." not in f.name):
            assert refused(step, filled(step) | {f.name: "字" * (f.max_length + 1)}) == {f.name: [f"{f.name}.max_length"]}
            out = cases.step_fields(step, {"step": step} | filled(step) | {f.name: "字" * f.max_length}, case={"step": step, "penalty": None},
                                    table=TABLE, today=TODAY)
            assert out[f.name] == "字" * f.max_length


def test_the_form_starts_from_the_case_and_requires_the_bank_once_fined():
    fined = {"step": "decision", "penalty": {"content": "罚款人民币六万元", "amount_cny": 60000}}
    form = {f["name"]: f for f in cases.form("decision", fined, TODAY)}
    assert form["decision"]["default"] == "罚款人民币六万元" and form["bank"]["required"] is True
    warned = {f["name"]: f for f in cases.form("decision", {"step": "decision", "penalty": {"content": "警告", "amount_cny": 0}}, TODAY)}
    assert warned["bank"]["required"] is False
    service = {f["name"]: f for f in cases.form("service", {"step": "service"}, TODAY)}
    assert service["method"] == {"name": "method", "label": "送达方式", "kind": "choice", "required": True, "max_length": None,
                                 "options": list(cases.SERVICE_METHODS), "placeholder": "", "default": "直接送达"}
    assert service["served_on"]["default"] == TODAY
    assert {f["name"]: f["default"] for f in cases.form("execution", fined, TODAY)} == {"execution": "", "paid_cny": 60000}
    assert cases.form("closed", {"step": "closed"}, TODAY) == []


def test_what_a_done_step_recorded_is_labelled_by_its_form():
    recorded = {"basis": "《安全生产法》第九十九条", "penalty": {"content": "警告", "amount_cny": 0}}
    assert cases.entries("notice", recorded) == [
        {"name": "basis", "label": "处罚依据", "kind": "text", "value": "《安全生产法》第九十九条"},
        {"name": "penalty.content", "label": "拟处罚内容", "kind": "text", "value": "警告"},
        {"name": "penalty.amount_cny", "label": "罚款金额", "kind": "money", "value": 0}]
    assert cases.entries("decision", {"decision": "警告", "bank": ""}) == [{"name": "decision", "label": "处罚决定内容", "kind": "textarea", "value": "警告"}]
