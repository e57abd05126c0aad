"""HTTP hardening: security headers and per-page CSP, CORS for configured origins only, the
request body limit (declared and streamed) and access logs without query strings."""

import http.client
import json
import logging
import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from api.auth.models import Role
from api.http_security import API_POLICY
from tests.factories import IN_WEST, make_team, make_user

CONSOLE = "https://console.patrol.example"


def assert_base_headers(response):
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/hotspots", "/no/such/page", "/openapi.json"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    assert_base_headers(response)
    assert response.headers["content-security-policy"] == API_POLICY
    assert "strict-transport-security" not in response.headers


def test_hsts_when_configured_and_no_caching_of_signed_in_answers(client, dispatcher, monkeypatch, settings):
    monkeypatch.setattr(settings, "hsts_seconds", 31536000)
    response = client.get("/api/v1/auth/me", headers=dispatcher.headers)
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert response.headers["cache-control"] == "no-store"


def nonce_of(response) -> str:
    found = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"])
    assert found, response.headers["content-security-policy"]
    return found.group(1)


def test_the_report_page_runs_only_its_own_inline_style_and_script(client, city):
    first, second = client.get("/report"), client.get("/report")
    assert first.status_code == 200
    assert_base_headers(first)
    policy = first.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "form-action 'self'" in policy and "unsafe-inline" not in policy
    nonce = nonce_of(first)
    assert first.text.count(f'nonce="{nonce}"') == 2  # the <style> and the <script>
    assert len(re.findall(r"<(?:script|style)\b", first.text)) == 2
    assert nonce_of(second) != nonce


@pytest.mark.parametrize("path", ["/docs", "/docs/oauth2-redirect"])
def test_the_api_docs_work_under_their_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    nonce = nonce_of(response)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.text)
    assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)
    if path == "/docs":
        policy = response.headers["content-security-policy"]
        assert "https:" not in policy and "script-src 'self' 'nonce-" in policy, "no CDN"
        for asset in ("/docs/static/swagger-ui-bundle.js", "/docs/static/swagger-ui.css"):
            assert asset in response.text
            assert client.get(asset).status_code == 200
        assert "/openapi.json" in response.text


def test_a_page_prefix_can_have_its_own_policy(client, monkeypatch, settings):
    monkeypatch.setattr(settings, "csp_by_path", {"/console": "default-src 'self'; frame-ancestors 'none'"})
    assert client.get("/console/index.html").headers["content-security-policy"] == (
        "default-src 'self'; frame-ancestors 'none'"
    )
    assert client.get("/consoles").headers["content-security-policy"] == API_POLICY


def preflight(client, origin):
    return client.options(
        "/api/v1/hotspots",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization,dpop",
        },
    )


def test_no_cross_origin_access_by_default(client):
    assert "access-control-allow-origin" not in preflight(client, CONSOLE).headers
    simple = client.get("/api/v1/health", headers={"Origin": CONSOLE})
    assert "access-control-allow-origin" not in simple.headers


def test_configured_origins_only(client, monkeypatch, settings):
    monkeypatch.setattr(settings, "cors_origins", [CONSOLE])
    allowed = preflight(client, CONSOLE)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == CONSOLE
    assert "dpop" in allowed.headers["access-control-allow-headers"].lower()
    assert (
        client.get("/api/v1/health", headers={"Origin": CONSOLE}).headers["access-control-allow-origin"]
        == CONSOLE
    )
    evil = "https://evil.example"
    assert "access-control-allow-origin" not in preflight(client, evil).headers
    assert "access-control-allow-origin" not in client.get("/api/v1/health", headers={"Origin": evil}).headers


def connection(server) -> http.client.HTTPConnection:
    address = urlsplit(server)
    return http.client.HTTPConnection(address.hostname, address.port, timeout=20)


def assert_413(response):
    assert response.status == 413
    assert response.getheader("content-type") == "application/problem+json"
    body = json.loads(response.read())
    assert body["type"] == "/problems/body-too-large" and "at most" in body["detail"]
    assert response.getheader("x-content-type-options") == "nosniff"


def test_a_declared_body_over_the_limit_is_refused_before_it_is_sent(server, settings, dispatcher):
    http_ = connection(server)
    http_.putrequest("POST", f"/api/v1/patrols/{uuid.uuid4()}/track")
    http_.putheader("Content-Type", "application/json")
    http_.putheader("Authorization", dispatcher.headers["Authorization"])
    http_.putheader("Content-Length", str(settings.max_body_bytes + 1))
    http_.endheaders()  # not a byte of the body follows
    assert_413(http_.getresponse())
    http_.close()


def test_a_streamed_body_is_cut_off_at_the_limit(server, monkeypatch, settings, dispatcher):
    monkeypatch.setattr(settings, "max_body_bytes", 64 * 1024)
    http_ = connection(server)
    http_.putrequest("POST", "/api/v1/hotspots")
    http_.putheader("Content-Type", "application/json")
    http_.putheader("Authorization", dispatcher.headers["Authorization"])
    http_.putheader("Transfer-Encoding", "chunked")
    http_.endheaders()
    chunk = b"[" + b" " * 8190 + b"]"
    for _ in range(10):  # 80 KiB, and the body never ends
        http_.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
    assert_413(http_.getresponse())
    http_.close()


def test_a_full_track_upload_of_5000_points_fits_generously(client, session, settings, officer_on_shift):
    account, shift_id = officer_on_shift
    start = datetime.now(UTC) - timedelta(hours=1, minutes=30)
    points = [
        {
            "id": str(uuid.uuid4()),
            "t": (start + timedelta(seconds=i)).astimezone().isoformat(),
            "lon": IN_WEST[0] + i * 1.234567e-6,
            "lat": IN_WEST[1] + i * 7.654321e-7,
            "datum": "gcj02",
            "accuracy_m": 7.891234,
            "speed_mps": 1.3456789,
            "heading_deg": 271.123456,
            "battery_pct": 64,
        }
        for i in range(5000)
    ]
    body = json.dumps({"points": points}, indent=2).encode()
    assert len(body) > 1_500_000 and len(body) * 4 < settings.max_body_bytes
    response = client.post(
        f"/api/v1/patrols/{shift_id}/track",
        content=body,
        headers={**account.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["received"] == 5000


@pytest.fixture
def officer_on_shift(client, session, city):
    account = make_user(session, Role.officer, "T101")
    team = make_team(session, "T101", account)
    started = client.post(
        "/api/v1/patrols",
        json={"team_id": str(team.id), "started_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat()},
        headers=account.headers,
    )
    assert started.status_code == 201, started.text
    return account, started.json()["id"]


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_access_logs_carry_no_query_strings_or_receipt_tokens(client, city):
    access = logging.getLogger("uvicorn.access")
    records, level = Records(), access.level
    access.setLevel(logging.INFO)
    access.addHandler(records)
    try:
        client.get("/api/v1/hotspots", params={"reason": "王小明 的病历"})
        client.get("/open311/v2/tokens/q8Zx1vR0cM3h5nT2yW7pLk9a.json")
    finally:
        access.removeHandler(records)
        access.setLevel(level)
    assert any("/api/v1/hotspots" in line for line in records.lines), records.lines
    assert any("/open311/v2/tokens/" in line for line in records.lines), records.lines
    joined = "\n".join(records.lines)
    assert "reason" not in joined and "%E7%8E%8B" not in joined and "q8Zx1vR0cM3h5nT2yW7pLk9a" not in joined


def test_no_operation_takes_a_reason_or_personal_field_in_its_url():
    """Audited reads carry their reason in a POST body: URLs end up in proxy logs and history."""
    from api.main import app

    personal = {"reason", "name", "known_name", "phone", "contact", "description", "id_number"}
    in_urls = [
        (method.upper(), path, parameter["name"])
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and parameter["name"] in personal
    ]
    assert in_urls == []
