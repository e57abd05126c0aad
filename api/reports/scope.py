"""What a report covers: a jurisdiction's subtree, and whole local days of its time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from api.errors import invalid
from api.jurisdictions.models import Jurisdiction
from api.settings import get_settings

MAX_DAYS = 400


@dataclass(frozen=True)
class Scope:
    """The subtree under ``root_path`` (rows down to ``levels`` below it, all when None) and the
    local days ``first``..``last``, which are ``[start, end)`` in UTC. ``as_of`` is the moment the
    figures describe: the period's end, or now while the period is still running."""

    root_path: str
    levels: int | None
    first: date
    last: date
    timezone: str
    start: datetime
    end: datetime
    as_of: datetime

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def zone_of(jurisdiction: Jurisdiction) -> str:
    """The jurisdiction's IANA zone, or the configured default when it names none that exists."""
    name = jurisdiction.timezone or ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return get_settings().default_timezone
    return name


def check_dates(first: date, last: date) -> None:
    if first > last:
        raise invalid(f"from ({first}) is after to ({last})", loc=["query", "from"])
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise invalid(
            f"the period spans {days} days; at most {MAX_DAYS} are reported at once", loc=["query", "to"]
        )


def resolve(
    jurisdiction: Jurisdiction,
    first: date,
    last: date,
    *,
    levels: int | None = None,
    now: datetime | None = None,
) -> Scope:
    check_dates(first, last)
    zone_name = zone_of(jurisdiction)
    zone = ZoneInfo(zone_name)
    try:
        start = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    except OverflowError as exc:
        raise invalid(
            f"{first}..{last} lies beyond the dates a report can cover", loc=["query", "from"]
        ) from exc
    return Scope(
        root_path=jurisdiction.path,
        levels=levels,
        first=first,
        last=last,
        timezone=zone_name,
        start=start,
        end=end,
        as_of=min(end, now or datetime.now(UTC)),
    )
