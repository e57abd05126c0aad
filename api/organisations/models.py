from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlmodel import Field, SQLModel

from api.models_common import enum_check, timestamptz


class OrganisationKind(StrEnum):
    rescue_station = "rescue_station"  # 救助站
    hospital = "hospital"  # 医院
    police_station = "police_station"  # 公安派出所
    city_management = "city_management"  # 城管
    civil_affairs_bureau = "civil_affairs_bureau"  # 民政局
    street_office = "street_office"  # 街道办 / 乡镇政府
    other = "other"


KINDS_WITH_CAPACITY = {OrganisationKind.rescue_station, OrganisationKind.hospital}


class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"
    __table_args__ = (
        enum_check("kind", OrganisationKind, "ck_organisations_kind"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="ck_organisations_capacity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    location: Any = Field(sa_column=sa.Column(Geometry("POINT", srid=4326), nullable=False))
    address: str | None = Field(default=None, sa_column=sa.Column(sa.String(300)))
    phone: str | None = Field(default=None, sa_column=sa.Column(sa.String(40)))
    hotline: str | None = Field(default=None, sa_column=sa.Column(sa.String(40)))
    opening_hours: str | None = Field(default=None, sa_column=sa.Column(sa.String(200)))
    capacity: int | None = None
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
