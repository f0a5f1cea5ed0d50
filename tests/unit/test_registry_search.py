"""services.datacenter.registry.search: bigram index terms and tsquery expressions built from user text."""
import re

import pytest

from services.datacenter.registry import search
from services.datacenter.registry.search import MAX_QUERY_TERMS, document, query, terms

# --- a tiny tsquery tokenizer (PostgreSQL's to_tsquery input syntax) ------------------------------
# Lexemes are quoted ('...' with '' or \x as escapes) or bare words; operators are & | ! <-> <N> ( );
# a lexeme may carry a :* prefix marker and/or weights. Anything else is a syntax error.

_BARE = re.compile(r"[^\s&|!()<>:'\\]+")
_SUFFIX = re.compile(r":(\*?[A-Da-d]*\*?)")
_OPERATOR = re.compile(r"<->|<\d+>|[&|!()]")


class TsquerySyntaxError(ValueError):
    pass


def tokenize(q: str) -> list[tuple]:
    """[("lexeme", text, prefix) | ("op", symbol)]"""
    out, i = [], 0
    while i < len(q):
        c = q[i]
        if c.isspace():
            i += 1
            continue
        if c == "'":
            i += 1
            text = []
            while True:
                if i >= len(q):
                    raise TsquerySyntaxError(f"unterminated quote in {q!r}")
                if q[i] == "\\":
                    if i + 1 >= len(q):
                        raise TsquerySyntaxError(f"dangling backslash in {q!r}")
                    text.append(q[i + 1])
                    i += 2
                elif q[i] == "'":
                    if q[i + 1:i + 2] == "'":
                        text.append("'")
                        i += 2
                    else:
                        i += 1
                        break
                else:
                    text.append(q[i])
                    i += 1
            lexeme = "".join(text)
        elif m := _OPERATOR.match(q, i):
            out.append(("op", m.group()))
            i = m.end()
            continue
        elif m := _BARE.match(q, i):
            lexeme = m.group()
            i = m.end()
        else:
            raise TsquerySyntaxError(f"unexpected {c!r} at {i} in {q!r}")
        prefix = False
        if m := _SUFFIX.match(q, i):
            prefix = "*" in m.group(1)
            i = m.end()
        out.append(("lexeme", lexeme, prefix))
    return out


def conjunction(q: str) -> list[tuple[str, bool]]:
    """The (lexeme, prefix) pairs of a query that must be `lexeme & lexeme & …` and nothing else."""
    tokens = tokenize(q)
    assert tokens, q
    lexemes = tokens[0::2]
    operators = tokens[1::2]
    assert all(t[0] == "lexeme" for t in lexemes), q
    assert all(t == ("op", "&") for t in operators), q
    assert len(lexemes) == len(operators) + 1
    return [(t[1], t[2]) for t in lexemes]


def test_the_tokenizer_itself_sees_breakage():
    assert conjunction("'a' & 'b':*") == [("a", False), ("b", True)]
    assert conjunction("'it''s' & 'c\\\\d'") == [("it's", False), ("c\\d", False)]
    with pytest.raises(TsquerySyntaxError):
        tokenize("'it's'")          # an unescaped quote leaves one open
    with pytest.raises(AssertionError):
        conjunction("'a' | 'b'")
    with pytest.raises(AssertionError):
        conjunction("'a' & !'b'")
    with pytest.raises(AssertionError):
        conjunction("'a' 'b'")      # two lexemes without an operator


# --- terms ----------------------------------------------------------------------------------------

def test_chinese_is_indexed_as_overlapping_pairs():
    assert terms("安全生产") == ["安全", "全生", "生产"]


def test_a_lone_chinese_character_stands_for_itself():
    assert terms("安") == ["安"]
    assert terms("查 安全") == ["查", "安全"]


def test_punctuation_and_spaces_split_chinese_runs():
    assert terms("安全，生产。隐患") == ["安全", "生产", "隐患"]
    assert terms("安全 生产") == ["安全", "生产"]   # no pair across the gap


def test_latin_words_and_numbers_are_lower_cased_words():
    assert terms("GB/T 6441-1986 Hello WORLD v2.1") == ["gb/t", "6441-1986", "hello", "world", "v2.1"]


def test_mixed_text():
    assert terms("C2614化工企业") == ["化工", "工企", "企业", "c2614"]


def test_rare_characters_of_extension_a_and_compatibility_ideographs_count():
    assert terms("\u3400\u3401") == ["\u3400\u3401"]
    assert terms("\uf900\uf901") == ["\uf900\uf901"]


@pytest.mark.parametrize("text", ["", None, "   ", "，。！？", "!!!", "&|!:'\\"])
def test_text_without_words_has_no_terms(text):
    assert terms(text) == []


# --- document -------------------------------------------------------------------------------------

def test_document_joins_the_terms_of_all_parts_once():
    assert document(["安全生产", "生产安全", "ABC", "abc"]) == "安全 全生 生产 产安 abc"


def test_document_skips_empty_parts_and_stringifies_others():
    assert document([None, "", "隐患", 2026]) == "隐患 2026"
    assert document([]) == ""


def test_document_terms_are_space_separated_and_unique():
    doc = document(["配电箱未接地，配电箱门未关闭", "配电箱"])
    words = doc.split(" ")
    assert len(words) == len(set(words))
    assert all(words)


# --- query ----------------------------------------------------------------------------------------

def test_empty_query_is_none():
    for text in ("", "   ", None, "，。", "&|!:"):
        assert query(text) is None


def test_chinese_query_requires_every_pair():
    assert conjunction(query("安全生产")) == [("安全", False), ("全生", False), ("生产", False)]


def test_single_chinese_character_is_a_prefix():
    assert query("安") == "'安':*"
    assert conjunction(query("安 ABC")) == [("安", True), ("abc", False)]


def test_single_latin_letter_or_digit_is_not_a_prefix():
    assert conjunction(query("a 7")) == [("a", False), ("7", False)]


def test_latin_query_is_lower_cased():
    assert conjunction(query("GB/T Hello")) == [("gb/t", False), ("hello", False)]


def test_repeated_terms_appear_once():
    assert conjunction(query("安全安全 安全 ABC abc")) == [("安全", False), ("全安", False), ("abc", False)]


def test_at_most_max_query_terms_the_first_ones_kept():
    text = "".join(chr(0x4E00 + i) for i in range(MAX_QUERY_TERMS + 20))
    got = conjunction(query(text))
    assert len(got) == MAX_QUERY_TERMS
    assert [t for t, _ in got] == terms(text)[:MAX_QUERY_TERMS]


def test_the_limit_counts_distinct_terms():
    text = "安全" * 100 + " 隐患"
    assert [t for t, _ in conjunction(query(text))] == ["安全", "全安", "隐患"]


HOSTILE = [
    "it's", "'", "''", "'安全'", "\\", "\\'", "a\\", "安全 & 生产", "安全|生产", "!安全", "安全:*", "a:b", "(安全", "安全)",
    "a <-> b", "<2>", "'; DROP TABLE hazards.hazard; --", "O'Brien & Sons | Co!", "安'全", "安\\全", "配电箱:A*", "\x00安全",
    "安全 \t\n 生产", "ｆｕｌｌ’width", "'a' & 'b'", "a' | 'b",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_operators_and_quotes_in_user_text_never_reach_the_parser(text):
    q = query(text)
    if q is None:
        assert terms(text) == []
        return
    got = conjunction(q)
    assert [t for t, _ in got] == list(dict.fromkeys(terms(text)))
    for lexeme, prefix in got:
        assert prefix == (len(lexeme) == 1 and bool(re.fullmatch(r"[\u3400-\u9fff\uf900-\ufaff]", lexeme)))


@pytest.mark.parametrize("odd", [["a'b"], ["c\\d"], ["'"], ["\\"], ["\\'"], ["x & y", "!z"], ["e:*", "(f)"], ["''", "g|h"]])
def test_quoting_holds_for_any_term(monkeypatch, odd):
    # terms() never yields quotes or backslashes today; the quoting must not depend on that.
    monkeypatch.setattr(search, "terms", lambda text: list(odd))
    assert conjunction(query("anything")) == [(t, False) for t in odd]


def test_a_quoted_query_of_a_lone_character_with_a_quote_keeps_its_prefix(monkeypatch):
    monkeypatch.setattr(search, "terms", lambda text: ["安"])
    assert tokenize(query("x")) == [("lexeme", "安", True)]


@pytest.mark.parametrize("text", ["甘肃省平凉市崆峒区某化工有限公司配电箱未接地", "GB 6441-1986 企业职工伤亡事故分类"])
def test_every_substring_query_is_found_in_the_document(text):
    indexed = set(document([text]).split(" "))
    for start in range(len(text)):
        for end in range(start + 2, len(text) + 1):
            q = query(text[start:end])
            if q is None:
                continue
            for lexeme, prefix in conjunction(q):
                if prefix:
                    assert any(t.startswith(lexeme) for t in indexed), (text[start:end], lexeme)
                elif re.search(r"[\u3400-\u9fff]", lexeme):
                    assert lexeme in indexed, (text[start:end], lexeme)
