"""Auth housekeeping run by ``patrol worker``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from api.auth import dpop, service
from api.db import get_engine
from notifications.queue import MAINTENANCE_QUEUE, app

log = logging.getLogger(__name__)

SESSION_KEPT_DAYS = 30  # ended logins stay this long for anyone looking into an incident


@app.periodic(cron="*/10 * * * *")
@app.task(name="auth_cleanup", queue=MAINTENANCE_QUEUE)
def auth_cleanup(timestamp: int) -> None:
    """Drop DPoP proofs too old to be replayed, and logins that ended a month ago."""
    now = datetime.now(UTC)
    with Session(get_engine()) as session:
        proofs = dpop.purge(session, now)
        sessions = service.purge_sessions(session=session, older_than=now - timedelta(days=SESSION_KEPT_DAYS))
        session.commit()
    log.info("auth cleanup: %s DPoP proofs, %s login sessions dropped", proofs, sessions)
