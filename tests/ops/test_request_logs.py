"""Every answer carries a request id, and every log line of the request names it."""

import json
import re

import httpx
import pytest


def test_a_well_formed_request_id_is_echoed(client):
    answer = client.get("/api/v1/health/live", headers={"X-Request-ID": "lb-7f3a9c01-attempt-2"})
    assert answer.headers["X-Request-ID"] == "lb-7f3a9c01-attempt-2"


def test_a_missing_or_malformed_request_id_is_replaced(client):
    fresh = client.get("/api/v1/health/live")
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["X-Request-ID"])
    for bad in ("short", "has spaces in it", "x" * 200, '"quoted";injected'):
        answer = client.get("/api/v1/health/live", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"]), bad
    assert client.get("/nowhere").headers["X-Request-ID"]  # a 404 too


@pytest.mark.slow  # a `patrol serve` process
def test_log_lines_are_json_with_the_request_id_and_no_query_or_address(start_api, dispatcher):
    api = start_api()
    answer = httpx.get(
        api.url + "/api/v1/hotspots",
        params={"q": "张三 桥洞", "reason": "secret-reason"},
        headers={**dispatcher.headers, "X-Request-ID": "req-0123456789"},
    )
    assert answer.status_code == 200
    httpx.get(api.url + "/api/v1/health/live")
    api.process.terminate()
    api.process.wait(timeout=15)

    lines = [json.loads(line) for line in api.log_lines()]  # every line is one JSON object
    ours = [line for line in lines if line.get("request_id") == "req-0123456789"]
    assert len(ours) == 1
    access = ours[0]
    assert access["logger"] == "uvicorn.access"
    assert access["level"] == "INFO"
    assert access["method"] == "GET"
    assert access["path"] == "/api/v1/hotspots"
    assert access["status"] == 200
    assert access["message"] == "GET /api/v1/hotspots 200"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", access["time"])
    text = api.log.read_text()
    for leaked in ("secret-reason", "张三", "Bearer", dispatcher.headers["Authorization"][7:]):
        assert leaked not in text
    assert "127.0.0.1" not in json.dumps([line for line in lines if line["logger"] == "uvicorn.access"])
    startup = [line for line in lines if line["logger"] == "uvicorn.error"]
    assert startup and all(line["request_id"] is None for line in startup)
