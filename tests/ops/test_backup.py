"""`patrol backup` and `patrol restore`: a dump of a populated database restored into a fresh
one holds the same rows and answers the same spatial queries."""

import os
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from api.settings import get_settings
from notifications.queue import libpq_url
from tests.encounters.conftest import encounter
from tests.factories import IN_WEST, make_hotspot, track

TABLES = ("hotspots", "shifts", "gps_points", "encounters", "leads", "users", "jurisdictions", "audit_log")
NEAR_WEST = f"""
SELECT count(*) FROM hotspots
WHERE ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint({IN_WEST[0]}, {IN_WEST[1]}), 4326)::geography, 500)
"""


def counts(conninfo: str) -> dict[str, int]:
    with psycopg.connect(conninfo) as connection:
        found = {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
        found["near_west"] = connection.execute(NEAR_WEST).fetchone()[0]
        found["partitions"] = connection.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'gps_points'::regclass"
        ).fetchone()[0]
    return found


@pytest.fixture
def fresh_database():
    """The URL of a database to restore into: the empty one the setup command made
    (``PATROL_TEST_RESTORE_DATABASE_URL``), or, with a role that may create databases, one that
    does not exist yet, dropped after the test."""
    if given := os.environ.get("PATROL_TEST_RESTORE_DATABASE_URL"):
        yield given
        return
    params = conninfo_to_dict(libpq_url(get_settings().database_url))
    name = f"{params['dbname']}_restore_{uuid.uuid4().hex[:8]}"
    yield get_settings().database_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(make_conninfo(**{**params, "dbname": "postgres"}), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow  # three `patrol` processes, pg_dump and pg_restore
def test_backup_and_restore_round_trip(client, session, crew, shift, run_patrol, tmp_path, fresh_database):
    for offset in range(3):
        make_hotspot(session, IN_WEST[0] + offset * 0.001, IN_WEST[1])
    make_hotspot(session, IN_WEST[0] + 0.05, IN_WEST[1])  # about 5 km away
    officer = crew["first"].headers
    points = track((IN_WEST[0], IN_WEST[1], datetime.now(UTC) - timedelta(minutes=20)), seconds=300)
    assert client.post(
        f"/api/v1/patrols/{shift['id']}/track", json={"points": points}, headers=officer
    ).is_success
    logged = client.post("/api/v1/encounters", json=encounter(), headers=officer)
    assert logged.status_code == 201, logged.text
    lead = client.post(
        "/api/v1/public/leads",
        json={
            "description": "桥洞下有人，衣服单薄，需要看看",
            "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]},
        },
    )
    assert lead.status_code == 201, lead.text

    source = counts(libpq_url(get_settings().database_url))
    assert source["hotspots"] == 4 and source["gps_points"] == len(points) and source["near_west"] == 3
    assert source["encounters"] == 1 and source["leads"] == 1 and source["shifts"] == 1

    dump = tmp_path / "patrol.dump"
    made = run_patrol("backup", str(dump))
    assert made.returncode == 0, made.stdout + made.stderr
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    restored = run_patrol("restore", str(dump), "--database", fresh_database)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert counts(libpq_url(fresh_database)) == source

    again = run_patrol("restore", str(dump), "--database", fresh_database)
    assert again.returncode == 1 and "restore into an empty one" in again.stdout
