"""Accounts, login and refresh tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from api.auth import security
from api.auth.deps import Principal
from api.auth.models import RefreshToken, Role, User
from api.auth.schemas import TokenPair, UserCreate
from api.errors import ProblemError, invalid, not_found
from api.jurisdictions.models import Jurisdiction
from api.jurisdictions.service import is_within
from api.organisations.models import Organisation
from api.settings import get_settings

_BAD_LOGIN = "wrong username or password"


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role,
    jurisdiction_code: str,
    organisation_id: int | None = None,
    display_name: str | None = None,
) -> User:
    if len(password) < 8:
        raise invalid("password must have at least 8 characters", loc=["password"])
    jurisdiction = session.scalar(select(Jurisdiction).where(Jurisdiction.code == jurisdiction_code))
    if jurisdiction is None:
        raise invalid(f"unknown jurisdiction code {jurisdiction_code!r}", loc=["jurisdiction"])
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise invalid(f"unknown organisation {organisation_id}", loc=["organisation"])
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ProblemError(409, f"username {username!r} is taken", kind="duplicate")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=security.hash_password(password),
        role=role.value,
        organisation_id=organisation_id,
        jurisdiction_id=jurisdiction.id,
    )
    session.add(user)
    session.flush()
    return user


def create_user_in_scope(*, session: Session, principal: Principal, body: UserCreate) -> User:
    """An administrator creates an account in their own jurisdiction or below it; a jurisdiction or
    organisation outside it is a 404, as if it did not exist."""
    jurisdiction = session.scalar(select(Jurisdiction).where(Jurisdiction.code == body.jurisdiction))
    if jurisdiction is None or not is_within(jurisdiction.path, principal.jurisdiction_path):
        raise not_found(f"jurisdiction {body.jurisdiction!r}")
    if body.organisation_id is not None:
        organisation = session.get(Organisation, body.organisation_id)
        home = session.get(Jurisdiction, organisation.jurisdiction_id) if organisation else None
        if home is None or not is_within(home.path, principal.jurisdiction_path):
            raise not_found(f"organisation {body.organisation_id}")
    return create_user(
        session=session,
        username=body.username,
        password=body.password,
        role=body.role,
        jurisdiction_code=body.jurisdiction,
        organisation_id=body.organisation_id,
        display_name=body.display_name,
    )


def authenticate(*, session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        security.burn_verification_time(password)
        raise ProblemError(401, _BAD_LOGIN, kind="bad-credentials")
    if not security.verify_password(user.password_hash, password) or not user.is_active:
        raise ProblemError(401, _BAD_LOGIN, kind="bad-credentials")
    return user


def issue_tokens(*, session: Session, user_id: uuid.UUID, role: str) -> TokenPair:
    access, lifetime = security.create_access_token(user_id, role)
    refresh, refresh_hash = security.new_refresh_token()
    expires = datetime.now(UTC) + timedelta(days=get_settings().refresh_token_days)
    session.add(RefreshToken(user_id=user_id, token_hash=refresh_hash, expires_at=expires))
    return TokenPair(access_token=access, expires_in=lifetime, refresh_token=refresh)


def refresh(*, session: Session, refresh_token: str) -> TokenPair:
    """Rotate a refresh token: the old one stops working, a new pair is issued."""
    now = datetime.now(UTC)
    revoked = session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == security.hash_refresh_token(refresh_token),
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(revoked_at=now)
        .returning(RefreshToken.user_id)
    ).first()
    if revoked is None:
        raise ProblemError(
            401, "refresh token is unknown, expired or already used; log in again", kind="bad-refresh-token"
        )
    user = session.get(User, revoked.user_id)
    if user is None or not user.is_active:
        raise ProblemError(401, "the account is disabled", kind="bad-refresh-token")
    return issue_tokens(session=session, user_id=user.id, role=user.role)


def revoke_refresh_token(*, session: Session, user_id: uuid.UUID, refresh_token: str) -> bool:
    result = session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == security.hash_refresh_token(refresh_token),
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=datetime.now(UTC))
    )
    return result.rowcount > 0
