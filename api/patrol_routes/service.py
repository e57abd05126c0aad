"""Patrol routes: ordered hotspots, planned into short round trips."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from geoalchemy2 import functions as gf
from geoalchemy2.shape import to_shape
from shapely.geometry import LineString
from sqlmodel import Session

from api.auth.deps import Principal
from api.errors import invalid, not_found
from api.geojson import geometry_out, to_db
from api.hotspots.models import Hotspot
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.patrol_routes.models import PatrolRoute, RouteStop
from api.patrol_routes.schemas import RouteCreate, RouteFeature, RouteProperties, Stop
from geo.datum import Datum
from geo.distance import path_length_m
from geo.routing import round_trip


def _stop_points(session: Session, principal: Principal, hotspot_ids: Sequence[uuid.UUID]) -> dict:
    """Active hotspots in scope -> (name, representative lon/lat); 422 naming any other id."""
    rows = session.execute(
        sa.select(
            Hotspot.id,
            Hotspot.name,
            gf.ST_X(gf.ST_PointOnSurface(Hotspot.geom)),
            gf.ST_Y(gf.ST_PointOnSurface(Hotspot.geom)),
        ).where(
            Hotspot.id.in_(hotspot_ids),
            Hotspot.retired_at.is_(None),
            Hotspot.jurisdiction_id.in_(jurisdictions.scope_ids(principal)),
        )
    ).all()
    found = {row[0]: (row[1], (row[2], row[3])) for row in rows}
    for index, hotspot_id in enumerate(hotspot_ids):
        if hotspot_id not in found:
            raise invalid(
                f"hotspot {hotspot_id} is unknown, retired or outside your jurisdiction",
                loc=["body", "hotspot_ids", index],
            )
    if len(set(hotspot_ids)) != len(hotspot_ids):
        raise invalid("a hotspot is listed twice", loc=["body", "hotspot_ids"])
    return found


def plan(
    *, session: Session, principal: Principal, start: tuple[float, float], hotspot_ids: Sequence[uuid.UUID]
) -> tuple[list[uuid.UUID], float]:
    stops = _stop_points(session, principal, hotspot_ids)
    tour = round_trip(start, [stops[h][1] for h in hotspot_ids])
    return [hotspot_ids[i] for i in tour.order], tour.length_m


def create(
    *, session: Session, principal: Principal, body: RouteCreate, start: tuple[float, float] | None
) -> PatrolRoute:
    jurisdiction = jurisdictions.get_in_scope(session=session, principal=principal, code=body.jurisdiction)
    order = list(body.hotspot_ids)
    planning = "manual"
    if start is not None:
        order, _ = plan(session=session, principal=principal, start=start, hotspot_ids=order)
        planning = "straight_line"
    stops = _stop_points(session, principal, order)
    coordinates = [stops[h][1] for h in order]
    loop = [*coordinates, coordinates[0]] if len(coordinates) > 1 else coordinates * 2
    route = PatrolRoute(
        name=body.name,
        jurisdiction_id=jurisdiction.id,
        path=to_db(LineString(loop)),
        length_m=path_length_m([c[0] for c in loop], [c[1] for c in loop]),
        expected_minutes=body.expected_minutes,
        planning=planning,
        created_by=principal.id,
    )
    session.add(route)
    session.flush()
    session.add_all(RouteStop(route_id=route.id, position=i, hotspot_id=h) for i, h in enumerate(order))
    session.flush()
    return route


def get(*, session: Session, principal: Principal, route_id: uuid.UUID) -> PatrolRoute:
    route = session.get(PatrolRoute, route_id)
    if route is None or not jurisdictions.id_in_scope(session, principal, route.jurisdiction_id):
        raise not_found(f"route {route_id}")
    return route


def list_in_scope(*, session: Session, principal: Principal) -> Sequence[PatrolRoute]:
    return session.scalars(
        sa.select(PatrolRoute)
        .where(
            PatrolRoute.jurisdiction_id.in_(jurisdictions.scope_ids(principal)),
            PatrolRoute.retired_at.is_(None),
        )
        .order_by(PatrolRoute.name)
    ).all()


def stops_of(session: Session, route_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Stop]]:
    stops: dict[uuid.UUID, list[Stop]] = {r: [] for r in route_ids}
    for route_id, position, hotspot_id, name in session.execute(
        sa.select(RouteStop.route_id, RouteStop.position, RouteStop.hotspot_id, Hotspot.name)
        .join(Hotspot, Hotspot.id == RouteStop.hotspot_id)
        .where(RouteStop.route_id.in_(route_ids))
        .order_by(RouteStop.route_id, RouteStop.position)
    ):
        stops[route_id].append(Stop(position=position, hotspot_id=hotspot_id, name=name))
    return stops


def present(session: Session, routes: Sequence[PatrolRoute], datum: Datum) -> list[RouteFeature]:
    stops = stops_of(session, [r.id for r in routes])
    codes = dict(
        session.execute(
            sa.select(Jurisdiction.id, Jurisdiction.code).where(
                Jurisdiction.id.in_({r.jurisdiction_id for r in routes})
            )
        ).all()
    )
    return [
        RouteFeature(
            id=r.id,
            geometry=geometry_out(r.path, datum),
            properties=RouteProperties(
                name=r.name,
                jurisdiction=codes[r.jurisdiction_id],
                stops=stops[r.id],
                length_m=round(r.length_m, 1),
                expected_minutes=r.expected_minutes,
                planning=r.planning,
                created_at=r.created_at,
            ),
        )
        for r in routes
    ]


def path_coordinates(route: PatrolRoute) -> list[tuple[float, float]]:
    return list(to_shape(route.path).coords) if route.path is not None else []
