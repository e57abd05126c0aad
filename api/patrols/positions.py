"""Live positions: where on-duty officers are now, nearest first."""

from __future__ import annotations

import sqlalchemy as sa
from geoalchemy2 import Geography
from sqlmodel import Session

from api.auth.deps import Principal
from api.auth.models import User
from api.jurisdictions import service as jurisdictions
from api.patrols.models import LivePosition, Shift
from api.settings import get_settings
from api.teams.models import Team


def _geography(expr):
    return sa.cast(expr, Geography(srid=4326))


def on_duty(
    session: Session,
    principal: Principal,
    *,
    near: tuple[float, float] | None,
    radius_m: float | None,
    limit: int,
    include_stale: bool,
) -> list[tuple[LivePosition, str, str, float | None, float, bool]]:
    """(position, officer name, team call sign, distance, age seconds, stale), nearest first with ``near``.

    KNN and radius both use the GiST index on ``geom::geography``, so distances are metres.
    """
    stale_after = get_settings().position_stale_s
    age = sa.func.extract("epoch", sa.func.now() - LivePosition.recorded_at)
    query = (
        sa.select(LivePosition, User.display_name, Team.call_sign)
        .join(Shift, (Shift.id == LivePosition.shift_id) & Shift.ended_at.is_(None))
        .join(User, User.id == LivePosition.user_id)
        .join(Team, Team.id == LivePosition.team_id)
        .where(LivePosition.jurisdiction_id.in_(jurisdictions.scope_ids(principal)))
    )
    if not include_stale:
        query = query.where(age <= stale_after)
    distance = sa.null()
    if near is not None:
        here = _geography(sa.func.ST_SetSRID(sa.func.ST_MakePoint(*near), 4326))
        distance = sa.func.ST_Distance(_geography(LivePosition.geom), here)
        if radius_m is not None:
            query = query.where(sa.func.ST_DWithin(_geography(LivePosition.geom), here, radius_m))
        query = query.order_by(_geography(LivePosition.geom).op("<->")(here))
    else:
        query = query.order_by(LivePosition.recorded_at.desc())
    rows = session.execute(query.add_columns(distance.label("distance"), age.label("age")).limit(limit)).all()
    return [
        (p, name, sign, float(d) if d is not None else None, float(a), float(a) > stale_after)
        for p, name, sign, d, a in rows
    ]
