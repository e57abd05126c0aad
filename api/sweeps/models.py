"""Weather alerts, sweeps (寒冬送温暖 / 夏季送清凉) and their per-hotspot tasks."""

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


class SweepKind(StrEnum):
    cold = "cold"
    heat = "heat"
    other = "other"


class Level(StrEnum):
    """China Meteorological Administration warning colours, in rising order."""

    blue = "blue"
    yellow = "yellow"
    orange = "orange"
    red = "red"

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class Trigger(StrEnum):
    alert = "alert"
    rule = "rule"
    person = "person"


class SweepStatus(StrEnum):
    open = "open"
    closed = "closed"


class TaskStatus(StrEnum):
    pending = "pending"
    done = "done"


class WeatherAlert(SQLModel, table=True):
    __tablename__ = "weather_alerts"
    __table_args__ = (sa.UniqueConstraint("sender", "identifier", name="uq_weather_alerts_identity"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    identifier: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    sender: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    sent: datetime = Field(sa_column=timestamptz())
    status: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    msg_type: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    event: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    severity: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    onset: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    expires: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    area: Any = Field(default=None, sa_column=sa.Column(Geometry("MULTIPOLYGON", srid=4326), nullable=True))
    geocodes: list[str] = Field(
        default_factory=list, sa_column=sa.Column(ARRAY(sa.String(32)), nullable=False, server_default="{}")
    )
    raw: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    sweep_id: uuid.UUID | None = Field(default=None, foreign_key="sweeps.id")
    received_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))


class Sweep(SQLModel, table=True):
    __tablename__ = "sweeps"
    __table_args__ = (
        enum_check("kind", SweepKind, "ck_sweeps_kind"),
        enum_check("level", Level, "ck_sweeps_level"),
        enum_check("trigger", Trigger, "ck_sweeps_trigger"),
        enum_check("status", SweepStatus, "ck_sweeps_status"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    level: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    area: Any = Field(sa_column=sa.Column(Geometry("MULTIPOLYGON", srid=4326), nullable=False))
    trigger: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    trigger_ref: str = Field(sa_column=sa.Column(sa.String(300), nullable=False))
    starts_at: datetime = Field(sa_column=timestamptz())
    check_deadline: datetime = Field(sa_column=timestamptz())
    ends_at: datetime = Field(sa_column=timestamptz())
    status: str = Field(default=SweepStatus.open, sa_column=sa.Column(sa.String(16), nullable=False))
    closed_reason: str | None = Field(default=None, sa_column=sa.Column(sa.String(300)))
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))


class SweepTask(SQLModel, table=True):
    """Check one hotspot during a sweep."""

    __tablename__ = "sweep_tasks"
    __table_args__ = (
        sa.UniqueConstraint("sweep_id", "hotspot_id", name="uq_sweep_tasks_hotspot"),
        enum_check("status", TaskStatus, "ck_sweep_tasks_status"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    sweep_id: uuid.UUID = Field(foreign_key="sweeps.id", index=True)
    hotspot_id: uuid.UUID = Field(foreign_key="hotspots.id", index=True)
    team_id: uuid.UUID | None = Field(default=None, foreign_key="teams.id", index=True)
    status: str = Field(
        default=TaskStatus.pending,
        sa_column=sa.Column(sa.String(16), nullable=False, server_default="pending"),
    )
    done_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    done_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    people_found: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    persuaded: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    escorted: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    refused: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    supplies: dict = Field(
        default_factory=dict, sa_column=sa.Column(JSONB, nullable=False, server_default="{}")
    )
    notes: str | None = Field(default=None, sa_column=sa.Column(sa.String(1000)))


class WeatherRule(SQLModel, table=True):
    """A jurisdiction's own thresholds for forecast-driven sweeps (defaults come from settings)."""

    __tablename__ = "weather_rules"

    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", primary_key=True)
    cold_threshold_c: float
    heat_threshold_c: float
    hours_ahead: int = 24


class SupplyStock(SQLModel, table=True):
    """What a team (its vehicle) or an organisation (a station's store) holds, by kind."""

    __tablename__ = "supply_stock"
    __table_args__ = (
        sa.CheckConstraint("(team_id IS NULL) <> (organisation_id IS NULL)", name="ck_supply_stock_holder"),
        sa.Index(
            "uq_supply_stock_team",
            "team_id",
            "kind",
            unique=True,
            postgresql_where=sa.text("team_id IS NOT NULL"),
        ),
        sa.Index(
            "uq_supply_stock_organisation",
            "organisation_id",
            "kind",
            unique=True,
            postgresql_where=sa.text("organisation_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: uuid.UUID | None = Field(default=None, foreign_key="teams.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    kind: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    quantity: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False))
    low_at: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False))
    updated_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
