"""Hotspot visits detected from tracks, and coverage built on them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlmodel import Session

from api.auth.deps import Principal
from api.hotspots.models import Hotspot, RiskLevel
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.patrol_routes.models import RouteStop
from api.patrols.models import GpsPoint, HotspotVisit, Shift, VisitSource
from api.patrols.schemas import OfficerMotion, ShiftCoverage
from api.settings import get_settings
from api.sweeps import service as sweeps
from api.teams.models import Team
from geo.track import dwells, motion

_POINTS_IN_HOTSPOTS = sa.text("""
SELECT p.recorded_at, h.id
FROM gps_points p
JOIN hotspots h ON h.retired_at IS NULL AND ST_Intersects(h.area, p.geom)
WHERE p.shift_id = :shift_id AND p.user_id = :user_id AND p.flags = 0
  AND p.recorded_at BETWEEN :since AND :until
""")


def _shift_window(shift: Shift) -> tuple[datetime, datetime]:
    """Partition-pruning bounds: every point of a shift lies within these."""
    end = shift.ended_at or datetime.now(UTC)
    return shift.started_at - timedelta(hours=1), end + timedelta(hours=1)


def detect(session: Session, *, shift_id: uuid.UUID, user_id: uuid.UUID) -> int:
    """Re-derive one officer's track visits for a whole shift; check-ins are left alone.

    Working on the whole shift makes late and out-of-order uploads land where they belong.
    """
    shift = session.get(Shift, shift_id)
    since, until = _shift_window(shift)
    settings = get_settings()
    inside = session.execute(
        _POINTS_IN_HOTSPOTS, {"shift_id": shift_id, "user_id": user_id, "since": since, "until": until}
    ).all()
    found = dwells(
        ((at, hotspot_id) for at, hotspot_id in inside),
        min_dwell_s=settings.visit_min_dwell_s,
        max_gap_s=settings.visit_max_gap_s,
    )
    session.execute(
        sa.delete(HotspotVisit).where(
            HotspotVisit.shift_id == shift_id,
            HotspotVisit.user_id == user_id,
            HotspotVisit.source == VisitSource.track,
        )
    )
    jurisdiction_of = dict(
        session.execute(
            sa.select(Hotspot.id, Hotspot.jurisdiction_id).where(Hotspot.id.in_({d.place for d in found}))
        ).all()
    )
    session.add_all(
        HotspotVisit(
            hotspot_id=d.place,
            shift_id=shift_id,
            team_id=shift.team_id,
            user_id=user_id,
            jurisdiction_id=jurisdiction_of[d.place],
            arrived_at=d.arrived,
            departed_at=d.departed,
            source=VisitSource.track,
            points=d.points,
        )
        for d in found
    )
    session.flush()
    for dwell in found:
        sweeps.complete_from_visit(
            session, hotspot_id=dwell.place, arrived=dwell.arrived, departed=dwell.departed, user_id=user_id
        )
    return len(found)


def shift_visits(session: Session, shift_id: uuid.UUID) -> Sequence[HotspotVisit]:
    return session.scalars(
        sa.select(HotspotVisit).where(HotspotVisit.shift_id == shift_id).order_by(HotspotVisit.arrived_at)
    ).all()


def shift_coverage(session: Session, shift: Shift) -> ShiftCoverage:
    planned = (
        list(
            session.scalars(
                sa.select(RouteStop.hotspot_id)
                .where(RouteStop.route_id == shift.route_id)
                .order_by(RouteStop.position)
            )
        )
        if shift.route_id
        else []
    )
    visited = list(dict.fromkeys(v.hotspot_id for v in shift_visits(session, shift.id)))
    since, until = _shift_window(shift)
    rows = session.execute(
        sa.select(
            GpsPoint.user_id,
            sa.func.ST_X(GpsPoint.geom),
            sa.func.ST_Y(GpsPoint.geom),
            sa.func.extract("epoch", GpsPoint.recorded_at),
        )
        .where(GpsPoint.shift_id == shift.id, GpsPoint.flags == 0, GpsPoint.recorded_at.between(since, until))
        .order_by(GpsPoint.user_id, GpsPoint.recorded_at)
    ).all()
    by_user: dict[uuid.UUID, list] = {}
    for user_id, lon, lat, epoch in rows:
        by_user.setdefault(user_id, []).append((lon, lat, float(epoch)))
    officers = []
    for user_id, track in by_user.items():
        lons, lats, secs = zip(*track, strict=True)
        m = motion(lons, lats, secs, max_gap_s=get_settings().visit_max_gap_s)
        officers.append(
            OfficerMotion(
                user_id=user_id,
                points=len(track),
                distance_m=round(m.distance_m, 1),
                moving_s=round(m.moving_s, 1),
                stopped_s=round(m.stopped_s, 1),
            )
        )
    return ShiftCoverage(
        shift_id=shift.id,
        planned=planned,
        visited=visited,
        missed=[h for h in planned if h not in set(visited)],
        officers=officers,
    )


def route_coverage(
    session: Session, route_id: uuid.UUID, since: datetime, until: datetime
) -> tuple[int, list]:
    shifts = sa.select(Shift.id).where(Shift.route_id == route_id, Shift.started_at.between(since, until))
    visits = (
        sa.select(
            HotspotVisit.hotspot_id,
            sa.func.count().label("visits"),
            sa.func.max(HotspotVisit.departed_at).label("last"),
        )
        .where(HotspotVisit.shift_id.in_(shifts))
        .group_by(HotspotVisit.hotspot_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(RouteStop.hotspot_id, sa.func.coalesce(visits.c.visits, 0), visits.c.last)
        .outerjoin(visits, visits.c.hotspot_id == RouteStop.hotspot_id)
        .where(RouteStop.route_id == route_id)
        .order_by(RouteStop.position)
    ).all()
    count = session.scalar(sa.select(sa.func.count()).select_from(shifts.subquery()))
    return count, [{"hotspot_id": h, "visits": n, "last_visited_at": last} for h, n, last in rows]


def allowed_hours() -> dict[str, int]:
    settings = get_settings()
    return {
        RiskLevel.critical: settings.overdue_hours_critical,
        RiskLevel.high: settings.overdue_hours_high,
        RiskLevel.medium: settings.overdue_hours_medium,
        RiskLevel.low: settings.overdue_hours_low,
    }


def last_visits():
    """Latest visit per hotspot (index-backed DISTINCT ON), with the team's call sign."""
    return (
        sa.select(HotspotVisit.hotspot_id, HotspotVisit.departed_at, Team.call_sign)
        .join(Team, Team.id == HotspotVisit.team_id)
        .ext(distinct_on(HotspotVisit.hotspot_id))
        .order_by(HotspotVisit.hotspot_id, HotspotVisit.departed_at.desc())
        .subquery()
    )


def overdue(session: Session, principal: Principal, jurisdiction_code: str | None, now: datetime) -> list:
    """Active hotspots not visited within the hours their risk level allows (or never)."""
    scope = jurisdictions.scope_ids(principal)
    last = last_visits()
    query = (
        sa.select(Hotspot, Jurisdiction.code, last.c.departed_at, last.c.call_sign)
        .join(Jurisdiction, Jurisdiction.id == Hotspot.jurisdiction_id)
        .outerjoin(last, last.c.hotspot_id == Hotspot.id)
        .where(Hotspot.retired_at.is_(None), Hotspot.jurisdiction_id.in_(scope))
    )
    if jurisdiction_code is not None:
        below = jurisdictions.get_in_scope(session=session, principal=principal, code=jurisdiction_code)
        query = query.where(Jurisdiction.path.descendant_of(below.path))
    hours = allowed_hours()
    late = []
    for hotspot, code, last_at, call_sign in session.execute(query.order_by(Hotspot.name)).all():
        allowed = hours[hotspot.risk_level]
        if last_at is None or now - last_at > timedelta(hours=allowed):
            overdue_h = (
                None if last_at is None else round((now - last_at).total_seconds() / 3600 - allowed, 1)
            )
            late.append((hotspot, code, last_at, call_sign, allowed, overdue_h))
    return late
