"""HTTP hardening around the whole application: security headers (with a Content-Security-Policy
per path prefix), CORS for configured origins only, a request body size limit, the API docs
under that policy, and access logs without query strings or receipt tokens.

The middlewares are plain ASGI (a response is never buffered, so server-sent events stream as
before) and read the settings on every request.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM_MEDIA_TYPE
from api.settings import get_settings

SWAGGER_UI = Path(__file__).parent / "apidocs" / "static"  # see api/apidocs/vendor.mjs
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
BUILT_IN_POLICIES = {
    # the public report form: its own inline style and script only, posting to itself
    "/report": "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    # Swagger UI served from here (api/apidocs), its inline start-up script by nonce
    "/docs": "default-src 'none'; script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    # the dispatch console: its own scripts and styles, map workers from blob:, data: images
    "/console": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
}
_FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def longest_prefix(path: str, table: Mapping[str, object]) -> str | None:
    """The longest key of ``table`` that is ``path`` or a path segment prefix of it."""
    matches = [prefix for prefix in table if path == prefix or path.startswith(prefix.rstrip("/") + "/")]
    return max(matches, key=len, default=None)


def map_page_policy() -> str:
    """The policy of the console and the field app (and the field app's service worker): scripts,
    styles and data from this server only, plus the basemap's tile host. MapLibre sets inline
    styles and runs its worker from a blob."""
    tiles = ""
    if url := get_settings().basemap_url:
        parts = urlsplit(url)
        tiles = f" {parts.scheme}://{re.sub(r'[{][^}]*[}]', '*', parts.netloc)}"
    return (
        "default-src 'self'; "
        f"img-src 'self' data: blob:{tiles}; "
        f"connect-src 'self'{tiles}; "
        "worker-src 'self' blob:; "
        "style-src 'self' 'unsafe-inline'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )


def content_policy(path: str) -> str:
    policies = {**BUILT_IN_POLICIES, **get_settings().csp_by_path}
    prefix = longest_prefix(path, policies)
    return policies[prefix] if prefix else API_POLICY


class SecurityHeaders:
    """Adds the security headers to every response that does not set them itself. A policy
    naming ``{nonce}`` gets a fresh nonce per response, which pages read from
    ``request.state.csp_nonce`` for their inline ``<script>`` and ``<style>``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        policy = content_policy(scope["path"])
        if "{nonce}" in policy:
            nonce = secrets.token_urlsafe(18)
            scope.setdefault("state", {})["csp_nonce"] = nonce
            policy = policy.replace("{nonce}", nonce)
        added = {**_FIXED_HEADERS, "Content-Security-Policy": policy}
        if settings.hsts_seconds > 0:
            added["Strict-Transport-Security"] = f"max-age={settings.hsts_seconds}; includeSubDomains"
        if any(name == b"authorization" for name, _ in scope["headers"]):
            added["Cache-Control"] = "no-store"  # answers to signed-in callers stay out of caches

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in added.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ConfiguredCors:
    """CORS for the origins in ``PATROL_CORS_ORIGINS`` (Starlette's middleware); with none, no
    CORS headers at all, so browsers keep every other site's pages out."""

    METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
    HEADERS = ("Authorization", "Content-Type", "DPoP", "Last-Event-ID", "Accept-Language")
    EXPOSED = ("Retry-After", "WWW-Authenticate", "Location", "Content-Disposition")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._by_origins: dict[tuple[str, ...], ASGIApp] = {}

    def _cors(self, origins: tuple[str, ...]) -> ASGIApp:
        if origins not in self._by_origins:
            self._by_origins[origins] = CORSMiddleware(
                self.app,
                allow_origins=origins,
                allow_methods=self.METHODS,
                allow_headers=self.HEADERS,
                expose_headers=self.EXPOSED,
                allow_credentials=False,
                max_age=600,
            )
        return self._by_origins[origins]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origins = tuple(get_settings().cors_origins)
        if scope["type"] != "http" or not origins:
            await self.app(scope, receive, send)
            return
        await self._cors(origins)(scope, receive, send)


class _BodyTooLarge(HTTPException):
    """Raised into the application by the body it reads; an HTTP error, so handlers answer it
    without logging an internal error (the answer is replaced by the limit's own 413)."""

    def __init__(self) -> None:
        super().__init__(413, "request body too large")


def body_limit(path: str) -> int:
    settings = get_settings()
    prefix = longest_prefix(path, settings.max_body_bytes_by_path)
    return settings.max_body_bytes_by_path[prefix] if prefix else settings.max_body_bytes


class BodySizeLimit:
    """Refuses a request body over the limit with 413 problem details: at once when its
    Content-Length says so, before reading a byte; a streamed (chunked) body as soon as it
    passes the limit, whatever the application was doing with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        received = 0
        exceeded = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if exceeded:  # whatever the application answers to a cut-off body, the answer is 413
                return
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if exceeded and not response_started:
            await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "/problems/body-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": f"the request body may have at most {limit} bytes",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def harden(app: ASGIApp) -> ASGIApp:
    """The application inside the body limit, CORS and the security headers (outermost, so
    that even an internal error's answer carries them)."""
    return SecurityHeaders(ConfiguredCors(BodySizeLimit(app)))


def add_docs(app: FastAPI, path: str = "/docs") -> None:
    """Swagger UI at ``path``, its files served by the API itself (closed networks have no CDN),
    with its inline scripts marked by the response's CSP nonce (FastAPI's own docs page has
    inline scripts a strict policy would block)."""
    redirect = f"{path}/oauth2-redirect"
    assets = f"{path}/static"
    app.mount(assets, StaticFiles(directory=SWAGGER_UI), name="swagger-ui-static")

    def with_nonce(page: HTMLResponse, request: Request) -> HTMLResponse:
        nonce = getattr(request.state, "csp_nonce", "")
        html = page.body.decode().replace("<script>", f'<script nonce="{nonce}">')
        return HTMLResponse(html)

    async def swagger_ui(request: Request) -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=redirect,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
        )
        return with_nonce(page, request)

    async def oauth2_redirect(request: Request) -> HTMLResponse:
        return with_nonce(get_swagger_ui_oauth2_redirect_html(), request)

    app.add_route(path, swagger_ui, include_in_schema=False, name="swagger_ui_html")
    app.add_route(redirect, oauth2_redirect, include_in_schema=False)


_OPEN311_TOKEN = re.compile(r"(/open311/v2/tokens/)[^/.?]+")


class AccessLogRedaction(logging.Filter):
    """uvicorn's access log without query strings (search words, reasons for reading personal
    data) and without the Open311 receipt tokens that path carries."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path = _OPEN311_TOKEN.sub(r"\1…", args[2].split("?", 1)[0])
            record.args = (args[0], args[1], path, args[3], args[4])
        return True


def redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, AccessLogRedaction) for existing in access.filters):
        access.addFilter(AccessLogRedaction())
