"""Server-sent events across processes: LISTEN/NOTIFY fan-out, replay, and visibility."""

import json
import os
import queue
import subprocess
import sys
import threading
import time

import httpx
import pytest

from api.auth.models import Role
from notifications import service
from notifications.audience import Audience
from tests.conftest import free_port
from tests.factories import IN_EAST, IN_WEST, make_user, point_feature


class ApiProcess:
    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.main:app",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=dict(os.environ),
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("API process did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


@pytest.fixture(scope="module")
def processes(migrated):
    started = [ApiProcess(), ApiProcess()]
    yield started
    for process in started:
        process.stop()


class Listener:
    """Reads an SSE stream on a thread; events land in a queue."""

    def __init__(self, url: str, headers: dict, last_event_id: str | None = None) -> None:
        self.events: queue.Queue = queue.Queue()
        self.connected = threading.Event()
        self._closing = False
        headers = {**headers, **({"Last-Event-ID": last_event_id} if last_event_id else {})}
        self._thread = threading.Thread(target=self._run, args=(url, headers), daemon=True)
        self._thread.start()
        assert self.connected.wait(10), "stream did not open"

    def _run(self, url: str, headers: dict) -> None:
        try:
            self._read(url, headers)
        except httpx.HTTPError:
            if not self._closing:  # a stream cut while the test still listens is a failure
                raise

    def _read(self, url: str, headers: dict) -> None:
        with (
            httpx.Client(timeout=None) as http,
            http.stream("GET", f"{url}/api/v1/events", headers=headers) as r,
        ):
            assert r.status_code == 200
            self.connected.set()
            event: dict = {}
            for line in r.iter_lines():
                if self._closing:
                    return
                if not line:
                    if "data" in event:
                        self.events.put(event)
                    event = {}
                elif not line.startswith(":"):
                    field, _, value = line.partition(": ")
                    event[field] = json.loads(value) if field == "data" else value

    def next(self, timeout: float = 10) -> dict:
        return self.events.get(timeout=timeout)

    def nothing_within(self, seconds: float) -> bool:
        try:
            self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self._closing = True


def create_hotspot(url: str, account, lon_lat) -> dict:
    response = httpx.post(f"{url}/api/v1/hotspots", json=point_feature(*lon_lat), headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_an_event_caused_in_one_process_reaches_a_stream_on_another(processes, session, city):
    a, b = processes
    dispatcher = make_user(session, Role.dispatcher, "T100")
    listener = Listener(b.url, dispatcher.headers)
    started = time.monotonic()
    created = create_hotspot(a.url, dispatcher, IN_WEST)
    event = listener.next()
    assert time.monotonic() - started < 5
    assert event["event"] == "hotspot.create"
    assert event["data"]["feature"]["id"] == created["id"]
    listener.close()


def test_reconnecting_with_last_event_id_replays_what_was_missed(processes, session, city):
    a, b = processes
    dispatcher = make_user(session, Role.dispatcher, "T100")
    listener = Listener(b.url, dispatcher.headers)
    create_hotspot(a.url, dispatcher, IN_WEST)
    seen = listener.next()
    listener.close()
    missed = [create_hotspot(a.url, dispatcher, IN_EAST)["id"] for _ in range(3)]
    resumed = Listener(b.url, dispatcher.headers, last_event_id=seen["id"])
    replayed = [resumed.next()["data"]["feature"]["id"] for _ in range(3)]
    assert replayed == missed
    assert resumed.nothing_within(1.0), "nothing from before the Last-Event-ID"
    resumed.close()


def test_streams_show_only_the_callers_jurisdiction_and_own_inbox(processes, session, city):
    a, b = processes
    dispatcher = make_user(session, Role.dispatcher, "T100")
    west_officer = make_user(session, Role.officer, "T101")
    other_officer = make_user(session, Role.officer, "T101")
    west = Listener(b.url, west_officer.headers)
    other = Listener(a.url, other_officer.headers)
    create_hotspot(a.url, dispatcher, IN_EAST)
    west_spot = create_hotspot(a.url, dispatcher, IN_WEST)
    assert west.next()["data"]["feature"]["id"] == west_spot["id"], "the east hotspot never reaches T101"
    assert other.next()["data"]["feature"]["id"] == west_spot["id"]

    service.notify(
        session,
        audience=Audience.users([west_officer.user.id]),
        kind="revisit",
        title="回访提醒",
        body="请回访",
        payload={"hotspot_id": west_spot["id"]},
    )
    session.commit()
    item = west.next()
    assert item["event"] == "inbox.new" and item["data"]["title"] == "回访提醒"
    assert other.nothing_within(1.5), "another user's inbox item never leaks"
    west.close()
    other.close()


def test_stream_refuses_bad_cursor_and_missing_login(processes, session, city):
    _, b = processes
    dispatcher = make_user(session, Role.dispatcher, "T100")
    assert httpx.get(f"{b.url}/api/v1/events").status_code == 401
    bad = httpx.get(f"{b.url}/api/v1/events", headers={**dispatcher.headers, "Last-Event-ID": "nope"})
    assert bad.status_code == 422
