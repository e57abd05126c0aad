"""Conversion between the three coordinate datums phones and Chinese map SDKs use.

* ``wgs84``: raw GPS, and what the database stores (EPSG:4326).
* ``gcj02``: the obfuscated datum mandated for maps published in mainland China
  (AMap/Gaode, Tencent, most phone map libraries). It shifts points by 100-700 m.
* ``bd09``: Baidu's further offset on top of GCJ-02.

The forward transform WGS84 -> GCJ-02 is the widely published one (Krasovsky 1940
ellipsoid with polynomial-and-sine offsets). There is no closed-form inverse, so the
inverse is solved by fixed-point iteration until the forward transform of the answer lands
within a millimetre of the input; that keeps round trips far below the 1 m the system
promises. Outside mainland China GCJ-02 and BD-09 are defined as WGS84, so every transform
is the identity there.

All functions take scalars or NumPy arrays (vectorised), so a 5,000-point track batch is
converted in one call.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

_A = 6378245.0  # Krasovsky 1940 semi-major axis, metres
_EE = 0.00669342162296594323  # Krasovsky 1940 first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0

# Rough bounding box of mainland China used by the published transform to decide where the
# offset applies. Outside it the Chinese datums coincide with WGS84.
CHINA_BBOX = (72.004, 0.8293, 137.8347, 55.8271)

_INVERSE_TOLERANCE_DEG = 1e-9  # about 0.1 mm
_INVERSE_MAX_ITERATIONS = 30


class Datum(StrEnum):
    wgs84 = "wgs84"
    gcj02 = "gcj02"
    bd09 = "bd09"


Coords = tuple[NDArray[np.float64], NDArray[np.float64]]


def in_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """True where the Chinese datums differ from WGS84."""
    lon_arr, lat_arr = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    min_lon, min_lat, max_lon, max_lat = CHINA_BBOX
    return (lon_arr >= min_lon) & (lon_arr <= max_lon) & (lat_arr >= min_lat) & (lat_arr <= max_lat)


def _offset_lat(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _offset_lon(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> Coords:
    return np.array(lon, dtype=float, ndmin=1), np.array(lat, dtype=float, ndmin=1)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    lon_arr, lat_arr = _as_arrays(lon, lat)
    x, y = lon_arr - 105.0, lat_arr - 35.0
    rad_lat = lat_arr / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (_offset_lat(x, y) * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (_offset_lon(x, y) * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    inside = in_china(lon_arr, lat_arr)
    return np.where(inside, lon_arr + d_lon, lon_arr), np.where(inside, lat_arr + d_lat, lat_arr)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Coords:
    x, y = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    inside = in_china(x, y)
    return (
        np.where(inside, z * np.cos(theta) + 0.0065, x),
        np.where(inside, z * np.sin(theta) + 0.006, y),
    )


def _invert(forward, lon: ArrayLike, lat: ArrayLike) -> Coords:
    """Solve forward(answer) == (lon, lat) by fixed-point iteration."""
    target_lon, target_lat = _as_arrays(lon, lat)
    guess_lon, guess_lat = target_lon.copy(), target_lat.copy()
    for _ in range(_INVERSE_MAX_ITERATIONS):
        fwd_lon, fwd_lat = forward(guess_lon, guess_lat)
        err_lon, err_lat = fwd_lon - target_lon, fwd_lat - target_lat
        guess_lon -= err_lon
        guess_lat -= err_lat
        if max(np.max(np.abs(err_lon)), np.max(np.abs(err_lat))) < _INVERSE_TOLERANCE_DEG:
            break
    return guess_lon, guess_lat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Coords:
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    return _invert(gcj02_to_bd09, lon, lat)


def to_wgs84(datum: Datum, lon: ArrayLike, lat: ArrayLike) -> Coords:
    """Convert coordinates given in ``datum`` to WGS84."""
    if datum is Datum.gcj02:
        return gcj02_to_wgs84(lon, lat)
    if datum is Datum.bd09:
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    return _as_arrays(lon, lat)


def from_wgs84(datum: Datum, lon: ArrayLike, lat: ArrayLike) -> Coords:
    """Convert WGS84 coordinates to ``datum``."""
    if datum is Datum.gcj02:
        return wgs84_to_gcj02(lon, lat)
    if datum is Datum.bd09:
        return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    return _as_arrays(lon, lat)


def point_to_wgs84(datum: Datum, lon: float, lat: float) -> tuple[float, float]:
    out_lon, out_lat = to_wgs84(datum, lon, lat)
    return float(out_lon[0]), float(out_lat[0])


def point_from_wgs84(datum: Datum, lon: float, lat: float) -> tuple[float, float]:
    out_lon, out_lat = from_wgs84(datum, lon, lat)
    return float(out_lon[0]), float(out_lat[0])
