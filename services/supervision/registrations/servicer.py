"""gRPC RegistrationService: supervision staff read the registrations in their region."""
from __future__ import annotations

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from psycopg_pool import ConnectionPool

from safety.common.v1 import common_pb2
from safety.supervision.v1 import registrations_pb2 as pb
from safety.supervision.v1 import registrations_pb2_grpc
from services.kit import paging, regions
from services.kit.auth import current_principal
from services.kit.errors import FieldViolation, invalid
from services.supervision.registrations import rules, store


def to_proto(row: dict) -> pb.Registration:
    registered, updated = Timestamp(), Timestamp()
    registered.FromDatetime(row["registered_at"])
    updated.FromDatetime(row["updated_at"])
    return pb.Registration(uscc=row["uscc"], name=row["name"], region_code=row["region_code"],
                           county_code=row["county_code"] or "", grid_code=row["grid_code"], grid_name=row["grid_name"],
                           source_version=row["source_version"], registered_at=registered, updated_at=updated)


class RegistrationServicer(registrations_pb2_grpc.RegistrationServiceServicer):
    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    def GetRegistration(self, request: pb.GetRegistrationRequest, context: grpc.ServicerContext) -> pb.GetRegistrationResponse:
        principal = current_principal()
        rules.require_reader(principal)
        with self.pool.connection() as conn:
            row = store.get(conn, request.uscc.strip().upper())
        rules.require_visible(principal, row["region_code"] if row else None)
        return pb.GetRegistrationResponse(registration=to_proto(row))

    def ListRegistrations(self, request: pb.ListRegistrationsRequest, context: grpc.ServicerContext) -> pb.ListRegistrationsResponse:
        principal = current_principal()
        rules.require_reader(principal)
        scope = request.region_code.strip() or principal.region
        if not regions.is_well_formed(scope):
            raise invalid(FieldViolation("region_code", "region_code.format", "行政区划代码格式错误", "Malformed region code"))
        rules.require_visible(principal, scope)
        size, after = paging.parse(request.page)
        with self.pool.connection() as conn:
            rows, total = store.list_within(conn, region_prefix=regions.significant_prefix(scope), after_uscc=after, limit=size + 1)
        return pb.ListRegistrationsResponse(
            registrations=[to_proto(r) for r in rows[:size]],
            page=common_pb2.PageResponse(next_page_token=paging.next_token(rows, size, key="uscc"), total_size=total),
        )
