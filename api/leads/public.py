"""The public's side of leads: a small web form (no scripts from anywhere else), its JSON
endpoint, and the status a reporter can follow with their receipt token.

Receipt tokens travel in request bodies, never in URLs, so they stay out of access logs.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import Base64Bytes, BaseModel, ConfigDict, Field, StrictBool, ValidationError

from api.db import SessionDep
from api.encounters.models import AgeBand
from api.errors import ProblemError, not_found, problems
from api.geojson import DatumQuery, Place, place_in
from api.jurisdictions.models import Jurisdiction
from api.leads import intake, service
from api.leads.models import Source
from api.leads.present import public_stage
from api.leads.schemas import Description, LeadReceipt, Phone, PlaceText, PublicStage
from api.settings import get_settings
from geo.datum import Datum

router = APIRouter(prefix="/public/leads", tags=["public"], responses=problems(400, 404, 422, 429))
pages = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


class PublicLeadCreate(BaseModel):
    """A report from a member of the public. Give the place on the map, or name the area
    (`jurisdiction`) and describe the place in words."""

    description: Description
    place: Place | None = None
    place_text: PlaceText | None = None
    jurisdiction: str | None = Field(None, max_length=32)
    urgent: StrictBool = False
    minor_involved: StrictBool = False
    age_band: AgeBand | None = None
    contact_phone: Phone | None = None
    contact_email: str | None = Field(None, max_length=120, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    photos: list[Base64Bytes] = Field(default_factory=list, max_length=10, description="JPEG, PNG or WebP.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "description": "公园长椅上有人睡觉，穿得很少",
                    "place": {"lon": 120.05, "lat": 30.1},
                    "urgent": False,
                    "contact_phone": "13812345678",
                }
            ]
        },
    )


class ReceiptQuery(BaseModel):
    receipt_token: str = Field(min_length=10, max_length=64)

    model_config = ConfigDict(json_schema_extra={"examples": [{"receipt_token": "q8Zx1vR0cM3h5nT2yW7pLk9a"}]})


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("", response_model=LeadReceipt, status_code=201, operation_id="reportPublicLead")
def report(
    body: PublicLeadCreate, request: Request, session: SessionDep, datum: DatumQuery = Datum.wgs84
) -> LeadReceipt:
    """Report someone who may need help. Limited per client and per area (429 with Retry-After)."""
    lead, token = intake.take(
        session,
        intake.PublicReport(
            source=Source.web,
            client=client_address(request),
            description=body.description,
            point=place_in(body.place, datum) if body.place else None,
            place_text=body.place_text,
            jurisdiction_code=body.jurisdiction,
            urgent=body.urgent,
            minor_involved=body.minor_involved,
            age_band=body.age_band,
            contact={"phone": body.contact_phone or "", "email": body.contact_email or ""},
            photos=list(body.photos),
        ),
    )
    return LeadReceipt(number=lead.number, receipt_token=token, status_url="/api/v1/public/leads/status")


@router.post("/status", response_model=PublicStage, operation_id="publicLeadStatus")
def status(body: ReceiptQuery, session: SessionDep) -> PublicStage:
    """Where a report stands: its stage and the team's public note, nothing about anyone."""
    return _stage(session, body.receipt_token)


def _stage(session, token: str) -> PublicStage:
    lead = service.by_receipt(session, token)
    if lead is None:
        raise not_found("report")
    return public_stage(lead, service.followed(session, lead))


# The web page -------------------------------------------------------------------------------


def _areas(session) -> list[Jurisdiction]:
    return list(
        session.scalars(
            sa.select(Jurisdiction).where(sa.func.nlevel(Jurisdiction.path) <= 2).order_by(Jurisdiction.path)
        )
    )


def _form_page(request: Request, session, *, status_code: int = 200, error: str | None = None, values=None):
    return templates.TemplateResponse(
        request,
        "report.html",
        {
            "areas": _areas(session),
            "error": error,
            "values": values or {},
            "max_photo_kib": get_settings().lead_max_photo_bytes // 1024,
        },
        status_code=status_code,
    )


@pages.get("/report", response_class=HTMLResponse)
def report_page(request: Request, session: SessionDep) -> HTMLResponse:
    return _form_page(request, session)


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None
    except ValueError:
        return None


@pages.post("/report", response_class=HTMLResponse)
async def report_form(request: Request, session: SessionDep) -> HTMLResponse:
    """The form without JavaScript: multipart with an optional photo; errors re-render the form."""
    settings = get_settings()
    form = await request.form(max_files=settings.lead_max_photos, max_fields=20)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    photos = [
        await f.read(settings.lead_max_photo_bytes + 1)
        for f in form.getlist("photo")
        if getattr(f, "filename", "")
    ]
    try:
        body = PublicLeadCreate(
            description=values.get("description", ""),
            place_text=values.get("place_text") or None,
            jurisdiction=values.get("jurisdiction") or None,
            urgent=values.get("urgent") == "on",
            minor_involved=values.get("minor") == "on",
            contact_phone=values.get("contact_phone") or None,
        )
        lon, lat = _float(values.get("lon")), _float(values.get("lat"))
        point = (
            place_in(Place(lon=lon, lat=lat), Datum.wgs84) if lon is not None and lat is not None else None
        )
    except ValidationError as exc:
        return _form_page(request, session, status_code=422, error=_first_error(exc), values=values)
    try:
        lead, token = intake.take(
            session,
            intake.PublicReport(
                source=Source.web,
                client=client_address(request),
                description=body.description,
                point=point,
                place_text=body.place_text,
                jurisdiction_code=body.jurisdiction,
                urgent=body.urgent,
                minor_involved=body.minor_involved,
                contact={"phone": body.contact_phone or ""},
                photos=photos,
            ),
        )
    except ProblemError as exc:
        if exc.status == 429:
            raise
        return _form_page(request, session, status_code=exc.status, error=exc.detail, values=values)
    return templates.TemplateResponse(
        request, "receipt.html", {"number": lead.number, "token": token}, status_code=201
    )


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"])
    return f"{field}: {error['msg']}"


@pages.post("/report/status", response_class=HTMLResponse)
async def status_page(request: Request, session: SessionDep) -> HTMLResponse:
    form = await request.form(max_files=0, max_fields=2)
    token = str(form.get("receipt_token", ""))[:64]
    lead = service.by_receipt(session, token) if token else None
    if lead is None:
        return templates.TemplateResponse(request, "status.html", {"stage": None}, status_code=404)
    return templates.TemplateResponse(
        request, "status.html", {"stage": public_stage(lead, service.followed(session, lead))}
    )
