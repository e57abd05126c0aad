"""What keeps a record out of retention and erasure: a legal hold, or an open case.

A case is open while any of these is: a handover not yet finished (held, requested,
accepted, in transit, arrived), an open revisit task, an open lead that names the encounter,
a police referral whose police handover has not been handed over or closed, or a critical
incident younger than ``retention_incident_review_days`` (incidents have no closing step of
their own, so they hold their records for a review period).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from api.encounters.models import CriticalIncident, Encounter, PoliceReferral, RevisitStatus, RevisitTask
from api.handovers.models import OPEN_STATES, Handover, HandoverKind, State
from api.leads.models import OPEN_STATUSES, Lead
from api.privacy.models import HoldSubject, LegalHold
from api.settings import get_settings

_OPEN_HANDOVER = [state.value for state in OPEN_STATES]
_FINISHED_POLICE = [State.handed_over.value, State.closed.value]


def held(subject_type: HoldSubject, subject_id: ColumnElement) -> ColumnElement[bool]:
    return sa.exists().where(
        LegalHold.subject_type == subject_type.value,
        LegalHold.subject_id == subject_id,
        LegalHold.released_at.is_(None),
    )


def _incident_recent(now: datetime) -> ColumnElement[bool]:
    review = timedelta(days=get_settings().retention_incident_review_days)
    return CriticalIncident.occurred_at > now - review


def _referral_open(encounter_id: ColumnElement) -> ColumnElement[bool]:
    finished = sa.exists().where(
        Handover.encounter_id == PoliceReferral.encounter_id,
        Handover.kind == HandoverKind.police_referral.value,
        Handover.state.in_(_FINISHED_POLICE),
    )
    return sa.exists().where(PoliceReferral.encounter_id == encounter_id, ~finished)


def encounter_open_case(encounter_id: ColumnElement, now: datetime) -> ColumnElement[bool]:
    """True while the encounter is part of an open case."""
    return sa.or_(
        sa.exists().where(Handover.encounter_id == encounter_id, Handover.state.in_(_OPEN_HANDOVER)),
        sa.exists().where(
            RevisitTask.encounter_id == encounter_id, RevisitTask.status == RevisitStatus.open.value
        ),
        sa.exists().where(
            Lead.status.in_([s.value for s in OPEN_STATUSES]), encounter_id == sa.any_(Lead.encounter_ids)
        ),
        _referral_open(encounter_id),
        sa.exists().where(CriticalIncident.encounter_id == encounter_id, _incident_recent(now)),
    )


def encounter_held(encounter_id: ColumnElement, person_id: ColumnElement) -> ColumnElement[bool]:
    """True when the encounter's person, or a lead naming the encounter, is under a legal hold."""
    lead_held = sa.exists().where(
        encounter_id == sa.any_(Lead.encounter_ids), held(HoldSubject.lead, Lead.id)
    )
    return sa.or_(held(HoldSubject.person, person_id), lead_held)


def person_open_case(person_id: ColumnElement, now: datetime) -> ColumnElement[bool]:
    """True while any case about the person, or about one of their encounters, is open."""
    theirs = aliased(Encounter)
    return sa.or_(
        sa.exists().where(Handover.person_id == person_id, Handover.state.in_(_OPEN_HANDOVER)),
        sa.exists().where(RevisitTask.person_id == person_id, RevisitTask.status == RevisitStatus.open.value),
        sa.exists().where(CriticalIncident.person_id == person_id, _incident_recent(now)),
        sa.exists().where(theirs.person_id == person_id, encounter_open_case(theirs.id, now)),
    )
