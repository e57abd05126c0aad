"""Schemathesis against the app's own OpenAPI: hotspot routes, generated and mutated inputs,
sent over real HTTP to the test server with a dispatcher's token."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.main import app
from tests.factories import IN_WEST, point_feature

schema = schemathesis.openapi.from_dict(app.openapi()).include(path_regex="^/api/v1/hotspots")


@pytest.fixture
def existing_hotspot(client, dispatcher):
    """A hotspot to read, patch and retire, so paths with ids can hit a real row."""
    created = client.post("/api/v1/hotspots", json=point_feature(*IN_WEST), headers=dispatcher.headers)
    assert created.status_code == 201


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_hotspot_routes_never_fail_and_keep_to_their_schema(case, server, dispatcher, existing_hotspot):
    # Schema-valid is not always acceptable: a jurisdiction code must exist and be the caller's,
    # a place must lie in some jurisdiction. Those are rules, answered with specific 4xx.
    case.call_and_validate(
        base_url=server, headers=dispatcher.headers, excluded_checks=[positive_data_acceptance]
    )
