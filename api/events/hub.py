"""Live event fan-out for one API process.

One LISTEN connection per process wakes every connected stream when any process commits an
event (PostgreSQL NOTIFY is delivered on commit, to every listener). Each stream then reads
the events it may see after its own cursor, so a wake-up carries no data and none is lost:
a stream that missed a wake-up catches up on the next one or on its periodic check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from notifications.service import EVENTS_CHANNEL

log = logging.getLogger(__name__)

_VISIBLE_AFTER = """
SELECT id, txid::text AS tx, kind, payload, created_at
FROM events
WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
  AND (txid, id) > (%(tx)s::xid8, %(id)s)
  AND (user_id = %(user_id)s
       OR (user_id IS NULL AND jurisdiction_path <@ %(path)s::ltree
           AND (roles IS NULL OR %(role)s = ANY(roles))))
ORDER BY txid, id
LIMIT %(limit)s
"""

_HEAD = """
SELECT txid::text AS tx, id FROM events
WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY txid DESC, id DESC LIMIT 1
"""


@dataclass(frozen=True)
class Viewer:
    user_id: Any
    role: str
    jurisdiction_path: str


class EventHub:
    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._waiters: set[asyncio.Event] = set()
        self._pool: AsyncConnectionPool | None = None
        self._listener: asyncio.Task | None = None

    async def start(self) -> None:
        self._pool = AsyncConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=10,
            open=False,
            kwargs={"autocommit": True, "row_factory": dict_row},
        )
        await self._pool.open(wait=False)
        self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._listener:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._pool:
            await self._pool.close()

    def subscribe(self) -> asyncio.Event:
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        return waiter

    def unsubscribe(self, waiter: asyncio.Event) -> None:
        self._waiters.discard(waiter)

    def _wake_all(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    async def _listen(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {EVENTS_CHANNEL}")
                    self._wake_all()  # whatever happened while not listening
                    async for _ in conn.notifies():
                        self._wake_all()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event listener lost its connection; reconnecting")
                await asyncio.sleep(1)

    async def head(self) -> tuple[str, int]:
        """The cursor of the newest settled event (a new stream starts after it)."""
        async with self._pool.connection() as conn:
            row = await (await conn.execute(_HEAD)).fetchone()
        return (row["tx"], row["id"]) if row else ("0", 0)

    async def visible_after(self, viewer: Viewer, tx: str, event_id: int, limit: int = 200) -> list[dict]:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                _VISIBLE_AFTER,
                {
                    "tx": tx,
                    "id": event_id,
                    "user_id": viewer.user_id,
                    "path": viewer.jurisdiction_path,
                    "role": viewer.role,
                    "limit": limit,
                },
            )
            return await cursor.fetchall()
