"""Track uploads: validate a whole batch, store it in bulk and idempotently, keep the live
position, and hand visit detection to the worker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from procrastinate.exceptions import AlreadyEnqueued
from psycopg.errors import UniqueViolation
from sqlmodel import Session

from api.auth.deps import Principal
from api.errors import ProblemError
from api.patrols import gps_copy
from api.patrols.models import PointFlag, Shift
from api.patrols.schemas import TrackPoint
from api.patrols.service import LIVE_VIEWERS, require_accepting_uploads
from api.settings import get_settings
from geo.datum import Datum, to_wgs84
from geo.track import implausible_jumps
from notifications import queue
from notifications.service import event_insert

# New points go by binary COPY straight into the partitioned table. Batches that repeat stored
# points go through a per-connection scratch table (emptied at commit) and move into the
# partitions in one statement that skips them. Both take the same stream (see gps_copy).
_GPS_COLUMNS = ", ".join(gps_copy.COLUMNS)
_COPY_POINTS = f"COPY gps_points ({_GPS_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_INCOMING = (
    "CREATE TEMP TABLE IF NOT EXISTS gps_incoming (LIKE gps_points INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
_COPY_INCOMING = f"COPY gps_incoming ({_GPS_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_MOVE_INCOMING = f"""
WITH stored AS (
  INSERT INTO gps_points ({_GPS_COLUMNS})
  SELECT {_GPS_COLUMNS} FROM gps_incoming
  ON CONFLICT DO NOTHING
  RETURNING 1
)
SELECT count(*) FROM stored
"""

_UPSERT_LIVE = sa.text("""
INSERT INTO live_positions (user_id, shift_id, team_id, jurisdiction_id, geom, recorded_at, received_at,
                            accuracy_m, speed_mps, heading_deg, battery_pct)
VALUES (:user_id, :shift_id, :team_id, :jurisdiction_id, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :t,
        now(), :accuracy, :speed, :heading, :battery)
ON CONFLICT (user_id) DO UPDATE SET
  shift_id = EXCLUDED.shift_id, team_id = EXCLUDED.team_id, jurisdiction_id = EXCLUDED.jurisdiction_id,
  geom = EXCLUDED.geom, recorded_at = EXCLUDED.recorded_at, received_at = EXCLUDED.received_at,
  accuracy_m = EXCLUDED.accuracy_m, speed_mps = EXCLUDED.speed_mps, heading_deg = EXCLUDED.heading_deg,
  battery_pct = EXCLUDED.battery_pct
WHERE live_positions.recorded_at < EXCLUDED.recorded_at
RETURNING 1 AS moved
""")

EARLY_POINTS = timedelta(hours=1)  # a shift takes fixes this long before its start (a phone started early)
_LAST_GOOD_FIX = """
SELECT ST_X(geom), ST_Y(geom), recorded_at FROM gps_points
WHERE shift_id = %(shift_id)s AND user_id = %(user_id)s AND flags = 0
  AND recorded_at >= %(since)s AND recorded_at < %(before)s
ORDER BY recorded_at DESC LIMIT 1
"""
_JOBS = sa.table("procrastinate_jobs", sa.column("queueing_lock"), sa.column("status"))
# Whether a visit detection for this officer and shift already waits for the worker ('todo' is
# written out: the column has procrastinate's own enum type, which a text parameter would not match).
_DETECTION_PENDING = sa.select(
    sa.exists().where(
        _JOBS.c.queueing_lock == sa.bindparam("lock"), _JOBS.c.status == sa.literal_column("'todo'")
    )
)
_known_partitions: set[date] = set()


@dataclass(frozen=True)
class Receipt:
    received: int
    stored: int
    flagged: int


@dataclass(frozen=True)
class _Batch:
    """A validated batch as columns, in time order, with coordinates in WGS84."""

    points: list[TrackPoint]
    micros: np.ndarray  # since 2000-01-01 UTC, as PostgreSQL keeps time
    seconds: np.ndarray  # POSIX time, for speeds and comparisons
    lon: np.ndarray
    lat: np.ndarray
    accuracy: np.ndarray

    @classmethod
    def of(cls, points: list[TrackPoint], micros: np.ndarray) -> _Batch:
        order = np.argsort(micros, kind="stable")
        ordered = [points[i] for i in order.tolist()]
        lon = np.fromiter((p["lon"] for p in ordered), float, len(ordered))
        lat = np.fromiter((p["lat"] for p in ordered), float, len(ordered))
        datums = [p["datum"] for p in ordered]
        for datum in set(datums) - {Datum.wgs84}:
            mask = np.array([d is datum for d in datums])
            lon[mask], lat[mask] = to_wgs84(datum, lon[mask], lat[mask])
        accuracy = np.fromiter((p["accuracy_m"] for p in ordered), float, len(ordered))
        micros = micros[order]
        return cls(ordered, micros, _posix_seconds(micros), lon, lat, accuracy)

    def months(self) -> set[date]:
        """The first day of each UTC month the batch touches (one GPS partition each)."""
        months = np.unique(self.seconds.astype("datetime64[s]").astype("datetime64[M]"))
        return {month.item() for month in months}


def _posix_seconds(micros: np.ndarray) -> np.ndarray:
    return micros / 1e6 + gps_copy.PG_EPOCH.timestamp()


def _check_batch(shift: Shift, points: list[TrackPoint], seconds: np.ndarray, now: datetime) -> None:
    """All or nothing: every point is checked and all offenders are named in one 422."""
    settings = get_settings()
    latest = now + timedelta(seconds=settings.future_tolerance_s)
    earliest = max(shift.started_at - EARLY_POINTS, now - timedelta(days=31 * settings.gps_retention_months))
    future = seconds > latest.timestamp()
    too_old = seconds < earliest.timestamp()
    ids = [p["id"] for p in points]
    if not (future.any() or too_old.any() or len(set(ids)) < len(ids)):
        return
    errors, first_index = [], {}
    for index, point in enumerate(points):
        loc = ["body", "points", index]
        if future[index]:
            errors.append(
                {"loc": [*loc, "t"], "msg": f"{point['t'].isoformat()} is in the future", "type": "future"}
            )
        elif too_old[index]:
            errors.append(
                {
                    "loc": [*loc, "t"],
                    "msg": f"{point['t'].isoformat()} is before the shift or past retention",
                    "type": "too-old",
                }
            )
        if point["id"] in first_index:
            errors.append(
                {
                    "loc": [*loc, "id"],
                    "msg": f"repeats the id of points[{first_index[point['id']]}]",
                    "type": "duplicate-id",
                }
            )
        first_index.setdefault(point["id"], index)
    raise ProblemError(
        422,
        f"{len(errors)} point(s) rejected, nothing stored; first: "
        f"points[{errors[0]['loc'][2]}]: {errors[0]['msg']}",
        kind="track-rejected",
        errors=errors[:100],
    )


def last_good_fix(
    session: Session, shift_id: uuid.UUID, user_id: uuid.UUID, before: datetime, since: datetime
) -> tuple[float, float, datetime] | None:
    """The officer's newest unflagged fix in the shift before ``before`` (and not before
    ``since``, where the shift's points begin): (lon, lat, time).

    Asked one month partition at a time, newest first: given a range inside one month, the
    planner keeps a single partition and reads one index entry backwards; given a range over
    several, it sorts every point of the shift in them (it cannot know the older partitions
    hold nothing newer), which grew with each upload of a long shift. And sent unprepared:
    psycopg prepares a statement on its fifth run, and a generic plan cannot prune partitions
    while planning, so it would sort in the same way.
    """
    connection = session.connection().connection.driver_connection
    upper, month = before, _month_start(before)
    while upper > since:
        params = {"shift_id": shift_id, "user_id": user_id, "since": max(month, since), "before": upper}
        found = connection.execute(_LAST_GOOD_FIX, params, prepare=False).fetchone()
        if found is not None:
            return found
        upper, month = month, _month_start(month - timedelta(days=1))
    return None


def _month_start(at: datetime) -> datetime:
    """The start of the UTC month ``at`` falls in: the GPS partitions' bounds."""
    return at.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _flags(session: Session, shift: Shift, user_id: uuid.UUID, batch: _Batch) -> np.ndarray:
    """Poor accuracy and implausible jumps (checked against the stored fix just before the batch)."""
    settings = get_settings()
    flags = np.where(batch.accuracy > settings.poor_accuracy_m, int(PointFlag.poor_accuracy), 0)
    first = datetime.fromtimestamp(batch.seconds[0], UTC)
    before = last_good_fix(session, shift.id, user_id, first, since=shift.started_at - EARLY_POINTS)
    good = flags == 0
    chain_lon, chain_lat, chain_t = batch.lon[good], batch.lat[good], batch.seconds[good]
    if before is not None:
        chain_lon = np.concatenate([[before[0]], chain_lon])
        chain_lat = np.concatenate([[before[1]], chain_lat])
        chain_t = np.concatenate([[before[2].timestamp()], chain_t])
    jumps = implausible_jumps(chain_lon, chain_lat, chain_t, settings.max_plausible_speed_mps)
    if before is not None:
        jumps = jumps[1:]
    flags[np.flatnonzero(good)[jumps]] |= int(PointFlag.implausible_jump)
    return flags


def _ensure_partitions(session: Session, months: set[date]) -> None:
    for month in sorted(months - _known_partitions):
        session.execute(sa.select(sa.func.patrol_gps_partition(month)))
        _known_partitions.add(month)


def ingest(*, session: Session, principal: Principal, shift: Shift, points: list[TrackPoint]) -> Receipt:
    """Store a batch for ``shift`` (from ``service.get_for_crew``)."""
    require_accepting_uploads(shift)
    micros = gps_copy.micros_since_pg_epoch(points)
    _check_batch(shift, points, _posix_seconds(micros), datetime.now(UTC))
    batch = _Batch.of(points, micros)
    flags = _flags(session, shift, principal.id, batch)

    _ensure_partitions(session, batch.months())
    stored = _store(session, shift, principal, batch, flags)
    good = np.flatnonzero(flags == 0)
    if stored and good.size:
        lock = f"visits:{shift.id}:{principal.id}"
        detection_pending = _DETECTION_PENDING.params(lock=lock)
        if shift.ended_at is None:  # a late upload after the end does not put anyone back on the map
            last = int(good[-1])
            fix = (batch.points[last], float(batch.lon[last]), float(batch.lat[last]))
            detection_pending = detection_pending.add_cte(*_live_position(principal, shift, *fix))
        if not session.execute(detection_pending).scalar():
            _queue_visit_detection(session, shift.id, principal.id, lock)
    return Receipt(received=len(points), stored=stored, flagged=int(np.count_nonzero(flags)))


def _store(session: Session, shift: Shift, principal: Principal, batch: _Batch, flags: np.ndarray) -> int:
    """Write the batch; returns how many points were new.

    A batch of new points (the usual case) is copied straight into the partitions; a batch
    holding points already stored (a phone retrying) makes that COPY fail on the primary key,
    and then goes through the scratch table, which skips them.
    """
    connection = session.connection().connection.driver_connection
    try:
        with connection.transaction(), connection.cursor() as cursor:  # a savepoint
            _copy_direct(cursor, shift, principal, batch, flags)
        return len(batch.points)
    except UniqueViolation:
        return _copy_skipping_stored(connection, shift, principal, batch, flags)


def _payload(shift: Shift, principal: Principal, batch: _Batch, flags: np.ndarray) -> bytes:
    return gps_copy.payload(
        batch.points,
        micros=batch.micros,
        lon=batch.lon,
        lat=batch.lat,
        accuracy=batch.accuracy,
        flags=flags,
        shift_id=shift.id,
        user_id=principal.id,
        jurisdiction_id=shift.jurisdiction_id,
    )


def _copy_direct(cursor, shift: Shift, principal: Principal, batch: _Batch, flags: np.ndarray) -> None:
    with cursor.copy(_COPY_POINTS) as copy:
        copy.write(_payload(shift, principal, batch, flags))


def _copy_skipping_stored(
    connection, shift: Shift, principal: Principal, batch: _Batch, flags: np.ndarray
) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_INCOMING)  # every time: a rolled-back transaction takes the table with it
        with cursor.copy(_COPY_INCOMING) as copy:
            copy.write(_payload(shift, principal, batch, flags))
        cursor.execute(_MOVE_INCOMING)
        return cursor.fetchone()[0]


def _live_position(
    principal: Principal, shift: Shift, point: TrackPoint, lon: float, lat: float
) -> tuple[sa.CTE, sa.CTE]:
    """The newest fix into the live positions and, when it moved the officer, its live event:
    two data-modifying CTEs that ride on the upload's last statement."""
    moved = (
        _UPSERT_LIVE.bindparams(
            user_id=principal.id,
            shift_id=shift.id,
            team_id=shift.team_id,
            jurisdiction_id=shift.jurisdiction_id,
            lon=lon,
            lat=lat,
            t=point["t"],
            accuracy=point["accuracy_m"],
            speed=point.get("speed_mps"),
            heading=point.get("heading_deg"),
            battery=point.get("battery_pct"),
        )
        .columns(moved=sa.Integer)
        .cte("moved")
    )
    announced = event_insert(**position_event(shift, principal, point, lon, lat), when=moved).cte("announced")
    return moved, announced


def position_event(
    shift: Shift, principal: Principal, point: TrackPoint, lon: float, lat: float
) -> dict[str, Any]:
    """The live event the console draws; the one place that shapes it."""
    return {
        "kind": "position.updated",
        "jurisdiction_id": shift.jurisdiction_id,
        "roles": LIVE_VIEWERS,
        "payload": {
            "user_id": str(principal.id),
            "display_name": principal.display_name,
            "team_id": str(shift.team_id),
            "shift_id": str(shift.id),
            "lon": round(lon, 7),
            "lat": round(lat, 7),
            "recorded_at": point["t"].isoformat(),
            "accuracy_m": point["accuracy_m"],
            "heading_deg": point.get("heading_deg"),
            "speed_mps": point.get("speed_mps"),
            "battery_pct": point.get("battery_pct"),
        },
    }


def _queue_visit_detection(session: Session, shift_id: uuid.UUID, user_id: uuid.UUID, lock: str) -> None:
    """One pending detection per officer and shift is enough: it reads the whole shift (a
    racing upload may have queued it since the check)."""
    try:
        with session.begin_nested():
            queue.defer(
                session,
                "detect_visits",
                queue=queue.PATROL_QUEUE,
                queueing_lock=lock,
                shift_id=str(shift_id),
                user_id=str(user_id),
            )
    except AlreadyEnqueued:
        pass
