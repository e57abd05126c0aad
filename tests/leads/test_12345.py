"""12345 platform tickets: signed intake, idempotency, and the flow reported back."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr

from api.leads.models import Lead
from api.settings import get_settings
from tests.leads.conftest import on_duty

SECRET = "shared-12345-secret"


class Platform:
    """A stand-in for the 12345 platform's callback endpoint: it checks signatures and keeps steps."""

    def __init__(self, failures: int = 0) -> None:
        self.steps: list[dict] = []
        self.failures = failures
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                if self.headers.get("X-Signature") != f"sha256={expected}":
                    self.send_response(401)
                elif platform.failures > 0:
                    platform.failures -= 1
                    self.send_response(503)
                else:
                    platform.steps.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def platform():
    settings = get_settings()
    settings.hotline12345_secret = SecretStr(SECRET)
    fake = Platform(failures=1)
    yield fake
    fake.close()
    settings.hotline12345_secret = None


def ticket(platform: Platform, **extra) -> dict:
    return {
        "ticket_no": "GD20261129000123",
        "accept_time": "2026-11-29T21:05:00+08:00",
        "content": "市民反映桥洞下有人露宿",
        "address": "解放路桥洞",
        "lng": 120.05,
        "lat": 30.1,
        "coord_type": "wgs84",
        "area_code": "T100",
        "caller_phone": "13600002222",
        "callback_url": platform.url,
        **extra,
    }


def send(client, body: dict, secret: str = SECRET):
    raw = json.dumps(body, ensure_ascii=False).encode()
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        "/api/v1/integrations/12345/tickets",
        content=raw,
        headers={"Content-Type": "application/json", "X-Signature": f"sha256={signature}"},
    )


def test_a_ticket_becomes_one_lead_and_its_flow_is_reported_back(client, session, desk, platform, drain_jobs):
    team = on_duty(client, session, "T101", (120.051, 30.1), "热1")
    first = send(client, ticket(platform))
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "offered"
    again = send(client, ticket(platform))
    assert again.json()["lead_id"] == first.json()["lead_id"]
    assert session.query(Lead).count() == 1
    lead_id = first.json()["lead_id"]

    client.post(f"/api/v1/leads/{lead_id}/accept", headers=team["officer"].headers)
    client.post(
        f"/api/v1/leads/{lead_id}/close",
        json={"outcome": "no_one_in_need", "public_note": "到场查看，当事人已自行离开"},
        headers=team["officer"].headers,
    )
    drain_jobs(lambda: len(platform.steps) == 5, timeout=90)
    assert [s["step"] for s in platform.steps] == ["受理", "派单", "办理", "答复", "办结"]
    assert {s["ticket_no"] for s in platform.steps} == {"GD20261129000123"}
    assert platform.steps[3]["note"] == "到场查看，当事人已自行离开"


def test_unsigned_or_malformed_tickets_change_nothing(client, session, desk, platform):
    assert send(client, ticket(platform), secret="wrong").status_code == 401
    no_signature = client.post("/api/v1/integrations/12345/tickets", json=ticket(platform))
    assert no_signature.status_code == 401
    assert send(client, ticket(platform, area_code="NOPE")).status_code == 422
    assert send(client, ticket(platform, lng="east")).status_code == 422
    assert send(client, ticket(platform, callback_url="ftp://x")).status_code == 422
    assert send(client, ticket(platform, lng=None, lat=None, address=None)).status_code == 422
    assert send(client, {"ticket_no": "x" * 70_000}).status_code == 413
    assert session.query(Lead).count() == 0


def test_gcj02_ticket_positions_are_stored_in_wgs84(client, session, desk, platform):
    from geoalchemy2.shape import to_shape

    from geo.datum import Datum, point_from_wgs84

    lon, lat = point_from_wgs84(Datum.gcj02, 120.05, 30.1)
    assert abs(lon - 120.05) > 1e-3  # really shifted
    created = send(client, ticket(platform, lng=lon, lat=lat, coord_type="gcj02"))
    stored = to_shape(session.get(Lead, created.json()["lead_id"]).geom)
    assert abs(stored.x - 120.05) < 1e-5 and abs(stored.y - 30.1) < 1e-5
