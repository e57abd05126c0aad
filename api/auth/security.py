"""Password hashing (argon2id), password strength, and signed access tokens (JWT, HS256)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
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


MAX_PASSWORD_LENGTH = 256
_MIN_DISTINCT_CHARACTERS = 5


def password_weakness(password: str, *, username: str) -> str | None:
    """What makes a new password too weak, or None. Length counts most; digits alone (phone
    numbers, birthdays) and a few characters repeated are refused however long."""
    minimum = get_settings().password_min_length
    if len(password) < minimum:
        return f"password must have at least {minimum} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"password may have at most {MAX_PASSWORD_LENGTH} characters"
    if password.isdigit():
        return "password must not be digits only"
    if len(set(password)) < _MIN_DISTINCT_CHARACTERS:
        return f"password must use at least {_MIN_DISTINCT_CHARACTERS} different characters"
    if password.casefold() == username.casefold():
        return "password must not be the username"
    return None


_DUMMY_HASH: list[str] = []


def burn_verification_time(password: str) -> None:
    """Spend the time of a real check, so an unknown username is not told apart by timing."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_hex(8)))
    verify_password(_DUMMY_HASH[0], password)


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    jkt: str | None  # the thumbprint of the key the token is bound to (DPoP), if any


def create_access_token(
    user_id: uuid.UUID,
    role: str,
    session_id: uuid.UUID,
    *,
    jkt: str | None = None,
    now: datetime | None = None,
) -> tuple[str, int]:
    """Return (token, lifetime in seconds). ``sid`` names the login session; a key-bound token
    carries the key's thumbprint as ``cnf.jkt`` (RFC 9449, section 6)."""
    settings = get_settings()
    issued = now or datetime.now(UTC)
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "role": role,
        "typ": _ACCESS,
        "iat": issued,
        "exp": issued + lifetime,
    }
    if jkt is not None:
        claims["cnf"] = {"jkt": jkt}
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=_ALGORITHM)
    return token, int(lifetime.total_seconds())


class TokenError(Exception):
    pass


def decode_access_token(token: str) -> AccessClaims:
    """The claims of a valid, unexpired access token, or TokenError."""
    try:
        claims = jwt.decode(
            token,
            get_settings().secret_key.get_secret_value(),
            algorithms=[_ALGORITHM],
            options={"require": ["sub", "sid", "exp", "iat", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("access token has expired; refresh it or log in again") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("access token is not valid") from exc
    if claims.get("typ") != _ACCESS:
        raise TokenError("not an access token")
    confirmation = claims.get("cnf")
    try:
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            session_id=uuid.UUID(claims["sid"]),
            jkt=confirmation["jkt"] if confirmation else None,
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise TokenError("access token is not valid") from exc


def new_refresh_token() -> tuple[str, str]:
    """Return (token for the client, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
