"""Handovers: the receiving organisation must know, accept and sign; nobody falls between two
organisations, and nobody stays in hospital because nobody came."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlmodel import Session

from api.auth.deps import Principal
from api.auth.models import Role, User
from api.encounters.models import Encounter
from api.errors import ProblemError, forbidden, invalid, not_found
from api.geojson import to_db
from api.handovers import record
from api.handovers.models import OPEN_STATES, TRANSITIONS, Handover, HandoverKind, HandoverStep, State
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.organisations.models import Organisation, OrganisationKind
from api.people.models import Person, Registration
from api.settings import get_settings
from api.teams.models import TeamMember
from notifications import queue
from notifications import service as notifications
from notifications.audience import Audience
from notifications.models import Priority

COMMAND = {Role.dispatcher, Role.supervisor, Role.admin}
RECEIVER_KINDS = {
    HandoverKind.to_station: {OrganisationKind.rescue_station},
    HandoverKind.to_hospital: {OrganisationKind.hospital},
    HandoverKind.identity_check: {OrganisationKind.rescue_station},
    HandoverKind.discharge_pickup: {OrganisationKind.street_office, OrganisationKind.civil_affairs_bureau},
    HandoverKind.police_referral: {OrganisationKind.police_station},
}
LABELS = {
    HandoverKind.to_station: "护送至救助站",
    HandoverKind.to_hospital: "护送至医院",
    HandoverKind.identity_check: "医院身份甄别",
    HandoverKind.discharge_pickup: "出院接领",
    HandoverKind.police_referral: "移交公安",
}


def _deadline(kind: HandoverKind, start: datetime) -> datetime:
    return start + timedelta(minutes=getattr(get_settings(), f"handover_minutes_{kind.value}"))


def _step(
    session: Session,
    handover: Handover,
    to_state: State,
    principal: Principal | None,
    place: Point | None = None,
    note: str | None = None,
) -> None:
    session.add(
        HandoverStep(
            handover_id=handover.id,
            from_state=handover.state if handover.state else None,
            to_state=to_state.value,
            actor_id=principal.id if principal else None,
            at=datetime.now(UTC),
            geom=to_db(place) if place else None,
            note=note,
        )
    )
    handover.state = to_state.value
    handover.updated_at = datetime.now(UTC)


def _announce(
    session: Session, handover: Handover, kind: str, title: str, body: str, priority: Priority = Priority.high
) -> None:
    """The receiving organisation's inbox and the live stream hear of every step."""
    payload = {
        "handover_id": str(handover.id),
        "kind": handover.kind,
        "state": handover.state,
        "eta": handover.eta.isoformat() if handover.eta else "",
        "needs": "、".join(handover.needs),
    }
    notifications.notify(
        session,
        audience=Audience.organisation(handover.to_organisation_id),
        kind=kind,
        title=title,
        body=body,
        payload=payload,
        priority=priority,
    )
    notifications.publish_event(
        session,
        kind=kind,
        jurisdiction_id=handover.jurisdiction_id,
        roles=(Role.dispatcher, Role.supervisor, Role.admin),
        payload=payload,
    )


def require_known(session: Session, *, encounter_id: uuid.UUID | None, person_id: uuid.UUID | None) -> None:
    """404 for an encounter or person the server does not have (yet: a phone that uploads out of
    order sends the encounter first and keeps this record queued)."""
    if encounter_id is not None and session.get(Encounter, encounter_id) is None:
        raise not_found(f"encounter {encounter_id}")
    if person_id is not None and session.get(Person, person_id) is None:
        raise not_found(f"person {person_id}")


def create(
    session: Session,
    *,
    principal: Principal | None,
    kind: HandoverKind,
    to_organisation_id: int,
    jurisdiction_id: int,
    encounter_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    from_organisation_id: int | None = None,
    needs: Sequence[str] = (),
    belongings: Sequence[str] = (),
    health_notes: str | None = None,
    eta: datetime | None = None,
    held: bool = False,
    fit_for_discharge_at: datetime | None = None,
    rerouted_from: uuid.UUID | None = None,
    handover_id: uuid.UUID | None = None,
) -> Handover:
    require_known(session, encounter_id=encounter_id, person_id=person_id)
    receiver = session.get(Organisation, to_organisation_id)
    if receiver is None or receiver.kind not in RECEIVER_KINDS[kind]:
        wanted = " or ".join(sorted(RECEIVER_KINDS[kind]))
        raise invalid(f"a {kind} handover goes to a {wanted}", loc=["body", "to_organisation_id"])
    now = datetime.now(UTC)
    handover = Handover(
        id=handover_id or uuid.uuid4(),
        kind=kind.value,
        state="",
        jurisdiction_id=jurisdiction_id,
        to_organisation_id=receiver.id,
        from_organisation_id=from_organisation_id,
        created_by=principal.id if principal else None,
        encounter_id=encounter_id,
        person_id=person_id,
        needs=list(needs),
        belongings=list(belongings),
        health_notes=health_notes,
        eta=eta,
        deadline_at=_deadline(kind, now),
        legal_case_pending=held,
        fit_for_discharge_at=fit_for_discharge_at,
        rerouted_from=rerouted_from,
    )
    session.add(handover)
    _step(session, handover, State.held if held else State.requested, principal)
    session.flush()
    if not held:
        _request(session, handover)
    return handover


def _request(session: Session, handover: Handover) -> None:
    eta = f"，预计 {handover.eta.astimezone(UTC):%H:%M} UTC 到达" if handover.eta else ""
    _announce(
        session,
        handover,
        "handover.requested",
        f"新交接：{LABELS[HandoverKind(handover.kind)]}",
        f"需求：{'、'.join(handover.needs) or '—'}{eta}",
    )
    queue.defer(
        session,
        "handover_deadline",
        queue=queue.PATROL_QUEUE,
        schedule_at=handover.deadline_at,
        handover_id=str(handover.id),
        deadline=handover.deadline_at.isoformat(),
    )


def from_escort(session: Session, principal: Principal, encounter: Encounter) -> Handover:
    """An escort outcome hands the person over to the station or hospital it names."""
    kind = HandoverKind.to_station if encounter.outcome == "escorted_to_station" else HandoverKind.to_hospital
    health = "、".join(c for c in encounter.categories) or None
    return create(
        session,
        principal=principal,
        kind=kind,
        to_organisation_id=encounter.destination_organisation_id,
        jurisdiction_id=encounter.jurisdiction_id,
        encounter_id=encounter.id,
        person_id=encounter.person_id,
        from_organisation_id=principal.organisation_id,
        needs=encounter.needs,
        health_notes=health,
        eta=encounter.occurred_at + timedelta(minutes=30),
    )


# Who sees what --------------------------------------------------------------------------------


def _my_teams(session: Session, user_id) -> set:
    return set(session.scalars(sa.select(TeamMember.team_id).where(TeamMember.user_id == user_id)))


def may_see(session: Session, principal: Principal, handover: Handover) -> bool:
    if principal.role in COMMAND:
        return jurisdictions.id_in_scope(session, principal, handover.jurisdiction_id)
    if (
        principal.organisation_id is not None
        and principal.organisation_id in (handover.to_organisation_id, handover.from_organisation_id)
        and principal.role in (Role.station_staff, Role.hospital_staff)
    ):
        return True
    if principal.role == Role.officer:
        if handover.created_by == principal.id:
            return True
        encounter = session.get(Encounter, handover.encounter_id) if handover.encounter_id else None
        return encounter is not None and encounter.team_id in _my_teams(session, principal.id)
    return False


def get(session: Session, *, principal: Principal, handover_id: uuid.UUID, lock: bool = False) -> Handover:
    """A handover the caller may see; 404 for anything else (a hospital never learns of another's)."""
    handover = session.get(Handover, handover_id, with_for_update=lock)
    if handover is None or not may_see(session, principal, handover):
        raise not_found(f"handover {handover_id}")
    return handover


def _receiver(principal: Principal, handover: Handover) -> bool:
    return principal.organisation_id == handover.to_organisation_id


def _may_step(principal: Principal, handover: Handover, to_state: State) -> bool:
    if principal.role in COMMAND:
        return to_state != State.handed_over
    receiver = _receiver(principal, handover)
    sender = principal.id == handover.created_by or principal.role == Role.officer
    return {
        State.accepted: receiver,
        State.declined: receiver,
        State.in_transit: sender or receiver,
        State.arrived: sender or receiver,
        State.closed: receiver,
        State.requested: False,
        State.expired: False,
    }.get(to_state, False)


def move(
    session: Session,
    *,
    principal: Principal,
    handover_id: uuid.UUID,
    to_state: State,
    place: Point | None,
    note: str | None,
) -> Handover:
    """Take one step. Asking for the state the handover is already in (a phone retrying after
    a lost answer) returns it unchanged: the first step, its time, place and note stand."""
    handover = get(session, principal=principal, handover_id=handover_id, lock=True)
    current = State(handover.state)
    if current == to_state and _may_step(principal, handover, to_state):
        return handover  # a retried step: the first one stands
    if to_state not in TRANSITIONS[current] or to_state == State.handed_over:
        raise ProblemError(
            409, f"a handover cannot go from {current} to {to_state}", kind="illegal-transition"
        )
    if not _may_step(principal, handover, to_state):
        raise forbidden(f"you may not mark this handover {to_state}")
    if to_state == State.declined and not (note and note.strip()):
        raise invalid("say why the handover is declined (note)", loc=["body", "note"])
    _step(session, handover, to_state, principal, place, note)
    if to_state == State.declined:
        handover.decline_reason = note
        _tell_dispatchers(
            session,
            handover,
            "handover.declined",
            "交接被拒，请改派",
            f"{LABELS[HandoverKind(handover.kind)]}被拒：{note}",
        )
    elif to_state == State.arrived:
        _announce(session, handover, "handover.arrived", "交接人员已到达", "请到场确认并签收")
    session.flush()
    return handover


def _tell_dispatchers(session: Session, handover: Handover, kind: str, title: str, body: str) -> None:
    code = session.get(Jurisdiction, handover.jurisdiction_id).code
    notifications.notify(
        session,
        audience=Audience.responsible(code, Role.dispatcher),
        kind=kind,
        title=title,
        body=body,
        payload={"handover_id": str(handover.id)},
        priority=Priority.high,
    )


def reroute(
    session: Session, *, principal: Principal, handover_id: uuid.UUID, to_organisation_id: int
) -> Handover:
    """A declined or expired handover goes to another organisation (the old one stays as it was)."""
    old = get(session, principal=principal, handover_id=handover_id, lock=True)
    if State(old.state) not in (State.declined, State.expired):
        raise ProblemError(
            409,
            f"only a declined or expired handover is rerouted, not one {old.state}",
            kind="illegal-transition",
        )
    return create(
        session,
        principal=principal,
        kind=HandoverKind(old.kind),
        to_organisation_id=to_organisation_id,
        jurisdiction_id=old.jurisdiction_id,
        encounter_id=old.encounter_id,
        person_id=old.person_id,
        from_organisation_id=old.from_organisation_id,
        needs=old.needs,
        belongings=old.belongings,
        health_notes=old.health_notes,
        eta=old.eta,
        rerouted_from=old.id,
        fit_for_discharge_at=old.fit_for_discharge_at,
    )


# The written record ---------------------------------------------------------------------------


def _hash_code(handover_id: uuid.UUID, code: str) -> str:
    return hashlib.sha256(f"{handover_id}:{code}".encode()).hexdigest()


def issue_code(session: Session, *, principal: Principal, handover_id: uuid.UUID) -> tuple[str, datetime]:
    """A one-time code for the sender's phone; the receiver types it in to confirm."""
    handover = get(session, principal=principal, handover_id=handover_id, lock=True)
    if handover.state != State.arrived:
        raise ProblemError(409, "a confirmation code is issued on arrival", kind="illegal-transition")
    if _receiver(principal, handover) or principal.role not in (
        Role.officer,
        Role.hospital_staff,
        Role.station_staff,
        Role.dispatcher,
    ):
        raise forbidden("the code is for the side that hands over")
    code = f"{secrets.randbelow(1_000_000):06d}"
    handover.code_hash = _hash_code(handover.id, code)
    handover.code_expires_at = datetime.now(UTC) + timedelta(minutes=get_settings().handover_code_minutes)
    session.flush()
    return code, handover.code_expires_at


@dataclass(frozen=True)
class Confirmation:
    receiver_name: str
    code: str | None
    signature_ref: str | None
    place: Point | None


def confirm(
    session: Session, *, principal: Principal, handover_id: uuid.UUID, confirmation: Confirmation
) -> Handover:
    """The receiver signs: the handover is handed over and its written record issued, once."""
    handover = get(session, principal=principal, handover_id=handover_id, lock=True)
    if handover.state != State.arrived:
        raise ProblemError(
            409, f"a handover cannot go from {handover.state} to handed_over", kind="illegal-transition"
        )
    if not _receiver(principal, handover):
        raise forbidden("only the receiving organisation confirms a handover")
    if confirmation.code is not None:
        valid = (
            handover.code_hash is not None
            and handover.code_expires_at > datetime.now(UTC)
            and hmac.compare_digest(handover.code_hash, _hash_code(handover.id, confirmation.code))
        )
        if not valid:
            raise invalid(
                "the code is wrong or has expired; ask the sender for a new one", loc=["body", "code"]
            )
    elif not confirmation.signature_ref:
        raise invalid("confirm with the sender's one-time code or a signature image", loc=["body", "code"])
    handover.receiver_name, handover.receiver_user_id = confirmation.receiver_name, principal.id
    handover.signature_ref, handover.handed_over_at = confirmation.signature_ref, datetime.now(UTC)
    handover.code_hash = None
    _step(session, handover, State.handed_over, principal, confirmation.place, "confirmed by the receiver")
    handover.record_pdf, handover.record_sha256 = record.render(
        _record_content(session, handover, confirmation)
    )
    session.flush()
    return handover


def _record_content(session: Session, handover: Handover, confirmation: Confirmation) -> record.RecordContent:
    sender = session.get(User, handover.created_by) if handover.created_by else None
    sender_org = (
        session.get(Organisation, handover.from_organisation_id) if handover.from_organisation_id else None
    )
    receiver_org = session.get(Organisation, handover.to_organisation_id)
    person = session.get(Person, handover.person_id) if handover.person_id else None
    encounter = session.get(Encounter, handover.encounter_id) if handover.encounter_id else None
    zone = session.get(Jurisdiction, handover.jurisdiction_id).timezone
    summary = []
    if encounter is not None:
        summary = [
            f"{record.local_time(encounter.occurred_at, zone)} 现场处置",
            f"类别：{'、'.join(encounter.categories) or '—'}",
            f"提供：{'、'.join(encounter.offered) or '—'}",
            f"结果：{encounter.outcome}",
        ]
    place = confirmation.place or (to_shape(encounter.geom) if encounter else None)
    requested = session.scalar(
        sa.select(sa.func.min(HandoverStep.at)).where(HandoverStep.handover_id == handover.id)
    )
    return record.RecordContent(
        handover_id=str(handover.id),
        kind=LABELS[HandoverKind(handover.kind)],
        sender=sender.display_name if sender else "—",
        sender_organisation=sender_org.name if sender_org else "—",
        receiver_name=confirmation.receiver_name,
        receiver_organisation=receiver_org.name,
        person=f"{person.alias}（身份：{person.identity_status}）" if person else "—",
        encounter_summary=summary,
        needs=handover.needs,
        belongings=handover.belongings,
        health_notes=handover.health_notes or "",
        requested_at=requested,
        handed_over_at=handover.handed_over_at,
        place=f"{place.x:.6f}, {place.y:.6f} (WGS84)" if place else "—",
        sender_confirmation="一次性确认码已核验 one-time code verified"
        if confirmation.code
        else "签名图片 signature image",
        receiver_confirmation=f"{confirmation.receiver_name}，{receiver_org.name}，"
        f"{record.local_time(handover.handed_over_at, zone)}"
        + (f"，签名 {confirmation.signature_ref}" if confirmation.signature_ref else ""),
        timezone=zone,
    )


# Discharge -----------------------------------------------------------------------------------


def _nearest_office(session: Session, path: str, kind: OrganisationKind) -> Organisation | None:
    """The organisation of this kind whose jurisdiction is the deepest one covering ``path``."""
    return session.scalar(
        sa.select(Organisation)
        .join(Jurisdiction, Jurisdiction.id == Organisation.jurisdiction_id)
        .where(
            Organisation.kind == kind,
            Jurisdiction.path.op("@>", is_comparison=True)(sa.cast(path, Jurisdiction.path.type)),
        )
        .order_by(sa.func.nlevel(Jurisdiction.path).desc())
        .limit(1)
    )


def discharge(
    session: Session,
    *,
    principal: Principal,
    person_id: uuid.UUID,
    legal_case_pending: bool,
    health_notes: str | None,
    belongings: Sequence[str],
) -> Handover:
    """A patient fit for discharge: locally registered people go to their street or township
    office, everyone else to the civil-affairs office where the hospital is; held while a legal
    case is pending."""
    hospital = session.get(Organisation, principal.organisation_id) if principal.organisation_id else None
    if hospital is None or hospital.kind != OrganisationKind.hospital:
        raise forbidden("only hospital staff mark patients fit for discharge")
    person = session.get(Person, person_id)
    if person is None:
        raise invalid(f"no person {person_id}", loc=["body", "person_id"])
    if person.local_registration == Registration.yes:
        home = session.get(Jurisdiction, person.jurisdiction_id).path
        office = _nearest_office(session, home, OrganisationKind.street_office)
    else:
        office = _nearest_office(
            session,
            session.get(Jurisdiction, hospital.jurisdiction_id).path,
            OrganisationKind.civil_affairs_bureau,
        )
    if office is None:
        raise invalid(
            "no office on record collects this person; ask the dispatcher", loc=["body", "person_id"]
        )
    return create(
        session,
        principal=principal,
        kind=HandoverKind.discharge_pickup,
        to_organisation_id=office.id,
        jurisdiction_id=hospital.jurisdiction_id,
        person_id=person.id,
        from_organisation_id=hospital.id,
        health_notes=health_notes,
        belongings=belongings,
        held=legal_case_pending,
        fit_for_discharge_at=datetime.now(UTC),
    )


def release(session: Session, *, principal: Principal, handover_id: uuid.UUID) -> Handover:
    """The legal case closed: the pick-up is requested now, with a fresh deadline."""
    handover = get(session, principal=principal, handover_id=handover_id, lock=True)
    if handover.state != State.held:
        raise ProblemError(
            409, f"only a held discharge is released, not one {handover.state}", kind="illegal-transition"
        )
    if principal.organisation_id != handover.from_organisation_id and principal.role not in COMMAND:
        raise forbidden("the discharging hospital releases the pick-up")
    handover.legal_case_pending = False
    handover.deadline_at = _deadline(HandoverKind.discharge_pickup, datetime.now(UTC))
    _step(session, handover, State.requested, principal, note="legal case closed")
    _request(session, handover)
    session.flush()
    return handover


def waiting_after_discharge(session: Session, *, principal: Principal) -> list[tuple[Handover, float]]:
    """Discharge pick-ups with the days each person waited (or is waiting) after being fit to leave."""
    rows = session.scalars(
        sa.select(Handover)
        .where(
            Handover.kind == HandoverKind.discharge_pickup,
            jurisdictions.in_scope(Handover.jurisdiction_id, principal),
        )
        .order_by(Handover.fit_for_discharge_at)
    ).all()
    now = datetime.now(UTC)
    return [(h, ((h.handed_over_at or now) - h.fit_for_discharge_at).total_seconds() / 86400) for h in rows]


def check_deadline(session: Session, handover_id: uuid.UUID, deadline: datetime) -> bool:
    """At the deadline: still not handed over? Tell the dispatchers and the receiver's supervisors."""
    handover = session.get(Handover, handover_id)
    if handover is None or State(handover.state) not in OPEN_STATES or handover.deadline_at != deadline:
        return False
    receiver = session.get(Organisation, handover.to_organisation_id)
    body = f"{LABELS[HandoverKind(handover.kind)]}（{receiver.name}）已超过时限，状态：{handover.state}"
    for audience in (
        Audience.responsible(session.get(Jurisdiction, handover.jurisdiction_id).code, Role.dispatcher),
        Audience.responsible(session.get(Jurisdiction, receiver.jurisdiction_id).code, Role.supervisor),
    ):
        notifications.notify(
            session,
            audience=audience,
            kind="handover.overdue",
            title="交接超时",
            body=body,
            payload={"handover_id": str(handover.id), "state": handover.state},
            priority=Priority.critical,
        )
    return True
