"""Monthly partitions of ``gps_points``: created ahead, dropped whole once past retention."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

_PARTITIONS = sa.text(
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
    "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'gps_points' ORDER BY c.relname"
)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def create_ahead(session: Session, *, now: datetime, months: int = 3) -> None:
    this_month = now.date().replace(day=1)
    for ahead in range(months):
        session.execute(sa.select(sa.func.patrol_gps_partition(add_months(this_month, ahead))))


def oldest_kept(*, now: datetime, retention_months: int) -> date:
    """The first month whose partition is kept."""
    return add_months(now.date().replace(day=1), -retention_months)


def expired(session: Session, *, now: datetime, retention_months: int) -> list[str]:
    """Names of the partitions whose whole month lies before the retention window."""
    first_kept = oldest_kept(now=now, retention_months=retention_months)
    names = []
    for (name,) in session.execute(_PARTITIONS).all():
        year, month = (int(part) for part in name.removeprefix("gps_points_").split("_"))
        if date(year, month, 1) < first_kept:
            names.append(name)
    return names


def drop(session: Session, names: list[str]) -> None:
    for name in names:
        session.execute(sa.text(f'DROP TABLE "{name}"'))
