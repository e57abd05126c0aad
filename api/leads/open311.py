"""Open311 GeoReport v2 at /open311/v2: one service, "a person who may need help".

Requests are answered realtime (the service_request_id comes back at once). What the
public may read back is limited on purpose: status, notes, agency and times, with the
position snapped to a coarse grid and no description, address or contact, because every
request is about a vulnerable person.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any, Literal
from xml.etree import ElementTree

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import Response
from geoalchemy2.shape import to_shape
from shapely.geometry import Point

from api.db import SessionDep
from api.encounters.models import AgeBand
from api.errors import ProblemError
from api.jurisdictions.models import Jurisdiction
from api.leads import intake, service
from api.leads.models import Lead, Source, Status
from api.leads.present import STAGES
from api.settings import get_settings
from geo.validate import GeometryError, check_position

Format = Literal["json", "xml"]
SERVICE_CODE = "person_in_need"
PUBLIC_SOURCES = (Source.open311, Source.web)
MAX_LIST = 1000

router = APIRouter(prefix="/open311/v2", tags=["open311"], include_in_schema=False)

SERVICE = {
    "service_code": SERVICE_CODE,
    "service_name": "需要帮助的人 / Person who may need help",
    "description": "Someone sleeping or living rough who may need shelter, food, warmth or care. "
    "If a life is in danger call 110 or 120.",
    "metadata": True,
    "type": "realtime",
    "keywords": "rough sleeping, homeless, 流浪乞讨, 救助",
    "group": "社会救助 / Relief",
}

AGE_NAMES = {
    AgeBand.under_14: "14岁以下 / under 14",
    AgeBand.age_14_17: "14-17岁 / 14-17",
    AgeBand.age_18_39: "18-39岁 / 18-39",
    AgeBand.age_40_59: "40-59岁 / 40-59",
    AgeBand.age_60_plus: "60岁以上 / 60 or older",
    AgeBand.unknown: "不清楚 / not sure",
}

DEFINITION = {
    "service_code": SERVICE_CODE,
    "attributes": [
        {
            "variable": True,
            "code": "age_band",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 1,
            "description": "大致年龄 / Apparent age",
            "values": [{"key": band.value, "name": name} for band, name in AGE_NAMES.items()],
        },
        {
            "variable": True,
            "code": "urgent",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "Urgent: the person seems in danger now (cold, heat, injury, a child).",
            "order": 2,
            "description": "情况紧急 / Urgent",
            "values": [{"key": "yes", "name": "是 / yes"}, {"key": "no", "name": "否 / no"}],
        },
    ],
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        self.status, self.description = status, description


# Rendering ----------------------------------------------------------------------------------


def _xml_value(parent: ElementTree.Element, tag: str, value: Any) -> None:
    node = ElementTree.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(node, key, inner)
    elif isinstance(value, list):
        child_tag = {"attributes": "attribute", "values": "value"}.get(tag, tag.rstrip("s"))
        for inner in value:
            _xml_value(node, child_tag, inner)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def render(fmt: Format, root: str, item: str | None, data: Any, status: int = 200) -> Response:
    """JSON as the spec's examples show it, or the XML with its root and item element names."""
    if fmt == "json":
        return Response(
            json.dumps(data, ensure_ascii=False), status_code=status, media_type="application/json"
        )
    top = ElementTree.Element(root)
    if item is None:
        for key, value in data.items():
            _xml_value(top, key, value)
    else:
        for entry in data:
            node = ElementTree.SubElement(top, item)
            for key, value in entry.items():
                _xml_value(node, key, value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(
        top, encoding="utf-8", xml_declaration=False
    )
    return Response(body, status_code=status, media_type="text/xml; charset=utf-8")


def error_response(fmt: Format, status: int, description: str) -> Response:
    return render(fmt, "errors", "error", [{"code": status, "description": description}], status)


def _format(raw: str) -> Format:
    if raw not in ("json", "xml"):
        raise Open311Error(404, f"unknown response format {raw}; use json or xml")
    return raw  # type: ignore[return-value]


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _blurred(lead: Lead) -> tuple[float | None, float | None]:
    """The centre of the grid cell the lead lies in: near enough to see the area, too coarse to
    find the person."""
    if lead.geom is None:
        return None, None
    point = to_shape(lead.geom)
    cell_lat = get_settings().open311_blur_m / 111_320
    cell_lon = cell_lat / max(math.cos(math.radians(point.y)), 0.01)
    snap = lambda value, cell: round((math.floor(value / cell) + 0.5) * cell, 5)  # noqa: E731
    return snap(point.y, cell_lat), snap(point.x, cell_lon)


def _request_view(session, lead: Lead, names: dict[int, str]) -> dict[str, Any]:
    followed = service.followed(session, lead)
    lat, lon = _blurred(lead)
    closed = followed.status == Status.closed
    return {
        "service_request_id": str(lead.number),
        "status": "closed" if closed else "open",
        "status_notes": followed.public_note if closed else STAGES[Status(followed.status)][1],
        "service_name": SERVICE["service_name"],
        "service_code": SERVICE_CODE,
        "description": None,
        "agency_responsible": f"{names.get(lead.jurisdiction_id, '')}救助管理",
        "service_notice": None,
        "requested_datetime": _time(lead.created_at),
        "updated_datetime": _time(max(lead.updated_at, followed.updated_at)),
        "expected_datetime": _time(lead.deadline_at),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": None,
    }


def _views(session, leads: list[Lead]) -> list[dict[str, Any]]:
    ids = {lead.jurisdiction_id for lead in leads}
    names = dict(
        session.execute(sa.select(Jurisdiction.id, Jurisdiction.name).where(Jurisdiction.id.in_(ids))).all()
    )
    return [_request_view(session, lead, names) for lead in leads]


# Routes -------------------------------------------------------------------------------------


def _answer(fmt_raw: str, build) -> Response:
    fmt: Format = "json" if fmt_raw not in ("json", "xml") else fmt_raw  # type: ignore[assignment]
    try:
        return build(_format(fmt_raw))
    except Open311Error as exc:
        return error_response(fmt, exc.status, exc.description)
    except ProblemError as exc:
        if exc.status == 429:
            response = error_response(fmt, 429, exc.detail)
            response.headers.update(exc.headers or {})
            return response
        return error_response(fmt, 400 if exc.status == 422 else exc.status, exc.detail)


@router.get("/discovery.{fmt}")
def discovery(fmt: str, request: Request) -> Response:
    base = str(request.base_url).rstrip("/") + "/open311/v2/"
    data = {
        "changeset": "2026-11-29T00:00:00Z",
        "contact": "Rescue station hotline",
        "key_service": "Ask the city's civil-affairs bureau for an api_key.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-11-29T00:00:00Z",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _answer(fmt, lambda f: render(f, "discovery", None, data))


@router.get("/services.{fmt}")
def services(fmt: str) -> Response:
    return _answer(fmt, lambda f: render(f, "services", "service", [SERVICE]))


@router.get("/services/{service_code}.{fmt}")
def service_definition(service_code: str, fmt: str) -> Response:
    def build(f: Format) -> Response:
        if service_code != SERVICE_CODE:
            raise Open311Error(404, f"service_code {service_code} not found")
        return render(f, "service_definition", None, DEFINITION)

    return _answer(fmt, build)


def _check_jurisdiction(session, code: str | None) -> None:
    if code and session.scalar(sa.select(Jurisdiction.id).where(Jurisdiction.code == code)) is None:
        raise Open311Error(404, f"jurisdiction_id {code} not found")


def _coordinate(raw: str | None, name: str) -> float | None:
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None


@router.post("/requests.{fmt}")
async def post_request(fmt: str, request: Request, session: SessionDep) -> Response:
    """Create a service request from form-encoded fields, as GeoReport v2 clients send them."""
    form = await request.form(max_files=0, max_fields=40)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}

    def build(f: Format) -> Response:
        keys = get_settings().open311_api_keys
        if not fields.get("api_key") or (keys and fields["api_key"] not in keys):
            raise Open311Error(403, "api_key missing or not valid")
        _check_jurisdiction(session, fields.get("jurisdiction_id"))
        if fields.get("service_code") != SERVICE_CODE:
            raise Open311Error(
                404 if fields.get("service_code") else 400,
                "service_code not found" if fields.get("service_code") else "service_code is required",
            )
        lead, token = intake.take(session, _report(request, fields))
        answer = [
            {"service_request_id": str(lead.number), "token": token, "service_notice": "", "account_id": None}
        ]
        return render(f, "service_requests", "request", answer)

    return _answer(fmt, build)


def _report(request: Request, fields: dict[str, str]) -> intake.PublicReport:
    lat, lon = _coordinate(fields.get("lat"), "lat"), _coordinate(fields.get("long"), "long")
    address = (fields.get("address_string") or "").strip()[:300] or None
    point = None
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            raise Open311Error(400, "lat and long go together")
        try:
            check_position(lon, lat)
        except GeometryError as exc:
            raise Open311Error(400, str(exc)) from None
        point = Point(lon, lat)  # GeoReport v2 positions are WGS84
    elif address is None:
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    description = (fields.get("description") or "").strip()
    if not description or len(description) > 2000:
        raise Open311Error(400, "description is required (at most 2000 characters)")
    age = fields.get("attribute[age_band]") or None
    if age is not None and age not in {band.value for band in AgeBand}:
        raise Open311Error(400, f"attribute[age_band] {age} is not one of the listed values")
    urgent = fields.get("attribute[urgent]", "no")
    if urgent not in ("yes", "no"):
        raise Open311Error(400, "attribute[urgent] is yes or no")
    media = (fields.get("media_url") or "").strip() or None
    if media is not None and (len(media) > 1000 or not media.startswith(("http://", "https://"))):
        raise Open311Error(400, "media_url must be an http(s) URL")
    name = " ".join(filter(None, [fields.get("first_name"), fields.get("last_name")]))[:60]
    return intake.PublicReport(
        source=Source.open311,
        client=request.client.host if request.client else "unknown",
        description=description,
        point=point,
        place_text=address,
        jurisdiction_code=fields.get("jurisdiction_id") or None,
        urgent=urgent == "yes",
        minor_involved=age in (AgeBand.under_14, AgeBand.age_14_17),
        age_band=age,
        contact={
            "phone": (fields.get("phone") or "")[:20],
            "email": (fields.get("email") or "")[:120],
            "name": name,
        },
        media_url=media,
    )


def _date(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise Open311Error(400, f"{name} must carry a time zone (Z or an offset)")
    return value


@router.get("/requests.{fmt}")
def get_requests(
    fmt: str,
    session: SessionDep,
    jurisdiction_id: str | None = None,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
) -> Response:
    """Public reports, newest first: by id, or the last 90 days (at most 1,000), as the spec asks."""

    def build(f: Format) -> Response:
        _check_jurisdiction(session, jurisdiction_id)
        query = sa.select(Lead).where(Lead.source.in_([s.value for s in PUBLIC_SOURCES]))
        if service_request_id:
            numbers = [part.strip() for part in service_request_id.split(",")][:MAX_LIST]
            if not all(n.isdigit() and len(n) < 18 for n in numbers):
                raise Open311Error(400, "service_request_id is a comma-separated list of numbers")
            query = query.where(Lead.number.in_([int(n) for n in numbers]))
        else:
            if service_code and service_code != SERVICE_CODE:
                return render(f, "service_requests", "request", [])
            end = _date(end_date, "end_date") or service.now_utc()
            start = _date(start_date, "start_date") or end - timedelta(days=90)
            if start > end:
                raise Open311Error(400, "start_date is after end_date")
            query = query.where(Lead.created_at >= start, Lead.created_at <= end)
            if status:
                wanted = {part.strip() for part in status.split(",")}
                if not wanted <= {"open", "closed"}:
                    raise Open311Error(400, "status is open or closed")
                if wanted == {"closed"}:
                    query = query.where(Lead.status == Status.closed)
                elif wanted == {"open"}:
                    query = query.where(Lead.status != Status.closed)
        if jurisdiction_id:
            area = sa.select(Jurisdiction.path).where(Jurisdiction.code == jurisdiction_id).scalar_subquery()
            query = query.join(Jurisdiction, Jurisdiction.id == Lead.jurisdiction_id).where(
                Jurisdiction.path.descendant_of(area)
            )
        leads = list(session.scalars(query.order_by(Lead.created_at.desc()).limit(MAX_LIST)))
        return render(f, "service_requests", "request", _views(session, leads))

    return _answer(fmt, build)


@router.get("/requests/{service_request_id}.{fmt}")
def get_request(
    service_request_id: str, fmt: str, session: SessionDep, jurisdiction_id: str | None = None
) -> Response:
    def build(f: Format) -> Response:
        _check_jurisdiction(session, jurisdiction_id)
        lead = None
        if service_request_id.isdigit() and len(service_request_id) < 18:
            lead = session.scalar(
                sa.select(Lead).where(
                    Lead.number == int(service_request_id), Lead.source.in_([s.value for s in PUBLIC_SOURCES])
                )
            )
        if lead is None:
            raise Open311Error(404, f"service_request_id {service_request_id} not found")
        return render(f, "service_requests", "request", _views(session, [lead]))

    return _answer(fmt, build)


@router.get("/tokens/{token}.{fmt}")
def get_token(token: str, fmt: str, session: SessionDep, jurisdiction_id: str | None = None) -> Response:
    def build(f: Format) -> Response:
        lead = service.by_receipt(session, token[:64])
        if lead is None:
            raise Open311Error(404, "token not found")
        return render(
            f, "service_requests", "request", [{"service_request_id": str(lead.number), "token": token}]
        )

    return _answer(fmt, build)
