import pytest

from geo.datum import Datum, point_from_wgs84
from geo.distance import metres_between
from tests.factories import (
    IN_EAST,
    IN_FOREIGN,
    IN_WEST,
    NOWHERE,
    point_feature,
    polygon_feature,
    square_ring,
)

URL = "/api/v1/hotspots"


def create(client, account, feature, **params):
    return client.post(URL, json=feature, headers=account.headers, params=params)


def test_create_point_hotspot_and_read_it_back(client, dispatcher):
    response = create(
        client,
        dispatcher,
        point_feature(*IN_WEST, radius_m=80, kind="underpass", risk_level="high", notes="避雨处"),
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["type"] == "Feature"
    assert created["geometry"] == {"type": "Point", "coordinates": list(IN_WEST)}
    props = created["properties"]
    assert props["jurisdiction"] == "T101", "the most specific jurisdiction covering the point"
    assert (props["kind"], props["risk_level"], props["radius_m"], props["version"]) == (
        "underpass",
        "high",
        80,
        1,
    )
    fetched = client.get(f"{URL}/{created['id']}", headers=dispatcher.headers).json()
    assert fetched == created


def test_polygon_hotspot_keeps_its_ring(client, dispatcher):
    ring = square_ring(*IN_EAST)
    response = create(client, dispatcher, polygon_feature(ring))
    assert response.status_code == 201, response.text
    assert response.json()["geometry"]["coordinates"] == [ring]
    assert response.json()["properties"]["radius_m"] is None


def test_gcj02_input_is_stored_as_wgs84_and_read_back_in_either_datum(client, dispatcher, session):
    gcj = point_from_wgs84(Datum.gcj02, *IN_WEST)
    response = create(client, dispatcher, point_feature(*gcj), datum="gcj02")
    assert response.status_code == 201, response.text
    assert metres_between(*response.json()["geometry"]["coordinates"], *gcj) < 0.05
    hotspot_id = response.json()["id"]
    stored = client.get(f"{URL}/{hotspot_id}", headers=dispatcher.headers).json()
    assert metres_between(*stored["geometry"]["coordinates"], *IN_WEST) < 0.05
    assert metres_between(*IN_WEST, *gcj) > 100, "GCJ-02 really is offset here"
    as_bd = client.get(f"{URL}/{hotspot_id}", params={"datum": "bd09"}, headers=dispatcher.headers).json()
    assert metres_between(*as_bd["geometry"]["coordinates"], *point_from_wgs84(Datum.bd09, *IN_WEST)) < 0.05


def test_list_filters_and_near_sorts_by_distance(client, dispatcher):
    lon, lat = IN_WEST
    near_one = create(client, dispatcher, point_feature(lon + 0.001, lat, kind="underpass")).json()
    far_one = create(
        client, dispatcher, point_feature(lon + 0.005, lat, kind="underpass", risk_level="high")
    ).json()
    create(client, dispatcher, point_feature(*IN_EAST, kind="park"))

    nearby = client.get(
        URL, params={"near": f"{lon},{lat}", "radius": 1000}, headers=dispatcher.headers
    ).json()
    assert [f["id"] for f in nearby["features"]] == [near_one["id"], far_one["id"]]
    distances = [f["properties"]["distance_m"] for f in nearby["features"]]
    assert 40 < distances[0] < 60 and 420 < distances[1] < 460, "metres to the edge of a 50 m circle"

    def ids(**params):
        body = client.get(URL, params=params, headers=dispatcher.headers).json()
        assert body["numberReturned"] == len(body["features"])
        return {f["id"] for f in body["features"]}

    assert ids(kind="underpass") == {near_one["id"], far_one["id"]}
    assert ids(risk="high") == {far_one["id"]}
    assert len(ids(jurisdiction="T102")) == 1
    assert ids(bbox=f"{lon},{lat - 0.01},{lon + 0.003},{lat + 0.01}") == {near_one["id"]}
    page = client.get(URL, params={"limit": 2, "offset": 2}, headers=dispatcher.headers).json()
    assert page["numberMatched"] == 3 and page["numberReturned"] == 1


def test_patch_updates_and_detects_conflicting_edits(client, dispatcher):
    created = create(client, dispatcher, point_feature(*IN_WEST)).json()
    url = f"{URL}/{created['id']}"
    ok = client.patch(
        url, json={"properties": {"risk_level": "critical", "version": 1}}, headers=dispatcher.headers
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["properties"]["risk_level"] == "critical"
    assert ok.json()["properties"]["version"] == 2
    stale = client.patch(
        url, json={"properties": {"notes": "late edit", "version": 1}}, headers=dispatcher.headers
    )
    assert stale.status_code == 409
    assert client.get(url, headers=dispatcher.headers).json()["properties"]["notes"] is None


def test_patch_to_polygon_drops_the_radius_and_moves_jurisdiction(client, dispatcher):
    created = create(client, dispatcher, point_feature(*IN_WEST)).json()
    moved = client.patch(
        f"{URL}/{created['id']}",
        json={"geometry": {"type": "Polygon", "coordinates": [square_ring(*IN_EAST)]}},
        headers=dispatcher.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["properties"]["radius_m"] is None
    assert moved.json()["properties"]["jurisdiction"] == "T102"


def test_retire_keeps_history_and_leaves_lists(client, dispatcher):
    created = create(client, dispatcher, point_feature(*IN_WEST)).json()
    url = f"{URL}/{created['id']}"
    client.patch(url, json={"properties": {"notes": "改造中"}}, headers=dispatcher.headers)
    retired = client.post(f"{url}/retire", json={"reason": "桥洞封闭"}, headers=dispatcher.headers)
    assert retired.status_code == 200
    assert retired.json()["properties"]["retired_reason"] == "桥洞封闭"
    assert client.get(URL, headers=dispatcher.headers).json()["numberMatched"] == 0
    with_retired = client.get(URL, params={"include_retired": True}, headers=dispatcher.headers).json()
    assert with_retired["numberMatched"] == 1
    history = client.get(f"{url}/history", headers=dispatcher.headers).json()
    assert [(h["version"], h["action"]) for h in history] == [(1, "create"), (2, "update"), (3, "retire")]
    assert history[1]["snapshot"]["properties"]["notes"] == "改造中"
    assert (
        client.post(f"{url}/retire", json={"reason": "again"}, headers=dispatcher.headers).status_code == 409
    )
    assert (
        client.patch(url, json={"properties": {"notes": "x"}}, headers=dispatcher.headers).status_code == 409
    )


def test_a_district_user_sees_and_writes_only_their_district(client, dispatcher, west_dispatcher, count_rows):
    east = create(client, dispatcher, point_feature(*IN_EAST)).json()
    west = create(client, west_dispatcher, point_feature(*IN_WEST)).json()
    listed = client.get(URL, headers=west_dispatcher.headers).json()
    assert [f["id"] for f in listed["features"]] == [west["id"]]
    assert client.get(f"{URL}/{east['id']}", headers=west_dispatcher.headers).status_code == 404
    assert (
        client.patch(
            f"{URL}/{east['id']}", json={"properties": {"notes": "x"}}, headers=west_dispatcher.headers
        ).status_code
        == 404
    )
    assert (
        client.get(URL, params={"jurisdiction": "T102"}, headers=west_dispatcher.headers).status_code == 404
    )

    foreign = create(client, west_dispatcher, point_feature(*IN_EAST))
    assert foreign.status_code == 403
    assert "outside your jurisdiction T101" in foreign.json()["detail"]
    named = create(client, west_dispatcher, point_feature(*IN_WEST, jurisdiction="X200"))
    assert named.status_code == 403
    moved_out = client.patch(
        f"{URL}/{west['id']}",
        json={"geometry": {"type": "Point", "coordinates": list(IN_FOREIGN)}},
        headers=west_dispatcher.headers,
    )
    assert moved_out.status_code == 403
    assert count_rows("hotspots") == 2
    assert (
        client.get(f"{URL}/{west['id']}", headers=west_dispatcher.headers).json()["properties"]["version"]
        == 1
    )


def test_a_place_no_jurisdiction_covers_needs_one_named(client, dispatcher, count_rows):
    response = create(client, dispatcher, point_feature(*NOWHERE))
    assert response.status_code == 422
    assert "no jurisdiction covers this place" in response.json()["detail"]
    assert count_rows("hotspots") == 0
    named = create(client, dispatcher, point_feature(*NOWHERE, jurisdiction="T101"))
    assert named.status_code == 201


@pytest.mark.parametrize("case", ["duplicate-id"])
def test_creating_an_existing_id_conflicts(client, dispatcher, case):
    feature = point_feature(*IN_WEST)
    first = create(client, dispatcher, feature).json()
    again = create(client, dispatcher, {**feature, "id": first["id"]})
    assert again.status_code == 409
