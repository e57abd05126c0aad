"""Login throttling: failed logins are counted per username and per client address in the
shared counters; past the limit, logins from that name or address are refused until the
window ends, whatever the password, and whether the account exists or not."""

from __future__ import annotations

import ipaddress
import logging
from datetime import datetime

from sqlmodel import Session

from api import ratelimit
from api.errors import ProblemError
from api.settings import get_settings

log = logging.getLogger(__name__)

_USER = "login-user:"
_ADDRESS = "login-addr:"
_KEY_LENGTH = 120  # the counters' key column


def address_key(address: str) -> str:
    """One key per IPv4 address, one per IPv6 /64 (what one household or phone usually holds)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"{_ADDRESS}{address}"[:_KEY_LENGTH]
    if ip.version == 6:
        return f"{_ADDRESS}{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"{_ADDRESS}{ip}"


def username_key(username: str) -> str:
    return f"{_USER}{username.strip().casefold()}"[:_KEY_LENGTH]


def _limits(username: str, address: str) -> dict[str, int]:
    settings = get_settings()
    return {
        username_key(username): settings.login_failures_per_username,
        address_key(address): settings.login_failures_per_address,
    }


def refuse_if_locked(session: Session, *, username: str, address: str, now: datetime) -> None:
    """429 with Retry-After while the username or the address has used up its failures."""
    limits = _limits(username, address)
    window = get_settings().login_window_s
    failures = ratelimit.counts(session, limits, window, now)
    if any(failures[key] >= limit for key, limit in limits.items()):
        wait = ratelimit.seconds_left(now, window)
        log.warning("login refused while locked: username %r from %s", username[:64], address)
        raise ProblemError(
            429,
            f"too many failed logins for this username or from this address; try again in {wait} s",
            kind="login-locked",
            headers={"Retry-After": str(wait)},
        )


def record_failure(session: Session, *, username: str, address: str, now: datetime) -> None:
    """Count a failed login against the username and the address, and commit at once (the
    request itself fails)."""
    ratelimit.hit(session, _limits(username, address), get_settings().login_window_s, now)
    session.commit()
    log.warning("failed login: username %r from %s", username[:64], address)


def forget_failures(session: Session, *, username: str, now: datetime) -> None:
    """After a successful login the username starts afresh; the address does not, or one good
    account would reset the count of guesses made from that address at others. Not committed."""
    ratelimit.clear(session, username_key(username), get_settings().login_window_s, now)
