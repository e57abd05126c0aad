"""Lead jobs run by ``patrol worker``: offer timeouts, response deadlines, 12345 callbacks."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from procrastinate import RetryStrategy
from sqlmodel import Session

from api import ratelimit
from api.db import get_engine
from api.leads import service
from api.leads.models import Lead
from api.settings import get_settings
from notifications.queue import MAINTENANCE_QUEUE, PATROL_QUEUE, app

log = logging.getLogger(__name__)


@app.task(name="lead_offer_expiry", queue=PATROL_QUEUE)
def lead_offer_expiry(offer_id: str) -> None:
    with Session(get_engine()) as session:
        if service.expire_offer(session, uuid.UUID(offer_id)):
            log.info("lead offer %s expired: passed on", offer_id)
        session.commit()


@app.task(name="lead_deadline", queue=PATROL_QUEUE)
def lead_deadline(lead_id: str) -> None:
    with Session(get_engine()) as session:
        if service.check_deadline(session, uuid.UUID(lead_id)):
            log.warning("lead %s missed its response deadline: escalated", lead_id)
        session.commit()


def signature(body: bytes) -> str | None:
    secret = get_settings().hotline12345_secret
    if secret is None:
        return None
    return hmac.new(secret.get_secret_value().encode(), body, hashlib.sha256).hexdigest()


@app.task(
    name="lead_12345_callback",
    queue=PATROL_QUEUE,
    retry=RetryStrategy(max_attempts=12, exponential_wait=2),
)
def lead_12345_callback(lead_id: str, step: str, note: str, at: str) -> None:
    """POST one step of the ticket's flow to the platform; any failure is retried with backoff."""
    with Session(get_engine()) as session:
        lead = session.get(Lead, uuid.UUID(lead_id))
        ticket, url = lead.external_ref, lead.callback_url
    body = json.dumps(
        {"ticket_no": ticket, "step": step, "note": note, "time": at}, ensure_ascii=False
    ).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if (signed := signature(body)) is not None:
        headers["X-Signature"] = f"sha256={signed}"
    response = httpx.post(url, content=body, headers=headers, timeout=10)
    response.raise_for_status()
    log.info("12345 ticket %s: reported %s", ticket, step)


@app.periodic(cron="23 * * * *")
@app.task(name="rate_counter_cleanup", queue=MAINTENANCE_QUEUE)
def rate_counter_cleanup(timestamp: int) -> None:
    """Request counters (public intake, failed logins) older than a day count for nothing: drop them."""
    with Session(get_engine()) as session:
        ratelimit.purge(session, datetime.now(UTC) - timedelta(days=1))
        session.commit()
