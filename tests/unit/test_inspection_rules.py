"""An inspection's rules: two officers with certificates valid on the day and within the region,
findings and their deadlines, the unit's signature or its refusal, the documents completion
issues, and the re-check's states and results. Also the document numbers' format."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.kit import docnumbers
from services.kit.errors import InvalidArgument
from services.supervision.enforcement import documents
from services.supervision.inspections import rules

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)
TODAY = date(2026, 12, 2)
TABLE = documents.table("enforcement_deadlines", TODAY).body


def codes(exc) -> list[str]:
    return [v.code for v in exc.value.violations]


def officer(i, *, valid_until="2029-12-31", region="620802", valid_from="2024-01-01"):
    return {"id": i, "name": f"执法{i}", "certificate_number": f"ZF{i}", "valid_from": valid_from, "valid_until": valid_until,
            "region_code": region, "agency": "崆峒区应急管理局"}


def test_a_new_inspection_needs_two_distinct_officers_a_place_and_a_known_mode():
    ok = rules.new_inspection({"uscc": "91620802ma71kt001d", "place": "罐区", "officer_ids": [1, "2"]}, now=NOW)
    assert ok["uscc"] == "91620802MA71KT001D" and ok["mode"] == "routine" and ok["officer_ids"] == ["1", "2"]
    with pytest.raises(InvalidArgument) as refused:
        rules.new_inspection({"uscc": "X", "place": "", "mode": "surprise", "officer_ids": ["1", "1"]}, now=NOW)
    assert set(codes(refused)) == {"place.required", "mode.enum", "officer_ids.two"}
    with pytest.raises(InvalidArgument) as refused:
        rules.new_inspection({"uscc": "X", "place": "p", "officer_ids": ["1", "2", "1"]}, now=NOW)
    assert codes(refused) == ["officer_ids.repeated"]
    with pytest.raises(InvalidArgument) as refused:
        rules.new_inspection({"uscc": "X", "place": "p", "officer_ids": ["1", "2"], "started_at": "2026-12-02T12:00:00+08:00"}, now=NOW)
    assert codes(refused) == ["started_at.future"]


def test_officers_certificates_must_be_valid_on_the_day_and_the_officers_within_the_region():
    kept = rules.check_officers([officer(1), officer(2, valid_until="2026-12-02")], on=TODAY, region_prefix="620802")
    assert [o["id"] for o in kept] == ["1", "2"], "valid through the day itself"
    with pytest.raises(InvalidArgument) as refused:
        rules.check_officers([officer(1), officer(2, valid_until="2026-12-01"), None, officer(4, region="620821"),
                              officer(5, valid_from="2026-12-03")], on=TODAY, region_prefix="620802")
    assert codes(refused) == ["officer.certificate", "officer.unknown", "officer.region", "officer.certificate"]
    assert [v.field for v in refused.value.violations] == ["officer_ids[1]", "officer_ids[2]", "officer_ids[3]", "officer_ids[4]"]


def test_a_finding_is_major_only_when_it_matches_a_major_item_and_ordered_ones_need_a_future_deadline():
    f = rules.new_finding({"description": "未设紧急切断", "handling": "order", "deadline": "2026-12-20", "item_code": "HC-01"},
                          major_item=True, today=TODAY, max_days=TABLE["order_max_days"])
    assert f["major"] and f["deadline"] == date(2026, 12, 20)
    assert not rules.new_finding({"description": "标志缺失", "handling": "fixed_on_site"}, major_item=None, today=TODAY, max_days=180)["major"]
    for deadline, code in (("2026-12-02", "deadline.past"), (None, "deadline.required"), ("2027-06-01", "deadline.too_far")):
        with pytest.raises(InvalidArgument) as refused:
            rules.new_finding({"description": "x", "handling": "measures", "deadline": deadline}, major_item=None, today=TODAY, max_days=180)
        assert codes(refused) == [code]
    with pytest.raises(InvalidArgument) as refused:
        rules.new_finding({"description": "x", "handling": "warn"}, major_item=None, today=TODAY, max_days=180)
    assert codes(refused) == ["handling.enum"]


def test_completion_records_every_officer_and_the_units_signature_or_refusal():
    inspection = {"started_at": NOW - timedelta(hours=2), "officers": [officer(1), officer(2)]}
    done = rules.completion({"content": "检查罐区", "unit_present": {"name": "王厂长", "post": "副厂长"}}, inspection=inspection,
                            findings=[], now=NOW)
    assert [s["role"] for s in done["signatures"]] == ["inspector", "inspector", "unit"] and not done["signatures"][2]["refused"]
    with pytest.raises(InvalidArgument) as refused:
        rules.completion({"content": "检查罐区", "unit_present": {"name": "王厂长"}, "unit_refused_to_sign": True},
                         inspection=inspection, findings=[], now=NOW)
    assert codes(refused) == ["refusal_note.required"], "a refusal to sign is recorded with the officers' note"
    with pytest.raises(InvalidArgument) as refused:
        rules.completion({"content": "", "unit_present": {}, "ended_at": (NOW - timedelta(hours=3)).isoformat()},
                         inspection=inspection, findings=[], now=NOW)
    assert set(codes(refused)) == {"content.required", "name.required", "ended_at.before_start"}
    assert "unit_present.name" in [v.field for v in refused.value.violations]


def test_completion_issues_the_record_and_one_document_per_kind_of_handling():
    def f(handling, deadline=None):
        return {"handling": handling, "deadline": deadline}
    assert rules.documents_to_issue([]) == ["inspection_record"]
    assert rules.documents_to_issue([f("fixed_on_site")]) == ["inspection_record"]
    assert rules.documents_to_issue([f("order", date(2026, 12, 9)), f("measures", date(2026, 12, 5)), f("order", date(2026, 12, 20))]) == \
        ["inspection_record", "rectification_order", "onsite_measures"]
    assert rules.order_deadline([f("order", date(2026, 12, 9)), f("order", date(2026, 12, 20)), f("measures", date(2027, 1, 5))]) == \
        date(2026, 12, 20)


def test_recheck_due_days_after_the_deadline_and_its_states_at_each_edge():
    due = rules.recheck_due(date(2026, 12, 20), TABLE)
    assert due == date(2026, 12, 30)
    r = {"rectify_by": date(2026, 12, 20), "due_on": due, "done_on": None}
    assert rules.recheck_status(r, date(2026, 12, 20)) == "waiting"
    assert rules.recheck_status(r, date(2026, 12, 21)) == "due"
    assert rules.recheck_status(r, date(2026, 12, 30)) == "due"
    assert rules.recheck_status(r, date(2026, 12, 31)) == "overdue"
    assert rules.recheck_status(r | {"done_on": date(2026, 12, 22)}, date(2027, 1, 31)) == "done"


def test_a_reported_rectification_makes_the_recheck_due_within_ten_days_of_the_report():
    r = {"rectify_by": date(2026, 12, 20), "due_on": rules.recheck_due(date(2026, 12, 20), TABLE), "done_on": None}
    assert rules.due_after_report(r, date(2026, 12, 5), TABLE) == date(2026, 12, 15), "ten days after the report, before the usual day"
    assert rules.due_after_report(r, date(2026, 12, 25), TABLE) == date(2026, 12, 30), "reported late: the usual day stands"
    assert rules.due_after_report(r, date(2026, 12, 20), TABLE) == date(2026, 12, 30), "on the deadline both give the same day"
    reported = r | {"reported_on": date(2026, 12, 5), "due_on": date(2026, 12, 15)}
    assert rules.recheck_status(reported, date(2026, 12, 5)) == "due", "a report asks for the re-check before the deadline"
    assert rules.recheck_status(reported, date(2026, 12, 16)) == "overdue"
    older = documents.table("enforcement_deadlines", date(2026, 6, 1)).body
    assert "recheck_after_report" not in older and rules.due_after_report(r, date(2026, 12, 5), older) == r["due_on"], \
        "under the earlier table version a report does not move the due day"


ORDER = {"issued_at": datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc), "body": {"items": [{"no": 1, "text": "a"}, {"no": 3, "text": "b"}]}}


def report(**over):
    body = {"items": [{"no": 1, "measures": "已整改", "completed_on": "2026-12-01"}, {"no": 3, "measures": "已更换", "completed_on": "2026-12-02"}],
            "summary": "", "principal": "王厂长"}
    return body | over


def test_a_rectification_report_covers_every_item_of_the_order_once_with_dates_in_range():
    ok = rules.rectification_report(report(), order=ORDER, today=TODAY)
    assert [i["no"] for i in ok["items"]] == [1, 3] and ok["principal"] == "王厂长"
    with pytest.raises(InvalidArgument) as missing:
        rules.rectification_report(report(items=[{"no": 1, "measures": "x", "completed_on": "2026-12-01"}]), order=ORDER, today=TODAY)
    assert [(v.field, v.code) for v in missing.value.violations] == [("items.3", "items.missing")]
    with pytest.raises(InvalidArgument) as twice:
        rules.rectification_report(report(items=report()["items"] + [{"no": 1, "measures": "x", "completed_on": "2026-12-01"}]),
                                   order=ORDER, today=TODAY)
    assert codes(twice) == ["items.no.duplicate"]
    with pytest.raises(InvalidArgument) as unknown:
        rules.rectification_report(report(items=report()["items"] + [{"no": 2, "measures": "x", "completed_on": "2026-12-01"}]),
                                   order=ORDER, today=TODAY)
    assert codes(unknown) == ["items.no.unknown"]
    with pytest.raises(InvalidArgument) as dates:
        rules.rectification_report(report(items=[{"no": 1, "measures": "x", "completed_on": "2026-11-30"},
                                                 {"no": 3, "measures": "x", "completed_on": "2026-12-03"}]), order=ORDER, today=TODAY)
    assert [(v.field, v.code) for v in dates.value.violations] == [("items.1.completed_on", "completed_on.early"),
                                                                   ("items.3.completed_on", "completed_on.future")]
    assert rules.rectification_report(report(items=[{"no": 1, "measures": "x", "completed_on": "2026-12-01"},
                                                    {"no": 3, "measures": "x", "completed_on": "2026-12-02"}]), order=ORDER, today=TODAY), \
        "the day of the order (Beijing time) and today are both allowed"
    with pytest.raises(InvalidArgument) as unsigned:
        rules.rectification_report(report(principal=" ", items="x"), order=ORDER, today=TODAY)
    assert set(codes(unsigned)) == {"items.required", "items.missing", "principal.required"}


def test_a_recheck_fails_only_after_the_deadline_and_then_names_what_follows():
    r = {"rectify_by": date(2026, 12, 20)}
    passed = rules.recheck_result({"result": "passed", "opinion": "已整改", "rechecked_on": "2026-12-10"}, recheck=r,
                                  today=date(2026, 12, 10), max_days=180)
    assert passed["result"] == "passed" and passed["next_action"] is None, "an early rectification passes early"
    with pytest.raises(InvalidArgument) as refused:
        rules.recheck_result({"result": "failed", "opinion": "未整改", "next_action": "case", "rechecked_on": "2026-12-20"}, recheck=r,
                             today=date(2026, 12, 20), max_days=180)
    assert codes(refused) == ["rechecked_on.early"]
    with pytest.raises(InvalidArgument) as refused:
        rules.recheck_result({"result": "failed", "opinion": "未整改", "rechecked_on": "2026-12-21"}, recheck=r, today=date(2026, 12, 21),
                             max_days=180)
    assert codes(refused) == ["next_action.enum"]
    with pytest.raises(InvalidArgument) as refused:
        rules.recheck_result({"result": "failed", "opinion": "未整改", "next_action": "new_order", "new_deadline": "2026-12-21"},
                             recheck=r, today=date(2026, 12, 21), max_days=180)
    assert codes(refused) == ["new_deadline.range"]
    again = rules.recheck_result({"result": "failed", "opinion": "未整改", "next_action": "new_order", "new_deadline": "2027-01-10"},
                                 recheck=r, today=date(2026, 12, 21), max_days=180)
    assert again["new_deadline"] == date(2027, 1, 10)


def test_document_numbers_format_and_parse():
    n = docnumbers.Number("(平)", "应急责改", 2026, 15)
    assert str(n) == "(平)应急责改〔2026〕15号"
    assert docnumbers.parse("(平)应急责改〔2026〕15号") == n
    assert docnumbers.parse("平应急发〔2026〕12号") == docnumbers.Number("", "平应急发", 2026, 12)
    assert docnumbers.parse("(平)应急责改[2026]15号") is None and docnumbers.parse("(平)应急责改〔2026〕015号") is None


def test_each_county_bureau_issues_under_its_own_code_and_the_city_under_the_citys():
    codes_table = documents.table("document_codes", TODAY)
    assert documents.agency("620802", codes_table) == ("620802", {"name": "平凉市崆峒区应急管理局", "code": "(崆)"})
    assert documents.agency("620802100", codes_table)[0] == "620802"
    assert documents.agency("620800", codes_table)[1]["code"] == "(平)"
    with pytest.raises(LookupError):
        documents.agency("620900", codes_table)
    assert documents.doc_code("rectification_order", codes_table) == "应急责改"
    assert documents.doc_code("service_receipt", codes_table) is None
