"""Shared pieces of the ``patrol bench`` benchmarks: timing, the report, scratch data."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from shapely.geometry import box
from sqlalchemy import text
from sqlmodel import Session

from api.db import get_engine
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import JurisdictionLevel


@dataclass
class Report:
    name: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    figures: dict[str, float | int | str] = field(default_factory=dict)

    def add(self, label: str, key: str, value: float | int, unit: str = "") -> None:
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
        self.rows.append((label, f"{shown} {unit}".strip()))
        self.figures[key] = round(value, 4) if isinstance(value, float) else value

    def print(self, console: Console) -> None:
        table = Table(title=f"patrol bench {self.name}")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for label, value in self.rows:
            table.add_row(label, value)
        console.print(table)
        print(json.dumps({"bench": self.name, **self.figures}, ensure_ascii=False))


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Yields a list that holds the elapsed seconds once the block ends."""
    elapsed: list[float] = []
    started = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed.append(time.perf_counter() - started)


@contextmanager
def scratch_jurisdiction(session: Session) -> Iterator[str]:
    """A root jurisdiction of its own for the benchmark's data, removed with everything in it."""
    code = f"BENCH{uuid.uuid4().hex[:8].upper()}"
    jurisdictions.create(
        session=session,
        code=code,
        name="benchmark",
        level=JurisdictionLevel.city,
        parent_code=None,
        boundary=box(100.0, 20.0, 101.0, 21.0),
    )
    session.commit()
    try:
        yield code
    finally:
        session.rollback()
        _remove(session, code)


def vacuum(table: str) -> None:
    """VACUUM (ANALYZE) a table outside any transaction: the rows earlier runs removed are dead
    tuples that slow index inserts until autovacuum comes, and make runs hard to compare."""
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM (ANALYZE) {table}"))


def _remove(session: Session, code: str) -> None:
    scope = "(SELECT id FROM jurisdictions WHERE path <@ (SELECT path FROM jurisdictions WHERE code = :code))"
    users = f"(SELECT id FROM users WHERE jurisdiction_id IN {scope})"
    shifts = f"(SELECT id FROM shifts WHERE jurisdiction_id IN {scope})"
    for statement in (
        f"DELETE FROM gps_points WHERE shift_id IN {shifts}",
        f"DELETE FROM live_positions WHERE jurisdiction_id IN {scope}",
        f"DELETE FROM encounters WHERE jurisdiction_id IN {scope}",
        f"DELETE FROM hotspot_visits WHERE jurisdiction_id IN {scope}",
        f"DELETE FROM shifts WHERE jurisdiction_id IN {scope}",
        f"DELETE FROM team_members WHERE user_id IN {users}",
        f"DELETE FROM teams WHERE jurisdiction_id IN {scope}",
        f"DELETE FROM hotspot_revisions WHERE jurisdiction_id IN {scope}",
        f"DELETE FROM hotspots WHERE jurisdiction_id IN {scope}",
        "DELETE FROM procrastinate_jobs WHERE task_name = 'detect_visits' AND args->>'shift_id' NOT IN "
        "(SELECT id::text FROM shifts)",
        f"DELETE FROM push_deliveries WHERE device_id IN (SELECT id FROM devices WHERE user_id IN {users})",
        f"DELETE FROM events WHERE user_id IN {users} OR jurisdiction_path <@ "
        "(SELECT path FROM jurisdictions WHERE code = :code)",
        f"DELETE FROM notifications WHERE user_id IN {users}",
        f"DELETE FROM devices WHERE user_id IN {users}",
        f"DELETE FROM refresh_tokens WHERE user_id IN {users}",
        f"DELETE FROM auth_sessions WHERE user_id IN {users}",
        f"DELETE FROM users WHERE jurisdiction_id IN {scope}",
        "DELETE FROM jurisdictions WHERE code = :code",
    ):
        session.execute(text(statement), {"code": code})
    session.commit()


@contextmanager
def api_server(workers: int = 2) -> Iterator[str]:
    """The API under uvicorn in its own processes, as deployed; yields its base URL."""
    import socket
    import subprocess
    import sys

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=dict(os.environ),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("API did not start")
            time.sleep(0.2)
        _wait_until_idle(process.pid, deadline)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _cpu_seconds(pids: list[str]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _wait_until_idle(server_pid: int, deadline: float) -> None:
    """The first worker answering the health check does not mean the other has finished
    starting (imports and warm-up take seconds of CPU): wait until the server's processes
    stop using the CPU, so no worker's start-up runs inside a measurement."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    used = None
    while time.monotonic() < deadline:
        pids = [str(server_pid), *children.read_text().split()]
        now = _cpu_seconds(pids)
        if used is not None and now - used < 0.05:
            return
        used = now
        time.sleep(0.5)
    raise RuntimeError("the API's workers did not settle")


def bearer(user_id, role: str) -> dict[str, str]:
    """Headers with an access token of a fresh login session of the user."""
    from api.auth.models import LoginSession
    from api.auth.security import create_access_token
    from api.db import get_engine

    with Session(get_engine()) as session:
        login = LoginSession(user_id=user_id, expires_at=datetime.now(UTC) + timedelta(days=1))
        session.add(login)
        session.commit()
        token, _ = create_access_token(user_id, role, login.id)
    return {"Authorization": f"Bearer {token}"}


def make_officers_on_duty(
    session: Session, code: str, count: int, on_duty_hours: int = 2
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """``count`` officers, each in a team of their own with an open shift: [(user id, shift id)]."""
    rows = session.execute(
        text("""
        WITH j AS (SELECT id FROM jurisdictions WHERE code = :code),
        u AS (
          INSERT INTO users (id, username, display_name, password_hash, role, jurisdiction_id, is_active)
          SELECT gen_random_uuid(), :code || '-o' || n, 'officer ' || n, 'unused', 'officer', j.id, true
          FROM generate_series(1, :count) n, j RETURNING id, username, jurisdiction_id),
        t AS (
          INSERT INTO teams (id, call_sign, jurisdiction_id)
          SELECT gen_random_uuid(), u.username, u.jurisdiction_id FROM u RETURNING id, call_sign),
        m AS (
          INSERT INTO team_members (team_id, user_id)
          SELECT t.id, u.id FROM t JOIN u ON u.username = t.call_sign RETURNING team_id, user_id)
        INSERT INTO shifts (id, team_id, jurisdiction_id, started_at)
        SELECT gen_random_uuid(), m.team_id, (SELECT id FROM j), now() - make_interval(hours => :hours) FROM m
        RETURNING team_id, id"""),
        {"code": code, "count": count, "hours": on_duty_hours},
    ).all()
    members = dict(
        session.execute(
            text("SELECT team_id, user_id FROM team_members WHERE team_id = ANY(:t)"),
            {"t": [team for team, _ in rows]},
        ).all()
    )
    session.commit()
    return [(members[team], shift) for team, shift in rows]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
