"""Who may read the layers, and how much of them: the roles that plan the work, within their own
jurisdiction subtree."""

import pytest

from tests.ogc.conftest import OGC, all_items

EVERY_ROUTE = [
    "/",
    "/conformance",
    "/collections",
    "/collections/hotspots",
    "/collections/hotspots/items",
    "/collections/jurisdictions/items/T101",
]


@pytest.mark.parametrize("path", EVERY_ROUTE)
def test_no_token_no_layers(client, path):
    response = client.get(OGC + path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", ["officer", "station_staff", "hotline_operator"])
def test_roles_outside_planning_are_refused(client, readers, role):
    for path in EVERY_ROUTE:
        response = client.get(OGC + path, headers=readers[role])
        assert response.status_code == 403, path
        assert response.json()["type"] == "/problems/forbidden-role"


@pytest.mark.parametrize("role", ["admin", "dispatcher", "supervisor"])
def test_planning_roles_read_every_layer(client, layers, readers, role):
    for collection in ("hotspots", "jurisdictions", "organisations", "encounter-grid"):
        response = client.get(f"{OGC}/collections/{collection}/items", headers=readers[role])
        assert response.status_code == 200, (collection, response.text)


def test_a_district_sees_only_its_own_subtree(client, layers, readers):
    headers = readers["west_dispatcher"]
    hotspots = all_items(client, f"{OGC}/collections/hotspots/items", headers)
    assert {f["id"] for f in hotspots} == {str(h.id) for h in layers["west"]}
    jurisdictions = all_items(client, f"{OGC}/collections/jurisdictions/items", headers)
    assert [f["id"] for f in jurisdictions] == ["T101"]
    organisations = all_items(client, f"{OGC}/collections/organisations/items", headers)
    assert [f["id"] for f in organisations] == [layers["west_station"].id]
    # a bbox over the whole city does not widen the scope
    city_box = client.get(
        f"{OGC}/collections/hotspots/items", params={"bbox": "119,29,122,32"}, headers=headers
    ).json()
    assert city_box["numberMatched"] == 3
    extent = client.get(f"{OGC}/collections", headers=headers).json()["collections"][0]["extent"]
    assert extent["spatial"]["bbox"] == [[120.0, 30.0, 120.1, 30.2]]


@pytest.mark.parametrize(
    "path",
    [
        "/collections/jurisdictions/items/T102",
        "/collections/jurisdictions/items/T100",
        "/collections/jurisdictions/items/X200",
    ],
)
def test_features_outside_the_subtree_are_not_found(client, layers, readers, path):
    assert client.get(OGC + path, headers=readers["west_dispatcher"]).status_code == 404


def test_hotspots_and_organisations_elsewhere_are_not_found(client, layers, readers):
    headers = readers["west_dispatcher"]
    assert (
        client.get(f"{OGC}/collections/hotspots/items/{layers['east'][0].id}", headers=headers).status_code
        == 404
    )
    assert (
        client.get(
            f"{OGC}/collections/organisations/items/{layers['east_police'].id}", headers=headers
        ).status_code
        == 404
    )
    city = readers["dispatcher"]
    assert (
        client.get(f"{OGC}/collections/hotspots/items/{layers['foreign'].id}", headers=city).status_code
        == 404
    )
    assert (
        client.get(f"{OGC}/collections/hotspots/items/{layers['retired'].id}", headers=city).status_code
        == 404
    )
    assert (
        client.get(f"{OGC}/collections/hotspots/items/{layers['east'][0].id}", headers=city).status_code
        == 200
    )
