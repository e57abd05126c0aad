from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.models_common import timestamptz


class Team(SQLModel, table=True):
    """A patrol team, often joint (police + city management + civil affairs)."""

    __tablename__ = "teams"
    __table_args__ = (sa.UniqueConstraint("jurisdiction_id", "call_sign", name="uq_teams_call_sign"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    call_sign: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    vehicle: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    retired_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))


class TeamMember(SQLModel, table=True):
    __tablename__ = "team_members"

    team_id: uuid.UUID = Field(foreign_key="teams.id", primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, index=True)
    added_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
