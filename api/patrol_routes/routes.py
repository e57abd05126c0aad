from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter

from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.errors import problems
from api.geojson import DatumQuery, place_in
from api.patrol_routes import service
from api.patrol_routes.schemas import PlanRequest, PlanResult, RouteCreate, RouteFeature
from api.phone import PHONE
from geo.datum import Datum

READERS = (Role.officer, Role.dispatcher, Role.supervisor, Role.admin)
EDITORS = (Role.dispatcher, Role.supervisor, Role.admin)

router = APIRouter(prefix="/routes", tags=["routes"], responses=problems(400, 401, 403, 404, 422))


@router.post("/plan", response_model=PlanResult, operation_id="planRoute")
def plan_route(
    body: PlanRequest,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*EDITORS)],
    datum: DatumQuery = Datum.wgs84,
) -> PlanResult:
    """Order hotspots into a short round trip from a start point (OR-Tools, straight-line metres)."""
    order, length = service.plan(
        session=session,
        principal=principal,
        start=place_in(body.start, datum).coords[0],
        hotspot_ids=body.hotspot_ids,
    )
    return PlanResult(hotspot_ids=order, length_m=round(length, 1))


@router.post("", response_model=RouteFeature, status_code=201, operation_id="createRoute")
def create_route(
    body: RouteCreate,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*EDITORS)],
    datum: DatumQuery = Datum.wgs84,
) -> RouteFeature:
    start = place_in(body.plan_from, datum).coords[0] if body.plan_from else None
    route = service.create(session=session, principal=principal, body=body, start=start)
    session.commit()
    return service.present(session, [route], datum)[0]


@router.get("", response_model=list[RouteFeature], operation_id="listRoutes", tags=[PHONE])
def list_routes(
    session: SessionDep, principal: Annotated[Principal, Allow(*READERS)], datum: DatumQuery = Datum.wgs84
) -> list[RouteFeature]:
    return service.present(session, service.list_in_scope(session=session, principal=principal), datum)


@router.get("/{route_id:uuid}", response_model=RouteFeature, operation_id="getRoute", tags=[PHONE])
def get_route(
    route_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*READERS)],
    datum: DatumQuery = Datum.wgs84,
) -> RouteFeature:
    return service.present(
        session, [service.get(session=session, principal=principal, route_id=route_id)], datum
    )[0]
