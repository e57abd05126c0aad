"""The dispatcher console under a city's load: 20,000 hotspots, 20,000 encounters of the last
day and 1,000 officers on duty, in Debian's Chromium against the API in its own processes.

Measures the time from login to a ready map, each layer's load, a pan and a zoom (debounce,
request and redraw), then a wave of live positions (every officer uploads one fix through the
track API) from upload to redrawn marker, with the frame intervals while it lands. The
baseline is the same hotspot layer fetched by a plain HTTP client, and the idle frame interval.
"""

from __future__ import annotations

import contextlib
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
from rich.console import Console
from sqlalchemy import text
from sqlmodel import Session

from api.auth.security import hash_password
from api.db import get_engine
from tests.bench.common import (
    Report,
    api_server,
    bearer,
    make_officers_on_duty,
    percentile,
    scratch_jurisdiction,
)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
WAVE_TIMEOUT_MS = 60_000
CENTRE = (100.5, 20.5)
SPREAD = 0.15  # degrees either side of the centre: a city of about 30 km
PASSWORD = "bench-dispatcher-42"
SCATTERED = (
    "ST_SetSRID(ST_MakePoint(:lon + (random() - 0.5) * 2 * :spread,"
    " :lat + (random() - 0.5) * 2 * :spread), 4326)"
)

# Frame intervals recorded in the page by requestAnimationFrame.
FRAME_RECORDER = """() => {
  window.__frames = [];
  let last = performance.now();
  const tick = (now) => {
    window.__frames.push(now - last);
    last = now;
    if (window.__frames.length < 100000) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def _populate(session: Session, code: str, hotspots: int, encounters: int, officers: int) -> tuple[str, list]:
    crew = make_officers_on_duty(session, code, officers)
    params = {"code": code, "lon": CENTRE[0], "lat": CENTRE[1], "spread": SPREAD}
    session.execute(
        text(f"""
        INSERT INTO hotspots (id, name, kind, risk_level, jurisdiction_id, geom, radius_m, version)
        SELECT gen_random_uuid(), 'hotspot ' || n, 'bridge_culvert',
               (ARRAY['low','medium','high','critical'])[1 + n % 4],
               (SELECT id FROM jurisdictions WHERE code = :code),
               {SCATTERED},
               50, 1
        FROM generate_series(1, :n) n"""),
        {**params, "n": hotspots},
    )
    session.execute(
        text("""
        INSERT INTO hotspot_visits (id, hotspot_id, shift_id, team_id, jurisdiction_id,
                                    arrived_at, departed_at, source, points)
        SELECT gen_random_uuid(), h.id, s.id, s.team_id, h.jurisdiction_id,
               h.left_at - interval '5 minutes', h.left_at, 'checkin', 0
        FROM (SELECT id, jurisdiction_id, row_number() OVER () AS r,
                     now() - make_interval(hours => (random() * 200)::int) AS left_at FROM hotspots
              WHERE jurisdiction_id = (SELECT id FROM jurisdictions WHERE code = :code)) h
        JOIN LATERAL (SELECT id, team_id FROM shifts
                      WHERE jurisdiction_id = h.jurisdiction_id LIMIT 1) s ON true
        WHERE h.r % 3 <> 0"""),
        params,
    )
    session.execute(
        text(f"""
        INSERT INTO encounters (id, jurisdiction_id, officer_id, occurred_at, geom, age_band, sex,
                                civil_capacity, outcome, consent_recorded, told_station_contact)
        SELECT gen_random_uuid(), (SELECT id FROM jurisdictions WHERE code = :code), :officer,
               now() - make_interval(mins => (random() * 1400)::int),
               {SCATTERED},
               '40_59', 'unknown', 'unknown', 'no_contact', false, false
        FROM generate_series(1, :n)"""),
        {**params, "n": encounters, "officer": crew[0][0]},
    )
    session.execute(
        text(f"""
        INSERT INTO live_positions (user_id, shift_id, team_id, jurisdiction_id, geom,
                                    recorded_at, received_at, accuracy_m)
        SELECT s.user_id, s.id, s.team_id, s.jurisdiction_id,
               {SCATTERED},
               now() - interval '1 minute', now(), 8
        FROM (SELECT sh.id, sh.team_id, sh.jurisdiction_id, tm.user_id FROM shifts sh
              JOIN team_members tm ON tm.team_id = sh.team_id
              WHERE sh.jurisdiction_id = (SELECT id FROM jurisdictions WHERE code = :code)) s"""),
        params,
    )
    username = f"{code.lower()}-dispatcher"
    session.execute(
        text("""
        INSERT INTO users (id, username, display_name, password_hash, role, jurisdiction_id, is_active)
        VALUES (gen_random_uuid(), :username, 'bench dispatcher', :digest, 'dispatcher',
                (SELECT id FROM jurisdictions WHERE code = :code), true)"""),
        {"username": username, "digest": hash_password(PASSWORD), "code": code},
    )
    session.commit()
    return username, crew


def _remove_encounters(session: Session, code: str) -> None:
    session.rollback()
    session.execute(
        text(
            "DELETE FROM encounters WHERE jurisdiction_id = (SELECT id FROM jurisdictions WHERE code = :code)"
        ),
        {"code": code},
    )
    session.commit()


def _wait_layer(page, name: str, after_ms: float) -> float:
    page.wait_for_function(
        "([name, after]) => (window.patrolConsole.stats.layers[name]?.at ?? 0) > after", arg=[name, after_ms]
    )
    return page.evaluate("(name) => window.patrolConsole.stats.layers[name].at", name)


def _frames(page) -> list[float]:
    return page.evaluate("() => { const f = window.__frames; window.__frames = []; return f.slice(1); }")


def _upload_wave(url: str, crew: list, step: float) -> dict[str, float]:
    """Every officer uploads one fix; returns user id -> epoch ms when the API had stored it."""

    def upload(index_member):
        index, (user_id, shift_id) = index_member
        lon = CENTRE[0] + ((index % 100) / 100 - 0.5) * 2 * SPREAD + step
        lat = CENTRE[1] + ((index // 100) / 10 - 0.5) * 2 * SPREAD
        point = {
            "id": str(uuid.uuid4()),
            "t": datetime.now(UTC).isoformat(),
            "lon": lon,
            "lat": lat,
            "datum": "wgs84",
            "accuracy_m": 8.0,
        }
        with httpx.Client(base_url=url, timeout=30) as http:
            response = http.post(
                f"/api/v1/patrols/{shift_id}/track",
                json={"points": [point]},
                headers=bearer(user_id, "officer"),
            )
        response.raise_for_status()
        return str(user_id), time.time() * 1000

    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(pool.map(upload, enumerate(crew)))


def run(quick: bool, console: Console) -> Report:
    hotspots, encounters, officers = (2_000, 2_000, 100) if quick else (20_000, 20_000, 1_000)
    report = Report("console")
    with Session(get_engine()) as session, scratch_jurisdiction(session) as code:
        try:
            console.print(f"creating {hotspots:,} hotspots, {encounters:,} encounters, {officers:,} officers")
            username, crew = _populate(session, code, hotspots, encounters, officers)
            with api_server(workers=2) as url, sync_playwright() as playwright:
                _measure(report, console, playwright, url, username, crew, hotspots)
        finally:
            _remove_encounters(session, code)
    return report


def _measure(report, console, playwright, url, username, crew, hotspots) -> None:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.set_default_timeout(120_000)
    page.goto(f"{url}/console")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    started = time.time() * 1000
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-ready=true]", state="attached")
    report.add("login to a ready map", "ready_ms", time.time() * 1000 - started, "ms")
    layers = page.evaluate("window.patrolConsole.stats.layers")
    report.add("hotspots in view", "hotspots_drawn", layers["hotspots"]["count"])
    report.add(
        "hotspot features drawn (clusters at city zoom)", "hotspot_features", layers["hotspots"]["features"]
    )
    report.add("hotspot layer: request to data set", "hotspots_ms", float(layers["hotspots"]["ms"]), "ms")
    report.add(
        "encounter clusters (20 k encounters)", "encounters_ms", float(layers["encounters"]["ms"]), "ms"
    )
    report.add("1,000 live positions", "positions_ms", float(layers["positions"]["ms"]), "ms")

    bbox = page.evaluate(
        "() => { const b = window.patrolConsole.map.getBounds();"
        " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }"
    )
    zoom = page.evaluate("Math.floor(window.patrolConsole.map.getZoom())")
    token = page.evaluate("JSON.parse(sessionStorage.getItem('patrol.console.session')).access_token")
    plain = []
    for _ in range(3):
        with httpx.Client(base_url=url, timeout=60) as http:
            begin = time.perf_counter()
            http.get(
                "/api/v1/console/layers/hotspots",
                params={"bbox": ",".join(map(str, bbox)), "zoom": zoom},
                headers={"Authorization": f"Bearer {token}"},
            ).raise_for_status()
            plain.append((time.perf_counter() - begin) * 1000)
    report.add(
        "baseline: same layer by plain HTTP (median of 3)", "baseline_http_ms", statistics.median(plain), "ms"
    )
    report.add(
        "console layer time / plain HTTP",
        "hotspots_vs_http",
        layers["hotspots"]["ms"] / statistics.median(plain),
    )

    for label, key, action in (
        (
            "zoom in 2 levels: moveend to every view layer redrawn",
            "zoom_ms",
            "patrolConsole.map.zoomTo(patrolConsole.map.getZoom() + 2, {animate: false})",
        ),
        (
            "pan half a screen: moveend to every view layer redrawn",
            "pan_ms",
            "patrolConsole.map.panBy([800, 0], {animate: false})",
        ),
        (
            "zoom back out: moveend to every view layer redrawn",
            "zoom_out_ms",
            "patrolConsole.map.zoomTo(patrolConsole.map.getZoom() - 2, {animate: false})",
        ),
    ):
        before = time.time() * 1000
        page.evaluate(action)
        _wait_layer(page, "view", before)
        report.add(label, key, float(page.evaluate("window.patrolConsole.stats.layers.view.ms")), "ms")

    page.evaluate(FRAME_RECORDER)
    page.wait_for_timeout(1000)  # a second of idle frames for the baseline
    idle = _frames(page)
    page.wait_for_selector("#stream.live", state="attached")
    console.print(f"live wave: {len(crew)} officers upload one fix each")
    stored = _upload_wave(url, crew, step=0.0003)
    last = max(stored.values())
    with contextlib.suppress(PlaywrightTimeout):  # what did not arrive is counted below
        page.wait_for_function(
            "([ids, after]) => ids.every(id => (window.patrolConsole.stats.movedAt.get(id) ?? 0) >= after)",
            arg=[list(stored), min(stored.values()) - 1],
            timeout=WAVE_TIMEOUT_MS,
        )
    busy = _frames(page)
    moved = page.evaluate(
        "([ids, after]) => ids.map(id => { const at = window.patrolConsole.stats.movedAt.get(id);"
        " return at >= after ? at : null; })",
        [list(stored), min(stored.values()) - 1],
    )
    latencies = [max(0.0, m - stored[user]) for user, m in zip(stored, moved, strict=True) if m is not None]
    report.add("uploads in the wave", "wave_uploads", len(stored))
    report.add(f"markers redrawn within {WAVE_TIMEOUT_MS // 1000} s", "wave_redrawn", len(latencies))
    report.add("wave duration (first to last upload stored)", "wave_ms", last - min(stored.values()), "ms")
    report.add("upload stored to marker redrawn: median", "live_p50_ms", percentile(latencies, 0.5), "ms")
    report.add("upload stored to marker redrawn: p95", "live_p95_ms", percentile(latencies, 0.95), "ms")
    report.add("frame interval idle: median", "idle_frame_p50_ms", percentile(idle, 0.5), "ms")
    report.add("frame interval during the wave: median", "wave_frame_p50_ms", percentile(busy, 0.5), "ms")
    report.add("frame interval during the wave: p95", "wave_frame_p95_ms", percentile(busy, 0.95), "ms")
    report.add("frame interval during the wave: worst", "wave_frame_max_ms", max(busy), "ms")
    report.add(
        "wave p95 frame / idle median frame",
        "wave_vs_idle_frames",
        percentile(busy, 0.95) / percentile(idle, 0.5),
    )
    browser.close()
