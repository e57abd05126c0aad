from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.jurisdictions.models import JurisdictionLevel

CODE_PATTERN = r"^[A-Za-z0-9_]{1,32}$"

_EXAMPLE_RING = [[118.70, 32.00], [118.80, 32.00], [118.80, 32.08], [118.70, 32.08], [118.70, 32.00]]


class JurisdictionProperties(BaseModel):
    code: str = Field(pattern=CODE_PATTERN, description="Administrative code (行政区划代码) or grid code.")
    name: str = Field(min_length=1, max_length=200)
    level: JurisdictionLevel
    parent: str | None = Field(None, pattern=CODE_PATTERN, description="Code of the parent jurisdiction.")
    timezone: str | None = Field(None, max_length=64, description="IANA zone; inherited when absent.")


class JurisdictionCreate(BaseModel):
    """A GeoJSON Feature whose geometry is the boundary (Polygon or MultiPolygon, or null)."""

    type: Literal["Feature"]
    geometry: dict[str, Any] | None
    properties: JurisdictionProperties

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [_EXAMPLE_RING]},
                    "properties": {
                        "code": "990104",
                        "name": "新港区",
                        "level": "district",
                        "parent": "990100",
                    },
                }
            ]
        }
    )


_EXAMPLE_FEATURE = {
    "type": "Feature",
    "id": "990103",
    "geometry": {"type": "MultiPolygon", "coordinates": [[_EXAMPLE_RING]]},
    "properties": {
        "code": "990103",
        "name": "河东区",
        "level": "district",
        "parent": "990100",
        "timezone": "Asia/Shanghai",
    },
}


class JurisdictionFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any] | None
    properties: JurisdictionProperties

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE_FEATURE]})


class JurisdictionCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[JurisdictionFeature]

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "FeatureCollection", "features": [_EXAMPLE_FEATURE]}]}
    )
