"""Sweeps from CAP alerts and by hand: tasks, assignment, completion, escalation, report."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from api.auth.models import Role
from api.sweeps.service import balanced_assignment
from tests.encounters.conftest import encounter
from tests.factories import IN_EAST, IN_WEST, inbox, make_hotspot, make_team, make_user, square_ring
from tests.sweeps.cap_samples import alert, circle_area, geocode_area, polygon_area

CAP = "/api/v1/weather/cap"
LON, LAT = IN_WEST
WEST_RING = [
    (LON - 0.02, LAT - 0.02),
    (LON + 0.02, LAT - 0.02),
    (LON + 0.02, LAT + 0.02),
    (LON - 0.02, LAT + 0.02),
    (LON - 0.02, LAT - 0.02),
]


@pytest.fixture
def world(client, session, city):
    dispatcher = make_user(session, Role.dispatcher, "T100")
    officers = [make_user(session, Role.officer, "T101") for _ in range(2)]
    teams = [make_team(session, "T101", officer) for officer in officers]
    for officer, team in zip(officers, teams, strict=True):
        response = client.post("/api/v1/patrols", json={"team_id": str(team.id)}, headers=officer.headers)
        assert response.status_code == 201
    inside = [
        make_hotspot(session, LON + dx, LAT, radius_m=40, risk_level=risk)
        for dx, risk in ((-0.01, "critical"), (0.0, "high"), (0.01, "medium"))
    ]
    outside = make_hotspot(session, *IN_EAST)
    return {
        "dispatcher": dispatcher,
        "officers": officers,
        "teams": teams,
        "inside": inside,
        "outside": outside,
    }


def post_cap(client, account, document: bytes):
    return client.post(
        CAP, content=document, headers={**account.headers, "content-type": "application/cap+xml"}
    )


def tasks(client, account, sweep_id):
    return client.get(f"/api/v1/sweeps/{sweep_id}/tasks", headers=account.headers).json()


def test_an_alert_starts_one_sweep_over_exactly_the_hotspots_inside(client, session, world):
    d = world["dispatcher"]
    first = post_cap(client, d, alert("A-1", area=polygon_area(WEST_RING)))
    assert first.status_code == 200, first.text
    sweep_id = first.json()["sweep_id"]
    listed = {t["hotspot_id"] for t in tasks(client, d, sweep_id)}
    assert listed == {str(h.id) for h in world["inside"]}
    sweep = client.get(f"/api/v1/sweeps/{sweep_id}", headers=d.headers).json()
    assert (sweep["kind"], sweep["level"], sweep["trigger"]) == ("cold", "orange", "alert")
    assert sweep["progress"] == {"done": 0, "total": 3, "teams": sweep["progress"]["teams"]}
    loads = sorted(t["total"] for t in sweep["progress"]["teams"].values())
    assert loads == [1, 2], "balanced over the two teams on duty"
    for officer in world["officers"]:
        [item] = inbox(client, officer)
        assert item["kind"] == "sweep.tasks" and item["payload"]["sweep_id"] == sweep_id

    again = post_cap(client, d, alert("A-1", area=polygon_area(WEST_RING)))
    assert again.json()["duplicate"] is True and again.json()["sweep_id"] == sweep_id
    raised = post_cap(client, d, alert("A-2", event="寒潮红色预警", area=polygon_area(WEST_RING)))
    assert raised.json()["sweep_id"] == sweep_id, "the same kind over the same area and window extends it"
    assert client.get(f"/api/v1/sweeps/{sweep_id}", headers=d.headers).json()["level"] == "red"
    assert session.scalar(sa.text("SELECT count(*) FROM sweeps")) == 1
    assert session.scalar(sa.text("SELECT count(*) FROM sweep_tasks")) == 3


def test_update_changes_and_cancel_closes_the_sweep(client, world):
    d = world["dispatcher"]
    sweep_id = post_cap(client, d, alert("B-1", area=polygon_area(WEST_RING))).json()["sweep_id"]
    update = post_cap(
        client,
        d,
        alert(
            "B-2",
            msg_type="Update",
            event="寒潮黄色预警",
            area=polygon_area(WEST_RING),
            references="T101-weather-office,B-1,2026-11-29T00:00:00+08:00",
        ),
    )
    assert update.json()["sweep_id"] == sweep_id
    assert client.get(f"/api/v1/sweeps/{sweep_id}", headers=d.headers).json()["level"] == "yellow"
    cancel = post_cap(
        client,
        d,
        alert("B-3", msg_type="Cancel", references="T101-weather-office,B-1,2026-11-29T00:00:00+08:00"),
    )
    assert cancel.status_code == 200
    assert client.get(f"/api/v1/sweeps/{sweep_id}", headers=d.headers).json()["status"] == "closed"


def test_geocode_and_circle_areas(client, world):
    d = world["dispatcher"]
    by_code = post_cap(client, d, alert("C-1", event="高温红色预警", area=geocode_area("T102"))).json()
    assert {t["hotspot_id"] for t in tasks(client, d, by_code["sweep_id"])} == {str(world["outside"].id)}
    by_circle = post_cap(client, d, alert("C-2", area=circle_area(LON, LAT, 0.5))).json()
    assert {t["hotspot_id"] for t in tasks(client, d, by_circle["sweep_id"])} == {str(world["inside"][1].id)}


def test_exercises_and_tests_are_kept_but_start_nothing(client, session, world):
    response = post_cap(
        client, world["dispatcher"], alert("D-1", status="Exercise", area=polygon_area(WEST_RING))
    )
    assert response.status_code == 200 and response.json()["sweep_id"] is None
    assert session.scalar(sa.text("SELECT count(*) FROM weather_alerts")) == 1
    assert session.scalar(sa.text("SELECT count(*) FROM sweeps")) == 0


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (b"<alert", "not well-formed XML"),
        (b"<other/>", "not a CAP 1.2 alert"),
        (alert("E-1", area=polygon_area([*WEST_RING[:-1], (LON, LAT + 0.03)])), "does not close"),
        (
            alert("E-2", area=polygon_area(WEST_RING)).replace(b"<identifier>E-2</identifier>", b""),
            "no identifier",
        ),
        (alert("E-3", area=geocode_area("NOPE9")), "geocode 'NOPE9'"),
        (alert("E-4", msg_type="Update", area=polygon_area(WEST_RING)), "references"),
        (
            alert("E-5", area=polygon_area([(LON, 95.0), (LON + 1, LAT), (LON, LAT), (LON, 95.0)])),
            "latitude 95.0",
        ),
        (alert("E-6", area=""), "no area"),
        (
            alert("E-7", area=polygon_area(WEST_RING)).replace(
                b"<status>Actual</status>", b"<status>Real</status>"
            ),
            "unknown status",
        ),
    ],
)
def test_bad_cap_is_refused_and_nothing_stored(client, session, world, document, expected):
    response = post_cap(client, world["dispatcher"], document)
    assert response.status_code == 422, response.text
    assert expected in response.json()["detail"]
    assert session.scalar(sa.text("SELECT count(*) FROM weather_alerts")) == 0


def test_cap_needs_a_command_role(client, world):
    assert (
        post_cap(client, world["officers"][0], alert("F-1", area=polygon_area(WEST_RING))).status_code == 403
    )


def manual_sweep(client, account, **body):
    payload = {
        "kind": "cold",
        "level": "orange",
        "area": {"type": "Polygon", "coordinates": [WEST_RING]},
        "ends_at": (datetime.now(UTC) + timedelta(hours=6)).isoformat(),
        **body,
    }
    response = client.post("/api/v1/sweeps", json=payload, headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_check_in_does_the_task_and_the_report_adds_up(client, session, world):
    d, officer = world["dispatcher"], world["officers"][0]
    sweep = manual_sweep(client, d)
    mine = [t for t in tasks(client, officer, sweep["id"]) if t["team_id"] == str(world["teams"][0].id)]
    target = mine[0]
    shift = client.get("/api/v1/patrols", headers=officer.headers).json()
    shift_id = next(s["id"] for s in shift if s["team_id"] == str(world["teams"][0].id))
    checkin = {
        "id": str(uuid.uuid4()),
        "hotspot_id": target["hotspot_id"],
        "at": datetime.now(UTC).isoformat(),
    }
    assert (
        client.post(f"/api/v1/patrols/{shift_id}/checkins", json=checkin, headers=officer.headers).status_code
        == 201
    )
    hotspot = next(h for h in world["inside"] if str(h.id) == target["hotspot_id"])
    place = {"lon": to_lon(hotspot), "lat": LAT}
    refused = encounter(
        place=place,
        outcome="refused_help",
        told_station_contact=True,
        persuasion_note="劝导无效",
        supplies={"quilt": 1},
        occurred_at=datetime.now(UTC).isoformat(),  # after the sweep started
    )
    assert client.post("/api/v1/encounters", json=refused, headers=officer.headers).status_code == 201
    revisits = client.get("/api/v1/revisits", headers=officer.headers).json()
    assert [r["reason"] for r in revisits] == ["refused_help during a weather sweep"], "exactly one revisit"
    done = client.post(
        f"/api/v1/sweeps/tasks/{target['id']}/done",
        headers=officer.headers,
        json={"people_found": 1, "refused": 0, "supplies": {"quilt": 1, "hot meal": 1}},
    )
    assert done.status_code == 200

    report = client.get(f"/api/v1/sweeps/{sweep['id']}/report", headers=d.headers).json()
    totals = report["totals"]
    assert (totals["hotspots"], totals["on_time"], totals["missed"]) == (3, 1, 2)
    assert totals["refusals"] == 1 and totals["people_met"] == 1
    assert totals["supplies"] == {"quilt": 2, "hot meal": 1}
    assert sum(r["refusals"] for r in report["hotspots"]) == totals["refusals"]
    exported = client.get(f"/api/v1/sweeps/{sweep['id']}/report", params={"format": "csv"}, headers=d.headers)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 3 and sorted(r["checked"] for r in rows) == ["missed", "missed", "on_time"]
    other_team_task = next(
        t for t in tasks(client, d, sweep["id"]) if t["team_id"] != str(world["teams"][0].id)
    )
    assert (
        client.post(
            f"/api/v1/sweeps/tasks/{other_team_task['id']}/done", json={}, headers=officer.headers
        ).status_code
        == 403
    )


def to_lon(hotspot) -> float:
    from geoalchemy2.shape import to_shape

    return to_shape(hotspot.geom).x


def test_a_missed_deadline_escalates_to_the_dispatcher(client, session, world, drain_jobs):
    d = world["dispatcher"]
    started = datetime.now(UTC) - timedelta(hours=3)
    manual_sweep(client, d, starts_at=started.isoformat(), ends_at=(started + timedelta(hours=4)).isoformat())

    def escalated():
        session.rollback()
        return session.scalar(sa.text("SELECT count(*) FROM notifications WHERE kind = 'sweep.overdue'")) > 0

    drain_jobs(escalated)
    [item] = [i for i in inbox(client, d) if i["kind"] == "sweep.overdue"]
    assert item["payload"]["pending"] == 3


def test_the_dispatcher_reassigns_and_manual_sweeps_stay_in_scope(client, session, world):
    d = world["dispatcher"]
    sweep = manual_sweep(client, d)
    task = tasks(client, d, sweep["id"])[0]
    other = next(t for t in world["teams"] if str(t.id) != task["team_id"])
    moved = client.post(
        f"/api/v1/sweeps/tasks/{task['id']}/assign", json={"team_id": str(other.id)}, headers=d.headers
    )
    assert moved.json()["team_id"] == str(other.id)
    west = make_user(session, Role.dispatcher, "T101")
    far = {"type": "Polygon", "coordinates": [square_ring(*IN_EAST, half=0.01)]}
    response = client.post(
        "/api/v1/sweeps",
        headers=west.headers,
        json={"kind": "heat", "area": far, "ends_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat()},
    )
    assert response.status_code == 403
    assert (
        client.post(
            "/api/v1/sweeps",
            headers=d.headers,
            json={"kind": "heat", "ends_at": datetime.now(UTC).isoformat()},
        ).status_code
        == 422
    )


def test_balanced_assignment_prefers_the_nearest_team_with_room():
    teams = [("west", 120.0, 30.0), ("east", 120.1, 30.0)]
    tasks = [(f"t{i}", 120.0 + i * 0.001, 30.0, 1) for i in range(6)] + [("far", 120.1, 30.0, 0)]
    assignment = balanced_assignment(tasks, teams)
    assert assignment["far"] == "east", "the riskiest task chooses first"
    loads = {team: list(assignment.values()).count(team) for team, *_ in teams}
    assert loads == {"west": 4, "east": 3}, "no team over its fair share (7 tasks, 2 teams: 4)"
    assert balanced_assignment(tasks, []) == {}


def test_supplies_are_counted_down_and_low_stock_warns(client, session, world):
    d, officer = world["dispatcher"], world["officers"][0]
    team = world["teams"][0]
    stocked = client.put(
        "/api/v1/supplies",
        json={"team_id": str(team.id), "kind": "quilt", "quantity": 3, "low_at": 1},
        headers=d.headers,
    )
    assert stocked.status_code == 200 and stocked.json()["low"] is False
    assert (
        client.put("/api/v1/supplies", json={"kind": "quilt", "quantity": 3}, headers=d.headers).status_code
        == 422
    )
    assert (
        client.put(
            "/api/v1/supplies",
            json={"team_id": str(team.id), "kind": "quilt", "quantity": -1},
            headers=d.headers,
        ).status_code
        == 422
    )
    sweep = manual_sweep(client, d)
    task = next(t for t in tasks(client, d, sweep["id"]) if t["team_id"] == str(team.id))
    client.post(
        f"/api/v1/sweeps/tasks/{task['id']}/done",
        json={"supplies": {"quilt": 2, "water": 4}},
        headers=officer.headers,
    )
    [quilts] = client.get("/api/v1/supplies", headers=d.headers).json()
    assert (quilts["quantity"], quilts["low"]) == (1, True)
    warnings = [i for i in inbox(client, d) if i["kind"] == "supplies.low"]
    assert len(warnings) == 1 and "quilt 剩 1" in warnings[0]["body"]
    client.post(
        f"/api/v1/sweeps/tasks/{task['id']}/done", json={"supplies": {"quilt": 2}}, headers=officer.headers
    )
    assert client.get("/api/v1/supplies", headers=d.headers).json()[0]["quantity"] == 1, "a task counts once"


def test_a_visit_detected_from_the_track_does_the_task(client, session, world, drain_jobs):
    from tests.factories import track

    d, officer, team = world["dispatcher"], world["officers"][0], world["teams"][0]
    sweep = manual_sweep(client, d, starts_at=(datetime.now(UTC) - timedelta(minutes=1)).isoformat())
    task = next(t for t in tasks(client, d, sweep["id"]) if t["team_id"] == str(team.id))
    hotspot = next(h for h in world["inside"] if str(h.id) == task["hotspot_id"])
    shift_id = next(
        s["id"]
        for s in client.get("/api/v1/patrols", headers=officer.headers).json()
        if s["team_id"] == str(team.id)
    )
    # after the sweep started: 90 s standing in the hotspot, fixes every 10 s
    points = track((to_lon(hotspot), LAT, datetime.now(UTC) - timedelta(seconds=95)), seconds=90, step_s=10)
    upload = client.post(
        f"/api/v1/patrols/{shift_id}/track", json={"points": points}, headers=officer.headers
    )
    assert upload.status_code == 200, upload.text

    def done():
        return next(t for t in tasks(client, d, sweep["id"]) if t["id"] == task["id"])["status"] == "done"

    drain_jobs(done)
    assert client.get(f"/api/v1/sweeps/{sweep['id']}", headers=d.headers).json()["progress"]["done"] == 1


def test_cli_imports_a_cap_file_once(tmp_path, session, world, run_patrol):
    document = tmp_path / "alert.xml"
    document.write_bytes(alert("CLI-1", area=polygon_area(WEST_RING)))
    first = run_patrol("weather", "import", str(document))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "stored: CLI-1 Alert -> sweep" in first.stdout
    again = run_patrol("weather", "import", str(document))
    assert "already known: CLI-1" in again.stdout
    assert session.scalar(sa.text("SELECT count(*) FROM sweep_tasks")) == 3
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<alert")
    failed = run_patrol("weather", "import", str(broken))
    assert failed.returncode == 1 and "not well-formed XML" in failed.stdout
