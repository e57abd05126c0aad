"""The layers as real clients read them: OWSLib's OGC API - Features client with a bearer header,
and every feature checked against the GeoJSON models of geojson-pydantic."""

import pytest
from geojson_pydantic import Feature, FeatureCollection
from owslib import ogcapi
from owslib.ogcapi.features import Features

from tests.ogc.conftest import OGC, all_items


@pytest.fixture
def owslib_headers(monkeypatch):
    """OWSLib adds the caller's headers to one module-wide dict; a copy per test keeps one test's
    token out of the next."""
    monkeypatch.setattr(ogcapi, "REQUEST_HEADERS", dict(ogcapi.REQUEST_HEADERS))


@pytest.fixture
def features(server, readers, owslib_headers):
    return Features(f"{server}{OGC}/", headers=readers["dispatcher"])


def test_owslib_reads_landing_conformance_and_collections(features, layers):
    assert features.links and features.response["title"]
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in features.conformance()["conformsTo"]
    )
    assert features.feature_collections() == ["hotspots", "jurisdictions", "organisations", "encounter-grid"]
    hotspots = features.collection("hotspots")
    assert hotspots["id"] == "hotspots" and hotspots["extent"]["spatial"]["bbox"]


def test_owslib_reads_items_with_bbox_and_limit(features, layers):
    page = features.collection_items("hotspots", bbox=[120.0, 30.0, 120.1, 30.2], limit=2)
    assert page["numberMatched"] == 3 and page["numberReturned"] == 2
    FeatureCollection.model_validate(page)
    rest = features.collection_items("hotspots", bbox=[120.0, 30.0, 120.1, 30.2], limit=2, offset=2)
    assert {f["id"] for f in page["features"] + rest["features"]} == {str(h.id) for h in layers["west"]}
    one = features.collection_item("hotspots", str(layers["west"][0].id))
    Feature.model_validate(one)
    assert one["properties"]["name"] == "西0"


def test_owslib_is_told_no_for_a_missing_feature(features, layers):
    with pytest.raises(RuntimeError, match="not found"):
        features.collection_item("hotspots", "00000000-0000-4000-8000-000000000000")


def test_owslib_without_a_token_is_refused(server, owslib_headers):
    with pytest.raises(Exception, match=r"401|bearer"):
        Features(f"{server}{OGC}/").conformance()


@pytest.mark.parametrize("collection", ["hotspots", "jurisdictions", "organisations", "encounter-grid"])
@pytest.mark.parametrize("datum", ["wgs84", "gcj02"])
def test_every_feature_is_valid_geojson(client, layers, readers, collection, datum):
    url = f"{OGC}/collections/{collection}/items"
    page = client.get(url, params={"datum": datum}, headers=readers["dispatcher"]).json()
    FeatureCollection.model_validate(page)
    for feature in all_items(client, url, readers["dispatcher"], datum=datum, limit=1):
        Feature.model_validate(feature)
        assert isinstance(feature["id"], str | int)
