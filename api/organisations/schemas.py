from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.jurisdictions.schemas import CODE_PATTERN
from api.organisations.models import OrganisationKind


class OrganisationProperties(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind
    jurisdiction: str = Field(pattern=CODE_PATTERN, description="Code of the jurisdiction it belongs to.")
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=40)
    hotline: str | None = Field(None, max_length=40, description="Public hotline (rescue stations).")
    opening_hours: str | None = Field(None, max_length=200, examples=["24/7", "Mo-Fr 08:30-17:30"])
    capacity: int | None = Field(None, ge=0, le=100_000, description="Beds (stations and hospitals).")


_EXAMPLE_GEOMETRY = {"type": "Point", "coordinates": [112.978, 28.188]}
_EXAMPLE_PROPERTIES = {
    "name": "滨河市救助管理站",
    "kind": "rescue_station",
    "jurisdiction": "990100",
    "address": "滨河市江滨路 18 号",
    "phone": "0731-8000-0000",
    "hotline": "0731-8000-1234",
    "opening_hours": "24/7",
    "capacity": 120,
}
_EXAMPLE_FEATURE = {
    "type": "Feature",
    "id": 1,
    "geometry": _EXAMPLE_GEOMETRY,
    "properties": {**_EXAMPLE_PROPERTIES, "id": 1},
}


class OrganisationCreate(BaseModel):
    type: Literal["Feature"]
    geometry: dict[str, Any] = Field(description="GeoJSON Point: where the organisation is.")
    properties: OrganisationProperties

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"type": "Feature", "geometry": _EXAMPLE_GEOMETRY, "properties": _EXAMPLE_PROPERTIES}
            ]
        }
    )


class OrganisationPublicProperties(OrganisationProperties):
    id: int


class OrganisationFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: int
    geometry: dict[str, Any]
    properties: OrganisationPublicProperties

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE_FEATURE]})


class OrganisationCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[OrganisationFeature]

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "FeatureCollection", "features": [_EXAMPLE_FEATURE]}]}
    )
