"""Accounts, login sessions, token rotation and revocation, passwords."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlmodel import Session

from api.auth import dpop, lockout, security
from api.auth.deps import Principal
from api.auth.models import LoginSession, RefreshToken, Role, User
from api.auth.schemas import TokenPair, UserCreate
from api.errors import ProblemError, invalid, not_found
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.jurisdictions.service import is_within
from api.organisations.models import Organisation
from api.settings import get_settings

log = logging.getLogger(__name__)

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
    weakness = security.password_weakness(password, username=username)
    if weakness:
        raise invalid(weakness, loc=["password"], kind="weak-password")
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


def authenticate(*, session: Session, username: str, password: str, address: str, now: datetime) -> User:
    """The user with this password, unless the username or the address is locked out (429)."""
    lockout.refuse_if_locked(session, username=username, address=address, now=now)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        security.burn_verification_time(password)
    if user is None or not security.verify_password(user.password_hash, password) or not user.is_active:
        lockout.record_failure(session, username=username, address=address, now=now)
        raise ProblemError(401, _BAD_LOGIN, kind="bad-credentials")
    lockout.forget_failures(session, username=username, now=now)
    return user


def login(
    *, session: Session, username: str, password: str, address: str, proof: dpop.Proof | None
) -> TokenPair:
    """Check the password, open a login session (bound to the proof's key if there is one) and
    issue its first token pair. Not committed."""
    now = datetime.now(UTC)
    user = authenticate(session=session, username=username, password=password, address=address, now=now)
    if proof is None and user.role == Role.officer and get_settings().officer_dpop_required:
        raise ProblemError(
            401,
            "officers log in from the phone app, which signs the login with its key (DPoP header)",
            kind="dpop-required",
            headers={"WWW-Authenticate": dpop.CHALLENGE},
        )
    login_session = LoginSession(
        user_id=user.id,
        expires_at=_refresh_expiry(now),
        dpop_jkt=proof.jkt if proof else None,
    )
    session.add(login_session)
    session.flush()
    log.info("login: user %s session %s%s", user.id, login_session.id, " (DPoP)" if proof else "")
    return issue_tokens(session=session, user=user, login_session=login_session)


def _refresh_expiry(now: datetime) -> datetime:
    return now + timedelta(days=get_settings().refresh_token_days)


def issue_tokens(*, session: Session, user: User, login_session: LoginSession) -> TokenPair:
    """A new access token and refresh token for the login session. Not committed."""
    access, lifetime = security.create_access_token(
        user.id, user.role, login_session.id, jkt=login_session.dpop_jkt
    )
    refresh_token, refresh_hash = security.new_refresh_token()
    expires = _refresh_expiry(datetime.now(UTC))
    login_session.expires_at = expires
    session.add(
        RefreshToken(
            user_id=user.id, session_id=login_session.id, token_hash=refresh_hash, expires_at=expires
        )
    )
    return TokenPair(
        access_token=access,
        token_type="DPoP" if login_session.dpop_jkt else "bearer",
        expires_in=lifetime,
        refresh_token=refresh_token,
    )


_BAD_REFRESH = "refresh token is unknown, expired or revoked; log in again"


def refresh(*, session: Session, refresh_token: str, proof: dpop.Proof | None) -> TokenPair:
    """Rotate a refresh token: the old one stops working, a new pair is issued. Presenting a
    token that was already rotated means two parties hold it (one of them stole it): the whole
    login session is revoked at once (committed) and both must log in again."""
    now = datetime.now(UTC)
    row = session.execute(
        select(RefreshToken, LoginSession, User)
        .join(LoginSession, LoginSession.id == RefreshToken.session_id)
        .join(User, User.id == RefreshToken.user_id)
        .where(RefreshToken.token_hash == security.hash_refresh_token(refresh_token))
        .with_for_update(of=RefreshToken)
    ).first()
    if row is None:
        raise ProblemError(401, _BAD_REFRESH, kind="bad-refresh-token")
    stored, login_session, user = row
    if stored.revoked_at is not None:
        if login_session.revoked_at is None:
            revoke_sessions(
                session=session, user_id=user.id, reason="refresh-token-reuse", only=login_session.id
            )
            session.commit()
            log.warning("refresh token reused: user %s session %s revoked", user.id, login_session.id)
        raise ProblemError(
            401,
            "this refresh token was already used, so this login has been ended; log in again",
            kind="refresh-token-reused",
        )
    if stored.expires_at <= now or login_session.revoked_at is not None or not user.is_active:
        raise ProblemError(401, _BAD_REFRESH, kind="bad-refresh-token")
    if login_session.dpop_jkt is not None and (proof is None or proof.jkt != login_session.dpop_jkt):
        raise dpop.refused("this login is bound to a key: send a DPoP proof from that key with the refresh")
    stored.revoked_at = now
    return issue_tokens(session=session, user=user, login_session=login_session)


def revoke_sessions(
    *,
    session: Session,
    user_id: uuid.UUID,
    reason: str,
    only: uuid.UUID | None = None,
    keep: uuid.UUID | None = None,
) -> int:
    """Revoke the user's live login sessions (``only`` one of them, or all but ``keep``): their
    access tokens stop working with the next request, their refresh tokens with the next
    refresh. How many were revoked. Not committed."""
    condition = [LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None)]
    if only is not None:
        condition.append(LoginSession.id == only)
    if keep is not None:
        condition.append(LoginSession.id != keep)
    result = session.execute(
        update(LoginSession).where(*condition).values(revoked_at=datetime.now(UTC), revoked_reason=reason)
    )
    return result.rowcount


def logout(*, session: Session, principal: Principal) -> None:
    """End the caller's login session: its access and refresh tokens stop working at once."""
    revoke_sessions(session=session, user_id=principal.id, reason="logout", only=principal.login_session_id)


def change_password(
    *, session: Session, principal: Principal, current_password: str, new_password: str, address: str
) -> int:
    """Change the caller's own password. Every other login of the user is revoked (a thief who
    had the old password or a token is shut out); the caller's own session goes on. A wrong
    current password counts as a failed login. How many sessions were revoked. Not committed."""
    now = datetime.now(UTC)
    lockout.refuse_if_locked(session, username=principal.username, address=address, now=now)
    user = session.get(User, principal.id)
    if not security.verify_password(user.password_hash, current_password):
        lockout.record_failure(session, username=principal.username, address=address, now=now)
        raise ProblemError(403, "the current password is wrong", kind="wrong-password")
    if new_password == current_password:
        raise invalid("the new password must differ from the current one", loc=["body", "new_password"])
    _set_password(user, new_password, loc=["body", "new_password"])
    revoked = revoke_sessions(
        session=session, user_id=user.id, reason="password-changed", keep=principal.login_session_id
    )
    log.info("password changed: user %s, %s other sessions revoked", user.id, revoked)
    return revoked


def _set_password(user: User, password: str, *, loc: list[str]) -> None:
    weakness = security.password_weakness(password, username=user.username)
    if weakness:
        raise invalid(weakness, loc=loc, kind="weak-password")
    user.password_hash = security.hash_password(password)
    user.password_changed_at = datetime.now(UTC)


def reset_password(*, session: Session, user: User, new_password: str) -> int:
    """An administrator sets a user's password: every login of the user is revoked. Not committed."""
    _set_password(user, new_password, loc=["body", "new_password"])
    return revoke_sessions(session=session, user_id=user.id, reason="password-reset")


def set_active(*, session: Session, user: User, active: bool) -> int:
    """Enable or disable an account; disabling revokes every login at once. Not committed."""
    user.is_active = active
    return 0 if active else revoke_sessions(session=session, user_id=user.id, reason="disabled")


def user_in_scope(*, session: Session, principal: Principal, user_id: uuid.UUID) -> User:
    """A user an administrator may manage: in their jurisdiction subtree, else 404."""
    user = session.get(User, user_id)
    if user is None or not jurisdictions.id_in_scope(session, principal, user.jurisdiction_id):
        raise not_found("user")
    return user


def purge_sessions(*, session: Session, older_than: datetime) -> int:
    """Delete login sessions expired or revoked before ``older_than`` (their refresh tokens go
    with them). Not committed."""
    result = session.execute(
        delete(LoginSession).where(
            or_(LoginSession.expires_at < older_than, LoginSession.revoked_at < older_than)
        )
    )
    return result.rowcount
