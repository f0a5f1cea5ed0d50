"""gRPC clients of the gateway (grpc.aio): one channel per service, opened at start-up.
Every call carries a deadline, the caller's bearer token (none for public methods), the request
id, trace context and the client's address; a failed call becomes the DomainError the service raised."""
from __future__ import annotations

import grpc
from fastapi import Request

from gateway.auth import client_address
from safety.datacenter.v1 import audit_pb2_grpc, dictionaries_pb2_grpc, enterprises_pb2_grpc, onboarding_pb2_grpc, records_pb2_grpc
from safety.common.v1 import calendar_pb2_grpc
from safety.emergency.v1 import duty_pb2_grpc, incidents_pb2_grpc
from safety.emergency.v1 import resources_pb2_grpc
from safety.supervision.v1 import credit_pb2_grpc
from safety.supervision.v1 import licensing_pb2_grpc
from safety.supervision.v1 import standardization_pb2_grpc
from safety.supervision.v1 import grids_pb2_grpc, hazard_supervision_pb2_grpc, inspections_pb2_grpc, monitoring_pb2_grpc, registrations_pb2_grpc
from services.kit import config, context
from services.kit.errors import from_rpc_error
from services.kit.grpc_server import MAX_MESSAGE_BYTES

# A service that answered has audited a refused write itself; these codes mean it did not answer.
_NOT_ANSWERED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED)


class Clients:
    def __init__(self):
        self.channels = {name: grpc.aio.insecure_channel(config.grpc_target(name), options=[
            ("grpc.keepalive_time_ms", 30_000), ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES)]) for name in ("datacenter", "supervision", "emergency")}
        self.enterprises = enterprises_pb2_grpc.EnterpriseServiceStub(self.channels["datacenter"])
        self.onboarding = onboarding_pb2_grpc.OnboardingServiceStub(self.channels["datacenter"])
        self.audit = audit_pb2_grpc.AuditServiceStub(self.channels["datacenter"])
        self.records = records_pb2_grpc.RecordServiceStub(self.channels["datacenter"])
        self.dictionaries = dictionaries_pb2_grpc.DictionaryServiceStub(self.channels["datacenter"])
        self.registrations = registrations_pb2_grpc.RegistrationServiceStub(self.channels["supervision"])
        self.monitoring = monitoring_pb2_grpc.MonitoringServiceStub(self.channels["supervision"])
        self.grids = grids_pb2_grpc.GridServiceStub(self.channels["supervision"])
        self.hazard_supervision = hazard_supervision_pb2_grpc.HazardSupervisionServiceStub(self.channels["supervision"])
        self.inspections = inspections_pb2_grpc.InspectionServiceStub(self.channels["supervision"])
        self.cases = inspections_pb2_grpc.CaseServiceStub(self.channels["supervision"])
        self.calendar = calendar_pb2_grpc.WorkdayCalendarServiceStub(self.channels["supervision"])
        self.licensing = licensing_pb2_grpc.LicensingServiceStub(self.channels["supervision"])
        self.credit = credit_pb2_grpc.CreditServiceStub(self.channels["supervision"])
        self.standardization = standardization_pb2_grpc.StandardizationServiceStub(self.channels["supervision"])
        self.incidents = incidents_pb2_grpc.IncidentServiceStub(self.channels["emergency"])
        self.duty = duty_pb2_grpc.DutyServiceStub(self.channels["emergency"])
        self.resources = resources_pb2_grpc.ResourceServiceStub(self.channels["emergency"])
        self.deadline = config.rpc_deadline_seconds()

    async def close(self) -> None:
        for ch in self.channels.values():
            await ch.close()


def _metadata(request: Request, idempotency_key: str | None) -> tuple:
    md = [("x-request-id", context.request_id.get() or ""), ("x-client-ip", client_address(request))]
    token = getattr(request.state, "token", None)
    if token:
        md.append(("authorization", f"Bearer {token}"))
    tc = context.trace.get()
    if tc:
        md.append(("traceparent", tc.traceparent))
    if idempotency_key:
        md.append(("idempotency-key", idempotency_key))
    return tuple(md)


async def call(method, message, request: Request, *, idempotency_key: str | None = None, timeout: float | None = None):
    """Returns (response, trailing metadata as a dict). `timeout` overrides the default deadline
    for the few calls that are long by nature (a bulk import)."""
    clients: Clients = request.app.state.clients
    rpc = method(message, metadata=_metadata(request, idempotency_key), timeout=timeout or clients.deadline)
    try:
        response = await rpc
    except grpc.aio.AioRpcError as exc:
        request.state.service_answered = exc.code() not in _NOT_ANSWERED
        raise from_rpc_error(exc.code(), exc.details() or "", exc.trailing_metadata()) from None
    request.state.service_answered = True
    trailers = await rpc.trailing_metadata()
    return response, {k: v for k, v in (trailers or ()) if isinstance(v, str)}
