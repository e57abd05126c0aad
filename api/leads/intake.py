"""Anonymous intake shared by the web form, its JSON endpoint and Open311: rate limits, the
area a report belongs to, and the lead itself."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from geoalchemy2 import functions as gf
from shapely.geometry import Point
from sqlmodel import Session

from api.errors import invalid
from api.geojson import to_db
from api.jurisdictions.models import Jurisdiction
from api.leads import ratelimit, service
from api.leads.models import Lead, Source, Urgency
from api.settings import get_settings

PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"RIFF": "image/webp"}


@dataclass
class PublicReport:
    source: Source
    client: str  # the caller's address, for the per-client limit
    description: str
    point: Point | None = None
    place_text: str | None = None
    jurisdiction_code: str | None = None
    urgent: bool = False
    minor_involved: bool = False
    age_band: str | None = None
    contact: dict[str, str] = field(default_factory=dict)
    media_url: str | None = None
    photos: list[bytes] = field(default_factory=list)


def photo_type(data: bytes) -> str:
    """The image type from the file's first bytes; 422 for anything that is not JPEG, PNG or WebP."""
    for magic, kind in PHOTO_TYPES.items():
        if data.startswith(magic) and (kind != "image/webp" or data[8:12] == b"WEBP"):
            return kind
    raise invalid("a photo must be a JPEG, PNG or WebP image", loc=["body", "photo"], kind="bad-photo")


def check_photos(photos: list[bytes]) -> list[tuple[str, bytes]]:
    settings = get_settings()
    if len(photos) > settings.lead_max_photos:
        raise invalid(
            f"at most {settings.lead_max_photos} photos", loc=["body", "photo"], kind="too-many-photos"
        )
    checked = []
    for data in photos:
        if len(data) > settings.lead_max_photo_bytes:
            raise invalid(
                f"a photo may be at most {settings.lead_max_photo_bytes // 1024} KiB",
                loc=["body", "photo"],
                kind="photo-too-large",
            )
        checked.append((photo_type(data), data))
    return checked


def _area(session: Session, report: PublicReport) -> Jurisdiction:
    if report.jurisdiction_code:
        area = session.scalar(sa.select(Jurisdiction).where(Jurisdiction.code == report.jurisdiction_code))
        if area is None:
            raise invalid(f"unknown area {report.jurisdiction_code}", loc=["body", "jurisdiction"])
        return area
    if report.point is None:
        raise invalid(
            "give the place on the map, or name the area and describe the place", loc=["body", "place"]
        )
    top = session.scalar(
        sa.select(Jurisdiction)
        .where(gf.ST_Covers(Jurisdiction.boundary, to_db(report.point)))
        .order_by(sa.func.nlevel(Jurisdiction.path), Jurisdiction.code)
        .limit(1)
    )
    if top is None:
        raise invalid("the place lies outside every area this service covers", loc=["body", "place"])
    return top


def take(session: Session, report: PublicReport) -> tuple[Lead, str]:
    """Check limits and input, then record the report as a lead (committed); (lead, receipt token)."""
    settings = get_settings()
    now = service.now_utc()
    limits = {f"client:{report.client}": settings.lead_public_per_client_hour}
    if report.point is not None:
        limits[ratelimit.area_key(report.point.x, report.point.y)] = settings.lead_public_per_area_hour
    ratelimit.charge(session, limits, now)
    photos = check_photos(report.photos)
    lead, token = service.create(
        session,
        service.Intake(
            source=report.source,
            description=report.description,
            jurisdiction=_area(session, report),
            point=report.point,
            place_text=report.place_text,
            urgency=Urgency.urgent if report.urgent else Urgency.normal,
            minor_involved=report.minor_involved,
            age_band=report.age_band,
            contact=report.contact,
            media_url=report.media_url,
            photos=photos,
        ),
        now=now,
    )
    session.commit()
    return lead, token
