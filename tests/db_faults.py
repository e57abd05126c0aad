"""Losing the database in the middle of a request, at a chosen statement."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa

from api.db import get_engine


def answer_when_cut_off(
    send: Callable[[], httpx.Response], table: str, statement_like: str
) -> httpx.Response:
    """Send a request while ``table`` is held (reads pass, writes wait); once its backend waits
    on the statement matching ``statement_like``, end that backend, and return the answer."""
    with get_engine().connect() as blocker:
        blocker.execute(sa.text(f"LOCK TABLE {table} IN SHARE MODE"))
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(send)
            waiting = _backend_waiting_on_a_lock(statement_like)
            blocker.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": waiting})
            answer = pending.result(timeout=30)
        blocker.rollback()
    return answer


def _backend_waiting_on_a_lock(statement_like: str, timeout_s: float = 20) -> int:
    """Asked on a connection of its own: a transaction sees pg_stat_activity as it first looked."""
    deadline = time.monotonic() + timeout_s
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
        while time.monotonic() < deadline:
            pid = watcher.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE :like"
                ),
                {"like": statement_like},
            ).scalar()
            if pid is not None:
                return pid
            time.sleep(0.05)
    raise AssertionError(f"no backend waited on a lock in {statement_like!r}")


def assert_told_to_retry(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["type"].endswith("/database-unavailable")
