import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.datum import (
    Datum,
    bd09_to_gcj02,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    point_from_wgs84,
    point_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)
from geo.distance import metres_between

# Published reference pairs for the WGS84 -> GCJ-02 transform: (lon, lat) -> (lon, lat).
GCJ_REFERENCE = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
]
BD_REFERENCE_FROM_GCJ = [((116.404, 39.915), (116.41036949371029, 39.92133699351021))]

china_lon = st.floats(min_value=75.0, max_value=134.0)
china_lat = st.floats(min_value=18.0, max_value=53.0)


@pytest.mark.parametrize(("wgs", "gcj"), GCJ_REFERENCE)
def test_wgs84_to_gcj02_matches_published_values(wgs, gcj):
    lon, lat = wgs84_to_gcj02(*wgs)
    assert metres_between(float(lon[0]), float(lat[0]), *gcj) < 0.05


@pytest.mark.parametrize(("gcj", "bd"), BD_REFERENCE_FROM_GCJ)
def test_gcj02_to_bd09_matches_published_values(gcj, bd):
    lon, lat = gcj02_to_bd09(*gcj)
    assert metres_between(float(lon[0]), float(lat[0]), *bd) < 0.05


@settings(max_examples=300, deadline=None)
@given(lon=china_lon, lat=china_lat, datum=st.sampled_from([Datum.gcj02, Datum.bd09]))
def test_round_trip_inside_china_is_under_a_centimetre(lon, lat, datum):
    there = point_from_wgs84(datum, lon, lat)
    back = point_to_wgs84(datum, *there)
    assert metres_between(lon, lat, *back) < 0.01


@settings(max_examples=200, deadline=None)
@given(lon=china_lon, lat=china_lat)
def test_gcj02_offset_inside_china_is_tens_to_hundreds_of_metres(lon, lat):
    shifted = point_from_wgs84(Datum.gcj02, lon, lat)
    assert 10 < metres_between(lon, lat, *shifted) < 1000


@pytest.mark.parametrize(
    "place", [(-0.1276, 51.5072), (-74.006, 40.7128), (139.69, 35.69), (151.2, -33.87), (0.0, 0.0)]
)
@pytest.mark.parametrize("datum", list(Datum))
def test_identity_outside_china(place, datum):
    assert point_from_wgs84(datum, *place) == place
    assert point_to_wgs84(datum, *place) == place


def test_vectorised_conversion_matches_scalar():
    lons = np.array([113.0, 116.4, 121.5, -0.1])
    lats = np.array([28.2, 39.9, 31.2, 51.5])
    vec_lon, vec_lat = from_wgs84(Datum.bd09, lons, lats)
    for i in range(len(lons)):
        assert (vec_lon[i], vec_lat[i]) == pytest.approx(point_from_wgs84(Datum.bd09, lons[i], lats[i]))
    back_lon, back_lat = to_wgs84(Datum.bd09, vec_lon, vec_lat)
    assert np.allclose(back_lon, lons, atol=1e-7) and np.allclose(back_lat, lats, atol=1e-7)


def test_inverses_are_consistent():
    lon, lat = 113.0, 28.2
    gcj = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    bd = bd09_to_gcj02(*gcj02_to_bd09(lon, lat))
    assert float(gcj[0][0]) == pytest.approx(lon, abs=1e-8)
    assert float(bd[1][0]) == pytest.approx(lat, abs=1e-8)
