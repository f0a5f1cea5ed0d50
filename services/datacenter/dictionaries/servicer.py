"""gRPC DictionaryService: the shared dictionaries, read-only, to any authenticated caller."""
from __future__ import annotations

from google.protobuf import struct_pb2
from psycopg_pool import ConnectionPool

from safety.datacenter.v1 import dictionaries_pb2 as pb
from safety.datacenter.v1 import dictionaries_pb2_grpc
from services.datacenter.dictionaries import store
from services.datacenter.registry.values import json_ready
from services.kit.auth import current_principal
from services.kit.errors import FieldViolation, invalid

_HIERARCHICAL = {"region": store.regions, "industry": store.industries}
_FLAT = {"sector": store.sectors, "accident_type": store.accident_types, "substance": store.substances,
         "expert_field": store.expert_fields, "rescue_specialty": store.rescue_specialties}


class DictionaryServicer(dictionaries_pb2_grpc.DictionaryServiceServicer):
    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    def ListEntries(self, request, context):
        current_principal()
        name = request.name
        if name not in _HIERARCHICAL and name not in _FLAT:
            raise invalid(FieldViolation("name", "name.unknown", f"未知的字典“{name}”", f"Unknown dictionary '{name}'"))
        with self.pool.connection() as conn:
            try:
                rows = (_HIERARCHICAL[name](conn, parent=request.parent or None, level=request.level or None)
                        if name in _HIERARCHICAL else _FLAT[name](conn))
            except ValueError:
                raise invalid(FieldViolation("level", "level.unknown", "未知的层级", "Unknown level")) from None
        out = []
        for r in rows:
            s = struct_pb2.Struct()
            s.update(json_ready(r))
            out.append(s)
        return pb.ListEntriesResponse(entries=out)
