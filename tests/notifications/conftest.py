import os
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from api.settings import get_settings
from notifications.providers import configured_provider
from notifications.queue import QUEUES
from notifications.queue import app as queue_app
from tests.fakes.fcm import FakeFcm


def _configure_push(credentials: str | None, endpoint: str | None) -> None:
    for key, value in (("PATROL_FCM_CREDENTIALS_FILE", credentials), ("PATROL_FCM_ENDPOINT", endpoint)):
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()
    configured_provider.cache_clear()


@pytest.fixture
def fcm(tmp_path):
    """FCM configured against a local fake server for this test (pushes are off otherwise)."""
    with FakeFcm() as fake:
        credentials = fake.write_service_account(tmp_path / "service-account.json")
        _configure_push(str(credentials), fake.url)
        try:
            yield fake
        finally:
            _configure_push(None, None)


def wait_for(condition: Callable[[], bool], timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def drain_jobs():
    """Run the real procrastinate worker in this process until the condition holds."""

    def drain(until: Callable[[], bool], timeout: float = 60, queues=QUEUES) -> None:
        deadline = time.monotonic() + timeout
        while True:
            queue_app.run_worker(
                queues=queues, wait=False, install_signal_handlers=False, listen_notify=False
            )
            if until():
                return
            if time.monotonic() > deadline:
                raise AssertionError("jobs did not reach the expected state")
            time.sleep(0.3)

    return drain


@pytest.fixture
def worker_process():
    """Start ``patrol worker`` processes with the current environment; kill them afterwards."""
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker", "--concurrency", "2"],
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
