"""The nightly retention run, carried out by ``patrol worker``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlmodel import Session

from api.db import get_engine
from api.privacy import service
from notifications.queue import MAINTENANCE_QUEUE, app

log = logging.getLogger(__name__)


@app.periodic(cron="41 3 * * *")
@app.task(name="retention", queue=MAINTENANCE_QUEUE)
def retention(timestamp: int) -> None:
    """Wipe or drop what is past retention (after the GPS partitions job has made next months')."""
    with Session(get_engine()) as session:
        report = service.run(session, now=datetime.now(UTC))
        session.commit()
    for result in report.results:
        log.info("retention %s: %s %s", result.kind, result.action, result.count)
