"""Two API processes and two job workers on one database behave as one system: an event caused
through one API process reaches a stream opened on the other, and jobs deferred through both
are each done once, by one of the workers."""

import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from api.auth.models import Role
from tests.factories import IN_WEST, make_hotspot, make_team, make_user, track
from tests.notifications.test_stream import Listener

TEAMS = 4


@pytest.fixture
def workers(migrated, tmp_path):
    """Two `patrol worker` processes, their JSON log lines in files."""
    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker"],
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
            env=dict(os.environ),
        )
        for log in logs
    ]
    yield logs
    for process in started:
        process.terminate()
    for process in started:
        process.wait(timeout=20)


def finished_jobs(logs, task: str) -> list[tuple[int, int]]:
    """(worker, job id) for every job of ``task`` a worker logged as done."""
    done = []
    for number, log in enumerate(logs):
        for line in log.read_text().splitlines():
            record = json.loads(line)
            if record.get("action") == "job_success" and record["job"]["task_name"] == task:
                done.append((number, record["job"]["id"]))
    return done


@pytest.mark.slow
def test_two_api_processes_and_two_workers(start_api, workers, session, city):
    a, b = start_api(), start_api()
    hotspot = make_hotspot(session, *IN_WEST, radius_m=60)
    dispatcher = make_user(session, Role.dispatcher, "T100")
    officers = [make_user(session, Role.officer, "T101") for _ in range(TEAMS)]
    teams = [make_team(session, "T101", officer) for officer in officers]
    listener = Listener(b.url, dispatcher.headers)

    shift_ids, through = [], {}
    for number, (officer, team) in enumerate(zip(officers, teams, strict=True)):
        api = (a, b)[number % 2]
        started = datetime.now(UTC) - timedelta(hours=1)
        shift = httpx.post(
            f"{api.url}/api/v1/patrols",
            json={"team_id": str(team.id), "started_at": started.isoformat()},
            headers=officer.headers,
        )
        assert shift.status_code == 201, shift.text
        shift_id = shift.json()["id"]
        points = track((*IN_WEST, datetime.now(UTC) - timedelta(minutes=15)), seconds=600, step_s=10)
        upload = httpx.post(
            f"{api.url}/api/v1/patrols/{shift_id}/track", json={"points": points}, headers=officer.headers
        )
        assert upload.status_code == 200, upload.text
        shift_ids.append(shift_id)
        through[shift_id] = api.url

    seen = set()
    deadline = time.monotonic() + 15
    while seen != set(shift_ids) and time.monotonic() < deadline:
        event = listener.next(timeout=max(0.1, deadline - time.monotonic()))
        if event["event"] == "position.updated":
            seen.add(event["data"]["shift_id"])
    listener.close()
    assert seen == set(shift_ids)  # those uploaded through A included, on B's stream
    assert {through[s] for s in seen} == {a.url, b.url}

    deadline = time.monotonic() + 60
    while len(finished_jobs(workers, "detect_visits")) < TEAMS and time.monotonic() < deadline:
        time.sleep(0.5)
    done = finished_jobs(workers, "detect_visits")
    assert len(done) == TEAMS, done
    assert all(count == 1 for count in Counter(job for _, job in done).values())  # each job once
    session.rollback()
    left = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'detect_visits'"
    assert session.execute(text(left)).scalar_one() == 0
    visits = session.execute(
        text("SELECT shift_id::text, count(*) FROM hotspot_visits WHERE hotspot_id = :id GROUP BY shift_id"),
        {"id": hotspot.id},
    ).all()
    assert dict(visits) == dict.fromkeys(shift_ids, 1)  # one visit per shift: no job ran twice
    lines = [json.loads(line) for log in workers for line in log.read_text().splitlines()]
    jobs = [line for line in lines if "job" in line]
    assert jobs and all("task_kwargs" not in line["job"] for line in jobs)  # arguments stay out
    assert not [line for line in jobs if "shift_id=" in line["message"]]
