"""What happens on a patrol: where the team goes, what the GPS says, and whom they meet.

Everything here is pure (no HTTP): the phones call it to make up plausible fixes and encounter
forms that keep the rules of the work (refusals carry the station's contact and the persuasion,
escorts carry consent and a destination, minors are never left, medical cases get 120 or a reason).
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from typing import Any

from geo.datum import Datum, point_from_wgs84
from geo.distance import metres_between

OUTCOMES = (
    "escorted_to_station",
    "escorted_to_hospital",
    "emergency_services_called",
    "refused_help",
    "police_referral",
    "resolved_on_site",
    "no_contact",
)
LEAD_OUTCOMES = ("helped", "refused_help", "escorted", "not_found")
_LEAD_ENCOUNTER = {
    "helped": "resolved_on_site",
    "refused_help": "refused_help",
    "escorted": "escorted_to_station",
}
DRIVE_MPS = 12.0
WALK_MPS = 1.2
M_PER_DEG_LAT = 111_320.0


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """A point some metres east and north of another."""
    return (
        lon + east_m / (M_PER_DEG_LAT * math.cos(math.radians(lat))),
        lat + north_m / M_PER_DEG_LAT,
    )


def step_towards(
    lon: float, lat: float, to_lon: float, to_lat: float, metres: float
) -> tuple[float, float, bool]:
    """Move up to ``metres`` towards a target: (lon, lat, arrived)."""
    gap = metres_between(lon, lat, to_lon, to_lat)
    if gap <= metres or gap == 0:
        return to_lon, to_lat, True
    share = metres / gap
    return lon + (to_lon - lon) * share, lat + (to_lat - lat) * share, False


def heading(lon: float, lat: float, to_lon: float, to_lat: float) -> float:
    east = (to_lon - lon) * math.cos(math.radians(lat))
    north = to_lat - lat
    return (math.degrees(math.atan2(east, north)) + 360.0) % 360.0


def representative_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """A GeoJSON Point's position, or the mean of a Polygon's outer ring."""
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        return float(lon), float(lat)
    ring = geometry["coordinates"][0][:-1]
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


@dataclass(frozen=True)
class Fix:
    lon: float
    lat: float
    accuracy_m: float


def gps_fix(lon: float, lat: float, rng: random.Random) -> Fix:
    """A noisy fix: accuracy 5-30 m with matching scatter, and now and then an outlier (a reflection
    off a building) hundreds of metres away, which the server flags and keeps."""
    accuracy = rng.uniform(5.0, 30.0)
    if rng.random() < 0.02:
        bearing = rng.uniform(0, 2 * math.pi)
        distance = rng.uniform(300.0, 900.0)
        east, north = distance * math.sin(bearing), distance * math.cos(bearing)
        out_lon, out_lat = offset(lon, lat, east, north)
        return Fix(out_lon, out_lat, rng.choice([accuracy, rng.uniform(120.0, 400.0)]))
    east, north = rng.gauss(0, accuracy / 2), rng.gauss(0, accuracy / 2)
    noisy_lon, noisy_lat = offset(lon, lat, east, north)
    return Fix(noisy_lon, noisy_lat, round(accuracy, 1))


def in_datum(datum: Datum, lon: float, lat: float) -> tuple[float, float]:
    out_lon, out_lat = point_from_wgs84(datum, lon, lat)
    return round(float(out_lon), 7), round(float(out_lat), 7)


@dataclass(frozen=True)
class Contacts:
    """What the officer's app knows about the receiving organisations."""

    station_id: int
    station_hotline: str
    hospital_id: int


_ALIASES = ("桥洞老张", "穿蓝棉袄的大爷", "站前阿姨", "地道小伙", "长椅上的大叔", "公园老李", "候车厅大姐")


def encounter(
    outcome: str,
    *,
    rng: random.Random,
    place: tuple[float, float],
    occurred_at: str,
    shift_id: str,
    contacts: Contacts,
    lead_id: str | None = None,
) -> dict[str, Any]:
    """A complete encounter form for an outcome (place already in the phone's datum)."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "occurred_at": occurred_at,
        "place": {"lon": place[0], "lat": place[1]},
        "shift_id": shift_id,
        "age_band": rng.choice(["18_39", "40_59", "60_plus"]),
        "sex": rng.choice(["male", "female", "unknown"]),
        "civil_capacity": "full",
        "needs": rng.sample(["food", "warm clothes", "water", "shelter", "medical care"], 2),
        "outcome": outcome,
    }
    if outcome != "no_contact":
        body["new_person"] = {"id": str(uuid.uuid4()), "alias": rng.choice(_ALIASES)}
    if lead_id:
        body["notes"] = f"线索 {lead_id} 现场处置"
    _fill_for_outcome(body, outcome, rng, contacts)
    return body


def _fill_for_outcome(body: dict[str, Any], outcome: str, rng: random.Random, contacts: Contacts) -> None:
    if outcome == "escorted_to_station":
        if rng.random() < 0.3:  # a minor on their own: escorted whatever they say
            body.update(age_band="14_17", categories=["minor"], civil_capacity="limited")
        else:
            body.update(consent_recorded=True, consent_note="本人同意前往救助站", categories=["elderly"])
        body["destination_organisation_id"] = contacts.station_id
        body["offered"] = ["escort to station", "food"]
    elif outcome == "escorted_to_hospital":
        body.update(
            categories=["suspected_mental_illness"],
            civil_capacity="limited",
            destination_organisation_id=contacts.hospital_id,
        )
    elif outcome == "emergency_services_called":
        body["categories"] = ["critically_ill"]
        if rng.random() < 0.5:
            body["critical"] = "danger_of_death"
            body["notes"] = "意识模糊，已呼叫 120"
    elif outcome == "refused_help":
        body.update(
            categories=["elderly"],
            offered=["escort to station", "quilt"],
            answer="不愿去救助站",
            supplies={"quilt": 1},
            told_station_contact=True,
            persuasion_note=f"告知救助站地址和热线 {contacts.station_hotline}，劝说未果，留下棉被",
        )
    elif outcome == "police_referral":
        body.update(categories=["with_minor"], notes="带未成年人乞讨，已通知公安")
    elif outcome == "resolved_on_site":
        body.update(offered=["food", "water"], supplies={"food": 1, "water": 1}, answer="吃过饭后自行离开")
    else:
        body.update(age_band="unknown", civil_capacity="unknown", notes="熟睡未打扰")


# The field each rule asks for, as the app would leave it blank on a hurried first try.
FORGETTABLE = {
    "refused_help": ("persuasion_note", "refusal-needs-persuasion-note"),
    "escorted_to_hospital": ("destination_organisation_id", "escort-needs-destination"),
}


def hurried_draft(body: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The form with one required field left out, and the rule the server must name."""
    forgettable = FORGETTABLE.get(body["outcome"])
    if forgettable is None:
        return None
    field, rule = forgettable
    return {k: v for k, v in body.items() if k != field}, rule


def lead_encounter_outcome(lead_outcome: str) -> str | None:
    return _LEAD_ENCOUNTER.get(lead_outcome)


LEAD_TIPS = (
    ("{place}附近有一位老人蜷在角落，衣服单薄", False, False),
    ("{place}有人躺在地上叫不醒", True, False),
    ("{place}有个小孩跟着大人在乞讨", False, True),
    ("{place}旁边有人搭棚子住了好几天", False, False),
)
