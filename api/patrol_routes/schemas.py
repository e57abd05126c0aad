from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.geojson import Place
from api.jurisdictions.schemas import CODE_PATTERN

STRAIGHT_LINE_NOTE = "distances are straight-line metres; no road network is loaded"
_IDS = ["6a0f8c7e-1d0b-4b0e-8f57-3f1f6f0c9a21", "9dd0818a-34ff-467b-935c-9b030f648e1e"]


class PlanRequest(BaseModel):
    start: Place = Field(description="Where the round starts and ends (e.g. the police station).")
    hotspot_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"start": {"lon": 112.942, "lat": 28.228}, "hotspot_ids": _IDS}]}
    )


class PlanResult(BaseModel):
    hotspot_ids: list[uuid.UUID] = Field(description="The hotspots in visiting order.")
    length_m: float = Field(description="Start -> hotspots -> start.")
    method: Literal["straight_line"] = "straight_line"
    note: str = STRAIGHT_LINE_NOTE

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "hotspot_ids": _IDS[::-1],
                    "length_m": 4210.5,
                    "method": "straight_line",
                    "note": STRAIGHT_LINE_NOTE,
                }
            ]
        }
    )


class RouteCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    jurisdiction: str = Field(pattern=CODE_PATTERN)
    hotspot_ids: list[uuid.UUID] = Field(min_length=1, max_length=200, description="In visiting order.")
    expected_minutes: int = Field(ge=1, le=24 * 60)
    plan_from: Place | None = Field(None, description="Reorder the hotspots into a short loop from here.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "河西夜巡一线",
                    "jurisdiction": "990102",
                    "hotspot_ids": _IDS,
                    "expected_minutes": 120,
                    "plan_from": {"lon": 112.942, "lat": 28.228},
                }
            ]
        }
    )


class Stop(BaseModel):
    position: int
    hotspot_id: uuid.UUID
    name: str


class RouteProperties(BaseModel):
    name: str
    jurisdiction: str
    stops: list[Stop]
    length_m: float
    expected_minutes: int
    planning: str
    created_at: datetime


class RouteFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: uuid.UUID
    geometry: dict[str, Any] | None = Field(description="LineString through the stops, back to the first.")
    properties: RouteProperties

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "Feature",
                    "id": "2b9c4e1a-7d3f-4a5b-8c6d-0e1f2a3b4c5d",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[112.9642, 28.24], [112.955, 28.235], [112.9642, 28.24]],
                    },
                    "properties": {
                        "name": "河西夜巡一线",
                        "jurisdiction": "990102",
                        "stops": [
                            {"position": 0, "hotspot_id": _IDS[0], "name": "滨河大桥西桥洞"},
                            {"position": 1, "hotspot_id": _IDS[1], "name": "望江公园凉亭"},
                        ],
                        "length_m": 2104.2,
                        "expected_minutes": 120,
                        "planning": "straight_line",
                        "created_at": "2026-11-29T08:00:00Z",
                    },
                }
            ]
        }
    )
