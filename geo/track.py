"""Pure computations on GPS tracks: implausible jumps, path simplification in metres,
moving and stopped time, and hotspot visits from timed points."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from shapely.geometry import LineString

from geo.distance import metres_between_many
from geo.shapes import local_projection


def implausible_jumps(
    lons: Sequence[float], lats: Sequence[float], seconds: Sequence[float], max_speed_mps: float
) -> np.ndarray:
    """Boolean mask of points reached from BOTH neighbours faster than ``max_speed_mps``.

    A lone bad fix is far from the points before and after it; a real fast stretch only has
    one fast side. Points must be in time order. Equal timestamps count as instant travel.
    """
    n = len(lons)
    mask = np.zeros(n, dtype=bool)
    if n < 2:
        return mask
    lon, lat, t = (np.asarray(v, dtype=float) for v in (lons, lats, seconds))
    dist = metres_between_many(lon[:-1], lat[:-1], lon[1:], lat[1:])
    dt = np.maximum(t[1:] - t[:-1], 1e-3)
    fast = (dist / dt) > max_speed_mps
    mask[1:-1] = fast[:-1] & fast[1:]
    mask[0] = fast[0] and n == 2
    mask[-1] = fast[-1] and n == 2
    return mask


def simplify_path(
    lons: Sequence[float], lats: Sequence[float], tolerance_m: float
) -> list[tuple[float, float]]:
    """Douglas-Peucker simplification with a tolerance in metres (in a local equidistant projection)."""
    lon, lat = np.asarray(lons, float), np.asarray(lats, float)
    if lon.size < 3 or tolerance_m <= 0:
        return list(zip(lon.tolist(), lat.tolist(), strict=True))
    forward, backward = local_projection(lon, lat)
    x, y = forward.transform(lon, lat)
    simplified = LineString(np.column_stack([x, y])).simplify(tolerance_m, preserve_topology=False)
    sx, sy = simplified.xy
    out_lon, out_lat = backward.transform(np.asarray(sx), np.asarray(sy))
    return list(zip(np.asarray(out_lon).tolist(), np.asarray(out_lat).tolist(), strict=True))


@dataclass(frozen=True)
class Motion:
    distance_m: float
    moving_s: float
    stopped_s: float


def motion(
    lons: Sequence[float],
    lats: Sequence[float],
    seconds: Sequence[float],
    moving_speed_mps: float = 0.5,
    max_gap_s: float = 300.0,
) -> Motion:
    """Distance and time moving/stopped; gaps longer than ``max_gap_s`` count as neither."""
    if len(lons) < 2:
        return Motion(0.0, 0.0, 0.0)
    lon, lat, t = (np.asarray(v, dtype=float) for v in (lons, lats, seconds))
    dist = metres_between_many(lon[:-1], lat[:-1], lon[1:], lat[1:])
    dt = t[1:] - t[:-1]
    counted = (dt > 0) & (dt <= max_gap_s)
    speed = np.divide(dist, dt, out=np.zeros_like(dist), where=dt > 0)
    moving = counted & (speed >= moving_speed_mps)
    return Motion(float(dist[counted].sum()), float(dt[moving].sum()), float(dt[counted & ~moving].sum()))


@dataclass(frozen=True)
class Dwell:
    place: object
    arrived: datetime
    departed: datetime
    points: int


def dwells(inside: Iterable[tuple[datetime, object]], *, min_dwell_s: float, max_gap_s: float) -> list[Dwell]:
    """Visits from (time, place) pairs meaning "the fix at this time lies in this place".

    Fixes of one place closer together than ``max_gap_s`` belong to one stay, so a few noisy
    fixes outside, or minutes without a fix under a bridge, do not split it; a stay shorter
    than ``min_dwell_s`` is passing by, not a visit. Input order does not matter.
    """
    by_place: dict[object, list[datetime]] = {}
    for at, place in inside:
        by_place.setdefault(place, []).append(at)
    found: list[Dwell] = []
    for place, times in by_place.items():
        times.sort()
        start = previous = times[0]
        count = 1
        for at in times[1:]:
            if (at - previous).total_seconds() > max_gap_s:
                found.extend(_kept(place, start, previous, count, min_dwell_s))
                start, count = at, 0
            previous = at
            count += 1
        found.extend(_kept(place, start, previous, count, min_dwell_s))
    return sorted(found, key=lambda d: (d.arrived, str(d.place)))


def _kept(place, start: datetime, end: datetime, count: int, min_dwell_s: float) -> list[Dwell]:
    return [Dwell(place, start, end, count)] if (end - start).total_seconds() >= min_dwell_s else []
