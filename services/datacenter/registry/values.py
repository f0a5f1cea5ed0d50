"""Turning what a caller sent (JSON from the API, or cells from a CSV/Excel import) into typed
values of a Kind, with a field-level violation in Chinese and English for everything wrong.
Also the way back: typed values to JSON, with personal data masked. Pure, no I/O."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from services.datacenter.registry.spec import Field, Kind
from services.kit import regions
from services.kit.codes import mask_phone, mask_resident_id, resident_id_problem, uscc_problem
from services.kit.errors import FieldViolation

SHANGHAI = ZoneInfo("Asia/Shanghai")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{3,8}|400-?\d{3}-?\d{4})$")
_TRUE, _FALSE = {"true", "1", "是", "yes", "y", "t"}, {"false", "0", "否", "no", "n", "f"}
_LIST_SPLIT = re.compile(r"[;；,，、]")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?")
_UNPADDED = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:([ T])(\d{1,2}):(.*))?$")
_MISSING = object()


def _padded(s: str) -> str:
    """2026-1-5 0:00 (how Excel writes dates into CSV) -> 2026-01-05 00:00."""
    m = _UNPADDED.match(s)
    if not m:
        return s
    year, month, day, sep, hour, rest = m.groups()
    out = f"{year}-{int(month):02d}-{int(day):02d}"
    return out + (f"{sep}{int(hour):02d}:{rest}" if sep else "")


class _Bad(Exception):
    def __init__(self, code: str, zh: str, en: str):
        self.code, self.zh, self.en = code, zh, en


def parse(kind: Kind, raw: dict, *, partial: bool = False, text: bool = False,
          ignore: frozenset[str] = frozenset()) -> tuple[dict, list[FieldViolation]]:
    """Typed values for the writable fields present in `raw`, and what is wrong with them.

    partial: an update, so absent fields keep their stored value; text: cells of an import,
    where every value arrives as a string; ignore: columns silently skipped (an export's computed
    and system columns, so an exported file imports back unchanged)."""
    fields = kind.by_name
    values: dict[str, Any] = {}
    out: list[FieldViolation] = []
    for name in raw:
        if name in ignore:
            continue
        f = fields.get(name)
        if f is None:
            out.append(FieldViolation(name, f"{name}.unknown", f"未知字段“{name}”", f"Unknown field '{name}'"))
        elif f.computed:
            out.append(FieldViolation(name, f"{name}.computed", f"{f.label}由系统计算，不能填写", f"{name} is computed and cannot be set"))
    for f in kind.writable:
        given = raw.get(f.name, _MISSING)
        if given is _MISSING:
            if not partial and f.required:
                out.append(_required(f))
            continue
        try:
            value = coerce(f, given, text=text)
        except _Bad as bad:
            out.append(FieldViolation(f.name, f"{f.name}.{bad.code}", f"{f.label}：{bad.zh}", f"{f.name}: {bad.en}"))
            continue
        if value is None and f.required:
            out.append(_required(f))
            continue
        values[f.name] = value
    return values, out


def filter_value(f: Field, raw: str) -> tuple[Any, FieldViolation | None]:
    """A list filter's value, typed like the field (computed fields too: filtering by a computed
    grade is reading, not setting it)."""
    try:
        return coerce(f, raw, text=True), None
    except _Bad as bad:
        return None, FieldViolation(f.name, f"{f.name}.{bad.code}", f"{f.label}：{bad.zh}", f"{f.name}: {bad.en}")


def _required(f: Field) -> FieldViolation:
    return FieldViolation(f.name, f"{f.name}.required", f"{f.label}不能为空", f"{f.name} is required")


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, (list, dict)) and not v)


def coerce(f: Field, v: Any, *, text: bool = False) -> Any:
    """One value of field `f`, typed; raises _Bad with the reason."""
    if _empty(v):
        return None
    if f.type in ("text", "enum", "uscc", "id_number", "phone", "region"):
        s = _string(v)
        if f.type == "enum":
            return _option(f, s)
        if f.type == "uscc":
            s = s.upper()
            if problem := uscc_problem(s):
                raise _Bad(problem, {"length": "应为18位", "charset": "含有不允许的字符（不使用I、O、S、V、Z）",
                                     "check_digit": "校验位错误"}[problem],
                           {"length": "must have 18 characters", "charset": "contains characters that are not allowed",
                            "check_digit": "wrong check character"}[problem])
        elif f.type == "id_number":
            s = s.upper()
            if problem := resident_id_problem(s):
                raise _Bad(problem, {"length": "应为18位", "charset": "只能是数字，末位可为X", "check_digit": "校验位错误"}[problem],
                           {"length": "must have 18 characters", "charset": "digits only, the last may be X",
                            "check_digit": "wrong check character"}[problem])
        elif f.type == "phone":
            if not _PHONE.match(s.replace(" ", "")):
                raise _Bad("format", "电话号码格式不正确（手机11位或区号-号码）", "not a valid phone number")
            s = s.replace(" ", "")
        elif f.type == "region":
            if not regions.is_well_formed(s):
                raise _Bad("format", "行政区划代码应为6、9或12位数字（GB/T 2260）", "must be 6, 9 or 12 digits (GB/T 2260)")
        _check_text(f, s)
        return s
    if f.type in ("enum_list", "text_list"):
        items = v if isinstance(v, list) else _LIST_SPLIT.split(_string(v))
        items = [_string(i) for i in items if not _empty(i)]
        if f.type == "enum_list":
            items = [_option(f, i) for i in items]
        for i in items:
            _check_text(f, i)
        return list(dict.fromkeys(items)) or None  # order kept, repeats dropped; "；" alone is empty
    if f.type == "int":
        n = _number(v, integer=True)
        _check_range(f, n)
        return n
    if f.type in ("decimal", "float"):
        n = _number(v, integer=False)
        _check_range(f, n)
        return float(n) if f.type == "float" else n
    if f.type == "bool":
        if isinstance(v, bool):
            return v
        s = _string(v).lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise _Bad("type", "应为“是”或“否”", "must be true or false")
    if f.type == "date":
        return _date(v)
    if f.type == "datetime":
        return _datetime(v)
    if f.type == "json":
        return _json(f, v, text=text)
    raise AssertionError(f"unknown field type {f.type}")


def _string(v: Any) -> str:
    if isinstance(v, bool) or isinstance(v, (dict, list)):
        raise _Bad("type", "应为文字", "must be a string")
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # a spreadsheet's numeric cell, e.g. a phone number typed as a number
    return str(v).strip()


def _check_text(f: Field, s: str) -> None:
    if f.max_length is not None and len(s) > f.max_length:
        raise _Bad("length", f"不能超过{f.max_length}个字符", f"must have at most {f.max_length} characters")
    if len(s) < f.min_length:
        raise _Bad("length", f"至少{f.min_length}个字符", f"must have at least {f.min_length} characters")
    if f.pattern and not re.fullmatch(f.pattern, s):
        raise _Bad("format", f"格式不正确{('（' + f.pattern_hint + '）') if f.pattern_hint else ''}", "has the wrong format")


def _option(f: Field, s: str) -> str:
    codes = f.option_codes
    if s in codes:
        return s
    by_label = {label: code for code, label in f.options}
    if s in by_label:  # imports may carry the Chinese name rather than the code
        return by_label[s]
    raise _Bad("option", f"取值“{s}”不在可选范围内（{'、'.join(codes.values())}）", f"'{s}' is not one of {', '.join(codes)}")


def _number(v: Any, *, integer: bool) -> Decimal | int:
    if isinstance(v, bool):
        raise _Bad("type", "应为数字", "must be a number")
    try:
        d = Decimal(str(v).strip().replace(",", "")) if not isinstance(v, (int, float)) else Decimal(str(v))
    except InvalidOperation:
        raise _Bad("type", "应为数字", "must be a number") from None
    if not d.is_finite():
        raise _Bad("type", "应为数字", "must be a number")
    if integer:
        if d != d.to_integral_value():
            raise _Bad("type", "应为整数", "must be a whole number")
        return int(d)
    return d


def _check_range(f: Field, n) -> None:
    if f.minimum is not None and n < f.minimum:
        raise _Bad("range", f"不能小于{_fmt(f.minimum)}", f"must be at least {_fmt(f.minimum)}")
    if f.maximum is not None and n > f.maximum:
        raise _Bad("range", f"不能大于{_fmt(f.maximum)}", f"must be at most {_fmt(f.maximum)}")


def _fmt(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


def _date(v: Any) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    s = _string(v).replace("/", "-")
    s = _padded(s[:10].replace(".", "-") + s[10:])
    try:
        # A time after the date (an Excel date-time cell) is dropped; any other tail is an error.
        return date.fromisoformat(s[:10]) if len(s) > 10 and _TIME_TAIL.fullmatch(s[10:]) else date.fromisoformat(s)
    except ValueError:
        raise _Bad("format", "日期格式应为 YYYY-MM-DD", "must be a date YYYY-MM-DD") from None


def _datetime(v: Any) -> datetime:
    if isinstance(v, datetime):
        dt = v
    elif isinstance(v, date):
        dt = datetime.combine(v, time())
    else:
        s = _padded(_string(v).replace("/", "-"))
        try:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            raise _Bad("format", "时间格式应为 YYYY-MM-DD HH:MM[:SS]", "must be a date-time (ISO 8601)") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=SHANGHAI)  # times without a zone are Beijing time


def _json(f: Field, v: Any, *, text: bool) -> Any:
    if isinstance(v, str):
        try:
            v = json.loads(v)
        except ValueError:
            raise _Bad("format", "应为JSON", "must be JSON") from None
        if _empty(v):
            return None  # "[]" or "{}" in an import cell is as empty as [] or {} sent as JSON
    if not f.item_fields:
        if not isinstance(v, (dict, list)):
            raise _Bad("type", "应为对象或列表", "must be an object or a list")
        return v
    items = v if isinstance(v, list) else [v]
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _Bad("type", f"第{i + 1}项应为对象", f"item {i + 1} must be an object")
        parsed = {}
        for sub in f.item_fields:
            given = item.get(sub.name)
            try:
                value = coerce(sub, given, text=text)
            except _Bad as bad:
                raise _Bad(bad.code, f"第{i + 1}项的{sub.label}{bad.zh}", f"item {i + 1}, {sub.name}: {bad.en}") from None
            if value is None and sub.required:
                raise _Bad("required", f"第{i + 1}项的{sub.label}不能为空", f"item {i + 1}: {sub.name} is required")
            if value is not None:
                parsed[sub.name] = value
        unknown = set(item) - {s.name for s in f.item_fields}
        if unknown:
            raise _Bad("unknown", f"第{i + 1}项含未知字段{'、'.join(sorted(unknown))}", f"item {i + 1} has unknown fields {', '.join(sorted(unknown))}")
        out.append(parsed)
    return out if isinstance(v, list) else out[0]


# ---- the way back: typed values to JSON --------------------------------------------------------

def to_json(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.astimezone(SHANGHAI).isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and abs(v) < 2**53 else float(v)
    if isinstance(v, list):
        return [to_json(i) for i in v]
    if isinstance(v, dict):
        return {k: to_json(i) for k, i in v.items()}
    return v


def record_json(kind: Kind, row: dict, *, masked: bool) -> dict:
    """A stored row as the API shows it: typed values in JSON, personal data masked when asked."""
    out = {k: to_json(v) for k, v in row.items() if k not in ("search",)}
    if kind.key != "id":
        out["id"] = row[kind.key]
    if masked:
        for f in kind.fields:
            if f.mask and out.get(f.name):
                out[f.name] = mask_resident_id(out[f.name]) if f.mask == "id_number" else mask_phone(out[f.name])
    return out


def json_ready(values: dict) -> dict:
    """Typed values as JSON-compatible plain data (json columns, events, history diffs)."""
    return {k: to_json(v) for k, v in values.items()}


def comparable(v: Any) -> Any:
    """A value in the form two values are compared in (a stored Decimal and a parsed one, dates…)."""
    return to_json(v)
