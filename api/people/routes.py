from __future__ import annotations

import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query

from api.audit import service as audit
from api.audit.models import AuditEntry
from api.audit.schemas import AccessReason
from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.encounters.models import Encounter
from api.errors import problems
from api.jurisdictions import service as jurisdictions
from api.people import service
from api.people.models import Person
from api.people.schemas import (
    AuditEntryPublic,
    AuditVerification,
    PersonCreate,
    PersonPatch,
    PersonRecord,
    PersonSummary,
)

WRITERS = (Role.officer, Role.station_staff, Role.supervisor)
READERS = (Role.officer, Role.dispatcher, Role.station_staff, Role.supervisor)

router = APIRouter(tags=["people"], responses=problems(400, 401, 403, 404, 422))


def _summary(session, person: Person) -> PersonSummary:
    count = session.scalar(sa.select(sa.func.count()).where(Encounter.person_id == person.id))
    return PersonSummary(id=person.id, alias=person.alias, safety_flags=person.safety_flags, encounters=count)


def _view(session, principal: Principal, person: Person, reason: str) -> PersonSummary | PersonRecord:
    """The record for those who may read personal data (the read audited), else the summary."""
    if principal.role not in service.PERSONAL_READERS:
        return _summary(session, person)
    return _record(session, principal, person, reason)


def _record(session, principal: Principal, person: Person, reason: str) -> PersonRecord:
    summary = _summary(session, person)
    service.read_personal(session, principal=principal, person=person, reason=reason)
    return PersonRecord(
        **summary.model_dump(),
        known_name=person.known_name,
        description=person.description,
        photo_ref=person.photo_ref,
        identity_status=person.identity_status,
        local_registration=person.local_registration,
        created_at=person.created_at,
        updated_at=person.updated_at,
    )


@router.post("/people", response_model=PersonSummary, status_code=201, operation_id="createPerson")
def create_person(
    body: PersonCreate,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*WRITERS)],
) -> PersonSummary:
    """A pseudonymous person record (a retry with the same id returns the same record)."""
    person = service.create(
        session,
        principal=principal,
        person_id=body.id,
        alias=body.alias,
        jurisdiction_id=principal.jurisdiction_id,
        safety_flags=body.safety_flags,
        known_name=body.known_name,
        description=body.description,
        photo_ref=body.photo_ref,
    )
    session.commit()
    return _summary(session, person)


@router.get("/people/{person_id}", response_model=PersonSummary, operation_id="getPerson")
def get_person(
    person_id: uuid.UUID, session: SessionDep, principal: Annotated[Principal, Allow(*READERS)]
) -> PersonSummary:
    """The alias, safety flags and number of encounters: no personal data (see readPersonRecord)."""
    return _summary(session, service.get(session, principal=principal, person_id=person_id))


@router.post("/people/{person_id}/record", response_model=PersonRecord, operation_id="readPersonRecord")
def read_person_record(
    person_id: uuid.UUID,
    body: AccessReason,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*service.PERSONAL_READERS)],
) -> PersonRecord:
    """The whole record with personal data, for station staff and supervisors. A POST: the
    reason goes in the body, not the URL, and every read is written to the audit log."""
    person = service.get(session, principal=principal, person_id=person_id)
    record = _record(session, principal, person, body.reason)
    session.commit()
    return record


@router.patch("/people/{person_id}", response_model=PersonRecord | PersonSummary, operation_id="updatePerson")
def update_person(
    person_id: uuid.UUID,
    body: PersonPatch,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*WRITERS)],
) -> PersonSummary | PersonRecord:
    person = service.get(session, principal=principal, person_id=person_id)
    service.update(session, principal=principal, person=person, changes=body.model_dump(exclude_unset=True))
    view = _view(session, principal, person, "record updated")
    session.commit()
    return view


@router.get("/audit", response_model=list[AuditEntryPublic], operation_id="readAuditLog")
def read_audit_log(
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.supervisor)],
    subject_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEntryPublic]:
    """Who read whose personal data, when and why (supervisors only)."""
    query = sa.select(AuditEntry).where(jurisdictions.in_scope(AuditEntry.jurisdiction_id, principal))
    if subject_id:
        query = query.where(AuditEntry.subject_id == subject_id)
    return [
        AuditEntryPublic.model_validate(e)
        for e in session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit))
    ]


@router.get("/audit/verify", response_model=AuditVerification, operation_id="verifyAuditLog")
def verify_audit_log(
    session: SessionDep, principal: Annotated[Principal, Allow(Role.supervisor)]
) -> AuditVerification:
    """Recompute the hash chain: `intact` is false from the first entry changed by hand."""
    result = audit.verify(session)
    return AuditVerification(
        entries=result.entries, intact=result.intact, first_broken_id=result.first_broken_id
    )
