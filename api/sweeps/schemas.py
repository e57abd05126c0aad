from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.jurisdictions.schemas import CODE_PATTERN
from api.sweeps.models import Level, SweepKind, TaskStatus

_SWEEP = "7c6b5a49-3827-4d16-9e05-f4e3d2c1b0a9"
_PROGRESS = {
    "done": 3,
    "total": 12,
    "teams": {"8c2f7d1e-5a4b-4c3d-9e8f-1a2b3c4d5e6f": {"done": 3, "total": 6}},
}


class SweepCreate(BaseModel):
    """A sweep started by a dispatcher over a jurisdiction or a drawn area."""

    kind: SweepKind
    level: Level = Level.yellow
    jurisdiction: str | None = Field(None, pattern=CODE_PATTERN, description="The whole jurisdiction, or...")
    area: dict[str, Any] | None = Field(
        None, description="...a GeoJSON Polygon or MultiPolygon drawn on the map."
    )
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "cold",
                    "level": "orange",
                    "jurisdiction": "990102",
                    "ends_at": "2026-11-30T08:00:00+08:00",
                }
            ]
        }
    )


class SweepPublic(BaseModel):
    id: uuid.UUID
    kind: SweepKind
    level: Level
    jurisdiction: str
    trigger: str
    trigger_ref: str
    starts_at: datetime
    check_deadline: datetime
    ends_at: datetime
    status: str
    area: dict[str, Any]
    progress: dict[str, Any]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _SWEEP,
                    "kind": "cold",
                    "level": "orange",
                    "jurisdiction": "990100",
                    "trigger": "alert",
                    "trigger_ref": "43010041600000_20261129180000",
                    "starts_at": "2026-11-29T10:00:00Z",
                    "check_deadline": "2026-11-29T16:00:00Z",
                    "ends_at": "2026-11-30T10:00:00Z",
                    "status": "open",
                    "area": {"type": "MultiPolygon", "coordinates": []},
                    "progress": _PROGRESS,
                }
            ]
        }
    )


class AlertReceipt(BaseModel):
    alert_id: uuid.UUID
    identifier: str
    status: str
    msg_type: str
    sweep_id: uuid.UUID | None = Field(description="The sweep the alert started, changed or closed.")
    duplicate: bool

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "alert_id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                    "identifier": "43010041600000_20261129180000",
                    "status": "Actual",
                    "msg_type": "Alert",
                    "sweep_id": _SWEEP,
                    "duplicate": False,
                }
            ]
        }
    )


Count = Annotated[int, Field(ge=0, le=10_000)]


class TaskOutcome(BaseModel):
    people_found: Count = 0
    persuaded: Count = 0
    escorted: Count = 0
    refused: Count = 0
    supplies: dict[Annotated[str, Field(min_length=1, max_length=40)], Count] = Field(
        default_factory=dict, max_length=30
    )
    notes: str | None = Field(None, max_length=1000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "people_found": 2,
                    "persuaded": 1,
                    "escorted": 1,
                    "refused": 1,
                    "supplies": {"quilt": 2, "hot meal": 2},
                    "notes": "一人拒绝入站，已发棉被",
                }
            ]
        }
    )


class TaskPublic(BaseModel):
    id: uuid.UUID
    sweep_id: uuid.UUID
    hotspot_id: uuid.UUID
    hotspot_name: str
    team_id: uuid.UUID | None
    status: TaskStatus
    done_at: datetime | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0a1b2c3d-4e5f-4061-8273-9485a6b7c8d9",
                    "sweep_id": _SWEEP,
                    "hotspot_id": "6a0f8c7e-1d0b-4b0e-8f57-3f1f6f0c9a21",
                    "hotspot_name": "滨河大桥西桥洞",
                    "team_id": "8c2f7d1e-5a4b-4c3d-9e8f-1a2b3c4d5e6f",
                    "status": "pending",
                    "done_at": None,
                }
            ]
        }
    )


class Reassign(BaseModel):
    team_id: uuid.UUID

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"team_id": "8c2f7d1e-5a4b-4c3d-9e8f-1a2b3c4d5e6f"}]}
    )


class SweepReport(BaseModel):
    sweep_id: uuid.UUID
    totals: dict[str, Any]
    hotspots: list[dict[str, Any]]
    format: Literal["json"] = "json"

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sweep_id": _SWEEP,
                    "format": "json",
                    "totals": {
                        "hotspots": 12,
                        "on_time": 9,
                        "late": 2,
                        "missed": 1,
                        "people_met": 7,
                        "escorts": 2,
                        "refusals": 3,
                        "revisits_done": 1,
                        "supplies": {"quilt": 6},
                    },
                    "hotspots": [
                        {
                            "hotspot": "滨河大桥西桥洞",
                            "checked": "on_time",
                            "people_met": 2,
                            "escorts": 1,
                            "refusals": 1,
                            "revisits_done": 0,
                            "supplies": {"quilt": 2},
                        }
                    ],
                }
            ]
        }
    )


class StockSet(BaseModel):
    team_id: uuid.UUID | None = Field(None, description="A team's vehicle, or...")
    organisation_id: int | None = Field(None, description="...a station's store.")
    kind: str = Field(min_length=1, max_length=40, examples=["quilt"])
    quantity: int = Field(ge=0, le=1_000_000)
    low_at: int = Field(0, ge=0, le=1_000_000, description="Warn the dispatchers at or below this.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "team_id": "8c2f7d1e-5a4b-4c3d-9e8f-1a2b3c4d5e6f",
                    "kind": "quilt",
                    "quantity": 20,
                    "low_at": 5,
                }
            ]
        }
    )


class StockPublic(BaseModel):
    team_id: uuid.UUID | None
    organisation_id: int | None
    kind: str
    quantity: int
    low_at: int
    low: bool
    updated_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "team_id": "8c2f7d1e-5a4b-4c3d-9e8f-1a2b3c4d5e6f",
                    "organisation_id": None,
                    "kind": "quilt",
                    "quantity": 4,
                    "low_at": 5,
                    "low": True,
                    "updated_at": "2026-11-29T14:00:00Z",
                }
            ]
        }
    )
