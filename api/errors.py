"""Problem details (RFC 9457) for every error the API returns.

Handlers turn FastAPI's HTTP and validation errors, and the domain's own ``ProblemError``,
into ``application/problem+json`` bodies with a stable ``type`` per kind of problem.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg.errors import UniqueViolation
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where the error is: body, query, path, then keys.")
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field("about:blank", examples=["/problems/invalid-geometry"])
    title: str = Field(examples=["Invalid input"])
    status: int = Field(examples=[422])
    detail: str | None = Field(None, examples=["coordinates[0][3]: latitude 95.0 is outside -90..90"])
    errors: list[FieldError] | None = None


_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": title, "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}}
    for status, title in _TITLES.items()
}


def add_problem_schemas(openapi: dict[str, Any]) -> dict[str, Any]:
    """Register Problem in the document's components (responses refer to it by $ref), describe
    every 422 as a problem rather than FastAPI's default validation body, and document the 400
    that every operation with a JSON body answers to a body that is not JSON."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(schema.pop("$defs", {}))
    schemas["Problem"] = schema
    for key in ("HTTPValidationError", "ValidationError"):
        schemas.pop(key, None)
    for operations in openapi.get("paths", {}).values():
        for operation in operations.values():
            if "422" in operation.get("responses", {}):
                operation["responses"]["422"] = PROBLEM_RESPONSES[422]
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                operation["responses"].setdefault("400", PROBLEM_RESPONSES[400])
    return openapi


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the problem statuses a router or route may answer."""
    return {status: PROBLEM_RESPONSES[status] for status in statuses}


class ProblemError(Exception):
    """An error the caller can fix (or must be told about), raised from services."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = errors
        self.headers = headers


def not_found(what: str) -> ProblemError:
    return ProblemError(404, f"{what} not found", kind="not-found")


def forbidden(detail: str) -> ProblemError:
    return ProblemError(403, detail, kind="forbidden")


def invalid(detail: str, *, loc: list[str | int] | None = None, kind: str = "invalid-input") -> ProblemError:
    errors = [{"loc": loc, "msg": detail, "type": kind}] if loc else None
    return ProblemError(422, detail, kind=kind, errors=errors)


def problem_response(
    status: int,
    detail: str | None,
    *,
    kind: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=f"/problems/{kind}" if kind else "about:blank",
        title=_TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        errors=[FieldError(**e) for e in errors] if errors else None,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def validation_problem(exc: RequestValidationError, status: int = 422) -> ProblemError:
    """The problem for a request FastAPI could not validate, one entry per field in ``errors``."""
    errors = _field_errors(exc)
    return ProblemError(status, _summary(errors), kind="invalid-input", errors=errors)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": [str(p) if not isinstance(p, int) else p for p in err.get("loc", ())],
            "msg": str(err.get("msg", "")).removeprefix("Value error, "),
            "type": str(err.get("type", "invalid")),
        }
        for err in exc.errors()
    ]


def _summary(errors: list[dict[str, Any]]) -> str:
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def _allowed_methods(request: Request) -> list[str]:
    """Every method the API serves at this path (Starlette's own 405 names only the first
    route's), read from the OpenAPI paths so included routers are covered. A path of its own
    (/hotspots/export) wins over a template it also fits (/hotspots/{hotspot_id})."""
    patterns = getattr(request.app.state, "method_patterns", None)
    if patterns is None:
        patterns = [
            (
                re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$"),
                path.count("{"),
                {m.upper() for m in ops},
            )
            for path, ops in request.app.openapi().get("paths", {}).items()
        ]
        request.app.state.method_patterns = patterns
    matching = [(params, allowed) for pattern, params, allowed in patterns if pattern.match(request.url.path)]
    if not matching:
        return []
    fewest = min(params for params, _ in matching)
    return sorted(set().union(*(allowed for params, allowed in matching if params == fewest)))


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc.status, exc.detail, kind=exc.kind, errors=exc.errors, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problem = validation_problem(exc)
        return problem_response(problem.status, problem.detail, kind=problem.kind, errors=problem.errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = exc.headers
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
        return problem_response(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        if not (exc.connection_invalidated or isinstance(exc, OperationalError)):
            return await _unexpected(request, exc)
        log.error(
            "database unavailable on %s %s: %s", request.method, request.url.path, type(exc.orig).__name__
        )
        return problem_response(
            503,
            "the database is unavailable for a moment; send the request again after Retry-After",
            kind="database-unavailable",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        if not isinstance(exc.orig, UniqueViolation):
            return await _unexpected(request, exc)
        constraint = getattr(exc.orig.diag, "constraint_name", None)
        log.warning("concurrent duplicate on %s %s (%s)", request.method, request.url.path, constraint)
        return problem_response(
            409,
            "another request stored the same record at the same moment; send this one again "
            "and the answer will be the stored record",
            kind="concurrent-duplicate",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal error; it has been logged", kind="internal")
