"""Benchmarks are not tests; this only keeps `patrol bench ... --quick` from rotting."""

import json

import pytest

from api.cli import BENCHMARKS


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", BENCHMARKS)
def test_quick_benchmark_runs_and_ends_with_json(run_patrol, migrated, name):
    # a killed benchmark would leave its scratch jurisdiction behind for the tests after it;
    # the console one (a browser with software WebGL) took 45 s alone and over 120 s in a CI run
    result = run_patrol("bench", name, "--quick", timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["bench"] == name
    assert all(isinstance(v, int | float) for k, v in figures.items() if k != "bench")
