"""Track uploads: idempotent, out of order, flagged, all-or-nothing, and the live position."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from geo.datum import Datum, point_from_wgs84
from geo.distance import metres_between
from tests.db_faults import answer_when_cut_off, assert_told_to_retry
from tests.factories import IN_WEST, track

LON, LAT = IN_WEST


def upload(client, shift, account, points):
    return client.post(
        f"/api/v1/patrols/{shift['id']}/track", json={"points": points}, headers=account.headers
    )


def start(minutes_ago=60):
    return (LON, LAT, datetime.now(UTC) - timedelta(minutes=minutes_ago))


def test_points_are_stored_once_whatever_the_retries(client, crew, shift, count_rows):
    points = track(start(), seconds=600, towards=(LON + 0.01, LAT))
    first = upload(client, shift, crew["first"], points)
    assert first.status_code == 200, first.text
    assert first.json() | {"server_time": None} == {
        "received": 121,
        "stored": 121,
        "duplicates": 0,
        "flagged": 0,
        "server_time": None,
    }
    again = upload(client, shift, crew["first"], points[50:] + points[:10])
    assert again.json()["stored"] == 0 and again.json()["duplicates"] == 81
    assert count_rows("gps_points") == 121
    later = track((LON + 0.01, LAT, datetime.now(UTC) - timedelta(minutes=45)), seconds=60)
    mixed = upload(client, shift, crew["first"], points[100:] + later)  # a retry with new points
    assert mixed.json()["stored"] == len(later) and mixed.json()["duplicates"] == 21
    assert count_rows("gps_points") == 121 + len(later)


@pytest.mark.parametrize("retried", [False, True], ids=["new", "retried"])
def test_every_field_is_stored_exactly(client, crew, shift, session, retried):
    """Odd offsets, microseconds, full-precision coordinates and any mix of absent optional
    fields come back as sent, by the direct COPY and by the path that skips stored points."""
    base = datetime.now(UTC) - timedelta(minutes=30)
    offsets = [timezone(timedelta(hours=8)), UTC, timezone(timedelta(hours=-3, minutes=-30))]
    points = []
    for index in range(12):
        point = {
            "id": str(uuid.uuid4()),
            "t": (base + timedelta(seconds=index, microseconds=123_457 + index)).astimezone(
                offsets[index % 3]
            ),
            "lon": LON + index * 1.234567891e-6,
            "lat": LAT - index * 9.87654321e-7,
            "datum": "wgs84",
            "accuracy_m": 3.5 + index,
        }
        optional = (("speed_mps", 1.25), ("heading_deg", 271.5), ("battery_pct", 64))
        for bit, (field, value) in enumerate(optional):
            if index >> bit & 1:
                point[field] = value if index % 2 else None  # absent, explicit null or a value
        points.append(point)
    sent = [p | {"t": p["t"].isoformat()} for p in points]
    if retried:
        assert upload(client, shift, crew["first"], sent[:1]).status_code == 200
    answer = upload(client, shift, crew["first"], sent)
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"] == 12 - retried
    rows = session.execute(
        sa.text(
            "SELECT id::text, recorded_at, ST_X(geom), ST_Y(geom), ST_SRID(geom), accuracy_m, speed_mps, "
            "heading_deg, battery_pct, flags, shift_id::text, jurisdiction_id FROM gps_points "
            "ORDER BY recorded_at"
        )
    ).all()
    assert [row[0] for row in rows] == [p["id"] for p in points]
    jurisdiction_id = session.scalar(
        sa.text("SELECT jurisdiction_id FROM shifts WHERE id = :s"), {"s": shift["id"]}
    )
    for row, point in zip(rows, points, strict=True):
        assert row[1] == point["t"]
        assert (row[2], row[3], row[4]) == (point["lon"], point["lat"], 4326)
        assert row[5] == point["accuracy_m"]
        assert (row[6], row[7], row[8]) == tuple(
            point.get(field) for field in ("speed_mps", "heading_deg", "battery_pct")
        )
        assert (row[9], row[10], row[11]) == (0, shift["id"], jurisdiction_id)


def test_late_and_out_of_order_batches_are_placed_in_time(client, crew, shift, session):
    points = track(start(), seconds=300, towards=(LON + 0.005, LAT))
    assert upload(client, shift, crew["first"], points[30:]).status_code == 200
    assert upload(client, shift, crew["first"], points[:30][::-1]).status_code == 200
    stored = session.execute(sa.text("SELECT id FROM gps_points ORDER BY recorded_at")).scalars().all()
    assert [str(i) for i in stored] == [p["id"] for p in points]


def test_gcj02_points_are_stored_as_wgs84(client, crew, shift, session):
    gcj = point_from_wgs84(Datum.gcj02, LON, LAT)
    points = track((*gcj, start()[2]), seconds=10, datum="gcj02")
    assert upload(client, shift, crew["first"], points).status_code == 200
    lon, lat = session.execute(sa.text("SELECT ST_X(geom), ST_Y(geom) FROM gps_points LIMIT 1")).one()
    assert metres_between(lon, lat, LON, LAT) < 0.05


def test_poor_accuracy_and_jumps_are_kept_but_flagged(client, crew, shift, session):
    points = track(start(), seconds=60)
    points[3]["accuracy_m"] = 400.0
    points[6]["lon"], points[6]["lat"] = LON + 0.5, LAT + 0.5  # 70 km away and back within 10 s
    receipt = upload(client, shift, crew["first"], points).json()
    assert receipt["flagged"] == 2 and receipt["stored"] == 13
    flags = dict(session.execute(sa.text("SELECT id::text, flags FROM gps_points WHERE flags > 0")).all())
    assert flags == {points[3]["id"]: 1, points[6]["id"]: 2}
    page = client.get(
        f"/api/v1/patrols/{shift['id']}/points", params={"limit": 5}, headers=crew["dispatcher"].headers
    ).json()
    assert page["points"][3]["flags"] == ["poor_accuracy"] and page["next"]
    rest = client.get(
        f"/api/v1/patrols/{shift['id']}/points",
        params={"after": page["next"]},
        headers=crew["dispatcher"].headers,
    ).json()
    assert (
        rest["points"][1]["flags"] == ["implausible_jump"]
        and len(rest["points"]) == 8
        and rest["next"] is None
    )


def test_live_position_follows_the_newest_fix_only(client, crew, shift, session):
    newer = track(start(10), seconds=20, towards=(LON + 0.002, LAT))
    older = track(start(50), seconds=20, towards=(LON - 0.002, LAT))
    upload(client, shift, crew["first"], newer)
    upload(client, shift, crew["first"], older)
    lon, recorded = session.execute(sa.text("SELECT ST_X(geom), recorded_at FROM live_positions")).one()
    assert lon == pytest.approx(LON + 0.002) and recorded == datetime.fromisoformat(newer[-1]["t"])
    kinds = session.execute(sa.text("SELECT kind, roles FROM events WHERE kind = 'position.updated'")).all()
    assert len(kinds) == 1, "the late batch did not move the officer backwards"
    assert set(kinds[0][1]) == {"dispatcher", "supervisor", "admin"}


BAD_BATCHES = {
    "empty": (lambda pts: [], "points"),
    "over the limit": (lambda pts: pts * 5001, "points"),
    "latitude out of range": (lambda pts: [{**pts[0]}, {**pts[1], "lat": 91.0}], "points.1.lat"),
    "unknown datum": (lambda pts: [{**pts[0], "datum": "beijing54"}], "points.0.datum"),
    "coordinates as text": (lambda pts: [{**pts[0], "lon": "112.9"}], "points.0.lon"),
    "no offset on the time": (lambda pts: [{**pts[0], "t": "2026-11-29T08:00:00"}], "points.0.t"),
    "in the future": (
        lambda pts: [pts[0], {**pts[1], "t": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}],
        "is in the future",
    ),
    "before the shift": (
        lambda pts: [{**pts[0], "t": (datetime.now(UTC) - timedelta(days=3)).isoformat()}],
        "before the shift",
    ),
    "repeated id": (lambda pts: [pts[0], {**pts[1], "id": pts[0]["id"]}], "repeats the id of points[0]"),
    "negative accuracy": (lambda pts: [{**pts[0], "accuracy_m": -1}], "points.0.accuracy_m"),
}


@pytest.mark.parametrize("case", list(BAD_BATCHES))
def test_bad_batches_are_refused_whole(client, crew, shift, count_rows, case):
    make, expected = BAD_BATCHES[case]
    response = upload(client, shift, crew["first"], make(track(start(), seconds=5)))
    assert response.status_code == 422, response.text
    assert expected in response.text
    assert count_rows("gps_points") == 0 and count_rows("live_positions") == 0


def test_who_may_upload_where(client, crew, shift, session, count_rows):
    points = track(start(), seconds=5)
    assert upload(client, shift, crew["outsider"], points).status_code == 403, "another team's shift"
    assert upload(client, shift, crew["dispatcher"], points).status_code == 403, "only officers upload tracks"
    assert upload(client, {"id": uuid.uuid4()}, crew["first"], points).status_code == 404
    assert (
        client.post(f"/api/v1/patrols/{shift['id']}/end", json={}, headers=crew["first"].headers).status_code
        == 200
    )
    assert upload(client, shift, crew["second"], points).status_code == 200, (
        "late upload after the end is fine"
    )
    session.execute(sa.text("UPDATE shifts SET ended_received_at = now() - interval '2 days'"))
    session.commit()
    closed = upload(client, shift, crew["second"], track(start(), seconds=5))
    assert closed.status_code == 409 and "closed more than" in closed.json()["detail"]
    assert count_rows("gps_points") == 2


def test_points_across_months_land_in_monthly_partitions(client, crew, session):
    long_ago = datetime.now(UTC) - timedelta(days=40)
    shift = client.post(
        "/api/v1/patrols",
        headers=crew["first"].headers,
        json={"team_id": str(crew["team"].id), "started_at": long_ago.isoformat()},
    ).json()
    old = track((LON, LAT, long_ago + timedelta(minutes=1)), seconds=10)
    new = track(start(), seconds=10)
    assert upload(client, shift, crew["first"], old + new).status_code == 200
    partitions = session.execute(
        sa.text("SELECT tableoid::regclass::text, count(*) FROM gps_points GROUP BY 1 ORDER BY 1")
    ).all()
    months = [f"gps_points_{t:%Y_%m}" for t in (long_ago + timedelta(minutes=1), start()[2])]
    assert [p for p, _ in partitions] == months and [n for _, n in partitions] == [3, 3]


@pytest.mark.parametrize(
    ("table", "statement"),
    [("gps_points", "COPY gps_points%"), ("procrastinate_jobs", "%procrastinate_defer%")],
    ids=["copying the points", "queueing visit detection"],
)
def test_an_upload_cut_off_by_the_database_is_told_to_retry_and_the_retry_stores_it_once(
    client, crew, shift, count_rows, table, statement
):
    """The points are copied, and the visit detection queued, on the driver's own connection:
    losing the database there is the same 503 with Retry-After as anywhere else."""
    points = track(start(), seconds=300)
    cut_off = answer_when_cut_off(lambda: upload(client, shift, crew["first"], points), table, statement)
    assert_told_to_retry(cut_off)
    assert count_rows("gps_points") == 0
    resent = upload(client, shift, crew["first"], points)
    assert resent.status_code == 200, resent.text
    assert resent.json()["stored"] == len(points)
    assert count_rows("gps_points") == len(points)
