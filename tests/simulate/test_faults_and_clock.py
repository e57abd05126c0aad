"""The fault transport and the phones' clocks, against an in-memory server."""

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.simulate.client import ApiClient, Credentials, Traffic
from api.simulate.clock import PhoneClock, Timeline
from api.simulate.faults import DroppedResponse, FaultCounts, FaultPlan, FaultyTransport


class Counting(httpx.AsyncBaseTransport):
    """A server that commits every request it sees and says what time it is."""

    def __init__(self) -> None:
        self.committed: list[bytes] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.committed.append(await request.aread())
        headers = _headers(datetime.now(UTC), date_only=False)
        if request.url.path.endswith("/auth/token"):
            body = {"access_token": "a", "refresh_token": "r" * 12, "expires_in": 900}
            return httpx.Response(200, json=body, headers=headers)
        return httpx.Response(201, json={"ok": True}, headers=headers)


def test_a_dropped_answer_comes_after_the_server_committed():
    server = Counting()
    counts = FaultCounts()
    transport = FaultyTransport(server, FaultPlan.parse("drop", 1.0), random.Random(1), counts)

    async def send():
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            await http.post("/encounters", json={"id": "e1"})

    with pytest.raises(DroppedResponse) as lost:
        asyncio.run(send())
    assert server.committed == [b'{"id":"e1"}'] and lost.value.status_code == 201 and counts.dropped == 1


def test_a_duplicated_request_reaches_the_server_twice_with_the_same_body():
    server = Counting()
    transport = FaultyTransport(server, FaultPlan.parse("dup", 1.0), random.Random(1), FaultCounts())

    async def send():
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            return await http.post("/encounters", json={"id": "e1"})

    answer = asyncio.run(send())
    assert server.committed == [b'{"id":"e1"}', b'{"id":"e1"}']
    assert answer.extensions["simulate.copy_status"] == 201


def test_the_phone_retries_a_lost_answer_with_the_same_body_and_counts_it():
    server = Counting()
    timeline = Timeline(minutes=10, speed=1)
    client = ApiClient(
        base_url="http://api",
        credentials=Credentials("officer01", "pw"),
        clock=PhoneClock(timeline),
        traffic=(traffic := Traffic()),
        plan=FaultPlan.parse("drop", 0.5),
        rng=random.Random(3),
        fault_counts=FaultCounts(),
        network=server,
    )

    async def send():
        try:
            return await client.call("POST", "/encounters", json={"id": "e1"})
        finally:
            await client.close()

    assert asyncio.run(send()) == {"ok": True}
    encounters = [body for body in server.committed if body == b'{"id":"e1"}']
    assert len(encounters) >= 2, "at least one answer was lost and the same request went again"
    assert traffic.by_route[("POST /encounters", 201)] == len(encounters)


@pytest.mark.parametrize("date_only", [False, True])
def test_a_skewed_clock_is_corrected_from_the_server_time(date_only):
    clock = PhoneClock(Timeline(minutes=10, speed=1), skew_s=600.0)
    assert clock.server_now() - datetime.now(UTC) > timedelta(minutes=9), "uncorrected, it runs ahead"
    response = httpx.Response(200, headers=_headers(datetime.now(UTC), date_only))
    sent = clock.device_now()
    clock.observe(response, sent, clock.device_now())
    assert abs((clock.server_now() - datetime.now(UTC)).total_seconds()) < 1.5


def _headers(now: datetime, date_only: bool) -> dict:
    headers = {"date": now.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    if not date_only:
        headers["x-server-time"] = now.isoformat()
    return headers


def test_a_compressed_replay_never_stamps_the_future_and_ends_on_time():
    timeline = Timeline(minutes=2, speed=300)
    clock = PhoneClock(timeline)
    clock.offset_s = 0.0
    start = clock.at(0)
    assert datetime.now(UTC) - start > timedelta(minutes=2), "the shift (with overtime) starts in the past"
    stamps = []
    while timeline.elapsed() < timeline.horizon_s:
        stamps.append(clock.now())
        assert stamps[-1] <= datetime.now(UTC)
        time.sleep(0.02)
    assert stamps == sorted(stamps)
    assert datetime.now(UTC) - stamps[-1] < timedelta(seconds=5), "it catches up with real time at the end"
