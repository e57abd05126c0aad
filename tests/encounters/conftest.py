import pytest

from api.auth.models import Role
from api.organisations.models import OrganisationKind
from tests.factories import encounter_body, make_organisation, make_team, make_user
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


encounter = encounter_body  # the shape every encounter test starts from
