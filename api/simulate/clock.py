"""Simulated time and the phones' clocks.

The server refuses device times more than two minutes ahead of its own clock but takes late
ones, so a compressed run replays a shift that started in the past: at ``speed`` S a run of M
simulated minutes lasts M/S real minutes, and its shift starts H·(S-1)/S minutes before the run,
where H is M plus the overtime allowed to finish work taken on (a lead, an escort), so that
simulated time catches up with real time at the end of the overtime and is never ahead of it.
At speed 1 the shift starts now and runs in real time.

The cost of replaying: the server offers leads only to teams whose last fix is under five
minutes old by its own clock, so in a compressed run offers reach the teams only in the last
minutes of the replay; earlier leads go to the dispatcher, who assigns them.

A phone stamps what it records with its own clock (skewed by minutes when the ``skew`` fault
is on), corrected by the offset it learns from the server's answers (``X-Server-Time`` where the
API sets it, the HTTP ``Date`` header otherwise), minus the replay's lag.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx


class Timeline:
    """Simulated seconds since the shift started, driven by the real monotonic clock."""

    def __init__(self, minutes: float, speed: float, overtime: float = 0.25) -> None:
        if speed < 1:
            raise ValueError("speed is simulated seconds per real second, at least 1")
        self.duration_s = minutes * 60.0
        self.horizon_s = self.duration_s * (1 + overtime)
        self.speed = speed
        self.backlog_s = self.horizon_s * (speed - 1) / speed
        self.started = time.monotonic()

    def restart(self) -> None:
        self.started = time.monotonic()

    def elapsed(self) -> float:
        """Simulated seconds since the start of the shift."""
        return (time.monotonic() - self.started) * self.speed

    def lag(self) -> float:
        """How far simulated time is behind real time, in seconds (never negative)."""
        return max(0.0, self.backlog_s - (self.speed - 1) * (time.monotonic() - self.started))

    def live_from(self, staleness_s: float) -> float:
        """The simulated second from which the replay is less than ``staleness_s`` behind."""
        if self.backlog_s <= staleness_s:
            return 0.0
        return self.speed * (self.backlog_s - staleness_s) / (self.speed - 1)

    async def sleep_until(self, simulated_s: float) -> None:
        ahead = simulated_s - self.elapsed()
        if ahead > 0:
            await asyncio.sleep(ahead / self.speed)

    async def sleep(self, simulated_s: float) -> None:
        await asyncio.sleep(max(0.0, simulated_s) / self.speed)


class PhoneClock:
    """A device clock that may be wrong, and its correction from the server's time."""

    def __init__(self, timeline: Timeline, skew_s: float = 0.0) -> None:
        self.timeline = timeline
        self.skew_s = skew_s
        self.offset_s: float | None = None
        self._precise = False
        self.corrections = 0

    def device_now(self) -> float:
        """What the phone's own clock says (POSIX seconds)."""
        return time.time() + self.skew_s

    def observe(self, response: httpx.Response, sent_at: float, received_at: float) -> None:
        """Learn the offset to the server's clock from an answer (device times of send and receipt)."""
        precise = response.headers.get("x-server-time")
        midpoint = (sent_at + received_at) / 2
        if precise:
            try:
                server = datetime.fromisoformat(precise).timestamp()
            except ValueError:
                return
            self._set(server - midpoint, precise=True)
        elif not self._precise and (date := response.headers.get("date")):
            try:
                server = parsedate_to_datetime(date).timestamp() + 0.5  # Date is truncated to the second
            except (TypeError, ValueError):
                return
            self._set(server - midpoint, precise=False)

    def _set(self, offset: float, precise: bool) -> None:
        if self.offset_s is None or abs(offset - self.offset_s) > 1.0:
            self.corrections += 1
        self.offset_s, self._precise = offset, self._precise or precise

    def server_now(self) -> datetime:
        """The phone's best estimate of real (server) time."""
        return datetime.fromtimestamp(self.device_now() + (self.offset_s or 0.0), UTC)

    def now(self) -> datetime:
        """Simulated time: what the phone stamps on fixes, check-ins and encounters."""
        return self.server_now() - timedelta(seconds=self.timeline.lag())

    def at(self, simulated_s: float) -> datetime:
        """The stamp of a moment of the shift that has already come (the loop may run late)."""
        behind = max(0.0, self.timeline.elapsed() - simulated_s)
        return self.now() - timedelta(seconds=behind)
