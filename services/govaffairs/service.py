"""安全生产政务管理信息平台: runs with its database, health, reflection, metrics and outbox relay;
its gRPC services arrive with the issues that build this platform."""
from pathlib import Path

from services.kit.grpc_server import ServiceDefinition

DEFINITION = ServiceDefinition(name="govaffairs", migrations=Path(__file__).parent / "migrations", servicers=lambda rt: [])
