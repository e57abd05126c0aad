"""Fan-out of one sweep-sized notification: 2,000 users with 2 devices each.

Measures the time from the notifying transaction's start to its commit (every inbox row,
stream event, push delivery and job written), then from commit to the moment the fake FCM
server has accepted every push sent by two real ``patrol worker`` processes. The baseline is
COPY of the same inbox rows into the same table, in the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from rich.console import Console
from sqlalchemy import text
from sqlmodel import Session

from api.auth.models import Role
from api.auth.security import hash_password
from api.db import get_engine
from api.settings import get_settings
from notifications import service
from notifications.audience import Audience
from notifications.models import Priority
from notifications.providers import configured_provider
from tests.bench.common import Report, scratch_jurisdiction, stopwatch
from tests.fakes.fcm import FakeFcm


def _users_and_devices(session: Session, code: str, users: int, devices_each: int) -> None:
    """Bulk-create officers and their devices (one password hash shared: it is not measured)."""
    digest = hash_password(uuid.uuid4().hex)
    session.execute(
        text("""
        INSERT INTO users (id, username, display_name, password_hash, role, jurisdiction_id, is_active)
        SELECT gen_random_uuid(), :code || '-officer-' || n, 'officer ' || n, :digest, 'officer',
               (SELECT id FROM jurisdictions WHERE code = :code), true
        FROM generate_series(1, :users) AS n"""),
        {"code": code, "digest": digest, "users": users},
    )
    session.execute(
        text("""
        INSERT INTO devices (id, user_id, token, platform, app_version, locale)
        SELECT gen_random_uuid(), u.id, 'ok-' || u.id || '-' || d, 'android', '1.0', 'zh-CN'
        FROM users u CROSS JOIN generate_series(1, :devices) AS d
        WHERE u.jurisdiction_id = (SELECT id FROM jurisdictions WHERE code = :code)"""),
        {"code": code, "devices": devices_each},
    )
    session.commit()


def _start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker", "--concurrency", "4"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def _wait_for_workers(session: Session, count: int) -> None:
    deadline = time.monotonic() + 60
    while session.scalar(text("SELECT count(*) FROM procrastinate_workers")) < count:
        session.rollback()
        if time.monotonic() > deadline:
            raise RuntimeError("workers did not start")
        time.sleep(0.2)


_RECIPIENTS = text(
    "SELECT id, jurisdiction_id FROM users "
    "WHERE jurisdiction_id = (SELECT id FROM jurisdictions WHERE code = :c)"
)
_COPY_INBOX = (
    "COPY notifications (id, group_id, user_id, jurisdiction_id, kind, title, body, payload, priority) "
    "FROM STDIN"
)


def _copy_baseline(session: Session, code: str) -> float:
    """COPY one inbox row per recipient into the notifications table; the rows are rolled back."""
    recipients = session.execute(_RECIPIENTS, {"c": code}).all()
    group = uuid.uuid4()
    raw = session.connection().connection.driver_connection
    with stopwatch() as elapsed, raw.cursor() as cursor, cursor.copy(_COPY_INBOX) as copy:
        for user_id, jurisdiction_id in recipients:
            copy.write_row(
                (
                    uuid.uuid4(),
                    group,
                    user_id,
                    jurisdiction_id,
                    "sweep.task",
                    "寒潮巡查任务",
                    "请巡查辖区全部重点区域",
                    "{}",
                    "high",
                )
            )
    session.rollback()
    return elapsed[0]


def run(quick: bool, console: Console) -> Report:
    users, devices_each = (200, 2) if quick else (2000, 2)
    report = Report("fanout")
    with (
        FakeFcm() as fcm,
        tempfile.TemporaryDirectory() as tmp,
        Session(get_engine()) as session,
        scratch_jurisdiction(session) as code,
    ):
        credentials = fcm.write_service_account(Path(tmp) / "sa.json")
        os.environ.update(PATROL_FCM_CREDENTIALS_FILE=str(credentials), PATROL_FCM_ENDPOINT=fcm.url)
        get_settings.cache_clear()
        configured_provider.cache_clear()
        _users_and_devices(session, code, users, devices_each)
        workers = _start_workers(2, dict(os.environ))
        try:
            _wait_for_workers(session, 2)
            with stopwatch() as write:
                fanout = service.notify(
                    session,
                    audience=Audience.in_jurisdiction(code, Role.officer),
                    kind="sweep.task",
                    title="寒潮巡查任务",
                    body="请巡查辖区全部重点区域",
                    payload={"sweep_id": "bench"},
                    priority=Priority.high,
                )
                session.commit()
            committed = time.perf_counter()
            expected = users * devices_each
            while len(fcm.accepted) < expected:
                if time.perf_counter() - committed > 300:
                    raise RuntimeError(f"only {len(fcm.accepted)} of {expected} pushes accepted")
                time.sleep(0.01)
            push_done = time.perf_counter() - committed
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
        copy_s = _copy_baseline(session, code)
        for key in ("PATROL_FCM_CREDENTIALS_FILE", "PATROL_FCM_ENDPOINT"):
            os.environ.pop(key)
        get_settings.cache_clear()
        configured_provider.cache_clear()

    report.add("recipients (inbox rows)", "recipients", fanout.recipients)
    report.add("pushes (devices)", "pushes", fanout.deliveries)
    report.add("push jobs (batches of 500)", "jobs", fanout.jobs)
    report.add("notify + commit: inbox, events, outbox, jobs", "write_s", write[0], "s")
    report.add("commit -> all pushes accepted by FCM (2 workers)", "push_s", push_done, "s")
    report.add("total: start -> all pushes accepted", "total_s", write[0] + push_done, "s")
    report.add("baseline: COPY of the same inbox rows", "copy_s", copy_s, "s")
    report.add("write time / COPY time", "ratio_write_vs_copy", write[0] / copy_s)
    report.add("pushes accepted per second", "pushes_per_s", fanout.deliveries / push_done, "/s")
    return report
