"""Leads from intake to outcome: placing, de-duplicating, offering, deadlines and closing.

Every change happens in the caller's transaction together with the notifications, live
events, deadline jobs and 12345 callbacks it causes.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from geoalchemy2 import functions as gf
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlmodel import Session

from api.audit import service as audit
from api.auth.deps import Principal
from api.auth.models import Role
from api.db import as_geography
from api.encounters.models import Encounter
from api.errors import ProblemError, forbidden, invalid, not_found
from api.geojson import to_db
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.leads import contact, places, routing
from api.leads.models import (
    NEEDS_ENCOUNTER,
    OPEN_STATUSES,
    Landmark,
    Lead,
    LeadOutcome,
    LeadPhoto,
    OfferAnswer,
    PlaceSource,
    Source,
    Status,
    Urgency,
)
from api.organisations.models import Organisation, OrganisationKind
from api.settings import get_settings
from api.teams.models import TeamMember
from notifications import queue
from notifications import service as notifications
from notifications.audience import Audience
from notifications.models import Priority

COMMAND = (Role.dispatcher, Role.supervisor, Role.admin)
LIVE_VIEWERS = (Role.dispatcher, Role.supervisor, Role.admin)


@dataclass
class Intake:
    """A lead as any intake path hands it over, already in WGS84."""

    source: Source
    description: str
    jurisdiction: Jurisdiction  # where the report was made: the place is searched in and below it
    point: Point | None = None
    place_text: str | None = None
    urgency: Urgency = Urgency.normal
    minor_involved: bool = False
    age_band: str | None = None
    contact: dict[str, str] = field(default_factory=dict)
    external_ref: str | None = None
    callback_url: str | None = None
    media_url: str | None = None
    photos: list[tuple[str, bytes]] = field(default_factory=list)
    created_by: uuid.UUID | None = None


def receipt_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now_utc() -> datetime:
    return datetime.now(UTC)


def _deadline(urgency: Urgency, created: datetime) -> datetime:
    settings = get_settings()
    minutes = (
        settings.lead_deadline_minutes_urgent
        if urgency == Urgency.urgent
        else settings.lead_deadline_minutes_normal
    )
    return created + timedelta(minutes=minutes)


def _code(session: Session, jurisdiction_id: int) -> str:
    return session.get(Jurisdiction, jurisdiction_id).code


def _place(session: Session, intake: Intake) -> tuple[Point | None, str | None, int]:
    """(point, how it was found, jurisdiction id) for the intake."""
    if intake.point is not None:
        covering = jurisdictions.deepest_covering(session=session, point_wgs84=intake.point)
        if covering is None or not jurisdictions.is_within(covering.path, intake.jurisdiction.path):
            raise invalid(
                f"the place lies outside {intake.jurisdiction.name}",
                loc=["body", "place"],
                kind="outside-jurisdiction",
            )
        return intake.point, PlaceSource.reported, covering.id
    if intake.place_text:
        found = places.match(session, intake.place_text, intake.jurisdiction.path)
        if found is not None:
            covering = jurisdictions.deepest_covering(session=session, point_wgs84=found.point)
            if covering is not None:
                return found.point, PlaceSource.gazetteer, covering.id
    return None, None, intake.jurisdiction.id


def create(
    session: Session, intake: Intake, *, lead_id: uuid.UUID | None = None, now: datetime | None = None
) -> tuple[Lead, str | None]:
    """Record the lead and set it moving; returns (lead, receipt token). A ticket already taken
    in (same source and external reference) comes back with no new token."""
    if intake.external_ref is not None:
        existing = session.scalar(
            sa.select(Lead).where(Lead.source == intake.source, Lead.external_ref == intake.external_ref)
        )
        if existing is not None:
            return existing, None
    now = now or now_utc()
    point, place_source, jurisdiction_id = _place(session, intake)
    token = secrets.token_urlsafe(18)
    lead = Lead(
        id=lead_id or uuid.uuid4(),
        source=intake.source,
        external_ref=intake.external_ref,
        urgency=intake.urgency,
        minor_involved=intake.minor_involved,
        age_band=intake.age_band,
        description=intake.description,
        place_text=intake.place_text,
        geom=to_db(point) if point is not None else None,
        place_source=place_source,
        jurisdiction_id=jurisdiction_id,
        reporter_contact=contact.seal(intake.contact),
        reporter_hint=contact.hint(intake.contact),
        receipt_hash=receipt_hash(token),
        media_url=intake.media_url,
        callback_url=intake.callback_url,
        created_by=intake.created_by,
        created_at=now,
        updated_at=now,
        deadline_at=_deadline(intake.urgency, now),
    )
    session.add(lead)
    session.flush()
    session.add_all(LeadPhoto(lead_id=lead.id, content_type=kind, data=data) for kind, data in intake.photos)
    queue.defer(
        session, "lead_deadline", queue=queue.PATROL_QUEUE, schedule_at=lead.deadline_at, lead_id=str(lead.id)
    )
    _callback(session, lead, "受理", "已受理")
    if lead.urgency == Urgency.urgent or lead.minor_involved:
        _alert_police_and_dispatch(session, lead)
    if point is None:
        _ask_dispatcher_to_pin(session, lead)
        _announce(session, lead, "lead.new")
    else:
        _route_new(session, lead, now)
    return lead, token


def _route_new(session: Session, lead: Lead, now: datetime) -> None:
    primary = duplicate_target(session, lead, now)
    if primary is not None:
        lead.status, lead.duplicate_of = Status.linked, primary.id
        session.add(lead)
        session.flush()
        _announce(session, lead, "lead.linked")
        return
    _announce(session, lead, "lead.new")
    dispatch_next(session, lead, now)


def duplicate_target(session: Session, lead: Lead, now: datetime) -> Lead | None:
    """The nearest open lead (not itself a duplicate) within the duplicate distance and time."""
    settings = get_settings()
    place = as_geography(routing.geometry_value(lead.geom))
    return session.scalar(
        sa.select(Lead)
        .where(
            Lead.id != lead.id,
            Lead.status.in_([s.value for s in OPEN_STATUSES]),
            Lead.geom.is_not(None),
            Lead.created_at >= now - timedelta(minutes=settings.lead_duplicate_minutes),
            gf.ST_DWithin(as_geography(Lead.geom), place, settings.lead_duplicate_m),
        )
        .order_by(gf.ST_Distance(as_geography(Lead.geom), place), Lead.created_at)
        .limit(1)
    )


def dispatch_next(session: Session, lead: Lead, now: datetime) -> bool:
    """Offer the lead to the next nearest team, or hand it to the dispatchers when none is left."""
    candidate = routing.next_team(session, lead)
    if candidate is None:
        lead.status = Status.new
        _touch(session, lead, now)
        _tell_dispatchers(
            session,
            lead,
            "lead.unassigned",
            "线索无人接单",
            f"线索 {lead.number}：附近没有可接单的在岗巡逻组，请人工派单",
        )
        _announce(session, lead, "lead.updated")
        return False
    made = routing.offer(session, lead, candidate, now)
    first_offer = lead.status == Status.new
    lead.status = Status.offered
    _touch(session, lead, now)
    notifications.notify(
        session,
        audience=Audience.users(_members(session, candidate.team_id)),
        kind="lead.offer",
        title="新线索待接单",
        body=f"线索 {lead.number}，距离约 {candidate.distance_m:.0f} 米：{lead.description[:80]}",
        payload={**_payload(lead), "offer_id": str(made.id), "expires_at": made.expires_at.isoformat()},
        priority=Priority.high,
    )
    queue.defer(
        session,
        "lead_offer_expiry",
        queue=queue.PATROL_QUEUE,
        schedule_at=made.expires_at,
        offer_id=str(made.id),
    )
    if first_offer:
        _callback(session, lead, "派单", f"已派给巡逻组 {candidate.call_sign}")
    _announce(session, lead, "lead.updated")
    return True


def _members(session: Session, team_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.scalars(sa.select(TeamMember.user_id).where(TeamMember.team_id == team_id)))


def _touch(session: Session, lead: Lead, now: datetime) -> None:
    lead.updated_at = now
    session.add(lead)
    session.flush()


def _payload(lead: Lead) -> dict:
    return {
        "lead_id": str(lead.id),
        "number": lead.number,
        "status": lead.status,
        "urgency": lead.urgency,
        "minor_involved": lead.minor_involved,
        "deadline_at": lead.deadline_at.isoformat(),
    }


def _announce(session: Session, lead: Lead, kind: str) -> None:
    payload = _payload(lead)
    if lead.geom is not None:
        point = to_shape(lead.geom)
        payload["lon"], payload["lat"] = round(point.x, 7), round(point.y, 7)
    payload["team_id"] = str(lead.team_id) if lead.team_id else None
    notifications.publish_event(
        session, kind=kind, payload=payload, jurisdiction_id=lead.jurisdiction_id, roles=LIVE_VIEWERS
    )


def _alert_police_and_dispatch(session: Session, lead: Lead) -> None:
    """A lead about a minor, or marked urgent, goes to the nearest police station and the
    dispatchers at once, besides the usual offer to the nearest team."""
    reason = "涉及未成年人" if lead.minor_involved else "紧急"
    audiences = [Audience.responsible(_code(session, lead.jurisdiction_id), Role.dispatcher)]
    station = _nearest_police_station(session, lead)
    if station is not None:
        audiences.append(Audience.organisation(station.id, Role.officer, Role.dispatcher, Role.supervisor))
    for audience in audiences:
        notifications.notify(
            session,
            audience=audience,
            kind="lead.urgent",
            title=f"紧急线索（{reason}）",
            body=f"线索 {lead.number}：{lead.description[:120]}",
            payload={**_payload(lead), "police_station": station.name if station else None},
            priority=Priority.critical,
        )


def _nearest_police_station(session: Session, lead: Lead) -> Organisation | None:
    """The police station nearest the lead within its city (or, unplaced, in its jurisdiction)."""
    city_path = session.get(Jurisdiction, lead.jurisdiction_id).path.split(".")[0]
    query = (
        sa.select(Organisation)
        .join(Jurisdiction, Jurisdiction.id == Organisation.jurisdiction_id)
        .where(
            Organisation.kind == OrganisationKind.police_station,
            Jurisdiction.path.descendant_of(sa.cast(city_path, Jurisdiction.path.type)),
        )
        .limit(1)
    )
    if lead.geom is not None:
        query = query.order_by(Organisation.location.op("<->")(routing.geometry_value(lead.geom)))
    return session.scalar(query)


def _ask_dispatcher_to_pin(session: Session, lead: Lead) -> None:
    place = lead.place_text or "未提供"
    _tell_dispatchers(
        session,
        lead,
        "lead.unplaced",
        "线索地点待确认",
        f"线索 {lead.number}：无法识别地点“{place}”，请在地图上标注",
    )


def _tell_dispatchers(
    session: Session,
    lead: Lead,
    kind: str,
    title: str,
    body: str,
    *,
    priority: Priority = Priority.high,
    also: tuple[Role, ...] = (),
) -> None:
    """Notify the dispatchers (and ``also`` those roles) responsible for the lead's jurisdiction."""
    notifications.notify(
        session,
        audience=Audience.responsible(_code(session, lead.jurisdiction_id), Role.dispatcher, *also),
        kind=kind,
        title=title,
        body=body,
        payload=_payload(lead),
        priority=priority,
    )


def _callback(session: Session, lead: Lead, step: str, note: str) -> None:
    """Report a step of the 12345 ticket flow back to the platform (retried by the worker)."""
    if lead.source != Source.gov12345 or not lead.callback_url:
        return
    queue.defer(
        session,
        "lead_12345_callback",
        queue=queue.PATROL_QUEUE,
        lock=f"lead-callback-{lead.id}",
        lead_id=str(lead.id),
        step=step,
        note=note,
        at=now_utc().isoformat(),
    )


# Reading ------------------------------------------------------------------------------------


def get(session: Session, principal: Principal, lead_id: uuid.UUID, *, lock: bool = False) -> Lead:
    query = sa.select(Lead).where(Lead.id == lead_id)
    if lock:
        query = query.with_for_update()
    lead = session.scalar(query)
    if lead is None or not _may_see(session, principal, lead):
        raise not_found("lead")
    return lead


def _team_ids(session: Session, principal: Principal) -> list[uuid.UUID]:
    return list(session.scalars(sa.select(TeamMember.team_id).where(TeamMember.user_id == principal.id)))


def _may_see(session: Session, principal: Principal, lead: Lead) -> bool:
    if principal.role == Role.officer:
        teams = _team_ids(session, principal)
        offered = routing.open_offer_team(session, lead.id)
        return lead.team_id in teams or offered in teams
    return jurisdictions.id_in_scope(session, principal, lead.jurisdiction_id)


def list_for(
    session: Session, principal: Principal, *, statuses: list[Status] | None, limit: int
) -> list[Lead]:
    query = sa.select(Lead).order_by(Lead.created_at.desc()).limit(limit)
    if statuses:
        query = query.where(Lead.status.in_([s.value for s in statuses]))
    if principal.role == Role.officer:
        teams = _team_ids(session, principal)
        query = query.where(sa.or_(Lead.team_id.in_(teams), Lead.id.in_(routing.open_offers_to(teams))))
    else:
        query = query.where(jurisdictions.in_scope(Lead.jurisdiction_id, principal))
    return list(session.scalars(query))


def read_contact(
    session: Session, principal: Principal, lead_id: uuid.UUID, *, reason: str
) -> dict[str, str]:
    lead = get(session, principal, lead_id)
    audit.record(
        session,
        principal=principal,
        action="read_reporter_contact",
        subject_type="lead",
        subject_id=str(lead.id),
        fields=["reporter_contact"],
        reason=reason,
        jurisdiction_id=lead.jurisdiction_id,
    )
    return contact.unseal(lead.reporter_contact)


def by_receipt(session: Session, token: str) -> Lead | None:
    return session.scalar(sa.select(Lead).where(Lead.receipt_hash == receipt_hash(token)))


def followed(session: Session, lead: Lead) -> Lead:
    """The lead a duplicate follows (itself when it is not one)."""
    seen = {lead.id}
    while lead.duplicate_of is not None:
        lead = session.get(Lead, lead.duplicate_of)
        if lead.id in seen:
            break
        seen.add(lead.id)
    return lead


# Answers from the teams ---------------------------------------------------------------------


def _require_member(session: Session, principal: Principal, team_id: uuid.UUID | None) -> None:
    if team_id is None or team_id not in _team_ids(session, principal):
        raise forbidden("only a member of the team the lead is with may do this")


def _require_open(lead: Lead) -> None:
    if lead.status in (Status.closed, Status.linked):
        raise ProblemError(409, f"the lead is {lead.status}", kind="illegal-transition")


def accept(session: Session, principal: Principal, lead_id: uuid.UUID, now: datetime | None = None) -> Lead:
    now = now or now_utc()
    lead = get(session, principal, lead_id, lock=True)
    offer = routing.open_offer(session, lead.id)
    if lead.status in (Status.accepted, Status.arrived) and lead.team_id in _team_ids(session, principal):
        return lead  # a retried accept
    if offer is None:
        raise ProblemError(409, "the lead is not offered to anyone now", kind="offer-gone")
    _require_member(session, principal, offer.team_id)
    routing.close_open_offer(session, lead.id, OfferAnswer.accepted, now, principal.id)
    lead.status, lead.team_id, lead.accepted_at = Status.accepted, offer.team_id, now
    _touch(session, lead, now)
    _callback(session, lead, "办理", "巡逻组已接单，正在前往")
    _announce(session, lead, "lead.updated")
    return lead


def decline(
    session: Session, principal: Principal, lead_id: uuid.UUID, now: datetime | None = None
) -> Lead | None:
    """Pass the offer on. A retried decline answers the same (None: the lead may already be out
    of the caller's sight, since officers see only leads offered to or taken by their teams)."""
    now = now or now_utc()
    if routing.answered(session, lead_id, _team_ids(session, principal), OfferAnswer.declined):
        return None
    lead = get(session, principal, lead_id, lock=True)
    offer = routing.open_offer(session, lead.id)
    if offer is None:
        raise ProblemError(409, "the lead is not offered to anyone now", kind="offer-gone")
    _require_member(session, principal, offer.team_id)
    routing.close_open_offer(session, lead.id, OfferAnswer.declined, now, principal.id)
    dispatch_next(session, lead, now)
    return lead


def expire_offer(session: Session, offer_id: uuid.UUID, now: datetime | None = None) -> bool:
    """An offer nobody answered in time passes to the next team. False if it was answered."""
    now = now or now_utc()
    lead_id = routing.offer_lead(session, offer_id)
    if lead_id is None:
        return False
    lead = session.scalar(sa.select(Lead).where(Lead.id == lead_id).with_for_update())  # lead, then offer
    offer = routing.lock_offer(session, offer_id)
    if offer.answer is not None or offer.expires_at > now:
        return False
    offer.answer, offer.answered_at = OfferAnswer.expired, now
    session.add(offer)
    session.flush()
    dispatch_next(session, lead, now)
    return True


def arrive(
    session: Session,
    principal: Principal,
    lead_id: uuid.UUID,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
) -> Lead:
    """The team is on the scene (``at``: when, as the phone saw it; not before the lead came in)."""
    now = now or now_utc()
    lead = get(session, principal, lead_id, lock=True)
    if lead.status == Status.arrived:
        return lead
    if lead.status != Status.accepted:
        raise ProblemError(
            409, f"a lead that is {lead.status} cannot be arrived at", kind="illegal-transition"
        )
    _require_member(session, principal, lead.team_id)
    if at is not None and not lead.created_at <= at <= now + timedelta(
        seconds=get_settings().future_tolerance_s
    ):
        raise invalid("the arrival time lies before the lead or in the future", loc=["body", "at"])
    lead.status, lead.arrived_at = Status.arrived, min(at or now, now)
    _touch(session, lead, now)
    _announce(session, lead, "lead.updated")
    return lead


def _checked_encounters(session: Session, principal: Principal, ids: list[uuid.UUID]) -> list[uuid.UUID]:
    if not ids:
        return []
    found = set(
        session.scalars(
            sa.select(Encounter.id).where(
                Encounter.id.in_(ids), jurisdictions.in_scope(Encounter.jurisdiction_id, principal)
            )
        )
    )
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise invalid(f"unknown encounters: {', '.join(missing)}", loc=["body", "encounter_ids"])
    return list(dict.fromkeys(ids))


def close(
    session: Session,
    principal: Principal,
    lead_id: uuid.UUID,
    *,
    outcome: LeadOutcome,
    public_note: str,
    encounter_ids: list[uuid.UUID],
    now: datetime | None = None,
) -> Lead:
    now = now or now_utc()
    lead = get(session, principal, lead_id, lock=True)
    if lead.status == Status.closed and lead.outcome == outcome:
        return lead  # a retried close
    _require_open(lead)
    if principal.role == Role.officer:
        _require_member(session, principal, lead.team_id)
    linked = _checked_encounters(session, principal, encounter_ids)
    if outcome in NEEDS_ENCOUNTER and not linked:
        raise invalid(
            f"an outcome of {outcome} names the encounter(s) that record it", loc=["body", "encounter_ids"]
        )
    routing.close_open_offer(session, lead.id, OfferAnswer.withdrawn, now)
    for each in [lead, *_duplicates(session, lead.id)]:
        each.status, each.closed_at, each.outcome, each.public_note = Status.closed, now, outcome, public_note
        each.encounter_ids = linked
        _touch(session, each, now)
        _callback(session, each, "答复", public_note)
        _callback(session, each, "办结", outcome)
    _announce(session, lead, "lead.closed")
    return lead


def _duplicates(session: Session, lead_id: uuid.UUID) -> list[Lead]:
    return list(
        session.scalars(
            sa.select(Lead)
            .where(Lead.duplicate_of == lead_id, Lead.status == Status.linked)
            .with_for_update()
        )
    )


# The dispatcher's hand ----------------------------------------------------------------------


def assign(
    session: Session,
    principal: Principal,
    lead_id: uuid.UUID,
    team_id: uuid.UUID,
    now: datetime | None = None,
) -> Lead:
    from api.teams.models import Team

    now = now or now_utc()
    lead = get(session, principal, lead_id, lock=True)
    _require_open(lead)
    team = session.get(Team, team_id)
    if (
        team is None
        or team.retired_at is not None
        or not jurisdictions.id_in_scope(session, principal, team.jurisdiction_id)
    ):
        raise invalid("no such team in your jurisdiction", loc=["body", "team_id"])
    routing.close_open_offer(session, lead.id, OfferAnswer.withdrawn, now)
    lead.status, lead.team_id, lead.accepted_at = Status.accepted, team.id, lead.accepted_at or now
    lead.arrived_at = None
    _touch(session, lead, now)
    notifications.notify(
        session,
        audience=Audience.users(_members(session, team.id)),
        kind="lead.assigned",
        title="调度派单",
        body=f"线索 {lead.number} 已派给你组：{lead.description[:80]}",
        payload=_payload(lead),
        priority=Priority.high,
    )
    _callback(session, lead, "派单", f"调度员派给巡逻组 {team.call_sign}")
    _announce(session, lead, "lead.updated")
    return lead


def pin(
    session: Session, principal: Principal, lead_id: uuid.UUID, point: Point, now: datetime | None = None
) -> Lead:
    """Place a lead on the map by hand; an unplaced lead is then de-duplicated and offered."""
    now = now or now_utc()
    lead = get(session, principal, lead_id, lock=True)
    _require_open(lead)
    covering = jurisdictions.deepest_covering(session=session, point_wgs84=point)
    if covering is None or not jurisdictions.id_in_scope(session, principal, covering.id):
        raise invalid(
            "the place lies outside your jurisdiction", loc=["body", "place"], kind="outside-jurisdiction"
        )
    was_unplaced = lead.geom is None
    lead.geom, lead.place_source, lead.jurisdiction_id = to_db(point), PlaceSource.dispatcher, covering.id
    _touch(session, lead, now)
    if was_unplaced and lead.status == Status.new:
        _route_new(session, lead, now)
    else:
        _announce(session, lead, "lead.updated")
    return lead


def merge(
    session: Session,
    principal: Principal,
    lead_id: uuid.UUID,
    into_id: uuid.UUID,
    now: datetime | None = None,
) -> Lead:
    now = now or now_utc()
    if lead_id == into_id:
        raise invalid("a lead cannot be merged into itself", loc=["body", "into"])
    lead = get(session, principal, lead_id, lock=True)
    target = followed(session, get(session, principal, into_id, lock=True))
    _require_open(lead)
    if target.status in (Status.closed, Status.linked) or target.id == lead.id:
        raise ProblemError(409, "merge into an open lead", kind="illegal-transition")
    routing.close_open_offer(session, lead.id, OfferAnswer.withdrawn, now)
    for each in [lead, *_duplicates(session, lead.id)]:
        each.status, each.duplicate_of = Status.linked, target.id
        _touch(session, each, now)
    _announce(session, lead, "lead.linked")
    return lead


def split(session: Session, principal: Principal, lead_id: uuid.UUID, now: datetime | None = None) -> Lead:
    """Take a lead out of the one it was linked to and route it on its own."""
    now = now or now_utc()
    lead = get(session, principal, lead_id, lock=True)
    if lead.status != Status.linked:
        raise ProblemError(409, "only a linked lead can be split off", kind="illegal-transition")
    lead.status, lead.duplicate_of = Status.new, None
    _touch(session, lead, now)
    _announce(session, lead, "lead.new")
    if lead.geom is not None:
        dispatch_next(session, lead, now)
    return lead


# Deadlines ----------------------------------------------------------------------------------


def check_deadline(session: Session, lead_id: uuid.UUID, now: datetime | None = None) -> bool:
    """At the response deadline: nobody on the scene yet? Escalate to the dispatchers."""
    now = now or now_utc()
    lead = session.scalar(sa.select(Lead).where(Lead.id == lead_id).with_for_update())
    if (
        lead is None
        or lead.status not in OPEN_STATUSES
        or lead.arrived_at is not None
        or lead.deadline_missed_at is not None
        or lead.deadline_at > now
    ):
        return False
    lead.deadline_missed_at = now
    _touch(session, lead, now)
    _tell_dispatchers(
        session,
        lead,
        "lead.deadline_missed",
        "线索响应超时",
        f"线索 {lead.number} 已超过到场时限，状态：{lead.status}",
        priority=Priority.critical,
        also=(Role.supervisor,),
    )
    _announce(session, lead, "lead.updated")
    return True


# Gazetteer ----------------------------------------------------------------------------------


def add_landmark(
    session: Session, *, name: str, aliases: list[str], jurisdiction_id: int, point: Point
) -> Landmark:
    exists = session.scalar(
        sa.select(Landmark.id).where(Landmark.jurisdiction_id == jurisdiction_id, Landmark.name == name)
    )
    if exists is not None:
        raise ProblemError(409, f"a landmark named {name} already exists there", kind="duplicate")
    landmark = Landmark(name=name, aliases=aliases, jurisdiction_id=jurisdiction_id, geom=to_db(point))
    session.add(landmark)
    session.flush()
    return landmark


def landmarks_in_scope(session: Session, principal: Principal) -> list[tuple[Landmark, str]]:
    return list(
        session.execute(
            sa.select(Landmark, Jurisdiction.code)
            .join(Jurisdiction, Jurisdiction.id == Landmark.jurisdiction_id)
            .where(jurisdictions.in_scope(Landmark.jurisdiction_id, principal))
            .order_by(Landmark.name)
        ).all()
    )
