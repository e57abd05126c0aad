from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.privacy.models import HoldSubject

_PERSON_ID = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"


class PersonExport(BaseModel):
    """Everything held about one person; coordinates are GeoJSON in the request's datum."""

    exported_at: datetime
    person: dict[str, Any]
    encounters: list[dict[str, Any]]
    handovers: list[dict[str, Any]]
    revisits: list[dict[str, Any]]
    police_referrals: list[dict[str, Any]]
    critical_incidents: list[dict[str, Any]]
    legal_holds: list[dict[str, Any]]
    audit_entries: list[dict[str, Any]]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "exported_at": "2026-11-29T12:00:00Z",
                    "person": {
                        "id": _PERSON_ID,
                        "alias": "桥洞老张",
                        "known_name": "张某",
                        "photo_ref": None,
                    },
                    "encounters": [
                        {
                            "id": "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                            "occurred_at": "2026-11-20T22:10:00Z",
                            "geom": {"type": "Point", "coordinates": [120.05, 30.1]},
                            "outcome": "refused_help",
                        }
                    ],
                    "handovers": [],
                    "revisits": [],
                    "police_referrals": [],
                    "critical_incidents": [],
                    "legal_holds": [],
                    "audit_entries": [{"id": 17, "action": "read_person", "reason": "接收交接，核对身份"}],
                }
            ]
        }
    )


class ErasureRequest(BaseModel):
    reason: str = Field(min_length=4, max_length=300, description="Why the person is erased (audited).")

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "本人申请删除，无未结案件"}]})


class ErasureResult(BaseModel):
    """The person record is gone; these counted records stay, unlinked and stripped of free text."""

    person_id: uuid.UUID
    encounters: int
    handovers: int
    revisits: int
    critical_incidents: int

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": _PERSON_ID,
                    "encounters": 4,
                    "handovers": 1,
                    "revisits": 2,
                    "critical_incidents": 0,
                }
            ]
        }
    )


class LegalHoldCreate(BaseModel):
    subject_type: HoldSubject
    subject_id: uuid.UUID
    reason: str = Field(min_length=4, max_length=300)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "subject_type": "person",
                    "subject_id": _PERSON_ID,
                    "reason": "法院调取证据（2026）民初123号",
                }
            ]
        }
    )


class LegalHoldPublic(BaseModel):
    id: uuid.UUID
    subject_type: HoldSubject
    subject_id: uuid.UUID
    reason: str
    placed_by: uuid.UUID | None
    placed_at: datetime
    released_by: uuid.UUID | None
    released_at: datetime | None

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
                    "subject_type": "person",
                    "subject_id": _PERSON_ID,
                    "reason": "法院调取证据（2026）民初123号",
                    "placed_by": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
                    "placed_at": "2026-11-29T12:00:00Z",
                    "released_by": None,
                    "released_at": None,
                }
            ]
        },
    )
