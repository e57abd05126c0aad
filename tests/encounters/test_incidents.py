"""Critical incidents: immediate alerts, escalation upward when nobody acknowledges."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from api.settings import get_settings
from tests.encounters.conftest import encounter
from tests.factories import IN_WEST, inbox


@pytest.fixture
def prompt_escalation():
    """The acknowledgement window, shortened to nothing for the test (a setting, not a patch)."""
    settings = get_settings()
    before = settings.incident_ack_minutes
    settings.incident_ack_minutes = 0
    yield
    settings.incident_ack_minutes = before


def incident(client, account, kind="danger_of_death"):
    body = {
        "kind": kind,
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]},
        "description": "涵洞内老人意识模糊",
    }
    response = client.post("/api/v1/incidents", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()


def kinds(client, account):
    return [i["kind"] for i in inbox(client, account)]


def test_alerts_reach_local_supervisors_and_the_bureau_at_once(client, field):
    raised = incident(client, field["officer"])
    assert raised["notified"] == 2
    assert kinds(client, field["district_supervisor"]) == ["incident.critical"]
    assert kinds(client, field["city_supervisor"]) == ["incident.critical"], "the civil-affairs bureau"
    assert kinds(client, field["dispatcher"]) == []


def test_unacknowledged_alert_climbs_a_level(client, session, field, drain_jobs, prompt_escalation):
    incident(client, field["officer"])

    def escalated():
        session.rollback()
        return session.scalar(sa.text("SELECT count(*) FROM notifications WHERE kind = 'escalation'")) > 0

    drain_jobs(escalated)
    assert "escalation" in [i["kind"] for i in inbox(client, field["city_supervisor"], at_least=2)]
    assert "escalation" not in kinds(client, field["district_supervisor"])


def test_an_acknowledged_alert_does_not_escalate(
    client, session, field, drain_jobs, prompt_escalation, count_rows
):
    incident(client, field["officer"])
    [item] = inbox(client, field["district_supervisor"])
    assert (
        client.post(
            f"/api/v1/inbox/{item['id']}/ack", headers=field["district_supervisor"].headers
        ).status_code
        == 200
    )
    drain_jobs(
        lambda: (
            count_rows(
                "procrastinate_jobs WHERE task_name = 'escalate_unacknowledged' AND status = 'succeeded'"
            )
            == 1
        )
    )
    assert count_rows("notifications WHERE kind = 'escalation'") == 0


def test_an_encounter_marked_critical_raises_an_incident(client, session, field):
    body = encounter(
        categories=["critically_ill"],
        outcome="emergency_services_called",
        critical="danger_of_death",
        notes="呼吸微弱，已呼叫 120",
    )
    assert client.post("/api/v1/encounters", json=body, headers=field["officer"].headers).status_code == 201
    description, encounter_id = session.execute(
        sa.text("SELECT description, encounter_id::text FROM critical_incidents")
    ).one()
    assert description == "呼吸微弱，已呼叫 120" and encounter_id == body["id"]
    assert kinds(client, field["district_supervisor"]) == ["incident.critical"]


def test_only_field_and_command_roles_raise_incidents(client, session, field):
    from api.auth.models import Role
    from tests.factories import make_user

    hotline = make_user(session, Role.hotline_operator, "T100")
    body = {
        "kind": "person_dead",
        "occurred_at": datetime.now(UTC).isoformat(),
        "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]},
        "description": "x",
    }
    assert client.post("/api/v1/incidents", json=body, headers=hotline.headers).status_code == 403
    assert (
        client.post(
            "/api/v1/incidents", json={**body, "kind": "fire"}, headers=field["officer"].headers
        ).status_code
        == 422
    )


def test_an_incident_answers_in_the_datum_it_was_sent_in(client, field):
    from geo.datum import Datum, point_from_wgs84

    lon, lat = point_from_wgs84(Datum.gcj02, *IN_WEST)
    body = {
        "kind": "danger_of_death",
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        "place": {"lon": round(lon, 7), "lat": round(lat, 7)},
        "description": "桥下有人昏迷",
    }
    sent = client.post("/api/v1/incidents?datum=gcj02", json=body, headers=field["officer"].headers)
    assert sent.status_code == 201, sent.text
    place = sent.json()["place"]
    assert abs(place["lon"] - lon) < 1e-6 and abs(place["lat"] - lat) < 1e-6  # not WGS84
