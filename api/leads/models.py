"""Public leads: a tip that someone may need help, followed from intake to an outcome."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from api.models_common import enum_check, timestamptz


class Source(StrEnum):
    hotline = "hotline"  # the station's hotline, typed in by an operator
    web = "web"  # the public form
    open311 = "open311"
    gov12345 = "12345"  # a 12345 platform ticket


class Status(StrEnum):
    new = "new"  # waiting for a place, a team or the dispatcher
    offered = "offered"  # offered to a team that has not answered yet
    accepted = "accepted"  # a team is on its way
    arrived = "arrived"  # the team is on the scene
    closed = "closed"
    linked = "linked"  # a duplicate: follows the lead it is linked to


OPEN_STATUSES = (Status.new, Status.offered, Status.accepted, Status.arrived)


class Urgency(StrEnum):
    normal = "normal"
    urgent = "urgent"


class PlaceSource(StrEnum):
    reported = "reported"  # coordinates given with the lead
    gazetteer = "gazetteer"  # matched from the words of the lead
    dispatcher = "dispatcher"  # pinned on the map by hand


class LeadOutcome(StrEnum):
    helped = "helped"  # an encounter records the help given
    escorted = "escorted"
    refused_help = "refused_help"
    police_referral = "police_referral"
    not_found = "not_found"
    no_one_in_need = "no_one_in_need"


NEEDS_ENCOUNTER = {
    LeadOutcome.helped,
    LeadOutcome.escorted,
    LeadOutcome.refused_help,
    LeadOutcome.police_referral,
}


class OfferAnswer(StrEnum):
    accepted = "accepted"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"  # the lead was assigned, merged or closed meanwhile


class Lead(SQLModel, table=True):
    """One report. ``reporter_contact`` is encrypted (see ``api.leads.contact``); only a masked
    hint is kept in clear. ``receipt_hash`` is the SHA-256 of the reporter's receipt token."""

    __tablename__ = "leads"
    __table_args__ = (
        enum_check("source", Source, "ck_leads_source"),
        enum_check("status", Status, "ck_leads_status"),
        enum_check("urgency", Urgency, "ck_leads_urgency"),
        sa.CheckConstraint(
            "(status = 'linked') <= (duplicate_of IS NOT NULL)"
            " AND (duplicate_of IS NULL OR status IN ('linked', 'closed'))",
            name="ck_leads_linked",
        ),
        sa.Index("uq_leads_external", "source", "external_ref", unique=True),
        sa.Index(
            "ix_leads_open_geography",
            sa.text("(geom::geography)"),
            postgresql_using="gist",
            postgresql_where=sa.text("status <> 'closed'"),
        ),
        sa.Index("ix_leads_jurisdiction_created", "jurisdiction_id", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    number: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), nullable=False, unique=True)
    )
    source: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    external_ref: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    status: str = Field(default=Status.new, sa_column=sa.Column(sa.String(16), nullable=False))
    urgency: str = Field(default=Urgency.normal, sa_column=sa.Column(sa.String(16), nullable=False))
    minor_involved: bool = Field(default=False, nullable=False)
    age_band: str | None = Field(default=None, sa_column=sa.Column(sa.String(16)))
    description: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    place_text: str | None = Field(default=None, sa_column=sa.Column(sa.String(300)))
    geom: Any = Field(default=None, sa_column=sa.Column(Geometry("POINT", srid=4326, spatial_index=False)))
    place_source: str | None = Field(default=None, sa_column=sa.Column(sa.String(16)))
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id")
    reporter_contact: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary))
    reporter_hint: str | None = Field(default=None, sa_column=sa.Column(sa.String(40)))
    receipt_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    media_url: str | None = Field(default=None, sa_column=sa.Column(sa.String(1000)))
    callback_url: str | None = Field(default=None, sa_column=sa.Column(sa.String(1000)))
    # the lead this one duplicates (kept after closing, for the record)
    duplicate_of: uuid.UUID | None = Field(default=None, foreign_key="leads.id", index=True)
    team_id: uuid.UUID | None = Field(default=None, foreign_key="teams.id", index=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    updated_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    deadline_at: datetime = Field(sa_column=timestamptz())
    deadline_missed_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    accepted_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    arrived_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    outcome: str | None = Field(default=None, sa_column=sa.Column(sa.String(24)))
    public_note: str | None = Field(default=None, sa_column=sa.Column(sa.String(500)))
    encounter_ids: list[uuid.UUID] = Field(
        default_factory=list,
        sa_column=sa.Column(ARRAY(sa.Uuid), nullable=False, server_default="{}"),
    )


class LeadOffer(SQLModel, table=True):
    """A lead offered to one team, answered or timed out; at most one open offer per lead."""

    __tablename__ = "lead_offers"
    __table_args__ = (
        sa.Index("uq_lead_offers_open", "lead_id", unique=True, postgresql_where=sa.text("answer IS NULL")),
        sa.UniqueConstraint("lead_id", "team_id", name="uq_lead_offers_team"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    lead_id: uuid.UUID = Field(foreign_key="leads.id", index=True)
    team_id: uuid.UUID = Field(foreign_key="teams.id", index=True)
    distance_m: float | None = Field(default=None)
    offered_at: datetime | None = Field(default=None, sa_column=timestamptz(default_now=True))
    expires_at: datetime = Field(sa_column=timestamptz())
    answer: str | None = Field(default=None, sa_column=sa.Column(sa.String(16)))
    answered_at: datetime | None = Field(default=None, sa_column=timestamptz(nullable=True))
    answered_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")


class Landmark(SQLModel, table=True):
    """A named place for the gazetteer that is neither a hotspot nor an organisation."""

    __tablename__ = "landmarks"
    __table_args__ = (sa.UniqueConstraint("jurisdiction_id", "name", name="uq_landmarks_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    aliases: list[str] = Field(
        default_factory=list, sa_column=sa.Column(ARRAY(sa.String(200)), nullable=False, server_default="{}")
    )
    jurisdiction_id: int = Field(foreign_key="jurisdictions.id", index=True)
    geom: Any = Field(sa_column=sa.Column(Geometry("POINT", srid=4326), nullable=False))


class LeadPhoto(SQLModel, table=True):
    """A photo sent with a public report, kept for the responders (never shown publicly)."""

    __tablename__ = "lead_photos"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    lead_id: uuid.UUID = Field(foreign_key="leads.id", index=True)
    content_type: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
