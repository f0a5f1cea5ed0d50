"""GB/T 2260 administrative region codes: pure rules, no I/O.

6 digits: province `PP0000`, city `PPCC00`, county `PPCCDD`; townships extend to 9 digits and
villages to 12. A region covers itself and everything beneath it, nothing beside or above."""
from __future__ import annotations

import re
from functools import lru_cache

_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3}(?:[0-9]{3})?)?")  # ASCII digits; used with fullmatch


@lru_cache(maxsize=16_384)  # pure and asked on every row of an import; the city has a few thousand codes
def is_well_formed(code: str) -> bool:
    return bool(_CODE.fullmatch(code or "")) and not code.startswith("00")


def significant_prefix(code: str) -> str:
    """The part of the code that identifies the region; every descendant starts with it."""
    if len(code) > 6:
        return code
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


@lru_cache(maxsize=65_536)
def covers(scope: str, target: str) -> bool:
    """True when a caller whose region is `scope` may see `target`."""
    if not (is_well_formed(scope) and is_well_formed(target)):
        return False
    return target.startswith(significant_prefix(scope))


def level(code: str) -> str:
    if len(code) == 12:
        return "village"
    if len(code) == 9:
        return "township"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def county_of(code: str) -> str | None:
    """The county-level region a code falls under, or None for a city or province."""
    if not is_well_formed(code) or level(code) in ("city", "province"):
        return None
    return code[:6]
