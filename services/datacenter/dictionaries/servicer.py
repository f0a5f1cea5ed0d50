"""gRPC DictionaryService: the shared dictionaries, read-only, to any authenticated caller.

Most live in the `dictionaries` schema; the GB 18218 substances are the rule table in force today
(services/datacenter/ruletables), so what forms list and what the grading uses cannot differ."""
from __future__ import annotations

from datetime import datetime

from google.protobuf import struct_pb2
from psycopg_pool import ConnectionPool

from safety.datacenter.v1 import dictionaries_pb2 as pb
from safety.datacenter.v1 import dictionaries_pb2_grpc
from services.datacenter.dictionaries import store
from services.datacenter.major_hazards.rules import substance_entries
from services.datacenter.ruletables import effective, load_defaults
from services.datacenter.registry.values import SHANGHAI, json_ready
from services.kit.auth import current_principal
from services.kit.errors import FieldViolation, invalid

_HIERARCHICAL = {"region": store.regions, "industry": store.industries}
_FLAT = {"sector": store.sectors, "accident_type": store.accident_types,
         "expert_field": store.expert_fields, "rescue_specialty": store.rescue_specialties}


class DictionaryServicer(dictionaries_pb2_grpc.DictionaryServiceServicer):
    def __init__(self, pool: ConnectionPool, tables=None):
        self.pool = pool
        self.tables = tables if tables is not None else load_defaults()
        self._from_rules = {"substance": self.substances}  # dictionaries that are rule tables, not schema tables

    def substances(self) -> list[dict]:
        today = datetime.now(SHANGHAI).date()
        return substance_entries(effective(self.tables, "gb18218_substances", today),
                                 effective(self.tables, "gb18218_beta_categories", today))

    def ListEntries(self, request, context):
        current_principal()
        name = request.name
        if name not in _HIERARCHICAL and name not in _FLAT and name not in self._from_rules:
            raise invalid(FieldViolation("name", "name.unknown", f"未知的字典“{name}”", f"Unknown dictionary '{name}'"))
        if name in self._from_rules:
            return self._response(self._from_rules[name]())
        with self.pool.connection() as conn:
            try:
                rows = (_HIERARCHICAL[name](conn, parent=request.parent or None, level=request.level or None)
                        if name in _HIERARCHICAL else _FLAT[name](conn))
            except ValueError:
                raise invalid(FieldViolation("level", "level.unknown", "未知的层级", "Unknown level")) from None
        return self._response(rows)

    @staticmethod
    def _response(rows) -> pb.ListEntriesResponse:
        out = []
        for r in rows:
            s = struct_pb2.Struct()
            s.update(json_ready(r))
            out.append(s)
        return pb.ListEntriesResponse(entries=out)
