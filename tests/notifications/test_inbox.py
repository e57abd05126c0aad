"""The inbox: audiences, cursor paging without gaps, read and acknowledge, atomicity."""

import time
import uuid

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from api.auth.models import Role
from api.db import get_engine
from notifications import service
from notifications.audience import Audience
from notifications.models import Notification, Platform, Priority
from tests.factories import make_organisation, make_user

INBOX = "/api/v1/inbox"


def send(session, audience, title="巡查提醒", **kwargs):
    fanout = service.notify(
        session,
        audience=audience,
        kind="test.notice",
        title=title,
        body="请查看",
        payload={"hotspot_id": "h-1"},
        **kwargs,
    )
    session.commit()
    return fanout


def test_audiences_expand_to_the_right_users(session, city):
    city_supervisor = make_user(session, Role.supervisor, "T100")
    west_supervisor = make_user(session, Role.supervisor, "T101")
    east_supervisor = make_user(session, Role.supervisor, "T102")
    west_officer = make_user(session, Role.officer, "T101")
    station = make_organisation(session)
    station_staff = make_user(session, Role.station_staff, "T100", organisation_id=station.id)

    def recipients(audience):
        fanout = send(session, audience)
        return set(
            session.scalars(sa.select(Notification.user_id).where(Notification.group_id == fanout.group_id))
        )

    ids = lambda *accounts: {a.user.id for a in accounts}  # noqa: E731
    assert recipients(Audience.responsible("T101", Role.supervisor)) == ids(city_supervisor, west_supervisor)
    assert recipients(Audience.in_jurisdiction("T100", Role.supervisor)) == ids(
        city_supervisor, west_supervisor, east_supervisor
    )
    assert recipients(Audience.in_jurisdiction("T101")) == ids(west_supervisor, west_officer)
    assert recipients(Audience.organisation(station.id)) == ids(station_staff)
    assert recipients(Audience.users([west_officer.user.id, west_officer.user.id])) == ids(west_officer)
    assert recipients(Audience.responsible("NOPE", Role.supervisor)) == set()


def test_inbox_pages_with_a_cursor_and_marks_read_and_acknowledged(client, session, city):
    officer = make_user(session, Role.officer, "T101")
    for n in range(5):
        send(session, Audience.users([officer.user.id]), title=f"第{n}条")
    first = client.get(INBOX, params={"limit": 3}, headers=officer.headers).json()
    assert [i["title"] for i in first["items"]] == ["第0条", "第1条", "第2条"]
    rest = client.get(INBOX, params={"after": first["next"]}, headers=officer.headers).json()
    assert [i["title"] for i in rest["items"]] == ["第3条", "第4条"]
    idle = client.get(INBOX, params={"after": rest["next"]}, headers=officer.headers).json()
    assert idle == {"items": [], "next": rest["next"]}

    item_id = first["items"][0]["id"]
    read = client.post(f"{INBOX}/{item_id}/read", headers=officer.headers).json()
    assert read["read_at"] and read["acknowledged_at"] is None
    acked = client.post(f"{INBOX}/{item_id}/ack", headers=officer.headers).json()
    again = client.post(f"{INBOX}/{item_id}/ack", headers=officer.headers).json()
    assert acked["acknowledged_at"] == again["acknowledged_at"], "acknowledging twice keeps the first time"
    pending = client.get(INBOX, params={"unacknowledged": True}, headers=officer.headers).json()
    assert item_id not in [i["id"] for i in pending["items"]] and len(pending["items"]) == 4


def test_a_user_never_sees_or_touches_another_users_inbox(client, session, city):
    owner = make_user(session, Role.officer, "T101")
    other = make_user(session, Role.supervisor, "T100")
    send(session, Audience.users([owner.user.id]))
    item = client.get(INBOX, headers=owner.headers).json()["items"][0]
    assert client.get(INBOX, headers=other.headers).json()["items"] == []
    for action in ("read", "ack"):
        assert client.post(f"{INBOX}/{item['id']}/{action}", headers=other.headers).status_code == 404
    assert client.post(f"{INBOX}/{uuid.uuid4()}/ack", headers=owner.headers).status_code == 404


@pytest.mark.parametrize("bad", ["garbage", "1-", "-5-3", "x-y"])
def test_a_cursor_the_server_did_not_issue_is_refused(client, session, city, bad):
    officer = make_user(session, Role.officer, "T101")
    response = client.get(INBOX, params={"after": bad}, headers=officer.headers)
    assert response.status_code == 422 and "not a cursor" in response.json()["detail"]


def test_a_rolled_back_write_leaves_no_inbox_row_event_or_job(session, city, fcm, count_rows):
    officer = make_user(session, Role.officer, "T101")
    service.register_device(
        session,
        user_id=officer.user.id,
        token="ok-token-1",
        platform=Platform.android,
        app_version="1.0",
        locale="zh-CN",
    )
    session.commit()
    fanout = service.notify(
        session,
        audience=Audience.users([officer.user.id]),
        kind="test",
        title="t",
        body="b",
        priority=Priority.critical,
    )
    assert fanout.recipients == 1 and fanout.deliveries == 1 and fanout.jobs == 1
    session.rollback()
    assert [count_rows(t) for t in ("notifications", "events", "push_deliveries", "procrastinate_jobs")] == [
        0
    ] * 4

    send(session, Audience.users([officer.user.id]))
    assert [count_rows(t) for t in ("notifications", "events", "push_deliveries", "procrastinate_jobs")] == [
        1
    ] * 4


def test_an_item_committed_late_by_an_older_transaction_is_not_skipped(client, session, city):
    """A slow transaction's row appears after the cursor even though a newer one committed first."""
    officer = make_user(session, Role.officer, "T101")
    audience = Audience.users([officer.user.id])
    with Session(get_engine()) as slow:
        service.notify(slow, audience=audience, kind="test", title="slow", body="b")  # open, not committed
        send(session, audience, title="fast")
        while_open = client.get(INBOX, headers=officer.headers).json()
        assert while_open["items"] == [], "nothing after a transaction that may still commit"
        slow.commit()
    params = {"after": while_open["next"]} if while_open["next"] else {}
    deadline = time.monotonic() + 10  # other write transactions in the cluster may still be running
    while (page := client.get(INBOX, params=params, headers=officer.headers).json())["items"] == []:
        assert time.monotonic() < deadline, "the items never appeared"
        time.sleep(0.05)
    assert [i["title"] for i in page["items"]] == ["slow", "fast"]
