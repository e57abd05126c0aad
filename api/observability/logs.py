"""Structured JSON logs, one object a line, with the request id of the request being served.

Every HTTP request gets an id: a well-formed incoming ``X-Request-ID`` (a load balancer's, or
a phone's retry of the same call) or a new one. It is echoed on the answer and, through a
context variable, put on every log line written while the request is served, including
uvicorn's access line and an internal error's traceback.

Logs carry no personal data: the access line names the method, the path without its query
string (see ``api.http_security.AccessLogRedaction``) and the status, not the client address;
the worker's job lines name the job (task, id, queue, attempts) but not its arguments, which
may hold a notification's text or a note for the 12345 hotline.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def accepted_request_id(incoming: str | None) -> str:
    """The caller's id when it is 8 to 128 safe characters (nothing that could forge a log
    line), else a fresh one."""
    if incoming and _WELL_FORMED.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for the request's whole handling and echoes it on the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode(), b"")
        rid = accepted_request_id(incoming.decode("latin-1"))
        token = request_id.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


_JOB_ARGUMENTS = ("task_kwargs", "call_string")


class RequestContext(logging.Filter):
    """Puts the current request id on a record, the method, path and status on uvicorn's
    access records (whose address is left out), and takes job arguments out of the worker's."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.__dict__.pop("color_message", None)  # uvicorn's terminal colours
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            _client, method, path, _version, status = args
            record.method, record.path, record.status = method, path, status
            record.msg, record.args = "%s %s %s", (method, path, status)
        job = getattr(record, "job", None)
        if isinstance(job, dict) and "call_string" in job:
            _without_job_arguments(record, job)
        return True


def _without_job_arguments(record: logging.LogRecord, job: dict[str, Any]) -> None:
    message = record.getMessage().replace(job["call_string"], f"{job.get('task_name')}[{job.get('id')}]")
    record.msg, record.args = message, None
    record.job = {key: value for key, value in job.items() if key not in _JOB_ARGUMENTS}


class PatrolJsonFormatter(JsonFormatter):
    """``time``, ``level``, ``logger``, ``message``, ``request_id`` and any extra fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)


def log_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the API (uvicorn's ``log_config``) and the worker:
    every logger through one JSON handler on stderr."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "filters": ["request_context"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": RequestContext}},
        "formatters": {"json": {"()": PatrolJsonFormatter}},
        "handlers": {"json": handler},
        "root": {"handlers": ["json"], "level": level},
        "loggers": {
            name: {"handlers": [], "level": level, "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "procrastinate")
        },
    }


def configure_logging(level: str = "INFO") -> None:
    import logging.config

    logging.config.dictConfig(log_config(level))
