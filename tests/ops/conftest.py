import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from api.settings import get_settings
from tests.conftest import free_port
from tests.notifications.conftest import drain_jobs, fcm  # noqa: F401 - the worker in process, a fake FCM
from tests.patrols.conftest import crew, shift  # noqa: F401 - an officer crew with an open shift
from tests.sweeps.test_sweeps import world  # noqa: F401 - teams on duty and hotspots to sweep


@pytest.fixture
def settings():
    """The live settings of the in-process server; a test changes them with ``monkeypatch``."""
    return get_settings()


class ApiProcess:
    """``patrol serve`` in a subprocess, its log lines in a file."""

    def __init__(self, url: str, process: subprocess.Popen, log: Path) -> None:
        self.url, self.process, self.log = url, process, log

    def log_lines(self) -> list[str]:
        return self.log.read_text().splitlines()


@pytest.fixture
def start_api(tmp_path) -> Iterator[Callable[..., ApiProcess]]:
    """Start ``patrol serve`` on a free port with extra environment; stopped after the test."""
    started: list[ApiProcess] = []

    def start(env: dict[str, str] | None = None, workers: int = 1) -> ApiProcess:
        port = free_port()
        log = tmp_path / f"api-{port}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)],
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
            env={**os.environ, **(env or {})},
        )
        api = ApiProcess(f"http://127.0.0.1:{port}", process, log)
        started.append(api)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(api.url + "/api/v1/health/live", timeout=2).status_code == 200:
                    return api
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"patrol serve did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)

    yield start
    for api in started:
        api.process.terminate()
    for api in started:
        api.process.wait(timeout=15)
