"""gateway.structs.plain gives exactly what the routes gave before it: MessageToDict of the Struct,
with whole numbers as integers."""
from __future__ import annotations

import math

from google.protobuf import struct_pb2
from google.protobuf.json_format import MessageToDict
from hypothesis import given, strategies as st

from gateway.structs import plain

scalars = st.none() | st.booleans() | st.text(max_size=20) | st.integers(-2**60, 2**60) | \
    st.floats(allow_nan=False, allow_infinity=False)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                      max_leaves=20)


def reference(v):
    """The conversion the record routes used: MessageToDict, then whole numbers back to integers."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    if isinstance(v, list):
        return [reference(i) for i in v]
    if isinstance(v, dict):
        return {k: reference(i) for k, i in v.items()}
    return v


@given(st.dictionaries(st.text(max_size=10), values, max_size=8))
def test_plain_is_message_to_dict_with_integers(record):
    s = struct_pb2.Struct()
    s.update(record)
    assert plain(s) == reference(MessageToDict(s))


def test_numbers_keep_their_kind():
    s = struct_pb2.Struct()
    s.update({"id": 12, "version": 3.0, "lon": 106.665, "big": 2.0**53, "nested": {"n": [1.0, 2.5, None, True, "x"]}})
    out = plain(s)
    assert out == {"id": 12, "version": 3, "lon": 106.665, "big": 2.0**53, "nested": {"n": [1, 2.5, None, True, "x"]}}
    assert type(out["id"]) is int and type(out["big"]) is float and math.isclose(out["lon"], 106.665)
