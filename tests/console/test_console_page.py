"""The console in a real browser: login, layers, live positions, drawing a sweep, alerts,
the English switch, the GCJ-02 shift and the closed network."""

from __future__ import annotations

import io
import time
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from PIL import Image

from api.auth.models import Role
from geo.datum import Datum, point_from_wgs84
from tests.console.conftest import ARTIFACTS, login, source_data
from tests.factories import IN_WEST, make_team, make_user


def upload_position(client, world, lon: float, lat: float, datum: str = "wgs84") -> None:
    point = {
        "id": str(uuid.uuid4()),
        "t": datetime.now(UTC).isoformat(),
        "lon": lon,
        "lat": lat,
        "datum": datum,
        "accuracy_m": 5.0,
    }
    response = client.post(
        f"/api/v1/patrols/{world['shift']['id']}/track",
        json={"points": [point]},
        headers=world["officer"].headers,
    )
    assert response.status_code == 200, response.text


def wait_until_moved(page, user_id: str, since_ms: float) -> float:
    """Epoch ms at which the console redrew this officer after ``since_ms``."""
    page.wait_for_function(
        "([id, since]) => (window.patrolConsole.stats.movedAt.get(id) ?? 0) >= since",
        arg=[user_id, since_ms],
        polling="raf",
    )
    return page.evaluate("(id) => window.patrolConsole.stats.movedAt.get(id)", user_id)


def vertices_of(geometry: dict) -> list[list[float]]:
    """Every vertex of a (Multi)Polygon, in order."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [vertex for polygon in polygons for ring in polygon for vertex in ring]


def panel_ids(page) -> list[str]:
    return page.eval_on_selector_all("#panels > section", "sections => sections.map(s => s.id)")


def test_a_dispatcher_sees_every_layer_and_panel(page, server, world):
    login(page, server, world["dispatcher"])

    states = {f["id"]: f["properties"]["state"] for f in source_data(page, "hotspots")["features"]}
    expected = {"never": "never", "fresh": "fresh", "overdue": "overdue", "east": "never"}
    assert states == {str(world["hotspots"][name].id): state for name, state in expected.items()}
    officers = source_data(page, "positions")["features"]
    assert [(f["properties"]["user_id"], f["geometry"]["coordinates"]) for f in officers] == [
        (str(world["officer"].user.id), list(IN_WEST))
    ]
    codes = {f["properties"]["code"] for f in source_data(page, "boundaries")["features"]}
    assert codes == {"T100", "T101", "T102"}
    assert panel_ids(page) == [
        "panel-alerts",
        "panel-leads-queue",
        "panel-sweeps-board",
        "panel-handovers-board",
        "panel-teams",
    ]
    assert page.inner_text("#panel-teams .team.on-duty strong") == "西巡01"
    assert page.evaluate("Object.keys(sessionStorage)") == ["patrol.console.session"]
    assert page.context.cookies() == []


def test_a_crowded_city_comes_in_clusters_that_split_when_zoomed_in(page, server, world, session):
    lon, lat = IN_WEST
    session.execute(
        sa.text("""
        INSERT INTO hotspots (id, name, kind, risk_level, jurisdiction_id, geom, radius_m, version)
        SELECT gen_random_uuid(), 'h' || n, 'bridge_culvert', 'low', :jurisdiction,
               ST_SetSRID(ST_MakePoint(:lon + 0.03 + (n % 50) * 0.0004,
                                       :lat + 0.03 + (n / 50) * 0.0004), 4326),
               30, 1
        FROM generate_series(1, 2100) n"""),
        {"jurisdiction": world["hotspots"]["never"].jurisdiction_id, "lon": lon, "lat": lat},
    )
    session.commit()
    login(page, server, world["dispatcher"])

    city = source_data(page, "hotspots")["features"]
    assert city and all("count" in f["properties"] for f in city)
    assert sum(f["properties"]["count"] for f in city) == 2104
    assert sum(f["properties"]["overdue"] for f in city) == 1
    assert page.locator(".cluster-count").count() > 0  # the counts, written as HTML
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "crowded-city-clusters.png")

    before = page.evaluate("Date.now()")
    page.evaluate(f"patrolConsole.map.jumpTo({{center: [{lon}, {lat}], zoom: 14}})")
    page.wait_for_function("(t) => patrolConsole.stats.layers.hotspots.at > t", arg=before)
    street = {f["id"]: f["properties"]["state"] for f in source_data(page, "hotspots")["features"]}
    assert street[str(world["hotspots"]["overdue"].id)] == "overdue"
    assert page.locator(".cluster-count").count() == 0
    assert page.errors == []


def test_hospital_staff_get_only_what_their_role_allows(page, server, world, session):
    hospital = make_user(session, Role.hospital_staff, "T100")
    login(page, server, hospital)

    assert panel_ids(page) == ["panel-alerts", "panel-handovers-board"]
    assert page.eval_on_selector_all("#layer-list > li", "items => items.map(i => i.id)") == [
        "layer-boundaries"
    ]
    assert page.evaluate(
        "['hotspots', 'positions', 'encounters'].map(id => !!patrolConsole.map.getSource(id))"
    ) == [
        False,
        False,
        False,
    ]


def test_an_officer_is_turned_away(page, server, world):
    page.goto(f"{server}/console")
    page.fill("#username", world["officer"].user.username)
    page.fill("#password", world["officer"].password)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-error:has-text('officer')")
    assert page.evaluate("sessionStorage.length") == 0
    assert page.is_hidden("#app")


def test_a_live_position_moves_the_marker_over_the_event_stream(page, server, world, client):
    """The upload reaches the map through the stream, not by asking for positions again; how
    fast is measured by `patrol bench console` (upload to redrawn marker), not asserted here."""
    login(page, server, world["dispatcher"])
    page.wait_for_selector("#stream.live")
    user_id = str(world["officer"].user.id)
    target = [round(IN_WEST[0] + 0.0004, 7), round(IN_WEST[1] + 0.0003, 7)]  # a plausible walk
    asked_before = [url for url in page.requests if "/api/v1/positions" in url]

    sent_ms = time.time() * 1000
    upload_position(client, world, *target)
    wait_until_moved(page, user_id, sent_ms)

    officer = next(f for f in source_data(page, "positions")["features"] if f["id"] == user_id)
    assert officer["geometry"]["coordinates"] == target
    assert [url for url in page.requests if "/api/v1/positions" in url] == asked_before, "no polling"


def test_a_sweep_is_started_by_drawing_and_its_task_reassigned(page, server, world, client, session):
    spare = make_team(session, "T101", make_user(session, Role.officer, "T101"), call_sign="西巡02")
    login(page, server, world["dispatcher"])
    lon, lat = IN_WEST[0] - 0.01, IN_WEST[1]  # the never-visited hotspot
    corners = [
        (lon - 0.004, lat - 0.004),
        (lon + 0.004, lat - 0.004),
        (lon + 0.004, lat + 0.004),
        (lon - 0.004, lat + 0.004),
    ]

    page.click("#draw-sweep")
    canvas = page.locator("#map canvas").bounding_box()
    for corner in corners:
        pixel = page.evaluate("(c) => patrolConsole.map.project(c)", list(corner))
        page.mouse.click(canvas["x"] + pixel["x"], canvas["y"] + pixel["y"])
    page.click("#finish-drawing")
    page.select_option("#sweep-form select[name=kind]", "cold")
    page.click("#sweep-form button[type=submit]")
    page.wait_for_selector("#panel-sweeps-board .sweep .task")

    sweeps = client.get("/api/v1/sweeps", headers=world["dispatcher"].headers).json()
    assert len(sweeps) == 1 and sweeps[0]["kind"] == "cold" and sweeps[0]["trigger"] == "person"
    vertices = vertices_of(sweeps[0]["area"])
    assert all(any(abs(x - lon) < 2e-4 and abs(y - lat) < 2e-4 for lon, lat in vertices) for x, y in corners)
    tasks = client.get(f"/api/v1/sweeps/{sweeps[0]['id']}/tasks", headers=world["dispatcher"].headers).json()
    assert [t["hotspot_id"] for t in tasks] == [str(world["hotspots"]["never"].id)]

    page.select_option(f"#panel-sweeps-board .task[data-id='{tasks[0]['id']}'] select", str(spare.id))
    page.wait_for_function(
        "([id, team]) => document.querySelector(`.task[data-id='${id}'] select`)?.value === team",
        arg=[tasks[0]["id"], str(spare.id)],
    )
    deadline = time.monotonic() + 5
    while client.get(f"/api/v1/sweeps/{sweeps[0]['id']}/tasks", headers=world["dispatcher"].headers).json()[
        0
    ]["team_id"] != str(spare.id):
        assert time.monotonic() < deadline, "the reassignment never reached the API"
        time.sleep(0.05)
    page.wait_for_function(
        "async ([id, team]) => (await patrolConsole.map.getSource('sweep-tasks').getData())"
        ".features.some(f => f.id === id && f.properties.team_id === team)",
        arg=[tasks[0]["id"], str(spare.id)],
    )


def test_a_lead_is_assigned_from_the_queue_and_follows_the_team_live(page, server, world, session, client):
    operator = make_user(session, Role.hotline_operator, "T100")
    spare_officer = make_user(session, Role.officer, "T101")
    spare = make_team(session, "T101", spare_officer, call_sign="西巡03")
    place = {"lon": round(IN_WEST[0] + 0.002, 7), "lat": IN_WEST[1]}
    lead = client.post(
        "/api/v1/leads", json={"description": "桥下有人", "place": place}, headers=operator.headers
    ).json()
    assert lead["offer"]["call_sign"] == "西巡01"  # the team on duty nearby
    login(page, server, world["dispatcher"])
    row = f"#panel-leads-queue li.lead[data-id='{lead['id']}']"
    page.wait_for_selector(f"{row}.offered")
    drawn = source_data(page, "leads")["features"]
    assert [(f["properties"]["id"], f["geometry"]["coordinates"]) for f in drawn] == [
        (lead["id"], [place["lon"], place["lat"]])
    ]

    page.select_option(f"{row} select.assign", str(spare.id))
    page.wait_for_selector(f"{row}.accepted:has-text('西巡03')")
    stored = client.get(f"/api/v1/leads/{lead['id']}", headers=world["dispatcher"].headers).json()
    assert stored["team_id"] == str(spare.id) and stored["status"] == "accepted"

    arrived = client.post(f"/api/v1/leads/{lead['id']}/arrive", json={}, headers=spare_officer.headers)
    assert arrived.status_code == 200
    page.wait_for_selector(f"{row}.arrived")  # moved by the event stream, no reload


def test_a_critical_alert_sounds_and_is_acknowledged(page, server, world, session, client):
    supervisor = make_user(session, Role.supervisor, "T101")
    login(page, server, supervisor)
    page.wait_for_selector("#stream.live")
    incident = {
        "kind": "danger_of_death",
        "occurred_at": datetime.now(UTC).isoformat(),
        "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]},
        "description": "涵洞内老人意识模糊，已呼叫 120",
    }
    assert (
        client.post("/api/v1/incidents", json=incident, headers=world["officer"].headers).status_code == 201
    )

    page.wait_for_selector("#panel-alerts .alert.critical")
    assert page.evaluate("patrolConsole.stats.alarms") >= 1
    assert page.inner_text("#panel-alerts .badge") == "1"
    page.click("#panel-alerts .alert .ack")
    page.wait_for_selector("#panel-alerts li.empty")

    items = client.get("/api/v1/inbox", headers=supervisor.headers).json()["items"]
    assert [(i["kind"], i["acknowledged_at"] is not None) for i in items] == [("incident.critical", True)]


def test_the_english_switch_translates_and_is_kept_across_a_reload(page, server, world):
    login(page, server, world["dispatcher"])
    assert page.inner_text("#panel-sweeps-board h2") == "专项巡查"

    page.click("#top .language")
    assert page.inner_text("#panel-sweeps-board h2") == "Sweeps"
    assert page.inner_text("#layer-hotspots label") == "Hotspots"
    assert page.evaluate("document.documentElement.lang") == "en-GB"

    page.reload()
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert page.inner_text("#panel-teams h2") == "Teams"
    assert page.inner_text("#top h1") == "Patrol & relief dispatch"


def _tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (40, 52, 64)).save(out, format="PNG")
    return out.getvalue()


def test_a_gcj02_basemap_shifts_every_overlay(page, server, world, client, gcj02_basemap):
    tile = _tile()
    tiles: list[str] = []
    page.route(
        f"{gcj02_basemap}/**",
        lambda route: (tiles.append(route.request.url), route.fulfill(body=tile, content_type="image/png")),
    )
    login(page, server, world["dispatcher"])

    def shifted(lon, lat):
        return [round(v, 7) for v in point_from_wgs84(Datum.gcj02, lon, lat)]

    for feature in source_data(page, "hotspots")["features"]:
        hotspot = next(h for h in world["hotspots"].values() if str(h.id) == feature["id"])
        wgs84 = client.get(f"/api/v1/hotspots/{hotspot.id}", headers=world["dispatcher"].headers).json()
        assert feature["geometry"]["coordinates"] == shifted(*wgs84["geometry"]["coordinates"])
    [officer] = source_data(page, "positions")["features"]
    assert officer["geometry"]["coordinates"] == shifted(*IN_WEST)
    west = next(f for f in source_data(page, "boundaries")["features"] if f["id"] == "T101")
    stored = client.get("/api/v1/jurisdictions/T101", headers=world["dispatcher"].headers).json()
    assert vertices_of(west["geometry"]) == [shifted(*vertex) for vertex in vertices_of(stored["geometry"])]

    page.wait_for_selector("#stream.live")
    target = (IN_WEST[0] + 0.0004, IN_WEST[1] + 0.0003)
    sent_ms = time.time() * 1000
    upload_position(client, world, *target)
    wait_until_moved(page, str(world["officer"].user.id), sent_ms)
    [officer] = source_data(page, "positions")["features"]
    assert officer["geometry"]["coordinates"] == shifted(*target)

    api_calls = [url for url in page.requests if "/api/v1/" in url and "/api/v1/auth/" not in url]
    assert api_calls and all("datum=gcj02" in url for url in api_calls)
    assert tiles, "the basemap tiles were never asked for"
    assert {url.split("/")[2] for url in page.requests.foreign(server)} == {"tiles.test"}


def test_the_page_asks_no_other_host_for_anything(page, server, world):
    login(page, server, world["dispatcher"])
    page.evaluate("patrolConsole.map.zoomTo(15, {animate: false})")
    page.wait_for_function("patrolConsole.map.loaded()")
    page.click("#top .language")

    assert page.requests.foreign(server) == []
    served = {url.removeprefix(server) for url in page.requests}
    assert {
        "/console",
        "/console/static/vendor/maplibre-gl/maplibre-gl.mjs",
        "/console/static/vendor/maplibre-gl/maplibre-gl.css",
        "/console/static/console.css",
    } <= served


@pytest.mark.parametrize(
    "path", ["/console/static/js/main.js", "/console/static/vendor/maplibre-gl/maplibre-gl.mjs"]
)
def test_modules_are_served_as_javascript(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")


def test_the_api_docs_render_from_this_server_alone(page, server):
    page.goto(f"{server}/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-summary-path")  # the operations, read from /openapi.json
    assert page.requests.foreign(server) == []
    assert page.errors == [], "nothing blocked by the page's policy"
