"""Person records: what each role reads, the audit of personal-data reads, and its hash chain."""

import uuid

import pytest
import sqlalchemy as sa

from api.auth.models import Role
from tests.factories import make_user

PEOPLE = "/api/v1/people"


@pytest.fixture
def person(client, field):
    body = {
        "id": str(uuid.uuid4()),
        "alias": "桥洞老张",
        "known_name": "张某",
        "description": "灰色棉衣",
        "safety_flags": ["hard of hearing"],
    }
    created = client.post(PEOPLE, json=body, headers=field["officer"].headers)
    assert created.status_code == 201
    assert set(created.json()) == {"id", "alias", "safety_flags", "encounters"}, (
        "officers never get personal data"
    )
    return body["id"]


def test_officers_see_alias_and_flags_only_and_leave_no_audit(client, session, field, person, count_rows):
    seen = client.get(f"{PEOPLE}/{person}", headers=field["officer"].headers).json()
    assert seen == {"id": person, "alias": "桥洞老张", "safety_flags": ["hard of hearing"], "encounters": 0}
    assert count_rows("audit_log") == 0


def test_station_staff_read_personal_data_with_a_reason_and_it_is_audited(client, session, field, person):
    staff = field["station_staff"]
    record_url = f"{PEOPLE}/{person}/record"
    assert client.post(record_url, json={}, headers=staff.headers).status_code == 422, "a reason is required"
    assert client.post(record_url, json={"reason": "    "}, headers=staff.headers).status_code == 422
    assert "known_name" not in client.get(f"{PEOPLE}/{person}", headers=staff.headers).json()
    record = client.post(record_url, json={"reason": "接收交接，核对身份"}, headers=staff.headers).json()
    assert record["known_name"] == "张某" and record["identity_status"] == "unknown"
    [entry] = client.get("/api/v1/audit", headers=field["city_supervisor"].headers).json()
    assert (entry["actor_id"], entry["subject_id"], entry["reason"]) == (
        str(staff.user.id),
        person,
        "接收交接，核对身份",
    )
    assert "known_name" in entry["fields"]
    assert client.get("/api/v1/audit", headers=staff.headers).status_code == 403, "the log is for supervisors"


def test_only_station_staff_verify_identity_and_officers_cannot_touch_personal_fields(client, field, person):
    officer, staff = field["officer"], field["station_staff"]
    assert (
        client.patch(f"{PEOPLE}/{person}", json={"known_name": "x"}, headers=officer.headers).status_code
        == 403
    )
    assert (
        client.patch(f"{PEOPLE}/{person}", json={"safety_flags": []}, headers=officer.headers).status_code
        == 200
    )
    verified = client.patch(
        f"{PEOPLE}/{person}",
        json={"identity_status": "verified", "local_registration": "no"},
        headers=staff.headers,
    )
    assert verified.status_code == 200 and verified.json()["identity_status"] == "verified"
    assert (
        client.patch(
            f"{PEOPLE}/{person}",
            json={"identity_status": "verified"},
            headers=field["city_supervisor"].headers,
        ).status_code
        == 403
    )


def test_hospitals_and_foreign_districts_cannot_read_people(client, session, field, person):
    hospital = make_user(session, Role.hospital_staff, "T101")
    assert client.get(f"{PEOPLE}/{person}", headers=hospital.headers).status_code == 403
    east = make_user(session, Role.station_staff, "T102")
    assert client.get(f"{PEOPLE}/{person}", headers=east.headers).status_code == 404
    why = {"reason": "查看记录"}
    assert client.post(f"{PEOPLE}/{person}/record", json=why, headers=east.headers).status_code == 404
    assert client.post(f"{PEOPLE}/{person}/record", json=why, headers=hospital.headers).status_code == 403


def test_the_chain_verifies_and_breaks_when_a_row_is_altered_by_hand(client, session, field, person):
    staff = field["station_staff"]
    for n in range(3):
        client.post(f"{PEOPLE}/{person}/record", json={"reason": f"第{n}次核对"}, headers=staff.headers)
    supervisor = field["city_supervisor"].headers
    assert client.get("/api/v1/audit/verify", headers=supervisor).json() == {
        "entries": 3,
        "intact": True,
        "first_broken_id": None,
    }

    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        session.execute(sa.text("UPDATE audit_log SET reason = 'nothing to see' WHERE id = 2"))
    session.rollback()
    session.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    session.execute(sa.text("UPDATE audit_log SET reason = 'nothing to see' WHERE id = 2"))
    session.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    session.commit()
    assert client.get("/api/v1/audit/verify", headers=supervisor).json() == {
        "entries": 2,
        "intact": False,
        "first_broken_id": 2,
    }
