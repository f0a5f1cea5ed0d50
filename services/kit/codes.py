"""Identifier check digits (pure, no I/O).

统一社会信用代码 GB 32100-2015 and 居民身份证号码 GB 11643-1999, as in docs/domain-codes.md."""
from __future__ import annotations

from functools import lru_cache

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # I, O, S, V, Z are never used
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^(i-1) mod 31
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_DIGITS = "0123456789"


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


@lru_cache(maxsize=65_536)  # an import checks the same few hundred enterprises' codes row after row
def uscc_problem(code: str) -> str | None:
    """None when valid, else a reason: 'length', 'charset' or 'check_digit'."""
    if len(code) != 18:
        return "length"
    if any(c not in _USCC_VALUE for c in code):
        return "charset"
    if uscc_check_char(code[:17]) != code[17]:
        return "check_digit"
    return None


def uscc_region(code: str) -> str:
    """Characters 3-8: the registering authority's region code."""
    return code[2:8]


def resident_id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def resident_id_problem(code: str) -> str | None:
    if len(code) != 18:
        return "length"
    # ASCII digits only: str.isdigit() would also accept fullwidth and superscript digits.
    if any(c not in _DIGITS for c in code[:17]) or code[17] not in _DIGITS + "X":
        return "charset"
    if resident_id_check_char(code[:17]) != code[17]:
        return "check_digit"
    return None


def mask_resident_id(code: str) -> str:
    """Lists show 6 + 8 masked + 4: 620802********1234."""
    return code[:6] + "*" * 8 + code[-4:] if len(code) == 18 else "*" * len(code)


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 characters of anything long enough (mobiles and landlines);
    shorter values keep only their last 2."""
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(len(phone) - 2, 0) + phone[-2:]
