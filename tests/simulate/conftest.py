import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.demo import load
from api.simulate.ledger import Ledger


@dataclass
class FleetRun:
    returncode: int
    summary: dict
    ledger: Ledger
    stderr: str


@pytest.fixture
def demo_city(session):
    assert load.load(session) is True


@pytest.fixture
def run_fleet(server, demo_city, tmp_path):
    """Run ``patrol simulate`` in its own process against the suite's server: the phones talk to
    the API over HTTP only, as real ones would."""

    def run(*args: str) -> FleetRun:
        ledger_file = tmp_path / "ledger.json"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "api.cli",
                "simulate",
                "--base-url",
                server,
                "--ledger",
                str(ledger_file),
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "COLUMNS": "200"},
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        assert lines, f"no summary line; stdout: {done.stdout[-2000:]} stderr: {done.stderr[-3000:]}"
        return FleetRun(done.returncode, json.loads(lines[-1]), Ledger.read(Path(ledger_file)), done.stderr)

    return run
