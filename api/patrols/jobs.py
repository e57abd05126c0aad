"""Patrol jobs run by ``patrol worker``."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from api.db import get_engine
from api.patrols import visits
from api.settings import get_settings
from notifications.queue import MAINTENANCE_QUEUE, PATROL_QUEUE, app

log = logging.getLogger(__name__)


@app.task(name="detect_visits", queue=PATROL_QUEUE)
def detect_visits(shift_id: str, user_id: str) -> None:
    with Session(get_engine()) as session:
        found = visits.detect(session, shift_id=uuid.UUID(shift_id), user_id=uuid.UUID(user_id))
        session.commit()
    log.info("shift %s officer %s: %s visits", shift_id, user_id, found)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@app.periodic(cron="17 3 * * *")
@app.task(name="gps_partitions", queue=MAINTENANCE_QUEUE)
def gps_partitions(timestamp: int) -> None:
    """Create next months' GPS partitions ahead of time; drop those past retention."""
    this_month = datetime.now(UTC).date().replace(day=1)
    oldest_kept = _add_months(this_month, -get_settings().gps_retention_months)
    with Session(get_engine()) as session:
        for ahead in range(3):
            session.execute(sa.select(sa.func.patrol_gps_partition(_add_months(this_month, ahead))))
        for (name,) in session.execute(
            sa.text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'gps_points'"
            )
        ).all():
            year, month = (int(part) for part in name.removeprefix("gps_points_").split("_"))
            if date(year, month, 1) < oldest_kept:
                session.execute(sa.text(f'DROP TABLE "{name}"'))
                log.info("dropped GPS partition %s (past retention)", name)
        session.commit()
