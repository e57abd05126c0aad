"""The FastAPI application: one versioned API under /api/v1."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import anyio
from fastapi import APIRouter, FastAPI
from starlette.routing import NoMatchFound
from starlette.types import ASGIApp

from api.auth.routes import router as auth_router
from api.auth.routes import users_router
from api.clock import ServerTimeMiddleware, document_server_time
from api.console import routes as console
from api.encounters.routes import router as encounters_router
from api.errors import add_problem_schemas, install_handlers
from api.events.hub import EventHub
from api.events.routes import router as events_router
from api.field.routes import mount_field_app
from api.handovers.routes import router as handovers_router
from api.health.routes import router as health_router
from api.hotspots.routes import router as hotspots_router
from api.http_security import add_docs, harden, redact_access_log
from api.inbox.routes import router as inbox_router
from api.jurisdictions.routes import router as jurisdictions_router
from api.leads.gov12345 import router as gov12345_router
from api.leads.open311 import router as open311_router
from api.leads.public import pages as public_pages
from api.leads.public import router as public_leads_router
from api.leads.routes import landmarks_router
from api.leads.routes import router as leads_router
from api.observability import tracing
from api.observability.logs import RequestIdMiddleware
from api.observability.metrics import HttpMetricsMiddleware, metrics_endpoint
from api.ogc.routes import router as ogc_router
from api.organisations.routes import router as organisations_router
from api.patrol_routes.routes import router as patrol_routes_router
from api.patrols.routes import router as patrols_router
from api.patrols.schemas import TRACK_UPLOAD
from api.people.routes import router as people_router
from api.phone import CONTRACT_VERSION, PHONE_TAG, name_enum_values
from api.privacy.routes import router as privacy_router
from api.reports.routes import router as reports_router
from api.settings import get_settings
from api.sweeps.routes import router as sweeps_router
from api.teams.routes import router as teams_router
from notifications.queue import libpq_url

API_PREFIX = "/api/v1"

DESCRIPTION = """
Field patrol and relief for people living rough: hotspots, patrols, encounters, handovers,
weather sweeps and public leads.

* **Coordinates** are GeoJSON (RFC 7946, lon/lat). Every request that carries coordinates
  declares their datum with `?datum=` (`wgs84` by default, `gcj02`, `bd09`); responses use
  the same datum. Storage is WGS84.
* **Errors** are problem details (RFC 9457, `application/problem+json`).
* **Login** with the OAuth2 password flow at `/api/v1/auth/token`; every route states the
  roles it admits, and a user sees only their jurisdiction and what lies below it.
* **Server time**: every response carries `X-Server-Time` (RFC 3339, UTC, milliseconds).
* **Phones**: operations tagged `phone` form the contract shipped apps rely on
  (`x-contract-version`); see mobile_contract/.
"""


class PatrolAPI(FastAPI):
    """FastAPI with the HTTP hardening outside its whole stack, error handler included, and
    the server clock, request id, request metrics and (optional) trace span outside that, so
    every answer has them."""

    def build_middleware_stack(self) -> ASGIApp:
        stack = harden(super().build_middleware_stack())
        return RequestIdMiddleware(tracing.traced(HttpMetricsMiddleware(ServerTimeMiddleware(stack))))


async def _warm_up(app: FastAPI) -> None:
    """Pay at start what FastAPI and anyio otherwise charge the first requests: each included
    route's dependencies are resolved on first use (about a second for this app, per worker),
    and anyio loads its thread pool backend on first use. Without this, the first requests after
    a (re)start under load queue behind that work.

    Then everything built so far (routes, schemas, the gazetteer's dictionaries) is moved out
    of the garbage collector's sight: it lives as long as the process, and each full collection
    used to walk all of it (a third of a second, measured during track ingest)."""
    with suppress(NoMatchFound):
        app.url_path_for("")  # walks, and so builds, every route
    await anyio.to_thread.run_sync(lambda: None)
    gc.freeze()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await _warm_up(app)
    hub = EventHub(libpq_url(get_settings().database_url))
    await hub.start()
    app.state.event_hub = hub
    try:
        yield
    finally:
        await hub.stop()


def create_app() -> FastAPI:
    app = PatrolAPI(
        lifespan=lifespan,
        title="Street patrol and relief API",
        version="1.0.0",
        description=DESCRIPTION,
        redoc_url=None,
        docs_url=None,
        openapi_tags=[PHONE_TAG],
    )
    install_handlers(app)
    add_docs(app)
    redact_access_log()
    v1 = APIRouter(prefix=API_PREFIX)
    routers = (
        health_router,
        auth_router,
        users_router,
        jurisdictions_router,
        organisations_router,
        hotspots_router,
        teams_router,
        patrol_routes_router,
        patrols_router,
        encounters_router,
        handovers_router,
        people_router,
        privacy_router,
        sweeps_router,
        leads_router,
        landmarks_router,
        public_leads_router,
        gov12345_router,
        reports_router,
        inbox_router,
        events_router,
        ogc_router,
        console.router,
    )
    for router in routers:
        v1.include_router(router)
    app.include_router(v1)
    app.include_router(open311_router)
    app.include_router(public_pages)
    console.install(app)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    mount_field_app(app)
    _complete_openapi(app)
    return app


# Request bodies that a route validates from the raw bytes itself (see its docstring); FastAPI
# does not see them, so their schemas are added to the document here.
RAW_BODIES = {"TrackUpload": TRACK_UPLOAD}


def _with_raw_bodies(openapi: dict) -> dict:
    schemas = openapi["components"]["schemas"]
    for name, adapter in RAW_BODIES.items():
        schema = adapter.json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    return openapi


def _complete_openapi(app: FastAPI) -> None:
    default_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            document = name_enum_values(
                document_server_time(add_problem_schemas(_with_raw_bodies(default_openapi())))
            )
            document["info"]["x-contract-version"] = CONTRACT_VERSION
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi


app = create_app()
