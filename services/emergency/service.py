"""安全生产应急管理信息平台: wiring of the emergency service (ADR 0010, docs/emergency.md)."""
from pathlib import Path

from safety.emergency.v1 import duty_pb2, duty_pb2_grpc, incidents_pb2, incidents_pb2_grpc
from safety.emergency.v1 import resources_pb2, resources_pb2_grpc
from services.emergency.duty import consumers as duty_consumers
from services.emergency.duty.servicer import DutyServicer
from services.emergency.incidents.servicer import IncidentServicer
from services.emergency.resources import consumers as resource_consumers
from services.emergency.resources.servicer import ResourceServicer
from services.kit.grpc_server import Runtime, ServiceDefinition


def servicers(rt: Runtime):
    return [
        (incidents_pb2_grpc.add_IncidentServiceServicer_to_server, IncidentServicer(rt.pool),
         incidents_pb2.DESCRIPTOR.services_by_name["IncidentService"].full_name),
        (duty_pb2_grpc.add_DutyServiceServicer_to_server, DutyServicer(rt.pool),
         duty_pb2.DESCRIPTOR.services_by_name["DutyService"].full_name),
        (resources_pb2_grpc.add_ResourceServiceServicer_to_server, ResourceServicer(rt.pool),
         resources_pb2.DESCRIPTOR.services_by_name["ResourceService"].full_name),
    ]


DEFINITION = ServiceDefinition(name="emergency", migrations=Path(__file__).parent / "migrations", servicers=servicers,
                               subscriptions=lambda rt: [*duty_consumers.SUBSCRIPTIONS, *resource_consumers.SUBSCRIPTIONS])
