"""gRPC AuditService: administrators search the platform-wide audit trail of their region."""
from __future__ import annotations

from datetime import timezone

from google.protobuf import struct_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from psycopg_pool import ConnectionPool

from safety.audit.v1 import audit_events_pb2 as ev
from safety.datacenter.v1 import audit_pb2 as pb
from safety.datacenter.v1 import audit_pb2_grpc
from services.datacenter.audit_trail import rules, store
from services.kit import paging
from services.kit.auth import current_principal
from services.kit.errors import invalid


def entry_proto(row: dict) -> ev.AuditEntry:
    at = Timestamp()
    at.FromDatetime(row["at"])
    summary = struct_pb2.Struct()
    summary.update(row["summary"] or {})
    return ev.AuditEntry(
        id=str(row["id"]), at=at, service=row["service"],
        actor=ev.Actor(label=row["actor_label"], kind=row["actor_kind"], subject=row["actor_subject"], name=row["actor_name"],
                       roles=row["actor_roles"], region=row["actor_region"] or "", uscc=row["actor_uscc"] or ""),
        action=row["action"], target_type=row["target_type"], target_id=row["target_id"],
        target_region=row["target_region"] or "", uscc=row["uscc"] or "", summary=summary, outcome=row["outcome"],
        reason=row["reason"] or "", request_id=row["request_id"] or "", trace_id=row["trace_id"] or "",
        source_ip=row["source_ip"] or "")


class AuditServicer(audit_pb2_grpc.AuditServiceServicer):
    def __init__(self, pool: ConnectionPool, *, jurisdiction: str):
        self.pool, self.jurisdiction = pool, jurisdiction

    def Search(self, request: pb.SearchAuditRequest, context) -> pb.SearchAuditResponse:
        scope = rules.scope_for(current_principal(), self.jurisdiction)
        since = request.since.ToDatetime(tzinfo=timezone.utc) if request.HasField("since") else None
        until = request.until.ToDatetime(tzinfo=timezone.utc) if request.HasField("until") else None
        if found := rules.filter_violations(outcome=request.outcome, since=since, until=until):
            raise invalid(*found)
        size, after = paging.parse(request)
        with self.pool.connection() as conn:
            rows = store.search(conn, prefix=scope.prefix, actor=request.actor.strip(), uscc=request.uscc.strip().upper(),
                                target=request.target.strip(), action=request.action.strip(), outcome=request.outcome,
                                since=since, until=until, size=size, after=after)
        return pb.SearchAuditResponse(items=[entry_proto(r) for r in rows[:size]],
                                      next_page_token=paging.next_token(rows, size, key="page_key"))
