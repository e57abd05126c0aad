"""Live positions: where on-duty officers are now, nearest first."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from api.auth.deps import Principal
from api.auth.models import User
from api.db import as_geography
from api.jurisdictions import service as jurisdictions
from api.patrols.models import LivePosition
from api.settings import get_settings
from api.teams.models import Team


def on_duty_query(
    principal: Principal,
    *,
    near: tuple[float, float] | None,
    radius_m: float | None,
    limit: int,
    include_stale: bool,
) -> sa.Select:
    """KNN and radius both use the GiST index on ``geom::geography``, so distances are metres.

    Only officers on duty have a live position: ending a shift removes its positions.
    """
    age = sa.func.extract("epoch", sa.func.now() - LivePosition.recorded_at)
    query = (
        sa.select(LivePosition, User.display_name, Team.call_sign)
        .join(User, User.id == LivePosition.user_id)
        .join(Team, Team.id == LivePosition.team_id)
        .where(jurisdictions.in_scope(LivePosition.jurisdiction_id, principal))
    )
    if not include_stale:
        stale_after = sa.func.make_interval(0, 0, 0, 0, 0, 0, get_settings().position_stale_s)
        query = query.where(LivePosition.recorded_at >= sa.func.now() - stale_after)
    distance = sa.null()
    if near is not None:
        here = as_geography(sa.func.ST_SetSRID(sa.func.ST_MakePoint(*near), 4326))
        distance = sa.func.ST_Distance(as_geography(LivePosition.geom), here)
        if radius_m is not None:
            query = query.where(sa.func.ST_DWithin(as_geography(LivePosition.geom), here, radius_m))
        query = query.order_by(as_geography(LivePosition.geom).op("<->")(here))
    else:
        query = query.order_by(LivePosition.recorded_at.desc())
    return query.add_columns(distance.label("distance"), age.label("age")).limit(limit)


def on_duty(
    session: Session,
    principal: Principal,
    *,
    near: tuple[float, float] | None,
    radius_m: float | None,
    limit: int,
    include_stale: bool,
) -> list[tuple[LivePosition, str, str, float | None, float, bool]]:
    """(position, officer name, team call sign, distance, age seconds, stale), nearest first with ``near``."""
    stale_after = get_settings().position_stale_s
    query = on_duty_query(principal, near=near, radius_m=radius_m, limit=limit, include_stale=include_stale)
    return [
        (p, name, sign, float(d) if d is not None else None, float(a), float(a) > stale_after)
        for p, name, sign, d, a in session.execute(query).all()
    ]
