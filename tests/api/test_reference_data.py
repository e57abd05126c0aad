"""Jurisdictions and organisations: reading within scope, admin-only creation, bad input."""

import pytest

from api.auth.models import Role
from api.organisations.models import OrganisationKind
from tests.factories import IN_EAST, IN_WEST, make_organisation, make_user


def test_jurisdiction_tree_is_scoped(client, session, city):
    city_dispatcher = make_user(session, Role.dispatcher, "T100")
    west_officer = make_user(session, Role.officer, "T101")
    codes = [
        f["id"]
        for f in client.get("/api/v1/jurisdictions", headers=city_dispatcher.headers).json()["features"]
    ]
    assert codes == ["T100", "T101", "T102"]
    west = client.get("/api/v1/jurisdictions", headers=west_officer.headers).json()["features"]
    assert [f["id"] for f in west] == ["T101"]
    assert west[0]["properties"]["parent"] == "T100"
    assert west[0]["geometry"]["type"] == "MultiPolygon"
    assert client.get("/api/v1/jurisdictions/T102", headers=west_officer.headers).status_code == 404
    assert client.get("/api/v1/jurisdictions/X200", headers=city_dispatcher.headers).status_code == 404


def test_admin_adds_a_street_below_their_scope(client, session, city, count_rows):
    admin = make_user(session, Role.admin, "T100")
    ring = [[120.0, 30.0], [120.05, 30.0], [120.05, 30.05], [120.0, 30.05], [120.0, 30.0]]
    street = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"code": "T101001", "name": "测试街道", "level": "street", "parent": "T101"},
    }
    created = client.post("/api/v1/jurisdictions", json=street, headers=admin.headers)
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["timezone"] == "Asia/Shanghai"
    assert client.post("/api/v1/jurisdictions", json=street, headers=admin.headers).status_code == 409
    upward = {**street, "properties": {**street["properties"], "code": "T1019", "level": "city"}}
    assert (
        "cannot sit below"
        in client.post("/api/v1/jurisdictions", json=upward, headers=admin.headers).json()["detail"]
    )
    foreign = {**street, "properties": {**street["properties"], "code": "X201", "parent": "X200"}}
    assert client.post("/api/v1/jurisdictions", json=foreign, headers=admin.headers).status_code == 404
    dispatcher = make_user(session, Role.dispatcher, "T100")
    other = {**street, "properties": {**street["properties"], "code": "T101002"}}
    assert client.post("/api/v1/jurisdictions", json=other, headers=dispatcher.headers).status_code == 403
    assert count_rows("jurisdictions") == 5


def test_organisations_listed_in_scope_with_capacity_rules(client, session, city):
    make_organisation(session, OrganisationKind.rescue_station, "T100", IN_WEST, capacity=80)
    make_organisation(session, OrganisationKind.hospital, "T102", IN_EAST, capacity=300)
    west_officer = make_user(session, Role.officer, "T101")
    admin = make_user(session, Role.admin, "T100")
    visible = client.get("/api/v1/organisations", headers=west_officer.headers).json()["features"]
    assert visible == [], "the city's station is above a district officer's scope"
    hospitals = client.get("/api/v1/organisations", params={"kind": "hospital"}, headers=admin.headers).json()
    assert [f["properties"]["capacity"] for f in hospitals["features"]] == [300]
    body = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(IN_WEST)},
        "properties": {"name": "新医院", "kind": "hospital", "jurisdiction": "T101"},
    }
    missing_capacity = client.post("/api/v1/organisations", json=body, headers=admin.headers)
    assert missing_capacity.status_code == 422 and "capacity" in missing_capacity.json()["detail"]
    body["properties"]["capacity"] = 50
    created = client.post(
        "/api/v1/organisations", json=body, params={"datum": "gcj02"}, headers=admin.headers
    )
    assert created.status_code == 201
    assert created.json()["geometry"]["coordinates"] == pytest.approx(list(IN_WEST), abs=1e-7)


@pytest.mark.parametrize(
    "geometry",
    [{"type": "Point", "coordinates": [200, 30]}, {"type": "Polygon", "coordinates": []}, {"type": "Point"}],
)
def test_organisation_bad_location(client, session, city, geometry, count_rows):
    admin = make_user(session, Role.admin, "T100")
    body = {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"name": "派出所", "kind": "police_station", "jurisdiction": "T101"},
    }
    assert client.post("/api/v1/organisations", json=body, headers=admin.headers).status_code == 422
    assert count_rows("organisations") == 0
