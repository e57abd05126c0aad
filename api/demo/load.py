"""Load the demo city through the same services the API uses."""

from __future__ import annotations

from shapely.geometry import Point, mapping
from sqlmodel import Session

from api.auth import service as users
from api.auth.deps import system_principal
from api.demo import city
from api.hotspots import service as hotspots
from api.hotspots.schemas import HotspotCreate
from api.jurisdictions import service as jurisdictions
from api.organisations import service as organisations
from api.organisations.schemas import OrganisationProperties
from geo.datum import Datum


def is_loaded(session: Session) -> bool:
    return jurisdictions.get_by_code(session=session, code=city.CITY[0]) is not None


def load(session: Session) -> bool:
    """Create the demo city in one transaction; False (and nothing written) when it exists."""
    if is_loaded(session):
        return False
    for area in city.jurisdictions():
        jurisdictions.create(
            session=session,
            code=area.code,
            name=area.name,
            level=area.level,
            parent_code=area.parent,
            boundary=city.boundary(area),
        )
    org_ids = _load_organisations(session)
    _load_users(session, org_ids)
    _load_hotspots(session)
    session.commit()
    return True


def _load_organisations(session: Session) -> dict[str, int]:
    ids = {}
    for org in city.ORGANISATIONS:
        props = OrganisationProperties(
            name=org.name,
            kind=org.kind,
            jurisdiction=org.jurisdiction,
            phone=org.phone,
            hotline=org.hotline,
            opening_hours=org.opening_hours,
            capacity=org.capacity,
        )
        jurisdiction = jurisdictions.get_by_code(session=session, code=org.jurisdiction)
        created = organisations.create(
            session=session, props=props, location=Point(org.lon, org.lat), jurisdiction=jurisdiction
        )
        ids[org.key] = created.id
    return ids


def _load_users(session: Session, org_ids: dict[str, int]) -> None:
    for user in city.USERS:
        users.create_user(
            session=session,
            username=user.username,
            password=user.password,
            role=user.role,
            jurisdiction_code=user.jurisdiction,
            display_name=user.display_name,
            organisation_id=org_ids[user.organisation] if user.organisation else None,
        )


def _load_hotspots(session: Session) -> None:
    principal = system_principal()
    for spot in city.HOTSPOTS:
        geometry = city.hotspot_geometry(spot)
        feature = HotspotCreate.model_validate(
            {
                "type": "Feature",
                "geometry": mapping(geometry),
                "properties": {
                    "name": spot.name,
                    "kind": spot.kind,
                    "risk_level": spot.risk,
                    "radius_m": spot.radius_m if spot.half_size_m is None else None,
                    "notes": spot.notes,
                },
            }
        )
        hotspots.create(session=session, principal=principal, feature=feature, datum=Datum.wgs84)
