"""Optional OpenTelemetry traces, received by a local OTLP/HTTP collector that decodes what the
API's exporter sends: a request span with its route and request id, SQL spans under it, no
query string anywhere, nothing for health probes; and no exporter at all when unset."""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

pytestmark = pytest.mark.slow  # `patrol serve` processes


class Collector(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.spans: list[dict] = []
        self.paths: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.paths.append(self.path)
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            service = resource["service.name"]
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.server.spans.append(_plain(span, service))
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


def _plain(span, service: str) -> dict:
    values = {}
    for attribute in span.attributes:
        value = attribute.value
        values[attribute.key] = value.string_value or value.int_value or value.bool_value
    return {
        "name": span.name,
        "kind": span.kind,
        "trace": span.trace_id.hex(),
        "id": span.span_id.hex(),
        "parent": span.parent_span_id.hex(),
        "service": service,
        "attributes": values,
    }


@pytest.fixture
def collector():
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


SERVER = 2  # SpanKind.SERVER in OTLP


def test_requests_and_their_sql_are_traced_without_query_strings(start_api, dispatcher, collector):
    api = start_api({"OTEL_EXPORTER_OTLP_ENDPOINT": collector.url, "OTEL_BSP_SCHEDULE_DELAY": "100"})
    answer = httpx.get(api.url + "/api/v1/hotspots", params={"q": "王小明 桥洞"}, headers=dispatcher.headers)
    assert answer.status_code == 200
    assert httpx.get(api.url + "/api/v1/health/ready").status_code == 200

    deadline = time.monotonic() + 20
    while not [s for s in collector.spans if s["kind"] == SERVER]:
        assert time.monotonic() < deadline, "no request span reached the collector"
        time.sleep(0.1)
    time.sleep(0.5)  # the SQL spans of the same batch or the next

    [request] = [s for s in collector.spans if s["kind"] == SERVER]
    assert collector.paths == ["/v1/traces"] * len(collector.paths)
    assert request["service"] == "patrol-api"
    assert request["attributes"]["http.route"] == "/api/v1/hotspots"
    assert request["attributes"]["patrol.request_id"] == answer.headers["X-Request-ID"]
    statements = [
        s for s in collector.spans if s["trace"] == request["trace"] and "db.statement" in s["attributes"]
    ]
    assert statements, "the request's SQL is traced under it"
    assert any("FROM hotspots" in s["attributes"]["db.statement"] for s in statements)
    everything = repr(collector.spans)
    for secret in ("王小明", "%E7%8E%8B", "q="):
        assert secret not in everything
    assert not any("health" in str(s["attributes"].get("http.route", "")) for s in collector.spans)


def test_nothing_is_exported_without_an_endpoint(start_api, dispatcher, collector):
    api = start_api()  # the collector listens, but no one told the API about it
    assert httpx.get(api.url + "/api/v1/hotspots", headers=dispatcher.headers).status_code == 200
    time.sleep(1)
    assert collector.spans == [] and collector.paths == []
