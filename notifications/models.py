"""Inbox rows, devices, push deliveries (the outbox) and the event log behind the live stream.

Rows that readers page through (inbox, events) carry ``txid``, the id of the transaction that
wrote them. Readers only return rows whose transaction is older than every transaction still
running and order them by (txid, id): a row committed late by a slow transaction then still
sorts after everything a reader has already been given, so cursors never skip a row.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from api.db import LTree
from api.models_common import enum_check, timestamptz

TXID_DEFAULT = sa.text("pg_current_xact_id()")


class XID8(sa.types.UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw) -> str:
        return "XID8"


class Priority(StrEnum):
    critical = "critical"
    high = "high"
    normal = "normal"


class Platform(StrEnum):
    android = "android"
    ios = "ios"
    web = "web"


class DeliveryStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    rejected = "rejected"  # the provider refused the token for good; the device is retired
    failed = "failed"  # retries exhausted: kept for a person to look at and retry


class Notification(SQLModel, table=True):
    """One inbox item of one user. ``id`` is what a phone uses to drop a repeated push."""

    __tablename__ = "notifications"
    __table_args__ = (
        enum_check("priority", Priority, "ck_notifications_priority"),
        sa.Index("ix_notifications_user_cursor", "user_id", "txid", "seq"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    seq: int = Field(sa_column=sa.Column(sa.BigInteger, sa.Identity(), nullable=False, unique=True))
    txid: Any = Field(default=None, sa_column=sa.Column(XID8, nullable=False, server_default=TXID_DEFAULT))
    group_id: uuid.UUID = Field(index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id")
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id")
    kind: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    title: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    payload: dict = Field(default_factory=dict, sa_column=sa.Column(JSONB, nullable=False))
    priority: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    read_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))


class Device(SQLModel, table=True):
    __tablename__ = "devices"
    __table_args__ = (enum_check("platform", Platform, "ck_devices_platform"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    token: str = Field(sa_column=sa.Column(sa.String(4096), nullable=False, unique=True))
    platform: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    app_version: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    locale: str = Field(sa_column=sa.Column(sa.String(35), nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    refreshed_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    retired_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    retired_reason: str | None = Field(default=None, sa_column=sa.Column(sa.String(200)))


class PushDelivery(SQLModel, table=True):
    """The outbox: one push of one notification to one device, written with the notification."""

    __tablename__ = "push_deliveries"
    __table_args__ = (
        enum_check("status", DeliveryStatus, "ck_push_deliveries_status"),
        sa.UniqueConstraint("notification_id", "device_id", name="uq_push_deliveries_once"),
        sa.Index("ix_push_deliveries_batch", "group_id", "batch", "status"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True))
    notification_id: uuid.UUID = Field(foreign_key="notifications.id")
    device_id: uuid.UUID = Field(foreign_key="devices.id")
    group_id: uuid.UUID
    batch: int
    status: str = Field(sa_column=sa.Column(sa.String(16), nullable=False, server_default="pending"))
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    provider_message_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(200)))
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    sent_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))


class Event(SQLModel, table=True):
    """A domain event for the live stream, kept for a short replay window.

    Visible to ``user_id`` alone when set; otherwise to users whose jurisdiction covers
    ``jurisdiction_path`` and whose role is in ``roles`` (every role when null).
    """

    __tablename__ = "events"
    __table_args__ = (sa.Index("ix_events_cursor", "txid", "id"),)

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True))
    txid: Any = Field(default=None, sa_column=sa.Column(XID8, nullable=False, server_default=TXID_DEFAULT))
    kind: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    jurisdiction_path: str = Field(sa_column=sa.Column(LTree, nullable=False))
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    roles: list[str] | None = Field(default=None, sa_column=sa.Column(sa.ARRAY(sa.String(32))))
    payload: dict = Field(default_factory=dict, sa_column=sa.Column(JSONB, nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
