"""Benchmarks are not tests; this only keeps `patrol bench ... --quick` from rotting."""

import json

import pytest

from api.cli import BENCHMARKS


@pytest.mark.parametrize("name", BENCHMARKS)
def test_quick_benchmark_runs_and_ends_with_json(run_patrol, migrated, name):
    result = run_patrol("bench", name, "--quick")
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["bench"] == name
    assert all(isinstance(v, int | float) for k, v in figures.items() if k != "bench")
