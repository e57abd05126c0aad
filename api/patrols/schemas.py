from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, NotRequired

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, Strict, TypeAdapter
from typing_extensions import TypedDict

from geo.datum import Datum

StrictFloat = Annotated[float, Strict(), Field(allow_inf_nan=False)]

_SHIFT = {
    "id": "d6f1c2b3-4a5e-4f60-8b7c-9d0e1f2a3b4c",
    "team_id": "8c2f7d1e-5a4b-4c3d-9e8f-1a2b3c4d5e6f",
    "team_call_sign": "河西巡01",
    "route_id": None,
    "jurisdiction": "990102",
    "started_at": "2026-11-29T20:00:00+08:00",
    "ended_at": None,
    "on_duty": True,
}
_POINT = {
    "id": "0f8e7d6c-5b4a-4938-8271-6a5b4c3d2e1f",
    "t": "2026-11-29T20:05:00+08:00",
    "lon": 112.9642,
    "lat": 28.24,
    "datum": "gcj02",
    "accuracy_m": 8.0,
    "speed_mps": 1.2,
    "heading_deg": 90.0,
    "battery_pct": 81,
}


class ShiftStart(BaseModel):
    id: uuid.UUID | None = Field(
        None, description="Made on the phone; repeating the call returns the same shift."
    )
    team_id: uuid.UUID
    route_id: uuid.UUID | None = Field(None, description="Absent for a free patrol.")
    started_at: AwareDatetime | None = Field(
        None, description="Device time; the server's receipt time is kept too."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": _SHIFT["id"], "team_id": _SHIFT["team_id"], "started_at": _SHIFT["started_at"]}
            ]
        }
    )


class ShiftEnd(BaseModel):
    ended_at: AwareDatetime | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"ended_at": "2026-11-30T02:00:00+08:00"}]})


class ShiftPublic(BaseModel):
    id: uuid.UUID
    team_id: uuid.UUID
    team_call_sign: str
    route_id: uuid.UUID | None
    jurisdiction: str
    started_at: datetime
    ended_at: datetime | None
    on_duty: bool

    model_config = ConfigDict(json_schema_extra={"examples": [_SHIFT]})


# Track points are TypedDicts, not models: a batch of 1,000 validates into plain dicts three
# times faster than into model instances, and ingest speed is bound by CPU.
class TrackPoint(TypedDict):
    __pydantic_config__ = ConfigDict(json_schema_extra={"examples": [_POINT]})  # type: ignore[misc]

    id: Annotated[
        uuid.UUID, Field(description="Made on the phone; a resent point with the same id is stored once.")
    ]
    t: Annotated[AwareDatetime, Field(description="Device time of the fix, with its UTC offset.")]
    lon: Annotated[StrictFloat, Field(ge=-180, le=180)]
    lat: Annotated[StrictFloat, Field(ge=-90, le=90)]
    datum: Datum
    accuracy_m: Annotated[StrictFloat, Field(ge=0, le=100_000)]
    speed_mps: NotRequired[Annotated[StrictFloat | None, Field(ge=0, le=1000)]]
    heading_deg: NotRequired[Annotated[StrictFloat | None, Field(ge=0, le=360)]]
    battery_pct: NotRequired[Annotated[int | None, Field(ge=0, le=100)]]


class TrackUpload(TypedDict):
    __pydantic_config__ = ConfigDict(json_schema_extra={"examples": [{"points": [_POINT]}]})  # type: ignore[misc]

    points: Annotated[list[TrackPoint], Field(min_length=1, max_length=5000)]


TRACK_UPLOAD = TypeAdapter(TrackUpload)


class TrackReceipt(BaseModel):
    received: int
    stored: int = Field(description="New points; the rest were already stored (retries).")
    duplicates: int
    flagged: int = Field(description="Kept but left out of visit detection (poor accuracy or a jump).")
    server_time: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "received": 120,
                    "stored": 118,
                    "duplicates": 2,
                    "flagged": 1,
                    "server_time": "2026-11-29T12:06:00Z",
                }
            ]
        }
    )


class CheckIn(BaseModel):
    id: uuid.UUID = Field(description="Made on the phone; repeating it records one visit.")
    hotspot_id: uuid.UUID
    at: AwareDatetime
    note: str | None = Field(None, max_length=500)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
                    "hotspot_id": "6a0f8c7e-1d0b-4b0e-8f57-3f1f6f0c9a21",
                    "at": "2026-11-29T20:30:00+08:00",
                    "note": "桥洞无人",
                }
            ]
        }
    )


class VisitPublic(BaseModel):
    id: uuid.UUID
    hotspot_id: uuid.UUID
    shift_id: uuid.UUID
    team_id: uuid.UUID
    user_id: uuid.UUID | None
    arrived_at: datetime
    departed_at: datetime
    source: Literal["track", "checkin"]
    points: int

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
                    "hotspot_id": "6a0f8c7e-1d0b-4b0e-8f57-3f1f6f0c9a21",
                    "shift_id": _SHIFT["id"],
                    "team_id": _SHIFT["team_id"],
                    "user_id": None,
                    "arrived_at": "2026-11-29T12:30:00Z",
                    "departed_at": "2026-11-29T12:36:00Z",
                    "source": "track",
                    "points": 72,
                }
            ]
        },
    )


class OfficerMotion(BaseModel):
    user_id: uuid.UUID
    points: int
    distance_m: float
    moving_s: float
    stopped_s: float


class ShiftCoverage(BaseModel):
    shift_id: uuid.UUID
    planned: list[uuid.UUID] = Field(description="Hotspots of the shift's route, in order.")
    visited: list[uuid.UUID]
    missed: list[uuid.UUID] = Field(description="Planned but not visited.")
    officers: list[OfficerMotion]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "shift_id": _SHIFT["id"],
                    "planned": [_POINT["id"]],
                    "visited": [_POINT["id"]],
                    "missed": [],
                    "officers": [
                        {
                            "user_id": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
                            "points": 2400,
                            "distance_m": 8123.4,
                            "moving_s": 9000.0,
                            "stopped_s": 3000.0,
                        }
                    ],
                }
            ]
        }
    )


class RouteCoverage(BaseModel):
    route_id: uuid.UUID
    shifts: int
    stops: list[dict[str, Any]] = Field(description="Per planned hotspot: visits and the last visit.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "route_id": "2b9c4e1a-7d3f-4a5b-8c6d-0e1f2a3b4c5d",
                    "shifts": 3,
                    "stops": [
                        {"hotspot_id": _POINT["id"], "visits": 3, "last_visited_at": "2026-11-29T12:36:00Z"}
                    ],
                }
            ]
        }
    )


class TrackFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class TrackCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[TrackFeature]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "geometry": {
                                "type": "LineString",
                                "coordinates": [[112.9642, 28.24], [112.9651, 28.241]],
                            },
                            "properties": {
                                "user_id": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
                                "points": 2400,
                                "vertices": 2,
                                "tolerance_m": 10.0,
                                "from": "2026-11-29T12:00:00Z",
                                "to": "2026-11-29T18:00:00Z",
                            },
                        }
                    ],
                }
            ]
        }
    )


class PointPublic(BaseModel):
    id: uuid.UUID
    t: datetime
    received_at: datetime
    user_id: uuid.UUID
    lon: float
    lat: float
    accuracy_m: float
    speed_mps: float | None
    heading_deg: float | None
    battery_pct: int | None
    flags: list[str]


class PointPage(BaseModel):
    points: list[PointPublic]
    next: str | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "points": [
                        {
                            "id": _POINT["id"],
                            "t": "2026-11-29T12:05:00Z",
                            "received_at": "2026-11-29T12:06:00Z",
                            "user_id": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
                            "lon": 112.9642,
                            "lat": 28.24,
                            "accuracy_m": 8.0,
                            "speed_mps": 1.2,
                            "heading_deg": 90.0,
                            "battery_pct": 81,
                            "flags": [],
                        }
                    ],
                    "next": "2026-11-29T12:05:00Z~0f8e",
                }
            ]
        }
    )


class PositionProperties(BaseModel):
    user_id: uuid.UUID
    display_name: str
    team_id: uuid.UUID
    team_call_sign: str
    shift_id: uuid.UUID
    recorded_at: datetime
    age_s: float
    stale: bool
    accuracy_m: float
    speed_mps: float | None
    heading_deg: float | None
    battery_pct: int | None
    distance_m: float | None = None


class PositionFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: uuid.UUID
    geometry: dict[str, Any]
    properties: PositionProperties


class PositionCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[PositionFeature]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "id": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
                            "geometry": {"type": "Point", "coordinates": [112.9642, 28.24]},
                            "properties": {
                                "user_id": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
                                "display_name": "河西区民警 01",
                                "team_id": _SHIFT["team_id"],
                                "team_call_sign": "河西巡01",
                                "shift_id": _SHIFT["id"],
                                "recorded_at": "2026-11-29T12:05:00Z",
                                "age_s": 12.5,
                                "stale": False,
                                "accuracy_m": 8.0,
                                "speed_mps": 1.2,
                                "heading_deg": 90.0,
                                "battery_pct": 81,
                                "distance_m": 240.3,
                            },
                        }
                    ],
                }
            ]
        }
    )


class OverdueCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "id": _POINT["id"],
                            "geometry": {"type": "Point", "coordinates": [112.9642, 28.24]},
                            "properties": {
                                "name": "滨河大桥西桥洞",
                                "kind": "bridge_culvert",
                                "risk_level": "high",
                                "jurisdiction": "990102",
                                "last_visited_at": None,
                                "last_visited_by": None,
                                "allowed_hours": 24,
                                "overdue_hours": None,
                            },
                        }
                    ],
                }
            ]
        }
    )
