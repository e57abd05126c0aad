"""Liveness needs no database; readiness needs the database at the migrations' head."""

import pytest
from sqlalchemy import text

from api.db import get_engine


def test_live_and_ready(client):
    assert client.get("/api/v1/health/live").json() == {"status": "ok"}
    ready = client.get("/api/v1/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ok"}


def test_not_ready_while_the_schema_is_behind(client):
    with get_engine().begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("UPDATE alembic_version SET version_num = '0010'"))
    try:
        answer = client.get("/api/v1/health/ready")
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "30"
        assert answer.json()["type"].endswith("/schema-not-at-head")
        assert "patrol migrate" in answer.json()["detail"]
    finally:
        with get_engine().begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    assert client.get("/api/v1/health/ready").status_code == 200


@pytest.mark.slow  # a `patrol serve` process
def test_not_ready_without_a_database_but_alive(start_api, migrated):
    api = start_api(env={"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    import httpx

    assert httpx.get(api.url + "/api/v1/health/live").status_code == 200
    ready = httpx.get(api.url + "/api/v1/health/ready", timeout=30)
    assert ready.status_code == 503
    assert ready.headers["Retry-After"] == "5"
    assert ready.json()["type"].endswith("/database-unavailable")
