"""The access matrix, generated from the route table: every route × every role, and every read
from a foreign jurisdiction of records that live in ours.

A route's declared ``Allow(...)`` roles are the only ones that get past its guard (403
``forbidden-role`` for the others); no combination answers 401 with a valid token or a 5xx.
Reads by a user of another city never return our records.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import APIRoute

from api.auth.deps import RoleGuard
from api.auth.models import Role
from api.main import app
from tests.api.test_route_policies import guards, walk
from tests.factories import IN_WEST, encounter_body, make_hotspot, make_organisation, make_team, make_user

STREAMS = {"/api/v1/events"}  # endless responses: their guard is exercised in tests/notifications
GUARDED = [
    (method, path, route)
    for method, path, route in walk(app.routes)
    if path.startswith("/api/")
    and path not in STREAMS
    and isinstance(route, APIRoute)
    and guards(route.dependant)
]


def _dummy(annotation) -> str:
    if annotation is uuid.UUID:
        return str(uuid.uuid4())
    if annotation is int:
        return "987654"
    return "nope"


def fill(path: str, route: APIRoute, known: dict[str, str] | None = None) -> str:
    for param in route.dependant.path_params:
        value = (known or {}).get(param.name) or _dummy(param.field_info.annotation)
        path = path.replace(f"{{{param.name}:uuid}}", value).replace(f"{{{param.name}}}", value)
    return path


def call(client, method: str, url: str, headers: dict):
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return client.request(method, url, json=body, headers=headers, timeout=10)


@pytest.fixture
def accounts(session, city):
    return {role: make_user(session, role, "T101") for role in Role}


def test_every_route_admits_exactly_its_declared_roles(client, accounts):
    assert len(GUARDED) >= 100
    wrong = []
    for method, path, route in GUARDED:
        allowed = guards(route.dependant)[0].roles
        url = fill(path, route)
        for role, account in accounts.items():
            response = call(client, method, url, account.headers)
            kind = (
                response.json().get("type", "")
                if response.headers.get("content-type", "").startswith("application/problem+json")
                else ""
            )
            refused_by_guard = response.status_code == 403 and kind.endswith("forbidden-role")
            if (
                response.status_code >= 500
                or response.status_code == 401
                or refused_by_guard != (role not in allowed)
            ):
                wrong.append(f"{method} {path} as {role}: {response.status_code} {kind}")
    assert wrong == []


@pytest.fixture
def ours(client, session, city):
    """Records of district T101, made as its people make them."""
    officer = make_user(session, Role.officer, "T101")
    operator = make_user(session, Role.hotline_operator, "T101")
    team = make_team(session, "T101", officer, call_sign="矩阵1")
    hotspot = make_hotspot(session, *IN_WEST, name="矩阵桥洞")
    organisation = make_organisation(session, jurisdiction="T101")
    now = datetime.now(UTC)
    shift = client.post(
        "/api/v1/patrols",
        json={"team_id": str(team.id), "started_at": (now - timedelta(hours=1)).isoformat()},
        headers=officer.headers,
    ).json()
    encounter = client.post(
        "/api/v1/encounters",
        json=encounter_body(),
        headers=officer.headers,
    ).json()
    lead = client.post(
        "/api/v1/leads",
        json={"description": "矩阵线索", "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]}},
        headers=operator.headers,
    ).json()
    return {
        "hotspot_id": str(hotspot.id),
        "team_id": str(team.id),
        "shift_id": shift["id"],
        "encounter_id": encounter["id"],
        "lead_id": lead["id"],
        "organisation_id": str(organisation.id),
    }


def test_a_foreign_jurisdiction_never_reads_our_records(client, session, ours):
    foreign = {role: make_user(session, role, "X200") for role in Role}
    secrets = set(ours.values()) | {"矩阵桥洞", "矩阵线索", "矩阵1"}
    leaks = []
    for method, path, route in GUARDED:
        if method != "GET":
            continue
        params = {p.name for p in route.dependant.path_params}
        if not params <= set(ours):
            continue
        url = fill(path, route, ours)
        for role in guards(route.dependant)[0].roles:
            response = client.get(url, headers=foreign[role].headers)
            assert response.status_code < 500, (url, role, response.text)
            if params and response.status_code not in (403, 404, 422):  # 422: a required query is missing
                leaks.append(f"{path} as foreign {role}: {response.status_code}")
            found = [s for s in secrets if s in response.text and s not in url]
            if found:
                leaks.append(f"{path} as foreign {role}: shows {found}")
    assert leaks == []


def test_our_dispatcher_reads_the_same_records(client, session, ours):
    dispatcher = make_user(session, Role.dispatcher, "T100")
    for path in (
        f"/api/v1/hotspots/{ours['hotspot_id']}",
        f"/api/v1/encounters/{ours['encounter_id']}",
        f"/api/v1/leads/{ours['lead_id']}",
        f"/api/v1/patrols/{ours['shift_id']}",
        f"/api/v1/teams/{ours['team_id']}",
    ):
        assert client.get(path, headers=dispatcher.headers).status_code == 200, path


def test_the_matrix_covers_every_guard():
    assert all(isinstance(guards(r.dependant)[0], RoleGuard) for _, _, r in GUARDED)
