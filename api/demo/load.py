"""Load the demo city through the same services the API uses."""

from __future__ import annotations

import sqlalchemy as sa
from shapely.geometry import Point, mapping
from sqlmodel import Session

from api.auth import service as users
from api.auth.deps import system_principal
from api.auth.models import User
from api.demo import city
from api.hotspots import service as hotspots
from api.hotspots.models import Hotspot
from api.hotspots.schemas import HotspotCreate
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.leads import service as leads
from api.leads.models import Source, Urgency
from api.organisations import service as organisations
from api.organisations.schemas import OrganisationProperties
from api.patrol_routes import service as patrol_routes
from api.patrol_routes.schemas import RouteCreate
from api.teams import service as teams
from api.teams.schemas import TeamCreate
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
    _load_teams_and_routes(session)
    _load_gazetteer_and_leads(session)
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


def _load_teams_and_routes(session: Session) -> None:
    """Six joint teams, each with a route over half of its district's hotspots, planned from
    the district's police station."""
    principal = system_principal()
    user_ids = dict(session.execute(sa.select(User.username, User.id)).all())
    for index, team in enumerate(city.TEAMS):
        teams.create(
            session=session,
            principal=principal,
            body=TeamCreate(
                call_sign=team.call_sign,
                vehicle=team.vehicle,
                jurisdiction=team.jurisdiction,
                members=[user_ids[m] for m in team.members],
            ),
        )
        district_path = jurisdictions.get_by_code(session=session, code=team.jurisdiction).path
        spots = session.scalars(
            sa.select(Hotspot.id)
            .join(Jurisdiction, Jurisdiction.id == Hotspot.jurisdiction_id)
            .where(Jurisdiction.path.descendant_of(district_path))
            .order_by(Hotspot.name)
        ).all()
        half = spots[index % 2 :: 2]
        station = next(o for o in city.ORGANISATIONS if o.key == f"police_{team.jurisdiction}")
        patrol_routes.create(
            session=session,
            principal=principal,
            start=(station.lon, station.lat),
            body=RouteCreate(
                name=f"{team.call_sign} 夜巡线",
                jurisdiction=team.jurisdiction,
                hotspot_ids=half,
                expected_minutes=15 * len(half),
            ),
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


def _load_gazetteer_and_leads(session: Session) -> None:
    city_area = jurisdictions.get_by_code(session=session, code=city.CITY[0])
    for landmark in city.LANDMARKS:
        point = Point(landmark.lon, landmark.lat)
        covering = jurisdictions.deepest_covering(session=session, point_wgs84=point)
        aliases = list(landmark.aliases)
        leads.add_landmark(
            session, name=landmark.name, aliases=aliases, jurisdiction_id=covering.id, point=point
        )
    for tip in city.LEADS:
        leads.create(
            session,
            leads.Intake(
                source=Source.hotline,
                description=tip.description,
                jurisdiction=city_area,
                point=Point(tip.lon, tip.lat) if tip.lon is not None else None,
                place_text=tip.place_text,
                urgency=Urgency.urgent if tip.urgent else Urgency.normal,
                contact={"phone": "13800000000"},
            ),
        )
