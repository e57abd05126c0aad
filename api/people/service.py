"""Person records: pseudonymous for officers, personal data for station staff and supervisors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import Session

from api.audit import service as audit
from api.auth.deps import Principal
from api.auth.models import Role
from api.errors import ProblemError, forbidden, not_found
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.people.models import Person

PERSONAL_READERS = {Role.station_staff, Role.supervisor}
PERSONAL_FIELDS = ("known_name", "description", "photo_ref", "identity_status", "local_registration")


def create(
    session: Session,
    *,
    principal: Principal,
    person_id: uuid.UUID,
    alias: str,
    jurisdiction_id: int,
    safety_flags: list[str],
    known_name: str | None = None,
    description: str | None = None,
    photo_ref: str | None = None,
) -> Person:
    """Create a person, or return the one this id already created (a retried upload)."""
    existing = session.get(Person, person_id)
    if existing is not None:
        return existing
    person = Person(
        id=person_id,
        jurisdiction_id=jurisdiction_id,
        alias=alias,
        safety_flags=safety_flags,
        known_name=known_name,
        description=description,
        photo_ref=photo_ref,
        created_by=principal.id,
    )
    session.add(person)
    session.flush()
    return person


def get(session: Session, *, principal: Principal, person_id: uuid.UUID) -> Person:
    """A person on record in the caller's line of jurisdiction (above or below); 404 otherwise."""
    person = session.get(Person, person_id)
    if person is None:
        raise not_found(f"person {person_id}")
    path = session.get(Jurisdiction, person.jurisdiction_id).path
    mine = principal.jurisdiction_path
    if not (jurisdictions.is_within(path, mine) or jurisdictions.is_within(mine, path)):
        raise not_found(f"person {person_id}")
    return person


def read_personal(session: Session, *, principal: Principal, person: Person, reason: str) -> None:
    """Allow a read of personal data and write it to the audit log, or refuse. ``reason`` has
    been checked where it came in (``AccessReason``)."""
    if principal.role not in PERSONAL_READERS:
        raise forbidden(f"role {principal.role} may not read personal data")
    audit.record(
        session,
        principal=principal,
        action="read_person",
        subject_type="person",
        subject_id=str(person.id),
        fields=PERSONAL_FIELDS,
        reason=reason,
        jurisdiction_id=person.jurisdiction_id,
    )


def update(session: Session, *, principal: Principal, person: Person, changes: dict) -> Person:
    personal = set(changes) & set(PERSONAL_FIELDS)
    if personal and principal.role not in PERSONAL_READERS:
        raise forbidden(f"role {principal.role} may not change {', '.join(sorted(personal))}")
    if changes.get("identity_status") == "verified" and principal.role != Role.station_staff:
        raise ProblemError(403, "only rescue-station staff verify an identity", kind="forbidden")
    for name, value in changes.items():
        setattr(person, name, value.value if hasattr(value, "value") else value)
    person.updated_at = datetime.now(UTC)
    session.flush()
    return person
