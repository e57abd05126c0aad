"""The field app in Debian's Chromium (never a downloaded browser), on an emulated phone with
an overridden GPS, against the suite's real API server.

One browser per module; every test gets a fresh browser context (its own IndexedDB, service
worker and caches), and a screenshot of where it ended under test-artifacts/field/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from api.auth.models import Role
from api.organisations.models import OrganisationKind
from tests.factories import IN_WEST, Account, make_hotspot, make_organisation, make_team, make_user

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "field"
PHONE = "Pixel 7"
WAIT_MS = 15_000

expect.set_options(timeout=WAIT_MS)


@dataclass
class Chromium:
    browser: Browser
    device: dict


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (bash .ci/setup test does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-unsafe-swiftshader",  # WebGL in software, for the map
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield Chromium(launched, playwright.devices[PHONE])
        launched.close()


@dataclass
class Phone:
    context: BrowserContext
    page: Page
    base: str

    position: tuple[float, float] = IN_WEST

    def move_to(self, lon: float, lat: float, accuracy: float = 8.0) -> None:
        self.position = (lon, lat)
        self.context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": accuracy})

    def offline(self, offline: bool = True) -> None:
        self.context.set_offline(offline)

    def login(self, account: Account) -> None:
        self.page.goto(f"{self.base}/field/")
        self.page.fill("#username", account.user.username)
        self.page.fill("#password", account.password)
        self.page.click("[data-testid=login]")
        expect(self.page.locator("[data-testid=shift-status]")).to_be_visible()

    def waiting(self) -> int:
        return int(self.page.locator("#nav-queue").get_attribute("data-waiting") or 0)

    def expect_waiting(self, count: int) -> None:
        expect(self.page.locator("#nav-queue")).to_have_attribute("data-waiting", str(count))

    def points_recorded(self) -> int:
        text = self.page.locator("[data-testid=points-recorded]").inner_text()
        return int(re.search(r"\d+", text).group())

    def send_now(self) -> None:
        self.page.click("#nav-queue")
        self.page.click("[data-testid=send-now]")


@pytest.fixture
def phone(chromium, server, request) -> Iterator[Phone]:
    start = {"longitude": IN_WEST[0], "latitude": IN_WEST[1], "accuracy": 8}
    options = {"service_workers": "allow", **getattr(request, "param", {})}
    context = chromium.browser.new_context(
        **chromium.device, geolocation=start, permissions=["geolocation"], **options
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield Phone(context, page, server)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


@dataclass
class Crew:
    officer: Account
    team: object
    dispatcher: Account
    hotline: Account
    hotspots: list  # in route order
    route: dict
    station: object
    police: object


# Three hotspots 300 m apart along a street in district T101, walked west to east.
STOPS = [(IN_WEST[0] + i * 0.003, IN_WEST[1]) for i in range(3)]


@pytest.fixture
def crew(session, city, client) -> Crew:
    police = make_organisation(session, OrganisationKind.police_station, "T101", at=IN_WEST)
    station = make_organisation(
        session, OrganisationKind.rescue_station, "T101", at=(IN_WEST[0], IN_WEST[1] + 0.01), capacity=40
    )
    officer = make_user(session, Role.officer, "T101", organisation_id=police.id)
    team = make_team(session, "T101", officer, call_sign="西巡1")
    dispatcher = make_user(session, Role.dispatcher, "T100")
    hotline = make_user(session, Role.hotline_operator, "T100")
    hotspots = [make_hotspot(session, lon, lat, radius_m=40, risk_level="high") for lon, lat in STOPS]
    # the route lists them east to west: the app must follow the route's order, not the map's
    planned = [str(h.id) for h in reversed(hotspots)]
    route = client.post(
        "/api/v1/routes",
        json={"name": "西段夜巡", "jurisdiction": "T101", "hotspot_ids": planned, "expected_minutes": 60},
        headers=dispatcher.headers,
    )
    assert route.status_code == 201, route.text
    return Crew(officer, team, dispatcher, hotline, list(reversed(hotspots)), route.json(), station, police)
