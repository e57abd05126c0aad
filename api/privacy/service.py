"""Retention: what is past its time is wiped or dropped, except under a legal hold or an open case.

Each kind has its own period (settings ``PATROL_RETENTION_*``, and
``PATROL_GPS_RETENTION_MONTHS`` for the GPS partitions). Statistics survive: encounters lose
their free text, never their row; leads lose the reporter's contact and photos, never their
outcome. Every run that changes something writes one audit entry per kind and jurisdiction
with the count.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from api.audit import service as audit
from api.auth.deps import Principal, system_principal
from api.encounters.models import Encounter
from api.jurisdictions.models import Jurisdiction
from api.leads.models import Lead, LeadPhoto, Status
from api.patrols import partitions
from api.people.models import Person
from api.privacy import cases
from api.privacy.models import HoldSubject
from api.settings import get_settings

ENCOUNTER_TEXT = ("notes", "answer", "consent_note", "persuasion_note", "no_medical_reason")
_FINISHED_LEAD = [Status.closed.value, Status.linked.value]


@dataclass
class KindResult:
    """What one kind of record had past retention (and, unless a dry run, lost)."""

    kind: str
    action: str  # "anonymise", "wipe", "delete" or "drop"
    cutoff: datetime
    fields: tuple[str, ...]
    by_jurisdiction: Counter[int] = field(default_factory=Counter)
    names: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.names) if self.names else sum(self.by_jurisdiction.values())


@dataclass
class RetentionReport:
    run_id: uuid.UUID
    dry_run: bool
    results: list[KindResult]


def _rows(session: Session, query) -> list[tuple[uuid.UUID, int]]:
    return [(row[0], row[1]) for row in session.execute(query).all()]


def _tally(result: KindResult, rows: list[tuple[uuid.UUID, int]]) -> list[uuid.UUID]:
    result.by_jurisdiction.update(jurisdiction_id for _, jurisdiction_id in rows)
    return [row_id for row_id, _ in rows]


def _unlinked_encounters(session: Session, now: datetime, dry_run: bool) -> KindResult:
    cutoff = now - timedelta(days=get_settings().retention_encounter_days)
    result = KindResult("encounter_text", "anonymise", cutoff, ENCOUNTER_TEXT)
    text_present = sa.or_(*(getattr(Encounter, name).isnot(None) for name in ENCOUNTER_TEXT))
    query = sa.select(Encounter.id, Encounter.jurisdiction_id).where(
        Encounter.person_id.is_(None),
        Encounter.occurred_at < cutoff,
        text_present,
        ~cases.encounter_open_case(Encounter.id, now),
        ~cases.encounter_held(Encounter.id, Encounter.person_id),
    )
    ids = _tally(result, _rows(session, query.with_for_update(of=Encounter)))
    if ids and not dry_run:
        session.execute(
            sa.update(Encounter).where(Encounter.id.in_(ids)).values(dict.fromkeys(ENCOUNTER_TEXT))
        )
    return result


def _expired_leads(cutoff: datetime):
    return (
        Lead.status.in_(_FINISHED_LEAD),
        sa.func.coalesce(Lead.closed_at, Lead.updated_at) < cutoff,
        ~cases.held(HoldSubject.lead, Lead.id),
    )


def _lead_contacts(session: Session, now: datetime, dry_run: bool) -> KindResult:
    cutoff = now - timedelta(days=get_settings().retention_lead_contact_days)
    result = KindResult("lead_contact", "wipe", cutoff, ("reporter_contact", "reporter_hint"))
    query = sa.select(Lead.id, Lead.jurisdiction_id).where(
        *_expired_leads(cutoff), sa.or_(Lead.reporter_contact.isnot(None), Lead.reporter_hint.isnot(None))
    )
    ids = _tally(result, _rows(session, query.with_for_update(of=Lead)))
    if ids and not dry_run:
        session.execute(
            sa.update(Lead).where(Lead.id.in_(ids)).values(reporter_contact=None, reporter_hint=None)
        )
    return result


def _lead_photos(session: Session, now: datetime, dry_run: bool) -> KindResult:
    cutoff = now - timedelta(days=get_settings().retention_lead_photo_days)
    result = KindResult("lead_photo", "delete", cutoff, ("lead_photos", "media_url"))
    has_photo = sa.exists().where(LeadPhoto.lead_id == Lead.id)
    query = sa.select(Lead.id, Lead.jurisdiction_id).where(
        *_expired_leads(cutoff), sa.or_(has_photo, Lead.media_url.isnot(None))
    )
    ids = _tally(result, _rows(session, query.with_for_update(of=Lead)))
    if ids and not dry_run:
        session.execute(sa.delete(LeadPhoto).where(LeadPhoto.lead_id.in_(ids)))
        session.execute(sa.update(Lead).where(Lead.id.in_(ids)).values(media_url=None))
    return result


def _person_photos(session: Session, now: datetime, dry_run: bool) -> KindResult:
    cutoff = now - timedelta(days=get_settings().retention_person_photo_days)
    result = KindResult("person_photo", "wipe", cutoff, ("photo_ref",))
    seen_since = sa.exists().where(Encounter.person_id == Person.id, Encounter.occurred_at >= cutoff)
    query = sa.select(Person.id, Person.jurisdiction_id).where(
        Person.photo_ref.isnot(None),
        Person.updated_at < cutoff,
        ~seen_since,
        ~cases.held(HoldSubject.person, Person.id),
        ~cases.person_open_case(Person.id, now),
    )
    ids = _tally(result, _rows(session, query.with_for_update(of=Person)))
    if ids and not dry_run:
        session.execute(sa.update(Person).where(Person.id.in_(ids)).values(photo_ref=None))
    return result


def _gps_partitions(session: Session, now: datetime, dry_run: bool) -> KindResult:
    months = get_settings().gps_retention_months
    first_kept = partitions.oldest_kept(now=now, retention_months=months)
    cutoff = datetime(first_kept.year, first_kept.month, 1, tzinfo=now.tzinfo)
    result = KindResult("gps_partition", "drop", cutoff, ())
    result.names = partitions.expired(session, now=now, retention_months=months)
    if result.names and not dry_run:
        partitions.drop(session, result.names)
    return result


GPS_ONLY = (_gps_partitions,)
KINDS = (_gps_partitions, _unlinked_encounters, _lead_contacts, _lead_photos, _person_photos)


def _audit(session: Session, principal: Principal, run_id: uuid.UUID, result: KindResult) -> None:
    jurisdictions = result.by_jurisdiction
    if result.names:  # GPS partitions span every city: one entry under each top-level jurisdiction
        roots = session.scalars(sa.select(Jurisdiction.id).where(Jurisdiction.parent_id.is_(None)))
        jurisdictions = Counter(dict.fromkeys(roots, result.count))
    for jurisdiction_id, count in sorted(jurisdictions.items()):
        detail = f": {', '.join(result.names)}" if result.names else ""
        audit.record(
            session,
            principal=principal,
            action=f"retention_{result.action}",
            subject_type=result.kind,
            subject_id=str(run_id),
            fields=result.fields,
            reason=f"{count} past retention (before {result.cutoff:%Y-%m-%d}){detail}"[:300],
            jurisdiction_id=jurisdiction_id,
        )


def run(session: Session, *, now: datetime, dry_run: bool = False, kinds=KINDS) -> RetentionReport:
    """Apply the retention periods of ``kinds`` (all by default) as of ``now`` in the session's
    transaction (the caller commits); with ``dry_run`` only count. Held records and open cases
    are never touched; what is done is written to the audit log."""
    run_id = uuid.uuid4()
    results = [kind(session, now, dry_run) for kind in kinds]
    if not dry_run:
        principal = system_principal()
        for result in results:
            _audit(session, principal, run_id, result)
    return RetentionReport(run_id=run_id, dry_run=dry_run, results=results)
