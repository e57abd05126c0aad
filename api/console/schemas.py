"""Shapes of the console's map layers and of the page's configuration."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from geo.datum import Datum

_HOTSPOT_MARK = {
    "type": "Feature",
    "id": "6a0f8c7e-1d0b-4b0e-8f57-3f1f6f0c9a21",
    "geometry": {"type": "Point", "coordinates": [118.7623, 32.0511]},
    "properties": {
        "name": "江滨路桥洞",
        "kind": "bridge_culvert",
        "risk_level": "high",
        "radius_m": 60,
        "last_visited_at": "2026-11-28T13:40:00+00:00",
        "last_visited_by": "河西巡01",
        "hours_since_visit": 30.5,
        "allowed_hours": 24,
        "state": "overdue",
    },
}


class Layer(BaseModel):
    """A GeoJSON FeatureCollection (RFC 7946) drawn as one map layer."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]


class HotspotLayer(Layer):
    numberReturned: int
    truncated: bool = Field(description="More hotspots lie in view than `limit`: zoom in.")
    clustered: Literal[False] = False

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "features": [_HOTSPOT_MARK],
                    "numberReturned": 1,
                    "truncated": False,
                    "clustered": False,
                }
            ]
        }
    )


def _cluster_example(properties: dict[str, Any], **members: Any) -> ConfigDict:
    """The docs' example of a clustered layer: one cluster, and the collection's own members."""
    cluster = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [118.7623, 32.0511]},
        "properties": properties,
    }
    return ConfigDict(
        json_schema_extra={"examples": [{"type": "FeatureCollection", "features": [cluster], **members}]}
    )


class HotspotClusters(Layer):
    numberReturned: int
    clustered: Literal[True]
    hotspots: int = Field(description="Hotspots in all the clusters together.")
    cell_deg: float = Field(description="Width of a cluster's grid cell in degrees.")

    model_config = _cluster_example(
        {"count": 41, "state": "overdue", "overdue": 3, "never": 5, "due": 9, "fresh": 24},
        numberReturned=1,
        clustered=True,
        hotspots=41,
        cell_deg=0.0054932,
    )


class EncounterClusters(Layer):
    encounters: int = Field(description="Encounters in all the clusters together.")
    cell_deg: float = Field(description="Width of a cluster's grid cell in degrees.")
    hours: int

    model_config = _cluster_example(
        {"count": 7, "latest_at": "2026-11-29T14:10:00+00:00", "encounter_id": None, "outcome": None},
        encounters=7,
        cell_deg=0.0009766,
        hours=24,
    )


class SweepTaskLayer(Layer):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "id": "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
                            "geometry": {"type": "Point", "coordinates": [118.7623, 32.0511]},
                            "properties": {
                                "sweep_id": "7c6b5a49-3827-4d16-9e05-f4e3d2c1b0a9",
                                "hotspot_id": "6a0f8c7e-1d0b-4b0e-8f57-3f1f6f0c9a21",
                                "hotspot_name": "江滨路桥洞",
                                "status": "pending",
                                "team_id": "8c2f7d1e-5a4b-4c3d-9e8f-1a2b3c4d5e6f",
                                "team_call_sign": "河西巡01",
                                "done_at": None,
                            },
                        }
                    ],
                }
            ]
        }
    )


class HandoverLayer(Layer):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "id": "2d1c0b9a-8f7e-4d6c-b5a4-93827160f5e4",
                            "geometry": {
                                "type": "LineString",
                                "coordinates": [[118.7623, 32.0511], [118.7801, 32.0604]],
                            },
                            "properties": {
                                "kind": "to_station",
                                "state": "in_transit",
                                "eta": "2026-11-29T15:00:00+00:00",
                                "deadline_at": "2026-11-29T16:10:00+00:00",
                                "destination": "滨河市救助管理站",
                                "destination_kind": "rescue_station",
                                "escort": "河西区民警 01",
                            },
                        }
                    ],
                }
            ]
        }
    )


class Basemap(BaseModel):
    url: str = Field(description="Raster tile URL template ({z}/{x}/{y}).")
    datum: Datum
    attribution: str
    max_zoom: int


class ConsoleConfig(BaseModel):
    """What the page needs before anyone logs in."""

    api: str
    basemap: Basemap | None
    datum: Datum = Field(description="The datum the console asks every layer in: the basemap's.")
    timezone: str = Field(description="Fallback time zone until the user's jurisdiction is known.")
    position_stale_s: int = Field(description="A position older than this is drawn as stale.")
    roles: list[str] = Field(description="Roles the console admits.")
