from api.auth.models import Role
from tests.factories import IN_EAST, IN_WEST, make_hotspot, make_user


def test_dispatcher_forms_a_joint_team(client, session, city, count_rows):
    dispatcher = make_user(session, Role.dispatcher, "T100")
    police, cityman = make_user(session, Role.officer, "T101"), make_user(session, Role.officer, "T100")
    body = {
        "call_sign": "联巡1",
        "vehicle": "巡逻车 3 号",
        "jurisdiction": "T101",
        "members": [str(police.user.id), str(cityman.user.id)],
    }
    created = client.post("/api/v1/teams", json=body, headers=dispatcher.headers)
    assert created.status_code == 201, created.text
    assert {m["id"] for m in created.json()["members"]} == {str(police.user.id), str(cityman.user.id)}
    assert created.json()["on_duty_shift"] is None
    assert client.post("/api/v1/teams", json=body, headers=dispatcher.headers).status_code == 409
    assert (
        client.post("/api/v1/teams", json={**body, "call_sign": "x"}, headers=police.headers).status_code
        == 403
    )
    east = make_user(session, Role.officer, "T102")
    wrong = client.post(
        "/api/v1/teams",
        json={**body, "call_sign": "联巡2", "members": [str(east.user.id)]},
        headers=dispatcher.headers,
    )
    assert wrong.status_code == 422 and "outside the team's jurisdiction" in wrong.json()["detail"]
    not_officer = client.post(
        "/api/v1/teams",
        json={**body, "call_sign": "联巡3", "members": [str(dispatcher.user.id)]},
        headers=dispatcher.headers,
    )
    assert not_officer.status_code == 422 and "not an officer" in not_officer.json()["detail"]
    assert count_rows("teams") == 1
    east_dispatcher = make_user(session, Role.dispatcher, "T102")
    assert (
        client.get(f"/api/v1/teams/{created.json()['id']}", headers=east_dispatcher.headers).status_code
        == 404
    )


def test_route_planning_orders_hotspots_into_a_short_loop(client, session, city):
    dispatcher = make_user(session, Role.dispatcher, "T100")
    lon, lat = IN_WEST
    spots = [make_hotspot(session, lon + dx, lat) for dx in (0.03, 0.01, 0.04, 0.02)]
    ids = [str(s.id) for s in spots]
    plan = client.post(
        "/api/v1/routes/plan",
        json={"start": {"lon": lon, "lat": lat}, "hotspot_ids": ids},
        headers=dispatcher.headers,
    )
    assert plan.status_code == 200, plan.text
    body = plan.json()
    by_distance = [ids[1], ids[3], ids[0], ids[2]]
    assert body["hotspot_ids"] in (by_distance, by_distance[::-1])
    assert body["method"] == "straight_line" and "straight-line" in body["note"]
    assert 7500 < body["length_m"] < 8000, "out 0.04 degrees of longitude and back, about 3.86 km each way"

    route = client.post(
        "/api/v1/routes",
        headers=dispatcher.headers,
        json={
            "name": "西线",
            "jurisdiction": "T101",
            "hotspot_ids": ids,
            "expected_minutes": 90,
            "plan_from": {"lon": lon, "lat": lat},
        },
    )
    assert route.status_code == 201, route.text
    feature = route.json()
    assert [s["hotspot_id"] for s in feature["properties"]["stops"]] == body["hotspot_ids"]
    assert feature["geometry"]["type"] == "LineString" and len(feature["geometry"]["coordinates"]) == 5
    assert feature["properties"]["planning"] == "straight_line"


def test_route_with_foreign_or_unknown_hotspots_is_refused(client, session, city):
    west_dispatcher = make_user(session, Role.dispatcher, "T101")
    east_spot = make_hotspot(session, *IN_EAST)
    response = client.post(
        "/api/v1/routes/plan",
        headers=west_dispatcher.headers,
        json={"start": {"lon": IN_WEST[0], "lat": IN_WEST[1]}, "hotspot_ids": [str(east_spot.id)]},
    )
    assert response.status_code == 422 and "outside your jurisdiction" in response.json()["detail"]
    bad_start = client.post(
        "/api/v1/routes/plan",
        headers=west_dispatcher.headers,
        json={"start": {"lon": 200, "lat": 0}, "hotspot_ids": [str(east_spot.id)]},
    )
    assert bad_start.status_code == 422
    text_start = client.post(
        "/api/v1/routes/plan",
        headers=west_dispatcher.headers,
        json={"start": {"lon": str(IN_WEST[0]), "lat": IN_WEST[1]}, "hotspot_ids": [str(east_spot.id)]},
    )
    assert text_start.status_code == 422 and text_start.json()["errors"][0]["loc"] == ["body", "start", "lon"]


def test_cli_plans_a_round(session, city, run_patrol):
    lon, lat = IN_WEST
    far, near = (
        make_hotspot(session, lon + 0.02, lat, name="远处桥洞"),
        make_hotspot(session, lon + 0.01, lat, name="近处桥洞"),
    )
    result = run_patrol(
        "routes", "plan", "--start", f"{lon},{lat}", "--hotspot", str(far.id), "--hotspot", str(near.id)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "straight-line" in result.stdout and "远处桥洞" in result.stdout and "近处桥洞" in result.stdout
    bad = run_patrol("routes", "plan", "--start", "nowhere", "--hotspot", str(far.id))
    assert bad.returncode == 1 and "bad --start" in bad.stdout
