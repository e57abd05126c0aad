"""Offering a lead to the nearest on-duty team, one team at a time.

A team may take a lead when its jurisdiction contains (or is) a jurisdiction whose boundary
covers the lead's place: boundaries count as inside, so a lead right on the line between two
districts can go to the nearer team of either.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from geoalchemy2 import functions as gf
from sqlalchemy.orm import aliased
from sqlmodel import Session

from api.db import as_geography
from api.jurisdictions.models import Jurisdiction
from api.leads.models import Lead, LeadOffer, OfferAnswer
from api.patrols.models import LivePosition
from api.settings import get_settings
from api.teams.models import Team


def geometry_value(geom: Any) -> sa.ColumnElement:
    """A stored point (WKBElement) as a bound geometry for use inside SQL expressions."""
    return sa.literal(geom, type_=Geometry("POINT", srid=4326))


@dataclass(frozen=True)
class Candidate:
    team_id: uuid.UUID
    call_sign: str
    distance_m: float


def next_team(session: Session, lead: Lead) -> Candidate | None:
    """The nearest on-duty team with a fresh position (by the database clock) that has not been
    offered this lead yet.

    Live positions exist only for open shifts and number in the hundreds or low thousands, so
    grouping them per team is cheap; the boundary test uses the jurisdictions' GiST index.
    """
    settings = get_settings()
    team_area = aliased(Jurisdiction)
    covering = aliased(Jurisdiction)
    place = geometry_value(lead.geom)
    distance = sa.func.min(gf.ST_Distance(as_geography(LivePosition.geom), as_geography(place)))
    may_take = (
        sa.select(covering.id)
        .where(gf.ST_Covers(covering.boundary, place), team_area.path.op("@>")(covering.path))
        .exists()
    )
    already_offered = sa.select(LeadOffer.team_id).where(LeadOffer.lead_id == lead.id)
    row = session.execute(
        sa.select(Team.id, Team.call_sign, distance.label("distance_m"))
        .join(LivePosition, LivePosition.team_id == Team.id)
        .join(team_area, team_area.id == Team.jurisdiction_id)
        .where(
            Team.retired_at.is_(None),
            LivePosition.recorded_at >= sa.func.now() - timedelta(seconds=settings.position_stale_s),
            may_take,
            Team.id.not_in(already_offered),
        )
        .group_by(Team.id, Team.call_sign)
        .order_by(sa.text("distance_m"), Team.id)
        .limit(1)
    ).first()
    return Candidate(row.id, row.call_sign, float(row.distance_m)) if row else None


def open_offer(session: Session, lead_id: uuid.UUID) -> LeadOffer | None:
    return session.scalar(
        sa.select(LeadOffer).where(LeadOffer.lead_id == lead_id, LeadOffer.answer.is_(None)).with_for_update()
    )


def close_open_offer(
    session: Session, lead_id: uuid.UUID, answer: OfferAnswer, now: datetime, by: uuid.UUID | None = None
) -> LeadOffer | None:
    offer = open_offer(session, lead_id)
    if offer is not None:
        offer.answer, offer.answered_at, offer.answered_by = answer, now, by
        session.add(offer)
        session.flush()
    return offer


def answered(session: Session, lead_id: uuid.UUID, team_ids: list[uuid.UUID], answer: OfferAnswer) -> bool:
    """Whether one of the teams already gave this answer to an offer of the lead."""
    return bool(
        team_ids
        and session.scalar(
            sa.select(
                sa.exists().where(
                    LeadOffer.lead_id == lead_id, LeadOffer.team_id.in_(team_ids), LeadOffer.answer == answer
                )
            )
        )
    )


def offer(session: Session, lead: Lead, candidate: Candidate, now: datetime) -> LeadOffer:
    made = LeadOffer(
        lead_id=lead.id,
        team_id=candidate.team_id,
        distance_m=round(candidate.distance_m, 1),
        offered_at=now,
        expires_at=now + timedelta(minutes=get_settings().lead_offer_minutes),
    )
    session.add(made)
    session.flush()
    return made


def offer_lead(session: Session, offer_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(sa.select(LeadOffer.lead_id).where(LeadOffer.id == offer_id))


def lock_offer(session: Session, offer_id: uuid.UUID) -> LeadOffer | None:
    return session.scalar(sa.select(LeadOffer).where(LeadOffer.id == offer_id).with_for_update())


def open_offer_team(session: Session, lead_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(
        sa.select(LeadOffer.team_id).where(LeadOffer.lead_id == lead_id, LeadOffer.answer.is_(None))
    )


def open_offers_to(team_ids: list[uuid.UUID]) -> sa.Select:
    """Ids of leads with an unanswered offer to one of the teams."""
    return sa.select(LeadOffer.lead_id).where(LeadOffer.team_id.in_(team_ids), LeadOffer.answer.is_(None))
