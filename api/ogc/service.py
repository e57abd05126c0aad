"""OGC API - Features rules: which layers exist, what the query parameters mean, how a page of
features is fetched and counted, and the extent each caller may see."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shapely.geometry import box
from sqlalchemy import Row, func, select, text
from sqlmodel import Session

from api.auth.deps import Principal
from api.errors import ProblemError, not_found
from api.geojson import parse_bbox as parse_bbox_4
from api.jurisdictions.models import Jurisdiction
from api.ogc.layers import (
    EncounterGridLayer,
    Filters,
    HotspotLayer,
    JurisdictionLayer,
    Layer,
    OrganisationLayer,
    Window,
)
from api.settings import get_settings
from geo.datum import Datum
from geo.shapes import geometry_from_wgs84, wkb_to_geojson_texts

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000


def bad_parameter(name: str, detail: str) -> ProblemError:
    """OGC API - Features answers a parameter it cannot use with 400 (not 422)."""
    return ProblemError(
        400,
        detail,
        kind="invalid-parameter",
        errors=[{"loc": ["query", name], "msg": detail, "type": "invalid"}],
    )


def layers() -> dict[str, Layer]:
    settings = get_settings()
    grid = EncounterGridLayer(
        cell_m=settings.ogc_grid_cell_m,
        min_count=settings.ogc_grid_min_count,
        default_days=settings.ogc_grid_days,
    )
    return {layer.id: layer for layer in (HotspotLayer(), JurisdictionLayer(), OrganisationLayer(), grid)}


def get_layer(collection_id: str) -> Layer:
    layer = layers().get(collection_id)
    if layer is None:
        raise not_found(f"collection {collection_id!r}")
    return layer


def parse_bbox(raw: str | None, datum: Datum):
    """``minlon,minlat,maxlon,maxlat`` (or the six-number form with heights, which are ignored)
    in ``datum``, as a WGS84 polygon."""
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) == 6:
        parts = [parts[0], parts[1], parts[3], parts[4]]
    try:
        return parse_bbox_4(",".join(parts), datum)
    except ProblemError as exc:
        raise bad_parameter("bbox", exc.detail) from exc


def page_size(limit: int) -> int:
    """A limit above the maximum is served as the maximum, as the standard asks, not refused."""
    return min(limit, MAX_LIMIT)


# --- time windows -------------------------------------------------------------------------


def _local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().default_timezone)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=_local_zone())


def _instant(raw: str) -> tuple[datetime, datetime]:
    """The whole days an RFC 3339 date or date-time lies in: [first day start, next day start)."""
    try:
        if len(raw) == 10:
            start = _day_start(date.fromisoformat(raw))
            return start, start + timedelta(days=1)
        moment = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError as exc:
        raise bad_parameter("datetime", f"{raw!r} is neither a date nor an RFC 3339 date-time") from exc
    if moment.tzinfo is None:
        raise bad_parameter("datetime", f"{raw!r} needs its UTC offset (for example Z or +08:00)")
    local = moment.astimezone(_local_zone())
    start = _day_start(local.date())
    end = start if local == start else start + timedelta(days=1)
    return start, end


def window(layer: Layer, raw: str | None, now: datetime | None = None) -> Window | None:
    """The whole-day window a temporal layer counts over (the last complete days by default);
    None for a layer without time, which refuses ``datetime``."""
    if not layer.temporal:
        if raw is not None:
            raise bad_parameter("datetime", f"collection {layer.id!r} has no time; datetime does not apply")
        return None
    today = _day_start((now or datetime.now(UTC)).astimezone(_local_zone()).date())
    if raw is None:
        return Window(start=today - timedelta(days=get_settings().ogc_grid_days), end=today)
    first, _, last = raw.partition("/")
    if "/" in raw:
        start = None if first in ("", "..") else _instant(first)[0]
        end = today if last in ("", "..") else _instant(last)[1]
    else:
        start, end = _instant(first)
    end = min(end, today)
    if start is not None and start >= end:
        raise bad_parameter(
            "datetime",
            f"the window holds no complete day: only days before {today.date().isoformat()} are counted",
        )
    return Window(start=start, end=end)


# --- features -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    features: list[str]  # GeoJSON text of each feature
    matched: int
    limit: int
    offset: int

    @property
    def returned(self) -> int:
        return len(self.features)


def _features(rows: Sequence[Row], datum: Datum) -> list[str]:
    """Features as GeoJSON text from (feature without geometry, geometry) rows: the geometry is
    GeoJSON text already in WGS84, WKB to be moved for another datum."""
    geometries = [row[1] for row in rows]
    if datum is not Datum.wgs84:
        geometries = wkb_to_geojson_texts(geometries, datum)
    return [
        f'{row[0][:-1]}, "geometry" : {geometry or "null"}}}'
        for row, geometry in zip(rows, geometries, strict=True)
    ]


def _without_jit(session: Session) -> None:
    """PostGIS declares its functions costly, so the planner expects these short queries to be
    long and JIT-compiles them: measured, compiling took 150 ms of a 200 ms grid page."""
    session.execute(text("SET LOCAL jit = off"))


def page(*, session: Session, layer: Layer, filters: Filters, limit: int, offset: int) -> Page:
    """One page of features and the number matched. The count query runs only when the page is
    full: a short page already tells the total."""
    _without_jit(session)
    rows = session.execute(layer.page(filters, limit, offset)).all()
    if len(rows) < limit and (rows or offset == 0):
        matched = offset + len(rows)
    else:
        matched = session.scalar(layer.count(filters)) or 0
    return Page(features=_features(rows, filters.datum), matched=matched, limit=limit, offset=offset)


def feature(*, session: Session, layer: Layer, filters: Filters, feature_id: str) -> str:
    """One feature as GeoJSON text; 404 when it does not exist or lies outside the caller's scope."""
    _without_jit(session)
    query = layer.select_one(filters, feature_id)
    found = session.execute(query).first() if query is not None else None
    if found is None:
        raise not_found(f"feature {feature_id!r} in collection {layer.id!r}")
    return _features([found], filters.datum)[0]


def collection_body(*, page: Page, links: list[dict], timestamp: datetime) -> bytes:
    """The FeatureCollection document: the members written by json, the features spliced in as
    PostgreSQL rendered them."""
    head = {
        "type": "FeatureCollection",
        "numberMatched": page.matched,
        "numberReturned": page.returned,
        "timeStamp": timestamp.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": links,
    }
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    return f'{opening}, "features": [{",".join(page.features)}]}}'.encode()


def feature_body(feature_text: str, links: list[dict]) -> bytes:
    """One Feature document: the feature as rendered, with its links added."""
    return f'{feature_text[:-1]}, "links": {json.dumps(links, ensure_ascii=False)}}}'.encode()


# --- extent -------------------------------------------------------------------------------


def scope_bbox(*, session: Session, principal: Principal, datum: Datum) -> list[float] | None:
    """The box around the boundaries of the caller's jurisdictions, in ``datum``; None when
    none has a boundary."""
    extent = func.ST_Extent(Jurisdiction.boundary)
    row = session.execute(
        select(func.ST_XMin(extent), func.ST_YMin(extent), func.ST_XMax(extent), func.ST_YMax(extent)).where(
            Jurisdiction.path.descendant_of(principal.jurisdiction_path)
        )
    ).one()
    if row[0] is None:
        return None
    moved = geometry_from_wgs84(box(*row), datum)
    return [round(value, 7) for value in moved.bounds]
