from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import dpop, service
from api.auth.deps import Allow, CurrentPrincipal, Principal
from api.auth.models import Role
from api.auth.schemas import PasswordChange, PasswordReset, RefreshRequest, TokenPair, UserCreate, UserPublic
from api.db import SessionDep
from api.errors import ProblemError, problems
from api.phone import PHONE

router = APIRouter(prefix="/auth", tags=["auth"], responses=problems(400, 401, 422))
users_router = APIRouter(prefix="/users", tags=["auth"], responses=problems(401, 403, 404, 422))


_LOGIN_EXAMPLE = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {
                "example": {"username": "officer01", "password": "demo-officer-2026"}
            }
        }
    }
}


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _proof(request: Request, session) -> dpop.Proof | None:
    header = dpop.proof_header(request)
    return dpop.check(request, session, header) if header else None


@router.post(
    "/token",
    response_model=TokenPair,
    operation_id="login",
    tags=[PHONE],
    openapi_extra=_LOGIN_EXAMPLE,
    responses=problems(429),
)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, session: SessionDep
) -> TokenPair:
    """OAuth2 password flow: form fields ``username`` and ``password``. The phone app adds a
    ``DPoP`` header (a proof signed with its key, RFC 9449) to bind the login to that key.

    Repeated failures lock the username and the address out for a while (429, Retry-After),
    whether or not the account exists."""
    tokens = service.login(
        session=session,
        username=form.username,
        password=form.password,
        address=_client_address(request),
        proof=_proof(request, session),
    )
    session.commit()
    return tokens


@router.post("/refresh", response_model=TokenPair, operation_id="refreshToken", tags=[PHONE])
def refresh(body: RefreshRequest, request: Request, session: SessionDep) -> TokenPair:
    """Exchange a refresh token for a new pair; the old refresh token stops working, and using
    it again ends the whole login. A key-bound login needs a DPoP proof from its key."""
    tokens = service.refresh(
        session=session, refresh_token=body.refresh_token, proof=_proof(request, session)
    )
    session.commit()
    return tokens


@router.post("/logout", status_code=204, operation_id="logout", tags=[PHONE])
def logout(principal: CurrentPrincipal, session: SessionDep) -> Response:
    """End this login: its access token stops working at once, its refresh token too."""
    service.logout(session=session, principal=principal)
    session.commit()
    return Response(status_code=204)


@router.post("/password", status_code=204, operation_id="changePassword", responses=problems(403, 429))
def change_password(
    body: PasswordChange, principal: CurrentPrincipal, request: Request, session: SessionDep
) -> Response:
    """Change your own password. Every other login of yours is ended; this one goes on."""
    service.change_password(
        session=session,
        principal=principal,
        current_password=body.current_password,
        new_password=body.new_password,
        address=_client_address(request),
    )
    session.commit()
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic, operation_id="whoAmI", tags=[PHONE])
def me(principal: CurrentPrincipal) -> UserPublic:
    return UserPublic(
        id=principal.id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        organisation_id=principal.organisation_id,
        jurisdiction_code=principal.jurisdiction_code,
    )


AdminPrincipal = Annotated[Principal, Allow(Role.admin)]


@users_router.post(
    "",
    response_model=UserPublic,
    status_code=201,
    operation_id="createUser",
    responses=problems(409),
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


@users_router.post("/{user_id}/disable", status_code=204, operation_id="disableUser", responses=problems(409))
def disable_user(user_id: uuid.UUID, principal: AdminPrincipal, session: SessionDep) -> Response:
    """Disable an account in your jurisdiction: its logins end at once."""
    if user_id == principal.id:
        raise ProblemError(409, "you cannot disable your own account", kind="own-account")
    user = service.user_in_scope(session=session, principal=principal, user_id=user_id)
    service.set_active(session=session, user=user, active=False)
    session.commit()
    return Response(status_code=204)


@users_router.post("/{user_id}/enable", status_code=204, operation_id="enableUser")
def enable_user(user_id: uuid.UUID, principal: AdminPrincipal, session: SessionDep) -> Response:
    """Enable an account again; the user logs in afresh."""
    user = service.user_in_scope(session=session, principal=principal, user_id=user_id)
    service.set_active(session=session, user=user, active=True)
    session.commit()
    return Response(status_code=204)


@users_router.put("/{user_id}/password", status_code=204, operation_id="resetPassword")
def reset_password(
    user_id: uuid.UUID, body: PasswordReset, principal: AdminPrincipal, session: SessionDep
) -> Response:
    """Set the password of an account in your jurisdiction: all its logins end at once."""
    user = service.user_in_scope(session=session, principal=principal, user_id=user_id)
    service.reset_password(session=session, user=user, new_password=body.new_password)
    session.commit()
    return Response(status_code=204)
