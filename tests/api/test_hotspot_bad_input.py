"""Every kind of bad input gets a specific 4xx problem and writes nothing."""

import json

import pytest

from tests.factories import IN_WEST, point_feature, polygon_feature, square_ring

URL = "/api/v1/hotspots"
LON, LAT = IN_WEST
BOWTIE = [[LON, LAT], [LON + 0.01, LAT + 0.01], [LON + 0.01, LAT], [LON, LAT + 0.01], [LON, LAT]]
UNCLOSED = [*square_ring(LON, LAT)[:-1], [LON + 0.0005, LAT]]


def with_geometry(geometry):
    return {**point_feature(LON, LAT), "geometry": geometry}


BAD_BODIES = {
    "latitude out of range": (
        with_geometry({"type": "Point", "coordinates": [LON, 95.0]}),
        "latitude 95.0 is outside -90..90",
    ),
    "longitude out of range": (
        with_geometry({"type": "Point", "coordinates": [-181.0, LAT]}),
        "longitude -181.0 is outside -180..180",
    ),
    "self-intersecting polygon": (polygon_feature(BOWTIE), "Self-intersection"),
    "unclosed polygon": (polygon_feature(UNCLOSED), "polygon ring is not closed"),
    "polygon ring too short": (polygon_feature([[LON, LAT], [LON + 0.01, LAT], [LON, LAT]]), "at least 4"),
    "line instead of point": (
        with_geometry({"type": "LineString", "coordinates": [[LON, LAT], [LON, LAT + 1]]}),
        "geometry",
    ),
    "point without radius": (point_feature(LON, LAT, radius_m=None), "needs properties.radius_m"),
    "polygon with radius": (polygon_feature(square_ring(LON, LAT), radius_m=30), "takes no radius_m"),
    "radius too large": (point_feature(LON, LAT, radius_m=50_000), "radius_m"),
    "radius is text": (point_feature(LON, LAT, radius_m="wide"), "radius_m"),
    "unknown kind": (point_feature(LON, LAT, kind="castle"), "kind"),
    "unknown risk": (point_feature(LON, LAT, risk_level="extreme"), "risk_level"),
    "name missing": ({**point_feature(LON, LAT), "properties": {"kind": "park", "radius_m": 5}}, "name"),
    "not a feature": ({"type": "FeatureCollection", "features": []}, "type"),
    "coordinates are strings": (
        with_geometry({"type": "Point", "coordinates": ["120.05", "30.1"]}),
        "geometry",
    ),
    "unknown jurisdiction": (point_feature(LON, LAT, jurisdiction="ZZ999"), "unknown jurisdiction 'ZZ999'"),
    "too many vertices": (
        polygon_feature([[LON + i * 1e-7, LAT] for i in range(10_050)] + [[LON, LAT + 0.01], [LON, LAT]]),
        "the limit is 10000",
    ),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_hotspot_bodies_are_refused_with_a_specific_422(client, dispatcher, count_rows, case):
    body, expected = BAD_BODIES[case]
    response = client.post(URL, json=body, headers=dispatcher.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Invalid input"
    assert expected in json.dumps(problem, ensure_ascii=False)
    assert count_rows("hotspots") == 0 and count_rows("hotspot_revisions") == 0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_coordinates_are_refused(client, dispatcher, count_rows, literal):
    raw = json.dumps(point_feature(LON, LAT)).replace(f"[{LON}, {LAT}]", f"[{literal}, {LAT}]")
    assert literal in raw
    response = client.post(
        URL, content=raw, headers={**dispatcher.headers, "content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert count_rows("hotspots") == 0


def test_malformed_json_is_a_422(client, dispatcher, count_rows):
    response = client.post(
        URL,
        content=b'{"type": "Feature", ',
        headers={**dispatcher.headers, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert count_rows("hotspots") == 0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"datum": "osgb36"}, "datum"),
        ({"near": "120.05"}, "near needs 2 comma-separated numbers"),
        ({"near": "120.05,north"}, "near needs numbers"),
        ({"near": "120.05,91"}, "latitude 91.0 is outside"),
        ({"near": "120.05,30.1", "radius": -5}, "radius"),
        ({"bbox": "120.2,30.0,120.0,30.2"}, "min < max"),
        ({"bbox": "1,2,3"}, "bbox needs 4"),
        ({"kind": "castle"}, "kind"),
        ({"limit": 0}, "limit"),
        ({"limit": 5000}, "limit"),
        ({"jurisdiction": "bad code!"}, "jurisdiction"),
    ],
)
def test_bad_list_parameters(client, dispatcher, params, expected):
    response = client.get(URL, params=params, headers=dispatcher.headers)
    assert response.status_code == 422, response.text
    assert expected in response.json()["detail"]


def test_unknown_datum_on_write_changes_nothing(client, dispatcher, count_rows):
    response = client.post(
        URL, json=point_feature(LON, LAT), params={"datum": "beijing54"}, headers=dispatcher.headers
    )
    assert response.status_code == 422
    assert "datum" in response.json()["detail"]
    assert count_rows("hotspots") == 0


def test_malformed_and_unknown_ids_are_404(client, dispatcher):
    assert client.get(f"{URL}/not-a-uuid", headers=dispatcher.headers).status_code == 404
    missing = client.get(f"{URL}/00000000-0000-0000-0000-000000000000", headers=dispatcher.headers)
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_a_wrong_method_is_405_naming_every_allowed_one(client, dispatcher):
    response = client.put(URL, json={}, headers=dispatcher.headers)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}
