"""google.protobuf.Struct → plain Python data, in one pass: what `MessageToDict` gives, with whole
numbers back as integers (Struct carries every number as a double: ids, versions, counts). About
twice as fast as MessageToDict followed by a second pass over the result. (Reads and lists of
records skip it: the data centre answers them as JSON, which the gateway passes on.)"""
from __future__ import annotations

from google.protobuf import struct_pb2

_LIMIT = 2**53  # doubles hold every integer below this exactly


def plain(struct: struct_pb2.Struct) -> dict:
    return {k: _value(v) for k, v in struct.fields.items()}


def _value(v: struct_pb2.Value):
    kind = v.WhichOneof("kind")
    if kind == "string_value":
        return v.string_value
    if kind == "number_value":
        n = v.number_value
        return int(n) if n.is_integer() and -_LIMIT < n < _LIMIT else n
    if kind == "struct_value":
        return {k: _value(i) for k, i in v.struct_value.fields.items()}
    if kind == "list_value":
        return [_value(i) for i in v.list_value.values]
    if kind == "bool_value":
        return v.bool_value
    return None  # null_value, or no value set
