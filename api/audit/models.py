from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from api.models_common import timestamptz


class AuditEntry(SQLModel, table=True):
    """Append-only log of reads of personal data. Each entry hashes the one before it, so an
    entry changed or removed by hand breaks the chain; a trigger refuses updates and deletes."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True))
    at: datetime = Field(sa_column=timestamptz())
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    actor_role: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    action: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    subject_type: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    subject_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, index=True))
    fields: list[str] = Field(default_factory=list, sa_column=sa.Column(ARRAY(sa.String(40)), nullable=False))
    reason: str = Field(sa_column=sa.Column(sa.String(300), nullable=False))
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id")
    prev_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
