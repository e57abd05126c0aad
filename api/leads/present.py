"""Leads rendered for responders and, with nothing personal, for the public."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from sqlmodel import Session

from api.auth.deps import Principal
from api.geojson import Place, place_out
from api.jurisdictions.models import Jurisdiction
from api.leads.models import Lead, LeadOffer, LeadPhoto, Status
from api.leads.schemas import LeadPublic, OfferPublic, PublicStage
from api.teams.models import Team
from geo.datum import Datum

STAGES = {
    Status.new: ("received", "已受理"),
    Status.offered: ("dispatched", "已派单"),
    Status.accepted: ("on_the_way", "工作人员正在前往"),
    Status.arrived: ("on_scene", "工作人员已到场"),
    Status.closed: ("closed", "已办结"),
}


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    return round((end - start).total_seconds() / 60, 1) if start and end else None


def _place(lead: Lead, datum: Datum) -> Place | None:
    return place_out(to_shape(lead.geom), datum) if lead.geom is not None else None


def present(session: Session, principal: Principal, leads: Sequence[Lead], datum: Datum) -> list[LeadPublic]:
    ids = [lead.id for lead in leads]
    codes = dict(
        session.execute(
            sa.select(Jurisdiction.id, Jurisdiction.code).where(
                Jurisdiction.id.in_({lead.jurisdiction_id for lead in leads})
            )
        ).all()
    )
    offers = {
        offer.lead_id: offer
        for offer in session.scalars(
            sa.select(LeadOffer).where(LeadOffer.lead_id.in_(ids), LeadOffer.answer.is_(None))
        )
    }
    team_ids = {lead.team_id for lead in leads} | {offer.team_id for offer in offers.values()}
    signs = dict(session.execute(sa.select(Team.id, Team.call_sign).where(Team.id.in_(team_ids))).all())
    photos = dict(
        session.execute(
            sa.select(LeadPhoto.lead_id, sa.func.count())
            .where(LeadPhoto.lead_id.in_(ids))
            .group_by(LeadPhoto.lead_id)
        ).all()
    )
    return [
        LeadPublic(
            id=lead.id,
            number=lead.number,
            source=lead.source,
            status=lead.status,
            urgency=lead.urgency,
            minor_involved=lead.minor_involved,
            age_band=lead.age_band,
            description=lead.description,
            place_text=lead.place_text,
            place=_place(lead, datum),
            place_source=lead.place_source,
            jurisdiction=codes[lead.jurisdiction_id],
            reporter=lead.reporter_hint,
            media_url=lead.media_url,
            photos=photos.get(lead.id, 0),
            duplicate_of=lead.duplicate_of,
            team_id=lead.team_id,
            team_call_sign=signs.get(lead.team_id),
            offer=_offer(offers.get(lead.id), signs),
            created_at=lead.created_at,
            updated_at=lead.updated_at,
            deadline_at=lead.deadline_at,
            deadline_missed_at=lead.deadline_missed_at,
            accepted_at=lead.accepted_at,
            arrived_at=lead.arrived_at,
            closed_at=lead.closed_at,
            outcome=lead.outcome,
            public_note=lead.public_note,
            encounter_ids=lead.encounter_ids,
            minutes_to_accept=_minutes(lead.created_at, lead.accepted_at),
            minutes_to_arrive=_minutes(lead.created_at, lead.arrived_at),
            minutes_to_close=_minutes(lead.created_at, lead.closed_at),
        )
        for lead in leads
    ]


def _offer(offer: LeadOffer | None, signs: dict) -> OfferPublic | None:
    if offer is None:
        return None
    return OfferPublic(
        team_id=offer.team_id,
        call_sign=signs.get(offer.team_id, ""),
        distance_m=offer.distance_m,
        offered_at=offer.offered_at,
        expires_at=offer.expires_at,
    )


def public_stage(reported: Lead, followed: Lead) -> PublicStage:
    """The reporter's view of their report; a duplicate shows the progress of the lead it joined."""
    stage, label = STAGES[Status(followed.status)]
    return PublicStage(
        number=reported.number,
        status="closed" if followed.status == Status.closed else "open",
        stage=stage,
        stage_label=label,
        public_note=followed.public_note,
        requested_at=reported.created_at,
        updated_at=max(reported.updated_at, followed.updated_at),
    )
