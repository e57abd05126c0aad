"""The public's web form and JSON endpoint: receipts, status, photos, limits and privacy."""

import base64
import re

import pytest
import sqlalchemy as sa

from api.leads.models import Lead, LeadPhoto
from api.settings import get_settings
from tests.db_faults import answer_when_cut_off, assert_told_to_retry
from tests.leads.conftest import hotline, on_duty

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


@pytest.fixture
def limits():
    """Lower the public limits for one test."""
    settings = get_settings()
    saved = settings.lead_public_per_client_hour, settings.lead_public_per_area_hour
    yield settings
    settings.lead_public_per_client_hour, settings.lead_public_per_area_hour = saved


def report(client, **body):
    payload = {"description": "公园长椅上有人睡觉，穿得很少", "contact_phone": "13912345678", **body}
    return client.post("/api/v1/public/leads", json=payload)


def test_a_public_report_is_followed_with_its_receipt_and_leaks_nothing(client, session, desk):
    team = on_duty(client, session, "T101", (120.051, 30.1), "公1")
    sent = report(client, place={"lon": 120.05, "lat": 30.1}, photos=[base64.b64encode(PNG).decode()])
    assert sent.status_code == 201, sent.text
    receipt = sent.json()
    assert set(receipt) == {"number", "receipt_token", "status_url"}
    lead = session.scalar(sa.select(Lead).where(Lead.number == receipt["number"]))
    assert lead.source == "web" and lead.status == "offered" and lead.reporter_hint == "139****5678"
    assert (
        session.scalar(sa.select(LeadPhoto.content_type).where(LeadPhoto.lead_id == lead.id)) == "image/png"
    )

    def stage() -> dict:
        answer = client.post("/api/v1/public/leads/status", json={"receipt_token": receipt["receipt_token"]})
        assert answer.status_code == 200
        return answer.json()

    assert stage()["stage"] == "dispatched"
    client.post(f"/api/v1/leads/{lead.id}/accept", headers=team["officer"].headers)
    client.post(
        f"/api/v1/leads/{lead.id}/close",
        json={"outcome": "no_one_in_need", "public_note": "工作人员已到场查看"},
        headers=team["officer"].headers,
    )
    final = stage()
    assert final["status"] == "closed" and final["public_note"] == "工作人员已到场查看"
    assert set(final) == {
        "number",
        "status",
        "stage",
        "stage_label",
        "public_note",
        "requested_at",
        "updated_at",
    }
    whole = str(final)
    for secret in ("13912345678", "139****5678", "公园长椅", "120.05", "30.1", "公1", str(team["team"].id)):
        assert secret not in whole
    unknown = client.post("/api/v1/public/leads/status", json={"receipt_token": "not-a-real-token-at-all"})
    assert unknown.status_code == 404


def test_a_duplicate_report_shows_the_progress_of_the_lead_it_joined(client, session, desk):
    hotline(client, desk["operator"], 120.05, 30.1)
    receipt = report(client, place={"lon": 120.0501, "lat": 30.1001}).json()
    assert client.post("/api/v1/public/leads/status", json=receipt).json()["stage"] == "received"


def test_public_input_is_checked(client, session, desk):
    cases = [
        {"place": {"lon": 120.05, "lat": 30.1}, "description": ""},
        {"place": {"lon": 120.05, "lat": 95.0}},
        {"place_text": "某个桥洞"},  # words need an area
        {"place_text": "某个桥洞", "jurisdiction": "NOPE"},
        {"place": {"lon": 100.0, "lat": 20.0}},  # no area served there
        {"place": {"lon": 120.05, "lat": 30.1}, "photos": [base64.b64encode(b"GIF89a....").decode()]},
        {"place": {"lon": 120.05, "lat": 30.1}, "photos": ["not base64!"]},
        {"place": {"lon": 120.05, "lat": 30.1}, "contact_email": "nobody"},
    ]
    for body in cases:
        response = report(client, **body)
        assert response.status_code == 422, (body, response.text)
    assert session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 0


def test_photos_over_the_size_limit_are_refused(client, session, desk):
    big = PNG + b"\0" * get_settings().lead_max_photo_bytes
    response = report(client, place={"lon": 120.05, "lat": 30.1}, photos=[base64.b64encode(big).decode()])
    assert response.status_code == 422 and response.json()["type"].endswith("photo-too-large")


def test_limits_per_client_and_per_area_answer_429_with_retry_after(client, session, desk, limits):
    limits.lead_public_per_client_hour = 2
    for _ in range(2):
        assert report(client, place_text="某个桥洞", jurisdiction="T101").status_code == 201
    refused = report(client, place_text="某个桥洞", jurisdiction="T101")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 2

    session.execute(sa.text("DELETE FROM rate_counters"))
    session.commit()
    limits.lead_public_per_client_hour, limits.lead_public_per_area_hour = 100, 1
    assert report(client, place={"lon": 120.05, "lat": 30.1}).status_code == 201
    assert report(client, place={"lon": 120.0502, "lat": 30.1002}).status_code == 429  # same area
    assert report(client, place={"lon": 120.15, "lat": 30.1}).status_code == 201  # elsewhere


def test_the_web_form_works_without_scripts_from_anywhere(client, session, desk):
    page = client.get("/report")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'lang="zh-CN"' in page.text and "<form" in page.text
    assert not re.search(r"<script[^>]+src=", page.text) and "http://" not in page.text.replace(
        "http://www.w3", ""
    )
    assert "测试T101" in page.text

    sent = client.post(
        "/report",
        data={"description": "桥下有人", "place_text": "西边的桥", "jurisdiction": "T101", "urgent": "on"},
        files={"photo": ("p.png", PNG, "image/png")},
    )
    assert sent.status_code == 201, sent.text
    token = re.search(r"<code>([^<]+)</code>", sent.text).group(1)
    lead = session.scalar(sa.select(Lead))
    assert lead.urgency == "urgent" and lead.status == "new"
    status = client.post("/report/status", data={"receipt_token": token})
    assert status.status_code == 200 and "已受理" in status.text and "桥下有人" not in status.text

    bad = client.post("/report", data={"description": "", "place_text": "x", "jurisdiction": "T101"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    not_image = client.post(
        "/report",
        data={"description": "有人", "jurisdiction": "T101", "place_text": "x"},
        files={"photo": ("p.txt", b"hello", "text/plain")},
    )
    assert not_image.status_code == 422 and "JPEG" in not_image.text
    assert session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 1


def test_a_report_cut_off_while_its_deadline_job_is_queued_is_told_to_retry(
    client, session, desk, count_rows
):
    """The deadline job is queued by procrastinate on the request's own connection; losing the
    database there is a 503 with Retry-After (not a 500), and nothing of the report stays."""
    place = {"lon": 120.05, "lat": 30.1}
    cut_off = answer_when_cut_off(
        lambda: report(client, place=place), "procrastinate_jobs", "%procrastinate_defer%"
    )
    assert_told_to_retry(cut_off)
    assert count_rows("leads") == 0
    assert report(client, place=place).status_code == 201
