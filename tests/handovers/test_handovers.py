"""Handovers from an escort to a signed, immutable written record; declines, deadlines, discharges."""

import hashlib
import io
import uuid

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from api.auth.models import Role
from api.organisations.models import OrganisationKind
from api.settings import get_settings
from tests.encounters.conftest import encounter
from tests.factories import inbox, make_organisation, make_user

H = "/api/v1/handovers"


@pytest.fixture
def parties(session, city):
    station = make_organisation(session, OrganisationKind.rescue_station, "T100", capacity=80)
    other_station = make_organisation(session, OrganisationKind.rescue_station, "T101", capacity=40)
    hospital = make_organisation(session, OrganisationKind.hospital, "T101", capacity=300)
    other_hospital = make_organisation(session, OrganisationKind.hospital, "T101", capacity=200)
    street_office = make_organisation(session, OrganisationKind.street_office, "T101")
    bureau = make_organisation(session, OrganisationKind.civil_affairs_bureau, "T100")
    return {
        "officer": make_user(session, Role.officer, "T101"),
        "dispatcher": make_user(session, Role.dispatcher, "T100"),
        "supervisor": make_user(session, Role.supervisor, "T100", organisation_id=bureau.id),
        "station": station,
        "other_station": other_station,
        "hospital": hospital,
        "street_office": street_office,
        "bureau": bureau,
        "station_staff": make_user(session, Role.station_staff, "T100", organisation_id=station.id),
        "other_station_staff": make_user(
            session, Role.station_staff, "T101", organisation_id=other_station.id
        ),
        "hospital_staff": make_user(session, Role.hospital_staff, "T101", organisation_id=hospital.id),
        "other_hospital_staff": make_user(
            session, Role.hospital_staff, "T101", organisation_id=other_hospital.id
        ),
        "office_staff": make_user(session, Role.station_staff, "T101", organisation_id=street_office.id),
    }


def escort(client, p, **extra):
    body = encounter(
        outcome="escorted_to_station",
        consent_recorded=True,
        destination_organisation_id=p["station"].id,
        age_band="60_plus",
        categories=["elderly"],
        needs=["棉衣", "热食"],
        offered=["护送至救助站"],
        new_person={"id": str(uuid.uuid4()), "alias": "桥洞老张"},
        **extra,
    )
    assert client.post("/api/v1/encounters", json=body, headers=p["officer"].headers).status_code == 201
    [handover] = client.get(H, headers=p["officer"].headers).json()
    return handover


def step(client, account, handover_id, action, **body):
    return client.post(f"{H}/{handover_id}/{action}", json=body, headers=account.headers)


def test_from_escort_to_a_closed_handover_with_its_written_record(client, session, parties):
    p = parties
    handover = escort(client, p)
    assert (handover["kind"], handover["state"], handover["to_organisation_id"]) == (
        "to_station",
        "requested",
        p["station"].id,
    )
    [item] = inbox(client, p["station_staff"])
    assert item["kind"] == "handover.requested" and "棉衣" in item["body"] and item["payload"]["eta"]
    hid = handover["id"]
    assert step(client, p["station_staff"], hid, "accepted").json()["state"] == "accepted"
    assert step(client, p["officer"], hid, "in-transit").json()["state"] == "in_transit"
    assert (
        step(client, p["officer"], hid, "arrived", place={"lon": 112.978, "lat": 28.188}).status_code == 200
    )
    code = client.post(f"{H}/{hid}/code", headers=p["officer"].headers).json()["code"]
    wrong = step(
        client,
        p["station_staff"],
        hid,
        "handed-over",
        receiver_name="周红",
        code="000000" if code != "000000" else "111111",
    )
    assert wrong.status_code == 422
    done = step(client, p["station_staff"], hid, "handed-over", receiver_name="周红", code=code)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "handed_over" and done.json()["receiver_name"] == "周红"

    pdf = client.get(f"{H}/{hid}/record.pdf", headers=p["dispatcher"].headers)
    assert pdf.headers["content-type"] == "application/pdf"
    digest = hashlib.sha256(pdf.content).hexdigest()
    assert digest == pdf.headers["x-content-sha256"] == done.json()["record_sha256"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (
        "书面交接记录",
        "周红",
        "桥洞老张",
        "棉衣",
        p["station"].name,
        "一次性确认码已核验",
        hid,
    ):
        assert expected in text, expected
    assert step(client, p["station_staff"], hid, "closed").json()["state"] == "closed"
    again = client.get(f"{H}/{hid}/record.pdf", headers=p["station_staff"].headers)
    assert again.content == pdf.content, "issued once, never regenerated"
    with pytest.raises(sa.exc.DBAPIError, match="never changes"):
        session.execute(sa.text("UPDATE handovers SET record_sha256 = 'x' WHERE id = :id"), {"id": hid})
    session.rollback()
    steps = (
        session.execute(
            sa.text("SELECT to_state FROM handover_steps WHERE handover_id = :id ORDER BY id"), {"id": hid}
        )
        .scalars()
        .all()
    )
    assert steps == ["requested", "accepted", "in_transit", "arrived", "handed_over", "closed"]


@pytest.mark.parametrize(
    ("walk", "illegal"),
    [
        ([], "arrived"),
        ([], "closed"),
        ([], "in-transit"),
        (["accepted", "arrived"], "in-transit"),
        (["accepted", "arrived"], "declined"),
        (["accepted", "arrived"], "closed"),
    ],
)
def test_illegal_transitions_are_409(client, parties, walk, illegal):
    p = parties
    hid = escort(client, p)["id"]
    actors = {
        "accepted": p["station_staff"],
        "arrived": p["officer"],
        "in-transit": p["officer"],
        "closed": p["station_staff"],
        "declined": p["station_staff"],
    }
    for action in walk:
        assert step(client, actors[action], hid, action).status_code == 200
    response = step(client, actors[illegal], hid, illegal, note="原因")
    assert response.status_code == 409 and "cannot go from" in response.json()["detail"]


def test_confirming_before_arrival_or_by_the_sender_is_refused(client, parties):
    p = parties
    hid = escort(client, p)["id"]
    assert (
        step(client, p["station_staff"], hid, "handed-over", receiver_name="周红", code="123456").status_code
        == 409
    )
    assert client.post(f"{H}/{hid}/code", headers=p["officer"].headers).status_code == 409
    step(client, p["station_staff"], hid, "accepted")
    step(client, p["officer"], hid, "arrived")
    code = client.post(f"{H}/{hid}/code", headers=p["officer"].headers).json()["code"]
    assert step(client, p["officer"], hid, "handed-over", receiver_name="x", code=code).status_code == 403
    assert step(client, p["station_staff"], hid, "handed-over", receiver_name="周红").status_code == 422


def test_a_declined_handover_is_rerouted_by_the_dispatcher(client, parties):
    p = parties
    hid = escort(client, p)["id"]
    assert step(client, p["station_staff"], hid, "declined").status_code == 422, "a reason is required"
    assert step(client, p["station_staff"], hid, "declined", note="床位已满").json()["state"] == "declined"
    [item] = inbox(client, p["dispatcher"])
    assert item["kind"] == "handover.declined" and "床位已满" in item["body"]
    assert (
        client.post(
            f"{H}/{hid}/reroute",
            json={"to_organisation_id": p["hospital"].id},
            headers=p["dispatcher"].headers,
        ).status_code
        == 422
    ), "a station escort goes to a station"
    rerouted = client.post(
        f"{H}/{hid}/reroute",
        json={"to_organisation_id": p["other_station"].id},
        headers=p["dispatcher"].headers,
    )
    assert rerouted.status_code == 201
    assert rerouted.json()["rerouted_from"] == hid and rerouted.json()["state"] == "requested"
    assert (
        client.post(
            f"{H}/{rerouted.json()['id']}/reroute",
            json={"to_organisation_id": p["station"].id},
            headers=p["dispatcher"].headers,
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"{H}/{hid}/reroute", json={"to_organisation_id": p["station"].id}, headers=p["officer"].headers
        ).status_code
        == 403
    )


@pytest.fixture
def immediate_deadlines():
    settings = get_settings()
    before = settings.handover_minutes_to_station
    settings.handover_minutes_to_station = 0
    yield
    settings.handover_minutes_to_station = before


def test_an_overdue_handover_escalates(client, session, parties, drain_jobs, immediate_deadlines):
    p = parties
    escort(client, p)

    def alerted():
        session.rollback()
        return (
            session.scalar(sa.text("SELECT count(*) FROM notifications WHERE kind = 'handover.overdue'")) >= 2
        )

    drain_jobs(alerted)
    for account in (p["dispatcher"], p["supervisor"]):
        kinds = [i["kind"] for i in inbox(client, account)]
        assert "handover.overdue" in kinds


def person(session, registration: str) -> str:
    person_id = uuid.uuid4()
    session.execute(
        sa.text(
            "INSERT INTO people (id, jurisdiction_id, alias, local_registration) "
            "VALUES (:id, (SELECT id FROM jurisdictions WHERE code = 'T101'), '病友', :r)"
        ),
        {"id": person_id, "r": registration},
    )
    session.commit()
    return str(person_id)


@pytest.mark.parametrize(
    ("registration", "collector"), [("yes", "street_office"), ("no", "bureau"), ("unknown", "bureau")]
)
def test_discharge_pickups_are_routed_by_household_registration(
    client, session, parties, registration, collector
):
    p = parties
    response = client.post(
        f"{H}/discharges",
        json={"person_id": person(session, registration)},
        headers=p["hospital_staff"].headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["to_organisation_id"] == p[collector].id
    assert response.json()["kind"] == "discharge_pickup" and response.json()["state"] == "requested"


def test_a_pending_legal_case_holds_the_discharge(client, session, parties):
    p = parties
    held = client.post(
        f"{H}/discharges",
        json={"person_id": person(session, "no"), "legal_case_pending": True},
        headers=p["hospital_staff"].headers,
    ).json()
    assert held["state"] == "held"
    assert inbox(client, p["supervisor"], at_least=0) == []
    released = client.post(f"{H}/{held['id']}/release", headers=p["hospital_staff"].headers)
    assert released.json()["state"] == "requested"
    waiting = client.get(f"{H}/discharges/waiting", headers=p["supervisor"].headers).json()
    assert [w["handover_id"] for w in waiting] == [held["id"]] and waiting[0]["days_waiting"] >= 0
    assert (
        client.post(
            f"{H}/discharges", json={"person_id": person(session, "no")}, headers=p["station_staff"].headers
        ).status_code
        == 403
    )


def test_a_hospital_never_sees_another_hospitals_handover(client, parties):
    p = parties
    body = encounter(
        outcome="escorted_to_hospital",
        categories=["critically_ill"],
        destination_organisation_id=p["hospital"].id,
    )
    client.post("/api/v1/encounters", json=body, headers=p["officer"].headers)
    [handover] = client.get(H, headers=p["hospital_staff"].headers).json()
    assert client.get(f"{H}/{handover['id']}", headers=p["hospital_staff"].headers).status_code == 200
    assert client.get(f"{H}/{handover['id']}", headers=p["other_hospital_staff"].headers).status_code == 404
    assert client.get(H, headers=p["other_hospital_staff"].headers).json() == []
    assert step(client, p["other_hospital_staff"], handover["id"], "accepted").status_code == 404
    assert step(client, p["other_station_staff"], handover["id"], "accepted").status_code == 404
