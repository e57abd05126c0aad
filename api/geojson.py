"""GeoJSON helpers shared by the domain routers: datum query parameter, bbox and near parsing,
incoming geometry conversion to WGS84 and outgoing geometry rendering."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from geoalchemy2.shape import from_shape, to_shape
from pydantic import BaseModel, Field, StrictFloat
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from api.errors import invalid
from api.settings import get_settings
from geo.datum import Datum, point_from_wgs84, point_to_wgs84
from geo.shapes import geometry_to_wgs84, to_geojson
from geo.validate import GeometryError, check_position, parse_geometry

DatumQuery = Annotated[
    Datum,
    Query(
        description=(
            "Datum of every coordinate in this request and its response: `wgs84` (GPS, default), "
            "`gcj02` (AMap/Tencent and most Chinese map SDKs) or `bd09` (Baidu). "
            "Storage is always WGS84."
        )
    ),
]


class Place(BaseModel):
    """One point given as lon/lat in the request's datum; the schema bounds each axis and
    refuses strings, NaN and infinities, so converting it cannot fail."""

    lon: StrictFloat = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: StrictFloat = Field(ge=-90, le=90, allow_inf_nan=False)


def place_in(place: Place, datum: Datum) -> Point:
    """A request's place as a WGS84 point."""
    return Point(*point_to_wgs84(datum, place.lon, place.lat))


def place_out(point: Point, datum: Datum) -> Place:
    """A stored WGS84 point as a response's place in ``datum``, to 7 decimals (about 1 cm)."""
    lon, lat = point_from_wgs84(datum, point.x, point.y)
    return Place(lon=round(lon, 7), lat=round(lat, 7))


class FeatureCollectionMeta(BaseModel):
    numberMatched: int | None = Field(None, description="Features matching the filters.")
    numberReturned: int = Field(description="Features in this page.")


def geometry_in(
    geojson: dict[str, Any], *, datum: Datum, allowed: tuple[str, ...], loc: list[str | int]
) -> BaseGeometry:
    """Validate an incoming GeoJSON geometry and return it in WGS84, or raise a 422."""
    try:
        geometry = parse_geometry(
            geojson, allowed_types=allowed, max_vertices=get_settings().max_geometry_vertices
        )
        return geometry_to_wgs84(geometry, datum)
    except GeometryError as exc:
        raise invalid(str(exc), loc=loc, kind="invalid-geometry") from exc


def to_db(geometry: BaseGeometry) -> Any:
    return from_shape(geometry, srid=4326)


def geometry_out(db_value: Any, datum: Datum) -> dict[str, Any] | None:
    if db_value is None:
        return None
    return to_geojson(to_shape(db_value), datum)


def _floats(raw: str, count: int, name: str) -> list[float]:
    parts = raw.split(",")
    if len(parts) != count:
        raise invalid(f"{name} needs {count} comma-separated numbers, got {raw!r}", loc=["query", name])
    try:
        return [float(p) for p in parts]
    except ValueError as exc:
        raise invalid(f"{name} needs numbers, got {raw!r}", loc=["query", name]) from exc


def parse_near(raw: str, datum: Datum) -> tuple[float, float]:
    """``lon,lat`` in ``datum`` -> WGS84 (lon, lat)."""
    lon, lat = _floats(raw, 2, "near")
    try:
        check_position(lon, lat, where="near")
    except GeometryError as exc:
        raise invalid(str(exc), loc=["query", "near"], kind="invalid-geometry") from exc
    return point_to_wgs84(datum, lon, lat)


def parse_bbox(raw: str, datum: Datum) -> BaseGeometry:
    """``minlon,minlat,maxlon,maxlat`` in ``datum`` -> WGS84 polygon."""
    min_lon, min_lat, max_lon, max_lat = _floats(raw, 4, "bbox")
    try:
        check_position(min_lon, min_lat, where="bbox")
        check_position(max_lon, max_lat, where="bbox")
    except GeometryError as exc:
        raise invalid(str(exc), loc=["query", "bbox"], kind="invalid-geometry") from exc
    if min_lon >= max_lon or min_lat >= max_lat:
        raise invalid("bbox must be minlon,minlat,maxlon,maxlat with min < max", loc=["query", "bbox"])
    return geometry_to_wgs84(box(min_lon, min_lat, max_lon, max_lat), datum)
