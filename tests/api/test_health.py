import os
import subprocess
import sys
import time

import httpx

from tests.conftest import free_port


def test_health_reports_database_and_postgis_versions(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"].startswith("PostgreSQL 1")
    assert body["postgis"].startswith("3.")


def test_health_answers_503_while_the_database_is_unreachable():
    port, dead_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"postgresql+psycopg://nobody@127.0.0.1:{dead_port}/nothing"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    try:
        response = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=10)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None, "server did not start"
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
        assert response.json()["detail"] == "database unreachable"
        # any route that needs the database says the same, never a 500
        login = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/auth/token", data={"username": "a", "password": "b"}, timeout=10
        )
        assert login.status_code == 503 and login.headers["retry-after"] == "5"
        assert login.json()["type"].endswith("database-unavailable")
    finally:
        process.terminate()
        process.wait(timeout=10)
