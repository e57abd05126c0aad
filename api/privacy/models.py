"""Legal holds: records that retention and erasure must leave alone."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.models_common import enum_check, timestamptz


class HoldSubject(StrEnum):
    person = "person"
    lead = "lead"


class LegalHold(SQLModel, table=True):
    """A hold placed on a person or a lead (a court order, a police inquiry, a complaint).

    While ``released_at`` is empty, retention skips the subject and everything linked to it,
    and the person cannot be erased.
    """

    __tablename__ = "legal_holds"
    __table_args__ = (
        enum_check("subject_type", HoldSubject, "ck_legal_holds_subject_type"),
        sa.Index(
            "ix_legal_holds_active_subject",
            "subject_type",
            "subject_id",
            postgresql_where=sa.text("released_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    subject_type: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    subject_id: uuid.UUID = Field(sa_column=sa.Column(sa.Uuid, nullable=False))
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id")
    reason: str = Field(sa_column=sa.Column(sa.String(300), nullable=False))
    placed_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    placed_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    released_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    released_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
