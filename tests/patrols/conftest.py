from datetime import UTC, datetime, timedelta

import pytest

from api.auth.models import Role
from tests.factories import make_team, make_user
from tests.notifications.conftest import drain_jobs  # noqa: F401 - the real worker, in process


@pytest.fixture
def crew(session, city):
    """Two officers of district T101 in one team, a dispatcher for the city, an outsider officer."""
    first, second = make_user(session, Role.officer, "T101"), make_user(session, Role.officer, "T101")
    team = make_team(session, "T101", first, second, call_sign="西巡1")
    return {
        "team": team,
        "first": first,
        "second": second,
        "dispatcher": make_user(session, Role.dispatcher, "T100"),
        "outsider": make_user(session, Role.officer, "T101"),
    }


@pytest.fixture
def shift(client, crew):
    started = datetime.now(UTC) - timedelta(hours=2)
    response = client.post(
        "/api/v1/patrols",
        json={"team_id": str(crew["team"].id), "started_at": started.isoformat()},
        headers=crew["first"].headers,
    )
    assert response.status_code == 201, response.text
    return response.json()
