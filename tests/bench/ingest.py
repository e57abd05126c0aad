"""Track ingest: 200,000 points through POST /patrols/{id}/track in batches of 1,000 from four
concurrent clients (two uvicorn workers), against raw psycopg COPY of the same points into
the same table, in the same run (its median of three runs). Target: the API reaches at least
half of COPY's rows/s."""

from __future__ import annotations

import http.client
import json
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import numpy as np
from rich.console import Console
from sqlalchemy import text
from sqlmodel import Session

from api.db import get_engine
from tests.bench.common import (
    Report,
    api_server,
    bearer,
    make_officers_on_duty,
    scratch_jurisdiction,
    stopwatch,
    vacuum,
)

CLIENTS = 4
BATCH = 1000
COPY_RUNS = 3  # the baseline is short and varies from run to run on a shared machine


def _batches(total: int, start: datetime) -> list[list[dict]]:
    """A random walk around (100.5, 20.5), one fix a second, split into batches."""
    rng = np.random.default_rng(7)
    lon = 100.5 + np.cumsum(rng.normal(0, 2e-5, total))
    lat = 20.5 + np.cumsum(rng.normal(0, 2e-5, total))
    points = [
        {
            "id": str(uuid.uuid4()),
            "t": (start + timedelta(seconds=i)).isoformat(),
            "lon": float(lon[i]),
            "lat": float(lat[i]),
            "datum": "wgs84",
            "accuracy_m": 6.0,
            "speed_mps": 1.1,
            "heading_deg": 90.0,
            "battery_pct": 80,
        }
        for i in range(total)
    ]
    return [points[i : i + BATCH] for i in range(0, total, BATCH)]


def _copy(session: Session, shift_id, user_id, jurisdiction_id: int, batches: list[list[dict]]) -> float:
    """The same points (fresh ids) by COPY, the fastest way in; rolled back afterwards."""
    raw = session.connection().connection.driver_connection
    columns = (
        "id, recorded_at, shift_id, user_id, jurisdiction_id, geom, accuracy_m, speed_mps, heading_deg, "
        "battery_pct, flags"
    )
    with (
        stopwatch() as elapsed,
        raw.cursor() as cursor,
        cursor.copy(f"COPY gps_points ({columns}) FROM STDIN") as copy,
    ):
        for batch in batches:
            for p in batch:
                copy.write_row(
                    (
                        uuid.uuid4(),
                        p["t"],
                        shift_id,
                        user_id,
                        jurisdiction_id,
                        f"SRID=4326;POINT({p['lon']} {p['lat']})",
                        p["accuracy_m"],
                        p["speed_mps"],
                        p["heading_deg"],
                        p["battery_pct"],
                        0,
                    )
                )
    session.rollback()
    return elapsed[0]


def run(quick: bool, console: Console) -> Report:
    total = 8_000 if quick else 200_000
    report = Report("ingest")
    vacuum("gps_points")
    with Session(get_engine()) as session, scratch_jurisdiction(session) as code:
        officers = make_officers_on_duty(session, code, CLIENTS, on_duty_hours=72)
        jurisdiction_id = session.scalar(text("SELECT id FROM jurisdictions WHERE code = :c"), {"c": code})
        start = datetime.now(UTC) - timedelta(seconds=total + 60)
        batches = _batches(total, start)
        work = [(officers[i % CLIENTS], json.dumps({"points": b}).encode()) for i, b in enumerate(batches)]
        per_client = [[w for i, w in enumerate(work) if i % CLIENTS == c] for c in range(CLIENTS)]

        with api_server(workers=2) as url:
            host, port = urlsplit(url).hostname, urlsplit(url).port
            headers_of = {  # one login per officer, made before the clock starts
                user_id: {**bearer(user_id, "officer"), "Content-Type": "application/json"}
                for user_id, _ in officers
            }

            def send(items) -> list[float]:
                """One client's batches, each on a connection of its own, as phones uploading
                minutes apart have (kept-alive connections would stay with whichever worker
                accepted them first). The standard library's client: the load generator shares
                the machine's cores with the API and PostgreSQL, so it should take little."""
                latencies = []
                for (user_id, shift_id), body in items:
                    headers = headers_of[user_id]
                    started = time.perf_counter()
                    connection = http.client.HTTPConnection(host, port, timeout=120)
                    try:
                        connection.request("POST", f"/api/v1/patrols/{shift_id}/track", body, headers)
                        response = connection.getresponse()
                        answer = response.read()
                    finally:
                        connection.close()
                    if response.status != 200:
                        raise RuntimeError(f"upload answered {response.status}: {answer[:300]!r}")
                    latencies.append(time.perf_counter() - started)
                return latencies

            with stopwatch() as api_elapsed, ThreadPoolExecutor(CLIENTS) as pool:
                latencies = [lat for chunk in pool.map(send, per_client) for lat in chunk]
        stored = session.scalar(
            text("SELECT count(*) FROM gps_points WHERE jurisdiction_id = :j"), {"j": jurisdiction_id}
        )
        user_id, shift_id = officers[0]
        copy_runs = [_copy(session, shift_id, user_id, jurisdiction_id, batches) for _ in range(COPY_RUNS)]
        copy_s = statistics.median(copy_runs)

    api_rate, copy_rate = total / api_elapsed[0], total / copy_s
    report.add("points sent (batches of 1,000, 4 clients)", "points", total)
    report.add("points stored", "stored", int(stored))
    report.add("HTTP ingest", "api_s", api_elapsed[0], "s")
    report.add("HTTP ingest rate", "api_points_per_s", api_rate, "points/s")
    report.add("batch latency median", "batch_p50_s", sorted(latencies)[len(latencies) // 2], "s")
    report.add(f"baseline: COPY of the same points (median of {COPY_RUNS})", "copy_s", copy_s, "s")
    report.add("fastest COPY run", "copy_fastest_s", min(copy_runs), "s")
    report.add("slowest COPY run", "copy_slowest_s", max(copy_runs), "s")
    report.add("COPY rate", "copy_points_per_s", copy_rate, "points/s")
    report.add("HTTP rate / COPY rate (target >= 0.5)", "ratio_vs_copy", api_rate / copy_rate)
    return report
