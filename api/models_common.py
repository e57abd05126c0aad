"""Column helpers shared by the domain models."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import CheckConstraint


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamptz(*, nullable: bool = False, default_now: bool = False) -> sa.Column:
    """A ``timestamptz`` column; with ``default_now`` the database fills it in."""
    return sa.Column(
        sa.DateTime(timezone=True),
        nullable=nullable,
        server_default=sa.func.now() if default_now else None,
    )


def enum_check(column: str, enum: type[StrEnum], name: str) -> CheckConstraint:
    """CHECK that a text column holds one of the enum's values (cheaper to extend than a PG enum)."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=name)
