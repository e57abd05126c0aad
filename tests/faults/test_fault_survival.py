"""The short fault suite: a small fleet against an API and a worker that are killed and started
again, a push provider that fails for a while and a database restart (see tests/faults/suite.py)."""

import pytest

from api.demo import load
from tests.faults import suite


@pytest.mark.slow
def test_the_system_recovers_alone_and_holds_exactly_what_the_phones_meant(migrated, session):
    assert load.load(session) is True
    session.close()
    from api.settings import get_settings

    report = suite.run(get_settings().database_url, officers=4, minutes=8, speed=20)
    assert report.ok, report.as_json()
    assert {"API killed with SIGKILL", "worker killed with SIGKILL", "push provider answering 503"} <= set(
        report.faults
    )
    if "postgresql restarted" in report.faults:
        seen = report.during_db_restart
        assert "503" in seen and "500" not in seen, seen
    fleet = report.fleet
    assert fleet["faults"]["dropped_after_commit"] > 0 and fleet["faults"]["duplicated"] > 0
