from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from api.encounters.models import AgeBand
from api.geojson import Place
from api.leads.models import LeadOutcome, PlaceSource, Source, Status, Urgency

Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{4,19}$")]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
PlaceText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class LeadCreate(BaseModel):
    """A caller's tip typed in by a hotline operator (or a dispatcher)."""

    id: uuid.UUID | None = Field(None, description="Made by the client; a retry returns the same lead.")
    description: Description
    place: Place | None = Field(None, description="Where the person is, in the request's datum.")
    place_text: PlaceText | None = Field(None, description="The place in the caller's words.")
    jurisdiction: str | None = Field(
        None, max_length=32, description="Code of the area the call is about; default: the operator's."
    )
    urgent: StrictBool = False
    minor_involved: StrictBool = False
    age_band: AgeBand | None = None
    caller_phone: Phone | None = None
    caller_name: str | None = Field(None, max_length=60)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "description": "桥洞下有一位老人，衣服单薄",
                    "place": {"lon": 120.05, "lat": 30.1},
                    "place_text": "解放路桥洞",
                    "urgent": False,
                    "caller_phone": "13812345678",
                }
            ]
        },
    )


class OfferPublic(BaseModel):
    team_id: uuid.UUID
    call_sign: str
    distance_m: float | None
    offered_at: datetime
    expires_at: datetime


class LeadPublic(BaseModel):
    """A lead as responders see it: the reporter's contact is masked except for supervisors."""

    id: uuid.UUID
    number: int
    source: Source
    status: Status
    urgency: Urgency
    minor_involved: bool
    age_band: str | None
    description: str
    place_text: str | None
    place: Place | None
    place_source: PlaceSource | None
    jurisdiction: str
    reporter: str | None = Field(
        None,
        description="Masked contact hint, e.g. 138****5678 (supervisors read the whole contact at /contact).",
    )
    media_url: str | None
    photos: int
    duplicate_of: uuid.UUID | None
    team_id: uuid.UUID | None
    team_call_sign: str | None
    offer: OfferPublic | None
    created_at: datetime
    updated_at: datetime
    deadline_at: datetime
    deadline_missed_at: datetime | None
    accepted_at: datetime | None
    arrived_at: datetime | None
    closed_at: datetime | None
    outcome: LeadOutcome | None
    public_note: str | None
    encounter_ids: list[uuid.UUID]
    minutes_to_accept: float | None
    minutes_to_arrive: float | None
    minutes_to_close: float | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
                    "number": 1024,
                    "source": "hotline",
                    "status": "offered",
                    "urgency": "normal",
                    "minor_involved": False,
                    "age_band": "60_plus",
                    "description": "桥洞下有一位老人，衣服单薄",
                    "place_text": "解放路桥洞",
                    "place": {"lon": 120.05, "lat": 30.1},
                    "place_source": "reported",
                    "jurisdiction": "330102",
                    "reporter": "138****5678",
                    "reporter_contact": None,
                    "media_url": None,
                    "photos": 0,
                    "duplicate_of": None,
                    "team_id": None,
                    "team_call_sign": None,
                    "offer": {
                        "team_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                        "call_sign": "巡1",
                        "distance_m": 420.0,
                        "offered_at": "2026-11-29T13:01:00Z",
                        "expires_at": "2026-11-29T13:06:00Z",
                    },
                    "created_at": "2026-11-29T13:00:00Z",
                    "updated_at": "2026-11-29T13:01:00Z",
                    "deadline_at": "2026-11-29T14:00:00Z",
                    "deadline_missed_at": None,
                    "accepted_at": None,
                    "arrived_at": None,
                    "closed_at": None,
                    "outcome": None,
                    "public_note": None,
                    "encounter_ids": [],
                    "minutes_to_accept": None,
                    "minutes_to_arrive": None,
                    "minutes_to_close": None,
                }
            ]
        }
    )


class LeadReceipt(BaseModel):
    """What the reporter gets back: the lead's number and a secret token to follow it."""

    number: int
    receipt_token: str = Field(description="Keep it: it is the only way to follow the report.")
    status_url: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": 1024,
                    "receipt_token": "q8Zx1vR0cM3h5nT2yW7pLk9a",
                    "status_url": "/api/v1/public/leads/status",
                }
            ]
        }
    )


class PublicStage(BaseModel):
    """A report's progress as the public sees it: no person, no team, no position."""

    number: int
    status: str = Field(description="open or closed")
    stage: str = Field(description="received, dispatched, on_the_way, on_scene or closed")
    stage_label: str
    public_note: str | None
    requested_at: datetime
    updated_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": 1024,
                    "status": "open",
                    "stage": "on_the_way",
                    "stage_label": "工作人员正在前往",
                    "public_note": None,
                    "requested_at": "2026-11-29T13:00:00Z",
                    "updated_at": "2026-11-29T13:05:00Z",
                }
            ]
        }
    )


class LeadClose(BaseModel):
    outcome: LeadOutcome
    public_note: Note = Field(description="Shown to the reporter: never name the person.")
    encounter_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "outcome": "escorted",
                    "public_note": "已护送至救助站",
                    "encounter_ids": ["5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"],
                }
            ]
        },
        extra="forbid",
    )


class LeadAssign(BaseModel):
    team_id: uuid.UUID

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"team_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}]}, extra="forbid"
    )


class LeadMerge(BaseModel):
    into: uuid.UUID = Field(description="The lead this one duplicates.")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"into": "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"}]}, extra="forbid"
    )


class LeadPin(BaseModel):
    place: Place

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"place": {"lon": 120.05, "lat": 30.1}}]}, extra="forbid"
    )


class LeadEvent(BaseModel):
    at: AwareDatetime | None = Field(None, description="When it happened on the phone; default: now.")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"at": "2026-11-29T13:20:00Z"}]}, extra="forbid"
    )


class LandmarkCreate(BaseModel):
    name: PlaceText
    aliases: list[PlaceText] = Field(default_factory=list, max_length=20)
    place: Place
    jurisdiction: str = Field(max_length=32)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "人民广场",
                    "aliases": ["市民广场"],
                    "place": {"lon": 120.05, "lat": 30.1},
                    "jurisdiction": "330102",
                }
            ]
        },
        extra="forbid",
    )


class LandmarkPublic(BaseModel):
    id: int
    name: str
    aliases: list[str]
    place: Place
    jurisdiction: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "name": "人民广场",
                    "aliases": ["市民广场"],
                    "place": {"lon": 120.05, "lat": 30.1},
                    "jurisdiction": "330102",
                }
            ]
        }
    )


class PlaceMatchPublic(BaseModel):
    name: str
    kind: str
    place: Place
    score: float

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "解放路桥洞",
                    "kind": "hotspot",
                    "place": {"lon": 120.05, "lat": 30.1},
                    "score": 92.3,
                }
            ]
        }
    )


class ReporterContact(BaseModel):
    phone: str | None = None
    email: str | None = None
    name: str | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"phone": "13812345678", "name": "王先生"}]})
