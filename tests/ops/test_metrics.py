"""/metrics: request latency per route template, ingest counters and figures read from the
database at scrape time; served only to a configured scraper."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from notifications.queue import MAINTENANCE_QUEUE, PUSH_QUEUE, defer
from tests.factories import IN_EAST, track
from tests.sweeps.test_sweeps import manual_sweep

TOKEN = "scrape-token-0123456789"


def scrape(client) -> dict[str, list]:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {family.name: family.samples for family in text_string_to_metric_families(answer.text)}


def pushes(client) -> list:
    return scrape(client)["patrol_push_deliveries"]


def matching(samples, name: str, **labels) -> list[float]:
    return [s.value for s in samples if s.name == name and labels.items() <= s.labels.items()]


def value(samples, name: str, **labels) -> float:
    found = matching(samples, name, **labels)
    assert len(found) == 1, (name, labels, samples)
    return found[0]


def test_metrics_after_requests_uploads_and_queued_jobs(client, crew, shift, session, monkeypatch, settings):
    monkeypatch.setattr(settings, "metrics_token", TOKEN)
    route = "/api/v1/patrols/{shift_id}/track"
    before = scrape(client)
    earlier = before.get("patrol_http_requests", [])
    requests_before = sum(matching(earlier, "patrol_http_requests_total", route=route))

    points = track((113.0, 28.2, datetime.now(UTC) - timedelta(minutes=30)), seconds=60, step_s=5)
    for _ in range(2):  # the second batch is a resend: stored once
        answer = client.post(
            f"/api/v1/patrols/{shift['id']}/track", json={"points": points}, headers=crew["first"].headers
        )
        assert answer.status_code == 200, answer.text
    for _ in range(3):
        missing = client.get(f"/api/v1/hotspots/{uuid.uuid4()}", headers=crew["dispatcher"].headers)
        assert missing.status_code == 404

    defer(session, "prune_events", queue=MAINTENANCE_QUEUE)
    defer(session, "prune_events", queue=MAINTENANCE_QUEUE)
    session.commit()
    session.execute(text("UPDATE procrastinate_events SET at = now() - interval '90 seconds'"))
    session.commit()

    families = scrape(client)
    requests = families["patrol_http_requests"]
    assert value(requests, "patrol_http_requests_total", method="POST", route=route, status="200") >= 2
    assert sum(matching(requests, "patrol_http_requests_total", route=route)) - requests_before == 2
    hotspot = "/api/v1/hotspots/{hotspot_id}"
    assert value(requests, "patrol_http_requests_total", method="GET", route=hotspot, status="404") >= 3
    assert not [s for s in requests if shift["id"] in s.labels["route"]]  # templates, never raw paths
    latency = families["patrol_http_request_duration_seconds"]
    assert value(latency, "patrol_http_request_duration_seconds_count", method="POST", route=route) >= 2

    points_stored = value(families["patrol_gps_points"], "patrol_gps_points_total", result="stored")
    duplicates = value(families["patrol_gps_points"], "patrol_gps_points_total", result="duplicate")
    assert points_stored >= len(points) and duplicates >= len(points)
    assert value(families["patrol_gps_batches"], "patrol_gps_batches_total") >= 2

    assert value(families["patrol_database_up"], "patrol_database_up") == 1
    waiting = families["patrol_queue_jobs_waiting"]
    assert value(waiting, "patrol_queue_jobs_waiting", queue=MAINTENANCE_QUEUE) == 2
    oldest = families["patrol_queue_oldest_job_age_seconds"]
    age = value(oldest, "patrol_queue_oldest_job_age_seconds", queue=MAINTENANCE_QUEUE)
    assert 89 <= age < 200
    assert value(families["patrol_handovers_overdue"], "patrol_handovers_overdue") == 0
    assert value(families["patrol_leads_overdue"], "patrol_leads_overdue") == 0
    assert "patrol_push_deliveries" in families and "patrol_sweep_tasks" in families


def test_metrics_are_off_until_configured(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(client, monkeypatch, settings):
    monkeypatch.setattr(settings, "metrics_token", TOKEN)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_metrics_only_from_configured_addresses(client, monkeypatch, settings):
    monkeypatch.setattr(settings, "metrics_allow_from", ["10.0.0.0/8", "::1"])
    assert client.get("/metrics").status_code == 403
    monkeypatch.setattr(settings, "metrics_allow_from", ["127.0.0.0/8"])
    assert client.get("/metrics").status_code == 200
    monkeypatch.setattr(settings, "metrics_token", TOKEN)  # both configured: both needed
    assert client.get("/metrics").status_code == 401


@pytest.mark.slow
def test_uvicorn_workers_add_up_their_counters(start_api, migrated):
    """`patrol serve --workers 2`: whichever worker answers the scrape counts both workers' requests."""
    api = start_api(env={"PATROL_METRICS_TOKEN": TOKEN}, workers=2)
    for _ in range(20):
        assert httpx.get(api.url + "/api/v1/health/live").status_code == 200
    headers = {"Authorization": f"Bearer {TOKEN}"}
    totals = set()
    for _ in range(6):
        page = httpx.get(api.url + "/metrics", headers=headers).text
        samples = [s for f in text_string_to_metric_families(page) for s in f.samples]
        totals.add(value(samples, "patrol_http_requests_total", route="/api/v1/health/live", status="200"))
    assert len(totals) == 1 and totals.pop() >= 21  # the start-up poll included


def test_open_work_figures(fcm, drain_jobs, client, session, world, monkeypatch, settings):
    """A sweep's tasks, the pushes it queued and a lead past its deadline, as the scrape reads them."""
    monkeypatch.setattr(settings, "metrics_token", TOKEN)
    for number, officer in enumerate(world["officers"]):
        phone = {"token": f"fcm-token-officer-{number}", "platform": "android", "app_version": "1.4.2"}
        assert client.post("/api/v1/devices", json=phone, headers=officer.headers).status_code == 201
    sweep = manual_sweep(client, world["dispatcher"])
    lead = client.post(
        "/api/v1/public/leads",
        json={"description": "天桥下有老人躺着，叫不醒", "place": {"lon": IN_EAST[0], "lat": IN_EAST[1]}},
    )
    assert lead.status_code == 201, lead.text
    samples = [s for family in scrape(client).values() for s in family]
    assert value(samples, "patrol_sweep_tasks", sweep_id=str(sweep["id"]), state="pending") == 3
    assert value(samples, "patrol_leads_overdue") == 0
    assert value(samples, "patrol_queue_jobs_waiting", queue=PUSH_QUEUE) >= 1
    assert value(samples, "patrol_push_deliveries", outcome="pending") == 2  # one per officer's phone

    drain_jobs(
        lambda: not matching(pushes(client), "patrol_push_deliveries", outcome="pending"), queues=[PUSH_QUEUE]
    )
    assert value(pushes(client), "patrol_push_deliveries", outcome="sent") == 2

    session.execute(text("UPDATE leads SET deadline_at = now() - interval '1 minute'"))
    session.commit()
    samples = [s for family in scrape(client).values() for s in family]
    assert value(samples, "patrol_leads_overdue") == 1
