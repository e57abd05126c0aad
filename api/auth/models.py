from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.models_common import enum_check, timestamptz


class Role(StrEnum):
    officer = "officer"
    dispatcher = "dispatcher"
    station_staff = "station_staff"
    hospital_staff = "hospital_staff"
    supervisor = "supervisor"
    hotline_operator = "hotline_operator"
    admin = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (enum_check("role", Role, "ck_users_role"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    username: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    display_name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    password_hash: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    role: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    is_active: bool = True
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    password_changed_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))


class LoginSession(SQLModel, table=True):
    """One login on one device. Access and refresh tokens carry its id (``sid``): revoking it
    ends them all at once. ``dpop_jkt`` binds it to the device's key (DPoP, RFC 9449)."""

    __tablename__ = "auth_sessions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    expires_at: datetime = Field(sa_column=timestamptz())
    revoked_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    revoked_reason: str | None = Field(default=None, sa_column=sa.Column(sa.String(40), nullable=True))
    dpop_jkt: str | None = Field(default=None, sa_column=sa.Column(sa.String(43), nullable=True))


class RefreshToken(SQLModel, table=True):
    """A refresh token, stored only as its SHA-256 so a database leak does not leak sessions."""

    __tablename__ = "refresh_tokens"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    session_id: uuid.UUID = Field(foreign_key="auth_sessions.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    issued_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    expires_at: datetime = Field(sa_column=timestamptz())
    revoked_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))


class DpopReplay(SQLModel, table=True):
    """DPoP proofs already seen (key thumbprint and ``jti``) until they would be too old anyway."""

    __tablename__ = "dpop_replay"
    __table_args__ = (sa.Index("ix_dpop_replay_expires_at", "expires_at"),)

    jkt: str = Field(sa_column=sa.Column(sa.String(43), primary_key=True))
    jti: str = Field(sa_column=sa.Column(sa.String(128), primary_key=True))
    expires_at: datetime = Field(sa_column=timestamptz())
