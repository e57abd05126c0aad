"""Landing page, conformance and collections: the documents and links the standard asks for."""

import pytest

from tests.ogc.conftest import OGC

LAYERS = ["hotspots", "jurisdictions", "organisations", "encounter-grid"]


def links_by_rel(document: dict) -> dict[str, dict]:
    links = {link["rel"]: link for link in document["links"]}
    assert all(link["href"].startswith("http") and link["type"] and link["title"] for link in links.values())
    return links


def test_landing_page_links_lead_where_they_say(client, readers):
    headers = readers["dispatcher"]
    response = client.get(f"{OGC}/", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    links = links_by_rel(response.json())
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= links.keys()
    assert links["self"]["href"].endswith(f"{OGC}/")
    assert links["service-desc"]["type"].startswith("application/vnd.oai.openapi+json")
    assert client.get(links["service-desc"]["href"]).json()["paths"][f"{OGC}/collections"]
    assert client.get(links["service-doc"]["href"]).headers["content-type"].startswith("text/html")
    conformance = client.get(links["conformance"]["href"], headers=headers)
    assert conformance.headers["content-type"] == "application/json"
    assert set(conformance.json()["conformsTo"]) == {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    }
    data = client.get(links["data"]["href"], headers=headers)
    assert [c["id"] for c in data.json()["collections"]] == LAYERS


def test_landing_without_the_slash_redirects_to_it(client, readers):
    response = client.get(OGC, headers=readers["dispatcher"], follow_redirects=True)
    assert response.status_code == 200 and response.json()["title"]


def test_collections_describe_each_layer_with_extent_and_item_links(client, layers, readers):
    headers = readers["dispatcher"]
    response = client.get(f"{OGC}/collections", params={"f": "json"}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert links_by_rel(body)["self"]["href"].endswith("/collections")
    for collection in body["collections"]:
        assert collection["itemType"] == "feature" and collection["title"] and collection["description"]
        assert collection["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
        # The caller's scope is city T100 (lon 120.0-120.2, lat 30.0-30.2).
        assert collection["extent"]["spatial"]["bbox"] == [[120.0, 30.0, 120.2, 30.2]]
        links = links_by_rel(collection)
        assert links["items"]["type"] == "application/geo+json"
        assert links["self"]["type"] == "application/json"
        one = client.get(links["self"]["href"], headers=headers)
        assert one.status_code == 200 and one.json()["id"] == collection["id"]
        items = client.get(links["items"]["href"], headers=headers)
        assert items.status_code == 200 and items.headers["content-type"] == "application/geo+json"
    grid = body["collections"][LAYERS.index("encounter-grid")]
    assert grid["extent"]["temporal"]["interval"][0][0] is None
    assert grid["extent"]["temporal"]["interval"][0][1]  # today's start: only complete days count


def test_collection_extent_follows_the_datum(client, layers, readers):
    gcj = client.get(f"{OGC}/collections/hotspots", params={"datum": "gcj02"}, headers=readers["dispatcher"])
    west, south, east, north = gcj.json()["extent"]["spatial"]["bbox"][0]
    # GCJ-02 moves the city's box (120.0-120.2, 30.0-30.2) east and south by a few hundred metres
    assert 120.003 < west < 120.01 and 29.99 < south < 30.0
    assert 120.203 < east < 120.21 and 30.19 < north < 30.2
    assert all("datum=gcj02" in link["href"] for link in gcj.json()["links"])


def test_feature_and_page_links(client, layers, readers):
    headers = readers["dispatcher"]
    page = client.get(f"{OGC}/collections/organisations/items", params={"limit": 1}, headers=headers)
    links = links_by_rel(page.json())
    assert {"self", "collection", "next"} <= links.keys() and "prev" not in links
    assert links["self"]["type"] == links["next"]["type"] == "application/geo+json"
    assert links["collection"]["type"] == "application/json"
    feature_id = page.json()["features"][0]["id"]
    one = client.get(f"{OGC}/collections/organisations/items/{feature_id}", headers=headers)
    assert one.headers["content-type"] == "application/geo+json"
    assert one.json()["type"] == "Feature" and one.json()["id"] == feature_id
    feature_links = links_by_rel(one.json())
    assert feature_links["self"]["href"].endswith(f"/items/{feature_id}")
    assert feature_links["collection"]["href"].endswith("/collections/organisations")


@pytest.mark.parametrize(
    "path",
    [
        "/collections/nowhere",
        "/collections/nowhere/items",
        "/collections/nowhere/items/1",
        "/collections/hotspots/items/not-a-uuid",
        "/collections/hotspots/items/00000000-0000-4000-8000-000000000000",
        "/collections/organisations/items/999999",
        "/collections/organisations/items/-1",
        "/collections/jurisdictions/items/NOPE",
        "/collections/encounter-grid/items/500m_1_2",
        "/collections/encounter-grid/items/250m_1_2",
    ],
)
def test_unknown_collections_and_features_are_404_problems(client, layers, readers, path):
    response = client.get(OGC + path, headers=readers["dispatcher"])
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404 and "not found" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "params", "names"),
    [
        ("/collections/hotspots/items", {"limit": "0"}, "limit"),
        ("/collections/hotspots/items", {"limit": "-5"}, "limit"),
        ("/collections/hotspots/items", {"limit": "ten"}, "limit"),
        ("/collections/hotspots/items", {"offset": "-1"}, "offset"),
        ("/collections/hotspots/items", {"bbox": "120,30,120.1"}, "bbox"),
        ("/collections/hotspots/items", {"bbox": "120.1,30,120,30.1"}, "bbox"),
        ("/collections/hotspots/items", {"bbox": "120,30,121,95"}, "bbox"),
        ("/collections/hotspots/items", {"bbox": "a,b,c,d"}, "bbox"),
        ("/collections/hotspots/items", {"datum": "osgb36"}, "datum"),
        ("/collections/hotspots/items", {"f": "html"}, "f"),
        ("/collections/hotspots/items", {"datetime": "2026-01-01"}, "datetime"),
        ("/collections/hotspots/items", {"sortby": "name"}, "sortby"),
        ("/collections", {"f": "xml"}, "f"),
        ("/", {"lang": "zh"}, "lang"),
        ("/collections/encounter-grid/items", {"datetime": "yesterday"}, "datetime"),
        ("/collections/encounter-grid/items", {"datetime": "2026-01-01T10:00:00"}, "datetime"),
        ("/collections/encounter-grid/items", {"datetime": "2999-01-01/.."}, "datetime"),
    ],
)
def test_bad_or_unknown_parameters_are_400_problems(client, readers, path, params, names):
    response = client.get(OGC + path, params=params, headers=readers["dispatcher"])
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert names in response.json()["detail"] or names in str(response.json().get("errors"))


def test_json_format_is_accepted_everywhere(client, layers, readers):
    headers = readers["dispatcher"]
    for path in ("/", "/conformance", "/collections", "/collections/hotspots", "/collections/hotspots/items"):
        assert client.get(OGC + path, params={"f": "json"}, headers=headers).status_code == 200, path
    as_media_type = {"f": "application/geo+json"}
    items = client.get(f"{OGC}/collections/hotspots/items", params=as_media_type, headers=headers)
    assert items.status_code == 200 and items.headers["content-type"] == "application/geo+json"
