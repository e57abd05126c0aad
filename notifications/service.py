"""Notifications: the inbox, live events, push fan-out and escalations.

``notify`` and ``publish_event`` write inside the caller's transaction: the inbox rows, the
events, the push deliveries and their jobs all commit with the change that caused them, or
not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session

from api.auth.models import Role, User
from api.jurisdictions.models import Jurisdiction
from notifications import cursor, queue
from notifications.audience import Audience, users_query
from notifications.models import DeliveryStatus, Device, Event, Notification, Platform, Priority, PushDelivery
from notifications.providers import configured_provider

_EVENT_COLUMNS = ("kind", "payload", "jurisdiction_path", "user_id", "roles")
EVENTS_CHANNEL = "patrol_events"  # notified by the trigger on events (migration 0004)
PUSH_BATCH = 500


@dataclass(frozen=True)
class Fanout:
    group_id: uuid.UUID
    recipients: int
    deliveries: int
    jobs: int


def publish_event(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    jurisdiction_id: int,
    roles: Sequence[Role] | None = None,
    user_id: uuid.UUID | None = None,
) -> None:
    """Record a domain event in a jurisdiction for the live stream (visible as ``Event`` explains).

    A trigger on ``events`` wakes the streams of every API process when this commits.
    """
    event = event_insert(
        kind=kind, payload=payload, jurisdiction_id=jurisdiction_id, roles=roles, user_id=user_id
    )
    session.execute(event)


def event_insert(
    *,
    kind: str,
    payload: dict[str, Any],
    jurisdiction_id: int,
    roles: Sequence[Role] | None = None,
    user_id: uuid.UUID | None = None,
    when: sa.CTE | None = None,
) -> sa.Insert:
    """The statement ``publish_event`` runs; with ``when``, it records the event only if that
    common table expression yields a row, so a caller can announce a change in the very
    statement that makes it (one round trip, as the track upload does with a position)."""
    row = sa.select(
        sa.literal(kind, sa.String),
        sa.literal(payload, JSONB),
        sa.select(Jurisdiction.path).where(Jurisdiction.id == jurisdiction_id).scalar_subquery(),
        sa.literal(user_id, sa.Uuid),
        sa.literal([r.value for r in roles] if roles else None, sa.ARRAY(sa.String(32))),
    )
    if when is not None:
        row = row.select_from(when)
    return sa.insert(Event).from_select(_EVENT_COLUMNS, row)


def notify(
    session: Session,
    *,
    audience: Audience,
    kind: str,
    title: str,
    body: str,
    payload: dict[str, Any] | None = None,
    priority: Priority = Priority.normal,
) -> Fanout:
    """Write one inbox row per recipient, their stream events and push deliveries, set-based."""
    group_id = uuid.uuid4()
    recipients = users_query(audience).subquery()
    inserted = len(
        session.execute(
            sa.insert(Notification)
            .from_select(
                [
                    "id",
                    "group_id",
                    "user_id",
                    "jurisdiction_id",
                    "kind",
                    "title",
                    "body",
                    "payload",
                    "priority",
                ],
                sa.select(
                    sa.func.gen_random_uuid(),
                    sa.literal(group_id),
                    recipients.c.id,
                    recipients.c.jurisdiction_id,
                    sa.literal(kind),
                    sa.literal(title),
                    sa.literal(body),
                    sa.cast(sa.literal(payload or {}, sa.JSON), sa.dialects.postgresql.JSONB),
                    sa.literal(priority.value),
                ),
            )
            .returning(Notification.id)
        ).all()
    )
    if not inserted:
        return Fanout(group_id, 0, 0, 0)
    _inbox_events(session, group_id)
    deliveries, batches = _queue_pushes(session, group_id)
    return Fanout(group_id, inserted, deliveries, batches)


def _inbox_events(session: Session, group_id: uuid.UUID) -> None:
    item = sa.func.jsonb_build_object(
        "id",
        Notification.id,
        "kind",
        Notification.kind,
        "title",
        Notification.title,
        "body",
        Notification.body,
        "payload",
        Notification.payload,
        "priority",
        Notification.priority,
        "created_at",
        Notification.created_at,
    )
    session.execute(
        sa.insert(Event).from_select(
            ["kind", "jurisdiction_path", "user_id", "payload"],
            sa.select(sa.literal("inbox.new"), Jurisdiction.path, Notification.user_id, item)
            .join(Jurisdiction, Jurisdiction.id == Notification.jurisdiction_id)
            .where(Notification.group_id == group_id),
        )
    )


def _queue_pushes(session: Session, group_id: uuid.UUID) -> tuple[int, int]:
    """Outbox rows for every active device of every recipient, in batches of ``PUSH_BATCH``."""
    if configured_provider() is None:
        return 0, 0
    batch = (sa.func.row_number().over(order_by=Device.id) - 1) // PUSH_BATCH
    rows = (
        session.execute(
            sa.insert(PushDelivery)
            .from_select(
                ["notification_id", "device_id", "group_id", "batch"],
                sa.select(Notification.id, Device.id, sa.literal(group_id), batch)
                .join(Device, Device.user_id == Notification.user_id)
                .where(Notification.group_id == group_id, Device.retired_at.is_(None)),
            )
            .returning(PushDelivery.batch)
        )
        .scalars()
        .all()
    )
    batches = sorted(set(rows))
    for number in batches:
        queue.defer(session, "deliver_push", queue=queue.PUSH_QUEUE, group_id=str(group_id), batch=number)
    return len(rows), len(batches)


def schedule_escalation(
    session: Session, *, group_id: uuid.UUID, deadline: datetime, audience: Audience, title: str, body: str
) -> int:
    """If nobody who got the notification ``group_id`` acknowledged it by ``deadline``, notify
    ``audience`` (critical)."""
    return queue.defer(
        session,
        "escalate_unacknowledged",
        queue=queue.ESCALATION_QUEUE,
        schedule_at=deadline,
        group_id=str(group_id),
        title=title,
        body=body,
        audience=_audience_to_json(audience),
    )


def _audience_to_json(audience: Audience) -> dict[str, Any]:
    return {
        "user_ids": [str(u) for u in audience.user_ids],
        "roles": sorted(audience.roles),
        "organisation_id": audience.organisation_id,
        "responsible_for": audience.responsible_for,
        "within": audience.within,
    }


def audience_from_json(data: dict[str, Any]) -> Audience:
    return Audience(
        user_ids=frozenset(uuid.UUID(u) for u in data["user_ids"]),
        roles=frozenset(Role(r) for r in data["roles"]),
        organisation_id=data["organisation_id"],
        responsible_for=data["responsible_for"],
        within=data["within"],
    )


def escalate_if_unacknowledged(
    session: Session, *, group_id: uuid.UUID, audience: Audience, title: str, body: str
) -> Fanout | None:
    sent = session.scalars(sa.select(Notification).where(Notification.group_id == group_id)).all()
    if not sent or any(n.acknowledged_at is not None for n in sent):
        return None
    return notify(
        session,
        audience=audience,
        kind="escalation",
        title=title,
        body=body,
        priority=Priority.critical,
        payload={**sent[0].payload, "escalates": str(group_id), "original_kind": sent[0].kind},
    )


# Inbox -------------------------------------------------------------------------------------


def inbox_page(
    session: Session, *, user_id: uuid.UUID, after: str | None, limit: int, unacknowledged_only: bool
) -> tuple[list[Notification], str | None]:
    """The user's settled inbox items after the cursor, oldest first, and the next cursor."""
    query = (
        sa.select(Notification, sa.cast(Notification.txid, sa.Text).label("tx"))
        .where(
            Notification.user_id == user_id,
            cursor.SETTLED,
            cursor.after(Notification.txid, Notification.seq, after),
        )
        .order_by(Notification.txid, Notification.seq)
        .limit(limit)
    )
    if unacknowledged_only:
        query = query.where(Notification.acknowledged_at.is_(None))
    rows = session.execute(query).all()
    items = [row.Notification for row in rows]
    next_cursor = cursor.encode(rows[-1].tx, rows[-1].Notification.seq) if rows else after
    return items, next_cursor


def _own_item(session: Session, user_id: uuid.UUID, notification_id: uuid.UUID) -> Notification | None:
    item = session.get(Notification, notification_id, with_for_update=True)
    return item if item is not None and item.user_id == user_id else None


def mark(
    session: Session, *, user_id: uuid.UUID, notification_id: uuid.UUID, acknowledge: bool
) -> Notification | None:
    """Mark read (and acknowledged); repeating it keeps the first times. None if not the user's."""
    item = _own_item(session, user_id, notification_id)
    if item is None:
        return None
    now = datetime.now(UTC)
    item.read_at = item.read_at or now
    if acknowledge:
        item.acknowledged_at = item.acknowledged_at or now
    session.flush()
    return item


# Devices -----------------------------------------------------------------------------------


def register_device(
    session: Session, *, user_id: uuid.UUID, token: str, platform: Platform, app_version: str, locale: str
) -> tuple[Device, bool]:
    """Register or refresh a push token; a token seen on another account moves to this one."""
    device = session.scalar(sa.select(Device).where(Device.token == token).with_for_update())
    created = device is None
    if device is None:
        device = Device(
            user_id=user_id, token=token, platform=platform.value, app_version=app_version, locale=locale
        )
        session.add(device)
    else:
        device.user_id, device.platform = user_id, platform.value
        device.app_version, device.locale = app_version, locale
        device.refreshed_at, device.retired_at, device.retired_reason = datetime.now(UTC), None, None
    session.flush()
    return device, created


def list_devices(session: Session, *, user_id: uuid.UUID) -> Sequence[Device]:
    return session.scalars(
        sa.select(Device)
        .where(Device.user_id == user_id, Device.retired_at.is_(None))
        .order_by(Device.created_at)
    ).all()


def retire_device(session: Session, *, user_id: uuid.UUID, device_id: uuid.UUID, reason: str) -> bool:
    result = session.execute(
        sa.update(Device)
        .where(Device.id == device_id, Device.user_id == user_id, Device.retired_at.is_(None))
        .values(retired_at=datetime.now(UTC), retired_reason=reason)
    )
    return result.rowcount > 0


# Failed pushes -----------------------------------------------------------------------------


def _failed_in_scope(scope_path: str):
    recipients_in_scope = (
        sa.select(Notification.id)
        .join(Jurisdiction, Jurisdiction.id == Notification.jurisdiction_id)
        .where(Jurisdiction.path.descendant_of(scope_path))
    )
    return (PushDelivery.status == DeliveryStatus.failed) & PushDelivery.notification_id.in_(
        recipients_in_scope
    )


def failed_deliveries(session: Session, *, scope_path: str, limit: int) -> Sequence[PushDelivery]:
    """Pushes that exhausted their retries, for recipients in the given jurisdiction subtree."""
    return session.scalars(
        sa.select(PushDelivery)
        .where(_failed_in_scope(scope_path))
        .order_by(PushDelivery.id.desc())
        .limit(limit)
    ).all()


def retry_failed(session: Session, *, scope_path: str, delivery_ids: Sequence[int] | None) -> int:
    """Put failed deliveries back in the queue (all of them in scope, or the ids given)."""
    condition = _failed_in_scope(scope_path)
    if delivery_ids:
        condition &= PushDelivery.id.in_(delivery_ids)
    retried = session.execute(
        sa.update(PushDelivery)
        .where(condition)
        .values(status=DeliveryStatus.pending, attempts=0, last_error=None)
        .returning(PushDelivery.group_id, PushDelivery.batch)
    ).all()
    for group_id, batch in sorted(set(retried)):
        queue.defer(session, "deliver_push", queue=queue.PUSH_QUEUE, group_id=str(group_id), batch=batch)
    return len(retried)


def user_jurisdiction_path(session: Session, user_id: uuid.UUID) -> str | None:
    return session.scalar(
        sa.select(Jurisdiction.path)
        .join(User, User.jurisdiction_id == Jurisdiction.id)
        .where(User.id == user_id)
    )
