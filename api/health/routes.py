from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from api.db import get_engine
from api.errors import ProblemError, problems
from api.migrations.config import alembic_config
from api.phone import PHONE

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str
    postgis: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "database": "PostgreSQL 15.20",
                    "postgis": "3.3.2",
                }
            ]
        }
    )


@router.get(
    "/health",
    response_model=Health,
    operation_id="health",
    responses=problems(503),
)
def health() -> Health:
    """Database and PostGIS versions; 503 while the database is unreachable. No login needed."""
    try:
        with get_engine().connect() as connection:
            row = connection.execute(
                text("SELECT current_setting('server_version'), postgis_lib_version()")
            ).one()
    except (OperationalError, DBAPIError) as exc:
        raise ProblemError(
            503, "database unreachable", kind="database-unavailable", headers={"Retry-After": "5"}
        ) from exc
    return Health(status="ok", database=f"PostgreSQL {row[0]}", postgis=row[1])


class Probe(BaseModel):
    status: str = Field(description="`ok`, or why the process should get no traffic yet.")

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})


@router.get("/health/live", response_model=Probe, operation_id="healthLive")
def live() -> Probe:
    """The process is up and answering; touches no database (a liveness probe: restart the
    process when this fails). No login needed."""
    return Probe(status="ok")


@cache
def migration_heads() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


@router.get("/health/ready", response_model=Probe, operation_id="healthReady", responses=problems(503))
def ready() -> Probe:
    """The database answers and its schema is at the migrations' head (a readiness probe: send
    traffic only when this is 200). 503 with `Retry-After` otherwise. No login needed."""
    try:
        with get_engine().connect() as connection:
            applied = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except ProgrammingError:  # no alembic_version table: never migrated
        applied = set()
    except (OperationalError, DBAPIError) as exc:
        raise ProblemError(
            503, "database unreachable", kind="database-unavailable", headers={"Retry-After": "5"}
        ) from exc
    if applied != migration_heads():
        raise ProblemError(
            503,
            f"database schema at {sorted(applied) or 'no revision'}, "
            f"the code expects {sorted(migration_heads())}: run `patrol migrate`",
            kind="schema-not-at-head",
            headers={"Retry-After": "30"},
        )
    return Probe(status="ok")


class ServerTime(BaseModel):
    server_time: datetime = Field(description="The server's clock (UTC), the same as `X-Server-Time`.")

    model_config = ConfigDict(json_schema_extra={"examples": [{"server_time": "2026-11-29T12:06:00.123Z"}]})


@router.get("/time", response_model=ServerTime, operation_id="serverTime", tags=[PHONE])
def server_time() -> ServerTime:
    """The server's clock, for a phone to measure its offset before it logs in. No login needed;
    every other answer carries the same time in `X-Server-Time`."""
    return ServerTime(server_time=datetime.now(UTC))
