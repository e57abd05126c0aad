"""Password hashing (argon2id) and signed access tokens (JWT, HS256)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api.settings import get_settings

_ALGORITHM = "HS256"
_ACCESS = "access"


@lru_cache
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: list[str] = []


def burn_verification_time(password: str) -> None:
    """Spend the time of a real check, so an unknown username is not told apart by timing."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_hex(8)))
    verify_password(_DUMMY_HASH[0], password)


def create_access_token(user_id: uuid.UUID, role: str, *, now: datetime | None = None) -> tuple[str, int]:
    """Return (token, lifetime in seconds)."""
    settings = get_settings()
    issued = now or datetime.now(UTC)
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {"sub": str(user_id), "role": role, "typ": _ACCESS, "iat": issued, "exp": issued + lifetime}
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=_ALGORITHM)
    return token, int(lifetime.total_seconds())


class TokenError(Exception):
    pass


def decode_access_token(token: str) -> uuid.UUID:
    """Return the user id of a valid, unexpired access token or raise TokenError."""
    try:
        claims = jwt.decode(
            token,
            get_settings().secret_key.get_secret_value(),
            algorithms=[_ALGORITHM],
            options={"require": ["sub", "exp", "iat", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("access token has expired; refresh it or log in again") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("access token is not valid") from exc
    if claims.get("typ") != _ACCESS:
        raise TokenError("not an access token")
    try:
        return uuid.UUID(claims["sub"])
    except ValueError as exc:
        raise TokenError("access token is not valid") from exc


def new_refresh_token() -> tuple[str, str]:
    """Return (token for the client, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
