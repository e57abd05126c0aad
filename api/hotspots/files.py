"""Hotspot files: GeoJSON FeatureCollections and CSV (point columns or a WKT polygon)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from shapely import wkt
from shapely.errors import ShapelyError
from shapely.geometry import mapping, shape

from api.hotspots.schemas import HotspotCollection, HotspotCreate

CSV_COLUMNS = [
    "id",
    "name",
    "kind",
    "risk_level",
    "lon",
    "lat",
    "radius_m",
    "wkt",
    "jurisdiction",
    "notes",
    "aliases",
]


class FileFormatError(ValueError):
    """A file that cannot be read as hotspots; the message names the feature or CSV line."""


def read_features(path: Path) -> list[HotspotCreate]:
    if path.suffix.lower() == ".csv":
        return _from_csv(path)
    if path.suffix.lower() in (".geojson", ".json"):
        return _from_geojson(path)
    raise FileFormatError(f"{path.name}: expected a .geojson, .json or .csv file")


def _validated(raw: dict[str, Any], where: str) -> HotspotCreate:
    try:
        return HotspotCreate.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise FileFormatError(f"{where}: {field}: {first['msg'].removeprefix('Value error, ')}") from exc


def _from_geojson(path: Path) -> list[HotspotCreate]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{path.name}: not JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FileFormatError(f"{path.name}: expected a GeoJSON FeatureCollection")
    return [_validated(f, f"features[{i}]") for i, f in enumerate(document.get("features", []))]


def _csv_geometry(row: dict[str, str], where: str) -> dict[str, Any]:
    if row.get("wkt"):
        try:
            return mapping(wkt.loads(row["wkt"]))
        except ShapelyError as exc:
            raise FileFormatError(f"{where}: wkt is not readable ({exc})") from exc
    try:
        return {"type": "Point", "coordinates": [float(row["lon"]), float(row["lat"])]}
    except (KeyError, TypeError, ValueError) as exc:
        raise FileFormatError(f"{where}: needs numeric lon and lat, or a wkt polygon") from exc


def _from_csv(path: Path) -> list[HotspotCreate]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    features = []
    for line, row in enumerate(rows, start=2):
        where = f"{path.name} line {line}"
        properties = {
            "name": row.get("name"),
            "kind": row.get("kind"),
            "risk_level": row.get("risk_level") or "medium",
            "radius_m": row.get("radius_m") or None,
            "jurisdiction": row.get("jurisdiction") or None,
            "notes": row.get("notes") or None,
            "aliases": [a for a in (row.get("aliases") or "").split("|") if a],
        }
        raw = {
            "type": "Feature",
            "id": row.get("id") or None,
            "geometry": _csv_geometry(row, where),
            "properties": properties,
        }
        features.append(_validated(raw, where))
    return features


def write_geojson(path: Path, collection: HotspotCollection) -> None:
    path.write_text(collection.model_dump_json(indent=1), encoding="utf-8")


def write_csv(path: Path, collection: HotspotCollection) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(_csv_rows(collection))


def _csv_rows(collection: HotspotCollection) -> Iterable[dict[str, Any]]:
    for feature in collection.features:
        props, geometry = feature.properties, feature.geometry
        is_point = geometry["type"] == "Point"
        yield {
            "id": feature.id,
            "name": props.name,
            "kind": props.kind.value,
            "risk_level": props.risk_level.value,
            "lon": geometry["coordinates"][0] if is_point else "",
            "lat": geometry["coordinates"][1] if is_point else "",
            "radius_m": props.radius_m if props.radius_m is not None else "",
            "wkt": "" if is_point else wkt.dumps(shape(geometry), rounding_precision=7),
            "jurisdiction": props.jurisdiction,
            "notes": props.notes or "",
            "aliases": "|".join(props.aliases),
        }
