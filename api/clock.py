"""The server's clock on every response: ``X-Server-Time``.

Phones keep their own clock, which is often wrong; each answer tells them the server's time
(RFC 3339, UTC, milliseconds) so they can measure their offset and correct the device times
they report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SERVER_TIME_HEADER = "X-Server-Time"

_HEADER_DOC = {
    "description": "The server's clock when the answer was sent: RFC 3339, UTC, milliseconds.",
    "required": True,
    "schema": {"type": "string", "format": "date-time", "examples": ["2026-11-29T12:06:00.123Z"]},
}


def _text_only(value: Any) -> Any:
    if not isinstance(value, str | datetime):
        raise ValueError("give the time as RFC 3339 text with its offset, e.g. 2026-11-29T22:10:00+08:00")
    return value


RequestTime = Annotated[AwareDatetime, BeforeValidator(_text_only)]
"""A time a client sends: RFC 3339 text with an offset, as the schema says (never a number,
which pydantic would otherwise read as seconds since 1970)."""


def rfc3339(moment: datetime) -> str:
    """``2026-11-29T12:06:00.123Z``: UTC with milliseconds."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ServerTimeMiddleware:
    """Stamps ``X-Server-Time`` on every HTTP response as its headers go out."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[SERVER_TIME_HEADER] = rfc3339(datetime.now(UTC))
            await send(message)

        await self.app(scope, receive, send_stamped)


def document_server_time(openapi: dict[str, Any]) -> dict[str, Any]:
    """Declare the header on every response of the OpenAPI document."""
    openapi.setdefault("components", {}).setdefault("headers", {})[SERVER_TIME_HEADER] = _HEADER_DOC
    ref = {"$ref": f"#/components/headers/{SERVER_TIME_HEADER}"}
    for operations in openapi.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            for status, response in responses.items():
                responses[status] = {
                    **response,
                    "headers": {**response.get("headers", {}), SERVER_TIME_HEADER: ref},
                }
    return openapi
