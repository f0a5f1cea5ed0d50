"""安全生产应急管理信息平台: runs with its database, health, reflection, metrics and outbox relay;
its gRPC services arrive with the issues that build this platform."""
from pathlib import Path

from services.kit.grpc_server import ServiceDefinition

DEFINITION = ServiceDefinition(name="emergency", migrations=Path(__file__).parent / "migrations", servicers=lambda rt: [])
