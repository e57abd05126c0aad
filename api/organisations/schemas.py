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


class OrganisationCreate(BaseModel):
    type: Literal["Feature"]
    geometry: dict[str, Any] = Field(description="GeoJSON Point: where the organisation is.")
    properties: OrganisationProperties

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [118.7502, 32.0431]},
                    "properties": {
                        "name": "滨河市救助管理站",
                        "kind": "rescue_station",
                        "jurisdiction": "990100",
                        "address": "滨河市鼓楼区江滨路 18 号",
                        "phone": "025-8000-0000",
                        "hotline": "025-8000-1234",
                        "opening_hours": "24/7",
                        "capacity": 120,
                    },
                }
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


class OrganisationCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[OrganisationFeature]
