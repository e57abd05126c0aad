"""A client generated from the committed contract works against the live server.

openapi-python-client (the generator the phone team's tooling resembles most closely among
maintained Python generators) turns mobile_contract/openapi.json into a typed package; the
test imports it and runs the start of a night shift through it.
"""

import importlib
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.auth.models import Role
from mobile_contract import snapshot
from tests.factories import IN_WEST, make_hotspot, make_team, make_user

PACKAGE = "patrol_phone_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated package, imported from a temporary folder."""
    root = tmp_path_factory.mktemp("generated")
    config = root / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "openapi-python-client"),
            "generate",
            "--path",
            str(snapshot.SNAPSHOT),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in (done.stdout + done.stderr).lower(), "every operation and schema must generate"
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_every_phone_operation_becomes_a_function(generated):
    document = snapshot.load_snapshot()
    for path_item in document["paths"].values():
        for operation in path_item.values():
            tag = operation["tags"][0]
            function = "".join("_" + c.lower() if c.isupper() else c for c in operation["operationId"])
            assert hasattr(module(f"api.{tag}.{function}"), "sync_detailed"), operation["operationId"]


def test_a_shift_start_through_the_generated_client(generated, server, session, city):
    officer = make_user(session, Role.officer, "T101", password="night-shift-2026")
    team = make_team(session, "T101", officer)
    make_hotspot(session, *IN_WEST, radius_m=80)
    models = module("models")

    anonymous = generated.Client(base_url=server)
    login = module("api.auth.login").sync_detailed(
        client=anonymous,
        body=models.BodyLogin(username=officer.user.username, password="night-shift-2026"),
    )
    assert login.status_code == 200 and isinstance(login.parsed, models.TokenPair)
    assert "X-Server-Time" in login.headers
    phone = generated.AuthenticatedClient(base_url=server, token=login.parsed.access_token)

    teams = module("api.teams.list_teams").sync(client=phone)
    assert [t.id for t in teams] == [team.id]
    now = datetime.now(UTC)
    shift = module("api.patrols.start_shift").sync(
        client=phone,
        body=models.ShiftStart(id=uuid.uuid4(), team_id=team.id, started_at=now - timedelta(hours=1)),
    )
    assert isinstance(shift, models.ShiftPublic) and shift.on_duty

    points = [
        models.TrackPoint(
            id=uuid.uuid4(),
            t=now - timedelta(seconds=10 * i),
            lon=IN_WEST[0],
            lat=IN_WEST[1],
            datum=models.Datum.WGS84,
            accuracy_m=8.0,
        )
        for i in range(3)
    ]
    receipt = module("api.patrols.upload_track").sync(
        client=phone, shift_id=shift.id, body=models.TrackUpload(points=points)
    )
    assert (receipt.received, receipt.stored) == (3, 3)

    encounter = models.EncounterCreate.from_dict(
        {
            "id": str(uuid.uuid4()),
            "occurred_at": now.isoformat(),
            "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]},
            "shift_id": str(shift.id),
            "age_band": "60_plus",
            "categories": ["elderly"],
            "civil_capacity": "full",
            "outcome": "refused_help",
            "told_station_contact": True,
            "persuasion_note": "告知救助站地址和热线，劝说未果",
        }
    )
    logged = module("api.encounters.log_encounter").sync_detailed(client=phone, body=encounter)
    assert logged.status_code == 201, logged.content
    assert logged.parsed.outcome == models.Outcome.REFUSED_HELP and logged.parsed.revisit_task_id
    assert logged.parsed.age_band == models.AgeBand.AGE_60_PLUS, "enum values have stable names"

    read_inbox = module("api.inbox.read_inbox")
    deadline, items, cursor = time.monotonic() + 30, [], None
    while not any(item.kind == "revisit" for item in items):  # items settle a moment after commit
        assert time.monotonic() < deadline, "the revisit never reached the inbox"
        page = read_inbox.sync(client=phone, after=cursor or generated.types.UNSET)
        items, cursor = items + page.items, page.next_
        time.sleep(0.1)
    revisit = next(item for item in items if item.kind == "revisit")
    acknowledged = module("api.inbox.acknowledge_inbox_item").sync(client=phone, notification_id=revisit.id)
    assert acknowledged.id == revisit.id and acknowledged.acknowledged_at is not None
    again = read_inbox.sync(client=phone, unacknowledged=True)
    assert revisit.id not in [item.id for item in again.items]
