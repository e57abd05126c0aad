"""Whole FeatureCollections: import all or nothing, export, and a round trip."""

import json

from shapely.geometry import Polygon
from sqlalchemy import text

from tests.factories import IN_EAST, IN_WEST, point_feature, polygon_feature, square_ring

URL = "/api/v1/hotspots"


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def comparable(exported):
    """What must survive a round trip: ids, geometry and the editable properties."""
    keep = ("name", "kind", "risk_level", "radius_m", "jurisdiction", "notes", "aliases")
    return sorted(
        (f["id"], json.dumps(f["geometry"]), tuple(str(f["properties"][k]) for k in keep))
        for f in exported["features"]
    )


def test_export_then_import_into_an_empty_registry_round_trips(client, dispatcher, session):
    source = collection(
        point_feature(*IN_WEST, kind="underpass", risk_level="high", notes="夜间", aliases=["西桥", "W"]),
        polygon_feature(square_ring(*IN_EAST), kind="scenic_area"),
        point_feature(IN_WEST[0] + 0.01, IN_WEST[1], radius_m=12.5),
    )
    imported = client.post(f"{URL}/import", json=source, headers=dispatcher.headers)
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"created": 3, "updated": 0}
    first_export = client.get(f"{URL}/export", headers=dispatcher.headers).json()
    assert first_export["numberReturned"] == 3

    session.execute(text("TRUNCATE hotspots, hotspot_revisions CASCADE"))
    session.commit()
    again = client.post(f"{URL}/import", json=first_export, headers=dispatcher.headers)
    assert again.json() == {"created": 3, "updated": 0}
    assert comparable(client.get(f"{URL}/export", headers=dispatcher.headers).json()) == comparable(
        first_export
    )

    re_import = client.post(f"{URL}/import", json=first_export, headers=dispatcher.headers)
    assert re_import.json() == {"created": 0, "updated": 3}, "known ids update in place"


def test_one_bad_feature_rejects_the_whole_import_and_names_it(client, dispatcher, count_rows):
    bad = point_feature(*IN_WEST)
    bad["geometry"]["coordinates"] = [IN_WEST[0], 91.0]
    response = client.post(
        f"{URL}/import",
        headers=dispatcher.headers,
        json=collection(point_feature(*IN_WEST), point_feature(*IN_EAST), bad),
    )
    assert response.status_code == 422
    problem = response.json()
    assert [e["loc"][:3] for e in problem["errors"]] == [["body", "features", 2]]
    assert "latitude 91.0" in problem["errors"][0]["msg"]
    assert count_rows("hotspots") == 0 and count_rows("hotspot_revisions") == 0


def test_every_feature_the_rules_reject_is_named(client, dispatcher, count_rows):
    response = client.post(
        f"{URL}/import",
        headers=dispatcher.headers,
        json=collection(
            point_feature(*IN_WEST),
            point_feature(*IN_WEST, radius_m=None),
            point_feature(*IN_EAST),
            point_feature(100.0, 20.0),
        ),
    )
    assert response.status_code == 422
    problem = response.json()
    assert [e["loc"][:3] for e in problem["errors"]] == [["body", "features", 1], ["body", "features", 3]]
    assert problem["detail"].startswith("2 feature(s) rejected, nothing imported")
    assert count_rows("hotspots") == 0 and count_rows("hotspot_revisions") == 0


def test_duplicate_ids_in_one_import_are_refused(client, dispatcher, count_rows):
    one = {**point_feature(*IN_WEST), "id": "6a0f8c7e-1d0b-4b0e-8f57-3f1f6f0c9a21"}
    response = client.post(f"{URL}/import", json=collection(one, {**one}), headers=dispatcher.headers)
    assert response.status_code == 422
    assert "features[1] repeats the id of features[0]" in response.json()["detail"]
    assert count_rows("hotspots") == 0


def test_oversized_and_empty_imports_are_refused(client, dispatcher, count_rows):
    empty = client.post(f"{URL}/import", json=collection(), headers=dispatcher.headers)
    assert empty.status_code == 422
    huge = client.post(
        f"{URL}/import", json=collection(*[point_feature(*IN_WEST)] * 20_001), headers=dispatcher.headers
    )
    assert huge.status_code == 422
    assert count_rows("hotspots") == 0


def test_cli_imports_csv_and_exports_geojson_and_csv(tmp_path, client, dispatcher, run_patrol):
    csv_file = tmp_path / "hotspots.csv"
    csv_file.write_text(
        "name,kind,risk_level,lon,lat,radius_m,wkt,jurisdiction,notes,aliases\n"
        f"北桥洞,bridge_culvert,high,{IN_WEST[0]},{IN_WEST[1]},60,,,夜间有人,北桥|N bridge\n"
        f'东公园,park,low,,,,"{Polygon(square_ring(*IN_EAST)).wkt}",T102,,\n',
        encoding="utf-8",
    )
    result = run_patrol("hotspots", "import", str(csv_file))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "created 2, updated 0" in result.stdout
    listed = client.get(URL, headers=dispatcher.headers).json()
    by_name = {f["properties"]["name"]: f for f in listed["features"]}
    assert by_name["北桥洞"]["properties"]["aliases"] == ["北桥", "N bridge"]
    assert by_name["东公园"]["geometry"]["type"] == "Polygon"

    out = tmp_path / "out.geojson"
    assert run_patrol("hotspots", "export", str(out)).returncode == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert comparable(exported) == comparable(client.get(f"{URL}/export", headers=dispatcher.headers).json())
    out_csv = tmp_path / "out.csv"
    assert run_patrol("hotspots", "export", str(out_csv)).returncode == 0
    assert run_patrol("hotspots", "import", str(out_csv)).stdout.count("created 0, updated 2") == 1


def test_cli_import_reports_bad_rows_and_writes_nothing(tmp_path, run_patrol, dispatcher, count_rows):
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(collection(point_feature(*IN_WEST), point_feature(500, 30))), encoding="utf-8")
    result = run_patrol("hotspots", "import", str(bad))
    assert result.returncode == 1
    assert "features[1]: geometry: coordinates[0]: longitude 500 is outside" in result.stdout
    assert count_rows("hotspots") == 0
