"""The hot queries stay index-backed (checked with EXPLAIN on a realistic amount of data)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa


def plan(session, sql: str, **params) -> str:
    rows = session.execute(sa.text(f"EXPLAIN {sql}"), params).scalars().all()
    return "\n".join(rows)


@pytest.fixture
def busy_city(session, city, crew):
    """A few thousand hotspots and live positions, analysed, so plans are realistic."""
    session.execute(
        sa.text("""
        INSERT INTO hotspots (id, name, kind, risk_level, jurisdiction_id, geom, radius_m, version)
        SELECT gen_random_uuid(), 'h' || n, 'other', 'low',
               (SELECT id FROM jurisdictions WHERE code = 'T101'),
               ST_SetSRID(ST_MakePoint(120 + random() * 0.1, 30 + random() * 0.2), 4326), 50, 1
        FROM generate_series(1, 2000) n""")
    )
    session.execute(
        sa.text("""
        INSERT INTO shifts (id, team_id, jurisdiction_id, started_at) VALUES (gen_random_uuid(), :team,
        (SELECT id FROM jurisdictions WHERE code = 'T101'), now())"""),
        {"team": crew["team"].id},
    )
    session.execute(
        sa.text("""
        INSERT INTO users (id, username, display_name, password_hash, role, jurisdiction_id, is_active)
        SELECT gen_random_uuid(), 'u' || n, 'u', 'x', 'officer',
               (SELECT id FROM jurisdictions WHERE code = 'T101'), true
        FROM generate_series(1, 3000) n""")
    )
    session.execute(
        sa.text("""
        INSERT INTO live_positions (user_id, shift_id, team_id, jurisdiction_id, geom, recorded_at,
                                    received_at, accuracy_m)
        SELECT u.id, (SELECT id FROM shifts LIMIT 1), :team, u.jurisdiction_id,
               ST_SetSRID(ST_MakePoint(120 + random() * 0.1, 30 + random() * 0.2), 4326), now(), now(), 5
        FROM users u WHERE u.username LIKE 'u%'"""),
        {"team": crew["team"].id},
    )
    session.execute(sa.text("ANALYZE hotspots; ANALYZE live_positions"))
    session.commit()


def test_nearest_positions_and_visit_matching_use_their_indexes(session, busy_city):

    knn = plan(
        session,
        """
        SELECT user_id FROM live_positions
        ORDER BY geom::geography <-> ST_SetSRID(ST_MakePoint(120.05, 30.1), 4326)::geography LIMIT 5""",
    )
    assert "ix_live_positions_geography" in knn, knn
    within = plan(
        session,
        """
        SELECT user_id FROM live_positions
        WHERE ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(120.05, 30.1), 4326)::geography, 500)""",
    )
    assert "ix_live_positions_geography" in within, within
    matching = plan(
        session,
        """
        SELECT p.recorded_at, h.id FROM gps_points p
        JOIN hotspots h ON h.retired_at IS NULL AND ST_Intersects(h.area, p.geom)
        WHERE p.shift_id = :any AND p.user_id = :any AND p.flags = 0
          AND p.recorded_at BETWEEN now() - interval '1 day' AND now()""",
        any=uuid.uuid4(),
    )
    assert "Index Scan using idx_hotspots_area" in matching, matching
    assert "shift_id_user_id_recorded_at_idx" in matching and "Index Cond: ((shift_id =" in matching, matching
    near_hotspots = plan(
        session,
        """
        SELECT id FROM hotspots
        WHERE ST_DWithin(area::geography, ST_SetSRID(ST_MakePoint(120.05, 30.1), 4326)::geography, 500)""",
    )
    assert "ix_hotspots_area_geography" in near_hotspots, near_hotspots


def explain(session, statement) -> str:
    compiled = statement.compile(dialect=session.get_bind().dialect)
    rows = session.connection().exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars().all()
    return "\n".join(rows)


def test_the_services_own_queries_use_the_geography_indexes(session, busy_city):
    from api.auth.deps import system_principal
    from api.hotspots.service import HotspotFilters, search_query
    from api.patrols.positions import on_duty_query

    nearest = explain(
        session,
        on_duty_query(system_principal(), near=(120.05, 30.1), radius_m=None, limit=5, include_stale=True),
    )
    assert "ix_live_positions_geography" in nearest, nearest
    hotspots = explain(
        session,
        search_query(
            session=session,
            principal=system_principal(),
            filters=HotspotFilters(near=(120.05, 30.1), radius_m=300),
        ),
    )
    assert "ix_hotspots_area_geography" in hotspots, hotspots


def test_the_fix_before_a_batch_is_read_backwards_and_never_from_a_prepared_plan(session, busy_city, crew):
    """Every upload asks for the officer's last good fix. Over a range spanning partitions, or
    from a prepared (generic) plan, PostgreSQL sorts every point of the shift to find it; asked
    a month at a time and unprepared, it reads one index entry backwards. Run past psycopg's
    prepare threshold, the statement is still not prepared."""
    from api.patrols.tracks import _LAST_GOOD_FIX, _month_start, last_good_fix

    shift_id = session.execute(sa.text("SELECT id FROM shifts LIMIT 1")).scalar_one()
    user_id = crew["first"].user.id
    now = datetime.now(UTC)
    last_month = _month_start(_month_start(now) - timedelta(days=1))
    session.execute(sa.select(sa.func.patrol_gps_partition(last_month.date())))  # an older partition
    session.execute(
        sa.text("""
        INSERT INTO gps_points (id, recorded_at, shift_id, user_id, jurisdiction_id, geom, accuracy_m, flags)
        SELECT gen_random_uuid(), :now - make_interval(secs => n), :shift, :user,
               (SELECT id FROM jurisdictions WHERE code = 'T101'),
               ST_SetSRID(ST_MakePoint(120, 30), 4326), 5, 0
        FROM generate_series(1, 5000) n"""),
        {"now": now, "shift": shift_id, "user": user_id},
    )
    raw = session.connection().connection.driver_connection
    for _ in range(raw.prepare_threshold + 2):
        lon, lat, at = last_good_fix(session, shift_id, user_id, now, since=now - timedelta(days=40))
    assert (lon, lat, at) == (120, 30, now - timedelta(seconds=1))
    prepared = raw.execute("SELECT statement FROM pg_prepared_statements").fetchall()
    assert not [s for (s,) in prepared if "flags = 0" in s], prepared

    params = {"shift_id": shift_id, "user_id": user_id, "since": _month_start(now), "before": now}
    plan_lines = [line for (line,) in raw.execute(f"EXPLAIN {_LAST_GOOD_FIX}", params, prepare=False)]
    assert "Index Scan Backward" in plan_lines[1], plan_lines
    assert not any("Sort" in line or "Append" in line for line in plan_lines), plan_lines
