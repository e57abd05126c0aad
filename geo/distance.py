"""Distances in metres on the WGS84 ellipsoid (never degrees treated as metres)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod

WGS84_GEOD = Geod(ellps="WGS84")


def metres_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in metres between two WGS84 points."""
    _, _, dist = WGS84_GEOD.inv(lon1, lat1, lon2, lat2)
    return float(dist)


def metres_between_many(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> NDArray[np.float64]:
    """Element-wise geodesic distances in metres (vectorised)."""
    _, _, dist = WGS84_GEOD.inv(
        np.asarray(lon1, float),
        np.asarray(lat1, float),
        np.asarray(lon2, float),
        np.asarray(lat2, float),
    )
    return np.asarray(dist, dtype=float)


def path_length_m(lons: ArrayLike, lats: ArrayLike) -> float:
    """Length in metres of a path through the given WGS84 vertices."""
    lon_arr, lat_arr = np.asarray(lons, float), np.asarray(lats, float)
    if lon_arr.size < 2:
        return 0.0
    return float(metres_between_many(lon_arr[:-1], lat_arr[:-1], lon_arr[1:], lat_arr[1:]).sum())
