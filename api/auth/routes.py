from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import service
from api.auth.deps import Allow, CurrentPrincipal, Principal
from api.auth.models import Role
from api.auth.schemas import RefreshRequest, TokenPair, UserCreate, UserPublic
from api.db import SessionDep
from api.errors import problems

router = APIRouter(prefix="/auth", tags=["auth"], responses=problems(400, 401, 422))


_LOGIN_EXAMPLE = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {
                "example": {"username": "officer01", "password": "demo-officer-2026"}
            }
        }
    }
}


@router.post("/token", response_model=TokenPair, operation_id="login", openapi_extra=_LOGIN_EXAMPLE)
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep) -> TokenPair:
    """OAuth2 password flow: form fields ``username`` and ``password``."""
    user = service.authenticate(session=session, username=form.username, password=form.password)
    tokens = service.issue_tokens(session=session, user_id=user.id, role=user.role)
    session.commit()
    return tokens


@router.post("/refresh", response_model=TokenPair, operation_id="refreshToken")
def refresh(body: RefreshRequest, session: SessionDep) -> TokenPair:
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    tokens = service.refresh(session=session, refresh_token=body.refresh_token)
    session.commit()
    return tokens


@router.post("/logout", status_code=204, operation_id="logout")
def logout(body: RefreshRequest, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """Revoke the caller's refresh token."""
    service.revoke_refresh_token(session=session, user_id=principal.id, refresh_token=body.refresh_token)
    session.commit()
    return Response(status_code=204)


@router.post(
    "/users",
    response_model=UserPublic,
    status_code=201,
    operation_id="createUser",
    responses=problems(403, 404, 409),
)
def create_user(
    body: UserCreate, session: SessionDep, principal: Annotated[Principal, Allow(Role.admin)]
) -> UserPublic:
    """Create an account in the administrator's jurisdiction or below it; a taken username is a 409."""
    user = service.create_user_in_scope(session=session, principal=principal, body=body)
    session.commit()
    return UserPublic(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        organisation_id=user.organisation_id,
        jurisdiction_code=body.jurisdiction,
    )


@router.get("/me", response_model=UserPublic, operation_id="whoAmI")
def me(principal: CurrentPrincipal) -> UserPublic:
    return UserPublic(
        id=principal.id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        organisation_id=principal.organisation_id,
        jurisdiction_code=principal.jurisdiction_code,
    )
