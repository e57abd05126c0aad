"""Items: bbox, paging to the end, the limit's bounds, datums, and what a hotspot feature says."""

import uuid
from datetime import UTC, datetime, timedelta

from shapely.geometry import shape

from api.auth.models import Role
from api.ogc import service
from geo.datum import Datum, point_from_wgs84
from tests.factories import IN_WEST, make_hotspot, make_team, make_user
from tests.ogc.conftest import OGC, all_items

HOTSPOTS = f"{OGC}/collections/hotspots/items"


def test_hotspots_are_active_areas_in_scope_with_their_properties(client, layers, readers):
    body = client.get(HOTSPOTS, headers=readers["dispatcher"]).json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == body["numberReturned"] == 5  # not the retired one, not the foreign city
    assert {f["id"] for f in body["features"]} == {str(h.id) for h in layers["west"] + layers["east"]}
    assert body["timeStamp"].endswith("Z") and datetime.fromisoformat(body["timeStamp"])
    feature = next(f for f in body["features"] if f["id"] == str(layers["west"][0].id))
    assert feature["properties"] == {
        "name": "西0",
        "kind": "bridge_culvert",
        "risk_level": "medium",
        "radius_m": 50.0,
        "jurisdiction": "T101",
        "last_visited_at": None,
    }
    area = shape(feature["geometry"])
    assert feature["geometry"]["type"] == "Polygon" and area.contains(
        shape({"type": "Point", "coordinates": IN_WEST})
    )
    # a 50 m circle: about 7,850 m², here in square degrees at latitude 30
    assert 6.5e-7 < area.area < 7.5e-7


def test_bbox_selects_what_it_touches(client, layers, readers):
    headers = readers["dispatcher"]
    west = client.get(HOTSPOTS, params={"bbox": "120.0,30.0,120.1,30.2"}, headers=headers).json()
    assert {f["properties"]["name"] for f in west["features"]} == {"西0", "西1", "西2"}
    assert west["numberMatched"] == 3
    # a box reaching only the edge of the 50 m circle of 西0 still finds it
    edge = client.get(HOTSPOTS, params={"bbox": "120.0504,30.0999,120.055,30.1001"}, headers=headers).json()
    assert [f["properties"]["name"] for f in edge["features"]] == ["西0"]
    with_heights = client.get(HOTSPOTS, params={"bbox": "120.0,30.0,-5,120.1,30.2,50"}, headers=headers)
    assert with_heights.json()["numberMatched"] == 3
    empty = client.get(HOTSPOTS, params={"bbox": "100,20,100.1,20.1"}, headers=headers).json()
    assert empty["features"] == [] and empty["numberMatched"] == 0


def test_paging_links_reach_every_feature_exactly_once(client, session, city, readers):
    for n in range(23):
        make_hotspot(session, 120.01 + 0.003 * n, 30.05, name=f"页{n:02}")
    headers = readers["dispatcher"]
    first = client.get(HOTSPOTS, params={"limit": 5}, headers=headers).json()
    assert first["numberMatched"] == 23 and first["numberReturned"] == 5
    features = all_items(client, HOTSPOTS, headers, limit=5)
    names = [f["properties"]["name"] for f in features]
    assert len(names) == 23 and set(names) == {f"页{n:02}" for n in range(23)}
    # and back again from the last page by `prev`
    last = client.get(HOTSPOTS, params={"limit": 5, "offset": 20}, headers=headers).json()
    assert last["numberReturned"] == 3 and not [lk for lk in last["links"] if lk["rel"] == "next"]
    seen, page = [], last
    while True:
        seen += [f["id"] for f in page["features"]]
        before = [lk["href"] for lk in page["links"] if lk["rel"] == "prev"]
        if not before:
            break
        page = client.get(before[0], headers=headers).json()
    assert sorted(seen) == sorted(f["id"] for f in features)


def test_paging_keeps_the_filters_and_the_datum(client, session, city, readers):
    for n in range(4):
        make_hotspot(session, 120.01 + 0.003 * n, 30.05)
    make_hotspot(session, 120.15, 30.05)  # outside the bbox
    params = {"limit": 2, "bbox": "120.0,30.0,120.1,30.2", "datum": "gcj02"}
    features = all_items(client, HOTSPOTS, readers["dispatcher"], **params)
    assert len(features) == 4
    assert all(f["geometry"]["coordinates"][0][0][0] > 120.01 for f in features)


def test_a_page_past_the_end_is_empty_but_counted(client, layers, readers):
    body = client.get(HOTSPOTS, params={"offset": 50}, headers=readers["dispatcher"]).json()
    assert body["features"] == [] and body["numberMatched"] == 5 and body["numberReturned"] == 0
    assert [link["rel"] for link in body["links"] if link["rel"] in ("next", "prev")] == ["prev"]


def test_a_limit_above_the_maximum_is_served_as_the_maximum(client, layers, readers, monkeypatch):
    spec = client.get("/openapi.json").json()["paths"][f"{OGC}/collections/{{collectionId}}/items"]
    limit = next(p for p in spec["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["minimum"] == 1 and limit["schema"]["maximum"] == service.MAX_LIMIT
    monkeypatch.setattr(service, "MAX_LIMIT", 2)  # the server runs in this process
    body = client.get(HOTSPOTS, params={"limit": 1_000_000}, headers=readers["dispatcher"]).json()
    assert body["numberReturned"] == 2 and body["numberMatched"] == 5
    following = next(link["href"] for link in body["links"] if link["rel"] == "next")
    assert "limit=2" in following and "offset=2" in following


def test_datum_moves_every_coordinate(client, layers, readers):
    headers = readers["dispatcher"]
    organisations = f"{OGC}/collections/organisations/items"
    wgs = client.get(organisations, headers=headers).json()["features"]
    gcj = client.get(organisations, params={"datum": "gcj02"}, headers=headers).json()["features"]
    assert [f["id"] for f in wgs] == [f["id"] for f in gcj]
    for plain, moved in zip(wgs, gcj, strict=True):
        expected = point_from_wgs84(Datum.gcj02, *plain["geometry"]["coordinates"])
        assert moved["geometry"]["coordinates"] == [round(expected[0], 7), round(expected[1], 7)]
    one = client.get(f"{organisations}/{wgs[0]['id']}", params={"datum": "bd09"}, headers=headers).json()
    assert one["geometry"]["coordinates"][0] > gcj[0]["geometry"]["coordinates"][0]  # BD-09 lies further east
    # a bbox in GCJ-02 finds what lies inside it in GCJ-02
    lon, lat = gcj[0]["geometry"]["coordinates"]
    near = client.get(
        organisations,
        params={"datum": "gcj02", "bbox": f"{lon - 0.0001},{lat - 0.0001},{lon + 0.0001},{lat + 0.0001}"},
        headers=headers,
    ).json()
    assert [f["id"] for f in near["features"]] == [gcj[0]["id"]]


def test_last_visit_comes_from_patrol_check_ins(client, session, layers, readers):
    officer = make_user(session, Role.officer, "T101")
    team = make_team(session, "T101", officer)
    started = datetime.now(UTC) - timedelta(hours=2)
    shift = client.post(
        "/api/v1/patrols",
        json={"team_id": str(team.id), "started_at": started.isoformat()},
        headers=officer.headers,
    ).json()
    hotspot = layers["west"][1]
    at = datetime.now(UTC) - timedelta(minutes=30)
    checkin = client.post(
        f"/api/v1/patrols/{shift['id']}/checkins",
        json={
            "id": str(uuid.uuid4()),
            "hotspot_id": str(hotspot.id),
            "at": at.isoformat(),
            "note": "桥洞无人",
        },
        headers=officer.headers,
    )
    assert checkin.status_code == 201, checkin.text
    one = client.get(f"{HOTSPOTS}/{hotspot.id}", headers=readers["dispatcher"]).json()
    assert abs(datetime.fromisoformat(one["properties"]["last_visited_at"]) - at) < timedelta(seconds=1)
    assert "桥洞无人" not in str(one)  # the visit's note stays with the patrol record


def test_jurisdiction_features_name_their_parent(client, layers, readers):
    features = all_items(client, f"{OGC}/collections/jurisdictions/items", readers["dispatcher"])
    assert {f["id"]: f["properties"]["parent"] for f in features} == {
        "T100": None,
        "T101": "T100",
        "T102": "T100",
    }
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in features)
    level = {f["id"]: f["properties"]["level"] for f in features}
    assert level == {"T100": "city", "T101": "district", "T102": "district"}
