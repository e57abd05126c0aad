"""A fixed grid of equal-area square cells for counting events without pinpointing them.

Cells are squares of ``size_m`` metres in EASE-Grid 2.0 Global (EPSG:6933), a cylindrical
equal-area projection: every cell covers the same ground area wherever it lies, and because
the projection is cylindrical each cell is a plain longitude/latitude rectangle in WGS84.
Cell ``(i, j)`` spans ``[i * size, (i + 1) * size) x [j * size, (j + 1) * size)`` in projected
metres, the same numbering as PostGIS ``ST_SquareGrid`` and ``ST_Square`` with origin (0, 0).
The grid never moves, so counts from different requests always refer to the same cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pyproj import Transformer

EQUAL_AREA_SRID = 6933
_TO_GRID = Transformer.from_crs("EPSG:4326", f"EPSG:{EQUAL_AREA_SRID}", always_xy=True)
_FROM_GRID = Transformer.from_crs(f"EPSG:{EQUAL_AREA_SRID}", "EPSG:4326", always_xy=True)
# EASE-Grid 2.0 Global is defined between these latitudes.
MAX_LATITUDE = 85.0445664


@dataclass(frozen=True)
class CellRange:
    """The cells ``i_min..i_max`` by ``j_min..j_max`` (inclusive) and, in WGS84, the
    rectangle they cover together."""

    i_min: int
    j_min: int
    i_max: int
    j_max: int
    bounds_wgs84: tuple[float, float, float, float]


def cells_covering(bounds_wgs84: tuple[float, float, float, float], size_m: float) -> CellRange:
    """Every cell that shares area with a WGS84 rectangle (minlon, minlat, maxlon, maxlat)."""
    min_lon, min_lat, max_lon, max_lat = bounds_wgs84
    min_lat, max_lat = max(min_lat, -MAX_LATITUDE), min(max_lat, MAX_LATITUDE)
    x_min, y_min = _TO_GRID.transform(min_lon, min_lat)
    x_max, y_max = _TO_GRID.transform(max_lon, max_lat)
    i_min, j_min = math.floor(x_min / size_m), math.floor(y_min / size_m)
    i_max = max(i_min, math.ceil(x_max / size_m) - 1)
    j_max = max(j_min, math.ceil(y_max / size_m) - 1)
    return CellRange(i_min, j_min, i_max, j_max, _rectangle(i_min, j_min, i_max + 1, j_max + 1, size_m))


def cell_bounds(i: int, j: int, size_m: float) -> tuple[float, float, float, float]:
    """One cell as a WGS84 rectangle (minlon, minlat, maxlon, maxlat)."""
    return _rectangle(i, j, i + 1, j + 1, size_m)


def _rectangle(i0: int, j0: int, i1: int, j1: int, size_m: float) -> tuple[float, float, float, float]:
    min_lon, min_lat = _FROM_GRID.transform(i0 * size_m, j0 * size_m)
    max_lon, max_lat = _FROM_GRID.transform(i1 * size_m, j1 * size_m)
    return (min_lon, min_lat, max_lon, max_lat)
