"""The dispatcher console: the page, its static files (served by the API itself, so it works on
a closed network) and the map layers it draws."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.console import service
from api.console.schemas import (
    Basemap,
    ConsoleConfig,
    EncounterClusters,
    HandoverLayer,
    HotspotClusters,
    HotspotLayer,
    SweepTaskLayer,
)
from api.db import ReadSessionDep
from api.errors import problems
from api.geojson import DatumQuery, parse_bbox
from api.http_security import map_page_policy
from api.settings import get_settings
from geo.datum import Datum

STATIC = Path(__file__).resolve().parent / "static"
CONSOLE_ROLES = (Role.dispatcher, Role.supervisor, Role.station_staff, Role.hospital_staff, Role.admin)
COMMAND = (Role.dispatcher, Role.supervisor, Role.admin)
HOTSPOT_VIEWERS = (Role.dispatcher, Role.supervisor, Role.station_staff, Role.admin)

mimetypes.add_type("text/javascript", ".mjs")

router = APIRouter(prefix="/console", tags=["console"], responses=problems(400, 401, 403, 422))
page_router = APIRouter(include_in_schema=False)

BboxQuery = Annotated[
    str | None,
    Query(
        description="minlon,minlat,maxlon,maxlat of the view, in `datum`.", examples=["120.0,30.0,120.2,30.2"]
    ),
]


@router.get(
    "/layers/hotspots", response_model=HotspotLayer | HotspotClusters, operation_id="consoleHotspotLayer"
)
def hotspot_layer(
    session: ReadSessionDep,
    principal: Annotated[Principal, Allow(*HOTSPOT_VIEWERS)],
    datum: DatumQuery = Datum.wgs84,
    bbox: BboxQuery = None,
    limit: Annotated[int, Query(ge=1, le=50_000)] = 20_000,
    zoom: Annotated[
        float | None, Query(ge=0, le=24, description="Map zoom: with it, a crowded view comes clustered.")
    ] = None,
    cluster_above: Annotated[
        int,
        Query(ge=1, le=50_000, description="With `zoom`: cluster when more hotspots than this are in view."),
    ] = 2_000,
) -> JSONResponse:
    """Active hotspots in view, coloured by the time since their latest visit: `state` is
    `never`, `overdue` (longer than the risk level allows), `due` (three quarters of it) or
    `fresh`. Given `zoom`, a view holding more than `cluster_above` of them comes as clusters
    on a grid of about 64 screen pixels, each counting its hotspots per state (`clustered`)."""
    where = parse_bbox(bbox, datum) if bbox else None
    if zoom is not None and service.hotspot_count(session, principal=principal, bbox=where) > cluster_above:
        layer = service.hotspot_clusters(session, principal=principal, bbox=where, zoom=zoom, datum=datum)
    else:
        layer = service.hotspot_layer(session, principal=principal, bbox=where, datum=datum, limit=limit)
    return JSONResponse(layer)


@router.get("/layers/encounters", response_model=EncounterClusters, operation_id="consoleEncounterClusters")
def encounter_clusters(
    session: ReadSessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
    datum: DatumQuery = Datum.wgs84,
    bbox: BboxQuery = None,
    zoom: Annotated[float, Query(ge=0, le=24, description="Map zoom: sets the cluster cell size.")] = 12,
    hours: Annotated[int, Query(ge=1, le=168, description="Look back this many hours.")] = 24,
) -> JSONResponse:
    """Recent encounters clustered on a grid of about 64 screen pixels; no personal data."""
    where = parse_bbox(bbox, datum) if bbox else None
    return JSONResponse(
        service.encounter_clusters(
            session, principal=principal, bbox=where, zoom=zoom, hours=hours, datum=datum
        )
    )


@router.get("/layers/sweep-tasks", response_model=SweepTaskLayer, operation_id="consoleSweepTaskLayer")
def sweep_task_layer(
    session: ReadSessionDep, principal: Annotated[Principal, Allow(*COMMAND)], datum: DatumQuery = Datum.wgs84
) -> JSONResponse:
    """Every task of the open sweeps, at its hotspot, `pending` or `done`, with its team."""
    return JSONResponse(service.sweep_task_layer(session, principal=principal, datum=datum))


@router.get("/layers/handovers", response_model=HandoverLayer, operation_id="consoleHandoverLayer")
def handover_layer(
    session: ReadSessionDep, principal: Annotated[Principal, Allow(*COMMAND)], datum: DatumQuery = Datum.wgs84
) -> JSONResponse:
    """Handovers under way: from where the escort was last seen to the receiving organisation."""
    return JSONResponse(service.handover_layer(session, principal=principal, datum=datum))


def _config() -> ConsoleConfig:
    settings = get_settings()
    basemap = None
    if settings.basemap_url:
        basemap = Basemap(
            url=settings.basemap_url,
            datum=Datum(settings.basemap_datum),
            attribution=settings.basemap_attribution,
            max_zoom=settings.basemap_max_zoom,
        )
    return ConsoleConfig(
        api="/api/v1",
        basemap=basemap,
        datum=basemap.datum if basemap else Datum.wgs84,
        timezone=settings.default_timezone,
        position_stale_s=settings.position_stale_s,
        roles=[r.value for r in CONSOLE_ROLES],
    )


@page_router.get("/console")
def console_page() -> FileResponse:
    return FileResponse(
        STATIC / "index.html",
        headers={"Cache-Control": "no-cache", "Content-Security-Policy": map_page_policy()},
    )


@page_router.get("/console/config.json")
def console_config() -> ConsoleConfig:
    return _config()


def install(app: FastAPI) -> None:
    """Serve the page and its files next to the API (the layer routes go under /api/v1)."""
    app.include_router(page_router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
