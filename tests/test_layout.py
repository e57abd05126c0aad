"""The repository keeps the layout the product fixes and the import rules DESIGN.md sets."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_top_level_layout():
    for name in (
        "api",
        "geo",
        "notifications",
        "mobile_contract",
        "tests",
        "pyproject.toml",
        "docker-compose.yml",
        "README.md",
        ".ci/run",
    ):
        assert (ROOT / name).exists(), name


def test_import_rules_hold():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```")[1].splitlines()[1:]
    commands = [line for line in block if line.strip() and not line.strip().startswith("#")]
    assert commands == ["bash .ci/setup demo", "bash .ci/setup test"]
    assert "bash .ci/setup test" in (ROOT / ".ci/run").read_text()


def test_compose_runs_postgis_api_and_worker_with_the_same_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert "postgis" in services["db"]["image"]
    for name in ("migrate", "api", "worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "PATROL_SECRET_KEY" in env
