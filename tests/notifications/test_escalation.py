"""The escalation primitive: notify a wider audience when nobody acknowledges in time."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from api.auth.models import Role
from notifications import service
from notifications.audience import Audience
from notifications.models import Notification
from tests.factories import make_user


def raise_alarm(session, officer, deadline):
    fanout = service.notify(
        session,
        audience=Audience.users([officer.user.id]),
        kind="incident.critical",
        title="危重人员",
        body="江边发现危重人员",
        payload={"incident_id": "i-7"},
    )
    original = session.scalar(sa.select(Notification.id).where(Notification.group_id == fanout.group_id))
    service.schedule_escalation(
        session,
        group_id=fanout.group_id,
        deadline=deadline,
        audience=Audience.responsible("T101", Role.supervisor),
        title="未确认：危重人员",
        body="一线人员未确认，请督办",
    )
    session.commit()
    return original


def escalations(session):
    session.rollback()
    return session.execute(
        sa.select(Notification.user_id, Notification.payload, Notification.priority).where(
            Notification.kind == "escalation"
        )
    ).all()


def test_unacknowledged_alarm_escalates_to_supervisors(session, city, drain_jobs):
    officer = make_user(session, Role.officer, "T101")
    supervisor = make_user(session, Role.supervisor, "T100")
    east_supervisor = make_user(session, Role.supervisor, "T102")
    original = raise_alarm(session, officer, deadline=datetime.now(UTC) - timedelta(seconds=1))
    drain_jobs(lambda: len(escalations(session)) == 1)
    [(user_id, payload, priority)] = escalations(session)
    assert user_id == supervisor.user.id and user_id != east_supervisor.user.id
    assert payload["escalates"] == str(fanout_group(session, original)) and payload["incident_id"] == "i-7"
    assert priority == "critical"


def test_acknowledged_alarm_does_not_escalate(client, session, city, drain_jobs, count_rows):
    officer = make_user(session, Role.officer, "T101")
    make_user(session, Role.supervisor, "T100")
    original = raise_alarm(session, officer, deadline=datetime.now(UTC) - timedelta(seconds=1))
    assert client.post(f"/api/v1/inbox/{original}/ack", headers=officer.headers).status_code == 200
    drain_jobs(
        lambda: (
            count_rows(
                "procrastinate_jobs WHERE task_name = 'escalate_unacknowledged' AND status = 'succeeded'"
            )
            == 1
        )
    )
    assert escalations(session) == []


def test_escalation_waits_for_its_deadline(session, city, drain_jobs, count_rows):
    officer = make_user(session, Role.officer, "T101")
    make_user(session, Role.supervisor, "T100")
    raise_alarm(session, officer, deadline=datetime.now(UTC) + timedelta(hours=1))
    drain_jobs(lambda: True)
    assert escalations(session) == []
    assert (
        count_rows("procrastinate_jobs WHERE task_name = 'escalate_unacknowledged' AND status = 'todo'") == 1
    )


def fanout_group(session, notification_id):
    return session.scalar(sa.select(Notification.group_id).where(Notification.id == notification_id))
