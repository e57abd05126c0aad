"""A phone that sends the same record twice at the same moment (a retry racing the original)
gets the stored record or a 409 telling it to resend, never a 500, and the record is stored once."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa

from api.auth.models import Role
from tests.factories import encounter_body, make_team, make_user

COPIES = 6


def race(server: str, path: str, body: dict, headers: dict) -> list[httpx.Response]:
    def send(_):
        with httpx.Client(base_url=server, timeout=30) as http:
            return http.post(path, json=body, headers=headers)

    with ThreadPoolExecutor(COPIES) as pool:
        return list(pool.map(send, range(COPIES)))


def test_racing_copies_of_a_shift_and_an_encounter_are_stored_once(server, client, session, city):
    officer = make_user(session, Role.officer, "T101")
    team = make_team(session, "T101", officer)
    now = datetime.now(UTC)
    shift = {
        "id": str(uuid.uuid4()),
        "team_id": str(team.id),
        "started_at": (now - timedelta(hours=1)).isoformat(),
    }
    encounter = encounter_body()
    for path, body, table in (
        ("/api/v1/patrols", shift, "shifts"),
        ("/api/v1/encounters", encounter, "encounters"),
    ):
        answers = race(server, path, body, officer.headers)
        statuses = sorted(a.status_code for a in answers)
        assert set(statuses) <= {200, 201, 409} and 201 in statuses, (path, statuses)
        for answer in answers:
            if answer.status_code == 409:
                assert answer.json()["type"].endswith("concurrent-duplicate")
                assert answer.headers["Retry-After"] == "1"
        resent = client.post(path, json=body, headers=officer.headers)
        assert resent.status_code == 200 and resent.json()["id"] == body["id"]
        stored = session.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE id = :id"), {"id": body["id"]})
        assert stored == 1
