"""Prometheus metrics, served at ``/metrics`` to a configured scraper only.

Counted in the process that sees it: requests per route template and status with their
latency, GPS points and batches ingested. Read from the database when scraped (so the figure
is the same whichever API process answers, and needs no worker to expose anything): queue
depth and the age of the oldest waiting job per procrastinate queue, push deliveries by
outcome, open sweeps' task progress, overdue handovers and open leads past their deadline.

With several uvicorn workers the counters live in files under ``PROMETHEUS_MULTIPROC_DIR``
(``prometheus_client``'s multiprocess mode; ``patrol serve --workers N`` makes that directory)
and any worker's scrape adds them up.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import time
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.db import get_engine
from api.settings import get_settings

HTTP_REQUESTS = Counter(
    "patrol_http_requests_total",
    "HTTP requests answered, by route template and status",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "patrol_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer (a stream counts until it closes)",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
GPS_POINTS = Counter("patrol_gps_points_total", "GPS points received in track uploads", ["result"])
GPS_BATCHES = Counter("patrol_gps_batches_total", "Track upload batches committed")

UNMATCHED = "(unmatched)"
_CONVERTOR = re.compile(r"\{(\w+):\w+\}")


def count_ingested(receipt) -> None:
    """A committed track batch: its new points, its resent ones and the batch."""
    GPS_POINTS.labels("stored").inc(receipt.stored)
    GPS_POINTS.labels("duplicate").inc(receipt.received - receipt.stored)
    GPS_BATCHES.inc()


def route_template(scope: Scope) -> str:
    """``/api/v1/hotspots/{hotspot_id}``, never the raw path (one series per route, not per id).

    A route of an included router knows only its own part of the template; the routers' prefixes
    are the leading segments of the path it matched (one segment per template segment)."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not template:
        return UNMATCHED
    if isinstance(route, Mount) or ":path}" in template:
        return template
    own = template.strip("/").split("/") if template.strip("/") else []
    segments = scope["path"].strip("/").split("/")
    prefix = segments[: len(segments) - len(own)] if own else segments
    full = "/" + "/".join([*prefix, *own]) if prefix or own else "/"
    return _CONVERTOR.sub(r"{\1}", full)


class HttpMetricsMiddleware:
    """Counts every answer by method, route template and status, with its duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            route = route_template(scope)
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)


_QUEUES = """
SELECT j.queue_name, count(*) AS waiting,
       extract(epoch FROM now() - min(coalesce(j.scheduled_at, deferred.at))) AS oldest_s
FROM procrastinate_jobs j
LEFT JOIN LATERAL (
    SELECT min(e.at) AS at FROM procrastinate_events e WHERE e.job_id = j.id AND e.type = 'deferred'
) deferred ON true
WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())
GROUP BY j.queue_name
"""
_DELIVERIES = "SELECT status, count(*) FROM push_deliveries GROUP BY status"
_SWEEPS = """
SELECT s.id::text, t.status, count(t.id)
FROM sweeps s JOIN sweep_tasks t ON t.sweep_id = s.id
WHERE s.status = 'open' GROUP BY s.id, t.status
"""
_OVERDUE_HANDOVERS = """
SELECT count(*) FROM handovers
WHERE state IN ('requested', 'accepted', 'in_transit', 'arrived') AND deadline_at < now()
"""
_LATE_LEADS = "SELECT count(*) FROM leads WHERE status NOT IN ('closed', 'linked') AND deadline_at < now()"


class WorkCollector(Collector):
    """Figures about waiting work, read from the database at each scrape."""

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("patrol_queue_jobs_waiting", "Jobs due and not yet taken", labels=["queue"])
        age = GaugeMetricFamily(
            "patrol_queue_oldest_job_age_seconds", "How long the oldest due job has waited", labels=["queue"]
        )
        deliveries = GaugeMetricFamily(
            "patrol_push_deliveries",
            "Push deliveries by outcome (pending, sent, rejected, failed)",
            labels=["outcome"],
        )
        sweeps = GaugeMetricFamily(
            "patrol_sweep_tasks", "Tasks of open sweeps by state", labels=["sweep_id", "state"]
        )
        try:
            with get_engine().connect() as connection:
                overdue, late = self._read(connection, depth, age, deliveries, sweeps)
        except DBAPIError:
            yield GaugeMetricFamily("patrol_database_up", "Whether the scrape could read the database", 0)
            return
        yield GaugeMetricFamily("patrol_database_up", "Whether the scrape could read the database", 1)
        yield from (depth, age, deliveries, sweeps)
        yield GaugeMetricFamily("patrol_handovers_overdue", "Open handovers past their deadline", overdue)
        yield GaugeMetricFamily("patrol_leads_overdue", "Open leads past their deadline", late)

    @staticmethod
    def _read(connection, depth, age, deliveries, sweeps) -> tuple[int, int]:
        for queue, waiting, oldest in connection.execute(text(_QUEUES)):
            depth.add_metric([queue], waiting)
            age.add_metric([queue], float(oldest or 0))
        for outcome, count in connection.execute(text(_DELIVERIES)):
            deliveries.add_metric([outcome], count)
        for sweep_id, state, count in connection.execute(text(_SWEEPS)):
            sweeps.add_metric([sweep_id, state], count)
        overdue = connection.execute(text(_OVERDUE_HANDOVERS)).scalar_one()
        late = connection.execute(text(_LATE_LEADS)).scalar_one()
        return overdue, late


def scrape_registry() -> CollectorRegistry:
    """This process's metrics, or every worker's in multiprocess mode, plus the database's."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ProcessMetrics())
    registry.register(WorkCollector())
    return registry


class _ProcessMetrics(Collector):
    """The default registry's metrics (this process's counters, its CPU and memory)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def scraper_allowed(request: Request) -> int | None:
    """None when the caller may scrape, else the status to answer: 404 while no token and no
    address is configured (metrics are off), 401 without the token, 403 from another address.
    With both configured, both are needed."""
    settings = get_settings()
    token, networks = settings.metrics_token, settings.metrics_allow_from
    if not token and not networks:
        return 404
    if networks:
        client = _address(request.client.host if request.client else "")
        if client is None or not any(client in ipaddress.ip_network(net, strict=False) for net in networks):
            return 403
    if token:
        offered = request.headers.get("authorization", "")
        if not secrets.compare_digest(offered.encode(), f"Bearer {token}".encode()):
            return 401
    return None


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:  # a Unix socket or a test client's name
        return None


async def metrics_endpoint(request: Request) -> Response:
    refused = scraper_allowed(request)
    if refused is not None:
        headers = {"WWW-Authenticate": "Bearer"} if refused == 401 else None
        return Response(status_code=refused, headers=headers)
    body = await run_in_threadpool(generate_latest, scrape_registry())
    return Response(body, media_type=CONTENT_TYPE_LATEST)
