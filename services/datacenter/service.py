"""安全生产信息数据中心: wiring of the data centre's gRPC services."""
from pathlib import Path

from safety.datacenter.v1 import enterprises_pb2, enterprises_pb2_grpc
from services.datacenter.enterprises.servicer import EnterpriseServicer
from services.kit import config
from services.kit.grpc_server import Runtime, ServiceDefinition


def servicers(rt: Runtime):
    return [
        (enterprises_pb2_grpc.add_EnterpriseServiceServicer_to_server, EnterpriseServicer(rt.pool, jurisdiction=config.jurisdiction()),
         enterprises_pb2.DESCRIPTOR.services_by_name["EnterpriseService"].full_name),
    ]


DEFINITION = ServiceDefinition(name="datacenter", migrations=Path(__file__).parent / "migrations", servicers=servicers)
