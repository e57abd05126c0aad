"""Subject access and erasure of a person's record, and legal holds (supervisors)."""

from __future__ import annotations

import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter

from api.audit.schemas import AccessReason
from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.errors import not_found, problems
from api.geojson import DatumQuery
from api.jurisdictions import service as jurisdictions
from api.leads.models import Lead
from api.people import service as people
from api.privacy import subject
from api.privacy.models import HoldSubject, LegalHold
from api.privacy.schemas import (
    ErasureRequest,
    ErasureResult,
    LegalHoldCreate,
    LegalHoldPublic,
    PersonExport,
)
from geo.datum import Datum

router = APIRouter(tags=["privacy"], responses=problems(400, 401, 403, 404, 422))

HOLDERS = (Role.supervisor, Role.admin)


@router.post("/people/{person_id}/export", response_model=PersonExport, operation_id="exportPerson")
def export_person(
    person_id: uuid.UUID,
    body: AccessReason,
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.supervisor)],
    datum: DatumQuery = Datum.wgs84,
) -> PersonExport:
    """Everything held about one person (subject access): the record, their encounters,
    handovers, revisits, police referrals, incidents, holds and the audit entries about them.
    A POST: the reason goes in the body, not the URL; the export is audited."""
    person = people.get(session, principal=principal, person_id=person_id)
    document = subject.export(session, principal=principal, person=person, reason=body.reason, datum=datum)
    session.commit()
    return PersonExport.model_validate(document)


@router.post(
    "/people/{person_id}/erase",
    response_model=ErasureResult,
    operation_id="erasePerson",
    responses=problems(409),
)
def erase_person(
    person_id: uuid.UUID,
    body: ErasureRequest,
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.supervisor)],
) -> ErasureResult:
    """Delete the person record and strip their counted records of the link and free text;
    409 while the person is under a legal hold or in an open case."""
    person = people.get(session, principal=principal, person_id=person_id)
    erasure = subject.erase(session, principal=principal, person=person, reason=body.reason)
    session.commit()
    return ErasureResult(**erasure.__dict__)


def _subject_jurisdiction(session, principal: Principal, body: LegalHoldCreate) -> int:
    if body.subject_type == HoldSubject.person:
        return people.get(session, principal=principal, person_id=body.subject_id).jurisdiction_id
    lead = session.get(Lead, body.subject_id)
    if lead is None or not jurisdictions.id_in_scope(session, principal, lead.jurisdiction_id):
        raise not_found(f"lead {body.subject_id}")
    return lead.jurisdiction_id


@router.post("/legal-holds", response_model=LegalHoldPublic, status_code=201, operation_id="placeLegalHold")
def place_legal_hold(
    body: LegalHoldCreate, session: SessionDep, principal: Annotated[Principal, Allow(*HOLDERS)]
) -> LegalHoldPublic:
    """Keep a person or a lead out of retention and erasure until the hold is released."""
    jurisdiction_id = _subject_jurisdiction(session, principal, body)
    hold = subject.place_hold(
        session,
        principal=principal,
        subject_type=body.subject_type,
        subject_id=body.subject_id,
        jurisdiction_id=jurisdiction_id,
        reason=body.reason,
    )
    session.commit()
    return LegalHoldPublic.model_validate(hold)


@router.get("/legal-holds", response_model=list[LegalHoldPublic], operation_id="listLegalHolds")
def list_legal_holds(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*HOLDERS)],
    subject_id: uuid.UUID | None = None,
    active: bool = True,
) -> list[LegalHoldPublic]:
    query = sa.select(LegalHold).where(jurisdictions.in_scope(LegalHold.jurisdiction_id, principal))
    if subject_id is not None:
        query = query.where(LegalHold.subject_id == subject_id)
    if active:
        query = query.where(LegalHold.released_at.is_(None))
    return [LegalHoldPublic.model_validate(h) for h in session.scalars(query.order_by(LegalHold.placed_at))]


@router.post(
    "/legal-holds/{hold_id}/release",
    response_model=LegalHoldPublic,
    operation_id="releaseLegalHold",
    responses=problems(409),
)
def release_legal_hold(
    hold_id: uuid.UUID, session: SessionDep, principal: Annotated[Principal, Allow(*HOLDERS)]
) -> LegalHoldPublic:
    hold = session.get(LegalHold, hold_id)
    if hold is None or not jurisdictions.id_in_scope(session, principal, hold.jurisdiction_id):
        raise not_found(f"legal hold {hold_id}")
    subject.release_hold(session, principal=principal, hold=hold)
    session.commit()
    return LegalHoldPublic.model_validate(hold)
