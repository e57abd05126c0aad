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


class HotspotKind(StrEnum):
    busy_street = "busy_street"  # 繁华街区
    bridge_culvert = "bridge_culvert"  # 桥梁涵洞
    underpass = "underpass"  # 地下通道
    railway_station = "railway_station"  # 火车站
    bus_station = "bus_station"  # 汽车站
    scenic_area = "scenic_area"  # 风景游览区
    park = "park"  # 公园
    other = "other"


class RiskLevel(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


MAX_RADIUS_M = 5000.0

# The area a visit or a sweep checks: the polygon itself, or the circle around the point.
# A generated column keeps it consistent with geom and radius_m whatever writes them.
AREA_SQL = (
    "CASE WHEN ST_GeometryType(geom) = 'ST_Point' "
    "THEN ST_Buffer(geom::geography, radius_m)::geometry ELSE geom END"
)


class Hotspot(SQLModel, table=True):
    """A place where people gather or sleep outdoors (重点区域). Retired hotspots are kept."""

    __tablename__ = "hotspots"
    __table_args__ = (
        enum_check("kind", HotspotKind, "ck_hotspots_kind"),
        enum_check("risk_level", RiskLevel, "ck_hotspots_risk_level"),
        sa.CheckConstraint(
            "(ST_GeometryType(geom) = 'ST_Point' AND radius_m > 0 AND radius_m <= 5000)"
            " OR (ST_GeometryType(geom) = 'ST_Polygon' AND radius_m IS NULL)",
            name="ck_hotspots_shape",
        ),
        sa.Index("ix_hotspots_area_geography", sa.text("(area::geography)"), postgresql_using="gist"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    risk_level: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    geom: Any = Field(sa_column=sa.Column(Geometry("GEOMETRY", srid=4326), nullable=False))
    radius_m: float | None = None
    area: Any = Field(
        default=None,
        sa_column=sa.Column(Geometry("GEOMETRY", srid=4326), sa.Computed(AREA_SQL, persisted=True)),
    )
    notes: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    aliases: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(ARRAY(sa.String(100)), nullable=False, server_default="{}"),
    )
    version: int = Field(default=1, nullable=False)
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    updated_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    retired_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    retired_reason: str | None = Field(default=None, sa_column=sa.Column(sa.String(500)))


class HotspotRevision(SQLModel, table=True):
    """Append-only history: the hotspot as it was after each change."""

    __tablename__ = "hotspot_revisions"

    id: int | None = Field(default=None, primary_key=True)
    hotspot_id: uuid.UUID = Field(foreign_key="hotspots.id", index=True)
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id")
    version: int
    action: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    changed_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    changed_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    snapshot: dict = Field(sa_column=sa.Column(JSONB, nullable=False))
