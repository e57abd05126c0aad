"""Worker tasks. ``patrol worker`` runs them; any number of workers may run at once."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from procrastinate import JobContext, RetryStrategy
from sqlmodel import Session

from api.db import get_engine
from api.settings import get_settings
from notifications import delivery, service
from notifications.models import Event
from notifications.queue import ESCALATION_QUEUE, MAINTENANCE_QUEUE, PUSH_QUEUE, app

log = logging.getLogger(__name__)
_settings = get_settings()


@app.task(
    name="deliver_push",
    queue=PUSH_QUEUE,
    pass_context=True,
    retry=RetryStrategy(
        max_attempts=_settings.push_max_attempts,
        exponential_wait=2,
        # a provider that fails for now, or the database going away mid-batch: the rows stay
        # pending and the next attempt sends what is left
        retry_exceptions={delivery.TransientPushError, sa.exc.OperationalError, sa.exc.InterfaceError},
    ),
)
def deliver_push(context: JobContext, group_id: str, batch: int) -> None:
    attempt = context.job.attempts + 1
    final = attempt >= _settings.push_max_attempts
    counts = delivery.deliver_batch(uuid.UUID(group_id), batch, final_attempt=final)
    log.info("push group %s batch %s attempt %s: %s", group_id, batch, attempt, counts)


@app.task(
    name="escalate_unacknowledged",
    queue=ESCALATION_QUEUE,
    retry=RetryStrategy(max_attempts=10, exponential_wait=2),
)
def escalate_unacknowledged(group_id: str, title: str, body: str, audience: dict) -> None:
    with Session(get_engine()) as session:
        fanout = service.escalate_if_unacknowledged(
            session,
            group_id=uuid.UUID(group_id),
            audience=service.audience_from_json(audience),
            title=title,
            body=body,
        )
        session.commit()
    log.info("escalation of %s: %s", group_id, fanout or "already acknowledged")


@app.periodic(cron="*/5 * * * *")
@app.task(name="prune_events", queue=MAINTENANCE_QUEUE, pass_context=False)
def prune_events(timestamp: int) -> None:
    """Drop stream events older than the replay window."""
    cutoff = datetime.now(UTC) - timedelta(minutes=_settings.event_replay_minutes)
    with Session(get_engine()) as session:
        session.execute(sa.delete(Event).where(Event.created_at < cutoff))
        session.commit()


@app.periodic(cron="* * * * * */5")
@app.task(name="retry_stalled_jobs", queue=MAINTENANCE_QUEUE, pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> None:
    """Re-queue jobs whose worker stopped sending heartbeats (killed, host lost)."""
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=_settings.worker_stalled_after_s):
        log.warning("re-queueing stalled job %s (%s)", job.id, job.task_name)
        await manager.retry_job(job)
