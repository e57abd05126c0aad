import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_patrol(*args: str, **env: str) -> subprocess.CompletedProcess:
    """The venv's own ``patrol`` command, against the test database."""
    command = Path(sys.executable).parent / "patrol"
    return subprocess.run(
        [str(command), *args], capture_output=True, timeout=120, env={**os.environ, "COLUMNS": "200", **env}
    )


@pytest.fixture
def patrol():
    return run_patrol
