"""A batch of GPS points as one PostgreSQL binary COPY stream, built column by column.

Handing psycopg a row at a time costs about as much CPU as everything else in an upload
(each value goes through a Python dumper); numpy lays out the same bytes for a whole batch in
a fraction of that. The layout is PostgreSQL's documented binary COPY format: a signature and
header, then per row a field count and each field as a length (-1 for NULL) and its bytes in
network order, then a trailer. A geometry's binary input is EWKB.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np

from api.patrols.schemas import TrackPoint

COLUMNS = (
    "id",
    "recorded_at",
    "shift_id",
    "user_id",
    "jurisdiction_id",
    "geom",
    "accuracy_m",
    "speed_mps",
    "heading_deg",
    "battery_pct",
    "flags",
)
OPTIONAL = ("speed_mps", "heading_deg", "battery_pct")

PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # no flags, no header extension
_TRAILER = b"\xff\xff"
# EWKB of a 2D point with an SRID: byte order, type (point | SRID flag), SRID, x, y
_EWKB_POINT = np.dtype([("byte_order", "u1"), ("type", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")])
_EWKB_POINT_WITH_SRID = 0x20000001
_FIELD_TYPES = {
    "id": np.dtype("V16"),
    "recorded_at": np.dtype(">i8"),  # microseconds since 2000-01-01 UTC
    "shift_id": np.dtype("V16"),
    "user_id": np.dtype("V16"),
    "jurisdiction_id": np.dtype(">i4"),
    "geom": _EWKB_POINT,
    "accuracy_m": np.dtype(">f4"),
    "speed_mps": np.dtype(">f4"),
    "heading_deg": np.dtype(">f4"),
    "battery_pct": np.dtype(">i2"),
    "flags": np.dtype(">i2"),
}


@functools.cache
def _row_type(present: tuple[bool, ...]) -> np.dtype:
    """One row whose optional fields are present or NULL as ``present`` says (a NULL field is
    its length alone), packed as the stream has it."""
    fields = [("count", ">i2")]
    for column in COLUMNS:
        fields.append((f"{column}_length", ">i4"))
        if column not in OPTIONAL or present[OPTIONAL.index(column)]:
            fields.append((column, _FIELD_TYPES[column]))
    return np.dtype(fields)


def micros_since_pg_epoch(points: list[TrackPoint]) -> np.ndarray:
    """Each point's time as PostgreSQL stores it, exactly (no float rounding)."""
    return np.fromiter(((p["t"] - PG_EPOCH) // MICROSECOND for p in points), np.int64, len(points))


def payload(
    points: list[TrackPoint],
    *,
    micros: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    accuracy: np.ndarray,
    flags: np.ndarray,
    shift_id: uuid.UUID,
    user_id: uuid.UUID,
    jurisdiction_id: int,
) -> bytes:
    """The whole COPY stream for ``points`` (with coordinates already in WGS84).

    Rows are grouped by which optional fields are NULL, one fixed-size row type per group:
    the order rows reach the table in does not matter."""
    count = len(points)
    values = {
        "id": np.frombuffer(b"".join(p["id"].bytes for p in points), "V16"),
        "recorded_at": micros,
        "shift_id": np.void(shift_id.bytes),
        "user_id": np.void(user_id.bytes),
        "jurisdiction_id": jurisdiction_id,
        "accuracy_m": accuracy,
        "flags": flags,
    }
    present = {}
    for column in OPTIONAL:
        given = [p.get(column) for p in points]
        present[column] = np.fromiter((v is not None for v in given), bool, count)
        values[column] = np.fromiter((0 if v is None else v for v in given), float, count)
    geom = np.empty(count, _EWKB_POINT)
    geom["byte_order"], geom["type"], geom["srid"] = 1, _EWKB_POINT_WITH_SRID, 4326  # 1: little-endian
    geom["x"], geom["y"] = lon, lat
    values["geom"] = geom

    patterns = np.stack([present[column] for column in OPTIONAL], axis=1)
    chunks = [_SIGNATURE]
    for pattern in np.unique(patterns, axis=0):
        rows = np.flatnonzero((patterns == pattern).all(axis=1))
        chunks.append(_rows(_row_type(tuple(pattern.tolist())), rows, values).tobytes())
    chunks.append(_TRAILER)
    return b"".join(chunks)


def _rows(row_type: np.dtype, rows: np.ndarray, values: dict) -> np.ndarray:
    records = np.empty(len(rows), row_type)
    records["count"] = len(COLUMNS)
    for column in COLUMNS:
        if column not in row_type.names:
            records[f"{column}_length"] = -1
            continue
        records[f"{column}_length"] = row_type[column].itemsize
        value = values[column]
        records[column] = value[rows] if isinstance(value, np.ndarray) and value.ndim else value
    return records
