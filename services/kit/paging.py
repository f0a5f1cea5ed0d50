"""Keyset paging with opaque tokens (base64 of the last key), shared by list RPCs."""
from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from services.kit.errors import FieldViolation, invalid

DEFAULT_SIZE, MAX_SIZE = 20, 200


def parse(page) -> tuple[int, str]:
    """(page size, last key of the previous page) from a safety.common.v1.PageRequest."""
    size = page.page_size or DEFAULT_SIZE
    if not 1 <= size <= MAX_SIZE:
        raise invalid(FieldViolation("page_size", "page_size.range", f"每页条数应为1至{MAX_SIZE}", f"page_size must be 1 to {MAX_SIZE}"))
    return size, decode(page.page_token) if page.page_token else ""


def decode(token: str) -> str:
    """The last key of the previous page, from a token next_token made."""
    try:
        return base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise invalid(FieldViolation("page_token", "page_token.invalid", "分页令牌无效", "Invalid page token")) from None


def next_token(rows: list[dict], size: int, *, key: str) -> str:
    """Rows were fetched with limit size+1: one extra means there is a next page."""
    if len(rows) <= size:
        return ""
    return base64.urlsafe_b64encode(str(rows[size - 1][key]).encode()).decode()


def time_id_key(key: str) -> tuple[datetime, str] | None:
    """Split a '<timestamp>|<uuid>' keyset key (newest-first lists); a token that is not one is the
    caller's mistake, answered as a field error rather than reaching the database."""
    if not key:
        return None
    at, _, last_id = key.partition("|")
    try:
        return datetime.fromisoformat(at), str(uuid.UUID(last_id))
    except ValueError:
        raise invalid(FieldViolation("page_token", "page_token.invalid", "分页令牌无效", "Invalid page token")) from None
