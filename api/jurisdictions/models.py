from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlmodel import Field, SQLModel

from api.db import LTree
from api.models_common import enum_check, timestamptz


class JurisdictionLevel(StrEnum):
    province = "province"
    city = "city"
    district = "district"  # county / district (县/区)
    street = "street"  # street (街道) or township (乡镇)
    community = "community"  # 社区
    grid = "grid"  # 网格

    @property
    def depth(self) -> int:
        return list(JurisdictionLevel).index(self)


class Jurisdiction(SQLModel, table=True):
    """An administrative area. ``path`` is the ltree of codes from the root, for subtree scoping."""

    __tablename__ = "jurisdictions"
    __table_args__ = (
        enum_check("level", JurisdictionLevel, "ck_jurisdictions_level"),
        sa.CheckConstraint("code ~ '^[A-Za-z0-9_]{1,32}$'", name="ck_jurisdictions_code"),
        sa.Index("ix_jurisdictions_path", "path", postgresql_using="gist"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=sa.Column(sa.String(32), nullable=False, unique=True))
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    level: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    parent_id: int | None = Field(default=None, foreign_key="jurisdictions.id", index=True)
    path: str = Field(sa_column=sa.Column(LTree, nullable=False))
    timezone: str = Field(default="Asia/Shanghai", sa_column=sa.Column(sa.String(64), nullable=False))
    boundary: Any = Field(
        default=None, sa_column=sa.Column(Geometry("MULTIPOLYGON", srid=4326), nullable=True)
    )
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
