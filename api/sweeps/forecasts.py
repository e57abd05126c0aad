"""Forecast rules: read an hourly forecast for each city and start a sweep when it crosses the
cold or heat threshold (0 °C apparent minimum, 35 °C maximum by default; per-city overrides in
``weather_rules``). The first adapter reads Open-Meteo's JSON; the URL is a setting."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import MultiPolygon
from sqlmodel import Session

from api.auth.deps import system_principal
from api.jurisdictions.models import Jurisdiction, JurisdictionLevel
from api.settings import get_settings
from api.sweeps.models import Level, Sweep, SweepKind, Trigger, WeatherRule
from api.sweeps.service import open_or_extend

log = logging.getLogger(__name__)
AFTERGLOW = timedelta(hours=6)  # a sweep runs on this long after the last dangerous hour


class ForecastError(RuntimeError):
    pass


@dataclass(frozen=True)
class Danger:
    kind: SweepKind
    level: Level
    starts_at: datetime
    ends_at: datetime
    value_c: float


def read_open_meteo(document: dict) -> list[tuple[datetime, float, float]]:
    """(hour, temperature, apparent temperature) from Open-Meteo's hourly block."""
    try:
        hourly = document["hourly"]
        times, temps = hourly["time"], hourly["temperature_2m"]
        apparent = hourly.get("apparent_temperature", temps)
        return [
            (datetime.fromisoformat(t).replace(tzinfo=UTC), float(c), float(a))
            for t, c, a in zip(times, temps, apparent, strict=True)
            if c is not None and a is not None
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise ForecastError(f"not an Open-Meteo hourly forecast: {exc}") from exc


def _level(kind: SweepKind, value: float, threshold: float) -> Level:
    if kind is SweepKind.heat:  # CMA high-temperature signals: 35, 37, 40 °C
        return Level.red if value >= 40 else Level.orange if value >= 37 else Level.yellow
    below = threshold - value
    return Level.red if below >= 8 else Level.orange if below >= 4 else Level.yellow


def evaluate(
    hours: list[tuple[datetime, float, float]],
    *,
    now: datetime,
    cold_c: float,
    heat_c: float,
    hours_ahead: int,
) -> list[Danger]:
    ahead = [h for h in hours if now - timedelta(hours=1) <= h[0] <= now + timedelta(hours=hours_ahead)]
    found = []
    cold = [h for h in ahead if h[2] <= cold_c]
    if cold:
        coldest = min(h[2] for h in cold)
        found.append(
            Danger(
                SweepKind.cold,
                _level(SweepKind.cold, coldest, cold_c),
                cold[0][0],
                cold[-1][0] + AFTERGLOW,
                coldest,
            )
        )
    hot = [h for h in ahead if h[1] >= heat_c]
    if hot:
        hottest = max(h[1] for h in hot)
        found.append(
            Danger(
                SweepKind.heat,
                _level(SweepKind.heat, hottest, heat_c),
                hot[0][0],
                hot[-1][0] + AFTERGLOW,
                hottest,
            )
        )
    return found


def poll(session: Session, *, now: datetime | None = None) -> list[Sweep]:
    """Check every city; a city whose forecast cannot be read is logged and the others go on,
    then the poll fails so the job shows as failed."""
    now = now or datetime.now(UTC)
    settings = get_settings()
    started, failures = [], []
    cities = session.execute(
        sa.select(Jurisdiction, WeatherRule)
        .outerjoin(WeatherRule, WeatherRule.jurisdiction_id == Jurisdiction.id)
        .where(Jurisdiction.level == JurisdictionLevel.city, Jurisdiction.boundary.is_not(None))
    ).all()
    for city, rule in cities:
        boundary = to_shape(city.boundary)
        centre = boundary.representative_point()
        url = settings.forecast_url.format(lat=round(centre.y, 4), lon=round(centre.x, 4))
        try:
            response = httpx.get(url, timeout=15)
            response.raise_for_status()
            hours = read_open_meteo(response.json())
        except (httpx.HTTPError, ValueError, ForecastError) as exc:
            log.error("forecast for %s unreadable: %s", city.code, exc)
            failures.append(city.code)
            continue
        for danger in evaluate(
            hours,
            now=now,
            cold_c=rule.cold_threshold_c if rule else settings.cold_threshold_c,
            heat_c=rule.heat_threshold_c if rule else settings.heat_threshold_c,
            hours_ahead=rule.hours_ahead if rule else settings.forecast_hours,
        ):
            area = boundary if isinstance(boundary, MultiPolygon) else MultiPolygon([boundary])
            started.append(
                open_or_extend(
                    session,
                    principal=system_principal(),
                    kind=danger.kind,
                    level=danger.level,
                    area=area,
                    starts_at=max(danger.starts_at, now - timedelta(hours=1)),
                    ends_at=danger.ends_at,
                    trigger=Trigger.rule,
                    trigger_ref=f"{city.code}:{danger.kind}:{danger.value_c:.1f}C",
                )
            )
    if failures:
        session.commit()  # keep the sweeps the readable cities started
        raise ForecastError(f"forecasts unreadable for {', '.join(failures)}")
    return started
