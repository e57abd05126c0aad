"""Engine and sessions. One engine per process, created on first use from the settings."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from sqlalchemy import Engine, cast, create_engine
from sqlalchemy.types import UserDefinedType
from sqlmodel import Session

from api.settings import get_settings


def _engine(url: str) -> Engine:
    settings = get_settings()
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
        connect_args={"connect_timeout": settings.db_connect_timeout_s},
    )


@lru_cache
def get_engine() -> Engine:
    return _engine(get_settings().database_url)


@lru_cache
def get_read_engine() -> Engine:
    """The replica for read-only work when one is configured, else the primary."""
    url = get_settings().read_database_url
    return _engine(url) if url else get_engine()


def get_session() -> Iterator[Session]:
    with Session(get_engine()) as session:
        yield session


def get_read_session() -> Iterator[Session]:
    with Session(get_read_engine()) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
# For routes that only read and may lag the primary by moments: map layers, reports, OGC API.
# Who the caller is (and whether their login still stands) is always read from the primary.
ReadSessionDep = Annotated[Session, Depends(get_read_session)]


class LTree(UserDefinedType):
    """PostgreSQL ``ltree`` (materialised path); psycopg hands it over as text."""

    cache_ok = True

    def get_col_spec(self, **kw) -> str:
        return "LTREE"

    class comparator_factory(UserDefinedType.Comparator):
        def descendant_of(self, other):
            """``self <@ other``: self is other or lies below it."""
            return self.op("<@", is_comparison=True)(other)


class _Geography(UserDefinedType):
    """Plain ``geography``: a cast to it matches indexes built on ``(column::geography)``.

    GeoAlchemy2's Geography type renders ``geography(GEOMETRY,4326)``, an expression those
    indexes do not match, so KNN and radius queries through it would scan the whole table.
    """

    cache_ok = True

    def get_col_spec(self, **kw) -> str:
        return "geography"


def as_geography(expr):
    return cast(expr, _Geography())
