"""A phone that lost an answer sends the same request again: the server must not act twice.

Each test repeats a phone call exactly as a retry would and checks the answer and the rows.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from api.auth.models import Role
from api.organisations.models import OrganisationKind
from tests.factories import IN_WEST, make_organisation, make_team, make_user


@pytest.fixture
def crew(client, session, city):
    """An officer on duty in T101 with a fresh position, a rescue station and its staff."""
    officer = make_user(session, Role.officer, "T101")
    team = make_team(session, "T101", officer)
    station = make_organisation(session, OrganisationKind.rescue_station, "T100", capacity=80)
    now = datetime.now(UTC)
    shift = client.post(
        "/api/v1/patrols",
        json={"team_id": str(team.id), "started_at": (now - timedelta(minutes=30)).isoformat()},
        headers=officer.headers,
    ).json()
    point = {"id": str(uuid.uuid4()), "t": now.isoformat(), "lon": IN_WEST[0], "lat": IN_WEST[1]}
    track = client.post(
        f"/api/v1/patrols/{shift['id']}/track",
        json={"points": [{**point, "datum": "wgs84", "accuracy_m": 8.0}]},
        headers=officer.headers,
    )
    assert track.status_code == 200, track.text
    return {
        "officer": officer,
        "station": station,
        "station_staff": make_user(session, Role.station_staff, "T100", organisation_id=station.id),
        "supervisor": make_user(session, Role.supervisor, "T101"),
        "operator": make_user(session, Role.hotline_operator, "T100"),
    }


def count(session, sql: str, **params) -> int:
    session.rollback()
    return session.execute(text(sql), params).scalar_one()


def test_a_repeated_incident_is_raised_once_and_alerts_nobody_again(client, session, crew):
    body = {
        "id": str(uuid.uuid4()),
        "kind": "danger_of_death",
        "occurred_at": datetime.now(UTC).isoformat(),
        "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]},
        "description": "涵洞内一名老人意识模糊，已呼叫 120",
    }
    first = client.post("/api/v1/incidents", json=body, headers=crew["officer"].headers)
    again = client.post("/api/v1/incidents", json=body, headers=crew["officer"].headers)
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert first.json() == again.json() and first.json()["id"] == body["id"]
    assert first.json()["notified"] >= 1
    assert count(session, "SELECT count(*) FROM critical_incidents") == 1
    alerts = "SELECT count(*) FROM notifications WHERE kind = 'incident.critical'"
    assert count(session, alerts) == first.json()["notified"]


def test_someone_elses_incident_id_is_a_conflict(client, session, crew):
    body = {
        "id": str(uuid.uuid4()),
        "kind": "person_dead",
        "occurred_at": datetime.now(UTC).isoformat(),
        "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]},
        "description": "桥下发现一人死亡",
    }
    assert client.post("/api/v1/incidents", json=body, headers=crew["officer"].headers).status_code == 201
    other = client.post("/api/v1/incidents", json=body, headers=crew["supervisor"].headers)
    assert other.status_code == 409 and other.json()["type"] == "/problems/conflict"


def test_handover_requests_and_steps_repeat_without_a_second_step(client, session, crew):
    officer, staff = crew["officer"].headers, crew["station_staff"].headers
    body = {"id": str(uuid.uuid4()), "kind": "to_station", "to_organisation_id": crew["station"].id}
    first = client.post("/api/v1/handovers", json=body, headers=officer)
    again = client.post("/api/v1/handovers", json=body, headers=officer)
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert first.json() == again.json()
    url = f"/api/v1/handovers/{body['id']}"
    assert client.post(f"{url}/accepted", json={}, headers=staff).status_code == 200
    for step in ("in-transit", "in-transit", "arrived", "arrived"):
        answer = client.post(f"{url}/{step}", json={"note": step}, headers=officer)
        assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "arrived"
    steps = "SELECT count(*) FROM handover_steps WHERE handover_id = :id"
    assert count(session, steps, id=body["id"]) == 4  # requested, accepted, in_transit, arrived
    assert (
        client.post(f"{url}/in-transit", json={}, headers=officer).status_code == 409
    )  # going back is not a retry


def test_a_repeated_decline_is_answered_like_the_first(client, session, crew):
    lead = client.post(
        "/api/v1/leads",
        json={"description": "桥洞下有人", "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]}},
        headers=crew["operator"].headers,
    ).json()
    assert lead["status"] == "offered", lead
    url = f"/api/v1/leads/{lead['id']}/decline"
    assert client.post(url, headers=crew["officer"].headers).status_code == 204
    again = client.post(url, headers=crew["officer"].headers)
    assert again.status_code == 204, again.text
    assert count(session, "SELECT count(*) FROM lead_offers WHERE answer = 'declined'") == 1


def test_a_record_sent_before_the_one_it_names_is_a_404_to_keep_queued(client, session, crew):
    """Out-of-order uploads: the phone keeps the later record and sends it again afterwards."""
    unknown = str(uuid.uuid4())
    handover = {"kind": "to_station", "to_organisation_id": crew["station"].id, "encounter_id": unknown}
    incident = {
        "kind": "person_dead",
        "occurred_at": datetime.now(UTC).isoformat(),
        "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]},
        "description": "桥下发现一人死亡",
        "person_id": unknown,
    }
    for url, body in (("/api/v1/handovers", handover), ("/api/v1/incidents", incident)):
        answer = client.post(url, json=body, headers=crew["officer"].headers)
        assert answer.status_code == 404, answer.text
        assert answer.json()["type"] == "/problems/not-found" and unknown in answer.json()["detail"]
    assert (
        count(session, "SELECT count(*) FROM handovers")
        + count(session, "SELECT count(*) FROM critical_incidents")
        == 0
    )
