"""Subject access (export) and erasure of a person, and legal holds, over real HTTP."""

from __future__ import annotations

import sqlalchemy as sa

from api.audit import service as audit
from api.audit.models import AuditEntry
from api.auth.models import Role
from api.encounters.models import CriticalIncident, Encounter
from api.handovers.models import Handover
from api.leads.models import Lead
from api.people.models import Person
from api.privacy import service, subject
from tests.factories import IN_WEST, make_organisation, make_user
from tests.privacy import records
from tests.privacy.records import NOW


def _seed_person(session):
    officer = make_user(session, Role.officer, "T101").user.id
    person = records.person(session, photo_ref="photos/z.jpg")
    encounter = records.encounter(session, officer, days=3, person_id=person.id)
    station = make_organisation(session).id
    handover = records.handover(
        session, station, state="closed", encounter_id=encounter.id, person_id=person.id
    )
    records.revisit(session, encounter, status="done")
    return person, encounter, handover, station


def _audit(session, action: str) -> list[AuditEntry]:
    session.rollback()
    return session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_supervisor_exports_everything_held_about_a_person_and_it_is_audited(client, session, city):
    supervisor = make_user(session, Role.supervisor, "T100")
    person, encounter, handover, _ = _seed_person(session)
    read = client.post(
        f"/api/v1/people/{person.id}/record", json={"reason": "核对身份"}, headers=supervisor.headers
    )
    assert read.status_code == 200

    answer = client.post(
        f"/api/v1/people/{person.id}/export",
        params={"datum": "gcj02"},
        json={"reason": "本人申请查阅"},
        headers=supervisor.headers,
    )
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["person"]["known_name"] == "张某" and document["person"]["photo_ref"] == "photos/z.jpg"
    assert [e["id"] for e in document["encounters"]] == [str(encounter.id)]
    assert document["encounters"][0]["notes"] == "睡在桥洞东侧"
    lon, _lat = document["encounters"][0]["geom"]["coordinates"]
    assert abs(lon - IN_WEST[0]) > 1e-4  # GCJ-02 as asked, not the stored WGS84
    assert [h["id"] for h in document["handovers"]] == [str(handover.id)]
    assert len(document["revisits"]) == 1
    assert [e["action"] for e in document["audit_entries"]] == ["read_person"]
    exports = _audit(session, "export_person")
    assert len(exports) == 1 and exports[0].actor_id == supervisor.user.id
    assert exports[0].subject_id == str(person.id) and exports[0].reason == "本人申请查阅"


def test_export_needs_a_reason_the_supervisor_role_and_the_jurisdiction(client, session, city):
    person, *_ = _seed_person(session)
    url = f"/api/v1/people/{person.id}/export"
    supervisor = make_user(session, Role.supervisor, "T100")
    assert client.post(url, json={}, headers=supervisor.headers).status_code == 422
    assert client.get(url, headers=supervisor.headers).status_code == 405, "the reason never rides in a URL"
    for role in (Role.officer, Role.dispatcher, Role.station_staff, Role.hotline_operator, Role.admin):
        other = make_user(session, role, "T100")
        answer = client.post(url, json={"reason": "查阅记录"}, headers=other.headers)
        assert answer.status_code == 403, role
    foreign = make_user(session, Role.supervisor, "X200")
    assert client.post(url, json={"reason": "查阅一下"}, headers=foreign.headers).status_code == 404
    assert _audit(session, "export_person") == []


def test_erasure_keeps_statistics_and_removes_the_person(client, session, city):
    supervisor = make_user(session, Role.supervisor, "T100")
    person, encounter, handover, _ = _seed_person(session)
    incident = CriticalIncident(
        kind="danger_of_death",
        jurisdiction_id=person.jurisdiction_id,
        geom=encounter.geom,
        occurred_at=records.days_ago(800),
        description="冻伤送医",
        person_id=person.id,
    )
    session.add(incident)
    session.commit()

    person_id, encounter_id, handover_id, incident_id = person.id, encounter.id, handover.id, incident.id
    answer = client.post(
        f"/api/v1/people/{person_id}/erase", json={"reason": "本人申请删除"}, headers=supervisor.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "person_id": str(person_id),
        "encounters": 1,
        "handovers": 1,
        "revisits": 1,
        "critical_incidents": 1,
    }
    session.rollback()
    session.expunge_all()
    assert session.get(Person, person_id) is None
    kept = session.get(Encounter, encounter_id)
    assert kept.person_id is None and kept.notes is None and kept.outcome == "refused_help"
    stripped = session.get(Handover, handover_id)
    assert stripped.person_id is None and stripped.health_notes is None and stripped.state == "closed"
    assert session.get(CriticalIncident, incident_id).description == "[erased]"
    assert [e.reason for e in _audit(session, "erase_person")] == ["本人申请删除"]
    assert audit.verify(session).intact
    gone = client.get(f"/api/v1/people/{person_id}", headers=supervisor.headers)
    assert gone.status_code == 404


def test_erasure_is_refused_under_a_legal_hold_until_it_is_released(client, session, city):
    supervisor = make_user(session, Role.supervisor, "T100")
    person, *_ = _seed_person(session)
    placed = client.post(
        "/api/v1/legal-holds",
        json={"subject_type": "person", "subject_id": str(person.id), "reason": "法院调取证据"},
        headers=supervisor.headers,
    )
    assert placed.status_code == 201, placed.text
    listed = client.get(
        "/api/v1/legal-holds", params={"subject_id": str(person.id)}, headers=supervisor.headers
    )
    assert [h["id"] for h in listed.json()] == [placed.json()["id"]]
    erase = f"/api/v1/people/{person.id}/erase"
    refused = client.post(erase, json={"reason": "本人申请删除"}, headers=supervisor.headers)
    assert refused.status_code == 409 and refused.json()["type"].endswith("legal-hold")
    exported = client.post(
        f"/api/v1/people/{person.id}/export", json={"reason": "查阅记录"}, headers=supervisor.headers
    )
    assert exported.json()["legal_holds"][0]["reason"] == "法院调取证据"

    released = client.post(f"/api/v1/legal-holds/{placed.json()['id']}/release", headers=supervisor.headers)
    assert released.status_code == 200 and released.json()["released_by"] == str(supervisor.user.id)
    again = client.post(f"/api/v1/legal-holds/{placed.json()['id']}/release", headers=supervisor.headers)
    assert again.status_code == 409
    assert client.post(erase, json={"reason": "本人申请删除"}, headers=supervisor.headers).status_code == 200


def test_erasure_is_refused_while_a_case_is_open(client, session, city):
    supervisor = make_user(session, Role.supervisor, "T100")
    officer = make_user(session, Role.officer, "T101").user.id
    person = records.person(session)
    encounter = records.encounter(session, officer, days=3, person_id=person.id)
    lead = records.lead(session, status="arrived", encounter_ids=[encounter.id], photos=0)
    erase = f"/api/v1/people/{person.id}/erase"
    refused = client.post(erase, json={"reason": "本人申请删除"}, headers=supervisor.headers)
    assert refused.status_code == 409 and refused.json()["type"].endswith("open-case")
    session.execute(
        sa.text("UPDATE leads SET status = 'closed', outcome = 'helped' WHERE id = :id"), {"id": lead.id}
    )
    session.commit()
    assert client.post(erase, json={"reason": "本人申请删除"}, headers=supervisor.headers).status_code == 200


def test_only_supervisors_erase_and_only_in_their_jurisdiction(client, session, city):
    person, *_ = _seed_person(session)
    erase = f"/api/v1/people/{person.id}/erase"
    for role in (Role.officer, Role.station_staff, Role.admin):
        other = make_user(session, role, "T100")
        assert client.post(erase, json={"reason": "删除记录"}, headers=other.headers).status_code == 403
    foreign = make_user(session, Role.supervisor, "X200")
    assert client.post(erase, json={"reason": "删除记录"}, headers=foreign.headers).status_code == 404
    session.rollback()
    assert session.get(Person, person.id) is not None


def test_a_lead_hold_placed_over_http_keeps_retention_off_the_lead(client, session, city):
    supervisor = make_user(session, Role.supervisor, "T100")
    lead = records.lead(session, closed_days_ago=400)
    body = {"subject_type": "lead", "subject_id": str(lead.id), "reason": "信访调查中"}
    foreign = make_user(session, Role.supervisor, "X200")
    assert client.post("/api/v1/legal-holds", json=body, headers=foreign.headers).status_code == 404
    assert client.post("/api/v1/legal-holds", json=body, headers=supervisor.headers).status_code == 201
    assert client.get("/api/v1/legal-holds", headers=foreign.headers).json() == []

    report = service.run(session, now=NOW)
    session.commit()
    assert {result.kind: result.count for result in report.results}["lead_contact"] == 0
    session.expire_all()
    assert session.get(Lead, lead.id).reporter_contact == b"encrypted-contact"


def test_a_case_open_on_one_of_their_encounters_protects_the_person(session, city):
    officer = make_user(session, Role.officer, "T101").user.id
    person = records.person(session, updated_days_ago=400, photo_ref="photos/q.jpg")
    old = records.encounter(session, officer, days=400, person_id=person.id)
    records.referral(session, old)  # a police referral with no police handover finished
    assert subject.refusal(session, person, NOW).kind == "open-case"
    service.run(session, now=NOW)
    session.commit()
    session.expire_all()
    assert session.get(Person, person.id).photo_ref == "photos/q.jpg"
