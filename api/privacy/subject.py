"""A person's rights over their record: everything held about them, and erasure.

Erasure keeps statistics: the person's encounters, handovers and incidents stay as counted
events, with the link to the person and the free text about them removed; then the person
record itself is deleted. A person under a legal hold or in an open case is not erased.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlmodel import Session, SQLModel

from api.audit import service as audit
from api.audit.models import AuditEntry
from api.auth.deps import Principal
from api.encounters.models import CriticalIncident, Encounter, PoliceReferral, RevisitTask
from api.errors import ProblemError, invalid
from api.geojson import geometry_out
from api.handovers.models import Handover
from api.people.models import Person
from api.privacy import cases
from api.privacy.models import HoldSubject, LegalHold
from api.privacy.service import ENCOUNTER_TEXT
from geo.datum import Datum

ERASED_TEXT = "[erased]"
EXPORT_SECTIONS = (
    "person",
    "encounters",
    "handovers",
    "revisits",
    "police_referrals",
    "critical_incidents",
    "legal_holds",
    "audit_entries",
)


def _reason(reason: str | None, loc: list[str | int]) -> str:
    if not reason or len(reason.strip()) < 4:
        raise invalid("say why (reason, at least 4 characters)", loc=loc)
    return reason.strip()


def _plain(row: SQLModel, datum: Datum) -> dict[str, Any]:
    """A table row as JSON-ready values: geometry as GeoJSON in ``datum``; binary columns
    (encrypted or rendered documents) are named, not copied."""
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(column.type, Geometry):
            out[column.key] = geometry_out(value, datum)
        elif isinstance(value, bytes):
            out[column.key] = f"<{len(value)} bytes, not exported>"
        else:
            out[column.key] = value
    return out


def _encounter_ids(session: Session, person_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.scalars(sa.select(Encounter.id).where(Encounter.person_id == person_id)))


def _linked(column_person, column_encounter, person_id: uuid.UUID, encounter_ids: list[uuid.UUID]):
    return sa.or_(column_person == person_id, column_encounter.in_(encounter_ids))


def export(
    session: Session, *, principal: Principal, person: Person, reason: str, datum: Datum
) -> dict[str, Any]:
    """Everything held about the person, as plain JSON; the export is written to the audit log."""
    why = _reason(reason, ["body", "reason"])
    encounter_ids = _encounter_ids(session, person.id)

    def rows(model, *where) -> list[dict[str, Any]]:
        return [_plain(row, datum) for row in session.scalars(sa.select(model).where(*where))]

    document = {
        "exported_at": datetime.now(UTC),
        "person": _plain(person, datum),
        "encounters": rows(Encounter, Encounter.person_id == person.id),
        "handovers": rows(
            Handover, _linked(Handover.person_id, Handover.encounter_id, person.id, encounter_ids)
        ),
        "revisits": rows(
            RevisitTask, _linked(RevisitTask.person_id, RevisitTask.encounter_id, person.id, encounter_ids)
        ),
        "police_referrals": rows(PoliceReferral, PoliceReferral.encounter_id.in_(encounter_ids)),
        "critical_incidents": rows(
            CriticalIncident,
            _linked(CriticalIncident.person_id, CriticalIncident.encounter_id, person.id, encounter_ids),
        ),
        "legal_holds": rows(
            LegalHold, LegalHold.subject_type == HoldSubject.person.value, LegalHold.subject_id == person.id
        ),
        "audit_entries": rows(
            AuditEntry, AuditEntry.subject_type == "person", AuditEntry.subject_id == str(person.id)
        ),
    }
    audit.record(
        session,
        principal=principal,
        action="export_person",
        subject_type="person",
        subject_id=str(person.id),
        fields=EXPORT_SECTIONS,
        reason=why,
        jurisdiction_id=person.jurisdiction_id,
    )
    return document


@dataclass(frozen=True)
class Erasure:
    person_id: uuid.UUID
    encounters: int
    handovers: int
    revisits: int
    critical_incidents: int


def refusal(session: Session, person: Person, now: datetime) -> ProblemError | None:
    """Why the person may not be erased now, or None."""
    subject = sa.literal(person.id, sa.Uuid)
    if session.scalar(sa.select(cases.held(HoldSubject.person, subject))):
        return ProblemError(409, "this person is under a legal hold; release it first", kind="legal-hold")
    if session.scalar(sa.select(cases.person_open_case(subject, now))):
        return ProblemError(
            409,
            "this person is part of an open case (a handover, revisit, lead, police referral or recent "
            "critical incident); close it first",
            kind="open-case",
        )
    return None


def erase(session: Session, *, principal: Principal, person: Person, reason: str) -> Erasure:
    """Unlink and strip the person's records, delete the person, and audit it; or refuse (409)."""
    why = _reason(reason, ["body", "reason"])
    problem = refusal(session, person, datetime.now(UTC))
    if problem is not None:
        raise problem
    encounter_ids = _encounter_ids(session, person.id)
    handovers = session.execute(
        sa.update(Handover)
        .where(_linked(Handover.person_id, Handover.encounter_id, person.id, encounter_ids))
        .values(person_id=None, health_notes=None, belongings=[], record_pdf=None)
    ).rowcount
    revisits = session.execute(
        sa.update(RevisitTask).where(RevisitTask.person_id == person.id).values(person_id=None)
    ).rowcount
    incidents = session.execute(
        sa.update(CriticalIncident)
        .where(_linked(CriticalIncident.person_id, CriticalIncident.encounter_id, person.id, encounter_ids))
        .values(person_id=None, description=ERASED_TEXT)
    ).rowcount
    session.execute(
        sa.update(Encounter)
        .where(Encounter.id.in_(encounter_ids))
        .values(person_id=None, **dict.fromkeys(ENCOUNTER_TEXT))
    )
    audit.record(
        session,
        principal=principal,
        action="erase_person",
        subject_type="person",
        subject_id=str(person.id),
        fields=("person", "encounters", "handovers", "revisits", "critical_incidents"),
        reason=why,
        jurisdiction_id=person.jurisdiction_id,
    )
    session.delete(person)
    session.flush()
    return Erasure(person.id, len(encounter_ids), handovers, revisits, incidents)


def place_hold(
    session: Session,
    *,
    principal: Principal,
    subject_type: HoldSubject,
    subject_id: uuid.UUID,
    jurisdiction_id: int,
    reason: str,
) -> LegalHold:
    hold = LegalHold(
        subject_type=subject_type.value,
        subject_id=subject_id,
        jurisdiction_id=jurisdiction_id,
        reason=_reason(reason, ["body", "reason"]),
        placed_by=principal.id,
    )
    session.add(hold)
    session.flush()
    return hold


def release_hold(session: Session, *, principal: Principal, hold: LegalHold) -> LegalHold:
    if hold.released_at is not None:
        raise ProblemError(409, "this legal hold was already released", kind="already-released")
    hold.released_at = datetime.now(UTC)
    hold.released_by = principal.id
    session.flush()
    return hold
