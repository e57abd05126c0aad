from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.encounters.schemas import NewPerson, Tag
from api.people.models import IdentityStatus, Registration


class PersonCreate(NewPerson):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
                    "alias": "桥洞老张",
                    "safety_flags": ["hard of hearing"],
                    "description": "约 65 岁，灰色棉衣，左腿不便",
                }
            ]
        }
    )


class PersonSummary(BaseModel):
    """What officers see: no personal data."""

    id: uuid.UUID
    alias: str
    safety_flags: list[str]
    encounters: int

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
                    "alias": "桥洞老张",
                    "safety_flags": ["hard of hearing"],
                    "encounters": 4,
                }
            ]
        }
    )


class PersonRecord(PersonSummary):
    """Station staff and supervisors: personal data too; each read is audited."""

    known_name: str | None
    description: str | None
    photo_ref: str | None
    identity_status: IdentityStatus
    local_registration: Registration
    created_at: datetime
    updated_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
                    "alias": "桥洞老张",
                    "safety_flags": [],
                    "encounters": 4,
                    "known_name": "张某",
                    "description": "约 65 岁，灰色棉衣",
                    "photo_ref": None,
                    "identity_status": "claimed",
                    "local_registration": "no",
                    "created_at": "2026-11-01T12:00:00Z",
                    "updated_at": "2026-11-29T12:00:00Z",
                }
            ]
        }
    )


class PersonPatch(BaseModel):
    alias: str | None = Field(None, min_length=1, max_length=100)
    safety_flags: list[Tag] | None = Field(None, max_length=10)
    known_name: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=1000)
    photo_ref: str | None = Field(None, max_length=300)
    identity_status: IdentityStatus | None = None
    local_registration: Registration | None = None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"identity_status": "verified", "known_name": "张三"}]}
    )


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_role: str
    action: str
    subject_type: str
    subject_id: str
    fields: list[str]
    reason: str
    hash: str

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 17,
                    "at": "2026-11-29T12:00:00Z",
                    "actor_id": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
                    "actor_role": "station_staff",
                    "action": "read_person",
                    "subject_type": "person",
                    "subject_id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
                    "fields": ["known_name"],
                    "reason": "接收交接，核对身份",
                    "hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                }
            ]
        },
    )


class AuditVerification(BaseModel):
    entries: int
    intact: bool
    first_broken_id: int | None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"entries": 120, "intact": True, "first_broken_id": None}]}
    )
