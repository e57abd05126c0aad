"""Storage per officer-hour, measured: officers walk for an hour with the field app's rate
(a fix every 5 s, sent every 30 s) through the track API, and the tables' sizes grow by what
one officer-hour costs. The figures land in test-artifacts/ops/sizing.json (README, "Scaling to
a province")."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from api.auth.models import Role
from tests.factories import IN_WEST, make_team, make_user, track

OFFICERS = 4
FIX_EVERY_S = 5  # api/field/static/js/gps.js: MIN_INTERVAL_MS
SEND_EVERY_S = 30  # the outbox sends once the oldest point waited 30 s
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ops"

SIZES = """
SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('gps_points')
UNION ALL SELECT pg_total_relation_size('events')
UNION ALL SELECT pg_total_relation_size('live_positions')
UNION ALL SELECT pg_total_relation_size('hotspot_visits')
"""
ROWS = """
SELECT (SELECT count(*) FROM gps_points), (SELECT count(*) FROM events),
       (SELECT count(*) FROM live_positions), (SELECT count(*) FROM hotspot_visits)
"""
TABLES = ("gps_points", "events", "live_positions", "hotspot_visits")


def measure(session) -> dict[str, tuple[int, int]]:
    session.rollback()
    sizes = [row[0] for row in session.execute(text(SIZES))]
    rows = session.execute(text(ROWS)).one()
    return {table: (rows[i], int(sizes[i])) for i, table in enumerate(TABLES)}


@pytest.mark.slow
def test_storage_per_officer_hour(client, session, city):
    crews = []
    for _ in range(OFFICERS):
        officer = make_user(session, Role.officer, "T101")
        team = make_team(session, "T101", officer)
        started = datetime.now(UTC) - timedelta(hours=2)
        shift = client.post(
            "/api/v1/patrols",
            json={"team_id": str(team.id), "started_at": started.isoformat()},
            headers=officer.headers,
        )
        assert shift.status_code == 201, shift.text
        crews.append((officer, shift.json()["id"]))
    before = measure(session)

    start = datetime.now(UTC) - timedelta(minutes=65)
    per_batch = SEND_EVERY_S // FIX_EVERY_S
    for number, (officer, shift_id) in enumerate(crews):
        walk = (IN_WEST[0] + 0.01 * number, IN_WEST[1])
        points = track(
            (*walk, start), seconds=3600 - FIX_EVERY_S, step_s=FIX_EVERY_S, towards=(walk[0] + 0.04, walk[1])
        )
        for first in range(0, len(points), per_batch):
            batch = points[first : first + per_batch]
            sent = client.post(
                f"/api/v1/patrols/{shift_id}/track", json={"points": batch}, headers=officer.headers
            )
            assert sent.status_code == 200, sent.text
    after = measure(session)

    hours = float(OFFICERS)
    figures = {
        table: {
            "rows_per_officer_hour": (after[table][0] - before[table][0]) / hours,
            "bytes_per_officer_hour": (after[table][1] - before[table][1]) / hours,
        }
        for table in TABLES
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "sizing.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures))
    assert figures["gps_points"]["rows_per_officer_hour"] == 3600 / FIX_EVERY_S
    assert figures["events"]["rows_per_officer_hour"] == 3600 / SEND_EVERY_S  # one position event a batch
    assert (
        30 < figures["gps_points"]["bytes_per_officer_hour"] / 720 < 1000
    )  # bytes a point, indexes included
