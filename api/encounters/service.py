"""Logging encounters under the rules, and what they set in motion: police referrals,
revisits and critical incidents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlmodel import Session

from api.auth.deps import Principal
from api.auth.models import Role, User
from api.db import as_geography
from api.encounters.models import (
    ESCORTS,
    POLICE_MATTERS,
    VULNERABLE,
    CriticalIncident,
    CriticalKind,
    Encounter,
    Outcome,
    PoliceReferral,
    RevisitStatus,
    RevisitTask,
)
from api.encounters.rules import broken_rules
from api.encounters.schemas import EncounterCreate, EncounterPublic, IncidentCreate
from api.errors import ProblemError, invalid, not_found
from api.geojson import Place, place_in, to_db
from api.handovers import service as handovers
from api.hotspots import service as hotspots
from api.hotspots.models import Hotspot
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.organisations.models import Organisation, OrganisationKind
from api.patrols import service as patrols
from api.people import service as people
from api.people.models import Person
from api.settings import get_settings
from api.sweeps import service as sweeps
from api.sweeps import supplies
from api.teams.models import TeamMember
from geo.datum import Datum
from notifications import service as notifications
from notifications.audience import Audience
from notifications.models import Notification, Priority

LIVE_VIEWERS = (Role.dispatcher, Role.supervisor, Role.admin)
_DESTINATIONS = {
    Outcome.escorted_to_station: OrganisationKind.rescue_station,
    Outcome.escorted_to_hospital: OrganisationKind.hospital,
}


def check_rules(body: EncounterCreate) -> None:
    """422 naming every rule the encounter breaks; nothing is written."""
    broken = broken_rules(body)
    if broken:
        raise ProblemError(
            422,
            "rules not met: " + ", ".join(rule.id for rule in broken),
            kind="rule-broken",
            errors=[
                {"loc": ["body", rule.field], "msg": rule.message, "type": f"rule:{rule.id}"}
                for rule in broken
            ],
        )


def _matched_hotspot(session: Session, point: Point) -> uuid.UUID | None:
    """The active hotspot whose area holds the place, the nearest centre first."""
    here = as_geography(sa.func.ST_SetSRID(sa.func.ST_MakePoint(point.x, point.y), 4326))
    return session.scalar(
        sa.select(Hotspot.id)
        .where(Hotspot.retired_at.is_(None), sa.func.ST_DWithin(as_geography(Hotspot.area), here, 0))
        .order_by(sa.func.ST_Distance(as_geography(Hotspot.geom), here))
        .limit(1)
    )


def _jurisdiction_at(session: Session, principal: Principal, point: Point) -> int:
    covering = jurisdictions.deepest_covering(session=session, point_wgs84=point)
    return covering.id if covering is not None else principal.jurisdiction_id


def _check_destination(session: Session, body: EncounterCreate) -> None:
    wanted = _DESTINATIONS.get(body.outcome)
    if wanted is None or body.destination_organisation_id is None:
        return
    organisation = session.get(Organisation, body.destination_organisation_id)
    if organisation is None or organisation.kind != wanted:
        raise invalid(
            f"destination {body.destination_organisation_id} is not a {wanted}",
            loc=["body", "destination_organisation_id"],
        )


def _person(
    session: Session, principal: Principal, body: EncounterCreate, jurisdiction_id: int
) -> uuid.UUID | None:
    if body.person_id is not None and body.new_person is not None:
        raise invalid("give person_id or new_person, not both", loc=["body", "person_id"])
    if body.person_id is not None:
        return people.get(session, principal=principal, person_id=body.person_id).id
    if body.new_person is not None:
        p = body.new_person
        return people.create(
            session,
            principal=principal,
            person_id=p.id,
            alias=p.alias,
            jurisdiction_id=jurisdiction_id,
            safety_flags=p.safety_flags,
            known_name=p.known_name,
            description=p.description,
            photo_ref=p.photo_ref,
        ).id
    return None


def log(
    *, session: Session, principal: Principal, body: EncounterCreate, datum: Datum
) -> tuple[Encounter, bool]:
    """Record an encounter (or return the one this id already recorded) and act on it."""
    existing = session.get(Encounter, body.id)
    if existing is not None:
        if existing.officer_id != principal.id:
            raise ProblemError(409, f"encounter {body.id} was recorded by someone else", kind="conflict")
        return existing, False
    check_rules(body)
    point = place_in(body.place, datum)
    if body.occurred_at > datetime.now(UTC) + timedelta(seconds=get_settings().future_tolerance_s):
        raise invalid("occurred_at is in the future; check the phone's clock", loc=["body", "occurred_at"])
    _check_destination(session, body)
    team_id = None
    if body.shift_id is not None:
        shift = patrols.get(session=session, principal=principal, shift_id=body.shift_id)
        patrols.require_crew(session, principal, shift.team_id)
        team_id = shift.team_id
    hotspot_id = body.hotspot_id
    if hotspot_id is not None:
        hotspots.get(session=session, principal=principal, hotspot_id=hotspot_id)
    elif body.match_hotspot:
        hotspot_id = _matched_hotspot(session, point)
    jurisdiction_id = _jurisdiction_at(session, principal, point)
    revisit = _open_revisit(session, body.revisit_id) if body.revisit_id else None
    task = sweeps.open_task_for(session, hotspot_id, body.occurred_at) if hotspot_id else None
    encounter = Encounter(
        id=body.id,
        jurisdiction_id=jurisdiction_id,
        officer_id=principal.id,
        team_id=team_id,
        shift_id=body.shift_id,
        occurred_at=body.occurred_at,
        geom=to_db(point),
        hotspot_id=hotspot_id,
        person_id=_person(session, principal, body, jurisdiction_id),
        **body.model_dump(
            include={
                "age_band",
                "sex",
                "categories",
                "needs",
                "civil_capacity",
                "offered",
                "answer",
                "supplies",
                "notes",
                "outcome",
                "consent_recorded",
                "consent_note",
                "told_station_contact",
                "persuasion_note",
                "no_medical_reason",
                "destination_organisation_id",
                "critical",
                "revisit_id",
            },
            mode="json",
        ),
    )
    encounter.sweep_task_id = task.id if task else None
    session.add(encounter)
    session.flush()
    if revisit is not None:
        revisit.status, revisit.done_by_encounter_id, revisit.done_at = (
            RevisitStatus.done,
            encounter.id,
            datetime.now(UTC),
        )
    _follow_up(session, principal, encounter)
    return encounter, True


def _open_revisit(session: Session, revisit_id: uuid.UUID) -> RevisitTask:
    revisit = session.get(RevisitTask, revisit_id, with_for_update=True)
    if revisit is None:
        raise invalid(f"no revisit {revisit_id}", loc=["body", "revisit_id"])
    return revisit


def _code(session: Session, jurisdiction_id: int) -> str:
    return session.get(Jurisdiction, jurisdiction_id).code


def _follow_up(session: Session, principal: Principal, encounter: Encounter) -> None:
    categories = set(encounter.categories)
    notifications.publish_event(
        session,
        kind="encounter.logged",
        jurisdiction_id=encounter.jurisdiction_id,
        roles=LIVE_VIEWERS,
        payload=_summary(encounter),
    )
    if categories & POLICE_MATTERS or encounter.outcome == Outcome.police_referral:
        _refer_to_police(session, encounter, sorted(categories & POLICE_MATTERS) or ["police_referral"])
    if encounter.outcome == Outcome.refused_help:
        # a refusal is never the end of care for the vulnerable, nor for anyone in dangerous weather
        if categories & VULNERABLE:
            schedule_revisit(
                session, encounter, reason="refused_help: " + ", ".join(sorted(categories & VULNERABLE))
            )
        elif sweeps.in_active_sweep(session, to_shape(encounter.geom), encounter.occurred_at):
            schedule_revisit(session, encounter, reason="refused_help during a weather sweep")
    if encounter.outcome in ESCORTS:
        handovers.from_escort(session, principal, encounter)
    supplies.consume(session, team_id=encounter.team_id, handed_out=encounter.supplies)
    if encounter.critical is not None:
        point = to_shape(encounter.geom)
        raise_incident(
            session,
            principal,
            IncidentCreate(
                kind=encounter.critical,
                occurred_at=encounter.occurred_at,
                place=Place(lon=point.x, lat=point.y),
                description=encounter.notes or f"logged with encounter {encounter.id}",
                person_id=encounter.person_id,
                encounter_id=encounter.id,
            ),
            Datum.wgs84,
        )


def _summary(encounter: Encounter) -> dict:
    point = to_shape(encounter.geom)
    return {
        "encounter_id": str(encounter.id),
        "outcome": encounter.outcome,
        "categories": encounter.categories,
        "hotspot_id": str(encounter.hotspot_id) if encounter.hotspot_id else None,
        "lon": round(point.x, 7),
        "lat": round(point.y, 7),
        "occurred_at": encounter.occurred_at.isoformat(),
    }


def _refer_to_police(session: Session, encounter: Encounter, reasons: list[str]) -> None:
    session.add(
        PoliceReferral(encounter_id=encounter.id, jurisdiction_id=encounter.jurisdiction_id, reasons=reasons)
    )
    code = _code(session, encounter.jurisdiction_id)
    notifications.notify(
        session,
        audience=Audience.responsible(code, Role.dispatcher, Role.supervisor),
        kind="police.referral",
        title="公安移交：涉及未成年人或疑似利用乞讨",
        body="请立即通知公安机关调查",
        priority=Priority.high,
        payload={"encounter_id": str(encounter.id), "reasons": ",".join(reasons)},
    )


def schedule_revisit(session: Session, encounter: Encounter, *, reason: str) -> RevisitTask:
    """One revisit per refusal, due after the configured delay, in the team's inbox."""
    task = RevisitTask(
        encounter_id=encounter.id,
        person_id=encounter.person_id,
        team_id=encounter.team_id,
        officer_id=encounter.officer_id,
        hotspot_id=encounter.hotspot_id,
        jurisdiction_id=encounter.jurisdiction_id,
        geom=encounter.geom,
        reason=reason,
        due_at=encounter.occurred_at + timedelta(minutes=get_settings().revisit_delay_minutes),
    )
    session.add(task)
    session.flush()
    crew = [encounter.officer_id]
    if encounter.team_id is not None:
        crew += list(
            session.scalars(sa.select(TeamMember.user_id).where(TeamMember.team_id == encounter.team_id))
        )
    notifications.notify(
        session,
        audience=Audience.users(crew),
        kind="revisit",
        title="回访任务",
        priority=Priority.high,
        body=f"拒绝救助的弱势人员需回访，截止 {task.due_at:%H:%M}",
        payload={
            "revisit_id": str(task.id),
            "encounter_id": str(encounter.id),
            "due_at": task.due_at.isoformat(),
        },
    )
    notifications.publish_event(
        session,
        kind="revisit.scheduled",
        jurisdiction_id=task.jurisdiction_id,
        roles=LIVE_VIEWERS,
        payload={"revisit_id": str(task.id), "due_at": task.due_at.isoformat()},
    )
    return task


def incident_already_raised(
    session: Session, principal: Principal, incident_id: uuid.UUID
) -> tuple[CriticalIncident, int] | None:
    """The incident a retried request raised before, with the number of people it alerted then."""
    incident = session.get(CriticalIncident, incident_id)
    if incident is None:
        return None
    if incident.reported_by != principal.id:
        raise ProblemError(409, f"incident {incident_id} was raised by someone else", kind="conflict")
    alerted = session.scalar(
        sa.select(sa.func.count()).where(Notification.group_id == incident.notification_group)
    )
    return incident, alerted or 0


def raise_incident(
    session: Session, principal: Principal, body: IncidentCreate, datum: Datum
) -> tuple[CriticalIncident, int]:
    """Alert at once the nearest supervisors responsible for the place and the civil-affairs
    bureau; if nobody acknowledges within the configured time, the supervisors one level up."""
    handovers.require_known(session, encounter_id=body.encounter_id, person_id=body.person_id)
    point = place_in(body.place, datum)
    jurisdiction = session.get(Jurisdiction, _jurisdiction_at(session, principal, point))
    incident = CriticalIncident(
        id=body.id or uuid.uuid4(),
        kind=body.kind.value,
        jurisdiction_id=jurisdiction.id,
        geom=to_db(point),
        occurred_at=body.occurred_at,
        description=body.description,
        encounter_id=body.encounter_id,
        person_id=body.person_id,
        reported_by=principal.id,
    )
    session.add(incident)
    session.flush()
    payload = {"incident_id": str(incident.id), "kind": incident.kind}
    local, local_level = _nearest_supervisors(session, jurisdiction)
    fanout = notifications.notify(
        session,
        audience=Audience.users([*local, *_bureau_supervisors(session, jurisdiction.path)]),
        kind="incident.critical",
        title=f"重大事件：{_KIND_TITLES[body.kind]}",
        body=body.description,
        payload=payload,
        priority=Priority.critical,
    )
    incident.notification_group = fanout.group_id
    above = (
        session.get(Jurisdiction, local_level.parent_id) if local_level and local_level.parent_id else None
    )
    upper, _ = _nearest_supervisors(session, above) if above else ([], None)
    if fanout.recipients and upper:
        notifications.schedule_escalation(
            session,
            group_id=fanout.group_id,
            audience=Audience.users(upper),
            deadline=datetime.now(UTC) + timedelta(minutes=get_settings().incident_ack_minutes),
            title=f"未确认的重大事件：{_KIND_TITLES[body.kind]}",
            body=body.description,
        )
    notifications.publish_event(
        session,
        kind="incident.raised",
        jurisdiction_id=jurisdiction.id,
        roles=LIVE_VIEWERS,
        payload=payload,
    )
    return incident, fanout.recipients


def _nearest_supervisors(
    session: Session, jurisdiction: Jurisdiction
) -> tuple[list[uuid.UUID], Jurisdiction | None]:
    """Supervisors of this jurisdiction, or of the nearest one above that has its own."""
    current: Jurisdiction | None = jurisdiction
    while current is not None:
        ids = list(
            session.scalars(
                sa.select(User.id).where(
                    User.jurisdiction_id == current.id, User.role == Role.supervisor, User.is_active
                )
            )
        )
        if ids:
            return ids, current
        current = session.get(Jurisdiction, current.parent_id) if current.parent_id else None
    return [], None


def _bureau_supervisors(session: Session, path: str) -> list[uuid.UUID]:
    """Supervisors of civil-affairs bureaus whose jurisdiction covers the place."""
    return list(
        session.scalars(
            sa.select(User.id)
            .join(Organisation, Organisation.id == User.organisation_id)
            .join(Jurisdiction, Jurisdiction.id == User.jurisdiction_id)
            .where(
                Organisation.kind == OrganisationKind.civil_affairs_bureau,
                User.role == Role.supervisor,
                User.is_active,
                Jurisdiction.path.op("@>", is_comparison=True)(sa.cast(path, Jurisdiction.path.type)),
            )
        )
    )


_KIND_TITLES = {
    CriticalKind.person_dead: "发现死亡人员",
    CriticalKind.danger_of_death: "人员有生命危险",
    CriticalKind.minor_in_danger: "未成年人处于危险",
    CriticalKind.escorted_person_missing: "护送人员走失",
}


def present(session: Session, encounters: Sequence[Encounter]) -> list[EncounterPublic]:
    codes = dict(
        session.execute(
            sa.select(Jurisdiction.id, Jurisdiction.code).where(
                Jurisdiction.id.in_({e.jurisdiction_id for e in encounters})
            )
        ).all()
    )
    aliases = dict(
        session.execute(
            sa.select(Person.id, Person.alias).where(
                Person.id.in_({e.person_id for e in encounters if e.person_id})
            )
        ).all()
    )
    ids = [e.id for e in encounters]
    referred = set(
        session.scalars(sa.select(PoliceReferral.encounter_id).where(PoliceReferral.encounter_id.in_(ids)))
    )
    revisits = dict(
        session.execute(
            sa.select(RevisitTask.encounter_id, RevisitTask.id).where(RevisitTask.encounter_id.in_(ids))
        ).all()
    )
    out = []
    for e in encounters:
        point = to_shape(e.geom)
        out.append(
            EncounterPublic(
                id=e.id,
                jurisdiction=codes[e.jurisdiction_id],
                officer_id=e.officer_id,
                team_id=e.team_id,
                shift_id=e.shift_id,
                occurred_at=e.occurred_at,
                received_at=e.received_at,
                place=Place(lon=round(point.x, 7), lat=round(point.y, 7)),
                hotspot_id=e.hotspot_id,
                person_id=e.person_id,
                person_alias=aliases.get(e.person_id),
                age_band=e.age_band,
                sex=e.sex,
                categories=e.categories,
                needs=e.needs,
                civil_capacity=e.civil_capacity,
                offered=e.offered,
                answer=e.answer,
                supplies=e.supplies,
                notes=e.notes,
                outcome=e.outcome,
                consent_recorded=e.consent_recorded,
                told_station_contact=e.told_station_contact,
                persuasion_note=e.persuasion_note,
                no_medical_reason=e.no_medical_reason,
                destination_organisation_id=e.destination_organisation_id,
                critical=e.critical,
                police_referral=e.id in referred,
                revisit_task_id=revisits.get(e.id),
            )
        )
    return out


def get(*, session: Session, principal: Principal, encounter_id: uuid.UUID) -> Encounter:
    encounter = session.get(Encounter, encounter_id)
    if encounter is None or not jurisdictions.id_in_scope(session, principal, encounter.jurisdiction_id):
        raise not_found(f"encounter {encounter_id}")
    return encounter


def list_in_scope(
    *,
    session: Session,
    principal: Principal,
    since: datetime,
    outcome: Outcome | None,
    hotspot_id: uuid.UUID | None,
    limit: int,
) -> Sequence[Encounter]:
    query = sa.select(Encounter).where(
        jurisdictions.in_scope(Encounter.jurisdiction_id, principal), Encounter.occurred_at >= since
    )
    if principal.role == Role.officer:
        query = query.where(Encounter.officer_id == principal.id)
    if outcome is not None:
        query = query.where(Encounter.outcome == outcome.value)
    if hotspot_id is not None:
        query = query.where(Encounter.hotspot_id == hotspot_id)
    return session.scalars(query.order_by(Encounter.occurred_at.desc()).limit(limit)).all()


def revisits(
    *, session: Session, principal: Principal, status: RevisitStatus | None
) -> Sequence[RevisitTask]:
    query = sa.select(RevisitTask).where(jurisdictions.in_scope(RevisitTask.jurisdiction_id, principal))
    if principal.role == Role.officer:
        teams = sa.select(TeamMember.team_id).where(TeamMember.user_id == principal.id)
        query = query.where(sa.or_(RevisitTask.officer_id == principal.id, RevisitTask.team_id.in_(teams)))
    if status is not None:
        query = query.where(RevisitTask.status == status.value)
    return session.scalars(query.order_by(RevisitTask.due_at)).all()
