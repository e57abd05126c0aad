from __future__ import annotations

import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Response

from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.errors import ProblemError, problems
from api.geojson import DatumQuery, place_in
from api.handovers import service
from api.handovers.models import Handover, State
from api.handovers.schemas import (
    CodeIssued,
    Confirm,
    Discharge,
    DischargeStay,
    HandoverCreate,
    HandoverPublic,
    Reroute,
    Step,
)
from api.jurisdictions import service as jurisdictions
from api.phone import PHONE
from geo.datum import Datum

PARTIES = (
    Role.officer,
    Role.dispatcher,
    Role.station_staff,
    Role.hospital_staff,
    Role.supervisor,
    Role.admin,
)
COMMAND = (Role.dispatcher, Role.supervisor, Role.admin)

router = APIRouter(prefix="/handovers", tags=["handovers"], responses=problems(400, 401, 403, 404, 409, 422))
Party = Annotated[Principal, Allow(*PARTIES)]


def _public(handover: Handover) -> HandoverPublic:
    return HandoverPublic.model_validate(handover)


@router.post(
    "",
    response_model=HandoverPublic,
    status_code=201,
    operation_id="createHandover",
    tags=[PHONE],
    responses={200: {"model": HandoverPublic, "description": "Requested before (a retry)"}},
)
def create_handover(
    body: HandoverCreate, session: SessionDep, principal: Party, response: Response
) -> HandoverPublic:
    """Request a handover by hand (escort outcomes request theirs when the encounter is logged).
    Repeating an `id` returns that handover (200)."""
    if body.id is not None and (existing := session.get(Handover, body.id)) is not None:
        response.status_code = 200
        return _public(service.get(session, principal=principal, handover_id=existing.id))
    handover = service.create(
        session,
        principal=principal,
        kind=body.kind,
        to_organisation_id=body.to_organisation_id,
        jurisdiction_id=principal.jurisdiction_id,
        encounter_id=body.encounter_id,
        person_id=body.person_id,
        from_organisation_id=principal.organisation_id,
        needs=body.needs,
        belongings=body.belongings,
        health_notes=body.health_notes,
        eta=body.eta,
        handover_id=body.id,
    )
    session.commit()
    return _public(handover)


@router.get("", response_model=list[HandoverPublic], operation_id="listHandovers", tags=[PHONE])
def list_handovers(session: SessionDep, principal: Party, open_only: bool = True) -> list[HandoverPublic]:
    """Handovers the caller is party to (dispatchers: all in their jurisdiction)."""
    query = sa.select(Handover).order_by(Handover.created_at.desc()).limit(500)
    if principal.role in COMMAND:
        query = query.where(jurisdictions.in_scope(Handover.jurisdiction_id, principal))
    elif principal.organisation_id is not None and principal.role != Role.officer:
        query = query.where(
            sa.or_(
                Handover.to_organisation_id == principal.organisation_id,
                Handover.from_organisation_id == principal.organisation_id,
            )
        )
    else:
        query = query.where(Handover.created_by == principal.id)
    if open_only:
        query = query.where(Handover.state.in_([s.value for s in service.OPEN_STATES]))
    return [_public(h) for h in session.scalars(query)]


@router.get("/discharges/waiting", response_model=list[DischargeStay], operation_id="dischargeStays")
def discharge_stays(
    session: SessionDep, principal: Annotated[Principal, Allow(Role.supervisor, Role.admin)]
) -> list[DischargeStay]:
    """Days each patient fit for discharge waited (or is waiting) to be collected."""
    return [
        DischargeStay(
            handover_id=h.id,
            person_id=h.person_id,
            hospital_id=h.from_organisation_id,
            state=h.state,
            fit_for_discharge_at=h.fit_for_discharge_at,
            days_waiting=round(days, 2),
        )
        for h, days in service.waiting_after_discharge(session, principal=principal)
    ]


@router.post(
    "/discharges", response_model=HandoverPublic, status_code=201, operation_id="markFitForDischarge"
)
def mark_fit_for_discharge(
    body: Discharge, session: SessionDep, principal: Annotated[Principal, Allow(Role.hospital_staff)]
) -> HandoverPublic:
    """The patient is fit for discharge: a pick-up is requested (held while a legal case is pending)."""
    handover = service.discharge(
        session,
        principal=principal,
        person_id=body.person_id,
        legal_case_pending=body.legal_case_pending,
        health_notes=body.health_notes,
        belongings=body.belongings,
    )
    session.commit()
    return _public(handover)


@router.get("/{handover_id:uuid}", response_model=HandoverPublic, operation_id="getHandover", tags=[PHONE])
def get_handover(handover_id: uuid.UUID, session: SessionDep, principal: Party) -> HandoverPublic:
    return _public(service.get(session, principal=principal, handover_id=handover_id))


def _step_route(to_state: State, operation_id: str, summary: str, *, phone: bool = False):
    @router.post(
        f"/{{handover_id:uuid}}/{to_state.value.replace('_', '-')}",
        response_model=HandoverPublic,
        operation_id=operation_id,
        summary=summary,
        tags=[PHONE] if phone else None,
    )
    def step(
        handover_id: uuid.UUID,
        body: Step,
        session: SessionDep,
        principal: Party,
        datum: DatumQuery = Datum.wgs84,
    ) -> HandoverPublic:
        handover = service.move(
            session,
            principal=principal,
            handover_id=handover_id,
            to_state=to_state,
            place=place_in(body.place, datum) if body.place else None,
            note=body.note,
        )
        session.commit()
        return _public(handover)

    return step


accept = _step_route(State.accepted, "acceptHandover", "The receiving organisation accepts")
decline = _step_route(State.declined, "declineHandover", "The receiving organisation declines (note: why)")
depart = _step_route(State.in_transit, "handoverInTransit", "On the way", phone=True)
arrive = _step_route(State.arrived, "handoverArrived", "Arrived at the receiver", phone=True)
close = _step_route(State.closed, "closeHandover", "Closed by the receiver or a dispatcher")
expire = _step_route(State.expired, "expireHandover", "A dispatcher gives up on it (then reroutes)")


@router.post(
    "/{handover_id:uuid}/code", response_model=CodeIssued, operation_id="issueHandoverCode", tags=[PHONE]
)
def issue_code(handover_id: uuid.UUID, session: SessionDep, principal: Party) -> CodeIssued:
    """The one-time code the sender's phone shows at the handover."""
    code, expires = service.issue_code(session, principal=principal, handover_id=handover_id)
    session.commit()
    return CodeIssued(code=code, expires_at=expires)


@router.post("/{handover_id:uuid}/handed-over", response_model=HandoverPublic, operation_id="confirmHandover")
def confirm_handover(
    handover_id: uuid.UUID,
    body: Confirm,
    session: SessionDep,
    principal: Party,
    datum: DatumQuery = Datum.wgs84,
) -> HandoverPublic:
    """The receiver confirms with the sender's code (or a signature): the written record is issued."""
    handover = service.confirm(
        session,
        principal=principal,
        handover_id=handover_id,
        confirmation=service.Confirmation(
            receiver_name=body.receiver_name,
            code=body.code,
            signature_ref=body.signature_ref,
            place=place_in(body.place, datum) if body.place else None,
        ),
    )
    session.commit()
    return _public(handover)


@router.post(
    "/{handover_id:uuid}/reroute",
    response_model=HandoverPublic,
    status_code=201,
    operation_id="rerouteHandover",
)
def reroute(
    handover_id: uuid.UUID,
    body: Reroute,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
) -> HandoverPublic:
    handover = service.reroute(
        session, principal=principal, handover_id=handover_id, to_organisation_id=body.to_organisation_id
    )
    session.commit()
    return _public(handover)


@router.post("/{handover_id:uuid}/release", response_model=HandoverPublic, operation_id="releaseDischarge")
def release(handover_id: uuid.UUID, session: SessionDep, principal: Party) -> HandoverPublic:
    """The pending legal case is closed: request the pick-up now."""
    handover = service.release(session, principal=principal, handover_id=handover_id)
    session.commit()
    return _public(handover)


class PdfResponse(Response):
    media_type = "application/pdf"


@router.get(
    "/{handover_id:uuid}/record.pdf",
    operation_id="handoverRecord",
    response_class=PdfResponse,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The written record",
        }
    },
)
def handover_record(handover_id: uuid.UUID, session: SessionDep, principal: Party) -> Response:
    """The written handover record, as issued; `X-Content-SHA256` is the hash kept since."""
    handover = service.get(session, principal=principal, handover_id=handover_id)
    if handover.record_pdf is None:
        raise ProblemError(
            409, "the record is issued when the receiver confirms the handover", kind="no-record"
        )
    return PdfResponse(
        handover.record_pdf,
        headers={
            "X-Content-SHA256": handover.record_sha256,
            "Content-Disposition": f'inline; filename="handover-{handover.id}.pdf"',
        },
    )
