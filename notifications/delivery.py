"""Sending one batch of queued pushes: claim, send, record, retire dead tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from api.db import get_engine
from notifications.models import DeliveryStatus, Device, Notification, PushDelivery
from notifications.providers import PushMessage, PushResult, configured_provider


class TransientPushError(Exception):
    """Some pushes failed for reasons that may pass (429, 503, network): retry the job later."""


def deliver_batch(group_id: uuid.UUID, batch: int, *, final_attempt: bool) -> dict[str, int]:
    """Send the batch's pending pushes.

    The rows stay locked (FOR UPDATE SKIP LOCKED) while the provider is called, so a second
    worker never sends the same push at the same time; if this process dies, the transaction
    dies with it and the rows are pending again for the retried job. A phone may then get a
    push twice, with the same notification id to drop it by.
    """
    provider = configured_provider()
    if provider is None:
        raise RuntimeError("push deliveries are queued but no push provider is configured")
    with Session(get_engine()) as session:
        rows = session.execute(
            sa.select(PushDelivery, Notification, Device)
            .join(Notification, Notification.id == PushDelivery.notification_id)
            .join(Device, Device.id == PushDelivery.device_id)
            .where(
                PushDelivery.group_id == group_id,
                PushDelivery.batch == batch,
                PushDelivery.status == DeliveryStatus.pending,
            )
            .order_by(PushDelivery.id)
            .with_for_update(of=PushDelivery, skip_locked=True)
        ).all()
        if not rows:
            return {}
        results = provider.send([_message(notification, device) for _, notification, device in rows])
        counts = _record(session, rows, results, final_attempt=final_attempt)
        session.commit()
    if counts.get("retry"):
        raise TransientPushError(f"{counts['retry']} push(es) of group {group_id} batch {batch} to retry")
    return counts


def _message(notification: Notification, device: Device) -> PushMessage:
    data = {key: str(value) for key, value in notification.payload.items()}
    return PushMessage(
        token=device.token,
        notification_id=str(notification.id),
        kind=notification.kind,
        title=notification.title,
        body=notification.body,
        priority=notification.priority,
        data=data,
    )


def _record(session: Session, rows, results: list[PushResult], *, final_attempt: bool) -> dict[str, int]:
    now = datetime.now(UTC)
    counts = {"sent": 0, "rejected": 0, "retry": 0, "failed": 0}
    for (delivery, _, device), result in zip(rows, results, strict=True):
        delivery.attempts += 1
        if result.ok:
            delivery.status, delivery.sent_at = DeliveryStatus.sent, now
            delivery.provider_message_id, delivery.last_error = result.message_id, None
            counts["sent"] += 1
        elif result.permanent:
            delivery.status, delivery.last_error = DeliveryStatus.rejected, result.error
            device.retired_at, device.retired_reason = now, f"push provider: {result.error}"[:200]
            counts["rejected"] += 1
        else:
            delivery.last_error = result.error
            if final_attempt:
                delivery.status = DeliveryStatus.failed
                counts["failed"] += 1
            else:
                counts["retry"] += 1
    return counts
