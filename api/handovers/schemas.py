from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.geojson import Place
from api.handovers.models import HandoverKind, State

_ID = "4b3a2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0"
_PUBLIC = {
    "id": _ID,
    "kind": "to_station",
    "state": "requested",
    "to_organisation_id": 1,
    "from_organisation_id": 6,
    "encounter_id": "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "person_id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
    "needs": ["warm clothes"],
    "belongings": ["背包", "被褥"],
    "health_notes": "elderly",
    "eta": "2026-11-29T14:40:00Z",
    "deadline_at": "2026-11-29T16:10:00Z",
    "decline_reason": None,
    "rerouted_from": None,
    "receiver_name": None,
    "handed_over_at": None,
    "record_sha256": None,
    "fit_for_discharge_at": None,
    "created_at": "2026-11-29T14:10:00Z",
}


class HandoverCreate(BaseModel):
    """A handover made by hand (escort outcomes make their own)."""

    id: uuid.UUID | None = Field(None, description="Made on the phone; a retry returns the same handover.")
    kind: HandoverKind
    to_organisation_id: int
    encounter_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    needs: list[str] = Field(default_factory=list, max_length=20)
    belongings: list[str] = Field(default_factory=list, max_length=50)
    health_notes: str | None = Field(None, max_length=2000)
    eta: AwareDatetime | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "identity_check",
                    "to_organisation_id": 1,
                    "person_id": _PUBLIC["person_id"],
                    "health_notes": "住院第 3 天，意识清楚，不能说出姓名",
                }
            ]
        }
    )


class Step(BaseModel):
    place: Place | None = None
    note: str | None = Field(None, max_length=500, description="Required when declining: the reason.")

    model_config = ConfigDict(json_schema_extra={"examples": [{"place": {"lon": 112.978, "lat": 28.188}}]})


class Reroute(BaseModel):
    to_organisation_id: int

    model_config = ConfigDict(json_schema_extra={"examples": [{"to_organisation_id": 3}]})


class CodeIssued(BaseModel):
    code: str = Field(description="Show it on the sender's phone; the receiver types it in.")
    expires_at: datetime

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "482913", "expires_at": "2026-11-29T15:05:00Z"}]}
    )


class Confirm(BaseModel):
    receiver_name: str = Field(min_length=1, max_length=100)
    code: str | None = Field(None, pattern=r"^[0-9]{6}$")
    signature_ref: str | None = Field(
        None, max_length=300, description="A stored signature image, if no code."
    )
    place: Place | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"receiver_name": "周红", "code": "482913"}]})


class Discharge(BaseModel):
    person_id: uuid.UUID
    legal_case_pending: bool = False
    health_notes: str | None = Field(None, max_length=2000)
    belongings: list[str] = Field(default_factory=list, max_length=50)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": _PUBLIC["person_id"],
                    "legal_case_pending": False,
                    "health_notes": "已康复，可出院",
                }
            ]
        }
    )


class HandoverPublic(BaseModel):
    id: uuid.UUID
    kind: HandoverKind
    state: State
    to_organisation_id: int
    from_organisation_id: int | None
    encounter_id: uuid.UUID | None
    person_id: uuid.UUID | None
    needs: list[str]
    belongings: list[str]
    health_notes: str | None
    eta: datetime | None
    deadline_at: datetime
    decline_reason: str | None
    rerouted_from: uuid.UUID | None
    receiver_name: str | None
    handed_over_at: datetime | None
    record_sha256: str | None
    fit_for_discharge_at: datetime | None
    created_at: datetime

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_PUBLIC]})


class DischargeStay(BaseModel):
    handover_id: uuid.UUID
    person_id: uuid.UUID | None
    hospital_id: int | None
    state: State
    fit_for_discharge_at: datetime
    days_waiting: float

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "handover_id": _ID,
                    "person_id": _PUBLIC["person_id"],
                    "hospital_id": 2,
                    "state": "requested",
                    "fit_for_discharge_at": "2026-11-28T09:00:00Z",
                    "days_waiting": 1.3,
                }
            ]
        }
    )
