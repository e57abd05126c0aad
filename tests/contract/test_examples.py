"""The examples in mobile_contract/examples fit the contract, and the live server answers
them the way they say: each one is sent, in the order of the story, and the answers are
checked against the committed snapshot with openapi-core."""

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from shapely.geometry import box

from api.auth import service as users
from api.auth.models import Role
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import JurisdictionLevel
from api.organisations.models import OrganisationKind
from api.teams.models import Team, TeamMember
from mobile_contract import snapshot
from tests.contract.exchanges import LiveRunner, load_examples, validate_example
from tests.factories import make_hotspot, make_organisation, make_user

EXAMPLES = load_examples()
PHONE_OPERATIONS = {
    op["operationId"] for ops in snapshot.load_snapshot()["paths"].values() for op in ops.values()
}
# Ids of the story that the world below makes with the same value.
TEAM = "8c2f7d1e-5a4b-4c3d-9e8f-1a2b3c4d5e6f"
HOTSPOTS = ("6a0f8c7e-1d0b-4b0e-8f57-3f1f6f0c9a21", "9dd0818a-34ff-467b-935c-9b030f648e1e")
ROUTE = "2b9c4e1a-7d3f-4a5b-8c6d-0e1f2a3b4c5d"
STATION = 1
SWEEP, TASK = "7c6b5a49-3827-4d16-9e05-f4e3d2c1b0a9", "0a1b2c3d-4e5f-4061-8273-9485a6b7c8d9"
HANDOVER = "4b3a2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0"
LEAD_DECLINED, LEAD = "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3c5e7a", "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"


def test_every_phone_operation_has_an_example_and_every_example_a_phone_operation():
    named = {example["operation"] for example in EXAMPLES.values()}
    assert named == PHONE_OPERATIONS
    for name, example in EXAMPLES.items():
        assert name.split(".")[0] == example["operation"], name
        assert example["summary"] and example["response"]["status"]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_fits_the_contract(name):
    validate_example(EXAMPLES[name])


def test_a_broken_example_is_refused():
    """The validator is not a rubber stamp."""
    example = EXAMPLES["startShift"]
    wrong_request = {**example, "request": {"body": {"team_id": "not-a-uuid"}}}
    wrong_answer = {**example, "response": {**example["response"], "body": {"id": TEAM}}}
    for broken in (wrong_request, wrong_answer):
        with pytest.raises(Exception):  # noqa: B017 - openapi-core raises one class per kind of mismatch
            validate_example(broken)


@pytest.fixture
def world(session):
    """The story's city: district 990102 with two hotspots on a route, the team 河西巡01 of
    officer01, a rescue station and its staff, a dispatcher and a hotline operator."""
    jurisdictions.create(
        session=session,
        code="990100",
        name="滨河市",
        level=JurisdictionLevel.city,
        parent_code=None,
        boundary=box(112.8, 28.1, 113.1, 28.4),
    )
    jurisdictions.create(
        session=session,
        code="990102",
        name="河西区",
        level=JurisdictionLevel.district,
        parent_code="990100",
        boundary=box(112.9, 28.15, 113.0, 28.3),
    )
    session.commit()
    officer = users.create_user(
        session=session,
        username="officer01",
        password="demo-officer-2026",
        role=Role.officer,
        jurisdiction_code="990102",
    )
    session.add(Team(id=uuid.UUID(TEAM), call_sign="河西巡01", jurisdiction_id=officer.jurisdiction_id))
    session.flush()
    session.add(TeamMember(team_id=uuid.UUID(TEAM), user_id=officer.id))
    session.commit()
    bridge = make_hotspot(session, 112.9642, 28.24, radius_m=60, name="滨河大桥西桥洞", risk_level="high")
    park = make_hotspot(session, 112.955, 28.235, radius_m=40, name="望江公园凉亭", kind="park")
    station = make_organisation(
        session, OrganisationKind.rescue_station, "990102", (112.978, 28.188), capacity=80
    )
    dispatcher = make_user(session, Role.dispatcher, "990100")
    make_user(session, Role.supervisor, "990102")
    return {
        "dispatcher": dispatcher,
        "operator": make_user(session, Role.hotline_operator, "990100"),
        "station_staff": make_user(session, Role.station_staff, "990100", organisation_id=station.id),
        "ids": {HOTSPOTS[0]: str(bridge.id), HOTSPOTS[1]: str(park.id), STATION: station.id},
    }


def test_the_live_server_answers_the_examples_as_they_say(client, world):
    runner = LiveRunner(client, world["ids"])

    def as_(account, method, url, **kwargs):
        answer = client.request(method, url, headers=account.headers, **kwargs)
        assert answer.is_success, answer.text
        return answer.json()

    def make_route():
        hotspots = [world["ids"][h] for h in HOTSPOTS]
        body = {
            "name": "河西夜巡一线",
            "jurisdiction": "990102",
            "hotspot_ids": hotspots,
            "expected_minutes": 120,
        }
        runner.ids[ROUTE] = as_(world["dispatcher"], "POST", "/api/v1/routes", json=body)["id"]

    def start_sweep():
        ends = (datetime.now(UTC) + timedelta(hours=8)).isoformat()
        body = {"kind": "cold", "level": "orange", "jurisdiction": "990102", "ends_at": ends}
        sweep = as_(world["dispatcher"], "POST", "/api/v1/sweeps", json=body)
        tasks = as_(world["dispatcher"], "GET", f"/api/v1/sweeps/{sweep['id']}/tasks")
        runner.ids[SWEEP] = sweep["id"]
        runner.ids[TASK] = next(t["id"] for t in tasks if t["hotspot_id"] == world["ids"][HOTSPOTS[0]])

    def station_accepts():
        as_(world["station_staff"], "POST", f"/api/v1/handovers/{HANDOVER}/accepted", json={})

    def inbox_settled():
        """Inbox items are served once every older transaction in the cluster has ended: wait, as
        a phone polling would, until the officer's first ones are there."""
        headers = {"Authorization": f"Bearer {runner.token}"}
        deadline = time.monotonic() + 30
        while not client.get("/api/v1/inbox", headers=headers).json()["items"]:
            assert time.monotonic() < deadline, "the officer's inbox stayed empty"
            time.sleep(0.2)

    def lead_offered(lead_id, lon, lat):
        def report():
            body = {
                "id": lead_id,
                "description": "桥洞附近有一位老人，衣服单薄",
                "place": {"lon": lon, "lat": lat},
            }
            assert as_(world["operator"], "POST", "/api/v1/leads", json=body)["status"] == "offered"

        return report

    story = [
        "serverTime", "login", "whoAmI", "registerDevice", "listTeams", make_route, "listRoutes", "getRoute",
        "listHotspots", "getHotspot", "startShift", "startShift.retry", "startShift.on-duty", "listShifts",
        "getShift", "uploadTrack", "uploadTrack.resent", start_sweep, "checkIn", "encounterRules",
        "logEncounter.rule-broken", "logEncounter", "logEncounter.retry", "listEncounters", "getEncounter",
        "listRevisits", "raiseIncident", "createHandover", station_accepts, "handoverInTransit",
        "handoverArrived", "issueHandoverCode", "listHandovers", "getHandover", "listSweeps", "getSweep",
        "sweepTasks", "completeSweepTask", lead_offered(LEAD_DECLINED, 112.955, 28.235), "declineLead",
        lead_offered(LEAD, 112.9645, 28.2405), "listLeads", "getLead", "acceptLead", "arriveAtLead",
        "closeLead", inbox_settled, "readInbox", "readInbox.poll", "markInboxRead", "acknowledgeInboxItem",
        "endShift", "refreshToken", "retireDevice", "logout", "refreshToken.spent",
    ]  # fmt: skip
    assert sorted(step for step in story if isinstance(step, str)) == sorted(EXAMPLES), (
        "every example is sent"
    )
    for step in story:
        if callable(step):
            step()
        else:
            runner.send(EXAMPLES[step])
