"""The console's map layers, its configuration and the event stream in the basemap's datum."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.auth.models import Role
from api.console.service import cluster_cell_deg, visit_state
from api.events.routes import in_datum
from api.organisations.models import OrganisationKind
from geo.datum import Datum, point_from_wgs84
from tests.encounters.conftest import encounter
from tests.factories import IN_WEST, make_organisation, make_user

LAYERS = "/api/v1/console/layers"


def layer(client, account, name, **params):
    response = client.get(f"{LAYERS}/{name}", params=params, headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_hotspots_carry_their_visit_state_and_stay_in_scope(client, world, west_dispatcher):
    everything = layer(client, world["dispatcher"], "hotspots")
    states = {f["id"]: f["properties"]["state"] for f in everything["features"]}
    assert states == {
        str(world["hotspots"]["never"].id): "never",
        str(world["hotspots"]["fresh"].id): "fresh",
        str(world["hotspots"]["overdue"].id): "overdue",
        str(world["hotspots"]["east"].id): "never",
    }
    overdue = next(f for f in everything["features"] if f["properties"]["state"] == "overdue")
    assert overdue["properties"]["allowed_hours"] == 24
    assert 29.9 <= overdue["properties"]["hours_since_visit"] <= 30.1
    assert overdue["properties"]["last_visited_by"] == "西巡01"

    west_only = layer(client, west_dispatcher, "hotspots")
    assert str(world["hotspots"]["east"].id) not in {f["id"] for f in west_only["features"]}


def test_hotspots_are_limited_to_the_view_and_report_truncation(client, world):
    lon, lat = IN_WEST
    view = layer(
        client,
        world["dispatcher"],
        "hotspots",
        bbox=f"{lon - 0.005},{lat - 0.005},{lon + 0.005},{lat + 0.015}",
    )
    assert {f["id"] for f in view["features"]} == {str(world["hotspots"]["fresh"].id)}
    capped = layer(client, world["dispatcher"], "hotspots", limit=2)
    assert capped["numberReturned"] == 2 and capped["truncated"] is True


def test_layers_answer_in_the_datum_asked_for(client, world):
    wgs84 = layer(client, world["dispatcher"], "hotspots")
    gcj02 = layer(client, world["dispatcher"], "hotspots", datum="gcj02")
    shifted = {f["id"]: f["geometry"]["coordinates"] for f in gcj02["features"]}
    for feature in wgs84["features"]:
        expected = [round(v, 7) for v in point_from_wgs84(Datum.gcj02, *feature["geometry"]["coordinates"])]
        assert shifted[feature["id"]] == expected


def test_a_bad_bbox_is_a_clear_422(client, world):
    response = client.get(f"{LAYERS}/hotspots", params={"bbox": "1,2,3"}, headers=world["dispatcher"].headers)
    assert response.status_code == 422
    assert "bbox" in response.json()["detail"]


def test_encounters_cluster_by_zoom_without_personal_data(client, world):
    lon, lat = IN_WEST
    for dx in (0.0, 0.0001, 0.0002, 0.05):
        body = encounter(place={"lon": lon + dx, "lat": lat}, notes="私人备注", match_hotspot=False)
        response = client.post("/api/v1/encounters", json=body, headers=world["officer"].headers)
        assert response.status_code == 201, response.text

    city_wide = layer(client, world["dispatcher"], "encounters", zoom=10)
    assert city_wide["encounters"] == 4
    assert sorted(f["properties"]["count"] for f in city_wide["features"]) == [1, 3]
    single = next(f for f in city_wide["features"] if f["properties"]["count"] == 1)
    assert single["properties"]["outcome"] == "resolved_on_site"
    assert "私人备注" not in json.dumps(city_wide, ensure_ascii=False)
    street = layer(client, world["dispatcher"], "encounters", zoom=19)
    assert [f["properties"]["count"] for f in street["features"]] == [1, 1, 1, 1]
    assert cluster_cell_deg(19) < 0.0001 < cluster_cell_deg(10)


def test_roles_the_layers_refuse(client, world, session):
    hospital = make_user(session, Role.hospital_staff, "T100")
    station = make_user(session, Role.station_staff, "T100")
    assert client.get(f"{LAYERS}/hotspots", headers=hospital.headers).status_code == 403
    assert client.get(f"{LAYERS}/hotspots", headers=station.headers).status_code == 200
    for name in ("encounters", "sweep-tasks", "handovers"):
        assert client.get(f"{LAYERS}/{name}", headers=station.headers).status_code == 403


def test_sweep_tasks_and_handovers_on_the_map(client, world, session):
    lon, lat = IN_WEST
    ring = [
        [lon - 0.02, lat - 0.02],
        [lon + 0.02, lat - 0.02],
        [lon + 0.02, lat + 0.02],
        [lon - 0.02, lat + 0.02],
        [lon - 0.02, lat - 0.02],
    ]
    ends = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
    started = client.post(
        "/api/v1/sweeps",
        json={
            "kind": "cold",
            "level": "orange",
            "area": {"type": "Polygon", "coordinates": [ring]},
            "ends_at": ends,
        },
        headers=world["dispatcher"].headers,
    )
    assert started.status_code == 201, started.text
    tasks = layer(client, world["dispatcher"], "sweep-tasks")
    assert {f["properties"]["hotspot_id"] for f in tasks["features"]} == {
        str(world["hotspots"][name].id) for name in ("never", "fresh", "overdue")
    }
    assert {f["properties"]["status"] for f in tasks["features"]} == {"pending"}

    station = make_organisation(
        session, OrganisationKind.rescue_station, "T100", at=(lon + 0.03, lat), capacity=80
    )
    handover = client.post(
        "/api/v1/handovers",
        json={"kind": "to_station", "to_organisation_id": station.id, "eta": ends},
        headers=world["officer"].headers,
    )
    assert handover.status_code == 201, handover.text
    [line] = layer(client, world["dispatcher"], "handovers")["features"]
    assert line["geometry"] == {"type": "LineString", "coordinates": [list(IN_WEST), [lon + 0.03, lat]]}
    assert line["properties"]["destination"] == station.name and line["properties"]["state"] == "requested"


def test_the_config_names_the_basemap_and_its_datum(client, gcj02_basemap):
    config = client.get("/console/config.json").json()
    assert config["datum"] == "gcj02"
    assert config["basemap"]["url"] == "http://tiles.test/{z}/{x}/{y}.png"
    page = client.get("/console")
    assert "connect-src 'self' http://tiles.test" in page.headers["content-security-policy"]


def test_without_a_basemap_the_config_is_plain_wgs84(client):
    config = client.get("/console/config.json").json()
    assert config["basemap"] is None and config["datum"] == "wgs84"
    assert "dispatcher" in config["roles"] and "officer" not in config["roles"]


@pytest.mark.parametrize(
    ("hours", "state"), [(None, "never"), (30.0, "overdue"), (20.0, "due"), (10.0, "fresh")]
)
def test_visit_state_against_a_24_hour_allowance(hours, state):
    assert visit_state(hours, 24) == state


def test_event_payloads_move_to_the_datum_asked_for():
    payload = {
        "user_id": "u",
        "lon": 120.05,
        "lat": 30.1,
        "feature": {"type": "Feature", "geometry": {"type": "Point", "coordinates": [120.05, 30.1]}},
    }
    moved = in_datum(payload, Datum.gcj02)
    expected = [round(v, 7) for v in point_from_wgs84(Datum.gcj02, 120.05, 30.1)]
    assert [moved["lon"], moved["lat"]] == expected
    assert list(moved["feature"]["geometry"]["coordinates"]) == expected
    assert in_datum(payload, Datum.wgs84) is payload


def test_the_event_stream_speaks_gcj02(server, client, world):
    """A position uploaded in WGS84 arrives on a gcj02 stream shifted."""
    sent_at = datetime.now(UTC).isoformat()
    received: list[dict] = []
    opened, arrived = threading.Event(), threading.Event()

    def listen():
        with httpx.stream(
            "GET",
            f"{server}/api/v1/events",
            params={"datum": "gcj02"},
            headers=world["dispatcher"].headers,
            timeout=20,
        ) as stream:
            opened.set()
            for line in stream.iter_lines():
                data = json.loads(line[6:]) if line.startswith("data: ") else {}
                if data.get("kind") == "position.updated" and data["recorded_at"] == sent_at:
                    received.append(data)
                    arrived.set()
                    return

    threading.Thread(target=listen, daemon=True).start()
    assert opened.wait(10)
    point = {
        "id": str(uuid.uuid4()),
        "t": sent_at,
        "lon": 120.0505,
        "lat": 30.1002,
        "datum": "wgs84",
        "accuracy_m": 5.0,
    }
    response = client.post(
        f"/api/v1/patrols/{world['shift']['id']}/track",
        json={"points": [point]},
        headers=world["officer"].headers,
    )
    assert response.status_code == 200, response.text
    assert arrived.wait(10), "no position event on the stream"
    assert [received[0]["lon"], received[0]["lat"]] == [
        round(v, 7) for v in point_from_wgs84(Datum.gcj02, 120.0505, 30.1002)
    ]


def test_a_crowded_view_comes_clustered_with_counts_per_visit_state(client, world, west_dispatcher):
    one_by_one = layer(client, world["dispatcher"], "hotspots", zoom=5, cluster_above=4)
    assert one_by_one["clustered"] is False and one_by_one["numberReturned"] == 4

    clusters = layer(client, world["dispatcher"], "hotspots", zoom=5, cluster_above=3)
    assert clusters["clustered"] is True
    assert clusters["cell_deg"] == pytest.approx(cluster_cell_deg(5))
    totals = {
        state: sum(f["properties"][state] for f in clusters["features"])
        for state in ("overdue", "never", "due", "fresh")
    }
    assert totals == {"overdue": 1, "never": 2, "due": 0, "fresh": 1}
    assert clusters["hotspots"] == sum(f["properties"]["count"] for f in clusters["features"]) == 4
    holding_overdue = next(f for f in clusters["features"] if f["properties"]["overdue"])
    assert holding_overdue["properties"]["state"] == "overdue"  # the most urgent member colours it

    west = layer(client, west_dispatcher, "hotspots", zoom=5, cluster_above=1)
    assert west["hotspots"] == 3 and sum(f["properties"]["never"] for f in west["features"]) == 1


def test_clusters_split_as_the_map_zooms_in(client, world):
    city_zoom = layer(client, world["dispatcher"], "hotspots", zoom=8, cluster_above=1)
    street_zoom = layer(client, world["dispatcher"], "hotspots", zoom=16, cluster_above=1)
    assert city_zoom["hotspots"] == street_zoom["hotspots"] == 4
    assert len(city_zoom["features"]) < len(street_zoom["features"]) == 4
    assert all(f["properties"]["count"] == 1 for f in street_zoom["features"])
