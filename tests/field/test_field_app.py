"""The officers' field app, driven as an officer would on a phone, checked on the server."""

from __future__ import annotations

import json
import struct

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.factories import IN_WEST
from tests.field.conftest import STOPS, WAIT_MS


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def rows(session, sql: str, **params) -> list:
    session.rollback()  # see what the API committed since
    return session.execute(text(sql), params).all()


def start_shift_on_route(phone, crew) -> str:
    page = phone.page
    page.select_option("#route", crew.route["id"])
    page.click("[data-testid=start-shift]")
    expect(page.locator("[data-testid=shift-status]")).to_have_attribute("data-state", "on")
    return page.evaluate("async () => (await (await import('/field/js/db.js')).kvGet('shift')).id")


RECORDED_MORE_THAN = (
    "n => Number(document.querySelector('[data-testid=points-recorded]')?.textContent.match(/\\d+/)[0]) > n"
)
QUEUED_ENCOUNTER = (
    "async () => (await (await import('/field/js/outbox.js')).items()).find(i => i.kind === 'encounter').key"
)


def walk(phone, points) -> None:
    """A position feed: each fix must be recorded before the next one comes."""
    for lon, lat in points:
        if (lon, lat) == phone.position:
            continue  # no move, no new fix
        before = phone.points_recorded()
        phone.move_to(lon, lat)
        phone.page.wait_for_function(
            RECORDED_MORE_THAN,
            arg=before,
            polling=100,
            timeout=WAIT_MS,
        )


def test_installable_and_opens_offline(phone, crew):
    page = phone.page
    page.goto(f"{phone.base}/field/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(f"{phone.base}{href}")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = json.loads(manifest.text())
    assert body["start_url"] == "/field/" and body["scope"] == "/field/"
    assert body["display"] == "standalone" and body["lang"] == "zh-CN"
    sizes = {}
    for icon in body["icons"]:
        image = page.request.get(f"{phone.base}{icon['src']}")
        assert image.ok and image.headers["content-type"] == "image/png"
        width, height = png_size(image.body())
        assert f"{width}x{height}" == icon["sizes"]
        sizes.setdefault(icon.get("purpose", "any"), set()).add(width)
    assert {192, 512} <= sizes["any"] and 512 in sizes["maskable"]

    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=WAIT_MS)
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{phone.base}/field/"

    phone.login(crew.officer)
    expect(page.locator("[data-hotspot-id]")).to_have_count(3)
    phone.offline()
    page.reload()
    # the shell, the map library and the cached hotspots all come from the phone
    expect(page.locator("#net")).to_have_attribute("data-state", "offline")
    expect(page.locator("[data-hotspot-id]")).to_have_count(3)
    expect(page.locator("[data-testid=map][data-ready=true]")).to_be_attached()
    page.click("#lang")
    expect(page.locator("[data-testid=start-shift]")).to_have_text("Start shift")


def test_shift_walked_with_a_position_feed(phone, crew, session):
    page = phone.page
    phone.login(crew.officer)
    expect(page.locator("[data-chip=overdue]")).to_have_count(3)  # never visited
    shift_id = start_shift_on_route(phone, crew)
    listed = page.locator("[data-hotspot-id]").evaluate_all("els => els.map(e => e.dataset.hotspotId)")
    assert listed == [str(h.id) for h in crew.hotspots], "hotspots in the route's order"

    first = page.locator(f"[data-hotspot-id='{crew.hotspots[0].id}']")
    route_start = STOPS[-1]  # the route begins at the eastern stop
    walk(phone, [(route_start[0] + 0.002 - i * 0.0005, route_start[1]) for i in range(5)])
    expect(first.locator("[data-chip=here]")).to_be_visible()
    first.locator("[data-action=checkin]").click()
    expect(first.locator("[data-chip=visited]")).to_be_visible()
    walk(phone, [(route_start[0] - i * 0.0005, route_start[1] + 0.0001) for i in range(1, 4)])
    recorded = phone.points_recorded()

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=end-shift]")
    expect(page.locator("[data-testid=shift-status]")).to_have_attribute("data-state", "off")
    phone.send_now()
    phone.expect_waiting(0)

    shift = rows(session, "SELECT route_id, ended_at FROM shifts WHERE id = :id", id=shift_id)
    assert len(shift) == 1 and str(shift[0].route_id) == crew.route["id"] and shift[0].ended_at is not None
    points = rows(
        session, "SELECT count(*), count(DISTINCT id) FROM gps_points WHERE shift_id = :id", id=shift_id
    )
    assert points[0] == (recorded, recorded)
    visits = rows(session, "SELECT hotspot_id, source FROM hotspot_visits WHERE shift_id = :id", id=shift_id)
    assert [(str(v.hotspot_id), v.source) for v in visits] == [(str(crew.hotspots[0].id), "checkin")]


@pytest.mark.parametrize("phone", [{"service_workers": "block"}], indirect=True)
def test_offline_mid_shift_everything_arrives_once(phone, crew, session):
    """Without a service worker (no background sync either) the page itself sends the outbox
    when the network returns, so every upload here passes the lost-answer trap below."""
    page = phone.page
    phone.login(crew.officer)
    shift_id = start_shift_on_route(phone, crew)
    walk(phone, [(IN_WEST[0] + i * 0.0004, IN_WEST[1]) for i in range(3)])
    phone.send_now()
    phone.expect_waiting(0)
    page.click("#nav-home")

    phone.offline()
    expect(page.locator("#net")).to_have_attribute("data-state", "offline")
    walk(phone, [(IN_WEST[0] + 0.001 + i * 0.0004, IN_WEST[1]) for i in range(4)])
    page.click("[data-testid=new-encounter]")
    page.click("[data-field=age_band] [data-value='60_plus']")
    page.click("[data-field=categories] [data-value='elderly']")
    page.click("[data-field=outcome] [data-value='resolved_on_site']")
    page.fill("input[name=needs]", "棉被，热水")
    page.fill("input[name=supplies]", "棉被:1")
    expect(page.locator("[data-testid=save-encounter]")).to_be_enabled()
    page.click("[data-testid=save-encounter]")
    encounter_id = page.evaluate(QUEUED_ENCOUNTER)
    walk(phone, [(IN_WEST[0] + 0.003 + i * 0.0004, IN_WEST[1]) for i in range(2)])
    assert phone.waiting() >= 7  # six points and the encounter wait on the phone
    recorded = phone.points_recorded()

    # the first upload of the encounter reaches the server but its answer is lost on the way back
    lost = []

    def lose_the_answer(route):
        if not lost:
            lost.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/encounters?datum=wgs84", lose_the_answer)
    phone.offline(False)  # the page sends what waits as soon as the network is back
    expect(page.locator("#nav-queue")).to_have_attribute("data-waiting", "2")  # the encounter went
    assert lost == [201]
    phone.send_now()  # the points recorded after the encounter wait for their batch, or a tap
    phone.expect_waiting(0)

    points = rows(
        session, "SELECT count(*), count(DISTINCT id) FROM gps_points WHERE shift_id = :id", id=shift_id
    )
    assert points[0] == (recorded, recorded)
    encounters = rows(
        session, "SELECT id, outcome, supplies FROM encounters WHERE shift_id = :id", id=shift_id
    )
    assert [str(e.id) for e in encounters] == [encounter_id]
    assert encounters[0].outcome == "resolved_on_site" and encounters[0].supplies == {"棉被": 1}
    order = rows(
        session,
        "SELECT (SELECT max(received_at) FROM gps_points"
        "        WHERE shift_id = :id AND recorded_at < e.occurred_at) <= e.received_at"
        " FROM encounters e WHERE e.shift_id = :id",
        id=shift_id,
    )
    assert order[0][0] is True, "the track recorded before the encounter was uploaded before it"


def test_rule_failure_is_shown_at_sync_and_fixed(phone, crew, session):
    page = phone.page

    # a phone whose cached rules predate the persuasion-note rule: only the server knows it
    def older_rules(route):
        stated = [r for r in route.fetch().json() if r["id"] != "refusal-needs-persuasion-note"]
        route.fulfill(json=stated)

    page.route("**/api/v1/encounters/rules", older_rules)
    phone.login(crew.officer)
    start_shift_on_route(phone, crew)
    walk(phone, [IN_WEST])
    page.click("[data-testid=new-encounter]")
    page.click("[data-field=age_band] [data-value='40_59']")
    page.click("[data-field=civil_capacity] [data-value='full']")
    page.click("[data-field=outcome] [data-value='refused_help']")
    rules = page.locator("[data-testid=rule-messages] li")
    expect(rules).to_have_attribute("data-rule", "refusal-needs-station-contact")
    expect(page.locator("[data-testid=save-encounter]")).to_be_disabled()
    page.check("input[name=told_station_contact]")
    expect(rules).to_have_count(0)
    page.click("[data-testid=save-encounter]")
    page.unroute("**/api/v1/encounters/rules")

    phone.send_now()
    failed = page.locator("[data-kind=encounter][data-state=failed]")
    expect(failed.locator("[data-testid=problem-detail]")).to_contain_text("persuasion_note")
    expect(page.locator("#nav-queue")).to_have_attribute("data-failed", "1")
    encounter_id = failed.get_attribute("data-key")
    assert rows(session, "SELECT id FROM encounters WHERE id = :id", id=encounter_id) == []

    failed.locator("[data-action=fix]").click()
    expect(page.locator("[data-testid=server-problem]")).to_contain_text("persuasion")
    expect(rules).to_have_attribute("data-rule", "refusal-needs-persuasion-note")
    expect(page.locator("[data-testid=save-encounter]")).to_be_disabled()
    page.fill("textarea[name=persuasion_note]", "告知救助站地址和热线，劝说未果，留下棉被")
    page.click("[data-testid=save-encounter]")
    phone.send_now()
    phone.expect_waiting(0)
    stored = rows(session, "SELECT persuasion_note FROM encounters WHERE id = :id", id=encounter_id)
    assert [r.persuasion_note for r in stored] == ["告知救助站地址和热线，劝说未果，留下棉被"]


def test_lead_offered_to_the_team_is_accepted_from_the_inbox(phone, crew, client, session):
    page = phone.page
    page.add_init_script("window.__buzz = []; navigator.vibrate = (p) => (window.__buzz.push(p), true);")
    phone.login(crew.officer)
    start_shift_on_route(phone, crew)
    walk(phone, [IN_WEST])
    phone.send_now()  # the track gives the team a live position
    phone.expect_waiting(0)

    lead = client.post(
        "/api/v1/leads",
        json={
            "description": "桥洞下有一位老人，衣服单薄",
            "place": {"lon": IN_WEST[0] + 0.001, "lat": IN_WEST[1]},
            "urgent": True,
        },
        headers=crew.hotline.headers,
    )
    assert lead.status_code == 201, lead.text
    lead_id = lead.json()["id"]
    assert lead.json()["status"] == "offered"

    page.click("#nav-inbox")
    offer = page.locator("[data-kind='lead.offer']")
    expect(offer).to_be_visible()
    # urgent: the police station's officers get a critical alert too, which buzzes and shows
    expect(page.locator("#alert")).to_be_visible()
    assert page.evaluate("window.__buzz.length") >= 1
    page.click("[data-testid=ack-alert]")
    offer.locator("[data-action=accept]").click()
    expect(offer.locator("[data-testid=lead-answer]")).to_be_visible()
    phone.send_now()
    phone.expect_waiting(0)

    taken = rows(session, "SELECT status, team_id FROM leads WHERE id = :id", id=lead_id)
    assert taken[0].status == "accepted" and taken[0].team_id == crew.team.id
    acked = rows(
        session,
        "SELECT count(*) FROM notifications WHERE user_id = :u AND acknowledged_at IS NOT NULL",
        u=crew.officer.user.id,
    )
    assert acked[0][0] == 2  # the offer and the critical alert


def test_the_page_and_its_service_worker_are_held_to_this_server(client):
    for path in ("/field/", "/field/sw.js"):
        policy = client.get(path).headers["content-security-policy"]
        assert "default-src 'self'" in policy and "'unsafe-eval'" not in policy, path
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
