from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from api.clock import RequestTime
from api.encounters.models import AgeBand, Capacity, Category, CriticalKind, Outcome, Sex
from api.geojson import Place

StrictFloat = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Tag = Annotated[str, Field(min_length=1, max_length=60)]


class NewPerson(BaseModel):
    id: uuid.UUID = Field(description="Made on the phone, so a retried upload creates the person once.")
    alias: str = Field(min_length=1, max_length=100, examples=["桥洞老张"])
    safety_flags: list[Tag] = Field(default_factory=list, max_length=10)
    known_name: str | None = Field(None, max_length=100, description="Only if the person gave it.")
    description: str | None = Field(None, max_length=1000)
    photo_ref: str | None = Field(None, max_length=300)


_EXAMPLE = {
    "id": "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "occurred_at": "2026-11-29T22:10:00+08:00",
    "place": {"lon": 112.9642, "lat": 28.24},
    "shift_id": "d6f1c2b3-4a5e-4f60-8b7c-9d0e1f2a3b4c",
    "new_person": {"id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b", "alias": "桥洞老张"},
    "age_band": "60_plus",
    "sex": "male",
    "categories": ["elderly"],
    "needs": ["warm clothes"],
    "civil_capacity": "full",
    "offered": ["escort to station", "quilt"],
    "answer": "不愿去救助站",
    "supplies": {"quilt": 1, "food": 2},
    "outcome": "refused_help",
    "told_station_contact": True,
    "persuasion_note": "告知救助站地址和热线 0731-8000-1234，劝说未果，留下棉被",
}


class EncounterCreate(BaseModel):
    id: uuid.UUID = Field(description="Made on the phone; repeating the upload records one encounter.")
    occurred_at: RequestTime
    place: Place
    shift_id: uuid.UUID | None = None
    hotspot_id: uuid.UUID | None = Field(None, description="Overrides the automatic match.")
    match_hotspot: bool = Field(True, description="Match the nearest hotspot whose area holds the place.")
    person_id: uuid.UUID | None = Field(None, description="A person already on record.")
    new_person: NewPerson | None = None
    age_band: AgeBand
    sex: Sex = Sex.unknown
    categories: list[Category] = Field(default_factory=list, max_length=len(Category))
    needs: list[Tag] = Field(default_factory=list, max_length=20)
    civil_capacity: Capacity = Capacity.unknown
    offered: list[Tag] = Field(default_factory=list, max_length=20)
    answer: str | None = Field(None, max_length=500)
    supplies: dict[
        Annotated[str, Field(min_length=1, max_length=40)], Annotated[int, Field(ge=0, le=1000)]
    ] = Field(default_factory=dict, max_length=30, description="Supplies handed out, by kind: count.")
    notes: str | None = Field(None, max_length=4000)
    outcome: Outcome
    consent_recorded: bool = False
    consent_note: str | None = Field(None, max_length=500)
    told_station_contact: bool = False
    persuasion_note: str | None = Field(None, max_length=1000)
    no_medical_reason: str | None = Field(None, max_length=500)
    destination_organisation_id: int | None = None
    critical: CriticalKind | None = Field(None, description="Raise a critical incident at once.")
    revisit_id: uuid.UUID | None = Field(None, description="The revisit this encounter carries out.")

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})


class EncounterPublic(BaseModel):
    id: uuid.UUID
    jurisdiction: str
    officer_id: uuid.UUID
    team_id: uuid.UUID | None
    shift_id: uuid.UUID | None
    occurred_at: datetime
    received_at: datetime
    place: Place
    hotspot_id: uuid.UUID | None
    person_id: uuid.UUID | None
    person_alias: str | None
    age_band: AgeBand
    sex: Sex
    categories: list[Category]
    needs: list[str]
    civil_capacity: Capacity
    offered: list[str]
    answer: str | None
    supplies: dict[str, int]
    notes: str | None
    outcome: Outcome
    consent_recorded: bool
    told_station_contact: bool
    persuasion_note: str | None
    no_medical_reason: str | None
    destination_organisation_id: int | None
    critical: CriticalKind | None
    police_referral: bool
    revisit_task_id: uuid.UUID | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **{k: v for k, v in _EXAMPLE.items() if k != "new_person"},
                    "jurisdiction": "99010200100101",
                    "officer_id": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
                    "team_id": "8c2f7d1e-5a4b-4c3d-9e8f-1a2b3c4d5e6f",
                    "received_at": "2026-11-29T14:11:02Z",
                    "hotspot_id": "6a0f8c7e-1d0b-4b0e-8f57-3f1f6f0c9a21",
                    "person_id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
                    "person_alias": "桥洞老张",
                    "notes": None,
                    "no_medical_reason": None,
                    "destination_organisation_id": None,
                    "critical": None,
                    "police_referral": False,
                    "revisit_task_id": "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
                    "consent_recorded": False,
                }
            ]
        }
    )


class RuleDescription(BaseModel):
    id: str
    message: str
    field: str | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "escort-needs-consent",
                    "field": "consent_recorded",
                    "message": "escorting an adult with full civil capacity needs their recorded consent "
                    "(consent_recorded)",
                }
            ]
        }
    )


class RevisitPublic(BaseModel):
    id: uuid.UUID
    encounter_id: uuid.UUID
    person_id: uuid.UUID | None
    team_id: uuid.UUID | None
    hotspot_id: uuid.UUID | None
    place: Place
    reason: str
    due_at: datetime
    status: str
    done_by_encounter_id: uuid.UUID | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
                    "encounter_id": _EXAMPLE["id"],
                    "person_id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
                    "team_id": "8c2f7d1e-5a4b-4c3d-9e8f-1a2b3c4d5e6f",
                    "hotspot_id": None,
                    "place": {"lon": 112.9642, "lat": 28.24},
                    "reason": "refused_help: elderly",
                    "due_at": "2026-11-30T00:10:00+08:00",
                    "status": "open",
                    "done_by_encounter_id": None,
                }
            ]
        }
    )


class IncidentCreate(BaseModel):
    id: uuid.UUID | None = Field(
        None, description="Made on the phone; repeating the call returns the incident already raised."
    )
    kind: CriticalKind
    occurred_at: RequestTime
    place: Place
    description: str = Field(min_length=1, max_length=2000)
    person_id: uuid.UUID | None = None
    encounter_id: uuid.UUID | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
                    "kind": "danger_of_death",
                    "occurred_at": "2026-11-29T23:40:00+08:00",
                    "place": {"lon": 112.9645, "lat": 28.195},
                    "description": "铁路桥涵洞内发现一名老人意识模糊，已呼叫 120",
                }
            ]
        }
    )


class IncidentPublic(BaseModel):
    id: uuid.UUID
    kind: CriticalKind
    jurisdiction: str
    place: Place
    occurred_at: datetime
    description: str
    person_id: uuid.UUID | None
    encounter_id: uuid.UUID | None
    reported_by: uuid.UUID | None
    notified: int = Field(description="People alerted at once.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
                    "kind": "danger_of_death",
                    "jurisdiction": "99010200200101",
                    "place": {"lon": 112.9645, "lat": 28.195},
                    "occurred_at": "2026-11-29T15:40:00Z",
                    "description": "铁路桥涵洞内发现一名老人意识模糊，已呼叫 120",
                    "person_id": None,
                    "encounter_id": None,
                    "reported_by": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
                    "notified": 3,
                }
            ]
        }
    )
