"""Documents of OGC API - Features, Part 1 (landing page, conformance, collections, items)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
JSON = "application/json"
GEOJSON = "application/geo+json"


class Link(BaseModel):
    href: str
    rel: str
    type: str | None = None
    title: str | None = None


_EXAMPLE_LINK = {
    "href": "https://patrol.example/api/v1/ogc/collections",
    "rel": "data",
    "type": JSON,
    "title": "The layers",
}


class LandingPage(BaseModel):
    title: str
    description: str
    links: list[Link]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"title": "Street patrol layers", "description": "...", "links": [_EXAMPLE_LINK]}]
        }
    )


class Conformance(BaseModel):
    conformsTo: list[str]

    model_config = ConfigDict(json_schema_extra={"examples": [{"conformsTo": CONFORMANCE}]})


class SpatialExtent(BaseModel):
    bbox: list[list[float]] = Field(description="minlon, minlat, maxlon, maxlat")
    crs: str = CRS84


class TemporalExtent(BaseModel):
    interval: list[list[str | None]] = Field(description="Start and end (RFC 3339); null is open.")
    trs: str = GREGORIAN


class Extent(BaseModel):
    spatial: SpatialExtent | None = None
    temporal: TemporalExtent | None = None


_EXAMPLE_COLLECTION = {
    "id": "hotspots",
    "title": "Hotspots",
    "description": "...",
    "links": [{**_EXAMPLE_LINK, "rel": "items", "type": GEOJSON}],
    "extent": {"spatial": {"bbox": [[112.8, 28.1, 113.1, 28.3]], "crs": CRS84}},
    "itemType": "feature",
    "crs": [CRS84],
}


class Collection(BaseModel):
    id: str
    title: str
    description: str
    links: list[Link]
    extent: Extent | None = None
    itemType: Literal["feature"] = "feature"
    crs: list[str] = [CRS84]

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE_COLLECTION]})


class Collections(BaseModel):
    links: list[Link]
    collections: list[Collection]

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"links": [_EXAMPLE_LINK], "collections": [_EXAMPLE_COLLECTION]}]}
    )


_EXAMPLE_FEATURE = {
    "type": "Feature",
    "id": "0f5c6a3e-7d1b-4c2a-9e8f-1a2b3c4d5e6f",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[112.97, 28.18], [112.98, 28.18], [112.98, 28.19], [112.97, 28.18]]],
    },
    "properties": {
        "name": "江滨路桥洞",
        "kind": "bridge_culvert",
        "risk_level": "high",
        "radius_m": 60,
        "jurisdiction": "990102",
        "last_visited_at": "2026-11-29T22:40:00+08:00",
    },
}


class Feature(BaseModel):
    """One feature; the properties of each layer are listed in its collection's description."""

    type: Literal["Feature"] = "Feature"
    id: str | int
    geometry: dict[str, Any] | None
    properties: dict[str, Any]
    links: list[Link] = []

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE_FEATURE]})


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]
    links: list[Link]
    numberMatched: int
    numberReturned: int
    timeStamp: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "features": [_EXAMPLE_FEATURE],
                    "links": [{**_EXAMPLE_LINK, "rel": "next", "type": GEOJSON}],
                    "numberMatched": 44,
                    "numberReturned": 1,
                    "timeStamp": "2026-11-30T02:00:00Z",
                }
            ]
        }
    )
