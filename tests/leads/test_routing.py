"""Hotline intake, offers to the nearest team, boundaries, timeouts, deadlines and closing."""

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from api.leads import service
from api.leads.models import Lead, LeadOffer
from tests.factories import encounter_body, inbox
from tests.leads.conftest import hotline, on_duty

IN_WEST_NEAR = (120.05, 30.1)
BOUNDARY = (120.1, 30.1)  # on the line between districts T101 (west) and T102 (east)


def offers(session, lead_id) -> list[LeadOffer]:
    session.expire_all()
    return list(
        session.scalars(
            sa.select(LeadOffer).where(LeadOffer.lead_id == lead_id).order_by(LeadOffer.offered_at)
        )
    )


def kinds(client, account, at_least: int = 1) -> list[str]:
    """The kinds in the account's inbox, once it holds ``at_least`` items (it may lag a moment)."""
    return [item["kind"] for item in inbox(client, account, at_least=at_least)]


def test_a_hotline_lead_goes_to_the_nearest_team_and_closes_with_its_encounter(client, session, desk):
    near = on_duty(client, session, "T101", (120.051, 30.1), "近1")
    far = on_duty(client, session, "T101", (120.07, 30.1), "远1")
    lead = hotline(client, desk["operator"], *IN_WEST_NEAR)
    assert lead["status"] == "offered"
    assert lead["offer"]["team_id"] == str(near["team"].id)
    assert 80 < lead["offer"]["distance_m"] < 120
    assert lead["reporter"] == "138****5678" and "13812345678" not in str(lead)
    url = f"/api/v1/leads/{lead['id']}"
    for reader in ("dispatcher", "supervisor"):
        assert "13812345678" not in client.get(url, headers=desk[reader].headers).text
    contact = client.post(f"{url}/contact", json={"reason": "回访报告人"}, headers=desk["supervisor"].headers)
    assert contact.status_code == 200 and contact.json()["phone"] == "13812345678"
    for no_reason in ({}, {"reason": "      "}):
        answer = client.post(f"{url}/contact", json=no_reason, headers=desk["supervisor"].headers)
        assert answer.status_code == 422, no_reason
    refused = client.post(f"{url}/contact", json={"reason": "看看记录"}, headers=desk["dispatcher"].headers)
    assert refused.status_code == 403
    audited = client.get("/api/v1/audit", headers=desk["supervisor"].headers).json()
    assert [(e["action"], e["reason"]) for e in audited if e["subject_id"] == lead["id"]] == [
        ("read_reporter_contact", "回访报告人")
    ]

    offered = inbox(client, near["officer"])
    assert [i["kind"] for i in offered] == ["lead.offer"] and offered[0]["payload"]["lead_id"] == lead["id"]
    assert client.get("/api/v1/leads", headers=far["officer"].headers).json() == []
    assert (
        client.post(f"/api/v1/leads/{lead['id']}/accept", headers=far["officer"].headers).status_code == 404
    )

    accepted = client.post(f"/api/v1/leads/{lead['id']}/accept", headers=near["officer"].headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["team_call_sign"] == "近1"
    again = client.post(f"/api/v1/leads/{lead['id']}/accept", headers=near["officer"].headers)
    assert again.status_code == 200 and again.json()["accepted_at"] == accepted.json()["accepted_at"]
    arrived = client.post(
        f"/api/v1/leads/{lead['id']}/arrive", json={}, headers=near["officer"].headers
    ).json()
    assert arrived["status"] == "arrived" and arrived["minutes_to_arrive"] is not None

    no_encounter = client.post(
        f"/api/v1/leads/{lead['id']}/close",
        json={"outcome": "escorted", "public_note": "已护送至救助站"},
        headers=near["officer"].headers,
    )
    assert no_encounter.status_code == 422
    encounter = client.post(
        "/api/v1/encounters",
        json=encounter_body(
            occurred_at=(datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            place={"lon": IN_WEST_NEAR[0], "lat": IN_WEST_NEAR[1]},
            age_band="60_plus",
        ),
        headers=near["officer"].headers,
    )
    assert encounter.status_code == 201, encounter.text
    closed = client.post(
        f"/api/v1/leads/{lead['id']}/close",
        json={
            "outcome": "helped",
            "public_note": "已送去棉被和热食",
            "encounter_ids": [encounter.json()["id"]],
        },
        headers=near["officer"].headers,
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed" and body["encounter_ids"] == [encounter.json()["id"]]
    assert body["minutes_to_close"] is not None and body["minutes_to_accept"] <= body["minutes_to_close"]


def test_a_retried_hotline_lead_is_stored_once(client, session, desk):
    lead_id = str(uuid.uuid4())
    first = hotline(client, desk["operator"], *IN_WEST_NEAR, id=lead_id)
    second = hotline(client, desk["operator"], *IN_WEST_NEAR, id=lead_id)
    assert first["number"] == second["number"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 1


def test_a_lead_on_a_boundary_goes_to_the_nearest_team_of_either_side(client, session, desk):
    on_duty(client, session, "T101", (120.095, 30.1), "西1")
    east = on_duty(client, session, "T102", (120.102, 30.1), "东1")
    on_boundary = hotline(client, desk["operator"], *BOUNDARY)
    assert on_boundary["jurisdiction"] in ("T101", "T102")
    assert on_boundary["offer"]["team_id"] == str(east["team"].id)


def test_a_team_across_the_boundary_is_not_offered_a_lead_inside_the_other_district(client, session, desk):
    west = on_duty(client, session, "T101", (120.08, 30.1), "西2")
    on_duty(client, session, "T102", (120.101, 30.1), "东2")  # nearer, but in the other district
    inside_west = hotline(client, desk["operator"], 120.099, 30.1)
    assert inside_west["jurisdiction"] == "T101"
    assert inside_west["offer"]["team_id"] == str(west["team"].id)


def test_an_unanswered_offer_passes_to_the_next_team_then_to_the_dispatcher(client, session, desk):
    first = on_duty(client, session, "T101", (120.051, 30.1), "一")
    second = on_duty(client, session, "T101", (120.06, 30.1), "二")
    lead = hotline(client, desk["operator"], *IN_WEST_NEAR)
    offer = offers(session, uuid.UUID(lead["id"]))[0]
    assert offer.team_id == first["team"].id

    assert not service.expire_offer(session, offer.id, now=offer.expires_at - timedelta(seconds=1))
    assert service.expire_offer(session, offer.id, now=offer.expires_at + timedelta(seconds=1))
    session.commit()
    made = offers(session, uuid.UUID(lead["id"]))
    assert [(o.team_id, o.answer) for o in made] == [(first["team"].id, "expired"), (second["team"].id, None)]
    assert "lead.offer" in kinds(client, second["officer"])

    declined = client.post(f"/api/v1/leads/{lead['id']}/decline", headers=second["officer"].headers)
    assert declined.status_code == 204
    after = client.get(f"/api/v1/leads/{lead['id']}", headers=desk["dispatcher"].headers).json()
    assert after["status"] == "new" and after["offer"] is None
    assert "lead.unassigned" in [i["kind"] for i in inbox(client, desk["dispatcher"])]
    late_accept = client.post(f"/api/v1/leads/{lead['id']}/accept", headers=first["officer"].headers)
    assert late_accept.status_code == 404  # no longer theirs to see

    assigned = client.post(
        f"/api/v1/leads/{lead['id']}/assign",
        json={"team_id": str(first["team"].id)},
        headers=desk["dispatcher"].headers,
    )
    assert assigned.status_code == 200 and assigned.json()["status"] == "accepted"
    assert "lead.assigned" in kinds(client, first["officer"], at_least=2)


def test_a_missed_response_deadline_escalates_once(client, session, desk):
    lead = hotline(client, desk["operator"], *IN_WEST_NEAR)
    stored = session.get(Lead, uuid.UUID(lead["id"]))
    assert stored.deadline_at - stored.created_at == timedelta(minutes=60)
    assert not service.check_deadline(session, stored.id, now=stored.deadline_at - timedelta(seconds=1))
    assert service.check_deadline(session, stored.id, now=stored.deadline_at + timedelta(seconds=1))
    session.commit()
    assert not service.check_deadline(session, stored.id, now=stored.deadline_at + timedelta(minutes=5))
    session.commit()
    missed = [i for i in inbox(client, desk["dispatcher"], at_least=2) if i["kind"] == "lead.deadline_missed"]
    assert len(missed) == 1 and missed[0]["priority"] == "critical"
    assert client.get(f"/api/v1/leads/{lead['id']}", headers=desk["dispatcher"].headers).json()[
        "deadline_missed_at"
    ]


def test_the_deadline_job_runs_in_the_worker(client, session, desk, drain_jobs):
    lead = hotline(client, desk["operator"], *IN_WEST_NEAR, urgent=True)
    session.execute(
        sa.text(
            "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = 'lead_deadline' "
            "AND args->>'lead_id' = :id"
        ),
        {"id": lead["id"]},
    )
    session.execute(sa.update(Lead).where(Lead.id == uuid.UUID(lead["id"])).values(deadline_at=sa.func.now()))
    session.commit()

    def escalated() -> bool:
        session.expire_all()
        return session.get(Lead, uuid.UUID(lead["id"])).deadline_missed_at is not None

    drain_jobs(escalated)


def test_urgent_and_minor_leads_reach_the_police_and_dispatchers_at_once(client, session, desk):
    hotline(client, desk["operator"], *IN_WEST_NEAR, minor_involved=True, age_band="under_14")
    police = inbox(client, desk["police_officer"])
    assert [(i["kind"], i["priority"]) for i in police] == [("lead.urgent", "critical")]
    assert police[0]["payload"]["police_station"] == desk["police"].name
    assert "lead.urgent" in [i["kind"] for i in inbox(client, desk["dispatcher"])]
    assert kinds(client, desk["foreign_dispatcher"], at_least=0) == []


def test_dispatchers_see_only_their_jurisdiction_and_officers_cannot_take_in_leads(client, session, desk):
    lead = hotline(client, desk["operator"], *IN_WEST_NEAR)
    assert (
        client.get(f"/api/v1/leads/{lead['id']}", headers=desk["foreign_dispatcher"].headers).status_code
        == 404
    )
    assert client.get("/api/v1/leads", headers=desk["foreign_dispatcher"].headers).json() == []
    refused = client.post(
        "/api/v1/leads",
        json={"description": "x", "place_text": "某处"},
        headers=desk["police_officer"].headers,
    )
    assert refused.status_code == 403


def test_bad_hotline_input_is_refused_and_changes_nothing(client, session, desk):
    headers = desk["operator"].headers
    cases = [
        {"description": "", "place_text": "桥洞"},
        {"description": "x"},
        {"description": "x", "place": {"lon": 200.0, "lat": 30.1}},
        {"description": "x", "place": {"lon": "120", "lat": 30.1}},
        {"description": "x" * 2001, "place_text": "桥洞"},
        {"description": "x", "place_text": "桥洞", "caller_phone": "call me"},
        {"description": "x", "place": {"lon": 121.1, "lat": 31.1}},  # another city
        {"description": "x", "place_text": "桥洞", "jurisdiction": "X200"},
        {"description": "x", "place_text": "桥洞", "surprise": 1},
    ]
    for body in cases:
        response = client.post("/api/v1/leads", json=body, headers=headers)
        assert 400 <= response.status_code < 500, (body, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
    gcj = client.post(
        "/api/v1/leads?datum=klingon", json={"description": "x", "place_text": "a"}, headers=headers
    )
    assert gcj.status_code == 422
    assert session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 0
