import uuid
from datetime import UTC, datetime, timedelta


def test_start_is_idempotent_and_one_shift_per_team(client, crew):
    shift_id = str(uuid.uuid4())
    body = {"id": shift_id, "team_id": str(crew["team"].id)}
    first = client.post("/api/v1/patrols", json=body, headers=crew["first"].headers)
    assert first.status_code == 201, first.text
    assert first.headers["x-server-time"]
    retry = client.post("/api/v1/patrols", json=body, headers=crew["second"].headers)
    assert retry.status_code == 200 and retry.json()["id"] == shift_id
    other = client.post(
        "/api/v1/patrols", json={"team_id": str(crew["team"].id)}, headers=crew["first"].headers
    )
    assert other.status_code == 409 and "already on duty" in other.json()["detail"]
    on_duty = client.get("/api/v1/patrols", headers=crew["dispatcher"].headers).json()
    assert [s["id"] for s in on_duty] == [shift_id] and on_duty[0]["team_call_sign"] == "西巡1"
    team = client.get(f"/api/v1/teams/{crew['team'].id}", headers=crew["dispatcher"].headers).json()
    assert team["on_duty_shift"] == shift_id


def test_only_the_crew_or_command_starts_and_ends_a_shift(client, crew):
    body = {"team_id": str(crew["team"].id)}
    assert client.post("/api/v1/patrols", json=body, headers=crew["outsider"].headers).status_code == 403
    started = client.post("/api/v1/patrols", json=body, headers=crew["dispatcher"].headers)
    assert started.status_code == 201
    url = f"/api/v1/patrols/{started.json()['id']}/end"
    assert client.post(url, json={}, headers=crew["outsider"].headers).status_code == 403
    ended = client.post(url, json={}, headers=crew["second"].headers)
    assert ended.status_code == 200 and ended.json()["on_duty"] is False
    again = client.post(url, json={"ended_at": datetime.now(UTC).isoformat()}, headers=crew["second"].headers)
    assert again.json()["ended_at"] == ended.json()["ended_at"], "ending twice changes nothing"
    assert client.get("/api/v1/patrols", headers=crew["dispatcher"].headers).json() == []


def test_bad_shift_requests(client, crew):
    team = str(crew["team"].id)
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert (
        client.post(
            "/api/v1/patrols", json={"team_id": team, "started_at": future}, headers=crew["first"].headers
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/patrols",
            json={"team_id": team, "started_at": "2026-11-29T08:00:00"},
            headers=crew["first"].headers,
        ).status_code
        == 422
    ), "a time without its offset"
    assert (
        client.post(
            "/api/v1/patrols", json={"team_id": str(uuid.uuid4())}, headers=crew["first"].headers
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/patrols",
            json={"team_id": team, "route_id": str(uuid.uuid4())},
            headers=crew["first"].headers,
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/patrols/{uuid.uuid4()}/end", json={}, headers=crew["first"].headers).status_code
        == 404
    )
