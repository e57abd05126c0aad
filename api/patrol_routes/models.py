from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlmodel import Field, SQLModel

from api.models_common import timestamptz


class PatrolRoute(SQLModel, table=True):
    """A named, ordered round of hotspots in a jurisdiction."""

    __tablename__ = "patrol_routes"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    path: Any = Field(default=None, sa_column=sa.Column(Geometry("LINESTRING", srid=4326), nullable=True))
    length_m: float = 0.0
    expected_minutes: int
    planning: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    retired_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))


class RouteStop(SQLModel, table=True):
    __tablename__ = "route_stops"

    route_id: uuid.UUID = Field(foreign_key="patrol_routes.id", primary_key=True)
    position: int = Field(primary_key=True)
    hotspot_id: uuid.UUID = Field(foreign_key="hotspots.id", index=True)
