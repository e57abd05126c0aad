"""The procrastinate application: PostgreSQL is the job queue.

Jobs are deferred on the caller's own database connection, inside the caller's transaction,
so a job exists exactly when the change that asked for it committed.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import procrastinate
from sqlmodel import Session

from api.settings import get_settings

PUSH_QUEUE = "push"
ESCALATION_QUEUE = "escalations"
MAINTENANCE_QUEUE = "maintenance"
PATROL_QUEUE = "patrols"
QUEUES = [PUSH_QUEUE, ESCALATION_QUEUE, PATROL_QUEUE, MAINTENANCE_QUEUE]


def libpq_url(sqlalchemy_url: str) -> str:
    """postgresql+psycopg://... -> postgresql://... (what libpq and psycopg take)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", sqlalchemy_url)


app = procrastinate.App(
    connector=procrastinate.PsycopgConnector(conninfo=libpq_url(get_settings().database_url)),
    import_paths=[
        "notifications.jobs",
        "api.patrols.jobs",
        "api.handovers.jobs",
        "api.sweeps.jobs",
        "api.leads.jobs",
        "api.auth.jobs",
        "api.privacy.jobs",
    ],
)


def defer(
    session: Session,
    task_name: str,
    *,
    queue: str,
    schedule_at: datetime | None = None,
    queueing_lock: str | None = None,
    lock: str | None = None,
    **task_kwargs: Any,
) -> int:
    """Defer a job in the session's current transaction; it is queued only if that commits.

    With ``queueing_lock``, a second job with the same lock while one waits raises
    ``procrastinate.exceptions.AlreadyEnqueued`` (use a savepoint around the call). Jobs with
    the same ``lock`` run one at a time, oldest first.
    """
    connection = session.connection().connection.driver_connection
    return app.configure_task(
        task_name,
        queue=queue,
        schedule_at=schedule_at,
        queueing_lock=queueing_lock,
        lock=lock,
        connection=connection,
    ).defer(**task_kwargs)
