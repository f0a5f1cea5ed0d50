"""gRPC EnterpriseService: parse, authorise, call the rules and the store in one transaction."""
from __future__ import annotations

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from psycopg_pool import ConnectionPool

from safety.datacenter.v1 import enterprises_pb2 as pb
from safety.datacenter.v1 import enterprises_pb2_grpc
from services.datacenter.dictionaries import store as dictionaries
from services.datacenter.enterprises import rules, store
from services.datacenter.enterprises.kind import KIND as ENTERPRISE
from services.datacenter.registry.servicer import RecordServicer
from services.kit import idempotency
from services.kit.auth import current_principal
from services.kit.grpc_server import AuditedWrite

SUBMIT = "/safety.datacenter.v1.EnterpriseService/SubmitEnterprise"


def to_proto(row: dict) -> pb.Enterprise:
    created, updated = Timestamp(), Timestamp()
    created.FromDatetime(row["created_at"])
    updated.FromDatetime(row["updated_at"])
    return pb.Enterprise(uscc=row["uscc"], name=row["name"], region_code=row["region_code"], address=row["address"],
                         industry_code=row["industry_code"], version=row["version"], created_at=created, updated_at=updated)


class EnterpriseServicer(enterprises_pb2_grpc.EnterpriseServiceServicer):
    WRITES = {"SubmitEnterprise": AuditedWrite("enterprise.submit", "enterprise", "uscc")}

    def __init__(self, pool: ConnectionPool, *, jurisdiction: str, records: RecordServicer):
        self.pool = pool
        self.jurisdiction = jurisdiction
        self.records = records

    def SubmitEnterprise(self, request: pb.SubmitEnterpriseRequest, context: grpc.ServicerContext) -> pb.SubmitEnterpriseResponse:
        principal = current_principal()
        submission = rules.Submission.normalised(uscc=request.uscc, name=request.name, region_code=request.region_code,
                                                 address=request.address, industry_code=request.industry_code)
        rules.authorize_submit(principal, submission.uscc)
        with self.pool.connection() as conn, conn.transaction():
            rules.validate(submission, region_exists=lambda code: dictionaries.region_exists(conn, code), jurisdiction=self.jurisdiction)
            response, replayed = idempotency.run(conn, method=SUBMIT, request=request, response_type=pb.SubmitEnterpriseResponse,
                                                 work=lambda: self._save(conn, submission, principal))
        idempotency.mark_replay(context, replayed)
        return response

    def _save(self, conn, submission: rules.Submission, principal) -> pb.SubmitEnterpriseResponse:
        """Through the enterprises database's registry, so history, events and audit are the same
        whichever door (this RPC, the generic record API or an import) a change came through."""
        current = store.get(conn, submission.uscc, for_update=True)
        changed = rules.changed_fields(current, submission)
        if not changed:
            return pb.SubmitEnterpriseResponse(enterprise=to_proto(current), created=False, changed=False)
        values = {f: getattr(submission, f) for f in changed}
        if current is None:
            self.records._create(conn, principal, ENTERPRISE, values | {"uscc": submission.uscc}, [])
        else:
            self.records._update(conn, principal, ENTERPRISE, submission.uscc, current["version"], values, [])
        return pb.SubmitEnterpriseResponse(enterprise=to_proto(store.get(conn, submission.uscc)), created=current is None, changed=True)

    def GetEnterprise(self, request: pb.GetEnterpriseRequest, context: grpc.ServicerContext) -> pb.GetEnterpriseResponse:
        principal = current_principal()
        uscc = request.uscc.strip().upper()
        with self.pool.connection() as conn:
            row = store.get(conn, uscc)
        rules.require_readable(principal, uscc=uscc, region_code=row["region_code"] if row else None)
        return pb.GetEnterpriseResponse(enterprise=to_proto(row))

