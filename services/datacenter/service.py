"""安全生产信息数据中心: wiring of the data centre's gRPC services, consumers and workers."""
from pathlib import Path

from safety.datacenter.v1 import (audit_pb2, audit_pb2_grpc, dictionaries_pb2, dictionaries_pb2_grpc, enterprises_pb2,
                                  enterprises_pb2_grpc, onboarding_pb2, onboarding_pb2_grpc, records_pb2, records_pb2_grpc)
from services.datacenter.audit_trail import events as audit_events
from services.datacenter.audit_trail.servicer import AuditServicer
from services.datacenter.dictionaries.servicer import DictionaryServicer
from services.datacenter.enterprises.servicer import EnterpriseServicer
from services.datacenter.onboarding.keycloak_clients import EnterpriseClients
from services.datacenter.onboarding.servicer import OnboardingServicer
from services.datacenter.onboarding.sync import ClientMirrorSync
from services.datacenter.registry.servicer import RecordServicer
from services.kit import config
from services.kit.grpc_server import Runtime, ServiceDefinition

_clients = EnterpriseClients()  # one Keycloak admin session per process, opened on first use


def servicers(rt: Runtime):
    jurisdiction = config.jurisdiction()
    records = RecordServicer(rt.pool, jurisdiction=jurisdiction)
    return [
        (records_pb2_grpc.add_RecordServiceServicer_to_server, records,
         records_pb2.DESCRIPTOR.services_by_name["RecordService"].full_name),
        (dictionaries_pb2_grpc.add_DictionaryServiceServicer_to_server, DictionaryServicer(rt.pool),
         dictionaries_pb2.DESCRIPTOR.services_by_name["DictionaryService"].full_name),
        (enterprises_pb2_grpc.add_EnterpriseServiceServicer_to_server,
         EnterpriseServicer(rt.pool, jurisdiction=jurisdiction, records=records),
         enterprises_pb2.DESCRIPTOR.services_by_name["EnterpriseService"].full_name),
        (onboarding_pb2_grpc.add_OnboardingServiceServicer_to_server,
         OnboardingServicer(rt.pool, jurisdiction=jurisdiction, clients=_clients),
         onboarding_pb2.DESCRIPTOR.services_by_name["OnboardingService"].full_name),
        (audit_pb2_grpc.add_AuditServiceServicer_to_server, AuditServicer(rt.pool, jurisdiction=jurisdiction),
         audit_pb2.DESCRIPTOR.services_by_name["AuditService"].full_name),
    ]


DEFINITION = ServiceDefinition(
    name="datacenter", migrations=Path(__file__).parent / "migrations", servicers=servicers,
    subscriptions=lambda rt: [audit_events.SUBSCRIPTION],
    workers=lambda rt: [ClientMirrorSync(rt.pool, _clients)],
)
