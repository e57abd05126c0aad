"""No layer carries personal data: every response, whole, is searched for what the system knows
about the people met and the officers who met them."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.auth.models import Role
from api.organisations.models import OrganisationKind
from tests.factories import IN_WEST, make_hotspot, make_organisation, make_team, make_user, track
from tests.ogc.conftest import OGC

# Where the officer's phone reported from, to the last digit the API keeps.
OFFICER_AT = (120.0612345, 30.1412345)
PROPERTIES = {
    "hotspots": {"name", "kind", "risk_level", "radius_m", "jurisdiction", "last_visited_at"},
    "jurisdictions": {"code", "name", "level", "parent"},
    "organisations": {"name", "kind", "jurisdiction", "address", "hotline", "opening_hours", "capacity"},
    "encounter-grid": {"encounters", "cell_m", "from", "until"},
}


@pytest.fixture
def casework(client, session, city):
    """Everything personal the system holds: a person with name, description and photo; encounters
    with notes, answers and a phone number; a critical incident; an officer with a name, a
    team and a GPS track; a hotspot note naming a contact; an organisation's direct line."""
    officer = make_user(session, Role.officer, "T100")
    officer.user.display_name = "巡查员李四"
    session.commit()
    team = make_team(session, "T100", officer, call_sign="巡秘1")
    secrets = {
        "alias": "桥洞老张秘",
        "known_name": "王小明",
        "description": "左腿有伤，穿红色外套",
        "photo_ref": "photos/secret-7781.jpg",
        "notes": "他说手机号 13800138000",
        "answer": "不想去救助站秘",
        "persuasion": "劝导三次秘",
        "consent": "本人同意秘",
        "incident": "发现一名老人倒地秘",
        "hotspot_note": "联系人张三 13912345678",
        "organisation_phone": "0571-5555-0000",
        "officer_name": "巡查员李四",
        "officer_username": officer.user.username,
        "call_sign": "巡秘1",
        "officer_position": f"{OFFICER_AT[0]}",
    }
    started = datetime.now(UTC) - timedelta(hours=1)
    shift = client.post(
        "/api/v1/patrols",
        json={"team_id": str(team.id), "started_at": started.isoformat()},
        headers=officer.headers,
    ).json()
    points = track((*OFFICER_AT, started + timedelta(minutes=1)), seconds=120)
    assert client.post(
        f"/api/v1/patrols/{shift['id']}/track", json={"points": points}, headers=officer.headers
    ).is_success
    person_id = str(uuid.uuid4())
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    encounter_ids = [str(uuid.uuid4()) for _ in range(3)]
    for n, encounter_id in enumerate(encounter_ids):
        body = {
            "id": encounter_id,
            "occurred_at": (two_days_ago + timedelta(minutes=n)).isoformat(),
            "place": {"lon": IN_WEST[0] + 0.0001 * n, "lat": IN_WEST[1]},
            "shift_id": shift["id"],
            "age_band": "60_plus",
            "sex": "male",
            "categories": ["elderly"],
            "civil_capacity": "full",
            "notes": secrets["notes"],
            "answer": secrets["answer"],
            "outcome": "refused_help",
            "told_station_contact": True,
            "persuasion_note": secrets["persuasion"],
            "consent_note": secrets["consent"],
        }
        if n == 0:
            body["new_person"] = {
                "id": person_id,
                "alias": secrets["alias"],
                "known_name": secrets["known_name"],
                "description": secrets["description"],
                "photo_ref": secrets["photo_ref"],
            }
        else:
            body["person_id"] = person_id
        response = client.post("/api/v1/encounters", json=body, headers=officer.headers)
        assert response.status_code == 201, response.text
    incident = client.post(
        "/api/v1/incidents",
        json={
            "kind": "danger_of_death",
            "occurred_at": two_days_ago.isoformat(),
            "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]},
            "description": secrets["incident"],
            "person_id": person_id,
        },
        headers=officer.headers,
    )
    assert incident.status_code == 201, incident.text
    make_hotspot(session, *IN_WEST, notes=secrets["hotspot_note"])
    organisation = make_organisation(session, OrganisationKind.rescue_station, "T100", capacity=20)
    organisation.phone = secrets["organisation_phone"]
    organisation.hotline = "0571-12345"
    session.commit()
    secrets |= {
        "person_id": person_id,
        "officer_id": str(officer.user.id),
        "shift_id": shift["id"],
        "team_id": str(team.id),
        **{f"encounter{n}": e for n, e in enumerate(encounter_ids)},
    }
    return secrets


def every_response(client: httpx.Client, headers: dict[str, str]) -> list[httpx.Response]:
    """The landing page and every document reachable from it, every page of every collection
    (two features a page) and every feature on its own."""
    responses = [client.get(f"{OGC}/", headers=headers), client.get(f"{OGC}/conformance", headers=headers)]
    collections = client.get(f"{OGC}/collections", headers=headers)
    responses.append(collections)
    for collection in collections.json()["collections"]:
        base = f"{OGC}/collections/{collection['id']}"
        responses.append(client.get(base, headers=headers))
        page = client.get(f"{base}/items", params={"limit": 2}, headers=headers)
        while True:
            responses.append(page)
            for feature in page.json()["features"]:
                responses.append(client.get(f"{base}/items/{feature['id']}", headers=headers))
            following = [link["href"] for link in page.json()["links"] if link["rel"] == "next"]
            if not following:
                break
            page = client.get(following[0], headers=headers)
    return responses


def test_no_layer_carries_personal_data(client, readers, casework):
    responses = every_response(client, readers["admin"])
    assert all(r.status_code == 200 for r in responses)
    whole = "\n".join(r.text for r in responses)
    leaked = {name: value for name, value in casework.items() if value in whole}
    assert leaked == {}
    # the layers did have content to leak from
    grid = client.get(f"{OGC}/collections/encounter-grid/items", headers=readers["admin"]).json()
    assert [f["properties"]["encounters"] for f in grid["features"]] == [3]
    assert "0571-12345" in whole  # the published hotline is meant to be seen


def test_every_feature_has_only_the_listed_properties(client, readers, casework):
    for collection, allowed in PROPERTIES.items():
        response = client.get(f"{OGC}/collections/{collection}/items", headers=readers["admin"])
        features = response.json()["features"]
        assert features, collection
        for feature in features:
            assert set(feature) == {"type", "id", "geometry", "properties"}, collection
            assert set(feature["properties"]) == allowed, collection
