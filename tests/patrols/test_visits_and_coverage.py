"""Visits detected from tracks (dwell, noise, late uploads), check-ins, coverage and overdue."""

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from api.auth.models import Role
from tests.factories import IN_EAST, IN_WEST, make_hotspot, make_team, make_user, track

LON, LAT = IN_WEST
OUTSIDE = (LON + 0.01, LAT)  # about 1 km east


def upload(client, shift, account, points):
    response = client.post(
        f"/api/v1/patrols/{shift['id']}/track", json={"points": points}, headers=account.headers
    )
    assert response.status_code == 200, response.text


def visits_of(session):
    session.rollback()
    return session.execute(
        sa.text(
            "SELECT hotspot_id, arrived_at, departed_at, source, points "
            "FROM hotspot_visits ORDER BY arrived_at"
        )
    ).all()


def walk_in_and_out(t0, dwell_s=300, noise=True):
    """Walk from 1 km away to the hotspot, stay ``dwell_s`` (with two wild fixes), walk away."""
    arrive = track((*OUTSIDE, t0), seconds=600, step_s=10, towards=(LON, LAT))
    stay = track((LON, LAT, t0 + timedelta(seconds=610)), seconds=dwell_s, step_s=10)
    if noise:
        for i in (5, 6):
            stay[i]["lon"] = LON + 0.0015  # about 150 m off: outside the 50 m circle
    leave = track((LON, LAT, t0 + timedelta(seconds=620 + dwell_s)), seconds=600, step_s=10, towards=OUTSIDE)
    return arrive, stay, leave


def test_a_stay_becomes_one_visit_despite_noise_and_late_upload(client, session, crew, shift, drain_jobs):
    hotspot = make_hotspot(session, LON, LAT, radius_m=50)
    make_hotspot(session, *IN_EAST)
    t0 = datetime.now(UTC) - timedelta(minutes=90)
    arrive, stay, leave = walk_in_and_out(t0)
    upload(client, shift, crew["first"], leave)  # the middle of the walk comes last, from under a bridge
    upload(client, shift, crew["first"], arrive)
    upload(client, shift, crew["first"], stay)
    drain_jobs(lambda: len(visits_of(session)) == 1)
    [(hotspot_id, arrived, departed, source, points)] = visits_of(session)
    assert hotspot_id == hotspot.id and source == "track"
    # five minutes standing, plus about 30 s walking each way inside the 50 m circle
    assert 360 <= (departed - arrived).total_seconds() <= 400
    assert points >= 25

    latest = client.get(f"/api/v1/hotspots/{hotspot.id}/visits", headers=crew["dispatcher"].headers).json()
    assert latest[0]["team_id"] == str(crew["team"].id) and latest[0]["shift_id"] == shift["id"]


def test_passing_by_is_not_a_visit(client, session, crew, shift, drain_jobs, count_rows):
    make_hotspot(session, LON, LAT, radius_m=50)
    t0 = datetime.now(UTC) - timedelta(minutes=60)
    passing = track((LON - 0.01, LAT, t0), seconds=120, step_s=5, towards=(LON + 0.01, LAT))  # ~17 m/s by car
    upload(client, shift, crew["first"], passing)
    drain_jobs(
        lambda: (
            count_rows("procrastinate_jobs WHERE task_name = 'detect_visits' AND status = 'succeeded'") >= 1
        )
    )
    assert visits_of(session) == []


def test_checkins_count_as_visits_once(client, session, crew, shift):
    hotspot = make_hotspot(session, LON, LAT)
    body = {
        "id": str(uuid.uuid4()),
        "hotspot_id": str(hotspot.id),
        "at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "note": "桥洞无人",
    }
    url = f"/api/v1/patrols/{shift['id']}/checkins"
    assert client.post(url, json=body, headers=crew["first"].headers).status_code == 201
    assert client.post(url, json=body, headers=crew["first"].headers).status_code == 200
    assert [v.source for v in visits_of(session)] == ["checkin"]
    assert (
        client.post(
            url,
            json={**body, "id": str(uuid.uuid4()), "hotspot_id": str(uuid.uuid4())},
            headers=crew["first"].headers,
        ).status_code
        == 404
    )
    assert (
        client.post(url, json={**body, "id": str(uuid.uuid4())}, headers=crew["outsider"].headers).status_code
        == 403
    )


def test_shift_and_route_coverage(client, session, crew, drain_jobs):
    visited = make_hotspot(session, LON, LAT, radius_m=50)
    skipped = make_hotspot(session, LON + 0.02, LAT, radius_m=50)
    route = client.post(
        "/api/v1/routes",
        headers=crew["dispatcher"].headers,
        json={
            "name": "西线",
            "jurisdiction": "T101",
            "hotspot_ids": [str(visited.id), str(skipped.id)],
            "expected_minutes": 60,
        },
    ).json()
    started = datetime.now(UTC) - timedelta(hours=1)
    shift = client.post(
        "/api/v1/patrols",
        headers=crew["first"].headers,
        json={"team_id": str(crew["team"].id), "route_id": route["id"], "started_at": started.isoformat()},
    ).json()
    arrive, stay, leave = walk_in_and_out(started + timedelta(minutes=1), noise=False)
    upload(client, shift, crew["first"], arrive + stay + leave)
    drain_jobs(lambda: len(visits_of(session)) == 1)

    coverage = client.get(f"/api/v1/patrols/{shift['id']}/coverage", headers=crew["first"].headers).json()
    assert coverage["planned"] == [str(visited.id), str(skipped.id)]
    assert coverage["visited"] == [str(visited.id)] and coverage["missed"] == [str(skipped.id)]
    [officer] = coverage["officers"]
    assert 1900 < officer["distance_m"] < 2100, "1 km in, 1 km out"
    assert 1150 < officer["moving_s"] < 1250 and 250 < officer["stopped_s"] < 350

    by_route = client.get(f"/api/v1/routes/{route['id']}/coverage", headers=crew["dispatcher"].headers).json()
    assert by_route["shifts"] == 1
    assert [(s["hotspot_id"], s["visits"]) for s in by_route["stops"]] == [
        (str(visited.id), 1),
        (str(skipped.id), 0),
    ]


def test_overdue_hotspots_by_risk_level(client, session, crew, shift, drain_jobs):
    fresh = make_hotspot(session, LON, LAT, radius_m=50, risk_level="critical")
    never = make_hotspot(session, LON + 0.02, LAT, radius_m=50, risk_level="low")
    stale = make_hotspot(session, LON - 0.02, LAT, radius_m=50, risk_level="high")
    session.execute(
        sa.text(
            "INSERT INTO hotspot_visits (id, hotspot_id, shift_id, team_id, jurisdiction_id, arrived_at,"
            " departed_at, source, points) SELECT gen_random_uuid(), :h, :s, :t, jurisdiction_id,"
            " now() - interval '30 hours', now() - interval '30 hours', 'checkin', 0"
            " FROM hotspots WHERE id = :h"
        ),
        {"h": stale.id, "s": shift["id"], "t": crew["team"].id},
    )
    session.commit()
    arrive, stay, leave = walk_in_and_out(datetime.now(UTC) - timedelta(minutes=40), noise=False)
    upload(client, shift, crew["first"], arrive + stay + leave)
    drain_jobs(lambda: len(visits_of(session)) == 2)
    layer = client.get(
        "/api/v1/coverage/overdue", params={"jurisdiction": "T101"}, headers=crew["dispatcher"].headers
    ).json()
    late = {f["id"]: f["properties"] for f in layer["features"]}
    assert set(late) == {str(never.id), str(stale.id)} and str(fresh.id) not in late
    assert late[str(never.id)]["last_visited_at"] is None
    assert late[str(stale.id)]["allowed_hours"] == 24 and 5.5 < late[str(stale.id)]["overdue_hours"] < 6.5
    assert late[str(stale.id)]["last_visited_by"] == "西巡1"


def test_nearest_on_duty_officers_and_stale_positions(client, session, crew, shift):
    second_team_officer = make_user(session, Role.officer, "T101")
    other_team = make_team(session, "T101", second_team_officer)
    other_shift = client.post(
        "/api/v1/patrols", json={"team_id": str(other_team.id)}, headers=second_team_officer.headers
    ).json()
    now = datetime.now(UTC)
    upload(client, shift, crew["first"], track((LON + 0.001, LAT, now - timedelta(seconds=30)), seconds=10))
    upload(client, shift, crew["second"], track((LON + 0.003, LAT, now - timedelta(minutes=30)), seconds=10))
    upload(
        client,
        other_shift,
        second_team_officer,
        track((LON + 0.002, LAT, now - timedelta(seconds=20)), seconds=10),
    )

    everyone = client.get(
        "/api/v1/positions", params={"near": f"{LON},{LAT}"}, headers=crew["dispatcher"].headers
    ).json()["features"]
    assert [f["id"] for f in everyone] == [
        str(crew["first"].user.id),
        str(second_team_officer.user.id),
        str(crew["second"].user.id),
    ]
    assert [f["properties"]["stale"] for f in everyone] == [False, False, True]
    assert 90 < everyone[0]["properties"]["distance_m"] < 100
    nearest = client.get(
        "/api/v1/positions/nearest",
        params={"near": f"{LON},{LAT}", "n": 5},
        headers=crew["dispatcher"].headers,
    ).json()["features"]
    assert len(nearest) == 2, "stale positions are not offered as nearest"
    teams = client.get(
        "/api/v1/positions/nearest",
        params={"near": f"{LON},{LAT}", "n": 5, "per_team": True},
        headers=crew["dispatcher"].headers,
    ).json()["features"]
    assert teams[0]["properties"]["team_call_sign"] == "西巡1" and len(teams) == 2
    within = client.get(
        "/api/v1/positions",
        params={"near": f"{LON},{LAT}", "radius": 150},
        headers=crew["dispatcher"].headers,
    ).json()["features"]
    assert [f["id"] for f in within] == [str(crew["first"].user.id)]
    assert client.get("/api/v1/positions", headers=crew["first"].headers).status_code == 403, (
        "officers see no map"
    )
    east = make_user(session, Role.dispatcher, "T102")
    assert client.get("/api/v1/positions", headers=east.headers).json()["features"] == []


def test_track_read_back_is_simplified(client, session, crew, shift):
    t0 = datetime.now(UTC) - timedelta(minutes=30)
    straight = track((LON, LAT, t0), seconds=600, step_s=5, towards=(LON + 0.01, LAT))
    upload(client, shift, crew["first"], straight)
    lines = client.get(
        f"/api/v1/patrols/{shift['id']}/track", params={"tolerance_m": 5}, headers=crew["dispatcher"].headers
    ).json()["features"]
    [line] = lines
    assert line["properties"]["points"] == 121 and line["properties"]["vertices"] == 2
    raw = client.get(
        f"/api/v1/patrols/{shift['id']}/track", params={"tolerance_m": 0}, headers=crew["dispatcher"].headers
    ).json()["features"][0]
    assert len(raw["geometry"]["coordinates"]) == 121
