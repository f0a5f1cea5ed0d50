"""Services enforce access themselves, whoever reaches their port. Generated from the service
descriptors: every RPC of every platform service is called straight over gRPC (bypassing the
gateway) without a token, and with the genuine token of a staff account that holds no role; only
the methods a servicer declares PUBLIC may answer, and nothing answers OK to a role-less caller."""
from __future__ import annotations

import grpc
import pytest

from safety.datacenter.v1 import audit_pb2, enterprises_pb2, onboarding_pb2
from safety.supervision.v1 import registrations_pb2
from services.datacenter.onboarding.servicer import OnboardingServicer
from services.kit import config

pytestmark = pytest.mark.integration
SERVICES = [("datacenter", enterprises_pb2), ("datacenter", onboarding_pb2), ("datacenter", audit_pb2), ("supervision", registrations_pb2)]
PUBLIC = {f"/safety.datacenter.v1.OnboardingService/{m}" for m in OnboardingServicer.PUBLIC}
METHODS = [(svc, f"/{s.full_name}/{m.name}", m) for svc, mod in SERVICES for s in mod.DESCRIPTOR.services_by_name.values() for m in s.methods]


def _call(service: str, full_method: str, method, metadata) -> grpc.StatusCode:
    from google.protobuf import message_factory
    request_cls = message_factory.GetMessageClass(method.input_type)
    response_cls = message_factory.GetMessageClass(method.output_type)
    with grpc.insecure_channel(config.grpc_target(service)) as ch:
        rpc = ch.unary_unary(full_method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=response_cls.FromString)
        try:
            rpc(request_cls(), metadata=metadata, timeout=5)
            return grpc.StatusCode.OK
        except grpc.RpcError as e:
            return e.code()


@pytest.fixture(scope="module")
def roleless(staff_user, staff_token):
    return staff_token(staff_user("matrix-no-roles", "620800"))


@pytest.mark.parametrize("service,full_method,method", METHODS, ids=[m[1] for m in METHODS])
def test_every_rpc_checks_the_caller(service, full_method, method, roleless):
    anonymous = _call(service, full_method, method, (("x-user", "city-admin"),))
    if full_method in PUBLIC:
        assert anonymous in (grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT)
        return
    assert anonymous == grpc.StatusCode.UNAUTHENTICATED
    as_roleless = _call(service, full_method, method, (("authorization", f"Bearer {roleless}"),))
    assert as_roleless in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND), as_roleless
