"""services.datacenter.registry.values: what callers send, typed per field, with field-level violations."""
import json
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.datacenter.registry import catalogue, values
from services.datacenter.registry.spec import Field, Kind
from services.datacenter.registry.values import parse, record_json, to_json
from services.kit import codes

CJK = re.compile(r"[\u4e00-\u9fff]")
EIGHT_HOURS = timedelta(hours=8)


def valid_uscc(first17: str = "91620802MA7ABCDE1") -> str:
    return first17 + codes.uscc_check_char(first17)


def valid_id(first17: str = "62080219900307123") -> str:
    return first17 + codes.resident_id_check_char(first17)


USCC = valid_uscc()
ID_NUMBER = valid_id()


def wrong_last(code: str, alphabet: str) -> str:
    return code[:17] + next(c for c in alphabet if c != code[17])


_ITEM = (
    Field("name", "名称", required=True, max_length=5),
    Field("qty", "数量", "int", minimum=1),
    Field("checks", "检查", "json", item_fields=(Field("on", "检查日期", "date", required=True),)),
)

# One field of every type, so each branch of coerce() is exercised through parse().
SAMPLE = Kind(
    name="sample", database="samples", table="sample", path="samples", label="样例",
    fields=(
        Field("title", "标题", required=True, min_length=2, max_length=10),
        Field("code", "编号", max_length=8, pattern=r"[A-Z]{2}\d{3}", pattern_hint="两个大写字母加三位数字"),
        Field("colour", "颜色", "enum", options=(("red", "红色"), ("blue", "蓝色"))),
        Field("colours", "颜色列表", "enum_list", options=(("red", "红色"), ("blue", "蓝色"), ("green", "绿色"))),
        Field("tags", "标签", "text_list", max_length=5),
        Field("count", "数量", "int", minimum=0, maximum=100),
        Field("amount", "金额", "decimal", minimum=0, maximum=1000),
        Field("ratio", "比例", "float", minimum=-1, maximum=1.5),
        Field("on", "日期", "date"),
        Field("at", "时间", "datetime"),
        Field("flag", "标志", "bool"),
        Field("uscc", "信用代码", "uscc"),
        Field("id_number", "身份证号码", "id_number", mask="id_number"),
        Field("phone", "电话", "phone", mask="phone"),
        Field("region_code", "行政区划", "region"),
        Field("doc", "附加信息", "json"),
        Field("items", "明细", "json", item_fields=_ITEM),
        Field("score", "评分", "int", computed=True),
    ),
)


def value_of(name: str, given, kind: Kind = SAMPLE):
    parsed, problems = parse(kind, {name: given}, partial=True)
    assert problems == [], problems
    return parsed[name]


def problem_of(name: str, given, kind: Kind = SAMPLE):
    parsed, problems = parse(kind, {name: given}, partial=True)
    assert name not in parsed
    assert len(problems) == 1, problems
    return problems[0]


def code_of(name: str, given, kind: Kind = SAMPLE) -> str:
    return problem_of(name, given, kind).code


# --- text -----------------------------------------------------------------------------------------

def test_text_is_trimmed():
    assert value_of("title", "  安全检查  ") == "安全检查"


def test_text_from_a_number_cell_is_its_digits():
    assert value_of("title", 12345) == "12345"
    assert value_of("title", 12345.0) == "12345"   # a spreadsheet's numeric cell


@pytest.mark.parametrize("title", ["甲乙", "x" * 10])
def test_text_length_bounds_are_inclusive(title):
    assert value_of("title", title) == title


@pytest.mark.parametrize("title", ["甲", "x" * 11])
def test_text_length_out_of_range(title):
    v = problem_of("title", title)
    assert v.code == "title.length"
    assert v.message_zh.startswith("标题：")


def test_text_length_counts_characters_not_bytes():
    assert value_of("title", "安" * 10) == "安" * 10


def test_text_pattern_must_match_the_whole_value():
    assert value_of("code", "AB123") == "AB123"
    for bad in ("ab123", "AB1234", "XAB123", "AB12"):
        v = problem_of("code", bad)
        assert v.code == "code.format"
        assert "两个大写字母加三位数字" in v.message_zh


@pytest.mark.parametrize("bad", [True, {"a": 1}, ["a"]])
def test_text_refuses_booleans_objects_and_lists(bad):
    assert code_of("title", bad) == "title.type"


# --- enum / enum_list / text_list -----------------------------------------------------------------

def test_enum_by_code_and_by_chinese_label():
    assert value_of("colour", "red") == "red"
    assert value_of("colour", "蓝色") == "blue"
    assert value_of("colour", " 红色 ") == "red"


def test_enum_unknown_value_lists_the_choices():
    v = problem_of("colour", "黄色")
    assert v.code == "colour.option"
    assert "黄色" in v.message_zh and "红色、蓝色" in v.message_zh
    assert "red, blue" in v.message_en


def test_enum_codes_are_case_sensitive():
    assert code_of("colour", "RED") == "colour.option"


@pytest.mark.parametrize("given", ["red；蓝色、green", "red,蓝色,green", "red;蓝色，green", ["red", "蓝色", "green"]])
def test_enum_list_split_on_chinese_and_latin_separators(given):
    assert value_of("colours", given) == ["red", "blue", "green"]


def test_enum_list_drops_repeats_and_blanks_keeping_order():
    assert value_of("colours", "蓝色；red；blue；；") == ["blue", "red"]


def test_enum_list_refuses_an_unknown_item():
    assert code_of("colours", "red；紫色") == "colours.option"


def test_text_list_split_trimmed_and_deduplicated():
    assert value_of("tags", " 矿山 ；危化、消防,矿山，电气;粉尘") == ["矿山", "危化", "消防", "电气", "粉尘"]
    assert value_of("tags", ["矿山", " 危化 ", "", None]) == ["矿山", "危化"]


def test_text_list_checks_each_item():
    v = problem_of("tags", "矿山；非常长的标签")
    assert v.code == "tags.length"


def test_a_list_of_separators_only_is_empty():
    assert parse(SAMPLE, {"tags": "；、"}, partial=True) == ({"tags": None}, [])


def test_required_list_is_not_satisfied_by_separators_or_blank_items():
    expert = catalogue.KINDS["expert"]
    for empty in ("；", "、,", [""], [], ""):
        assert code_of("fields", empty, expert) == "fields.required", empty


# --- numbers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [(42, 42), ("42", 42), (" 7 ", 7), (42.0, 42), ("1e1", 10), ("0", 0), (100, 100)])
def test_int_accepts_whole_numbers_in_any_spelling(given, expected):
    got = value_of("count", given)
    assert got == expected and type(got) is int


@pytest.mark.parametrize("given", [1.5, "1.5", "2.000001"])
def test_int_refuses_fractions(given):
    v = problem_of("count", given)
    assert v.code == "count.type"
    assert "整数" in v.message_zh and "whole" in v.message_en


@pytest.mark.parametrize("given", [True, False, "abc", "nan", "inf", float("nan"), float("inf"), "1..2"])
def test_int_refuses_booleans_and_non_numbers(given):
    assert code_of("count", given) == "count.type"


@pytest.mark.parametrize("given, code", [(-1, "count.range"), (101, "count.range")])
def test_int_range(given, code):
    v = problem_of("count", given)
    assert v.code == code
    assert ("0" in v.message_zh) if given < 0 else ("100" in v.message_zh)


def test_decimal_keeps_exact_digits():
    got = value_of("amount", "12.50")
    assert got == Decimal("12.50") and isinstance(got, Decimal)
    assert value_of("amount", "1,000") == Decimal("1000")
    assert value_of("amount", 0.1) == Decimal("0.1")   # not 0.1000000000000000055…


@pytest.mark.parametrize("given", [-0.01, "1000.01", 1e6])
def test_decimal_range(given):
    v = problem_of("amount", given)
    assert v.code == "amount.range"


def test_decimal_range_bounds_are_inclusive_and_messages_show_whole_bounds():
    assert value_of("amount", 0) == 0 and value_of("amount", "1000") == 1000
    assert "不能大于1000" in problem_of("amount", 1001).message_zh


def test_decimal_refuses_booleans():
    assert code_of("amount", True) == "amount.type"


def test_float_is_a_float():
    got = value_of("ratio", "0.25")
    assert got == 0.25 and type(got) is float
    assert value_of("ratio", -1) == -1.0


@pytest.mark.parametrize("given", [-1.01, 1.51, "2"])
def test_float_range(given):
    assert code_of("ratio", given) == "ratio.range"


def test_float_range_message_keeps_a_fractional_bound():
    assert "1.5" in problem_of("ratio", 2).message_zh


def test_coordinates_of_a_real_kind_are_bounded_to_china():
    enterprise = catalogue.KINDS["enterprise"]
    assert value_of("lon", "106.66", enterprise) == pytest.approx(106.66)
    assert code_of("lon", 35.5, enterprise) == "lon.range"       # latitude typed into longitude
    assert code_of("lat", 106.66, enterprise) == "lat.range"


# --- dates and times ------------------------------------------------------------------------------

@pytest.mark.parametrize("given", [
    "2026-11-23", "2026/11/23", "2026.11.23", "20261123", " 2026-11-23 ",
    "2026-11-23 00:00:00", "2026/11/23 0:00", "2026-11-23T08:30:00", "2026-11-23T08:30:00+08:00", "2026-11-23 08:30:00.5",
    datetime(2026, 11, 23, 0, 0), datetime(2026, 11, 23, 15, 45, tzinfo=timezone.utc), date(2026, 11, 23),
])
def test_date_formats(given):
    assert value_of("on", given) == date(2026, 11, 23)


@pytest.mark.parametrize("given", ["2026-13-01", "2026-02-30", "23/11/2026", "明天", "2026-11-23 至 2026-12-01", "2026-11-23x",
                                   "2026-11-23 abc", 46349])
def test_bad_dates(given):
    v = problem_of("on", given)
    assert v.code == "on.format"
    assert "YYYY-MM-DD" in v.message_zh and "YYYY-MM-DD" in v.message_en


def test_datetime_without_zone_is_beijing_time():
    got = value_of("at", "2026-11-23 08:30")
    assert got.utcoffset() == EIGHT_HOURS
    assert got == datetime(2026, 11, 23, 0, 30, tzinfo=timezone.utc)
    assert value_of("at", "2026/11/23 08:30:00") == got
    assert value_of("at", datetime(2026, 11, 23, 8, 30)) == got   # an Excel date-time cell is naive


def test_datetime_with_zone_keeps_its_instant():
    assert value_of("at", "2026-11-23T00:30:00Z") == datetime(2026, 11, 23, 0, 30, tzinfo=timezone.utc)
    assert value_of("at", "2026-11-23T09:30:00+09:00") == datetime(2026, 11, 23, 0, 30, tzinfo=timezone.utc)
    aware = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert value_of("at", aware) == aware


def test_a_date_for_a_datetime_is_beijing_midnight():
    got = value_of("at", date(2026, 11, 23))
    assert got.utcoffset() == EIGHT_HOURS and (got.hour, got.minute) == (0, 0)
    assert value_of("at", "2026-11-23") == got


@pytest.mark.parametrize("given", ["not a time", "2026-11-23 25:00", "08:30"])
def test_bad_datetimes(given):
    assert code_of("at", given) == "at.format"


# --- bool -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    ("是", True), ("否", False), (True, True), (False, False), ("true", True), ("FALSE", False), ("1", True), ("0", False),
    (1, True), (0, False), ("Y", True), ("no", False), (" 是 ", True),
])
def test_bool(given, expected):
    assert value_of("flag", given) is expected


@pytest.mark.parametrize("given", ["也许", "2", 2, "对"])
def test_bool_refuses_anything_else(given):
    v = problem_of("flag", given)
    assert v.code == "flag.type"
    assert "是" in v.message_zh and "否" in v.message_zh


# --- identifiers ----------------------------------------------------------------------------------

def test_valid_uscc_is_accepted_and_uppercased():
    assert codes.uscc_problem(USCC) is None
    assert value_of("uscc", USCC) == USCC
    assert value_of("uscc", " " + USCC.lower() + " ") == USCC


@pytest.mark.parametrize("given, code, zh", [
    (USCC[:17], "uscc.length", "18位"),
    (USCC + "0", "uscc.length", "18位"),
    (wrong_last(USCC, codes.USCC_ALPHABET), "uscc.check_digit", "校验位"),
    ("I" + USCC[1:], "uscc.charset", "不允许"),
    (USCC[:5] + "O" + USCC[6:], "uscc.charset", "不允许"),
])
def test_bad_uscc(given, code, zh):
    v = problem_of("uscc", given)
    assert v.code == code and zh in v.message_zh


def test_the_uscc_check_character_covers_every_position():
    # Changing any one of the first 17 characters must break the check.
    for i in range(17):
        c = USCC[i]
        other = next(x for x in codes.USCC_ALPHABET if x != c)
        assert code_of("uscc", USCC[:i] + other + USCC[i + 1:]) == "uscc.check_digit", i


def test_valid_id_number_including_x_check_character():
    assert value_of("id_number", ID_NUMBER) == ID_NUMBER
    with_x = next(valid_id(f"620802199003071{n:02d}") for n in range(100)
                  if codes.resident_id_check_char(f"620802199003071{n:02d}") == "X")
    assert value_of("id_number", with_x.lower()) == with_x


@pytest.mark.parametrize("given, code", [
    (ID_NUMBER[:17], "id_number.length"),
    (wrong_last(ID_NUMBER, "0123456789"), "id_number.check_digit"),
    ("A" + ID_NUMBER[1:], "id_number.charset"),
    (ID_NUMBER[:16] + "X" + ID_NUMBER[17], "id_number.charset"),
    ("６" + ID_NUMBER[1:], "id_number.charset"),   # fullwidth digit
])
def test_bad_id_number(given, code):
    assert code_of("id_number", given) == code


@pytest.mark.parametrize("given, expected", [
    ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"), (13800138000.0, "13800138000"),
    (13800138000, "13800138000"), ("0933-8212345", "0933-8212345"), ("09338212345", "09338212345"),
    ("010-12345678", "010-12345678"), ("0933-8212345-801", "0933-8212345-801"), ("400-123-4567", "400-123-4567"),
    ("4001234567", "4001234567"), ("12345", "12345"), ("119", "119"),
])
def test_phone_formats(given, expected):
    assert value_of("phone", given) == expected


@pytest.mark.parametrize("given", ["12345678901", "1380013800", "138001380000", "abc", "0933_8212345", "+86 13800138000", "12"])
def test_bad_phones(given):
    v = problem_of("phone", given)
    assert v.code == "phone.format" and "电话" in v.message_zh


@pytest.mark.parametrize("given", ["620802", "620802100", "620802100001"])
def test_region_codes(given):
    assert value_of("region_code", given) == given


@pytest.mark.parametrize("given", ["6208", "62080a", "000000", "6208021", "6208021000", "６２０８０２"])
def test_bad_region_codes(given):
    v = problem_of("region_code", given)
    assert v.code == "region_code.format" and "GB/T 2260" in v.message_zh


# --- json -----------------------------------------------------------------------------------------

def test_json_without_a_shape_takes_objects_and_lists():
    assert value_of("doc", {"a": 1}) == {"a": 1}
    assert value_of("doc", [1, 2]) == [1, 2]
    assert value_of("doc", '{"a": [1, "二"]}') == {"a": [1, "二"]}


@pytest.mark.parametrize("given, code", [("{not json", "doc.format"), (5, "doc.type"), ('"text"', "doc.type"), ("5", "doc.type")])
def test_json_without_a_shape_refuses_scalars_and_garbage(given, code):
    assert code_of("doc", given) == code


def test_json_items_are_typed_and_absent_optionals_dropped():
    got = value_of("items", [{"name": " 铁锹 ", "qty": "3"}, {"name": "水泵", "checks": [{"on": "2026/11/23"}]}])
    assert got == [{"name": "铁锹", "qty": 3}, {"name": "水泵", "checks": [{"on": date(2026, 11, 23)}]}]


def test_json_items_from_an_import_cell():
    assert value_of("items", json.dumps([{"name": "铁锹", "qty": 2}], ensure_ascii=False)) == [{"name": "铁锹", "qty": 2}]


def test_a_single_object_stays_an_object():
    assert value_of("items", {"name": "铁锹"}) == {"name": "铁锹"}


def test_json_item_missing_a_required_sub_field():
    v = problem_of("items", [{"name": "铁锹"}, {"qty": 1}])
    assert v.code == "items.required"
    assert "第2项" in v.message_zh and "名称" in v.message_zh
    assert "item 2" in v.message_en and "name" in v.message_en


def test_json_item_with_a_bad_sub_field_names_item_and_reason():
    v = problem_of("items", [{"name": "铁锹", "qty": 0}])
    assert v.code == "items.range"
    assert "第1项" in v.message_zh and "数量" in v.message_zh and "不能小于1" in v.message_zh
    assert v.message_en.startswith("items: item 1, qty:")


def test_json_nested_violation_names_both_levels():
    v = problem_of("items", [{"name": "铁锹"}, {"name": "水泵", "checks": [{"on": "2026-11-23"}, {"on": "昨天"}]}])
    assert v.code == "items.format"
    assert "第2项" in v.message_zh and "第2项的检查日期" in v.message_zh
    assert "item 2, checks: item 2, on:" in v.message_en


def test_json_nested_required():
    v = problem_of("items", [{"name": "水泵", "checks": [{}]}])
    assert v.code == "items.required"
    assert "检查日期" in v.message_zh


def test_json_item_with_unknown_keys():
    v = problem_of("items", [{"name": "铁锹", "colour": "red", "aaa": 1}])
    assert v.code == "items.unknown"
    assert "aaa、colour" in v.message_zh and "aaa, colour" in v.message_en


def test_json_nested_unknown_keys():
    assert code_of("items", [{"name": "水泵", "checks": [{"on": "2026-11-23", "by": "张三"}]}]) == "items.unknown"


@pytest.mark.parametrize("given", [["铁锹"], [{"name": "铁锹"}, 3]])
def test_json_items_must_be_objects(given):
    v = problem_of("items", given)
    assert v.code == "items.type" and "应为对象" in v.message_zh


@pytest.mark.parametrize("empty", [[], {}, "[]", "{}", " ", None])
def test_required_json_is_not_satisfied_by_an_empty_list_in_any_spelling(empty):
    major = catalogue.KINDS["major_hazard"]
    assert code_of("chemicals", empty, major) == "chemicals.required"


# --- parse: required, partial, unknown, computed, ignore ------------------------------------------

def test_create_reports_every_missing_required_field():
    hazard = catalogue.KINDS["hazard"]
    parsed, problems = parse(hazard, {})
    required = {f.name for f in hazard.writable if f.required}
    assert parsed == {}
    assert {v.code for v in problems} == {f"{n}.required" for n in required}
    assert {v.field for v in problems} == required


def test_partial_update_keeps_absent_fields():
    parsed, problems = parse(SAMPLE, {"count": "5"}, partial=True)
    assert (parsed, problems) == ({"count": 5}, [])


@pytest.mark.parametrize("blank", [None, "", "  ", [], {}])
def test_clearing_a_required_field_is_refused_even_in_an_update(blank):
    v = problem_of("title", blank)
    assert v.code == "title.required" and v.message_zh == "标题不能为空"


def test_clearing_an_optional_field_stores_null():
    assert parse(SAMPLE, {"count": "", "on": None}, partial=True) == ({"count": None, "on": None}, [])


def test_unknown_and_computed_fields_are_refused():
    parsed, problems = parse(SAMPLE, {"title": "标题", "nonsense": 1, "score": 5, "id": 3, "version": 2})
    assert parsed == {"title": "标题"}
    assert sorted(v.code for v in problems) == ["id.unknown", "nonsense.unknown", "score.computed", "version.unknown"]
    computed = next(v for v in problems if v.field == "score")
    assert "评分" in computed.message_zh and "系统计算" in computed.message_zh


def test_computed_fields_of_real_kinds_are_refused():
    accident = catalogue.KINDS["accident"]
    _, problems = parse(accident, {"grade": "general"}, partial=True)
    assert [v.code for v in problems] == ["grade.computed"]


def test_ignored_columns_are_skipped_silently():
    raw = {"title": "标题", "score": 5, "created_at": "2026-01-01", "id": "7"}
    assert parse(SAMPLE, raw, ignore=frozenset({"score", "created_at", "id"})) == ({"title": "标题"}, [])


def test_ignore_does_not_excuse_anything_else():
    _, problems = parse(SAMPLE, {"title": "标题", "score": 5, "other": 1}, ignore=frozenset({"score"}))
    assert [v.code for v in problems] == ["other.unknown"]


def test_every_bad_field_is_reported_at_once():
    _, problems = parse(SAMPLE, {"title": "甲", "count": 1.5, "on": "x", "uscc": "123"}, partial=True)
    assert {v.field for v in problems} == {"title", "count", "on", "uscc"}


def test_a_good_hazard_parses_cleanly():
    hazard = catalogue.KINDS["hazard"]
    raw = {"uscc": USCC, "source": "企业自查", "found_at": "2026-11-23 09:00", "description": "配电箱未接地",
           "level": "general", "status": "registered", "deadline": "2026/12/01", "funds_cny": "1200.50",
           "evidence": [{"name": "照片.jpg", "url": "https://example.cn/a.jpg"}]}
    parsed, problems = parse(hazard, raw, text=True)
    assert problems == []
    assert parsed["source"] == "self_inspection"
    assert parsed["deadline"] == date(2026, 12, 1)
    assert parsed["funds_cny"] == Decimal("1200.50")
    assert parsed["found_at"].utcoffset() == EIGHT_HOURS


BAD_INPUTS = [
    ("title", "甲"), ("title", True), ("code", "zz"), ("colour", "黄"), ("colours", "紫色"), ("tags", "toolong"),
    ("count", 1.5), ("count", True), ("count", 101), ("amount", -1), ("ratio", "x"), ("on", "x"), ("at", "x"),
    ("flag", "也许"), ("uscc", "1"), ("id_number", "1"), ("phone", "1"), ("region_code", "1"), ("doc", "{"),
    ("items", [{}]), ("items", [{"name": "a", "zzz": 1}]), ("items", [{"name": "a", "checks": [{}]}]),
]


@pytest.mark.parametrize("name, given", BAD_INPUTS)
def test_every_violation_names_its_field_in_chinese_and_english(name, given):
    v = problem_of(name, given)
    label = SAMPLE.by_name[name].label
    assert v.field == name
    assert v.code.startswith(name + ".") and len(v.code) > len(name) + 1
    assert v.message_zh.startswith(label + "：") and CJK.search(v.message_zh.removeprefix(label + "："))
    assert v.message_en.startswith(name + ": ") and len(v.message_en) > len(name) + 2
    assert not CJK.search(v.message_en.replace(str(given), ""))


def test_required_unknown_and_computed_violations_are_bilingual():
    _, problems = parse(SAMPLE, {"zzz": 1, "score": 1})
    assert {v.code for v in problems} == {"zzz.unknown", "score.computed", "title.required"}
    for v in problems:
        assert v.field in v.code and CJK.search(v.message_zh) and v.message_en and not CJK.search(v.message_en)


# --- the way back: to_json and record_json --------------------------------------------------------

def test_to_json_shows_times_in_beijing():
    assert to_json(datetime(2026, 11, 23, 0, 30, 15, 999, tzinfo=timezone.utc)) == "2026-11-23T08:30:15+08:00"
    assert to_json(date(2026, 11, 23)) == "2026-11-23"


def test_to_json_decimals():
    assert to_json(Decimal("12")) == 12 and type(to_json(Decimal("12.00"))) is int
    assert to_json(Decimal("12.5")) == 12.5
    assert type(to_json(Decimal(2**53))) is float


def test_to_json_walks_lists_and_objects():
    got = to_json({"a": [date(2026, 1, 2), {"b": Decimal("1.5")}], "c": "x", "d": None, "e": True})
    assert got == {"a": ["2026-01-02", {"b": 1.5}], "c": "x", "d": None, "e": True}
    json.dumps(got)


def test_a_parsed_record_round_trips_through_json():
    raw = {"title": "标题", "on": "2026/11/23", "at": "2026-11-23 08:30", "amount": "12.5", "tags": "甲、乙"}
    parsed, problems = parse(SAMPLE, raw)
    assert problems == []
    back = values.json_ready(parsed)
    assert parse(SAMPLE, back)[0] == parsed
    assert back["at"] == "2026-11-23T08:30:00+08:00"


def _expert_row():
    return {"id": 9, "name": "张三", "id_number": ID_NUMBER, "phone": "13800138000", "region_code": "620802",
            "fields": ["矿山"], "search": "'张三'", "created_at": datetime(2026, 1, 1, tzinfo=timezone.utc)}


def test_record_json_masks_id_numbers_and_phones_in_lists():
    expert = catalogue.KINDS["expert"]
    out = record_json(expert, _expert_row(), masked=True)
    assert out["id_number"] == ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]
    assert out["phone"] == "138****8000"
    assert ID_NUMBER not in json.dumps(out) and "13800138000" not in json.dumps(out)
    assert out["name"] == "张三" and out["created_at"] == "2026-01-01T08:00:00+08:00"
    assert "search" not in out


def test_record_json_unmasked_for_those_who_may_see():
    expert = catalogue.KINDS["expert"]
    out = record_json(expert, _expert_row(), masked=False)
    assert out["id_number"] == ID_NUMBER and out["phone"] == "13800138000"
    assert "search" not in out


def test_record_json_masks_landlines_and_leaves_empty_values():
    enterprise = catalogue.KINDS["enterprise"]
    row = {"uscc": USCC, "name": "某公司", "contact_phone": "0933-8212345", "safety_manager_phone": None}
    out = record_json(enterprise, row, masked=True)
    assert out["contact_phone"] == "093*****2345"
    assert out["safety_manager_phone"] is None
    assert out["id"] == USCC   # a natural key is also the record's id
    assert out["uscc"] == USCC  # a credit code is not personal data


def test_record_json_does_not_change_the_row():
    row = _expert_row()
    record_json(catalogue.KINDS["expert"], row, masked=True)
    assert row["id_number"] == ID_NUMBER and "search" in row
