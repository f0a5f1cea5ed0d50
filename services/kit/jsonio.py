"""JSON in and out of the workflow RPCs (ADR 0009): the REST body arrives as bytes, the answer leaves
as the REST page's bytes, with times in Asia/Shanghai and field errors for a malformed body."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Mapping
from zoneinfo import ZoneInfo

import orjson
from psycopg.types.json import Jsonb

from services.kit import paging, regions
from services.kit.errors import FieldViolation, invalid

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _default(v):
    if isinstance(v, datetime):
        return v.astimezone(SHANGHAI).isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v) if v != v.to_integral_value() else int(v)
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    raise TypeError(f"not JSON: {type(v).__name__}")


def dumps(data) -> bytes:
    return orjson.dumps(data, default=_default)


def jsonb(data) -> Jsonb:
    """A jsonb parameter written with the same conversions as the answers (dates, decimals)."""
    return Jsonb(data, dumps=lambda obj: dumps(obj).decode())


def body(raw: bytes) -> dict:
    """The request's JSON object ({} when empty)."""
    if not raw:
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise invalid(FieldViolation("body", "body.json", "请求体不是合法的JSON", "The body is not valid JSON")) from None
    if not isinstance(data, dict):
        raise invalid(FieldViolation("body", "body.object", "请求体应为JSON对象", "The body must be a JSON object"))
    return data


def page(query: Mapping[str, str]) -> tuple[int, str]:
    """(page size, last key) from the query's page_size / page_token."""
    raw = query.get("page_size") or "0"
    if not raw.isdigit():
        raise invalid(FieldViolation("page_size", "page_size.range", "每页条数应为1至200", "page_size must be 1 to 200"))

    class _Page:
        page_size = int(raw)
        page_token = query.get("page_token") or ""
    return paging.parse(_Page)


def year(value, *, field: str = "year", default: int | None = None) -> int:
    if value in (None, "") and default is not None:
        return default
    try:
        y = int(value)
    except (TypeError, ValueError):
        y = 0
    if not 2000 <= y <= 2100:
        raise invalid(FieldViolation(field, f"{field}.range", "年份应为2000至2100", "year must be 2000 to 2100"))
    return y


def day(value, *, field: str, label: str, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise invalid(FieldViolation(field, f"{field}.required", f"请填写{label}", f"{field} is required"))
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise invalid(FieldViolation(field, f"{field}.format", f"{label}格式应为 YYYY-MM-DD", f"{field} must be YYYY-MM-DD")) from None


def text(body: Mapping, name: str, label: str, errors: list, *, max_length: int, required: bool = True, field: str = "",
         min_length: int = 0) -> str:
    """A text field of a JSON body, trimmed; problems are appended to `errors` (all reported at once),
    named `field` (default `name`: a nested one is named by its path, e.g. `command.groups[1].name`)."""
    field = field or name
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(FieldViolation(field, f"{field}.required", f"请填写{label}", f"{field} is required"))
        return ""
    if not isinstance(value, str):
        errors.append(FieldViolation(field, f"{field}.type", f"{label}应为文本", f"{field} must be a string"))
        return ""
    value = value.strip()
    if len(value) > max_length:
        errors.append(FieldViolation(field, f"{field}.max_length", f"{label}不能超过{max_length}个字符", f"{field} is longer than {max_length}"))
    elif len(value) < min_length:
        errors.append(FieldViolation(field, f"{field}.min_length", f"{label}至少{min_length}个字", f"{field} is shorter than {min_length}"))
    return value


def county(value, *, field: str = "county_code") -> str:
    """A county-level region code (GB/T 2260), e.g. 620802."""
    code = str(value or "")
    if not regions.is_well_formed(code) or regions.county_of(code) != code:
        raise invalid(FieldViolation(field, f"{field}.format", "请选择县（区）", f"{field} must be a county code"))
    return code


def today() -> date:
    return datetime.now(SHANGHAI).date()
