from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth.deps import ALL_STAFF, Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.errors import invalid, not_found, problems
from api.inbox.schemas import (
    DevicePublic,
    DeviceRegistration,
    FailedPush,
    InboxItem,
    InboxPage,
    RetryRequest,
    RetryResult,
)
from api.phone import PHONE
from notifications import service
from notifications.cursor import CursorError

router = APIRouter(tags=["inbox"], responses=problems(400, 401, 403, 404, 422))
Staff = Annotated[Principal, Allow(*ALL_STAFF)]


@router.get("/inbox", response_model=InboxPage, operation_id="readInbox", tags=[PHONE])
def read_inbox(
    principal: Staff,
    session: SessionDep,
    after: Annotated[str | None, Query(max_length=60, description="The `next` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    unacknowledged: Annotated[bool, Query(description="Only items not yet acknowledged.")] = False,
) -> InboxPage:
    """The caller's notifications, oldest first. Poll with the last `next`: nothing is skipped."""
    try:
        items, next_cursor = service.inbox_page(
            session, user_id=principal.id, after=after, limit=limit, unacknowledged_only=unacknowledged
        )
    except CursorError as exc:
        raise invalid(str(exc), loc=["query", "after"]) from exc
    return InboxPage(items=[InboxItem.model_validate(i) for i in items], next=next_cursor)


def _mark(principal: Principal, session, notification_id: uuid.UUID, acknowledge: bool) -> InboxItem:
    item = service.mark(
        session, user_id=principal.id, notification_id=notification_id, acknowledge=acknowledge
    )
    if item is None:
        raise not_found(f"inbox item {notification_id}")
    session.commit()
    return InboxItem.model_validate(item)


@router.post(
    "/inbox/{notification_id}/read", response_model=InboxItem, operation_id="markInboxRead", tags=[PHONE]
)
def mark_read(notification_id: uuid.UUID, principal: Staff, session: SessionDep) -> InboxItem:
    return _mark(principal, session, notification_id, acknowledge=False)


@router.post(
    "/inbox/{notification_id}/ack",
    response_model=InboxItem,
    operation_id="acknowledgeInboxItem",
    tags=[PHONE],
)
def acknowledge(notification_id: uuid.UUID, principal: Staff, session: SessionDep) -> InboxItem:
    """Acknowledge (read and act on) an item; stops its escalation. Repeating it changes nothing."""
    return _mark(principal, session, notification_id, acknowledge=True)


@router.post(
    "/devices",
    response_model=DevicePublic,
    operation_id="registerDevice",
    tags=[PHONE],
    responses={201: {"model": DevicePublic, "description": "Registered"}},
)
def register_device(
    body: DeviceRegistration, principal: Staff, session: SessionDep, response: Response
) -> DevicePublic:
    """Register or refresh this phone's push token (200 when it was already known)."""
    device, created = service.register_device(
        session,
        user_id=principal.id,
        token=body.token,
        platform=body.platform,
        app_version=body.app_version,
        locale=body.locale,
    )
    session.commit()
    response.status_code = 201 if created else 200
    return DevicePublic.model_validate(device)


@router.get("/devices", response_model=list[DevicePublic], operation_id="listDevices")
def list_devices(principal: Staff, session: SessionDep) -> list[DevicePublic]:
    return [DevicePublic.model_validate(d) for d in service.list_devices(session, user_id=principal.id)]


@router.delete("/devices/{device_id}", status_code=204, operation_id="retireDevice", tags=[PHONE])
def retire_device(device_id: uuid.UUID, principal: Staff, session: SessionDep) -> Response:
    """Stop pushes to this device (logout on the phone)."""
    if not service.retire_device(
        session, user_id=principal.id, device_id=device_id, reason="retired by user"
    ):
        raise not_found(f"device {device_id}")
    session.commit()
    return Response(status_code=204)


@router.get("/admin/push-failures", response_model=list[FailedPush], operation_id="listFailedPushes")
def list_failed_pushes(
    principal: Annotated[Principal, Allow(Role.admin)],
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[FailedPush]:
    """Pushes that exhausted their retries (the inbox rows were delivered regardless)."""
    return [
        FailedPush.model_validate(d)
        for d in service.failed_deliveries(session, scope_path=principal.jurisdiction_path, limit=limit)
    ]


@router.post("/admin/push-failures/retry", response_model=RetryResult, operation_id="retryFailedPushes")
def retry_failed_pushes(
    body: RetryRequest, principal: Annotated[Principal, Allow(Role.admin)], session: SessionDep
) -> RetryResult:
    requeued = service.retry_failed(session, scope_path=principal.jurisdiction_path, delivery_ids=body.ids)
    session.commit()
    return RetryResult(requeued=requeued)
