import math

import pytest

from geo.distance import metres_between, path_length_m
from geo.validate import GeometryError, check_position, parse_geometry

SQUARE = [[120.0, 30.0], [120.01, 30.0], [120.01, 30.01], [120.0, 30.01], [120.0, 30.0]]


def polygon(*rings):
    return {"type": "Polygon", "coordinates": list(rings)}


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [
        (181.0, 30.0, "longitude 181.0 is outside -180..180"),
        (120.0, -90.5, "latitude -90.5 is outside -90..90"),
        (math.nan, 30.0, "longitude must be a finite number"),
        (120.0, math.inf, "latitude must be a finite number"),
        ("120", 30.0, "longitude must be a number"),
        (True, 30.0, "longitude must be a number"),
    ],
)
def test_bad_positions_are_named(lon, lat, message):
    with pytest.raises(GeometryError, match=message):
        check_position(lon, lat)


def test_valid_polygon_parses():
    geometry = parse_geometry(polygon(SQUARE), allowed_types=["Polygon"])
    assert geometry.area > 0


def test_unclosed_ring_is_rejected():
    with pytest.raises(GeometryError, match=r"coordinates\[0\]: polygon ring is not closed"):
        parse_geometry(polygon([*SQUARE[:-1], [120.0, 30.005]]), allowed_types=["Polygon"])


def test_short_ring_is_rejected():
    with pytest.raises(GeometryError, match="at least 4 positions"):
        parse_geometry(polygon([[120.0, 30.0], [120.01, 30.0], [120.0, 30.0]]), allowed_types=["Polygon"])


def test_self_intersection_is_explained():
    bowtie = [[120.0, 30.0], [120.01, 30.01], [120.01, 30.0], [120.0, 30.01], [120.0, 30.0]]
    with pytest.raises(GeometryError, match="Self-intersection"):
        parse_geometry(polygon(bowtie), allowed_types=["Polygon"])


def test_vertex_limit():
    ring = [[120.0 + i * 1e-5, 30.0] for i in range(20)] + [[120.0, 30.01], [120.0, 30.0]]
    with pytest.raises(GeometryError, match="22 vertices; the limit is 10"):
        parse_geometry(polygon(ring), allowed_types=["Polygon"], max_vertices=10)


def test_wrong_type_is_rejected():
    with pytest.raises(GeometryError, match="must be one of Point"):
        parse_geometry({"type": "LineString", "coordinates": SQUARE}, allowed_types=["Point"])


def test_out_of_range_vertex_names_its_index():
    ring = [*SQUARE[:2], [120.01, 95.0], *SQUARE[3:]]
    with pytest.raises(GeometryError, match=r"coordinates\[0\]\[2\]: latitude 95.0"):
        parse_geometry(polygon(ring), allowed_types=["Polygon"])


def test_distances_are_metres_on_the_ellipsoid():
    # One degree of latitude is about 110.6 km at the equator and 111.7 km near the poles.
    assert metres_between(0, 0, 0, 1) == pytest.approx(110_574, rel=1e-3)
    assert path_length_m([120.0, 120.0, 120.0], [30.0, 30.001, 30.002]) == pytest.approx(221.7, rel=1e-2)
