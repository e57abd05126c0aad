"""Fixed-window counters kept in PostgreSQL, so that every API process shares them (the system
has no other shared store). Public lead intake and login lock-outs count with them.

A key names what is counted (``client:10.0.0.7``, ``login-user:wang``); its count starts again
at every window boundary (epoch seconds divisible by the window's length).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, Session, SQLModel


class RateCounter(SQLModel, table=True):
    """Events counted per key and fixed window, shared by every API process."""

    __tablename__ = "rate_counters"

    key: str = Field(sa_column=sa.Column(sa.String(120), primary_key=True))
    window_start: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), primary_key=True))
    hits: int = Field(default=0, nullable=False)


def window_start(now: datetime, window_s: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window_s, tz=now.tzinfo)


def seconds_left(now: datetime, window_s: int) -> int:
    """Whole seconds until the current window ends (at least 1): a ``Retry-After`` value."""
    ends = window_start(now, window_s) + timedelta(seconds=window_s)
    return max(1, int((ends - now).total_seconds() + 0.999))


def hit(session: Session, keys: Iterable[str], window_s: int, now: datetime) -> dict[str, int]:
    """Count one event against each key; each key's count in the current window. Not committed."""
    start = window_start(now, window_s)
    rows = [{"key": key, "window_start": start, "hits": 1} for key in dict.fromkeys(keys)]
    if not rows:
        return {}
    statement = insert(RateCounter).values(rows)
    counted = session.execute(
        statement.on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"hits": RateCounter.hits + 1}
        ).returning(RateCounter.key, RateCounter.hits)
    )
    return dict(counted.tuples().all())


def counts(session: Session, keys: Iterable[str], window_s: int, now: datetime) -> dict[str, int]:
    """Each key's count in the current window, without counting anything (absent keys: 0)."""
    wanted = list(dict.fromkeys(keys))
    found = session.execute(
        sa.select(RateCounter.key, RateCounter.hits).where(
            RateCounter.key.in_(wanted), RateCounter.window_start == window_start(now, window_s)
        )
    )
    return {key: 0 for key in wanted} | dict(found.tuples().all())


def clear(session: Session, key: str, window_s: int, now: datetime) -> None:
    """Forget the current window's count of ``key``. Not committed."""
    session.execute(
        sa.delete(RateCounter).where(
            RateCounter.key == key, RateCounter.window_start == window_start(now, window_s)
        )
    )


def purge(session: Session, older_than: datetime) -> int:
    """Drop windows that started before ``older_than``; how many rows went. Not committed."""
    result = session.execute(sa.delete(RateCounter).where(RateCounter.window_start < older_than))
    return result.rowcount
