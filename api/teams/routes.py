from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter

from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.errors import problems
from api.phone import PHONE
from api.teams import service
from api.teams.schemas import TeamCreate, TeamPatch, TeamPublic

READERS = (Role.officer, Role.dispatcher, Role.supervisor, Role.admin)
EDITORS = (Role.dispatcher, Role.supervisor, Role.admin)

router = APIRouter(prefix="/teams", tags=["teams"], responses=problems(400, 401, 403, 404, 422))


@router.get("", response_model=list[TeamPublic], operation_id="listTeams", tags=[PHONE])
def list_teams(session: SessionDep, principal: Annotated[Principal, Allow(*READERS)]) -> list[TeamPublic]:
    """Teams in the caller's jurisdiction, with members and whether they are on duty."""
    return service.present(session, service.list_in_scope(session=session, principal=principal))


@router.post(
    "", response_model=TeamPublic, status_code=201, operation_id="createTeam", responses=problems(409)
)
def create_team(
    body: TeamCreate, session: SessionDep, principal: Annotated[Principal, Allow(*EDITORS)]
) -> TeamPublic:
    team = service.create(session=session, principal=principal, body=body)
    session.commit()
    return service.present(session, [team])[0]


@router.get("/{team_id}", response_model=TeamPublic, operation_id="getTeam")
def get_team(
    team_id: uuid.UUID, session: SessionDep, principal: Annotated[Principal, Allow(*READERS)]
) -> TeamPublic:
    return service.present(session, [service.get(session=session, principal=principal, team_id=team_id)])[0]


@router.patch("/{team_id}", response_model=TeamPublic, operation_id="updateTeam")
def update_team(
    team_id: uuid.UUID,
    patch: TeamPatch,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*EDITORS)],
) -> TeamPublic:
    team = service.update(session=session, principal=principal, team_id=team_id, patch=patch)
    session.commit()
    return service.present(session, [team])[0]
