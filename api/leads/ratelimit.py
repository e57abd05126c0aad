"""Fixed-window limits on public intake, counted in PostgreSQL so that every API process
shares them (the system has no other shared store)."""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from api.errors import ProblemError
from api.leads.models import RateCounter

WINDOW_S = 3600
AREA_CELL_DEG = 0.01  # about 1 km: reports about one spot share a budget whoever sends them


def area_key(lon: float, lat: float) -> str:
    return f"area:{math.floor(lon / AREA_CELL_DEG)}:{math.floor(lat / AREA_CELL_DEG)}"


def charge(session: Session, keys: dict[str, int], now: datetime) -> None:
    """Count one request against each key (key -> limit per window); 429 with Retry-After when
    any is over. The counts commit on their own, so refused requests still count."""
    epoch = int(now.timestamp())
    window_start = datetime.fromtimestamp(epoch - epoch % WINDOW_S, tz=now.tzinfo)
    over = []
    for key, limit in keys.items():
        hits = session.scalar(
            insert(RateCounter)
            .values(key=key, window_start=window_start, hits=1)
            .on_conflict_do_update(
                index_elements=["key", "window_start"], set_={"hits": RateCounter.hits + 1}
            )
            .returning(RateCounter.hits)
        )
        if hits > limit:
            over.append(key.split(":", 1)[0])
    session.commit()
    if over:
        retry_after = WINDOW_S - epoch % WINDOW_S
        raise ProblemError(
            429,
            f"too many reports from this {' and this '.join(over)}; please call the hotline if it is urgent",
            kind="rate-limited",
            headers={"Retry-After": str(retry_after)},
        )
