"""Full-text search over Chinese text without a Chinese parser in PostgreSQL.

Chinese has no spaces between words, and PostgreSQL's built-in parsers split on spaces. So a
document is indexed as its overlapping character pairs (bigrams: 安全生产 -> 安全 全生 生产) plus its
Latin/digit words, in a `tsvector` with the 'simple' configuration behind a GIN index. A query
is turned into the same pairs, all required: every Chinese query of two or more characters finds
exactly the texts containing it (up to pairs occurring in another order, which is rare and
harmless), with no dictionary to maintain. A one-character query matches pairs starting with it."""
from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9A-Za-z]+(?:[.\-/][0-9A-Za-z]+)*")
MAX_QUERY_TERMS = 32


def terms(text: str) -> list[str]:
    """Index terms of a text: CJK bigrams (a lone character stands for itself) and lower-cased words."""
    out: list[str] = []
    for run in _CJK.findall(text or ""):
        out.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
    out.extend(w.lower() for w in _WORD.findall(text or ""))
    return out


def document(parts: list[str]) -> str:
    """The text handed to to_tsvector('simple', ...): terms separated by spaces, deduplicated."""
    return " ".join(dict.fromkeys(t for p in parts if p for t in terms(str(p))))


def query(text: str) -> str | None:
    """A to_tsquery('simple', ...) expression requiring every term, or None for an empty query.
    Terms are quoted, so no operator in the user's text reaches the query parser."""
    found = list(dict.fromkeys(terms(text)))[:MAX_QUERY_TERMS]
    if not found:
        return None
    parts = []
    for t in found:
        quoted = "'" + t.replace("'", "''").replace("\\", "\\\\") + "'"
        # A single Chinese character: any pair that starts with it.
        parts.append(quoted + ":*" if len(t) == 1 and _CJK.fullmatch(t) else quoted)
    return " & ".join(parts)
