from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from geojson_pydantic import Point, Polygon
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from api.hotspots.models import MAX_RADIUS_M, HotspotKind, RiskLevel
from api.jurisdictions.schemas import CODE_PATTERN
from geo.validate import GeometryError, check_coordinates


def _strict_coordinates(value: Any) -> Any:
    """Refuse coordinates that are not JSON numbers before pydantic would coerce "120.1" to 120.1."""
    if isinstance(value, dict) and value.get("type") in ("Point", "Polygon") and "coordinates" in value:
        try:
            check_coordinates(value["type"], value["coordinates"])
        except GeometryError as exc:
            raise ValueError(str(exc)) from exc
    return value


HotspotGeometry = Annotated[
    Point | Polygon, Field(discriminator="type"), BeforeValidator(_strict_coordinates)
]
Alias = Annotated[str, Field(min_length=1, max_length=100)]

_EXAMPLE_POINT = {"type": "Point", "coordinates": [118.7623, 32.0511]}
_EXAMPLE_PROPERTIES = {
    "name": "江滨路桥洞",
    "kind": "bridge_culvert",
    "risk_level": "high",
    "radius_m": 60,
    "jurisdiction": "990102",
    "notes": "避雨处，夜间常有 3-5 人；靠近江边，汛期危险",
    "aliases": ["江滨桥", "Jiangbin bridge"],
}


class HotspotProperties(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: HotspotKind
    risk_level: RiskLevel = RiskLevel.medium
    radius_m: float | None = Field(
        None,
        gt=0,
        le=MAX_RADIUS_M,
        description="Radius in metres around a Point hotspot (required for Points, absent for Polygons).",
    )
    jurisdiction: str | None = Field(
        None,
        pattern=CODE_PATTERN,
        description="Jurisdiction code; when absent, the most specific one covering the place.",
    )
    notes: str | None = Field(None, max_length=2000)
    aliases: list[Alias] = Field(default_factory=list, max_length=20)


class HotspotCreate(BaseModel):
    """A GeoJSON Feature (RFC 7946). ``id`` may be given (import round trips keep ids)."""

    type: Literal["Feature"]
    id: uuid.UUID | None = None
    geometry: HotspotGeometry
    properties: HotspotProperties

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"type": "Feature", "geometry": _EXAMPLE_POINT, "properties": _EXAMPLE_PROPERTIES}]
        }
    )


class HotspotPropertiesPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: HotspotKind | None = None
    risk_level: RiskLevel | None = None
    radius_m: float | None = Field(None, gt=0, le=MAX_RADIUS_M)
    jurisdiction: str | None = Field(None, pattern=CODE_PATTERN)
    notes: str | None = Field(None, max_length=2000)
    aliases: list[Alias] | None = Field(None, max_length=20)
    version: int | None = Field(
        None, ge=1, description="The version you edited; a mismatch answers 409 (someone else changed it)."
    )


class HotspotPatch(BaseModel):
    """Partial update: only the members given change."""

    type: Literal["Feature"] = "Feature"
    geometry: HotspotGeometry | None = None
    properties: HotspotPropertiesPatch = Field(default_factory=HotspotPropertiesPatch)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"type": "Feature", "properties": {"risk_level": "critical", "version": 1}}]
        }
    )


class RetireRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500)

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "桥洞已封闭改造"}]})


class HotspotPublicProperties(HotspotProperties):
    jurisdiction: str
    version: int
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None = None
    retired_reason: str | None = None
    distance_m: float | None = Field(None, description="Metres from `near` (0 inside the hotspot).")


_EXAMPLE_FEATURE = {
    "type": "Feature",
    "id": "6a0f8c7e-1d0b-4b0e-8f57-3f1f6f0c9a21",
    "geometry": _EXAMPLE_POINT,
    "properties": {
        **_EXAMPLE_PROPERTIES,
        "version": 1,
        "created_at": "2026-11-29T08:00:00Z",
        "updated_at": "2026-11-29T08:00:00Z",
    },
}


class HotspotFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: uuid.UUID
    geometry: dict[str, Any]
    properties: HotspotPublicProperties

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE_FEATURE]})


class HotspotCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[HotspotFeature]
    numberMatched: int = Field(description="Hotspots matching the filters.")
    numberReturned: int = Field(description="Hotspots in this page.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "features": [_EXAMPLE_FEATURE],
                    "numberMatched": 41,
                    "numberReturned": 1,
                }
            ]
        }
    )


class HotspotImport(BaseModel):
    """A whole FeatureCollection; imported all or nothing. Features with a known ``id`` update it."""

    type: Literal["FeatureCollection"]
    features: list[HotspotCreate] = Field(min_length=1, max_length=20_000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "features": [
                        {"type": "Feature", "geometry": _EXAMPLE_POINT, "properties": _EXAMPLE_PROPERTIES}
                    ],
                }
            ]
        }
    )


class ImportResult(BaseModel):
    created: int
    updated: int

    model_config = ConfigDict(json_schema_extra={"examples": [{"created": 40, "updated": 2}]})


class HotspotRevisionPublic(BaseModel):
    version: int
    action: str = Field(description="create, update, retire")
    changed_at: datetime
    changed_by: uuid.UUID | None = Field(description="None when changed from the command line.")
    snapshot: dict[str, Any] = Field(description="The hotspot Feature (WGS84) after the change.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": 1,
                    "action": "create",
                    "changed_at": "2026-11-29T08:00:00Z",
                    "changed_by": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
                    "snapshot": _EXAMPLE_FEATURE,
                }
            ]
        }
    )
