"""Opaque gap-free cursors over rows carrying (txid, id). See ``notifications.models``."""

from __future__ import annotations

import sqlalchemy as sa

from notifications.models import XID8

# Rows written by transactions older than every running one: nothing can commit before them.
SETTLED = sa.text("txid < pg_snapshot_xmin(pg_current_snapshot())")


class CursorError(ValueError):
    pass


def encode(txid: int | str, row_id: int) -> str:
    return f"{txid}-{row_id}"


def decode(cursor: str) -> tuple[int, int]:
    try:
        txid, row_id = (int(part) for part in cursor.split("-", 1))
    except ValueError as exc:
        raise CursorError(f"not a cursor this server issued: {cursor!r}") from exc
    if txid < 0 or row_id < 0:
        raise CursorError(f"not a cursor this server issued: {cursor!r}")
    return txid, row_id


def after(txid_column, id_column, cursor: str | None):
    """SQL condition for rows strictly after the cursor, in (txid, id) order."""
    if cursor is None:
        return sa.true()
    txid, row_id = decode(cursor)
    return sa.tuple_(txid_column, id_column) > sa.tuple_(
        sa.cast(sa.literal(str(txid)), XID8), sa.literal(row_id, sa.BigInteger)
    )
