"""Backdated rows for retention and erasure tests, written straight to the tables (the
services stamp the present time, and retention is about the past)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from shapely.geometry import Point
from sqlmodel import Session

from api.encounters.models import Encounter, PoliceReferral, RevisitTask
from api.geojson import to_db
from api.handovers.models import Handover
from api.jurisdictions import service as jurisdictions
from api.leads.models import Lead, LeadPhoto
from api.people.models import Person
from api.privacy.models import LegalHold
from tests.factories import IN_WEST

NOW = datetime.now(UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def jurisdiction_id(session: Session, code: str = "T101") -> int:
    return jurisdictions.get_by_code(session=session, code=code).id


def person(
    session: Session, *, updated_days_ago: float = 0, photo_ref: str | None = None, code="T101"
) -> Person:
    row = Person(
        jurisdiction_id=jurisdiction_id(session, code),
        alias=f"别名{uuid.uuid4().hex[:6]}",
        known_name="张某",
        description="灰色棉衣",
        photo_ref=photo_ref,
        updated_at=days_ago(updated_days_ago),
        created_at=days_ago(updated_days_ago),
    )
    session.add(row)
    session.commit()
    return row


def encounter(
    session: Session, officer_id: uuid.UUID, *, days: float, person_id: uuid.UUID | None = None
) -> Encounter:
    row = Encounter(
        id=uuid.uuid4(),
        jurisdiction_id=jurisdiction_id(session),
        officer_id=officer_id,
        occurred_at=days_ago(days),
        geom=to_db(Point(*IN_WEST)),
        person_id=person_id,
        age_band="40_59",
        sex="male",
        civil_capacity="full",
        outcome="refused_help",
        notes="睡在桥洞东侧",
        answer="不想去救助站",
        persuasion_note="告知救助站电话",
    )
    session.add(row)
    session.commit()
    return row


def lead(
    session: Session,
    *,
    status: str = "closed",
    closed_days_ago: float | None = None,
    encounter_ids: list[uuid.UUID] | None = None,
    photos: int = 1,
) -> Lead:
    row = Lead(
        source="hotline",
        status=status,
        description="桥下有人躺着",
        jurisdiction_id=jurisdiction_id(session),
        reporter_contact=b"encrypted-contact",
        reporter_hint="138****0000",
        receipt_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
        media_url="https://example.org/photo.jpg",
        deadline_at=NOW,
        closed_at=days_ago(closed_days_ago) if closed_days_ago is not None else None,
        outcome="helped" if status == "closed" else None,
        encounter_ids=encounter_ids or [],
        created_at=days_ago(closed_days_ago or 0),
        updated_at=days_ago(closed_days_ago or 0),
    )
    session.add(row)
    session.flush()
    for _ in range(photos):
        session.add(LeadPhoto(lead_id=row.id, content_type="image/jpeg", data=b"\xff\xd8jpeg"))
    session.commit()
    return row


def handover(
    session: Session,
    organisation_id: int,
    *,
    state: str,
    encounter_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    kind: str = "to_station",
) -> Handover:
    row = Handover(
        kind=kind,
        state=state,
        jurisdiction_id=jurisdiction_id(session),
        to_organisation_id=organisation_id,
        encounter_id=encounter_id,
        person_id=person_id,
        deadline_at=NOW,
        health_notes="左腿受伤",
        belongings=["被子"],
    )
    session.add(row)
    session.commit()
    return row


def revisit(session: Session, enc: Encounter, *, status: str = "open") -> RevisitTask:
    row = RevisitTask(
        encounter_id=enc.id,
        person_id=enc.person_id,
        officer_id=enc.officer_id,
        jurisdiction_id=enc.jurisdiction_id,
        geom=to_db(Point(*IN_WEST)),
        reason="寒潮天气拒绝救助",
        due_at=NOW,
        status=status,
    )
    session.add(row)
    session.commit()
    return row


def referral(session: Session, enc: Encounter) -> PoliceReferral:
    row = PoliceReferral(encounter_id=enc.id, jurisdiction_id=enc.jurisdiction_id, reasons=["with_minor"])
    session.add(row)
    session.commit()
    return row


def hold(session: Session, subject_type: str, subject_id: uuid.UUID) -> LegalHold:
    row = LegalHold(
        subject_type=subject_type,
        subject_id=subject_id,
        jurisdiction_id=jurisdiction_id(session),
        reason="法院调取证据",
    )
    session.add(row)
    session.commit()
    return row
