"""Shifts and check-ins."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from api.auth.deps import Principal
from api.auth.models import Role
from api.errors import ProblemError, forbidden, invalid, not_found
from api.hotspots import service as hotspots
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.patrol_routes import service as patrol_routes
from api.patrols.models import HotspotVisit, LivePosition, Shift, VisitSource
from api.patrols.schemas import CheckIn, ShiftEnd, ShiftPublic, ShiftStart
from api.settings import get_settings
from api.sweeps import service as sweeps
from api.teams import service as teams
from api.teams.models import Team, TeamMember
from notifications.service import publish_event

COMMANDERS = {Role.dispatcher, Role.supervisor, Role.admin}
LIVE_VIEWERS = (Role.dispatcher, Role.supervisor, Role.admin)


def _not_future(at: datetime | None, loc: list[str | int]) -> datetime:
    now = datetime.now(UTC)
    if at is None:
        return now
    if at > now + timedelta(seconds=get_settings().future_tolerance_s):
        raise invalid(f"{at.isoformat()} is in the future; check the phone's clock", loc=loc)
    return at


def require_crew(session: Session, principal: Principal, team_id: uuid.UUID) -> None:
    """Officers act only for their own team; dispatchers and above for any team in scope."""
    if principal.role not in COMMANDERS:
        _require_member(teams.is_member(session, team_id, principal.id))


def _require_member(is_member: bool) -> None:
    if not is_member:
        raise forbidden("you are not a member of this team")


def _announce(session: Session, shift: Shift, kind: str) -> None:
    publish_event(
        session,
        kind=kind,
        jurisdiction_id=shift.jurisdiction_id,
        roles=LIVE_VIEWERS,
        payload={"shift_id": str(shift.id), "team_id": str(shift.team_id)},
    )


def _replayed(existing: Shift, team: Team) -> Shift:
    if existing.team_id != team.id:
        raise ProblemError(409, f"shift {existing.id} belongs to another team", kind="conflict")
    return existing


def start(*, session: Session, principal: Principal, body: ShiftStart) -> tuple[Shift, bool]:
    """Start a shift, or return the one this id already started (a retried request)."""
    team = teams.get(session=session, principal=principal, team_id=body.team_id)
    require_crew(session, principal, team.id)
    if body.id is not None and (existing := session.get(Shift, body.id)) is not None:
        return _replayed(existing, team), False
    open_shift = session.scalar(
        sa.select(Shift.id).where(Shift.team_id == team.id, Shift.ended_at.is_(None)).with_for_update()
    )
    if open_shift is not None and open_shift == body.id:  # a racing copy of this request committed first
        return _replayed(session.get_one(Shift, open_shift), team), False
    if open_shift is not None:
        raise ProblemError(
            409, f"team {team.call_sign} is already on duty (shift {open_shift})", kind="on-duty"
        )
    if body.route_id is not None:
        patrol_routes.get(session=session, principal=principal, route_id=body.route_id)
    shift = Shift(
        id=body.id or uuid.uuid4(),
        team_id=team.id,
        route_id=body.route_id,
        jurisdiction_id=team.jurisdiction_id,
        started_by=principal.id,
        started_at=_not_future(body.started_at, ["body", "started_at"]),
    )
    session.add(shift)
    session.flush()
    _announce(session, shift, "shift.started")
    return shift, True


def _in_scope(principal: Principal, shift_id: uuid.UUID) -> sa.Select:
    return (
        sa.select(Shift)
        .join(Jurisdiction, Jurisdiction.id == Shift.jurisdiction_id)
        .where(Shift.id == shift_id, Jurisdiction.path.descendant_of(principal.jurisdiction_path))
    )


def get(*, session: Session, principal: Principal, shift_id: uuid.UUID) -> Shift:
    """The shift, if it lies in the caller's scope."""
    shift = session.scalar(_in_scope(principal, shift_id))
    if shift is None:
        raise not_found(f"shift {shift_id}")
    return shift


def get_for_crew(*, session: Session, principal: Principal, shift_id: uuid.UUID) -> Shift:
    """The shift, for its crew (or a commander) to add to or end: ``get`` and ``require_crew``
    in one query, as every track upload runs it."""
    in_crew = sa.exists().where(TeamMember.team_id == Shift.team_id, TeamMember.user_id == principal.id)
    row = session.execute(_in_scope(principal, shift_id).add_columns(in_crew)).first()
    if row is None:
        raise not_found(f"shift {shift_id}")
    shift, is_crew = row
    if principal.role not in COMMANDERS:
        _require_member(is_crew)
    return shift


def end(*, session: Session, principal: Principal, shift_id: uuid.UUID, body: ShiftEnd) -> Shift:
    """End a shift; ending it again changes nothing."""
    shift = get_for_crew(session=session, principal=principal, shift_id=shift_id)
    if shift.ended_at is not None:
        return shift
    ended_at = _not_future(body.ended_at, ["body", "ended_at"])
    if ended_at < shift.started_at:
        raise invalid("a shift cannot end before it started", loc=["body", "ended_at"])
    shift.ended_at, shift.ended_received_at, shift.ended_by = ended_at, datetime.now(UTC), principal.id
    session.execute(sa.delete(LivePosition).where(LivePosition.shift_id == shift.id))  # off duty: off the map
    session.flush()
    _announce(session, shift, "shift.ended")
    return shift


def require_accepting_uploads(shift: Shift) -> None:
    """Late uploads are welcome (phones upload hours late) up to a grace period after the end."""
    if shift.ended_received_at is None:
        return
    grace = timedelta(hours=get_settings().shift_upload_grace_h)
    if datetime.now(UTC) - shift.ended_received_at > grace:
        raise ProblemError(
            409, f"shift {shift.id} closed more than {grace} ago; it takes no more data", kind="shift-closed"
        )


def present(session: Session, shifts: Sequence[Shift]) -> list[ShiftPublic]:
    signs = dict(
        session.execute(
            sa.select(Team.id, Team.call_sign).where(Team.id.in_({s.team_id for s in shifts}))
        ).all()
    )
    codes = dict(
        session.execute(
            sa.select(Jurisdiction.id, Jurisdiction.code).where(
                Jurisdiction.id.in_({s.jurisdiction_id for s in shifts})
            )
        ).all()
    )
    return [
        ShiftPublic(
            id=s.id,
            team_id=s.team_id,
            team_call_sign=signs[s.team_id],
            route_id=s.route_id,
            jurisdiction=codes[s.jurisdiction_id],
            started_at=s.started_at,
            ended_at=s.ended_at,
            on_duty=s.ended_at is None,
        )
        for s in shifts
    ]


def list_in_scope(*, session: Session, principal: Principal, on_duty: bool, limit: int) -> Sequence[Shift]:
    query = sa.select(Shift).where(Shift.jurisdiction_id.in_(jurisdictions.scope_ids(principal)))
    if on_duty:
        query = query.where(Shift.ended_at.is_(None))
    return session.scalars(query.order_by(Shift.started_at.desc()).limit(limit)).all()


def check_in(
    *, session: Session, principal: Principal, shift: Shift, body: CheckIn
) -> tuple[HotspotVisit, bool]:
    """An explicit check-in at a hotspot counts as a visit; repeating the same id records one.
    ``shift`` comes from ``get_for_crew``."""
    require_accepting_uploads(shift)
    existing = session.get(HotspotVisit, body.id)
    if existing is not None:
        if existing.shift_id != shift.id:
            raise ProblemError(409, f"check-in {body.id} belongs to another shift", kind="conflict")
        return existing, False
    hotspot, _ = hotspots.get(session=session, principal=principal, hotspot_id=body.hotspot_id)
    at = _not_future(body.at, ["body", "at"])
    visit = HotspotVisit(
        id=body.id,
        hotspot_id=hotspot.id,
        shift_id=shift.id,
        team_id=shift.team_id,
        user_id=principal.id,
        jurisdiction_id=hotspot.jurisdiction_id,
        arrived_at=at,
        departed_at=at,
        source=VisitSource.checkin,
        note=body.note,
    )
    session.add(visit)
    session.flush()
    sweeps.complete_from_visit(session, hotspot_id=hotspot.id, arrived=at, departed=at, user_id=principal.id)
    return visit, True
