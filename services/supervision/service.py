"""安全生产监管综合信息平台: wiring of the supervision service."""
from pathlib import Path

from safety.supervision.v1 import registrations_pb2, registrations_pb2_grpc
from services.kit.grpc_server import Runtime, ServiceDefinition
from services.supervision.registrations import events as registration_events
from services.supervision.registrations.servicer import RegistrationServicer


def servicers(rt: Runtime):
    return [
        (registrations_pb2_grpc.add_RegistrationServiceServicer_to_server, RegistrationServicer(rt.pool),
         registrations_pb2.DESCRIPTOR.services_by_name["RegistrationService"].full_name),
    ]


DEFINITION = ServiceDefinition(
    name="supervision",
    migrations=Path(__file__).parent / "migrations",
    servicers=servicers,
    subscriptions=lambda rt: [registration_events.SUBSCRIPTION],
)
