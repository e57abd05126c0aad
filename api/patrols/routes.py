from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.errors import invalid, problems
from api.geojson import DatumQuery, geometry_out, parse_near
from api.hotspots import service as hotspots
from api.observability.metrics import count_ingested
from api.patrol_routes import service as patrol_routes
from api.patrols import positions, service, tracks, visits
from api.patrols.models import GpsPoint, HotspotVisit, PointFlag
from api.patrols.schemas import (
    TRACK_UPLOAD,
    CheckIn,
    OverdueCollection,
    PointPage,
    PointPublic,
    PositionCollection,
    PositionFeature,
    PositionProperties,
    RouteCoverage,
    ShiftCoverage,
    ShiftEnd,
    ShiftPublic,
    ShiftStart,
    TrackCollection,
    TrackFeature,
    TrackReceipt,
    TrackUpload,
    VisitPublic,
)
from api.phone import PHONE
from geo.datum import Datum, point_from_wgs84
from geo.track import simplify_path

CREW = (Role.officer, Role.dispatcher, Role.supervisor, Role.admin)
COMMAND = (Role.dispatcher, Role.supervisor, Role.admin)

router = APIRouter(tags=["patrols"], responses=problems(400, 401, 403, 404, 422))


@router.post(
    "/patrols",
    response_model=ShiftPublic,
    operation_id="startShift",
    tags=[PHONE],
    responses={**problems(409), 201: {"model": ShiftPublic, "description": "Started"}},
)
def start_shift(
    body: ShiftStart, session: SessionDep, principal: Annotated[Principal, Allow(*CREW)], response: Response
) -> ShiftPublic:
    """Start a team's shift (201), or get back the shift this id already started (200)."""
    shift, created = service.start(session=session, principal=principal, body=body)
    session.commit()
    response.status_code = 201 if created else 200
    return service.present(session, [shift])[0]


@router.get("/patrols", response_model=list[ShiftPublic], operation_id="listShifts", tags=[PHONE])
def list_shifts(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*CREW)],
    on_duty: Annotated[bool, Query(description="Only shifts still running.")] = True,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[ShiftPublic]:
    shifts = service.list_in_scope(session=session, principal=principal, on_duty=on_duty, limit=limit)
    return service.present(session, shifts)


@router.get("/patrols/{shift_id}", response_model=ShiftPublic, operation_id="getShift", tags=[PHONE])
def get_shift(
    shift_id: uuid.UUID, session: SessionDep, principal: Annotated[Principal, Allow(*CREW)]
) -> ShiftPublic:
    return service.present(session, [service.get(session=session, principal=principal, shift_id=shift_id)])[0]


@router.post("/patrols/{shift_id}/end", response_model=ShiftPublic, operation_id="endShift", tags=[PHONE])
def end_shift(
    shift_id: uuid.UUID, body: ShiftEnd, session: SessionDep, principal: Annotated[Principal, Allow(*CREW)]
) -> ShiftPublic:
    shift = service.end(session=session, principal=principal, shift_id=shift_id, body=body)
    session.commit()
    return service.present(session, [shift])[0]


async def track_upload(request: Request) -> TrackUpload:
    """The batch parsed and validated by pydantic-core straight from the request's bytes.

    FastAPI would build Python dicts first (``json.loads``) and validate those: for 1,000
    points that costs 60 % more CPU, and ingest speed is bound by CPU.
    """
    try:
        return TRACK_UPLOAD.validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from None


@router.post(
    "/patrols/{shift_id}/track",
    response_model=TrackReceipt,
    operation_id="uploadTrack",
    tags=[PHONE],
    responses=problems(409),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TrackUpload"}}},
        }
    },
)
def upload_track(
    shift_id: uuid.UUID,
    principal: Annotated[Principal, Allow(Role.officer)],  # before the body: a stranger gets 403, not 422
    body: Annotated[TrackUpload, Depends(track_upload)],
    session: SessionDep,
) -> TrackReceipt:
    """Up to 5,000 points, all or nothing. Resent points are stored once; late ones are placed in time."""
    shift = service.get_for_crew(session=session, principal=principal, shift_id=shift_id)
    receipt = tracks.ingest(session=session, principal=principal, shift=shift, points=body["points"])
    session.commit()
    count_ingested(receipt)
    return TrackReceipt(
        received=receipt.received,
        stored=receipt.stored,
        duplicates=receipt.received - receipt.stored,
        flagged=receipt.flagged,
        server_time=datetime.now(UTC),
    )


@router.post(
    "/patrols/{shift_id}/checkins",
    response_model=VisitPublic,
    operation_id="checkIn",
    tags=[PHONE],
    responses={**problems(409), 201: {"model": VisitPublic, "description": "Recorded"}},
)
def check_in(
    shift_id: uuid.UUID,
    body: CheckIn,
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.officer)],
    response: Response,
) -> VisitPublic:
    """An explicit check-in at a hotspot (201), or the one this id already recorded (200)."""
    shift = service.get_for_crew(session=session, principal=principal, shift_id=shift_id)
    visit, created = service.check_in(session=session, principal=principal, shift=shift, body=body)
    session.commit()
    response.status_code = 201 if created else 200
    return VisitPublic.model_validate(visit)


@router.get("/patrols/{shift_id}/visits", response_model=list[VisitPublic], operation_id="shiftVisits")
def shift_visits(
    shift_id: uuid.UUID, session: SessionDep, principal: Annotated[Principal, Allow(*CREW)]
) -> list[VisitPublic]:
    shift = service.get(session=session, principal=principal, shift_id=shift_id)
    return [VisitPublic.model_validate(v) for v in visits.shift_visits(session, shift.id)]


@router.get("/patrols/{shift_id}/coverage", response_model=ShiftCoverage, operation_id="shiftCoverage")
def shift_coverage(
    shift_id: uuid.UUID, session: SessionDep, principal: Annotated[Principal, Allow(*CREW)]
) -> ShiftCoverage:
    """Planned vs visited hotspots, and each officer's distance and time moving or stopped."""
    return visits.shift_coverage(
        session, service.get(session=session, principal=principal, shift_id=shift_id)
    )


def _points_query(shift, user_id):
    query = sa.select(GpsPoint, sa.func.ST_X(GpsPoint.geom), sa.func.ST_Y(GpsPoint.geom)).where(
        GpsPoint.shift_id == shift.id, GpsPoint.recorded_at.between(*visits._shift_window(shift))
    )
    return query.where(GpsPoint.user_id == user_id) if user_id else query


@router.get("/patrols/{shift_id}/track", response_model=TrackCollection, operation_id="shiftTrack")
def shift_track(
    shift_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
    datum: DatumQuery = Datum.wgs84,
    user_id: uuid.UUID | None = None,
    tolerance_m: Annotated[
        float, Query(ge=0, le=1000, description="Simplification tolerance in metres.")
    ] = 10.0,
) -> TrackCollection:
    """Each officer's track as a LineString simplified for the map (flagged points left out)."""
    shift = service.get(session=session, principal=principal, shift_id=shift_id)
    rows = session.execute(
        _points_query(shift, user_id)
        .where(GpsPoint.flags == 0)
        .order_by(GpsPoint.user_id, GpsPoint.recorded_at)
    ).all()
    by_user: dict[uuid.UUID, list] = {}
    for point, lon, lat in rows:
        by_user.setdefault(point.user_id, []).append((lon, lat, point.recorded_at))
    features = []
    for officer, track in by_user.items():
        lons, lats, times = zip(*track, strict=True)
        simplified = simplify_path(lons, lats, tolerance_m)
        coordinates = [list(point_from_wgs84(datum, lon, lat)) for lon, lat in simplified]
        geometry = {"type": "LineString", "coordinates": coordinates} if len(coordinates) > 1 else None
        features.append(
            TrackFeature(
                geometry=geometry,
                properties={
                    "user_id": str(officer),
                    "points": len(track),
                    "vertices": len(coordinates),
                    "tolerance_m": tolerance_m,
                    "from": times[0].isoformat(),
                    "to": times[-1].isoformat(),
                },
            )
        )
    return TrackCollection(features=features)


@router.get("/patrols/{shift_id}/points", response_model=PointPage, operation_id="shiftPoints")
def shift_points(
    shift_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
    datum: DatumQuery = Datum.wgs84,
    user_id: uuid.UUID | None = None,
    after: Annotated[str | None, Query(max_length=80, description="The `next` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> PointPage:
    """Raw points in time order, flagged ones included, with paging."""
    shift = service.get(session=session, principal=principal, shift_id=shift_id)
    query = _points_query(shift, user_id)
    if after:
        try:
            at, point_id = after.split("~", 1)
            query = query.where(
                sa.tuple_(GpsPoint.recorded_at, GpsPoint.id)
                > sa.tuple_(datetime.fromisoformat(at), uuid.UUID(point_id))
            )
        except ValueError as exc:
            raise invalid(f"not a cursor this server issued: {after!r}", loc=["query", "after"]) from exc
    rows = session.execute(query.order_by(GpsPoint.recorded_at, GpsPoint.id).limit(limit)).all()
    points = []
    for point, lon, lat in rows:
        out_lon, out_lat = point_from_wgs84(datum, lon, lat)
        points.append(
            PointPublic(
                id=point.id,
                t=point.recorded_at,
                received_at=point.received_at,
                user_id=point.user_id,
                lon=round(out_lon, 7),
                lat=round(out_lat, 7),
                accuracy_m=point.accuracy_m,
                speed_mps=point.speed_mps,
                heading_deg=point.heading_deg,
                battery_pct=point.battery_pct,
                flags=[f.name for f in PointFlag if point.flags & f],
            )
        )
    next_cursor = f"{rows[-1][0].recorded_at.isoformat()}~{rows[-1][0].id}" if len(rows) == limit else None
    return PointPage(points=points, next=next_cursor)


@router.get("/positions", response_model=PositionCollection, operation_id="livePositions")
def live_positions(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
    datum: DatumQuery = Datum.wgs84,
    near: Annotated[
        str | None, Query(description="lon,lat: nearest first.", examples=["112.98,28.205"])
    ] = None,
    radius: Annotated[float | None, Query(gt=0, le=100_000, description="Metres around `near`.")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    include_stale: Annotated[bool, Query(description="Also positions older than the stale age.")] = True,
) -> PositionCollection:
    """The latest position of every on-duty officer in scope; `stale` when it is old."""
    where = parse_near(near, datum) if near else None
    rows = positions.on_duty(
        session,
        principal,
        near=where,
        radius_m=radius if where else None,
        limit=limit,
        include_stale=include_stale,
    )
    return PositionCollection(features=[_position_feature(row, datum) for row in rows])


@router.get("/positions/nearest", response_model=PositionCollection, operation_id="nearestOfficers")
def nearest_officers(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
    near: Annotated[str, Query(description="lon,lat", examples=["112.98,28.205"])],
    datum: DatumQuery = Datum.wgs84,
    n: Annotated[int, Query(ge=1, le=50)] = 5,
    per_team: Annotated[bool, Query(description="One officer per team: the nearest teams.")] = False,
) -> PositionCollection:
    """The N nearest on-duty officers (or teams) with a fresh position."""
    where = parse_near(near, datum)
    rows = positions.on_duty(
        session, principal, near=where, radius_m=None, limit=n * 10 if per_team else n, include_stale=False
    )
    if per_team:
        seen: set[uuid.UUID] = set()
        rows = [r for r in rows if not (r[0].team_id in seen or seen.add(r[0].team_id))][:n]
    return PositionCollection(features=[_position_feature(row, datum) for row in rows])


def _position_feature(row, datum: Datum) -> PositionFeature:
    position, name, call_sign, distance, age, stale = row
    return PositionFeature(
        id=position.user_id,
        geometry=geometry_out(position.geom, datum),
        properties=PositionProperties(
            user_id=position.user_id,
            display_name=name,
            team_id=position.team_id,
            team_call_sign=call_sign,
            shift_id=position.shift_id,
            recorded_at=position.recorded_at,
            age_s=round(age, 1),
            stale=stale,
            accuracy_m=position.accuracy_m,
            speed_mps=position.speed_mps,
            heading_deg=position.heading_deg,
            battery_pct=position.battery_pct,
            distance_m=round(distance, 1) if distance is not None else None,
        ),
    )


@router.get("/coverage/overdue", response_model=OverdueCollection, operation_id="overdueHotspots")
def overdue_hotspots(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*CREW)],
    datum: DatumQuery = Datum.wgs84,
    jurisdiction: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_]{1,32}$")] = None,
) -> OverdueCollection:
    """Hotspots not visited for longer than their risk level allows, as a GeoJSON layer."""
    late = visits.overdue(session, principal, jurisdiction, datetime.now(UTC))
    return OverdueCollection(
        features=[
            {
                "type": "Feature",
                "id": str(h.id),
                "geometry": geometry_out(h.geom, datum),
                "properties": {
                    "name": h.name,
                    "kind": h.kind,
                    "risk_level": h.risk_level,
                    "jurisdiction": code,
                    "last_visited_at": last.isoformat() if last else None,
                    "last_visited_by": sign,
                    "allowed_hours": allowed,
                    "overdue_hours": overdue_h,
                },
            }
            for h, code, last, sign, allowed, overdue_h in late
        ]
    )


@router.get("/routes/{route_id:uuid}/coverage", response_model=RouteCoverage, operation_id="routeCoverage")
def route_coverage(
    route_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*CREW)],
    since: Annotated[datetime | None, Query(alias="from")] = None,
    until: Annotated[datetime | None, Query(alias="to")] = None,
) -> RouteCoverage:
    """Per planned hotspot: how often shifts on this route visited it, and when last (default: 7 days)."""
    route = patrol_routes.get(session=session, principal=principal, route_id=route_id)
    until = until or datetime.now(UTC)
    since = since or until - timedelta(days=7)
    if since.tzinfo is None or until.tzinfo is None:
        raise invalid("from and to need a UTC offset", loc=["query", "from"])
    count, stops = visits.route_coverage(session, route.id, since, until)
    return RouteCoverage(route_id=route.id, shifts=count, stops=stops)


@router.get(
    "/hotspots/{hotspot_id:uuid}/visits",
    response_model=list[VisitPublic],
    operation_id="hotspotVisits",
    tags=["hotspots"],
)
def hotspot_visits(
    hotspot_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*CREW)],
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> list[VisitPublic]:
    """The latest visits to a hotspot: when, and by which team."""
    hotspots.get(session=session, principal=principal, hotspot_id=hotspot_id)
    rows = session.scalars(
        sa.select(HotspotVisit)
        .where(HotspotVisit.hotspot_id == hotspot_id)
        .order_by(HotspotVisit.departed_at.desc())
        .limit(limit)
    ).all()
    return [VisitPublic.model_validate(v) for v in rows]
