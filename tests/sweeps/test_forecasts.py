"""Forecast rules: a local server in Open-Meteo's format; crossing a threshold starts one sweep."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from api.settings import get_settings
from api.sweeps import forecasts
from api.sweeps.forecasts import ForecastError, evaluate, read_open_meteo
from api.sweeps.models import Level, SweepKind

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def hourly(temps, apparent=None) -> dict:
    times = [(NOW + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M") for i in range(len(temps))]
    return {
        "latitude": 30.1,
        "longitude": 120.1,
        "hourly_units": {"temperature_2m": "°C"},
        "hourly": {"time": times, "temperature_2m": temps, "apparent_temperature": apparent or temps},
    }


class ForecastServer:
    def __init__(self, document) -> None:
        self.document, self.requests = document, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(self.path)
                body = json.dumps(server.document).encode() if server.document is not None else b"oops"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.url = (
            f"http://127.0.0.1:{self.http.server_address[1]}/v1/forecast?latitude={{lat}}&longitude={{lon}}"
        )


@pytest.fixture
def forecast_server():
    settings = get_settings()
    before = settings.forecast_url
    started = []

    def start(document):
        server = ForecastServer(document)
        settings.forecast_url = server.url
        started.append(server)
        return server

    yield start
    settings.forecast_url = before
    for server in started:
        server.http.shutdown()


def sweeps(session):
    """(city, kind, level, trigger) of every sweep; the test world has two cities, T100 and X200."""
    session.rollback()
    return session.execute(
        sa.text(
            "SELECT j.code, s.kind, s.level, s.trigger FROM sweeps s "
            "JOIN jurisdictions j ON j.id = s.jurisdiction_id "
            "ORDER BY j.code"
        )
    ).all()


def test_a_cold_night_starts_exactly_one_sweep(session, city, forecast_server):
    server = forecast_server(
        hourly([5, 3, 1, -1, -2, 0, 2, 4] + [6] * 20, apparent=[3, 1, -1, -4, -5, -2, 0, 2] + [5] * 20)
    )
    forecasts.poll(session, now=NOW)
    session.commit()
    forecasts.poll(session, now=NOW)  # the next hour's poll sees the same night
    session.commit()
    expected = [(city, "cold", "orange", "rule") for city in ("T100", "X200")]
    assert sweeps(session) == expected, "one per city, not one per poll; apparent -5 °C is orange"
    assert "latitude=30.1" in server.requests[0] and "longitude=120." in server.requests[0]


def test_a_heat_wave_and_calm_weather(session, city, forecast_server):
    forecast_server(hourly([30, 33, 36, 38, 37, 34] + [28] * 20))
    forecasts.poll(session, now=NOW)
    session.commit()
    assert sweeps(session) == [(city, "heat", "orange", "rule") for city in ("T100", "X200")]


def test_mild_weather_starts_nothing(session, city, forecast_server):
    forecast_server(hourly([12, 14, 16, 15] + [13] * 20))
    assert forecasts.poll(session, now=NOW) == []


def test_an_unreadable_forecast_fails_the_poll_loudly(session, city, forecast_server):
    forecast_server(None)
    with pytest.raises(ForecastError, match="unreadable for T100"):
        forecasts.poll(session, now=NOW)


def test_rules_and_levels():
    hours = read_open_meteo(hourly([36, 41, 39]))
    [heat] = evaluate(hours, now=NOW, cold_c=0, heat_c=35, hours_ahead=24)
    assert (heat.kind, heat.level, heat.value_c) == (SweepKind.heat, Level.red, 41)
    [cold] = evaluate(read_open_meteo(hourly([1, -9])), now=NOW, cold_c=0, heat_c=35, hours_ahead=24)
    assert cold.level == Level.red and cold.ends_at == NOW + timedelta(hours=7)
    beyond = evaluate(
        read_open_meteo(hourly([10] * 30 + [-10])), now=NOW, cold_c=0, heat_c=35, hours_ahead=24
    )
    assert beyond == [], "only the next hours_ahead count"
    with pytest.raises(ForecastError):
        read_open_meteo({"daily": {}})
