from datetime import UTC, datetime, timedelta
from itertools import pairwise, permutations

import pytest

from geo.distance import metres_between
from geo.routing import distance_matrix, round_trip
from geo.track import dwells, implausible_jumps, motion, simplify_path

T0 = datetime(2026, 11, 29, 12, tzinfo=UTC)


def test_a_lone_wild_fix_is_a_jump_but_a_fast_stretch_is_not():
    lons = [120.0, 120.0001, 120.5, 120.0002, 120.0003]
    seconds = [0, 5, 10, 15, 20]
    assert implausible_jumps(lons, [30.0] * 5, seconds, 70).tolist() == [False, False, True, False, False]
    driving = [120.0 + i * 0.0015 for i in range(5)]  # ~29 m/s
    assert not implausible_jumps(driving, [30.0] * 5, seconds, 70).any()


def test_simplify_keeps_shape_within_tolerance_in_metres():
    lons = [120.0 + i * 1e-4 for i in range(50)]
    lats = [30.0 + (0.00002 if i % 2 else 0) for i in range(50)]  # ~2 m zig-zag
    assert len(simplify_path(lons, lats, 5)) == 2
    assert len(simplify_path(lons, lats, 1)) == 50


def test_motion_splits_moving_and_stopped_time_and_skips_long_gaps():
    result = motion([120.0, 120.0, 120.001, 120.001], [30.0] * 4, [0, 60, 120, 1200])
    assert result.stopped_s == 60 and result.moving_s == 60
    assert result.distance_m == pytest.approx(metres_between(120.0, 30.0, 120.001, 30.0))


def test_dwells_bridge_short_gaps_and_drop_passing_by():
    at = lambda s: T0 + timedelta(seconds=s)  # noqa: E731
    inside = [(at(s), "bridge") for s in range(0, 301, 10) if s not in (100, 110, 120)]
    inside += [(at(s), "bridge") for s in (1000, 1010)]  # a later pass: 10 s, not a visit
    inside += [(at(s), "park") for s in range(50, 200, 30)]
    found = dwells(reversed(inside), min_dwell_s=60, max_gap_s=120)
    assert [(d.place, d.arrived, d.departed) for d in found] == [
        ("bridge", at(0), at(300)),
        ("park", at(50), at(170)),
    ]


def test_round_trip_is_the_shortest_loop_for_small_sets():
    start = (120.0, 30.0)
    stops = [(120.03, 30.0), (120.01, 30.01), (120.02, 30.02), (120.0, 30.02), (120.025, 29.99)]
    tour = round_trip(start, stops)
    matrix = distance_matrix([start, *stops])

    def length(order):
        nodes = [0, *(i + 1 for i in order), 0]
        return sum(matrix[a, b] for a, b in pairwise(nodes))

    best = min(length(p) for p in permutations(range(len(stops))))
    assert tour.length_m == pytest.approx(best, rel=1e-6)
    assert sorted(tour.order) == list(range(len(stops)))
