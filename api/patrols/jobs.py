"""Patrol jobs run by ``patrol worker``."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from sqlmodel import Session

from api.db import get_engine
from api.patrols import partitions, visits
from notifications.queue import MAINTENANCE_QUEUE, PATROL_QUEUE, app

log = logging.getLogger(__name__)


@app.task(name="detect_visits", queue=PATROL_QUEUE)
def detect_visits(shift_id: str, user_id: str) -> None:
    with Session(get_engine()) as session:
        found = visits.detect(session, shift_id=uuid.UUID(shift_id), user_id=uuid.UUID(user_id))
        session.commit()
    log.info("shift %s officer %s: %s visits", shift_id, user_id, found)


@app.periodic(cron="17 3 * * *")
@app.task(name="gps_partitions", queue=MAINTENANCE_QUEUE)
def gps_partitions(timestamp: int) -> None:
    """Create next months' GPS partitions ahead of time; drop those past retention through the
    retention run, so that the drop is written to the audit log like every other deletion."""
    from api.privacy import service as retention

    now = datetime.now(UTC)
    with Session(get_engine()) as session:
        partitions.create_ahead(session, now=now)
        report = retention.run(session, now=now, kinds=retention.GPS_ONLY)
        session.commit()
    for name in report.results[0].names:
        log.info("dropped GPS partition %s (past retention)", name)
