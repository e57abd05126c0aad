"""Logging encounters: idempotent, matched to hotspots, followed by referrals and revisits."""

import uuid

import sqlalchemy as sa

from geo.datum import Datum, point_from_wgs84
from tests.encounters.conftest import encounter
from tests.factories import IN_WEST, make_hotspot
from tests.factories import inbox as inbox_of

URL = "/api/v1/encounters"
REFUSAL = {
    "outcome": "refused_help",
    "told_station_contact": True,
    "persuasion_note": "告知救助站热线，仍拒绝",
}


def inbox(client, account):
    return inbox_of(client, account)


def test_logged_once_matched_to_the_hotspot_and_person(client, session, field, count_rows):
    hotspot = make_hotspot(session, *IN_WEST, radius_m=80)
    gcj = point_from_wgs84(Datum.gcj02, IN_WEST[0] + 0.0003, IN_WEST[1])  # about 30 m from the centre
    person_id = str(uuid.uuid4())
    body = encounter(
        place={"lon": gcj[0], "lat": gcj[1]},
        new_person={"id": person_id, "alias": "桥洞老张"},
        supplies={"quilt": 1},
    )
    first = client.post(URL, json=body, params={"datum": "gcj02"}, headers=field["officer"].headers)
    assert first.status_code == 201, first.text
    again = client.post(URL, json=body, params={"datum": "gcj02"}, headers=field["officer"].headers)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    record = first.json()
    assert record["hotspot_id"] == str(hotspot.id) and record["person_alias"] == "桥洞老张"
    assert record["jurisdiction"].startswith("T101") and record["supplies"] == {"quilt": 1}
    assert (count_rows("encounters"), count_rows("people")) == (1, 1)
    other = client.post(
        URL,
        json={
            **body,
            "new_person": None,
            "person_id": person_id,
            "id": str(uuid.uuid4()),
            "match_hotspot": False,
        },
        headers=field["officer"].headers,
    ).json()
    assert other["hotspot_id"] is None and other["person_id"] == person_id


def test_minor_with_an_adult_goes_to_the_police(client, session, field):
    body = encounter(
        categories=["with_minor"],
        outcome="escorted_to_station",
        consent_recorded=True,
        destination_organisation_id=field["station"].id,
    )
    record = client.post(URL, json=body, headers=field["officer"].headers).json()
    assert record["police_referral"] is True
    reasons = session.execute(sa.text("SELECT reasons FROM police_referrals")).scalar_one()
    assert reasons == ["with_minor"]
    assert [i["kind"] for i in inbox(client, field["dispatcher"])] == ["police.referral"]


def test_a_vulnerable_refusal_schedules_exactly_one_revisit(client, session, field):
    body = encounter(categories=["elderly"], age_band="60_plus", **REFUSAL)
    record = client.post(URL, json=body, headers=field["officer"].headers).json()
    client.post(URL, json=body, headers=field["officer"].headers)  # a retried upload
    assert record["revisit_task_id"] is not None
    assert session.execute(sa.text("SELECT count(*) FROM revisit_tasks")).scalar_one() == 1
    [item] = inbox(client, field["officer"])
    assert item["kind"] == "revisit" and item["payload"]["revisit_id"] == record["revisit_task_id"]
    open_tasks = client.get("/api/v1/revisits", headers=field["officer"].headers).json()
    assert [t["id"] for t in open_tasks] == [record["revisit_task_id"]]

    follow_up = encounter(categories=["elderly"], age_band="60_plus", revisit_id=record["revisit_task_id"])
    assert client.post(URL, json=follow_up, headers=field["officer"].headers).status_code == 201
    assert client.get("/api/v1/revisits", headers=field["officer"].headers).json() == []
    done = client.get(
        "/api/v1/revisits", params={"status": "done"}, headers=field["dispatcher"].headers
    ).json()
    assert done[0]["done_by_encounter_id"] == follow_up["id"]


def test_an_able_adult_refusing_needs_no_revisit(client, session, field):
    client.post(URL, json=encounter(**REFUSAL), headers=field["officer"].headers)
    assert session.execute(sa.text("SELECT count(*) FROM revisit_tasks")).scalar_one() == 0


def test_who_logs_and_who_reads(client, session, field):
    assert client.post(URL, json=encounter(), headers=field["dispatcher"].headers).status_code == 403
    record = client.post(URL, json=encounter(), headers=field["officer"].headers).json()
    assert client.get(f"{URL}/{record['id']}", headers=field["dispatcher"].headers).status_code == 200
    assert client.get(f"{URL}/{record['id']}", headers=field["station_staff"].headers).status_code == 403
    listed = client.get(URL, headers=field["dispatcher"].headers).json()
    assert [e["id"] for e in listed] == [record["id"]]
    foreign = client.post(URL, json=encounter(id=str(uuid.uuid4())), headers=field["officer"].headers).json()
    assert (
        client.post(
            URL, json={**encounter(), "id": foreign["id"]}, headers=field["district_supervisor"].headers
        ).status_code
        == 403
    )
    bad = client.post(URL, json=encounter(place={"lon": 200, "lat": 0}), headers=field["officer"].headers)
    assert bad.status_code == 422
