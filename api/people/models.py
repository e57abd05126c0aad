from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from api.models_common import enum_check, timestamptz


class IdentityStatus(StrEnum):
    unknown = "unknown"
    claimed = "claimed"  # the person said who they are
    verified = "verified"  # confirmed (身份甄别)


class Registration(StrEnum):
    """Household registration in this city (本市户籍), which decides who collects them."""

    yes = "yes"
    no = "no"
    unknown = "unknown"


class Person(SQLModel, table=True):
    """A pseudonymous record linking repeat encounters with one person.

    ``alias``, ``safety_flags`` are what officers see; ``known_name``, ``description``,
    ``photo_ref``, ``identity_status`` and ``local_registration`` are personal data: only
    station staff and supervisors read them, and every such read is audited.
    """

    __tablename__ = "people"
    __table_args__ = (
        enum_check("identity_status", IdentityStatus, "ck_people_identity_status"),
        enum_check("local_registration", Registration, "ck_people_local_registration"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    alias: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    safety_flags: list[str] = Field(
        default_factory=list, sa_column=sa.Column(ARRAY(sa.String(40)), nullable=False, server_default="{}")
    )
    known_name: str | None = Field(default=None, sa_column=sa.Column(sa.String(100)))
    description: str | None = Field(default=None, sa_column=sa.Column(sa.String(1000)))
    photo_ref: str | None = Field(default=None, sa_column=sa.Column(sa.String(300)))
    identity_status: str = Field(
        default=IdentityStatus.unknown,
        sa_column=sa.Column(sa.String(16), nullable=False, server_default="unknown"),
    )
    local_registration: str = Field(
        default=Registration.unknown,
        sa_column=sa.Column(sa.String(16), nullable=False, server_default="unknown"),
    )
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    updated_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
