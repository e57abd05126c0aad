"""Nearest on-duty officers among 10,000 live positions: median and p99 latency of
GET /positions/nearest through the API, against the same KNN query sent straight to PostGIS."""

from __future__ import annotations

import random
import statistics
import time

import httpx
from rich.console import Console
from sqlalchemy import text
from sqlmodel import Session

from api.db import get_engine
from tests.bench.common import (
    Report,
    api_server,
    bearer,
    make_officers_on_duty,
    percentile,
    scratch_jurisdiction,
)

_KNN = text("""
SELECT lp.user_id, ST_Distance(lp.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)
FROM live_positions lp
WHERE lp.jurisdiction_id = :j
ORDER BY lp.geom::geography <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography LIMIT 5
""")


def _positions(session: Session, code: str, count: int) -> int:
    make_officers_on_duty(session, code, count)
    jurisdiction_id = session.scalar(text("SELECT id FROM jurisdictions WHERE code = :c"), {"c": code})
    session.execute(
        text("""
        INSERT INTO live_positions (user_id, shift_id, team_id, jurisdiction_id, geom, recorded_at,
                                    received_at, accuracy_m)
        SELECT m.user_id, s.id, s.team_id, s.jurisdiction_id,
               ST_SetSRID(ST_MakePoint(100 + random(), 20 + random()), 4326), now(), now(), 8
        FROM shifts s JOIN team_members m ON m.team_id = s.team_id WHERE s.jurisdiction_id = :j"""),
        {"j": jurisdiction_id},
    )
    session.execute(
        text("""
        INSERT INTO users (id, username, display_name, password_hash, role, jurisdiction_id, is_active)
        VALUES (gen_random_uuid(), :code || '-dispatcher', 'dispatcher', 'unused', 'dispatcher', :j,
                true)"""),
        {"code": code, "j": jurisdiction_id},
    )
    session.execute(text("ANALYZE live_positions; ANALYZE shifts; ANALYZE users; ANALYZE teams"))
    session.commit()
    return jurisdiction_id


def run(quick: bool, console: Console) -> Report:
    count, requests = (1000, 50) if quick else (10_000, 500)
    rng = random.Random(11)
    places = [(100 + rng.random(), 20 + rng.random()) for _ in range(requests)]
    report = Report("nearest")
    with Session(get_engine()) as session, scratch_jurisdiction(session) as code:
        jurisdiction_id = _positions(session, code, count)
        dispatcher = session.scalar(
            text("SELECT id FROM users WHERE username = :u"), {"u": f"{code}-dispatcher"}
        )
        sql_times = []
        for lon, lat in places:
            started = time.perf_counter()
            session.execute(_KNN, {"lon": lon, "lat": lat, "j": jurisdiction_id}).all()
            sql_times.append(time.perf_counter() - started)
        session.rollback()
        with (
            api_server(workers=1) as url,
            httpx.Client(base_url=url, headers=bearer(dispatcher, "dispatcher")) as http,
        ):
            for lon, lat in places[:10]:  # warm the pool and the caches, as a running server is
                http.get(
                    "/api/v1/positions/nearest", params={"near": f"{lon},{lat}", "n": 5}
                ).raise_for_status()
            api_times = []
            for lon, lat in places:
                started = time.perf_counter()
                response = http.get("/api/v1/positions/nearest", params={"near": f"{lon},{lat}", "n": 5})
                api_times.append(time.perf_counter() - started)
                response.raise_for_status()
                assert len(response.json()["features"]) == 5

    report.add("live positions", "positions", count)
    report.add("requests (one client, sequential)", "requests", requests)
    report.add("API median", "api_p50_ms", statistics.median(api_times) * 1000, "ms")
    report.add("API p99", "api_p99_ms", percentile(api_times, 0.99) * 1000, "ms")
    report.add(
        "baseline: the KNN query alone, median", "sql_p50_ms", statistics.median(sql_times) * 1000, "ms"
    )
    report.add("baseline p99", "sql_p99_ms", percentile(sql_times, 0.99) * 1000, "ms")
    report.add(
        "API median / query median",
        "ratio_api_vs_sql",
        statistics.median(api_times) / statistics.median(sql_times),
    )
    return report
