"""Property-based run of schemathesis over the gateway's own OpenAPI document, against the running
platform as the city administrator: no request may cause a 5xx, and every response must be one the
document declares, with the declared content type and schema."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from gateway.app import create_app
from tests.integration.conftest import GATEWAY

pytestmark = pytest.mark.integration
# The live streams (/api/v1/live/…) answer with an event stream that lasts `timeout` seconds (up to an
# hour): a request-and-response fuzzer cannot read one; tests/integration/test_live_updates.py covers them.
schema = schemathesis.openapi.from_dict(create_app().openapi()).exclude(path_regex=r"^/api/v1/live/")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_gateway_keeps_its_openapi_promises(case, staff_token):
    case.call_and_validate(base_url=GATEWAY, headers={"Authorization": f"Bearer {staff_token('city-admin')}"},
                           checks=CHECKS, allow_redirects=False)
