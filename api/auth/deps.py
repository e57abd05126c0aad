"""Who is calling, and which roles a route allows.

Routes declare their policy with ``Allow(...)``; the guard object keeps its roles so the
route table can be read back (the access-matrix test walks it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select

from api.auth.models import Role, User
from api.auth.security import TokenError, decode_access_token
from api.db import SessionDep
from api.errors import ProblemError
from api.jurisdictions.models import Jurisdiction

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

_BEARER = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, with the jurisdiction subtree they are scoped to.

    ``id`` is None only for the command line's system principal (see ``system_principal``).
    """

    id: uuid.UUID | None
    username: str
    display_name: str
    role: Role
    organisation_id: int | None
    jurisdiction_id: int
    jurisdiction_code: str
    jurisdiction_path: str


def system_principal() -> Principal:
    """The administrator the ``patrol`` command acts as: every jurisdiction, no user row."""
    return Principal(
        id=None,
        username="patrol-cli",
        display_name="patrol command line",
        role=Role.admin,
        organisation_id=None,
        jurisdiction_id=0,
        jurisdiction_code="",
        jurisdiction_path="",
    )


def _unauthenticated(detail: str) -> ProblemError:
    return ProblemError(401, detail, kind="unauthenticated", headers=_BEARER)


def current_principal(session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    if not token:
        raise _unauthenticated("a bearer access token is required")
    try:
        user_id = decode_access_token(token)
    except TokenError as exc:
        raise _unauthenticated(str(exc)) from exc
    principal = load_principal(session, User.id == user_id)
    if principal is None:
        raise _unauthenticated("the account behind this token no longer exists or is disabled")
    return principal


def load_principal(session, condition) -> Principal | None:
    """The active user matching ``condition`` as a Principal, or None."""
    row = session.execute(
        select(User, Jurisdiction)
        .join(Jurisdiction, Jurisdiction.id == User.jurisdiction_id)
        .where(condition, User.is_active)
    ).first()
    if row is None:
        return None
    user, jurisdiction = row
    return Principal(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        jurisdiction_id=jurisdiction.id,
        jurisdiction_code=jurisdiction.code,
        jurisdiction_path=jurisdiction.path,
    )


class RoleGuard:
    """Dependency that admits only the given roles; ``roles`` is read by the access-matrix test."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    def __call__(self, principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in self.roles:
            allowed = ", ".join(sorted(self.roles))
            raise ProblemError(
                403, f"role {principal.role} may not do this; allowed: {allowed}", kind="forbidden-role"
            )
        return principal

    def __repr__(self) -> str:
        return f"RoleGuard({', '.join(sorted(self.roles))})"


def Allow(*roles: Role) -> object:
    return Depends(RoleGuard(*roles))


ALL_STAFF = tuple(Role)
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
