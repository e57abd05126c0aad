"""Read models for the dispatcher console's map: compact GeoJSON layers built in one query each.

The domain endpoints answer pages of full records; a map at city zoom wants every hotspot in
view at once, with just what colours and labels it, so these layers are shaped for that.
Coordinates are converted to the requested datum in one vectorised call per layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import Session

from api.auth.deps import Principal
from api.auth.models import User
from api.encounters.models import Encounter
from api.geojson import to_db
from api.handovers.models import OPEN_STATES, Handover, HandoverStep
from api.hotspots.models import Hotspot
from api.jurisdictions import service as jurisdictions
from api.organisations.models import Organisation
from api.patrols.models import HotspotVisit, LivePosition
from api.patrols.visits import allowed_hours
from api.sweeps.models import Sweep, SweepStatus, SweepTask
from api.teams.models import Team
from geo.datum import Datum, from_wgs84
from geo.shapes import to_geojson

STATE_URGENCY = ("overdue", "never", "due", "fresh")  # most urgent first
DUE_FRACTION = 0.75  # a hotspot is "due" once three quarters of its allowed interval have passed
CLUSTER_CELL_PX = 64  # encounter clusters: one grid cell is this many screen pixels wide
TILE_PX = 512  # MapLibre's world is 512 px wide at zoom 0


def _points(lons: Sequence[float], lats: Sequence[float], datum: Datum) -> list[list[float]]:
    """[lon, lat] pairs in ``datum``, rounded to 7 decimals like every other response."""
    if not lons:
        return []
    out_lon, out_lat = from_wgs84(datum, np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.round(np.column_stack([out_lon, out_lat]), 7).tolist()


def _collection(features: list[dict[str, Any]], **members: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features, **members}


def visit_state(hours_since: float | None, allowed: float) -> str:
    """never, overdue, due or fresh: how urgently a hotspot wants a visit."""
    if hours_since is None:
        return "never"
    if hours_since > allowed:
        return "overdue"
    return "due" if hours_since > allowed * DUE_FRACTION else "fresh"


def _active_hotspots_in(principal: Principal, bbox: BaseGeometry | None) -> list:
    conditions = [Hotspot.retired_at.is_(None), jurisdictions.in_scope(Hotspot.jurisdiction_id, principal)]
    if bbox is not None:
        conditions.append(sa.func.ST_Intersects(Hotspot.area, to_db(bbox)))
    return conditions


def hotspot_count(session: Session, *, principal: Principal, bbox: BaseGeometry | None) -> int:
    return session.scalar(sa.select(sa.func.count()).where(*_active_hotspots_in(principal, bbox)))


def hotspot_layer(
    session: Session, *, principal: Principal, bbox: BaseGeometry | None, datum: Datum, limit: int
) -> dict[str, Any]:
    """Active hotspots in view as points (a polygon by a point on its surface), each with the
    time since its latest visit against what its risk level allows."""
    latest = (
        sa.select(HotspotVisit.departed_at, Team.call_sign)
        .join(Team, Team.id == HotspotVisit.team_id)
        .where(HotspotVisit.hotspot_id == Hotspot.id)
        .order_by(HotspotVisit.departed_at.desc())
        .limit(1)
        .lateral("latest")
    )
    anchor = sa.func.ST_PointOnSurface(Hotspot.geom)
    query = (
        sa.select(
            Hotspot.id,
            Hotspot.name,
            Hotspot.kind,
            Hotspot.risk_level,
            Hotspot.radius_m,
            sa.func.ST_X(anchor),
            sa.func.ST_Y(anchor),
            latest.c.departed_at,
            latest.c.call_sign,
        )
        .outerjoin(latest, sa.true())
        .where(*_active_hotspots_in(principal, bbox))
        .order_by(Hotspot.id)
        .limit(limit + 1)
    )
    rows = session.execute(query).all()
    truncated = len(rows) > limit
    rows = rows[:limit]
    now = datetime.now(UTC)
    hours = allowed_hours()
    coordinates = _points([r[5] for r in rows], [r[6] for r in rows], datum)
    features = []
    for (hotspot_id, name, kind, risk, radius, _, _, last_at, call_sign), point in zip(
        rows, coordinates, strict=True
    ):
        since = None if last_at is None else round((now - last_at).total_seconds() / 3600, 1)
        allowed = hours[risk]
        features.append(
            {
                "type": "Feature",
                "id": str(hotspot_id),
                "geometry": {"type": "Point", "coordinates": point},
                "properties": {
                    "name": name,
                    "kind": kind,
                    "risk_level": risk,
                    "radius_m": radius,
                    "last_visited_at": last_at.isoformat() if last_at else None,
                    "last_visited_by": call_sign,
                    "hours_since_visit": since,
                    "allowed_hours": allowed,
                    "state": visit_state(since, allowed),
                },
            }
        )
    return _collection(features, numberReturned=len(features), truncated=truncated, clustered=False)


def cluster_cell_deg(zoom: float) -> float:
    """Width in degrees of a cluster cell at this zoom."""
    return 360.0 / (TILE_PX * 2**zoom) * CLUSTER_CELL_PX


def _visit_state_sql(now: datetime):
    """``visit_state`` computed by the database, for hotspots counted rather than listed."""
    latest = (
        sa.select(sa.func.max(HotspotVisit.departed_at))
        .where(HotspotVisit.hotspot_id == Hotspot.id)
        .scalar_subquery()
    )
    hours_since = sa.func.extract("epoch", sa.literal(now) - latest) / 3600
    allowed = sa.case(
        {level.value: hours for level, hours in allowed_hours().items()}, value=Hotspot.risk_level
    )
    return sa.case(
        (latest.is_(None), "never"),
        (hours_since > allowed, "overdue"),
        (hours_since > allowed * DUE_FRACTION, "due"),
        else_="fresh",
    )


def hotspot_clusters(
    session: Session, *, principal: Principal, bbox: BaseGeometry | None, zoom: float, datum: Datum
) -> dict[str, Any]:
    """Hotspots in view counted per cell of the encounter grid and per visit state; a cluster
    takes the state of its most urgent member, so an overdue hotspot still shows at city zoom."""
    cell = cluster_cell_deg(zoom)
    anchor = sa.func.ST_PointOnSurface(Hotspot.geom)
    rows_in_view = (
        sa.select(
            sa.func.ST_X(anchor).label("x"),
            sa.func.ST_Y(anchor).label("y"),
            _visit_state_sql(datetime.now(UTC)).label("state"),
        )
        .where(*_active_hotspots_in(principal, bbox))
        .subquery()
    )
    by_state = [sa.func.count().filter(rows_in_view.c.state == state) for state in STATE_URGENCY]
    rows = session.execute(
        sa.select(
            sa.func.count(), sa.func.avg(rows_in_view.c.x), sa.func.avg(rows_in_view.c.y), *by_state
        ).group_by(sa.func.floor(rows_in_view.c.x / cell), sa.func.floor(rows_in_view.c.y / cell))
    ).all()
    coordinates = _points([float(r[1]) for r in rows], [float(r[2]) for r in rows], datum)
    features = []
    for (count, _, _, *counts), point in zip(rows, coordinates, strict=True):
        states = dict(zip(STATE_URGENCY, counts, strict=True))
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": point},
                "properties": {
                    "count": count,
                    "state": next(state for state in STATE_URGENCY if states[state]),
                    **states,
                },
            }
        )
    total = sum(f["properties"]["count"] for f in features)
    return _collection(
        features, numberReturned=len(features), clustered=True, hotspots=total, cell_deg=round(cell, 9)
    )


def encounter_clusters(
    session: Session,
    *,
    principal: Principal,
    bbox: BaseGeometry | None,
    zoom: float,
    hours: int,
    datum: Datum,
) -> dict[str, Any]:
    """Encounters of the last ``hours`` grouped on a grid fixed to the globe (so a cluster
    keeps its place while the map pans); one-encounter cells name it and its outcome only."""
    cell = cluster_cell_deg(zoom)
    x, y = sa.func.ST_X(Encounter.geom), sa.func.ST_Y(Encounter.geom)
    newest = sa.func.array_agg(aggregate_order_by(Encounter.id, Encounter.occurred_at.desc()))[1]
    newest_outcome = sa.func.array_agg(aggregate_order_by(Encounter.outcome, Encounter.occurred_at.desc()))[1]
    query = (
        sa.select(
            sa.func.count(),
            sa.func.avg(x),
            sa.func.avg(y),
            sa.func.max(Encounter.occurred_at),
            newest,
            newest_outcome,
        )
        .where(
            Encounter.occurred_at >= datetime.now(UTC) - timedelta(hours=hours),
            jurisdictions.in_scope(Encounter.jurisdiction_id, principal),
        )
        .group_by(sa.func.floor(x / cell), sa.func.floor(y / cell))
    )
    if bbox is not None:
        query = query.where(sa.func.ST_Intersects(Encounter.geom, to_db(bbox)))
    rows = session.execute(query).all()
    coordinates = _points([float(r[1]) for r in rows], [float(r[2]) for r in rows], datum)
    features = []
    for (count, _, _, latest, encounter_id, outcome), point in zip(rows, coordinates, strict=True):
        single = count == 1
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": point},
                "properties": {
                    "count": count,
                    "latest_at": latest.isoformat(),
                    "encounter_id": str(encounter_id) if single else None,
                    "outcome": outcome if single else None,
                },
            }
        )
    total = sum(f["properties"]["count"] for f in features)
    return _collection(features, encounters=total, cell_deg=round(cell, 9), hours=hours)


def sweep_task_layer(session: Session, *, principal: Principal, datum: Datum) -> dict[str, Any]:
    """Every task of the open sweeps in scope, at its hotspot, with its state and team."""
    anchor = sa.func.ST_PointOnSurface(Hotspot.geom)
    rows = session.execute(
        sa.select(
            SweepTask.id,
            SweepTask.sweep_id,
            SweepTask.hotspot_id,
            Hotspot.name,
            SweepTask.status,
            SweepTask.team_id,
            Team.call_sign,
            SweepTask.done_at,
            sa.func.ST_X(anchor),
            sa.func.ST_Y(anchor),
        )
        .join(Sweep, Sweep.id == SweepTask.sweep_id)
        .join(Hotspot, Hotspot.id == SweepTask.hotspot_id)
        .outerjoin(Team, Team.id == SweepTask.team_id)
        .where(Sweep.status == SweepStatus.open, jurisdictions.in_scope(Sweep.jurisdiction_id, principal))
        .order_by(Sweep.created_at, Hotspot.name)
    ).all()
    coordinates = _points([r[8] for r in rows], [r[9] for r in rows], datum)
    features = [
        {
            "type": "Feature",
            "id": str(task_id),
            "geometry": {"type": "Point", "coordinates": point},
            "properties": {
                "sweep_id": str(sweep_id),
                "hotspot_id": str(hotspot_id),
                "hotspot_name": name,
                "status": status,
                "team_id": str(team_id) if team_id else None,
                "team_call_sign": call_sign,
                "done_at": done_at.isoformat() if done_at else None,
            },
        }
        for (task_id, sweep_id, hotspot_id, name, status, team_id, call_sign, done_at, _, _), point in zip(
            rows, coordinates, strict=True
        )
    ]
    return _collection(features)


def handover_layer(session: Session, *, principal: Principal, datum: Datum) -> dict[str, Any]:
    """Open handovers in scope: a line from where the escort was last seen (its latest step
    with a place, or the creator's live position) to the receiving organisation."""
    last_step = (
        sa.select(HandoverStep.geom)
        .where(HandoverStep.handover_id == Handover.id, HandoverStep.geom.is_not(None))
        .order_by(HandoverStep.at.desc())
        .limit(1)
        .scalar_subquery()
    )
    escort_position = (
        sa.select(LivePosition.geom).where(LivePosition.user_id == Handover.created_by).scalar_subquery()
    )
    rows = session.execute(
        sa.select(
            Handover,
            Organisation.name,
            Organisation.kind,
            Organisation.location,
            sa.func.coalesce(last_step, escort_position).label("origin"),
            User.display_name,
        )
        .join(Organisation, Organisation.id == Handover.to_organisation_id)
        .outerjoin(User, User.id == Handover.created_by)
        .where(
            Handover.state.in_([s.value for s in OPEN_STATES]),
            jurisdictions.in_scope(Handover.jurisdiction_id, principal),
        )
        .order_by(Handover.deadline_at)
    ).all()
    features = []
    for handover, destination, destination_kind, location, origin, escort in rows:
        target = to_shape(location)
        shape = target if origin is None else LineString([to_shape(origin), target])
        features.append(
            {
                "type": "Feature",
                "id": str(handover.id),
                "geometry": to_geojson(shape, datum),
                "properties": {
                    "kind": handover.kind,
                    "state": handover.state,
                    "eta": handover.eta.isoformat() if handover.eta else None,
                    "deadline_at": handover.deadline_at.isoformat(),
                    "destination": destination,
                    "destination_kind": destination_kind,
                    "escort": escort,
                },
            }
        )
    return _collection(features)
