"""Optional OpenTelemetry traces of the API: a span per request, named by its route template,
and one per SQL statement, sent over OTLP/HTTP. Off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set; the other standard ``OTEL_*`` variables
(headers, service name, sampler, batch delays) apply as the SDK reads them.

Spans carry no query strings (search terms can name people) and SQL statements without their
values; each request span carries the request id the JSON logs use, to go from a trace to its
log lines.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.db import get_engine, get_read_engine
from api.observability.logs import request_id
from api.observability.metrics import route_template

_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
_NOT_TRACED = "/api/v1/health/.*,/metrics"
# attributes the ASGI instrumentation fills with the query string, under old and new names
_WITH_QUERY = ("http.url", "url.full", "http.target")


def enabled() -> bool:
    return any(os.environ.get(name) for name in _ENDPOINTS)


@lru_cache
def _provider() -> TracerProvider:
    """One per process; it also traces the database engines."""
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "patrol-api")})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    # The instrumentation declares SQLAlchemy < 2.1 from caution; it hooks the engine events that
    # 2.1 keeps (tests/ops/test_tracing.py sees the statements).
    SQLAlchemyInstrumentor().instrument(
        engines=list({get_engine(), get_read_engine()}), tracer_provider=provider, skip_dep_check=True
    )
    return provider


def traced(app: ASGIApp) -> ASGIApp:
    """``app`` inside a request span when tracing is on, else ``app`` itself."""
    if not enabled():
        return app
    return OpenTelemetryMiddleware(
        _RouteName(app),
        excluded_urls=_NOT_TRACED,
        server_request_hook=_without_query,
        tracer_provider=_provider(),
        exclude_spans=["receive", "send"],
    )


def _without_query(span: Span, scope: dict[str, Any]) -> None:
    if not span.is_recording():
        return
    path = scope.get("path", "")
    for name in _WITH_QUERY:
        span.set_attribute(name, path)
    span.set_attribute("url.query", "")
    if (rid := request_id.get()) is not None:
        span.set_attribute("patrol.request_id", rid)


class _RouteName:
    """Names the request span by its route template once routing has found it (the ASGI
    instrumentation only knows the raw path, one name per id)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_named(message: Message) -> None:
            if message["type"] == "http.response.start":
                route = route_template(scope)
                span = trace.get_current_span()
                span.update_name(f"{scope['method']} {route}")
                span.set_attribute("http.route", route)
            await send(message)

        await self.app(scope, receive, send_named if scope["type"] == "http" else send)
