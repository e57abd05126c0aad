import uuid
from datetime import UTC, datetime, timedelta

import pytest

from api.auth.models import Role
from api.organisations.models import OrganisationKind
from tests.factories import IN_WEST, make_organisation, make_team, make_user
from tests.notifications.conftest import drain_jobs  # noqa: F401 - the real worker, in process


@pytest.fixture
def field(session, city):
    """An officer of district T101, a rescue station and a hospital, supervisors up the line."""
    bureau = make_organisation(session, OrganisationKind.civil_affairs_bureau, "T100")
    officer = make_user(session, Role.officer, "T101")
    return {
        "officer": officer,
        "team": make_team(session, "T101", officer),
        "station": make_organisation(session, OrganisationKind.rescue_station, "T100", capacity=80),
        "hospital": make_organisation(session, OrganisationKind.hospital, "T101", capacity=300),
        "district_supervisor": make_user(session, Role.supervisor, "T101"),
        "city_supervisor": make_user(session, Role.supervisor, "T100", organisation_id=bureau.id),
        "dispatcher": make_user(session, Role.dispatcher, "T100"),
        "station_staff": make_user(session, Role.station_staff, "T100"),
    }


def encounter(**overrides) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]},
        "age_band": "40_59",
        "sex": "male",
        "civil_capacity": "full",
        "outcome": "resolved_on_site",
    }
    return {**body, **overrides}
