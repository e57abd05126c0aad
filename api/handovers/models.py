"""Handovers between organisations, their transitions, and the written handover record."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from api.models_common import enum_check, timestamptz


class HandoverKind(StrEnum):
    to_station = "to_station"
    to_hospital = "to_hospital"
    identity_check = "identity_check"  # station staff go to a hospital to identify a patient (身份甄别)
    discharge_pickup = "discharge_pickup"  # collect a patient fit for discharge
    police_referral = "police_referral"


class State(StrEnum):
    held = "held"  # a discharge waiting for a legal case to close
    requested = "requested"
    accepted = "accepted"
    in_transit = "in_transit"
    arrived = "arrived"
    handed_over = "handed_over"
    closed = "closed"
    declined = "declined"
    expired = "expired"


# state -> states it may move to
TRANSITIONS: dict[State, set[State]] = {
    State.held: {State.requested},
    State.requested: {State.accepted, State.declined, State.expired},
    State.accepted: {State.in_transit, State.arrived, State.declined, State.expired},
    State.in_transit: {State.arrived, State.expired},
    State.arrived: {State.handed_over},
    State.handed_over: {State.closed},
    State.closed: set(),
    State.declined: set(),
    State.expired: set(),
}
OPEN_STATES = {State.held, State.requested, State.accepted, State.in_transit, State.arrived}


class Handover(SQLModel, table=True):
    __tablename__ = "handovers"
    __table_args__ = (
        enum_check("kind", HandoverKind, "ck_handovers_kind"),
        enum_check("state", State, "ck_handovers_state"),
        sa.Index("ix_handovers_receiver_open", "to_organisation_id", "state"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(sa_column=sa.Column(sa.String(24), nullable=False))
    state: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    to_organisation_id: int = Field(foreign_key="organisations.id")
    from_organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    encounter_id: uuid.UUID | None = Field(default=None, foreign_key="encounters.id", index=True)
    person_id: uuid.UUID | None = Field(default=None, foreign_key="people.id", index=True)
    rerouted_from: uuid.UUID | None = Field(default=None, foreign_key="handovers.id")
    needs: list[str] = Field(
        default_factory=list, sa_column=sa.Column(ARRAY(sa.String(60)), nullable=False, server_default="{}")
    )
    belongings: list[str] = Field(
        default_factory=list, sa_column=sa.Column(ARRAY(sa.String(100)), nullable=False, server_default="{}")
    )
    health_notes: str | None = Field(default=None, sa_column=sa.Column(sa.String(2000)))
    eta: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    deadline_at: datetime = Field(sa_column=timestamptz())
    decline_reason: str | None = Field(default=None, sa_column=sa.Column(sa.String(500)))
    legal_case_pending: bool = False
    fit_for_discharge_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    code_hash: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    code_expires_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    receiver_name: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))
    receiver_user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    signature_ref: str | None = Field(default=None, sa_column=sa.Column(sa.String(300)))
    handed_over_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    record_pdf: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary))
    record_sha256: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    updated_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))


class HandoverStep(SQLModel, table=True):
    """Each transition: who, when and where."""

    __tablename__ = "handover_steps"

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True))
    handover_id: uuid.UUID = Field(foreign_key="handovers.id", index=True)
    from_state: str | None = Field(default=None, sa_column=sa.Column(sa.String(16)))
    to_state: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    at: datetime = Field(sa_column=timestamptz())
    geom: Any = Field(default=None, sa_column=sa.Column(Geometry("POINT", srid=4326), nullable=True))
    note: str | None = Field(default=None, sa_column=sa.Column(sa.String(500)))
