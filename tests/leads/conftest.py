import uuid
from datetime import UTC, datetime, timedelta

import pytest

from api.auth.models import Role
from api.organisations.models import OrganisationKind
from tests.factories import Account, make_organisation, make_team, make_user
from tests.notifications.conftest import drain_jobs  # noqa: F401 - the real worker, in process


def on_duty(client, session, jurisdiction: str, at: tuple[float, float], call_sign: str) -> dict:
    """A team of one officer with an open shift whose latest position is ``at``."""
    officer = make_user(session, Role.officer, jurisdiction)
    team = make_team(session, jurisdiction, officer, call_sign=call_sign)
    now = datetime.now(UTC)
    shift = client.post(
        "/api/v1/patrols",
        json={"team_id": str(team.id), "started_at": (now - timedelta(minutes=30)).isoformat()},
        headers=officer.headers,
    )
    assert shift.status_code == 201, shift.text
    point = {
        "id": str(uuid.uuid4()),
        "t": now.isoformat(),
        "lon": at[0],
        "lat": at[1],
        "datum": "wgs84",
        "accuracy_m": 8.0,
    }
    upload = client.post(
        f"/api/v1/patrols/{shift.json()['id']}/track", json={"points": [point]}, headers=officer.headers
    )
    assert upload.status_code in (200, 201), upload.text
    return {"officer": officer, "team": team, "shift": shift.json()}


@pytest.fixture
def desk(session, city):
    """The people around a lead: operator, dispatchers, a supervisor, and a police station."""
    police = make_organisation(session, OrganisationKind.police_station, "T101")
    return {
        "operator": make_user(session, Role.hotline_operator, "T100"),
        "dispatcher": make_user(session, Role.dispatcher, "T100"),
        "supervisor": make_user(session, Role.supervisor, "T100"),
        "foreign_dispatcher": make_user(session, Role.dispatcher, "X200"),
        "police_officer": make_user(session, Role.officer, "T101", organisation_id=police.id),
        "police": police,
    }


def hotline(client, operator: Account, lon: float | None, lat: float | None, **extra) -> dict:
    body = {"description": "桥洞下有一位老人，衣服单薄", "caller_phone": "13812345678", **extra}
    if lon is not None:
        body["place"] = {"lon": lon, "lat": lat}
    response = client.post("/api/v1/leads", json=body, headers=operator.headers)
    assert response.status_code == 201, response.text
    return response.json()
