"""services.kit.paging: page size limits and opaque keyset tokens."""
import base64

import pytest

from safety.common.v1.common_pb2 import PageRequest
from services.kit import paging
from services.kit.errors import InvalidArgument


def test_defaults_to_20_and_first_page():
    assert paging.parse(PageRequest()) == (20, "")


@pytest.mark.parametrize("size", [1, 50, 200])
def test_sizes_within_range_are_kept(size):
    assert paging.parse(PageRequest(page_size=size)) == (size, "")


@pytest.mark.parametrize("size", [-1, 201, 10_000])
def test_size_out_of_range_is_invalid_argument(size):
    with pytest.raises(InvalidArgument) as e:
        paging.parse(PageRequest(page_size=size))
    v, = e.value.violations
    assert (v.field, v.code) == ("page_size", "page_size.range")
    assert "200" in v.message_zh and "200" in v.message_en


def test_next_token_is_empty_when_there_is_no_extra_row():
    assert paging.next_token([{"uscc": "A"}, {"uscc": "B"}], 2, key="uscc") == ""
    assert paging.next_token([], 2, key="uscc") == ""


def test_next_token_round_trips_to_the_last_key_of_the_page():
    rows = [{"uscc": f"9135010{i:02d}"} for i in range(4)]  # fetched with limit size+1
    token = paging.next_token(rows, 3, key="uscc")
    assert token
    assert paging.parse(PageRequest(page_size=3, page_token=token)) == (3, "913501002")


def test_token_round_trips_non_ascii_and_non_string_keys():
    assert paging.parse(PageRequest(page_token=paging.next_token([{"k": "甘肃/平凉"}, {"k": "z"}], 1, key="k")))[1] == "甘肃/平凉"
    assert paging.parse(PageRequest(page_token=paging.next_token([{"k": 42}, {"k": 43}], 1, key="k")))[1] == "42"


def test_token_is_url_safe():
    token = paging.next_token([{"k": "\xfb\xff\xfe?>"}, {"k": "z"}], 1, key="k")
    assert not set(token) & set("+/")


@pytest.mark.parametrize("token", [
    "abc",                                                     # bad padding
    base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),        # not UTF-8
])
def test_invalid_token_is_invalid_argument(token):
    with pytest.raises(InvalidArgument) as e:
        paging.parse(PageRequest(page_token=token))
    v, = e.value.violations
    assert (v.field, v.code, v.message_zh, v.message_en) == ("page_token", "page_token.invalid", "分页令牌无效", "Invalid page token")


def test_token_of_non_base64_characters_is_invalid_argument():
    # base64.urlsafe_b64decode drops characters outside the alphabet unless validate=True,
    # so "!!!!" decodes to "" and silently restarts from the first page.
    with pytest.raises(InvalidArgument):
        paging.parse(PageRequest(page_token="!!!!"))


def test_time_id_keys_split_or_refuse():
    from services.kit.paging import time_id_key
    from services.kit.errors import InvalidArgument
    assert time_id_key("") is None
    at, last = time_id_key("2026-11-24 00:42:01.5+08|5df75524-40d8-4feb-aa58-879ca9c0ebe0")
    assert at.utcoffset().total_seconds() == 8 * 3600 and last == "5df75524-40d8-4feb-aa58-879ca9c0ebe0"
    for bad in ("garbage|x", "2026-11-24|not-a-uuid", "no separator"):
        with pytest.raises(InvalidArgument):
            time_id_key(bad)
