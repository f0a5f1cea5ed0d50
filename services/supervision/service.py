"""安全生产监管综合信息平台: wiring of the supervision service."""
from pathlib import Path

from safety.supervision.v1 import monitoring_pb2, monitoring_pb2_grpc, registrations_pb2, registrations_pb2_grpc
from services.kit.grpc_server import Runtime, ServiceDefinition
from services.supervision.monitoring import catalogue as monitoring_catalogue
from services.supervision.monitoring.servicer import MonitoringServicer
from services.supervision.registrations import events as registration_events
from services.supervision.registrations.servicer import RegistrationServicer


def servicers(rt: Runtime):
    return [
        (registrations_pb2_grpc.add_RegistrationServiceServicer_to_server, RegistrationServicer(rt.pool),
         registrations_pb2.DESCRIPTOR.services_by_name["RegistrationService"].full_name),
        (monitoring_pb2_grpc.add_MonitoringServiceServicer_to_server, MonitoringServicer(rt.pool),
         monitoring_pb2.DESCRIPTOR.services_by_name["MonitoringService"].full_name),
    ]


DEFINITION = ServiceDefinition(
    name="supervision",
    migrations=Path(__file__).parent / "migrations",
    servicers=servicers,
    subscriptions=lambda rt: [registration_events.SUBSCRIPTION, *monitoring_catalogue.SUBSCRIPTIONS],
)
