"""安全生产监管综合信息平台: wiring of the supervision service."""
from pathlib import Path

from safety.common.v1 import calendar_pb2, calendar_pb2_grpc
from safety.supervision.v1 import (grids_pb2, grids_pb2_grpc, inspections_pb2, inspections_pb2_grpc, monitoring_pb2, monitoring_pb2_grpc,
                                   registrations_pb2, registrations_pb2_grpc)
from services.kit.calendar_servicer import CalendarServicer
from services.kit.grpc_server import Runtime, ServiceDefinition
from safety.supervision.v1 import credit_pb2, credit_pb2_grpc
from services.supervision.credit import consumers as credit_consumers
from services.supervision.credit.servicer import CreditServicer
from services.supervision.enforcement.servicer import CaseServicer
from services.supervision.grids.servicer import GridServicer
from safety.supervision.v1 import hazard_supervision_pb2, hazard_supervision_pb2_grpc
from services.supervision.hazard_supervision import catalogue as hazard_catalogue, jobs as hazard_jobs
from services.supervision.hazard_supervision.servicer import HazardSupervisionServicer
from services.supervision.inspections.servicer import InspectionServicer
from safety.supervision.v1 import licensing_pb2, licensing_pb2_grpc
from services.supervision.licensing.servicer import LicensingServicer
from services.supervision.monitoring import catalogue as monitoring_catalogue
from services.supervision.monitoring.servicer import MonitoringServicer
from services.supervision.registrations import events as registration_events
from services.supervision.registrations.servicer import RegistrationServicer
from safety.supervision.v1 import standardization_pb2, standardization_pb2_grpc
from services.supervision.standardization.servicer import StandardizationServicer


def servicers(rt: Runtime):
    return [
        (registrations_pb2_grpc.add_RegistrationServiceServicer_to_server, RegistrationServicer(rt.pool),
         registrations_pb2.DESCRIPTOR.services_by_name["RegistrationService"].full_name),
        (monitoring_pb2_grpc.add_MonitoringServiceServicer_to_server, MonitoringServicer(rt.pool),
         monitoring_pb2.DESCRIPTOR.services_by_name["MonitoringService"].full_name),
        (grids_pb2_grpc.add_GridServiceServicer_to_server, GridServicer(rt.pool),
         grids_pb2.DESCRIPTOR.services_by_name["GridService"].full_name),
        (inspections_pb2_grpc.add_InspectionServiceServicer_to_server, InspectionServicer(rt.pool),
         inspections_pb2.DESCRIPTOR.services_by_name["InspectionService"].full_name),
        (inspections_pb2_grpc.add_CaseServiceServicer_to_server, CaseServicer(rt.pool),
         inspections_pb2.DESCRIPTOR.services_by_name["CaseService"].full_name),
        (calendar_pb2_grpc.add_WorkdayCalendarServiceServicer_to_server, CalendarServicer(rt.pool),
         calendar_pb2.DESCRIPTOR.services_by_name["WorkdayCalendarService"].full_name),
        (licensing_pb2_grpc.add_LicensingServiceServicer_to_server, LicensingServicer(rt.pool),
         licensing_pb2.DESCRIPTOR.services_by_name["LicensingService"].full_name),
        (hazard_supervision_pb2_grpc.add_HazardSupervisionServiceServicer_to_server, HazardSupervisionServicer(rt.pool),
         hazard_supervision_pb2.DESCRIPTOR.services_by_name["HazardSupervisionService"].full_name),
        (standardization_pb2_grpc.add_StandardizationServiceServicer_to_server, StandardizationServicer(rt.pool),
         standardization_pb2.DESCRIPTOR.services_by_name["StandardizationService"].full_name),
        (credit_pb2_grpc.add_CreditServiceServicer_to_server, CreditServicer(rt.pool),
         credit_pb2.DESCRIPTOR.services_by_name["CreditService"].full_name),
    ]


DEFINITION = ServiceDefinition(
    name="supervision",
    migrations=Path(__file__).parent / "migrations",
    servicers=servicers,
    subscriptions=lambda rt: [registration_events.SUBSCRIPTION, *monitoring_catalogue.SUBSCRIPTIONS, hazard_catalogue.SUBSCRIPTION,
                                    *credit_consumers.SUBSCRIPTIONS],
    workers=lambda rt: [hazard_jobs.scheduler(rt.pool)],
)
