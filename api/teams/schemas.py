from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.auth.models import Role
from api.jurisdictions.schemas import CODE_PATTERN

_TEAM = {
    "id": "8c2f7d1e-5a4b-4c3d-9e8f-1a2b3c4d5e6f",
    "call_sign": "河西巡01",
    "vehicle": "湘A·12345 巡逻车",
    "jurisdiction": "990102",
    "members": [
        {
            "id": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
            "username": "officer01",
            "display_name": "河西区民警 01",
            "role": "officer",
            "organisation_id": 6,
        }
    ],
    "on_duty_shift": None,
    "created_at": "2026-11-29T08:00:00Z",
}


class TeamCreate(BaseModel):
    call_sign: str = Field(min_length=1, max_length=40)
    vehicle: str | None = Field(None, max_length=100)
    jurisdiction: str = Field(pattern=CODE_PATTERN)
    members: list[uuid.UUID] = Field(min_length=1, max_length=20, description="User ids of the officers.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "call_sign": "河西巡01",
                    "vehicle": "湘A·12345 巡逻车",
                    "jurisdiction": "990102",
                    "members": ["3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11"],
                }
            ]
        }
    )


class TeamPatch(BaseModel):
    vehicle: str | None = Field(None, max_length=100)
    members: list[uuid.UUID] | None = Field(None, min_length=1, max_length=20)

    model_config = ConfigDict(json_schema_extra={"examples": [{"vehicle": "电动巡逻车 3 号"}]})


class Member(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    organisation_id: int | None


class TeamPublic(BaseModel):
    id: uuid.UUID
    call_sign: str
    vehicle: str | None
    jurisdiction: str
    members: list[Member]
    on_duty_shift: uuid.UUID | None = Field(description="The open shift, if the team is on duty.")
    created_at: datetime

    model_config = ConfigDict(json_schema_extra={"examples": [_TEAM]})
