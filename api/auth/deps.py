"""Who is calling, and which roles a route allows.

Routes declare their policy with ``Allow(...)``; the guard object keeps its roles so the
route table can be read back (the access-matrix test walks it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import and_, null, select

from api.auth import dpop
from api.auth.models import LoginSession, Role, User
from api.auth.security import AccessClaims, TokenError, decode_access_token
from api.db import SessionDep
from api.errors import ProblemError
from api.jurisdictions.models import Jurisdiction
from api.settings import get_settings

_BEARER = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Credentials:
    scheme: str  # "bearer" or "dpop"
    token: str


class AccessCredentials(OAuth2PasswordBearer):
    """``Authorization: Bearer <token>`` or ``Authorization: DPoP <token>`` (a key-bound token,
    RFC 9449); documented as the OAuth2 password flow so the docs' Authorize button works."""

    async def __call__(self, request: Request) -> Credentials | None:  # type: ignore[override]
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        scheme, token = scheme.lower(), token.strip()
        if scheme not in ("bearer", "dpop") or not token:
            return None
        return Credentials(scheme=scheme, token=token)


access_credentials = AccessCredentials(
    tokenUrl="/api/v1/auth/token",
    scheme_name="OAuth2PasswordBearer",
    description="`Authorization: Bearer <access_token>`; a login bound to the phone's key sends "
    "`Authorization: DPoP <access_token>` with a `DPoP` proof header (RFC 9449).",
    auto_error=False,
)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, with the jurisdiction subtree they are scoped to.

    ``id`` is None only for the command line's system principal (see ``system_principal``);
    ``login_session_id`` is the login the request's token belongs to, ``dpop_jkt`` the key that
    login is bound to.
    """

    id: uuid.UUID | None
    username: str
    display_name: str
    role: Role
    organisation_id: int | None
    jurisdiction_id: int
    jurisdiction_code: str
    jurisdiction_path: str
    login_session_id: uuid.UUID | None = None
    dpop_jkt: str | None = None


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


def current_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[Credentials | None, Depends(access_credentials)],
) -> Principal:
    if credentials is None:
        raise _unauthenticated("a bearer access token is required")
    try:
        claims = decode_access_token(credentials.token)
    except TokenError as exc:
        raise _unauthenticated(str(exc)) from exc
    principal = load_principal(session, User.id == claims.user_id, login_session_id=claims.session_id)
    if principal is None:
        raise _unauthenticated(
            "this login has ended (logged out or revoked) or the account is disabled; log in again"
        )
    _check_key_binding(request, session, credentials, claims, principal)
    return principal


def _check_key_binding(
    request: Request, session, credentials: Credentials, claims: AccessClaims, principal: Principal
) -> None:
    """A key-bound login answers only with a fresh DPoP proof from its key (spent at once,
    even if the request then fails); with DPoP required for officers, they need a bound login."""
    bound = principal.dpop_jkt
    if bound is None:
        if principal.role == Role.officer and get_settings().officer_dpop_required:
            raise dpop.refused("officers must log in from the phone app with a DPoP proof; log in again")
        if credentials.scheme == "dpop":
            raise _unauthenticated("this access token is not bound to a key; send it as Bearer")
        return
    if credentials.scheme != "dpop" or claims.jkt != bound:
        raise dpop.refused("this access token is bound to a key: send it as `Authorization: DPoP <token>`")
    proof = dpop.proof_header(request)
    if proof is None:
        raise dpop.refused("this access token is bound to a key: send a DPoP proof with every request")
    if dpop.check(request, session, proof, access_token=credentials.token).jkt != bound:
        raise dpop.refused("the DPoP proof is signed by another key than the one this token is bound to")
    session.commit()


def load_principal(session, condition, *, login_session_id: uuid.UUID | None = None) -> Principal | None:
    """The active user matching ``condition`` as a Principal, or None. With a login session
    id, that session must be the user's and not revoked: one primary-key lookup joined in."""
    query = (
        select(  # columns, not entities: every request runs this, and ORM objects cost more
            User.id,
            User.username,
            User.display_name,
            User.role,
            User.organisation_id,
            Jurisdiction.id,
            Jurisdiction.code,
            Jurisdiction.path,
            LoginSession.dpop_jkt if login_session_id else null(),
        )
        .join(Jurisdiction, Jurisdiction.id == User.jurisdiction_id)
        .where(condition, User.is_active)
    )
    if login_session_id is not None:
        query = query.join(
            LoginSession,
            and_(
                LoginSession.id == login_session_id,
                LoginSession.user_id == User.id,
                LoginSession.revoked_at.is_(None),
            ),
        )
    row = session.execute(query).first()
    if row is None:
        return None
    user_id, username, display_name, role, organisation_id, jurisdiction_id, code, path, dpop_jkt = row
    return Principal(
        id=user_id,
        username=username,
        display_name=display_name,
        role=Role(role),
        organisation_id=organisation_id,
        jurisdiction_id=jurisdiction_id,
        jurisdiction_code=code,
        jurisdiction_path=path,
        login_session_id=login_session_id,
        dpop_jkt=dpop_jkt,
    )


class RoleGuard:
    """Dependency that admits only the given roles; ``roles`` is read by the access-matrix test."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        """Async because it does no I/O: FastAPI then runs it on the event loop, sparing every
        request a hop to the thread pool and back."""
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
