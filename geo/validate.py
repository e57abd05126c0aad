"""Validation of incoming coordinates and GeoJSON geometries, with messages a person can act on.

Every check names what is wrong and where (ring and vertex index, coordinate value), so an
API can hand the message straight to the caller.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

DEFAULT_MAX_VERTICES = 10_000


class GeometryError(ValueError):
    """A coordinate or geometry that cannot be accepted; ``str()`` is the user-facing reason."""


def check_position(lon: Any, lat: Any, *, where: str = "position") -> tuple[float, float]:
    """Return (lon, lat) as floats or raise GeometryError naming the bad value."""
    for axis, value in (("longitude", lon), ("latitude", lat)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise GeometryError(f"{where}: {axis} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise GeometryError(f"{where}: {axis} must be a finite number, got {value!r}")
    if not -180.0 <= lon <= 180.0:
        raise GeometryError(f"{where}: longitude {lon} is outside -180..180")
    if not -90.0 <= lat <= 90.0:
        raise GeometryError(f"{where}: latitude {lat} is outside -90..90")
    return float(lon), float(lat)


def _check_positions(positions: Any, where: str) -> int:
    if not isinstance(positions, Sequence) or isinstance(positions, str):
        raise GeometryError(f"{where}: expected an array of positions")
    for index, position in enumerate(positions):
        if not isinstance(position, Sequence) or len(position) < 2:
            raise GeometryError(f"{where}[{index}]: a position is [longitude, latitude]")
        check_position(position[0], position[1], where=f"{where}[{index}]")
    return len(positions)


def _check_ring(ring: Any, where: str) -> int:
    count = _check_positions(ring, where)
    if count < 4:
        raise GeometryError(f"{where}: a polygon ring needs at least 4 positions, got {count}")
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise GeometryError(
            f"{where}: polygon ring is not closed (first position {list(ring[0][:2])} "
            f"differs from last {list(ring[-1][:2])})"
        )
    return count


def _check_polygon(rings: Any, where: str) -> int:
    if not isinstance(rings, Sequence) or not rings:
        raise GeometryError(f"{where}: a polygon needs at least one ring")
    return sum(_check_ring(ring, f"{where}[{i}]") for i, ring in enumerate(rings))


def check_coordinates(geom_type: str, coords: Any) -> int:
    """Check every position of a GeoJSON coordinates array; return the number of vertices."""
    if geom_type == "Point":
        _check_positions([coords], "coordinates")
        return 1
    if geom_type in ("LineString", "MultiPoint"):
        return _check_positions(coords, "coordinates")
    if geom_type == "MultiLineString":
        return sum(_check_positions(line, f"coordinates[{i}]") for i, line in enumerate(coords))
    if geom_type == "Polygon":
        return _check_polygon(coords, "coordinates")
    if geom_type == "MultiPolygon":
        return sum(_check_polygon(poly, f"coordinates[{i}]") for i, poly in enumerate(coords))
    raise GeometryError(f"unsupported geometry type {geom_type!r}")


def parse_geometry(
    geojson: dict[str, Any],
    *,
    allowed_types: Iterable[str],
    max_vertices: int = DEFAULT_MAX_VERTICES,
) -> BaseGeometry:
    """Check a GeoJSON geometry object and return it as a shapely geometry.

    Raises GeometryError for a wrong type, non-finite or out-of-range coordinates, unclosed
    or too-short rings, too many vertices, or an invalid (e.g. self-intersecting) shape.
    """
    allowed = tuple(allowed_types)
    geom_type = geojson.get("type") if isinstance(geojson, dict) else None
    if geom_type not in allowed:
        raise GeometryError(f"geometry type must be one of {', '.join(allowed)}, got {geom_type!r}")
    coords = geojson.get("coordinates")
    if coords is None:
        raise GeometryError("geometry has no coordinates")
    vertices = check_coordinates(geom_type, coords)
    if vertices > max_vertices:
        raise GeometryError(f"geometry has {vertices} vertices; the limit is {max_vertices}")
    geometry = shape(geojson)
    check_valid(geometry)
    return geometry


def check_valid(geometry: BaseGeometry) -> None:
    """Raise GeometryError when shapely finds the shape invalid (self-intersection, ...)."""
    if geometry.is_empty:
        raise GeometryError("geometry is empty")
    if not shapely.is_valid(geometry):
        raise GeometryError(f"invalid geometry: {explain_validity(geometry)}")
