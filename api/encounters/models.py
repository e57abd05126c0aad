"""What happens between an officer and a person, and what it sets in motion."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from api.models_common import enum_check, timestamptz


class AgeBand(StrEnum):
    under_14 = "under_14"
    age_14_17 = "14_17"
    age_18_39 = "18_39"
    age_40_59 = "40_59"
    age_60_plus = "60_plus"
    unknown = "unknown"


MINOR_BANDS = {AgeBand.under_14, AgeBand.age_14_17}
ADULT_BANDS = {AgeBand.age_18_39, AgeBand.age_40_59, AgeBand.age_60_plus}


class Sex(StrEnum):
    male = "male"
    female = "female"
    unknown = "unknown"


class Category(StrEnum):
    minor = "minor"
    elderly = "elderly"
    disabled = "disabled"
    limited_mobility = "limited_mobility"
    suspected_mental_illness = "suspected_mental_illness"
    critically_ill = "critically_ill"
    intoxicated = "intoxicated"
    pregnant = "pregnant"
    with_minor = "with_minor"  # an adult with a minor along (begging with a child)
    suspected_exploitation = "suspected_exploitation"  # someone coercing or using a person to beg


MEDICAL = {Category.suspected_mental_illness, Category.critically_ill, Category.intoxicated}
VULNERABLE = {Category.elderly, Category.disabled, Category.limited_mobility, Category.pregnant} | MEDICAL
POLICE_MATTERS = {Category.with_minor, Category.suspected_exploitation}


class Capacity(StrEnum):
    """Civil capacity (民事行为能力) as the officer judges it."""

    full = "full"
    limited = "limited"
    none = "none"
    unknown = "unknown"


class Outcome(StrEnum):
    escorted_to_station = "escorted_to_station"
    escorted_to_hospital = "escorted_to_hospital"
    emergency_services_called = "emergency_services_called"
    refused_help = "refused_help"
    police_referral = "police_referral"
    resolved_on_site = "resolved_on_site"
    no_contact = "no_contact"  # asleep, or gone


ESCORTS = {Outcome.escorted_to_station, Outcome.escorted_to_hospital}
MEDICAL_OUTCOMES = {Outcome.emergency_services_called, Outcome.escorted_to_hospital}


class CriticalKind(StrEnum):
    person_dead = "person_dead"
    danger_of_death = "danger_of_death"
    minor_in_danger = "minor_in_danger"
    escorted_person_missing = "escorted_person_missing"


class Encounter(SQLModel, table=True):
    __tablename__ = "encounters"
    __table_args__ = (
        enum_check("age_band", AgeBand, "ck_encounters_age_band"),
        enum_check("sex", Sex, "ck_encounters_sex"),
        enum_check("civil_capacity", Capacity, "ck_encounters_civil_capacity"),
        enum_check("outcome", Outcome, "ck_encounters_outcome"),
        sa.Index("ix_encounters_jurisdiction_time", "jurisdiction_id", "occurred_at"),
    )

    id: uuid.UUID = Field(primary_key=True)
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id")
    officer_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    team_id: uuid.UUID | None = Field(default=None, foreign_key="teams.id")
    shift_id: uuid.UUID | None = Field(default=None, foreign_key="shifts.id")
    occurred_at: datetime = Field(sa_column=timestamptz())
    received_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    geom: Any = Field(sa_column=sa.Column(Geometry("POINT", srid=4326), nullable=False))
    hotspot_id: uuid.UUID | None = Field(default=None, foreign_key="hotspots.id", index=True)
    person_id: uuid.UUID | None = Field(default=None, foreign_key="people.id", index=True)
    age_band: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    sex: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    categories: list[str] = Field(
        default_factory=list, sa_column=sa.Column(ARRAY(sa.String(40)), nullable=False, server_default="{}")
    )
    needs: list[str] = Field(
        default_factory=list, sa_column=sa.Column(ARRAY(sa.String(60)), nullable=False, server_default="{}")
    )
    civil_capacity: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    offered: list[str] = Field(
        default_factory=list, sa_column=sa.Column(ARRAY(sa.String(60)), nullable=False, server_default="{}")
    )
    answer: str | None = Field(default=None, sa_column=sa.Column(sa.String(500)))
    supplies: dict = Field(
        default_factory=dict, sa_column=sa.Column(JSONB, nullable=False, server_default="{}")
    )
    notes: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    outcome: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    consent_recorded: bool = False
    consent_note: str | None = Field(default=None, sa_column=sa.Column(sa.String(500)))
    told_station_contact: bool = False
    persuasion_note: str | None = Field(default=None, sa_column=sa.Column(sa.String(1000)))
    no_medical_reason: str | None = Field(default=None, sa_column=sa.Column(sa.String(500)))
    destination_organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    critical: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    revisit_id: uuid.UUID | None = Field(default=None, foreign_key="revisit_tasks.id")
    sweep_task_id: uuid.UUID | None = Field(default=None, foreign_key="sweep_tasks.id", index=True)


class PoliceReferral(SQLModel, table=True):
    """Minors carried along while begging, or signs of exploitation: always for the police."""

    __tablename__ = "police_referrals"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    encounter_id: uuid.UUID = Field(foreign_key="encounters.id", sa_column_kwargs={"unique": True})
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id")
    reasons: list[str] = Field(sa_column=sa.Column(ARRAY(sa.String(40)), nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))


class RevisitStatus(StrEnum):
    open = "open"
    done = "done"


class RevisitTask(SQLModel, table=True):
    """Go back: a refusal is never the end of care for a vulnerable person."""

    __tablename__ = "revisit_tasks"
    __table_args__ = (enum_check("status", RevisitStatus, "ck_revisit_tasks_status"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    encounter_id: uuid.UUID = Field(sa_column=sa.Column(sa.Uuid, nullable=False, unique=True))
    person_id: uuid.UUID | None = Field(default=None, foreign_key="people.id")
    team_id: uuid.UUID | None = Field(default=None, foreign_key="teams.id", index=True)
    officer_id: uuid.UUID = Field(foreign_key="users.id")
    hotspot_id: uuid.UUID | None = Field(default=None, foreign_key="hotspots.id")
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    geom: Any = Field(sa_column=sa.Column(Geometry("POINT", srid=4326), nullable=False))
    reason: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    due_at: datetime = Field(sa_column=timestamptz())
    status: str = Field(default=RevisitStatus.open, sa_column=sa.Column(sa.String(16), nullable=False))
    done_by_encounter_id: uuid.UUID | None = Field(default=None, sa_column=sa.Column(sa.Uuid))
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    done_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))


class CriticalIncident(SQLModel, table=True):
    __tablename__ = "critical_incidents"
    __table_args__ = (enum_check("kind", CriticalKind, "ck_critical_incidents_kind"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    geom: Any = Field(sa_column=sa.Column(Geometry("POINT", srid=4326), nullable=False))
    occurred_at: datetime = Field(sa_column=timestamptz())
    description: str = Field(sa_column=sa.Column(sa.String(2000), nullable=False))
    encounter_id: uuid.UUID | None = Field(default=None, foreign_key="encounters.id")
    person_id: uuid.UUID | None = Field(default=None, foreign_key="people.id")
    reported_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    notification_group: uuid.UUID | None = None
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
