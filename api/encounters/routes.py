from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response
from geoalchemy2.shape import to_shape

from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.encounters import service
from api.encounters.models import Outcome, RevisitStatus
from api.encounters.rules import AUTOMATIC, RULES
from api.encounters.schemas import (
    EncounterCreate,
    EncounterPublic,
    IncidentCreate,
    IncidentPublic,
    RevisitPublic,
    RuleDescription,
)
from api.errors import problems
from api.geojson import DatumQuery, place_out
from api.phone import PHONE
from geo.datum import Datum

READERS = (Role.officer, Role.dispatcher, Role.supervisor, Role.admin)
REPORTERS = (Role.officer, Role.dispatcher, Role.station_staff, Role.supervisor)

router = APIRouter(tags=["encounters"], responses=problems(400, 401, 403, 404, 422))


@router.get(
    "/encounters/rules", response_model=list[RuleDescription], operation_id="encounterRules", tags=[PHONE]
)
def encounter_rules(principal: Annotated[Principal, Allow(*READERS)]) -> list[RuleDescription]:
    """The rules the server checks, with the messages a 422 uses, and what it does on its own."""
    return [RuleDescription(id=r.id, message=r.message, field=r.field) for r in RULES] + [
        RuleDescription(id=rule_id, message=message, field=None) for rule_id, message in AUTOMATIC
    ]


@router.post(
    "/encounters",
    response_model=EncounterPublic,
    operation_id="logEncounter",
    tags=[PHONE],
    responses={**problems(409), 201: {"model": EncounterPublic, "description": "Recorded"}},
)
def log_encounter(
    body: EncounterCreate,
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.officer)],
    response: Response,
    datum: DatumQuery = Datum.wgs84,
) -> EncounterPublic:
    """Record an encounter (201), or return the one this id already recorded (200).

    A 422 of type `/problems/rule-broken` lists each rule that failed (`errors[].type` is
    `rule:<id>`); nothing is written then.
    """
    encounter, created = service.log(session=session, principal=principal, body=body, datum=datum)
    session.commit()
    response.status_code = 201 if created else 200
    return service.present(session, [encounter])[0]


@router.get("/encounters", response_model=list[EncounterPublic], operation_id="listEncounters", tags=[PHONE])
def list_encounters(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*READERS)],
    hours: Annotated[int, Query(ge=1, le=24 * 366, description="Look back this many hours.")] = 24,
    outcome: Outcome | None = None,
    hotspot_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[EncounterPublic]:
    """Encounters in the caller's jurisdiction (officers: their own), newest first."""
    since = datetime.now(UTC) - timedelta(hours=hours)
    found = service.list_in_scope(
        session=session, principal=principal, since=since, outcome=outcome, hotspot_id=hotspot_id, limit=limit
    )
    return service.present(session, found)


@router.get(
    "/encounters/{encounter_id}", response_model=EncounterPublic, operation_id="getEncounter", tags=[PHONE]
)
def get_encounter(
    encounter_id: uuid.UUID, session: SessionDep, principal: Annotated[Principal, Allow(*READERS)]
) -> EncounterPublic:
    return service.present(
        session, [service.get(session=session, principal=principal, encounter_id=encounter_id)]
    )[0]


@router.get("/revisits", response_model=list[RevisitPublic], operation_id="listRevisits", tags=[PHONE])
def list_revisits(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*READERS)],
    status: RevisitStatus | None = RevisitStatus.open,
    datum: DatumQuery = Datum.wgs84,
) -> list[RevisitPublic]:
    """Revisits due (officers: their own and their team's).

    Logging an encounter with `revisit_id` closes one."""
    tasks = service.revisits(session=session, principal=principal, status=status)
    return [
        RevisitPublic(
            id=t.id,
            encounter_id=t.encounter_id,
            person_id=t.person_id,
            team_id=t.team_id,
            hotspot_id=t.hotspot_id,
            place=place_out(to_shape(t.geom), datum),
            reason=t.reason,
            due_at=t.due_at,
            status=t.status,
            done_by_encounter_id=t.done_by_encounter_id,
        )
        for t in tasks
    ]


@router.post(
    "/incidents",
    response_model=IncidentPublic,
    status_code=201,
    operation_id="raiseIncident",
    tags=[PHONE],
    responses={**problems(409), 200: {"model": IncidentPublic, "description": "Raised before (a retry)"}},
)
def raise_incident(
    body: IncidentCreate,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*REPORTERS)],
    response: Response,
    datum: DatumQuery = Datum.wgs84,
) -> IncidentPublic:
    """A person dead or in danger of death, a minor in danger, an escorted person missing: the
    supervisors and the civil-affairs bureau are alerted at once, and the alert climbs a level
    if nobody acknowledges it in time. Repeating an `id` returns that incident (200) and alerts
    nobody again."""
    earlier = service.incident_already_raised(session, principal, body.id) if body.id else None
    if earlier is not None:
        incident, notified = earlier
        response.status_code = 200
    else:
        incident, notified = service.raise_incident(session, principal, body, datum)
        session.commit()
    code = session.get(service.Jurisdiction, incident.jurisdiction_id).code
    return IncidentPublic(
        id=incident.id,
        kind=incident.kind,
        jurisdiction=code,
        place=place_out(to_shape(incident.geom), datum),
        occurred_at=incident.occurred_at,
        description=incident.description,
        person_id=incident.person_id,
        encounter_id=incident.encounter_id,
        reported_by=incident.reported_by,
        notified=notified,
    )
