"""Push delivery through firebase-admin to a local fake FCM server, with the real worker."""

import sqlalchemy as sa

from api.auth.models import Role
from notifications import service
from notifications.audience import Audience
from notifications.models import Device, Platform, Priority, PushDelivery
from tests.factories import inbox, make_user


def register(session, account, token, platform=Platform.android):
    device, _ = service.register_device(
        session, user_id=account.user.id, token=token, platform=platform, app_version="2.1.0", locale="zh-CN"
    )
    session.commit()
    return device


def statuses(session):
    session.rollback()
    rows = session.execute(
        sa.select(Device.token, PushDelivery.status, PushDelivery.attempts).join(
            Device, Device.id == PushDelivery.device_id
        )
    ).all()
    return {token: (status, attempts) for token, status, attempts in rows}


def test_critical_push_reaches_fcm_as_a_valid_v1_message(session, city, fcm, drain_jobs):
    officer = make_user(session, Role.officer, "T101")
    register(session, officer, "ok-android")
    register(session, officer, "ok-iphone", Platform.ios)
    fanout = service.notify(
        session,
        audience=Audience.users([officer.user.id]),
        kind="incident.critical",
        title="紧急：发现危重人员",
        body="滨河大桥西桥洞",
        payload={"incident_id": 42},
        priority=Priority.critical,
    )
    session.commit()
    drain_jobs(lambda: len(fcm.accepted) == 2)
    assert fcm.invalid_requests == []
    message = fcm.accepted[0]["message"]
    assert message["notification"] == {"title": "紧急：发现危重人员", "body": "滨河大桥西桥洞"}
    assert message["data"]["incident_id"] == "42" and message["data"]["priority"] == "critical"
    assert message["android"]["priority"] == "high"
    assert message["apns"]["headers"]["apns-priority"] == "10"
    notification_id = message["data"]["notification_id"]
    assert {m["message"]["data"]["notification_id"] for m in fcm.accepted} == {notification_id}
    assert statuses(session) == {"ok-android": ("sent", 1), "ok-iphone": ("sent", 1)}
    assert fanout.deliveries == 2


def test_dead_tokens_retire_their_devices(session, city, fcm, drain_jobs):
    officer = make_user(session, Role.officer, "T101")
    for token in ("ok-1", "unregistered-1", "invalid-1"):
        register(session, officer, token)
    service.notify(session, audience=Audience.users([officer.user.id]), kind="k", title="t", body="b")
    session.commit()
    drain_jobs(lambda: set(statuses(session).values()) <= {("sent", 1), ("rejected", 1)})
    assert statuses(session) == {
        "ok-1": ("sent", 1),
        "unregistered-1": ("rejected", 1),
        "invalid-1": ("rejected", 1),
    }
    active = {d.token for d in service.list_devices(session, user_id=officer.user.id)}
    assert active == {"ok-1"}
    service.notify(session, audience=Audience.users([officer.user.id]), kind="k", title="t2", body="b")
    session.commit()
    drain_jobs(lambda: len(fcm.accepted) == 2)
    assert fcm.attempts["unregistered-1"] == 1, "a retired device gets no more pushes"


def test_transient_failures_are_retried_then_kept_as_failed(client, session, city, fcm, drain_jobs):
    officer = make_user(session, Role.officer, "T101")
    admin = make_user(session, Role.admin, "T100")
    for token in ("flaky-1", "quota-1", "quota-2"):
        register(session, officer, token)
    service.notify(session, audience=Audience.users([officer.user.id]), kind="k", title="t", body="b")
    session.commit()
    drain_jobs(lambda: statuses(session).get("quota-2", ("",))[0] == "failed", timeout=90)
    final = statuses(session)
    # firebase-admin itself retries a 503 with backoff before giving up on an attempt.
    assert final["flaky-1"][0] == "sent" and fcm.attempts["flaky-1"] == 3
    assert fcm.attempts["quota-1"] == 3, "a 429 is left to the job's own retries: one request per attempt"
    assert final["quota-1"] == ("failed", 3) and final["quota-2"] == ("failed", 3)

    failures = client.get("/api/v1/admin/push-failures", headers=admin.headers).json()
    assert {f["attempts"] for f in failures} == {3} and len(failures) == 2
    assert all("Error" in f["last_error"] for f in failures)
    district_admin = make_user(session, Role.admin, "T102")
    assert client.get("/api/v1/admin/push-failures", headers=district_admin.headers).json() == []
    assert client.get("/api/v1/admin/push-failures", headers=officer.headers).status_code == 403

    recovered = session.scalar(sa.select(Device).where(Device.token == "quota-1"))
    recovered.token = "ok-recovered"  # the quota problem is over for this device
    session.commit()
    [to_retry] = [f["id"] for f in failures if f["device_id"] == str(recovered.id)]
    retried = client.post(
        "/api/v1/admin/push-failures/retry", json={"ids": [to_retry]}, headers=admin.headers
    )
    assert retried.json() == {"requeued": 1}
    drain_jobs(lambda: statuses(session).get("ok-recovered", ("",))[0] == "sent")


def test_without_a_provider_the_inbox_still_works(client, session, city):
    officer = make_user(session, Role.officer, "T101")
    register(session, officer, "ok-1")
    fanout = service.notify(
        session, audience=Audience.users([officer.user.id]), kind="k", title="t", body="b"
    )
    session.commit()
    assert (fanout.recipients, fanout.deliveries, fanout.jobs) == (1, 0, 0)
    assert len(inbox(client, officer)) == 1
