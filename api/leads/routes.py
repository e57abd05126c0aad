from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from geoalchemy2.shape import to_shape

from api.audit.schemas import AccessReason
from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.errors import invalid, problems
from api.geojson import DatumQuery, place_in, place_out
from api.jurisdictions import service as jurisdictions
from api.leads import places, service
from api.leads.models import Source, Status, Urgency
from api.leads.present import present
from api.leads.schemas import (
    LandmarkCreate,
    LandmarkPublic,
    LeadAssign,
    LeadClose,
    LeadCreate,
    LeadEvent,
    LeadMerge,
    LeadPin,
    LeadPublic,
    PlaceMatchPublic,
    ReporterContact,
)
from api.leads.service import Intake
from api.phone import PHONE
from geo.datum import Datum

INTAKE = (Role.hotline_operator, Role.dispatcher, Role.supervisor, Role.admin)
READERS = (Role.officer, Role.hotline_operator, Role.dispatcher, Role.supervisor, Role.admin)
COMMAND = (Role.dispatcher, Role.supervisor, Role.admin)
TEAM_OR_COMMAND = (Role.officer, *COMMAND)

router = APIRouter(prefix="/leads", tags=["leads"], responses=problems(400, 401, 403, 404, 409, 422))
landmarks_router = APIRouter(prefix="/landmarks", tags=["leads"], responses=problems(401, 403, 404, 422))


def _one(session, principal: Principal, lead, datum: Datum) -> LeadPublic:
    return present(session, principal, [lead], datum)[0]


@router.post("", response_model=LeadPublic, status_code=201, operation_id="createLead")
def create_lead(
    body: LeadCreate,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*INTAKE)],
    datum: DatumQuery = Datum.wgs84,
) -> LeadPublic:
    """Take in a caller's tip. With only words for a place, the gazetteer is tried; a place it
    cannot find goes to the dispatchers to pin on the map."""
    if body.id is not None and (existing := session.get(service.Lead, body.id)) is not None:
        return _one(session, principal, service.get(session, principal, existing.id), datum)
    if body.place is None and body.place_text is None:
        raise invalid("give the place as a point or in words", loc=["body", "place"])
    area = (
        jurisdictions.get_in_scope(session=session, principal=principal, code=body.jurisdiction)
        if body.jurisdiction
        else jurisdictions.get_in_scope(
            session=session, principal=principal, code=principal.jurisdiction_code
        )
    )
    lead, _ = service.create(
        session,
        Intake(
            source=Source.hotline,
            description=body.description,
            jurisdiction=area,
            point=place_in(body.place, datum) if body.place else None,
            place_text=body.place_text,
            urgency=Urgency.urgent if body.urgent else Urgency.normal,
            minor_involved=body.minor_involved,
            age_band=body.age_band,
            contact={"phone": body.caller_phone or "", "name": body.caller_name or ""},
            created_by=principal.id,
        ),
        lead_id=body.id,
    )
    session.commit()
    return _one(session, principal, lead, datum)


@router.get("", response_model=list[LeadPublic], operation_id="listLeads", tags=[PHONE])
def list_leads(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*READERS)],
    status: Annotated[
        list[Status], Query(default_factory=list, description="Repeat for several; all if absent.")
    ],
    datum: DatumQuery = Datum.wgs84,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[LeadPublic]:
    """Leads in the caller's jurisdiction, newest first; officers see those offered to or taken by
    their teams."""
    return present(
        session, principal, service.list_for(session, principal, statuses=status, limit=limit), datum
    )


@router.get("/places", response_model=list[PlaceMatchPublic], operation_id="matchPlace")
def match_place(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*INTAKE)],
    text: Annotated[str, Query(min_length=1, max_length=300)],
    datum: DatumQuery = Datum.wgs84,
) -> list[PlaceMatchPublic]:
    """The place the words name in the caller's jurisdiction (hotspots, organisations,
    landmarks; Chinese or pinyin): one match, or none when nothing fits or two places tie."""
    found = places.match(session, text, principal.jurisdiction_path)
    if found is None:
        return []
    place = place_out(found.point, datum)
    return [PlaceMatchPublic(name=found.name, kind=found.kind, place=place, score=found.score)]


@router.get("/{lead_id}", response_model=LeadPublic, operation_id="getLead", tags=[PHONE])
def get_lead(
    lead_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*READERS)],
    datum: DatumQuery = Datum.wgs84,
) -> LeadPublic:
    return _one(session, principal, service.get(session, principal, lead_id), datum)


@router.post("/{lead_id}/contact", response_model=ReporterContact, operation_id="readLeadReporterContact")
def read_reporter_contact(
    lead_id: uuid.UUID,
    body: AccessReason,
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.supervisor)],
) -> ReporterContact:
    """The reporter's whole contact, for supervisors only. A POST: the reason goes in the body,
    not the URL; every read is written to the audit log."""
    contact = service.read_contact(session, principal, lead_id, reason=body.reason)
    session.commit()
    return ReporterContact(**contact)


@router.post("/{lead_id}/accept", response_model=LeadPublic, operation_id="acceptLead", tags=[PHONE])
def accept_lead(
    lead_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.officer)],
    datum: DatumQuery = Datum.wgs84,
) -> LeadPublic:
    """Take the lead offered to your team (a retry after success answers the same)."""
    lead = service.accept(session, principal, lead_id)
    session.commit()
    return _one(session, principal, lead, datum)


@router.post("/{lead_id}/decline", status_code=204, operation_id="declineLead", tags=[PHONE])
def decline_lead(
    lead_id: uuid.UUID, session: SessionDep, principal: Annotated[Principal, Allow(Role.officer)]
) -> Response:
    """Pass: the lead goes to the next nearest team at once. Repeating it (a retry) changes nothing."""
    service.decline(session, principal, lead_id)
    session.commit()
    return Response(status_code=204)


@router.post("/{lead_id}/arrive", response_model=LeadPublic, operation_id="arriveAtLead", tags=[PHONE])
def arrive_at_lead(
    lead_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.officer)],
    body: LeadEvent,
    datum: DatumQuery = Datum.wgs84,
) -> LeadPublic:
    """The team is on the scene; ``at`` is when, by the phone's clock (default: now)."""
    lead = service.arrive(session, principal, lead_id, at=body.at)
    session.commit()
    return _one(session, principal, lead, datum)


@router.post("/{lead_id}/close", response_model=LeadPublic, operation_id="closeLead", tags=[PHONE])
def close_lead(
    lead_id: uuid.UUID,
    body: LeadClose,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*TEAM_OR_COMMAND)],
    datum: DatumQuery = Datum.wgs84,
) -> LeadPublic:
    """Close with an outcome and the encounter(s) that resolved it; linked duplicates close too."""
    lead = service.close(
        session,
        principal,
        lead_id,
        outcome=body.outcome,
        public_note=body.public_note,
        encounter_ids=body.encounter_ids,
    )
    session.commit()
    return _one(session, principal, lead, datum)


@router.post("/{lead_id}/assign", response_model=LeadPublic, operation_id="assignLead")
def assign_lead(
    lead_id: uuid.UUID,
    body: LeadAssign,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
    datum: DatumQuery = Datum.wgs84,
) -> LeadPublic:
    lead = service.assign(session, principal, lead_id, body.team_id)
    session.commit()
    return _one(session, principal, lead, datum)


@router.post("/{lead_id}/pin", response_model=LeadPublic, operation_id="pinLead")
def pin_lead(
    lead_id: uuid.UUID,
    body: LeadPin,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
    datum: DatumQuery = Datum.wgs84,
) -> LeadPublic:
    """Place the lead on the map; an unplaced lead is then checked for duplicates and offered."""
    lead = service.pin(session, principal, lead_id, place_in(body.place, datum))
    session.commit()
    return _one(session, principal, lead, datum)


@router.post("/{lead_id}/merge", response_model=LeadPublic, operation_id="mergeLead")
def merge_lead(
    lead_id: uuid.UUID,
    body: LeadMerge,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
    datum: DatumQuery = Datum.wgs84,
) -> LeadPublic:
    lead = service.merge(session, principal, lead_id, body.into)
    session.commit()
    return _one(session, principal, lead, datum)


@router.post("/{lead_id}/split", response_model=LeadPublic, operation_id="splitLead")
def split_lead(
    lead_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
    datum: DatumQuery = Datum.wgs84,
) -> LeadPublic:
    lead = service.split(session, principal, lead_id)
    session.commit()
    return _one(session, principal, lead, datum)


@landmarks_router.post("", response_model=LandmarkPublic, status_code=201, operation_id="createLandmark")
def create_landmark(
    body: LandmarkCreate,
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.admin)],
    datum: DatumQuery = Datum.wgs84,
) -> LandmarkPublic:
    """Add a named place to the gazetteer that free-text places are matched against."""
    area = jurisdictions.get_in_scope(session=session, principal=principal, code=body.jurisdiction)
    point = place_in(body.place, datum)
    landmark = service.add_landmark(
        session, name=body.name, aliases=body.aliases, jurisdiction_id=area.id, point=point
    )
    session.commit()
    return _landmark(landmark, area.code, datum)


def _landmark(landmark, code: str, datum: Datum) -> LandmarkPublic:
    return LandmarkPublic(
        id=landmark.id,
        name=landmark.name,
        aliases=landmark.aliases,
        place=place_out(to_shape(landmark.geom), datum),
        jurisdiction=code,
    )


@landmarks_router.get("", response_model=list[LandmarkPublic], operation_id="listLandmarks")
def list_landmarks(
    session: SessionDep, principal: Annotated[Principal, Allow(*INTAKE)], datum: DatumQuery = Datum.wgs84
) -> list[LandmarkPublic]:
    landmarks = service.landmarks_in_scope(session, principal)
    return [_landmark(landmark, code, datum) for landmark, code in landmarks]
