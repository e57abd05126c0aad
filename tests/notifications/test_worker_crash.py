"""A worker killed with SIGKILL in the middle of a batch: another worker finishes the job."""

import signal
import time
from collections import Counter

import sqlalchemy as sa

from api.auth.models import Role
from notifications import service
from notifications.audience import Audience
from notifications.models import DeliveryStatus, Notification, Platform, PushDelivery
from tests.factories import make_user
from tests.notifications.conftest import wait_for

USERS, DEVICES_EACH = 150, 4  # 600 pushes: two batches of at most 500


def officers_with_phones(session) -> None:
    """USERS officers of T101, each with DEVICES_EACH phones registered."""
    for _ in range(USERS):
        account = make_user(session, Role.officer, "T101")
        for n in range(DEVICES_EACH):
            service.register_device(
                session,
                user_id=account.user.id,
                token=f"ok-{account.user.id}-{n}",
                platform=Platform.android,
                app_version="1.0",
                locale="zh-CN",
            )


def test_sigkill_mid_batch_loses_nothing(session, city, fcm, worker_process):
    fcm.delay_s = 1.5  # keeps the first worker busy inside its batch
    officers_with_phones(session)
    fanout = service.notify(
        session,
        audience=Audience.in_jurisdiction("T101", Role.officer),
        kind="sweep.task",
        title="寒潮巡查",
        body="请立即巡查",
    )
    session.commit()
    assert (fanout.deliveries, fanout.jobs) == (USERS * DEVICES_EACH, 2)

    first = worker_process()
    wait_for(lambda: fcm.received > 0, what="the first worker to start sending")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert len(fcm.accepted) < USERS * DEVICES_EACH, "the kill landed inside the batch"

    fcm.delay_s = 0
    worker_process()

    def pending() -> int:
        session.rollback()
        return session.scalar(sa.select(sa.func.count()).where(PushDelivery.status != DeliveryStatus.sent))

    wait_for(lambda: pending() == 0, timeout=60, what="the second worker to finish the batches")
    expected = {
        str(i)
        for i in session.scalars(sa.select(Notification.id).where(Notification.group_id == fanout.group_id))
    }
    delivered = fcm.accepted_ids()
    assert set(delivered) == expected, "every notification reached FCM, under its own stable id"
    tokens = {m["message"]["token"] for m in fcm.accepted}
    assert len(tokens) == USERS * DEVICES_EACH, "every device got its push at least once"


def test_two_workers_at_once_send_each_push_once(session, city, fcm, worker_process):
    officers_with_phones(session)
    session.commit()
    worker_process(), worker_process()
    for round_ in range(3):
        service.notify(
            session,
            audience=Audience.in_jurisdiction("T101", Role.officer),
            kind="k",
            title=f"第{round_}轮",
            body="b",
        )
        session.commit()
    total = 3 * USERS * DEVICES_EACH
    wait_for(lambda: len(fcm.accepted) >= total, timeout=60, what="all pushes")
    time.sleep(1)  # room for any duplicate to arrive
    sent = Counter((m["message"]["token"], m["message"]["data"]["notification_id"]) for m in fcm.accepted)
    assert len(sent) == total and set(sent.values()) == {1}
