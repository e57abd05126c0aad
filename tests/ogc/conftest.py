"""A small city for the map layers: hotspots on both sides of it and beyond, organisations, and
readers with different roles and scopes."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from api.auth.models import Role
from api.organisations.models import OrganisationKind
from tests.factories import IN_EAST, IN_FOREIGN, IN_WEST, make_hotspot, make_organisation, make_user

OGC = "/api/v1/ogc"


def all_items(client: httpx.Client, url: str, headers: dict[str, str], **params) -> list[dict]:
    """Every feature of a collection, following `next` links to the end."""
    features: list[dict] = []
    response = client.get(url, params=params, headers=headers)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        features += body["features"]
        following = [link["href"] for link in body["links"] if link["rel"] == "next"]
        if not following:
            return features
        response = client.get(following[0], headers=headers)


@pytest.fixture
def layers(session, city):
    """Hotspots: three in the west district, two in the east, one in the foreign city, one
    retired; an organisation in each district."""
    west = [make_hotspot(session, IN_WEST[0] + 0.01 * n, IN_WEST[1], name=f"西{n}") for n in range(3)]
    east = [make_hotspot(session, IN_EAST[0] + 0.01 * n, IN_EAST[1], name=f"东{n}") for n in range(2)]
    foreign = make_hotspot(session, *IN_FOREIGN, name="外市")
    retired = make_hotspot(session, IN_WEST[0], IN_WEST[1] + 0.05, name="已撤")
    retired.retired_at = datetime.now(UTC)
    session.commit()
    return {
        "west": west,
        "east": east,
        "foreign": foreign,
        "retired": retired,
        "west_station": make_organisation(session, OrganisationKind.rescue_station, "T101", capacity=40),
        "east_police": make_organisation(session, OrganisationKind.police_station, "T102", at=IN_EAST),
    }


@pytest.fixture
def readers(session, city) -> dict[str, dict[str, str]]:
    """Bearer headers by name: the roles that read the layers, across scopes, and some that may not."""
    return {
        "admin": make_user(session, Role.admin, "T100").headers,
        "dispatcher": make_user(session, Role.dispatcher, "T100").headers,
        "supervisor": make_user(session, Role.supervisor, "T100").headers,
        "west_dispatcher": make_user(session, Role.dispatcher, "T101").headers,
        "officer": make_user(session, Role.officer, "T100").headers,
        "station_staff": make_user(session, Role.station_staff, "T100").headers,
        "hotline_operator": make_user(session, Role.hotline_operator, "T100").headers,
    }
