"""Test harness: a real PostGIS database built by the migrations, and the API served over real
HTTP by uvicorn on a free port in this process.

Isolation: every test starts from empty tables. The API commits through its own pooled
connections, so a rolled-back outer transaction cannot isolate HTTP tests; the tables are
truncated after each test instead (a few milliseconds).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

if not os.environ.get("DATABASE_URL"):
    raise pytest.UsageError("DATABASE_URL must name a throw-away PostGIS database: run `bash .ci/setup test`")
os.environ.setdefault("PATROL_SECRET_KEY", "test-secret-key-that-is-long-enough-for-hs256")
# Cheap argon2 parameters: hashing stays real, factories stay fast.
os.environ.setdefault("PATROL_ARGON2_TIME_COST", "1")
os.environ.setdefault("PATROL_ARGON2_MEMORY_KIB", "8192")
# Short retry and heartbeat cycles so retry, dead-letter and crash tests finish in seconds.
os.environ.setdefault("PATROL_PUSH_MAX_ATTEMPTS", "3")
os.environ.setdefault("PATROL_WORKER_HEARTBEAT_S", "1")
os.environ.setdefault("PATROL_WORKER_STALLED_AFTER_S", "4")

import uvicorn
from alembic import command
from sqlalchemy import text
from sqlmodel import Session, SQLModel

import api.models  # noqa: F401
from api.auth.models import Role
from api.db import get_engine
from api.migrations.config import alembic_config
from tests.factories import make_city, make_user


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def migrated() -> None:
    """Build the schema from the migrations, proving they also go down cleanly."""
    config = alembic_config()
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")


@pytest.fixture(scope="session")
def server(migrated) -> Iterator[str]:
    from api.main import app

    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("API server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


_JOB_TABLES = [
    "procrastinate_jobs",
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_workers",
]


def _truncate_all() -> None:
    """Empty every table; the audit log's append-only trigger is paused for it (test database only)."""
    tables = ", ".join([*(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables), *_JOB_TABLES])
    with get_engine().begin() as connection:
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))


@pytest.fixture
def session(migrated) -> Iterator[Session]:
    with Session(get_engine()) as db_session:
        yield db_session
    _truncate_all()


@pytest.fixture
def client(server, session) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


@pytest.fixture
def run_patrol():
    """Run the real ``patrol`` command line against the test database."""
    import subprocess
    import sys

    def run(
        *args: str, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "api.cli", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "COLUMNS": "200", **(env or {})},
        )

    return run


@pytest.fixture
def city(session):
    make_city(session)


@pytest.fixture
def dispatcher(session, city):
    """A dispatcher for the whole test city T100."""
    return make_user(session, Role.dispatcher, "T100")


@pytest.fixture
def west_dispatcher(session, city):
    """A dispatcher scoped to district T101 only."""
    return make_user(session, Role.dispatcher, "T101")


@pytest.fixture
def count_rows(session):
    from sqlalchemy import text

    def count(table: str) -> int:
        session.rollback()
        return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()

    return count
