"""Limits on public intake: reports per client and per area within an hour, counted in the
shared counters of ``api.ratelimit``."""

from __future__ import annotations

import math
from datetime import datetime

from sqlmodel import Session

from api import ratelimit
from api.errors import ProblemError

WINDOW_S = 3600
AREA_CELL_DEG = 0.01  # about 1 km: reports about one spot share a budget whoever sends them


def area_key(lon: float, lat: float) -> str:
    return f"area:{math.floor(lon / AREA_CELL_DEG)}:{math.floor(lat / AREA_CELL_DEG)}"


def charge(session: Session, keys: dict[str, int], now: datetime) -> None:
    """Count one request against each key (key -> limit per window); 429 with Retry-After when
    any is over. The counts commit on their own, so refused requests still count."""
    hits = ratelimit.hit(session, keys, WINDOW_S, now)
    session.commit()
    over = [key.split(":", 1)[0] for key, limit in keys.items() if hits[key] > limit]
    if over:
        raise ProblemError(
            429,
            f"too many reports from this {' and this '.join(over)}; please call the hotline if it is urgent",
            kind="rate-limited",
            headers={"Retry-After": str(ratelimit.seconds_left(now, WINDOW_S))},
        )
