"""Shared pieces of the ``patrol bench`` benchmarks: timing, the report, scratch data."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table
from shapely.geometry import box
from sqlalchemy import text
from sqlmodel import Session

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


def _remove(session: Session, code: str) -> None:
    scope = "(SELECT id FROM jurisdictions WHERE path <@ (SELECT path FROM jurisdictions WHERE code = :code))"
    users = f"(SELECT id FROM users WHERE jurisdiction_id IN {scope})"
    for statement in (
        f"DELETE FROM push_deliveries WHERE device_id IN (SELECT id FROM devices WHERE user_id IN {users})",
        f"DELETE FROM events WHERE user_id IN {users}",
        f"DELETE FROM notifications WHERE user_id IN {users}",
        f"DELETE FROM devices WHERE user_id IN {users}",
        f"DELETE FROM refresh_tokens WHERE user_id IN {users}",
        f"DELETE FROM users WHERE jurisdiction_id IN {scope}",
        "DELETE FROM jurisdictions WHERE code = :code",
    ):
        session.execute(text(statement), {"code": code})
    session.commit()
