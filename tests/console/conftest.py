"""Browser tests of the console: Debian's Chromium driven by Playwright, one browser per
module and a fresh context (empty sessionStorage) per test, against the suite's
``server``. Screenshots go to test-artifacts/console/."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from api.auth.models import Role
from api.patrols.models import HotspotVisit
from api.settings import get_settings
from tests.factories import IN_EAST, IN_WEST, make_hotspot, make_team, make_user

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser per module: Playwright's sync API keeps an event loop running while it is
    open, and later tests (the in-process job worker) need to start their own."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        browser.close()


class Requests(list):
    """Every URL the page asked for."""

    def foreign(self, origin: str) -> list[str]:
        return [url for url in self if not (url.startswith(origin + "/") or re.match(r"^(data|blob):", url))]


@pytest.fixture
def page(browser, server, request) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.requests = Requests()
    page.errors = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{request.node.name}.png")
    context.close()


def login(page: Page, server: str, account) -> None:
    page.goto(f"{server}/console")
    page.fill("#username", account.user.username)
    page.fill("#password", account.password)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert page.errors == []


def source_data(page: Page, source: str) -> dict:
    """What a MapLibre source holds, read back from the map."""
    return page.evaluate("(id) => window.patrolConsole.map.getSource(id).getData()", source)


@pytest.fixture
def world(session, client, city):
    """A dispatcher for city T100, an officer's team on duty in T101 with a fresh position,
    and hotspots never visited, visited an hour ago, overdue (high risk, 30 h ago) and one in
    the east district."""
    # Objects stay readable after a commit without a new transaction: an idle open transaction
    # would hold back every later event from the live stream (it serves settled events only).
    session.expire_on_commit = False
    dispatcher = make_user(session, Role.dispatcher, "T100")
    officer = make_user(session, Role.officer, "T101")
    team = make_team(session, "T101", officer, call_sign="西巡01")
    shift = client.post("/api/v1/patrols", json={"team_id": str(team.id)}, headers=officer.headers).json()
    lon, lat = IN_WEST
    now = datetime.now(UTC)
    hotspots = {
        "never": make_hotspot(session, lon - 0.01, lat, radius_m=40, risk_level="high"),
        "fresh": make_hotspot(session, lon, lat + 0.01, radius_m=60, risk_level="medium"),
        "overdue": make_hotspot(session, lon + 0.01, lat, radius_m=40, risk_level="high"),
        "east": make_hotspot(session, *IN_EAST, radius_m=40),
    }
    for name, hours_ago in (("fresh", 1), ("overdue", 30)):
        left = now - timedelta(hours=hours_ago)
        session.add(
            HotspotVisit(
                hotspot_id=hotspots[name].id,
                shift_id=shift["id"],
                team_id=team.id,
                jurisdiction_id=hotspots[name].jurisdiction_id,
                arrived_at=left - timedelta(minutes=5),
                departed_at=left,
                source="checkin",
            )
        )
    session.commit()
    points = [
        {
            "id": str(uuid.uuid4()),
            "t": (now - timedelta(seconds=s)).isoformat(),
            "lon": lon,
            "lat": lat,
            "datum": "wgs84",
            "accuracy_m": 5.0,
        }
        for s in range(120, 0, -5)
    ]
    upload = client.post(
        f"/api/v1/patrols/{shift['id']}/track", json={"points": points}, headers=officer.headers
    )
    assert upload.status_code == 200, upload.text
    return {
        "dispatcher": dispatcher,
        "officer": officer,
        "team": team,
        "shift": shift,
        "hotspots": hotspots,
    }


@pytest.fixture
def gcj02_basemap(monkeypatch):
    """The console configured with a GCJ-02 basemap on a tile host of its own."""
    monkeypatch.setenv("PATROL_BASEMAP_URL", "http://tiles.test/{z}/{x}/{y}.png")
    monkeypatch.setenv("PATROL_BASEMAP_DATUM", "gcj02")
    get_settings.cache_clear()
    yield "http://tiles.test"
    monkeypatch.undo()
    get_settings.cache_clear()
