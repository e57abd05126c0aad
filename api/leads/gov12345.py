"""Tickets from the 12345 government service hotline platform.

The platform POSTs a ticket (JSON) signed with the shared secret: ``X-Signature:
sha256=<hex HMAC-SHA256 of the raw body>``. The ticket becomes a lead (once, however often it
is resent), and each step of the ticket flow is reported back to its ``callback_url``:
受理 on intake, 派单 when a team is offered or assigned the lead, 办理 when a team takes it,
答复 with the public note and 办结 with the outcome when it closes.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, ValidationError

from api.db import SessionDep
from api.errors import ProblemError, invalid, problems
from api.geojson import Place, place_in
from api.jurisdictions import service as jurisdictions
from api.leads import jobs, service
from api.leads.models import Source, Urgency
from api.leads.schemas import Description, PlaceText
from api.settings import get_settings
from geo.datum import Datum

MAX_BYTES = 64 * 1024
router = APIRouter(
    prefix="/integrations/12345", tags=["integrations"], responses=problems(401, 413, 422, 503)
)


class Ticket(BaseModel):
    ticket_no: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    accept_time: datetime
    content: Description
    address: PlaceText | None = None
    lng: StrictFloat | None = Field(None, ge=-180, le=180)
    lat: StrictFloat | None = Field(None, ge=-90, le=90)
    coord_type: Literal["wgs84", "gcj02", "bd09"] = "gcj02"
    area_code: str = Field(min_length=1, max_length=32, description="Jurisdiction code of the area.")
    urgency: Literal["normal", "urgent"] = "normal"
    caller_phone: str | None = Field(None, max_length=20)
    caller_name: str | None = Field(None, max_length=60)
    callback_url: str = Field(max_length=1000, pattern=r"^https?://")

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "ticket_no": "GD20261129000123",
                    "accept_time": "2026-11-29T21:05:00+08:00",
                    "content": "市民反映解放路桥洞下有人露宿，天气寒冷",
                    "address": "解放路桥洞",
                    "lng": 120.0548,
                    "lat": 30.0978,
                    "coord_type": "gcj02",
                    "area_code": "330102",
                    "urgency": "normal",
                    "caller_phone": "13812345678",
                    "callback_url": "https://12345.example.gov.cn/api/ticket/callback",
                }
            ]
        },
    )


class TicketAccepted(BaseModel):
    ticket_no: str
    lead_id: str
    number: int
    status: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ticket_no": "GD20261129000123",
                    "lead_id": "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
                    "number": 1024,
                    "status": "offered",
                }
            ]
        }
    )


def _verify(body: bytes, signature: str | None) -> None:
    if get_settings().hotline12345_secret is None:
        raise ProblemError(
            503, "the 12345 integration is not configured on this server", kind="not-configured"
        )
    expected = jobs.signature(body)
    if not signature or not hmac.compare_digest(signature.removeprefix("sha256="), expected):
        raise ProblemError(401, "missing or wrong X-Signature", kind="bad-signature")


@router.post(
    "/tickets",
    response_model=TicketAccepted,
    status_code=201,
    operation_id="receive12345Ticket",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": Ticket.model_json_schema()}},
        }
    },
)
async def receive_ticket(
    request: Request,
    session: SessionDep,
    x_signature: Annotated[str | None, Header()] = None,
) -> TicketAccepted:
    """Take in a 12345 ticket as a lead; a resent ticket answers with the same lead."""
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise ProblemError(413, f"a ticket is at most {MAX_BYTES} bytes", kind="too-large")
    _verify(body, x_signature)
    try:
        ticket = Ticket.model_validate_json(body)
    except ValidationError as exc:
        raise invalid(str(exc.errors()[0]["msg"]), loc=["body", *exc.errors()[0]["loc"]]) from None
    area = jurisdictions.get_by_code(session=session, code=ticket.area_code)
    if area is None:
        raise invalid(f"unknown area_code {ticket.area_code}", loc=["body", "area_code"])
    point = None
    if ticket.lng is not None and ticket.lat is not None:
        point = place_in(Place(lon=ticket.lng, lat=ticket.lat), Datum(ticket.coord_type))
    elif ticket.address is None:
        raise invalid("a ticket needs lng/lat or an address", loc=["body", "address"])
    lead, _ = service.create(
        session,
        service.Intake(
            source=Source.gov12345,
            description=ticket.content,
            jurisdiction=area,
            point=point,
            place_text=ticket.address,
            urgency=Urgency(ticket.urgency),
            contact={"phone": ticket.caller_phone or "", "name": ticket.caller_name or ""},
            external_ref=ticket.ticket_no,
            callback_url=ticket.callback_url,
        ),
    )
    session.commit()
    return TicketAccepted(
        ticket_no=ticket.ticket_no, lead_id=str(lead.id), number=lead.number, status=lead.status
    )
