"""Visit detection for a one-hour track (3,600 fixes) against 1,000 hotspots: the worker's
detect() (PostGIS spatial join + dwell rules + rewrite of the visits), against the same
matching done in memory with a shapely STRtree, in the same run."""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import shapely
from pyproj import Transformer
from rich.console import Console
from sqlalchemy import text
from sqlmodel import Session

from api.db import get_engine
from api.patrols import visits
from api.settings import get_settings
from geo.track import dwells
from tests.bench.common import Report, make_officers_on_duty, scratch_jurisdiction

CENTRE = (100.5, 20.5)


def _hotspots(session: Session, code: str, count: int, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lon = CENTRE[0] + rng.uniform(-0.02, 0.02, count)
    lat = CENTRE[1] + rng.uniform(-0.02, 0.02, count)
    radius = rng.uniform(30, 80, count)
    session.execute(
        text("""
        INSERT INTO hotspots (id, name, kind, risk_level, jurisdiction_id, geom, radius_m, version)
        SELECT gen_random_uuid(), 'bench ' || n, 'other', 'low',
               (SELECT id FROM jurisdictions WHERE code = :c), ST_SetSRID(ST_MakePoint(x, y), 4326), r, 1
        FROM unnest(CAST(:lon AS float8[]), CAST(:lat AS float8[]), CAST(:r AS float8[]))
             WITH ORDINALITY AS h(x, y, r, n)"""),
        {"c": code, "lon": lon.tolist(), "lat": lat.tolist(), "r": radius.tolist()},
    )
    session.execute(text("ANALYZE hotspots"))
    return lon, lat, radius


def _walk(hotspot_lon, hotspot_lat, rng, seconds: int) -> np.ndarray:
    """One fix a second: walk (about 1.4 m/s) from hotspot to hotspot and stay 2 to 5 minutes at each."""
    position = np.array(CENTRE)
    fixes: list[np.ndarray] = []
    while len(fixes) < seconds:
        target_index = rng.integers(len(hotspot_lon))
        target = np.array([hotspot_lon[target_index], hotspot_lat[target_index]])
        steps = max(1, int(np.linalg.norm(target - position) / 1.3e-5))
        fixes.extend(position + (target - position) * (i + 1) / steps for i in range(steps))
        fixes.extend(target + rng.normal(0, 5e-5, 2) for _ in range(int(rng.integers(120, 300))))
        position = target
    return np.array(fixes[:seconds])


def _track(session: Session, shift_id, user_id, jurisdiction_id: int, path: np.ndarray) -> list[datetime]:
    start = datetime.now(UTC) - timedelta(seconds=len(path) + 60)
    times = [start + timedelta(seconds=i) for i in range(len(path))]
    raw = session.connection().connection.driver_connection
    columns = "id, recorded_at, shift_id, user_id, jurisdiction_id, geom, accuracy_m, flags"
    with raw.cursor() as cursor, cursor.copy(f"COPY gps_points ({columns}) FROM STDIN") as copy:
        for t, (x, y) in zip(times, path, strict=True):
            copy.write_row(
                (uuid.uuid4(), t, shift_id, user_id, jurisdiction_id, f"SRID=4326;POINT({x} {y})", 5, 0)
            )
    session.commit()
    return times


def _in_memory(hotspot_lon, hotspot_lat, radius, path, times):
    """The same rules with shapely: circles in a local metric projection, STRtree, dwells."""
    local = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={CENTRE[1]} +lon_0={CENTRE[0]} +datum=WGS84", always_xy=True
    )
    hx, hy = local.transform(hotspot_lon, hotspot_lat)
    circles = shapely.buffer(shapely.points(hx, hy), radius)
    tree = shapely.STRtree(circles)
    px, py = local.transform(path[:, 0], path[:, 1])
    point_index, hotspot_index = tree.query(shapely.points(px, py), predicate="intersects")
    settings = get_settings()
    return dwells(
        ((times[p], int(h)) for p, h in zip(point_index, hotspot_index, strict=True)),
        min_dwell_s=settings.visit_min_dwell_s,
        max_gap_s=settings.visit_max_gap_s,
    )


def run(quick: bool, console: Console) -> Report:
    hotspot_count, seconds, runs = (200, 600, 3) if quick else (1000, 3600, 5)
    rng = np.random.default_rng(3)
    report = Report("visits")
    with Session(get_engine()) as session, scratch_jurisdiction(session) as code:
        [(user_id, shift_id)] = make_officers_on_duty(session, code, 1, on_duty_hours=3)
        jurisdiction_id = session.scalar(text("SELECT id FROM jurisdictions WHERE code = :c"), {"c": code})
        hotspot_lon, hotspot_lat, radius = _hotspots(session, code, hotspot_count, rng)
        path = _walk(hotspot_lon, hotspot_lat, rng, seconds)
        times = _track(session, shift_id, user_id, jurisdiction_id, path)
        db_times, found = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            found = visits.detect(session, shift_id=shift_id, user_id=user_id)
            session.commit()
            db_times.append(time.perf_counter() - started)
        memory_times, memory_found = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            memory_found = len(_in_memory(hotspot_lon, hotspot_lat, radius, path, times))
            memory_times.append(time.perf_counter() - started)

    report.add("hotspots", "hotspots", hotspot_count)
    report.add("track fixes (1 Hz)", "fixes", seconds)
    report.add("visits found (PostGIS)", "visits", found)
    report.add("visits found (in memory)", "visits_in_memory", memory_found)
    report.add(
        "detect(): match, dwell, rewrite visits, median",
        "detect_ms",
        statistics.median(db_times) * 1000,
        "ms",
    )
    report.add(
        "baseline: shapely STRtree matching + dwell, median",
        "strtree_ms",
        statistics.median(memory_times) * 1000,
        "ms",
    )
    report.add(
        "detect() / in-memory",
        "ratio_vs_strtree",
        statistics.median(db_times) / statistics.median(memory_times),
    )
    return report
