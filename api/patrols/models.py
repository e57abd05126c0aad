"""Shifts, GPS points (the big table, partitioned by month), live positions and visits."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import IntFlag, StrEnum
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlmodel import Field, SQLModel

from api.models_common import enum_check, timestamptz


class Shift(SQLModel, table=True):
    """A team on duty, on a route or on free patrol. The id may come from the phone."""

    __tablename__ = "shifts"
    __table_args__ = (sa.Index("ix_shifts_open", "team_id", postgresql_where=sa.text("ended_at IS NULL")),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    team_id: uuid.UUID = Field(foreign_key="teams.id", index=True)
    route_id: uuid.UUID | None = Field(default=None, foreign_key="patrol_routes.id")
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    started_at: datetime = Field(sa_column=timestamptz())
    started_received_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    started_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    ended_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    ended_received_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    ended_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")


class PointFlag(IntFlag):
    poor_accuracy = 1
    implausible_jump = 2


class GpsPoint(SQLModel, table=True):
    """One fix from an officer's phone. Partitioned by month of ``recorded_at`` (device time);
    the primary key includes it, and a resent point carries the same id and time.

    No foreign keys: on the largest table a per-row check would cost every upload, and the
    upload path has already checked the shift and the officer.
    """

    __tablename__ = "gps_points"
    __table_args__ = (
        sa.Index("ix_gps_points_shift_user_time", "shift_id", "user_id", "recorded_at"),
        {"postgresql_partition_by": "RANGE (recorded_at)"},
    )

    id: uuid.UUID = Field(primary_key=True)
    recorded_at: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), primary_key=True))
    shift_id: uuid.UUID
    user_id: uuid.UUID
    jurisdiction_id: int
    received_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    geom: Any = Field(sa_column=sa.Column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False))
    accuracy_m: float = Field(sa_column=sa.Column(sa.REAL, nullable=False))
    speed_mps: float | None = Field(default=None, sa_column=sa.Column(sa.REAL))
    heading_deg: float | None = Field(default=None, sa_column=sa.Column(sa.REAL))
    battery_pct: int | None = Field(default=None, sa_column=sa.Column(sa.SmallInteger))
    flags: int = Field(default=0, sa_column=sa.Column(sa.SmallInteger, nullable=False, server_default="0"))


class LivePosition(SQLModel, table=True):
    """The latest trustworthy fix of each officer, for the map and nearest-team queries."""

    __tablename__ = "live_positions"
    __table_args__ = (
        sa.Index("ix_live_positions_geography", sa.text("(geom::geography)"), postgresql_using="gist"),
    )

    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True)
    shift_id: uuid.UUID = Field(foreign_key="shifts.id")
    team_id: uuid.UUID = Field(foreign_key="teams.id", index=True)
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    geom: Any = Field(sa_column=sa.Column(Geometry("POINT", srid=4326), nullable=False))
    recorded_at: datetime = Field(sa_column=timestamptz())
    received_at: datetime = Field(sa_column=timestamptz())
    accuracy_m: float = Field(sa_column=sa.Column(sa.REAL, nullable=False))
    speed_mps: float | None = Field(default=None, sa_column=sa.Column(sa.REAL))
    heading_deg: float | None = Field(default=None, sa_column=sa.Column(sa.REAL))
    battery_pct: int | None = Field(default=None, sa_column=sa.Column(sa.SmallInteger))


class VisitSource(StrEnum):
    track = "track"
    checkin = "checkin"


class HotspotVisit(SQLModel, table=True):
    __tablename__ = "hotspot_visits"
    __table_args__ = (
        enum_check("source", VisitSource, "ck_hotspot_visits_source"),
        sa.Index("ix_hotspot_visits_latest", "hotspot_id", sa.text("departed_at DESC")),
        sa.Index("ix_hotspot_visits_shift", "shift_id", "user_id", "arrived_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    hotspot_id: uuid.UUID = Field(foreign_key="hotspots.id")
    shift_id: uuid.UUID = Field(foreign_key="shifts.id")
    team_id: uuid.UUID = Field(foreign_key="teams.id")
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id")
    arrived_at: datetime = Field(sa_column=timestamptz())
    departed_at: datetime = Field(sa_column=timestamptz())
    source: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    points: int = 0
    note: str | None = Field(default=None, sa_column=sa.Column(sa.String(500)))
