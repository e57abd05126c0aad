"""Patrol teams and their members."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session

from api.auth.deps import Principal
from api.auth.models import Role, User
from api.errors import ProblemError, invalid, not_found
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.patrols.models import Shift
from api.teams.models import Team, TeamMember
from api.teams.schemas import Member, TeamCreate, TeamPatch, TeamPublic


def _check_members(session: Session, team_path: str, member_ids: Sequence[uuid.UUID]) -> None:
    """Members must be active officers whose jurisdiction lies on the team's line (above or below)."""
    if len(set(member_ids)) != len(member_ids):
        raise invalid("a member is listed twice", loc=["body", "members"])
    rows = session.execute(
        sa.select(User.id, User.role, User.is_active, Jurisdiction.path)
        .join(Jurisdiction, Jurisdiction.id == User.jurisdiction_id)
        .where(User.id.in_(member_ids))
    ).all()
    found = {row.id: row for row in rows}
    for index, member_id in enumerate(member_ids):
        row = found.get(member_id)
        loc = ["body", "members", index]
        if row is None or not row.is_active:
            raise invalid(f"no active user {member_id}", loc=loc)
        if row.role != Role.officer:
            raise invalid(f"user {member_id} is a {row.role}, not an officer", loc=loc)
        if not (jurisdictions.is_within(row.path, team_path) or jurisdictions.is_within(team_path, row.path)):
            raise invalid(f"officer {member_id} works outside the team's jurisdiction", loc=loc)


def _set_members(session: Session, team: Team, member_ids: Sequence[uuid.UUID]) -> None:
    session.execute(sa.delete(TeamMember).where(TeamMember.team_id == team.id))
    session.add_all(TeamMember(team_id=team.id, user_id=member_id) for member_id in member_ids)


def create(*, session: Session, principal: Principal, body: TeamCreate) -> Team:
    jurisdiction = jurisdictions.get_in_scope(session=session, principal=principal, code=body.jurisdiction)
    _check_members(session, jurisdiction.path, body.members)
    exists = session.scalar(
        sa.select(Team.id).where(Team.jurisdiction_id == jurisdiction.id, Team.call_sign == body.call_sign)
    )
    if exists is not None:
        raise ProblemError(
            409, f"call sign {body.call_sign!r} is taken in {jurisdiction.code}", kind="duplicate"
        )
    team = Team(call_sign=body.call_sign, vehicle=body.vehicle, jurisdiction_id=jurisdiction.id)
    session.add(team)
    session.flush()
    _set_members(session, team, body.members)
    session.flush()
    return team


def get(*, session: Session, principal: Principal, team_id: uuid.UUID) -> Team:
    team = session.get(Team, team_id)
    if team is None or not jurisdictions.id_in_scope(session, principal, team.jurisdiction_id):
        raise not_found(f"team {team_id}")
    return team


def update(*, session: Session, principal: Principal, team_id: uuid.UUID, patch: TeamPatch) -> Team:
    team = get(session=session, principal=principal, team_id=team_id)
    changes = patch.model_dump(exclude_unset=True)
    if "vehicle" in changes:
        team.vehicle = changes["vehicle"]
    if patch.members is not None:
        path = session.get(Jurisdiction, team.jurisdiction_id).path
        _check_members(session, path, patch.members)
        _set_members(session, team, patch.members)
    session.flush()
    return team


def list_in_scope(*, session: Session, principal: Principal) -> Sequence[Team]:
    return session.scalars(
        sa.select(Team)
        .where(Team.jurisdiction_id.in_(jurisdictions.scope_ids(principal)), Team.retired_at.is_(None))
        .order_by(Team.call_sign)
    ).all()


def is_member(session: Session, team_id: uuid.UUID, user_id: uuid.UUID | None) -> bool:
    return user_id is not None and session.get(TeamMember, (team_id, user_id)) is not None


def present(session: Session, teams: Sequence[Team]) -> list[TeamPublic]:
    """Teams with their members, jurisdiction codes and open shifts, in three queries."""
    ids = [t.id for t in teams]
    members: dict[uuid.UUID, list[Member]] = {i: [] for i in ids}
    for team_id, user in session.execute(
        sa.select(TeamMember.team_id, User)
        .join(User, User.id == TeamMember.user_id)
        .where(TeamMember.team_id.in_(ids))
        .order_by(User.username)
    ):
        members[team_id].append(
            Member(
                id=user.id,
                username=user.username,
                display_name=user.display_name,
                role=user.role,
                organisation_id=user.organisation_id,
            )
        )
    codes = dict(
        session.execute(
            sa.select(Jurisdiction.id, Jurisdiction.code).where(
                Jurisdiction.id.in_({t.jurisdiction_id for t in teams})
            )
        ).all()
    )
    open_shifts = dict(
        session.execute(
            sa.select(Shift.team_id, Shift.id).where(Shift.team_id.in_(ids), Shift.ended_at.is_(None))
        ).all()
    )
    return [
        TeamPublic(
            id=t.id,
            call_sign=t.call_sign,
            vehicle=t.vehicle,
            jurisdiction=codes[t.jurisdiction_id],
            members=members[t.id],
            on_duty_shift=open_shifts.get(t.id),
            created_at=t.created_at,
        )
        for t in teams
    ]
