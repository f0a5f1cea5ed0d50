"""services.datacenter.hazards.rules: the hidden-hazard closed loop, 五落实, 挂牌督办, overdue."""
import re
from datetime import date, datetime

import pytest

from services.datacenter.hazards import rules
from services.kit.errors import InvalidArgument

CJK = re.compile(r"[\u4e00-\u9fff]")
TODAY = date(2026, 6, 1)
STATUS_CODES = [c for c, _ in rules.STATUSES]

PLAN = dict(target="消除储罐区泄漏隐患", measures="更换法兰垫片并加装泄漏检测", funds="20万元", materials="垫片、检测仪",
            responsible="设备部 王五", deadline=date(2026, 7, 1), safety_emergency_measures="停用储罐，现场设置警戒并备好应急物资")
VERIFICATION = dict(verified_by="赵六", verified_at=datetime(2026, 5, 30, 10, 0), result="passed", opinion="整改到位，同意销号")


def hazard(**overrides):
    r = dict(level="general", source="self_inspection", status="registered", description="配电箱未接地", found_on=date(2026, 5, 1),
             measures="加装接地线", responsible_person="张三", deadline=date(2026, 5, 20))
    r.update(overrides)
    return r


def major(**overrides):
    return hazard(**{"level": "major", "plan": dict(PLAN), **overrides})


def closed(**overrides):
    return hazard(**{"status": "closed", "verification": dict(VERIFICATION), **overrides})


def refused(current, target, record, actor="李四"):
    with pytest.raises(InvalidArgument) as e:
        rules.transition(current, target, record=record, actor=actor)
    for v in e.value.violations:
        assert CJK.search(v.message_zh) and v.message_en and not CJK.search(v.message_en), v
    return [v.code for v in e.value.violations]


def codes(record, today=TODAY):
    found = rules.violations(record, today=today)
    for v in found:
        assert CJK.search(v.message_zh) and v.message_en, v
    return [v.code for v in found]


# --- option lists ---------------------------------------------------------------------------------

def test_option_lists():
    assert rules.LEVELS == (("general", "一般隐患"), ("major", "重大隐患"))
    assert [c for c, _ in rules.SOURCES] == ["self_inspection", "agency_inspection", "public_report", "employee_report"]
    assert rules.STATUSES == (("registered", "已登记"), ("rectifying", "整改中"), ("awaiting_verification", "待验收"), ("closed", "已销号"))
    assert [c for c, _ in rules.PLAN_FIELDS] == ["target", "measures", "funds", "materials", "responsible", "deadline", "safety_emergency_measures"]
    assert [c for c, _ in rules.SUPERVISION_LEVELS] == ["province", "city", "county"]


# --- transitions ----------------------------------------------------------------------------------

ALLOWED = {("registered", "rectifying"), ("rectifying", "awaiting_verification"),
           ("awaiting_verification", "rectifying"), ("awaiting_verification", "closed")}


@pytest.mark.parametrize("current", STATUS_CODES)
@pytest.mark.parametrize("target", STATUS_CODES)
def test_only_the_loop_transitions_are_allowed(current, target):
    record = closed()
    if (current, target) in ALLOWED:
        rules.transition(current, target, record=record, actor="李四")
    else:
        assert refused(current, target, record) == ["status.illegal_transition"]


def test_illegal_transition_message_names_both_statuses_in_chinese():
    with pytest.raises(InvalidArgument) as e:
        rules.transition("registered", "closed", record=closed(), actor="李四")
    assert "已登记" in e.value.detail_zh and "已销号" in e.value.detail_zh


@pytest.mark.parametrize("status", ["", "done", None])
def test_unknown_status_is_refused(status):
    assert refused("registered", status, hazard()) == ["status.unknown"]
    assert refused(status, "rectifying", hazard()) == ["status.unknown"]


@pytest.mark.parametrize("missing", ["measures", "responsible_person", "deadline"])
def test_rectification_needs_measures_a_responsible_person_and_a_deadline(missing):
    assert refused("registered", "rectifying", hazard(**{missing: None})) == [f"{missing}.required"]
    assert refused("registered", "rectifying", hazard(**{missing: "  "})) == [f"{missing}.required"]


def test_rectification_deadline_must_be_a_date():
    assert refused("registered", "rectifying", hazard(deadline="2026-05-20")) == ["deadline.invalid"]
    assert refused("registered", "rectifying", hazard(deadline=datetime(2026, 5, 20))) == ["deadline.invalid"]


def test_rectification_needs_the_hazard_graded_first():
    assert refused("registered", "rectifying", hazard(level=None)) == ["level.required"]


def test_general_hazard_needs_no_plan():
    rules.transition("registered", "rectifying", record=hazard(), actor="张三")


def test_major_hazard_with_the_full_plan_may_be_rectified():
    rules.transition("registered", "rectifying", record=major(), actor="张三")


@pytest.mark.parametrize("field", [c for c, _ in rules.PLAN_FIELDS])
def test_major_hazard_needs_every_part_of_the_five_implementations_plan(field):
    record = major()
    record["plan"][field] = ""
    assert refused("registered", "rectifying", record) == [f"plan.{field}.required"]


def test_major_hazard_without_a_plan_lists_all_seven_parts():
    assert refused("registered", "rectifying", hazard(level="major")) == [f"plan.{c}.required" for c, _ in rules.PLAN_FIELDS]


def test_plan_message_names_the_part_in_chinese():
    record = major()
    del record["plan"]["funds"]
    with pytest.raises(InvalidArgument) as e:
        rules.transition("registered", "rectifying", record=record, actor="张三")
    assert "经费落实" in e.value.violations[0].message_zh and "五落实" in e.value.violations[0].message_zh


def test_closing_with_a_passed_verification_by_someone_else():
    rules.transition("awaiting_verification", "closed", record=closed(), actor="赵六")


@pytest.mark.parametrize("missing", ["verified_by", "verified_at", "result", "opinion"])
def test_closing_needs_every_part_of_the_verification(missing):
    record = closed()
    record["verification"][missing] = None
    assert refused("awaiting_verification", "closed", record) == [f"verification.{missing}.required"]


def test_closing_without_any_verification_lists_all_four_parts():
    assert refused("awaiting_verification", "closed", hazard()) == [
        "verification.verified_by.required", "verification.verified_at.required", "verification.result.required", "verification.opinion.required"]


def test_a_failed_verification_cannot_close_but_can_go_back_to_rectification():
    record = closed()
    record["verification"]["result"] = "failed"
    assert refused("awaiting_verification", "closed", record) == ["verification.result.not_passed"]
    rules.transition("awaiting_verification", "rectifying", record=record, actor="赵六")


def test_the_fixer_cannot_verify_their_own_rectification():
    record = closed()
    record["verification"]["verified_by"] = " 张三 "
    assert refused("awaiting_verification", "closed", record) == ["verification.verified_by.same_as_responsible"]


def test_the_fixer_cannot_close_it_even_naming_another_verifier():
    assert refused("awaiting_verification", "closed", closed(), actor="张三") == ["verification.verified_by.same_as_responsible"]


# --- overdue --------------------------------------------------------------------------------------

@pytest.mark.parametrize("status, deadline, overdue", [
    ("rectifying", date(2026, 5, 31), True),
    ("rectifying", date(2026, 6, 1), False),           # the deadline day itself is still in time
    ("rectifying", date(2026, 6, 2), False),
    ("registered", date(2026, 5, 1), True),
    ("awaiting_verification", date(2026, 5, 1), True),
    ("closed", date(2026, 5, 1), False),
    ("rectifying", None, False),
])
def test_is_overdue(status, deadline, overdue):
    assert rules.is_overdue(status=status, deadline=deadline, today=TODAY) is overdue


# --- document numbers -----------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["平应急发〔2026〕12号", "甘应急函〔2025〕1号", "应急厅字〔2019〕203号", "平凉市安委办发〔2026〕100号"])
def test_valid_document_numbers(number):
    assert rules.document_number_problem(number) is None


@pytest.mark.parametrize("number, problem", [
    ("", "required"), (None, "required"), ("  ", "required"),
    ("平应急发[2026]12号", "brackets"), ("平应急发【2026】12号", "brackets"), ("平应急发（2026）12号", "brackets"),
    ("平应急发(2026)12号", "brackets"), ("平应急发［2026］12号", "brackets"), ("平应急发﹝2026﹞12号", "brackets"),
    ("平应急发〔2026〕012号", "serial"), ("平应急发〔2026〕第12号", "serial"), ("平应急发〔2026〕0号", "serial"),
    ("平应急发〔26〕12号", "format"), ("平应急发〔2026〕12", "format"), ("〔2026〕12号", "format"), ("PY发〔2026〕12号", "format"),
    ("平应急发〔2026〕１２号", "format"), ("平应急发〔1850〕12号", "format"), (12, "format"),
])
def test_invalid_document_numbers(number, problem):
    assert rules.document_number_problem(number) == problem


def test_parse_document_number():
    assert rules.parse_document_number("平应急发〔2026〕12号") == ("平应急发", 2026, 12)
    assert rules.parse_document_number("平应急发[2026]12号") is None
    assert rules.parse_document_number(None) is None


# --- listed supervision ---------------------------------------------------------------------------

SUPERVISION = dict(level="city", document_number="平应急发〔2026〕12号", deadline=date(2026, 8, 1), extensions=[])


def supervised(**changes):
    return major(status="rectifying", supervision={**SUPERVISION, **changes})


def test_supervision_of_a_major_hazard_is_fine():
    assert codes(supervised()) == []


def test_only_a_major_hazard_can_be_put_under_listed_supervision():
    assert codes(hazard(supervision=dict(SUPERVISION))) == ["supervision.not_major"]


@pytest.mark.parametrize("changes, expected", [
    (dict(level="village"), ["supervision.level.unknown"]),
    (dict(document_number="平应急发[2026]12号"), ["supervision.document_number.brackets"]),
    (dict(document_number=""), ["supervision.document_number.required"]),
    (dict(document_number="平应急发〔2026〕第12号"), ["supervision.document_number.serial"]),
    (dict(document_number="12号"), ["supervision.document_number.format"]),
    (dict(deadline=None), ["supervision.deadline.required"]),
    (dict(extensions=[dict(requested_on=date(2026, 7, 20), new_deadline=date(2026, 8, 1), reason="设备到货延迟", approved=None)]),
     ["extension.new_deadline.invalid"]),
    (dict(extensions=[dict(requested_on=date(2026, 7, 20), new_deadline=date(2026, 9, 1), reason="", approved=None)]),
     ["extension.reason.required"]),
    (dict(extensions=[dict(requested_on=date(2026, 7, 20), new_deadline=date(2026, 9, 1), reason="设备到货延迟", approved="yes")]),
     ["extension.approved.invalid"]),
    (dict(extensions=[dict(requested_on=date(2026, 7, 20), new_deadline=date(2026, 9, 1), reason="设备到货延迟", approved=1)]),
     ["extension.approved.invalid"]),
])
def test_supervision_problems(changes, expected):
    assert codes(supervised(**changes)) == expected


def test_supervision_deadline_follows_approved_extensions_only():
    s = dict(SUPERVISION, extensions=[
        dict(new_deadline=date(2026, 9, 1), reason="设备到货延迟", approved=True),
        dict(new_deadline=date(2026, 10, 1), reason="再次延期", approved=False),
        dict(new_deadline=date(2026, 11, 1), reason="待审批", approved=None),
    ])
    assert rules.supervision_deadline(s) == date(2026, 9, 1)
    assert rules.supervision_deadline(SUPERVISION) == date(2026, 8, 1)


def test_document_number_messages_show_the_right_form():
    [v] = rules.violations(supervised(document_number="平应急发[2026]12号"), today=TODAY)
    assert v.field == "supervision.document_number" and "〔〕" in v.message_zh


# --- whole-record validation ----------------------------------------------------------------------

@pytest.mark.parametrize("record", [
    hazard(), hazard(measures=None, responsible_person=None, deadline=None),   # registered needs no rectification yet
    hazard(status="rectifying"), hazard(status="awaiting_verification"), closed(),
    major(status="rectifying"), major(status="closed", verification=dict(VERIFICATION)),
    hazard(source="agency_inspection", unannounced=True), hazard(source="public_report"), hazard(source="employee_report"),
    hazard(found_on=TODAY, deadline=TODAY), hazard(deadline=date(2026, 5, 1)),
])
def test_good_records(record):
    assert codes(record) == []


@pytest.mark.parametrize("record, expected", [
    (hazard(level="small"), ["level.unknown"]),
    (hazard(source="rumour"), ["source.unknown"]),
    (hazard(unannounced=True), ["unannounced.not_agency"]),
    (hazard(status="fixed"), ["status.unknown"]),
    (hazard(description=" "), ["description.required"]),
    (hazard(found_on=None), ["found_on.required"]),
    (hazard(found_on=datetime(2026, 5, 1, 9)), ["found_on.required"]),
    (hazard(found_on=date(2026, 6, 2), deadline=date(2026, 6, 30)), ["found_on.future"]),
    (hazard(deadline=date(2026, 4, 30)), ["deadline.before_found"]),
    (hazard(status="rectifying", measures=""), ["measures.required"]),
    (hazard(status="awaiting_verification", deadline=None), ["deadline.required"]),
    (hazard(status="rectifying", level="major"), [f"plan.{c}.required" for c, _ in rules.PLAN_FIELDS]),
    (hazard(status="closed"), ["verification.verified_by.required", "verification.verified_at.required",
                               "verification.result.required", "verification.opinion.required"]),
    (closed(verification=dict(VERIFICATION, verified_by="张三")), ["verification.verified_by.same_as_responsible"]),
    (closed(verification=dict(VERIFICATION, verified_at=datetime(2026, 6, 2, 8))), ["verification.verified_at.future"]),
    (closed(verification=dict(VERIFICATION, verified_at=date(2026, 6, 2))), ["verification.verified_at.future"]),
])
def test_record_problems(record, expected):
    assert codes(record) == expected


def test_every_problem_at_once():
    record = dict(level="x", source="y", status="closed", description="", found_on=date(2027, 1, 1))
    assert codes(record) == ["level.unknown", "source.unknown", "description.required", "found_on.future",
                             "measures.required", "responsible_person.required", "deadline.required",
                             "verification.verified_by.required", "verification.verified_at.required",
                             "verification.result.required", "verification.opinion.required"]
