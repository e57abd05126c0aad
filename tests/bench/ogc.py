"""The OGC API - Features layers on 20,000 hotspots and 20,000 encounters: every hotspot page by
page as QGIS reads a layer, small bbox requests as it pans, a GCJ-02 page, and the encounter
grid. Baseline: the same pages through the hotspot list (GET /hotspots, built with shapely and
pydantic) in the same run."""

from __future__ import annotations

import random
import statistics
import time

import httpx
from rich.console import Console
from sqlalchemy import text
from sqlmodel import Session

from api.db import get_engine
from tests.bench.common import Report, api_server, bearer, scratch_jurisdiction

PAGE = 1000


def _data(session: Session, code: str, count: int) -> tuple[str, str]:
    """``count`` point hotspots and ``count`` encounters over the scratch area (lon 100-101, lat
    20-21), encounters on past days; returns the ids of a dispatcher and an officer."""
    jurisdiction_id = session.scalar(text("SELECT id FROM jurisdictions WHERE code = :c"), {"c": code})
    users = {}
    for role in ("dispatcher", "officer"):
        users[role] = session.scalar(
            text("""
            INSERT INTO users (id, username, display_name, password_hash, role, jurisdiction_id, is_active)
            VALUES (gen_random_uuid(), :name, :role, 'unused', :role, :j, true) RETURNING id"""),
            {"name": f"{code}-{role}", "role": role, "j": jurisdiction_id},
        )
    session.execute(
        text("""
        INSERT INTO hotspots (id, name, kind, risk_level, jurisdiction_id, geom, radius_m, version)
        SELECT gen_random_uuid(), '热点' || n, 'bridge_culvert', 'medium', :j,
               ST_SetSRID(ST_MakePoint(100 + random(), 20 + random()), 4326), 30 + random() * 70, 1
        FROM generate_series(1, :count) n"""),
        {"j": jurisdiction_id, "count": count},
    )
    session.execute(
        text("""
        INSERT INTO encounters (id, jurisdiction_id, officer_id, occurred_at, geom, age_band, sex,
                                civil_capacity, outcome, consent_recorded, told_station_contact)
        SELECT gen_random_uuid(), :j, :officer, now() - interval '2 days' - random() * interval '20 days',
               ST_SetSRID(ST_MakePoint(100.4 + random() * 0.2, 20.4 + random() * 0.2), 4326),
               'unknown', 'unknown', 'unknown', 'no_contact', false, false
        FROM generate_series(1, :count) n"""),
        {"j": jurisdiction_id, "officer": users["officer"], "count": count},
    )
    session.execute(text("ANALYZE hotspots; ANALYZE encounters"))
    session.commit()
    return users["dispatcher"], users["officer"]


def _walk_ogc(http: httpx.Client) -> tuple[float, int, int]:
    """Seconds, features and bytes to read every hotspot by following `next` links."""
    started = time.perf_counter()
    features = size = 0
    url: str | None = "/api/v1/ogc/collections/hotspots/items"
    params: dict | None = {"limit": PAGE}
    while url:
        response = http.get(url, params=params)
        response.raise_for_status()
        body = response.json()
        features += body["numberReturned"]
        size += len(response.content)
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        params = None
    return time.perf_counter() - started, features, size


def _walk_list(http: httpx.Client, total: int) -> float:
    """Seconds to read every hotspot from the hotspot list, parsed as the OGC walk is."""
    started = time.perf_counter()
    for offset in range(0, total, PAGE):
        response = http.get("/api/v1/hotspots", params={"limit": PAGE, "offset": offset})
        response.raise_for_status()
        response.json()
    return time.perf_counter() - started


def _median_ms(http: httpx.Client, url: str, params_list: list[dict]) -> float:
    times = []
    for params in params_list:
        started = time.perf_counter()
        http.get(url, params=params).raise_for_status()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def run(quick: bool, console: Console) -> Report:
    count, rounds, boxes = (500, 1, 5) if quick else (20_000, 3, 50)
    rng = random.Random(7)
    bbox_params = []
    for _ in range(boxes):
        lon, lat = 100 + rng.random() * 0.95, 20 + rng.random() * 0.95
        bbox_params.append({"bbox": f"{lon},{lat},{lon + 0.05},{lat + 0.05}", "limit": PAGE})
    report = Report("ogc")
    with Session(get_engine()) as session, scratch_jurisdiction(session) as code:
        dispatcher, _ = _data(session, code, count)
        with (
            api_server(workers=1) as url,
            httpx.Client(base_url=url, headers=bearer(dispatcher, "dispatcher")) as http,
        ):
            _walk_ogc(http)  # warm the pool and the caches, as a running server is
            _walk_list(http, count)
            walks = [_walk_ogc(http) for _ in range(rounds)]
            lists = [_walk_list(http, count) for _ in range(rounds)]
            items = "/api/v1/ogc/collections/hotspots/items"
            bbox_ms = _median_ms(http, items, bbox_params)
            page_ms = _median_ms(http, items, [{"limit": PAGE}] * 5)
            gcj_ms = _median_ms(http, items, [{"limit": PAGE, "datum": "gcj02"}] * 5)
            grid = "/api/v1/ogc/collections/encounter-grid/items"
            grid_ms = _median_ms(http, grid, [{"limit": PAGE}] * 5)
            cells = http.get(grid, params={"limit": PAGE}).json()["numberMatched"]

    walk_s = statistics.median(w[0] for w in walks)
    list_s = statistics.median(lists)
    _, features, size = walks[0]
    report.add("hotspots", "hotspots", features)
    report.add(f"every hotspot through OGC, pages of {PAGE}", "ogc_all_s", walk_s, "s")
    report.add("  features per second", "ogc_features_per_s", features / walk_s)
    report.add("  bytes read", "ogc_bytes", size)
    report.add("baseline: the same pages from GET /hotspots (points)", "list_all_s", list_s, "s")
    report.add("OGC / baseline", "ratio_ogc_vs_list", walk_s / list_s)
    report.add(f"one page of {PAGE}, WGS84, median", "page_ms", page_ms, "ms")
    report.add(f"one page of {PAGE}, GCJ-02, median", "page_gcj02_ms", gcj_ms, "ms")
    report.add(f"bbox of 0.05° (about 5 km), {boxes} requests, median", "bbox_ms", bbox_ms, "ms")
    report.add(f"encounter grid over {count:,} encounters, median", "grid_ms", grid_ms, "ms")
    report.add("  cells shown", "grid_cells", cells)
    return report
