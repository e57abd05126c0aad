"""The maintenance job keeps GPS partitions ahead of time and drops those past retention."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from api.patrols.jobs import gps_partitions
from api.patrols.partitions import add_months as _add_months


def partitions(session) -> set[str]:
    session.rollback()
    return set(
        session.execute(
            sa.text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'gps_points'"
            )
        ).scalars()
    )


def test_partitions_are_created_ahead_and_dropped_after_retention(session, migrated, city):
    this_month = datetime.now(UTC).date().replace(day=1)
    too_old = _add_months(this_month, -13)
    kept = _add_months(this_month, -11)
    for month in (too_old, kept):
        session.execute(sa.select(sa.func.patrol_gps_partition(month)))
    session.commit()
    gps_partitions(timestamp=0)
    names = partitions(session)
    assert f"gps_points_{too_old:%Y_%m}" not in names, "past the 12-month retention"
    assert f"gps_points_{kept:%Y_%m}" in names
    for ahead in range(3):
        assert f"gps_points_{_add_months(this_month, ahead):%Y_%m}" in names
    dropped = (
        "SELECT reason FROM audit_log WHERE action = 'retention_drop' AND subject_type = 'gps_partition'"
    )
    audited = session.scalars(sa.text(dropped)).all()
    assert audited and all(f"gps_points_{too_old:%Y_%m}" in reason for reason in audited)


def test_month_arithmetic_crosses_years():
    assert _add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert _add_months(date(2026, 1, 1), -13) == date(2024, 12, 1)
