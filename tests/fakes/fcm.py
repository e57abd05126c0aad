"""A local stand-in for Google's OAuth token endpoint and the FCM HTTP v1 send endpoint.

firebase-admin talks to it through its own HTTP client: a service-account file whose
``token_uri`` points here gets an access token, and the provider's endpoint setting sends
messages here. Each request body is checked against the v1 ``messages:send`` shape; the
answer depends on the token's prefix:

- ``unregistered-``: 404 NOT_FOUND with errorCode UNREGISTERED
- ``invalid-``: 400 INVALID_ARGUMENT
- ``quota-``: 429 QUOTA_EXCEEDED, every time
- ``down-``: 503 UNAVAILABLE, every time
- ``flaky-``: 503 for the first ``flaky_failures`` requests of that token, then success
- anything else: success, recorded in ``accepted``

While ``outage`` is set, every send answers 503 UNAVAILABLE, whatever the token.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ACCESS_TOKEN = "fake-fcm-access-token"
SEND_PATH = re.compile(r"^/v1/projects/(?P<project>[\w-]+)/messages:send$")
_ERRORS = {
    "unregistered-": (404, "NOT_FOUND", "UNREGISTERED"),
    "invalid-": (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"),
    "quota-": (429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"),
    "down-": (503, "UNAVAILABLE", "UNAVAILABLE"),
}


class FakeFcm:
    def __init__(
        self, project_id: str = "patrol-test", delay_s: float = 0.0, flaky_failures: int = 2
    ) -> None:
        self.project_id = project_id
        self.delay_s = delay_s
        self.flaky_failures = flaky_failures
        self.accepted: list[dict] = []
        self.invalid_requests: list[str] = []
        self.attempts: Counter[str] = Counter()
        self.received = 0  # send requests that arrived, answered or not
        self.outage = False
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeFcm:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def write_service_account(self, path: Path) -> Path:
        """A service-account file with a fresh key whose token endpoint is this server."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        path.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": self.project_id,
                    "private_key_id": "test-key",
                    "private_key": pem,
                    "client_email": f"push@{self.project_id}.iam.gserviceaccount.com",
                    "client_id": "1",
                    "token_uri": f"{self.url}/token",
                }
            )
        )
        return path

    def accepted_ids(self) -> Counter[str]:
        with self._lock:
            return Counter(m["message"]["data"]["notification_id"] for m in self.accepted)

    # -- request handling ------------------------------------------------------------------

    def _check_message(self, body: dict) -> str | None:
        message = body.get("message")
        if not isinstance(message, dict):
            return "body has no message object"
        targets = [k for k in ("token", "topic", "condition") if k in message]
        if targets != ["token"] or not isinstance(message["token"], str) or not message["token"]:
            return f"exactly one non-empty target expected, got {targets}"
        data = message.get("data", {})
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            return "data values must all be strings"
        if "notification_id" not in data:
            return "no notification_id in data"
        android = message.get("android", {})
        if android.get("priority") not in (None, "normal", "high"):
            return f"bad android priority {android.get('priority')!r}"
        headers = message.get("apns", {}).get("headers", {})
        if not all(isinstance(v, str) for v in headers.values()):
            return "apns headers must be strings"
        notification = message.get("notification", {})
        if not isinstance(notification.get("title", ""), str) or not isinstance(
            notification.get("body", ""), str
        ):
            return "notification title and body must be strings"
        return None

    def _answer(self, token: str) -> tuple[int, dict]:
        with self._lock:
            self.attempts[token] += 1
            attempt = self.attempts[token]
        if self.outage:
            return 503, _error(503, "UNAVAILABLE", "UNAVAILABLE")
        for prefix, (status, code, error_code) in _ERRORS.items():
            if token.startswith(prefix):
                return status, _error(status, code, error_code)
        if token.startswith("flaky-") and attempt <= self.flaky_failures:
            return 503, _error(503, "UNAVAILABLE", "UNAVAILABLE")
        return 200, {}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Google front ends do
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:
                pass

            def _reply(self, status: int, body: dict) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/token":
                    form = parse_qs(raw.decode())
                    if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
                        return self._reply(400, {"error": "unsupported_grant_type"})
                    return self._reply(
                        200, {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
                    )
                match = SEND_PATH.match(self.path)
                if not match or match["project"] != fake.project_id:
                    return self._reply(404, _error(404, "NOT_FOUND", None))
                if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
                    return self._reply(401, _error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"))
                body = json.loads(raw)
                problem = fake._check_message(body)
                if problem:
                    with fake._lock:
                        fake.invalid_requests.append(problem)
                    return self._reply(400, _error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"))
                with fake._lock:
                    fake.received += 1
                if fake.delay_s:
                    time.sleep(fake.delay_s)
                status, answer = fake._answer(body["message"]["token"])
                if status == 200:
                    with fake._lock:
                        fake.accepted.append(body)
                    answer = {"name": f"projects/{fake.project_id}/messages/{len(fake.accepted)}"}
                self._reply(status, answer)

        return Handler


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # firebase-admin opens up to 500 connections at once
    daemon_threads = True


def _error(status: int, code: str, error_code: str | None) -> dict:
    error = {"code": status, "message": code.lower().replace("_", " "), "status": code}
    if error_code:
        error["details"] = [
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}
        ]
    return {"error": error}
