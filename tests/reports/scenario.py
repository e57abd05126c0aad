"""A month of work in two streets of district T101 and in the foreign city X200, recorded through
the API, with the counts the summary must give for March 2025 (Asia/Shanghai).

The API stamps handovers and hotspots with the server's clock; those times are moved into the
month by SQL afterwards (a hotspot imported long ago, a handover made at the encounter's time).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from shapely.geometry import Point, box
from sqlmodel import Session

from api.auth.models import Role
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import JurisdictionLevel
from api.organisations.models import OrganisationKind
from tests.factories import IN_FOREIGN, make_city, make_hotspot, make_organisation, make_team, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2025, 3, 1), date(2025, 3, 31)
STREETS = {"T101A": (120.0, 30.0, 120.05, 30.2), "T101B": (120.05, 30.0, 120.1, 30.2)}
IN_A, IN_B = (120.02, 30.1), (120.08, 30.1)
ROW_ORDER = ["T100", "T101", "T101A", "T101B", "T102"]


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI)


# What the report must say, section by section; every figure not named is zero (or no median).
STREET_A = {
    "patrols": {"shifts": 3, "hours": 22.0},
    "hotspots": {"total": 2, "covered": 2, "overdue": 1},
    "encounters": {"total": 5, "elderly": 3, "disabled": 1, "critically_ill": 1, "with_minor": 1},
    "outcomes": {
        "escorted_to_station": 1,
        "escorted_to_hospital": 1,
        "refused_help": 1,
        "resolved_on_site": 1,
        "police_referral": 1,
    },
    "revisits": {"due": 1, "done": 1},
    "police_referrals": {"total": 1},
    "critical_incidents": {"total": 1, "minor_in_danger": 1},
    "sweeps": {"sweeps": 1, "tasks": 2, "on_time": 1, "late": 1},
    "handovers": {"total": 2, "handed_over": 1, "median_minutes": 45.0, "overdue": 1},
    "leads": {"reports": 3, "duplicates": 1, "closed": 1, "median_minutes_to_arrive": 30.0},
}
STREET_B = {
    "patrols": {"shifts": 1, "hours": 2.0},
    "hotspots": {"total": 2, "covered": 0, "overdue": 2},
    "encounters": {"total": 4, "elderly": 1, "disabled": 1, "intoxicated": 1},
    "outcomes": {"emergency_services_called": 1, "refused_help": 2, "escorted_to_station": 1},
    "revisits": {"due": 1, "done": 0},
    "critical_incidents": {"total": 1, "danger_of_death": 1},
    "sweeps": {"sweeps": 1, "tasks": 2, "missed": 2},
    "handovers": {"total": 1, "handed_over": 1, "median_minutes": 135.0, "overdue": 1},
    "leads": {"reports": 1, "urgent": 1, "median_minutes_to_arrive": 90.0, "missed_deadline": 1},
}
DISTRICT = {
    "patrols": {"shifts": 4, "hours": 24.0},
    "hotspots": {"total": 4, "covered": 2, "overdue": 3},
    "encounters": {
        "total": 9,
        "elderly": 4,
        "disabled": 2,
        "critically_ill": 1,
        "with_minor": 1,
        "intoxicated": 1,
    },
    "outcomes": {
        "escorted_to_station": 2,
        "escorted_to_hospital": 1,
        "emergency_services_called": 1,
        "refused_help": 3,
        "resolved_on_site": 1,
        "police_referral": 1,
    },
    "revisits": {"due": 2, "done": 1},
    "police_referrals": {"total": 1},
    "critical_incidents": {"total": 2, "minor_in_danger": 1, "danger_of_death": 1},
    "sweeps": {"sweeps": 1, "tasks": 4, "on_time": 1, "late": 1, "missed": 2},
    "handovers": {"total": 3, "handed_over": 2, "median_minutes": 90.0, "overdue": 2},
    "leads": {
        "reports": 4,
        "duplicates": 1,
        "urgent": 1,
        "closed": 1,
        "median_minutes_to_arrive": 40.0,
        "missed_deadline": 1,
    },
}
FOREIGN = {
    "patrols": {"shifts": 1, "hours": 4.0},
    "hotspots": {"total": 1, "covered": 1, "overdue": 1},
    "encounters": {"total": 1, "elderly": 1},
    "outcomes": {"no_contact": 1},
    "leads": {"reports": 1},
}
EXPECTED = {"T100": DISTRICT, "T101": DISTRICT, "T101A": STREET_A, "T101B": STREET_B, "T102": {}}
# encounters and escorts per local day; every other day of March is zero
DAILY = {
    "2025-03-01": (1, 1),
    "2025-03-05": (2, 0),
    "2025-03-12": (1, 1),
    "2025-03-15": (2, 0),
    "2025-03-20": (1, 0),
    "2025-03-25": (1, 1),
    "2025-03-31": (1, 0),
}


def add_streets(session: Session) -> None:
    for code, bounds in STREETS.items():
        jurisdictions.create(
            session=session,
            code=code,
            name=f"街道{code[-1]}",
            level=JurisdictionLevel.street,
            parent_code="T101",
            boundary=box(*bounds),
        )
    session.commit()


class Recorder:
    """Records the month through the API as the officers and the dispatcher would."""

    def __init__(self, http, session: Session, people: dict) -> None:
        self.http, self.session, self.people = http, session, people

    def post(self, who: str, url: str, body: dict, **params) -> dict:
        response = self.http.post(url, json=body, params=params, headers=self.people[who].headers)
        assert response.status_code in (200, 201), f"{url}: {response.text}"
        return response.json()

    def shift(self, who: str, team, start: datetime, end: datetime, checkins=()) -> None:
        shift = self.post(
            who,
            "/api/v1/patrols",
            {"id": str(uuid.uuid4()), "team_id": str(team.id), "started_at": start.isoformat()},
        )
        for hotspot, at in checkins:
            self.post(
                who,
                f"/api/v1/patrols/{shift['id']}/checkins",
                {"id": str(uuid.uuid4()), "hotspot_id": str(hotspot.id), "at": at.isoformat()},
            )
        self.post(who, f"/api/v1/patrols/{shift['id']}/end", {"ended_at": end.isoformat()})

    def encounter(self, who: str, at: datetime, place, **fields) -> dict:
        body = {
            "id": str(uuid.uuid4()),
            "occurred_at": at.isoformat(),
            "place": {"lon": place[0], "lat": place[1]},
            "match_hotspot": False,
            "age_band": "40_59",
            "sex": "male",
            "civil_capacity": "full",
            "outcome": "resolved_on_site",
            **fields,
        }
        return self.post(who, "/api/v1/encounters", body)

    def hand_over(self, officer: str, receiver: str, encounter: dict) -> str:
        handover_id = self.session.scalar(
            sa.text("SELECT id FROM handovers WHERE encounter_id = :e"), {"e": encounter["id"]}
        )
        url = f"/api/v1/handovers/{handover_id}"
        self.post(receiver, f"{url}/accepted", {})
        self.post(officer, f"{url}/arrived", {})
        code = self.post(officer, f"{url}/code", {})["code"]
        self.post(receiver, f"{url}/handed-over", {"receiver_name": "周红", "code": code})
        return handover_id

    def backdate_handover(
        self, encounter: dict, requested: datetime, deadline: datetime, signed=None
    ) -> None:
        params = {"e": encounter["id"], "r": requested, "d": deadline, "s": signed}
        self.session.execute(
            sa.text(
                "UPDATE handovers SET created_at = :r, deadline_at = :d, handed_over_at = :s"
                " WHERE encounter_id = :e"
            ),
            params,
        )
        self.session.execute(
            sa.text(
                "UPDATE handover_steps SET at = :r FROM handovers h WHERE h.id = handover_steps.handover_id"
                " AND h.encounter_id = :e AND handover_steps.to_state = 'requested'"
            ),
            params,
        )


def build(session: Session, http) -> dict:
    make_city(session)
    add_streets(session)
    station = make_organisation(session, OrganisationKind.rescue_station, "T100", capacity=80)
    hospital = make_organisation(session, OrganisationKind.hospital, "T101", capacity=300)
    people = {
        "officer_a": make_user(session, Role.officer, "T101A"),
        "officer_b": make_user(session, Role.officer, "T101B"),
        "officer_f": make_user(session, Role.officer, "X200"),
        "station_staff": make_user(session, Role.station_staff, "T100", organisation_id=station.id),
        "dispatcher": make_user(session, Role.dispatcher, "T100"),
    }
    teams = {
        "a": make_team(session, "T101A", people["officer_a"]),
        "b": make_team(session, "T101B", people["officer_b"]),
        "f": make_team(session, "X200", people["officer_f"]),
    }
    hotspots = {
        "h1": make_hotspot(session, 120.01, 30.05, risk_level="high"),
        "h2": make_hotspot(session, 120.03, 30.15, risk_level="low"),
        "h3": make_hotspot(session, 120.07, 30.05, risk_level="medium"),
        "h4": make_hotspot(session, 120.06, 30.18, risk_level="low"),
        "h6": make_hotspot(session, 120.09, 30.15, risk_level="critical"),
        "h5": make_hotspot(session, IN_FOREIGN[0] - 0.05, IN_FOREIGN[1] - 0.05, risk_level="low"),
    }
    session.execute(sa.text("UPDATE hotspots SET created_at = :t"), {"t": local(1, 1, 0)})
    session.execute(  # retired before the month began: not counted, and no sweep task
        sa.text("UPDATE hotspots SET retired_at = :t WHERE id = :id"),
        {"t": local(2, 15, 0), "id": hotspots["h4"].id},
    )
    session.commit()
    record = Recorder(http, session, people)
    # a cold sweep over the district: checks due by 16:00 (6 hours after the start)
    record.post(
        "dispatcher",
        "/api/v1/sweeps",
        {
            "kind": "cold",
            "jurisdiction": "T101",
            "starts_at": local(3, 20, 10).isoformat(),
            "ends_at": local(3, 21, 10).isoformat(),
        },
    )
    _patrol(record, teams, hotspots)
    _meet(record, station, hospital)
    _leads(session)
    session.commit()
    return people


def _leads(session: Session) -> None:
    """Tips taken in on given days (through the service, which takes the clock as an argument);
    arrivals, closing and missed deadlines are then set as the teams' answers would."""
    from api.leads import service
    from api.leads.models import Lead, Source, Urgency

    def take(at: datetime, where: tuple[float, float], code: str, urgent: bool = False) -> Lead:
        lead, _ = service.create(
            session,
            service.Intake(
                source=Source.hotline,
                description="有人露宿",
                jurisdiction=jurisdictions.get_by_code(session=session, code=code),
                point=Point(*where),
                urgency=Urgency.urgent if urgent else Urgency.normal,
            ),
            now=at,
        )
        return lead

    def answered(lead: Lead, **values) -> None:
        session.execute(sa.update(Lead).where(Lead.id == lead.id).values(**values))

    # street A: two tips, a duplicate of the first, and one after a spring night (on the scene
    # after 20 and 40 minutes: median 30)
    first = take(local(3, 12, 10), IN_A, "T101A")
    take(local(3, 12, 10, 30), (IN_A[0] + 0.0005, IN_A[1]), "T101A")
    answered(
        first,
        arrived_at=local(3, 12, 10, 20),
        status="closed",
        closed_at=local(3, 12, 11),
        outcome="not_found",
    )
    later = take(local(3, 30, 23), (IN_A[0], IN_A[1] + 0.05), "T101A")
    answered(later, arrived_at=local(3, 30, 23, 40), status="arrived")
    # street B: an urgent tip reached after 90 minutes, past its deadline
    urgent = take(local(3, 25, 6), IN_B, "T101B", urgent=True)
    answered(urgent, arrived_at=local(3, 25, 7, 30), status="arrived", deadline_missed_at=local(3, 25, 6, 20))
    # outside the month (1 April, local time) and abroad: not in March's district figures
    take(local(4, 1, 0, 30), (IN_A[0], IN_A[1] - 0.05), "T101A")
    take(local(3, 15, 12), (IN_FOREIGN[0], IN_FOREIGN[1]), "X200")


def _patrol(record: Recorder, teams: dict, h: dict) -> None:
    # street A: 3 shifts started in March, 20 h, plus 2 h of a shift started on 28 February
    record.shift("officer_a", teams["a"], local(2, 28, 22), local(3, 1, 2))
    record.shift("officer_a", teams["a"], local(3, 10, 8), local(3, 10, 12), [(h["h1"], local(3, 10, 9))])
    record.shift(
        "officer_a",
        teams["a"],
        local(3, 20, 10),
        local(3, 20, 22),
        [(h["h1"], local(3, 20, 12)), (h["h2"], local(3, 20, 20))],  # sweep: on time, late
    )
    record.shift("officer_a", teams["a"], local(3, 28, 9), local(3, 28, 13), [(h["h2"], local(3, 28, 12))])
    # street B: one shift over the month's last midnight (2 h in March), one in April
    record.shift("officer_b", teams["b"], local(3, 31, 22), local(4, 1, 1))
    record.shift("officer_b", teams["b"], local(4, 2, 9), local(4, 2, 10), [(h["h6"], local(4, 2, 9, 30))])
    record.shift("officer_f", teams["f"], local(3, 15, 10), local(3, 15, 14), [(h["h5"], local(3, 15, 11))])


def _meet(record: Recorder, station, hospital) -> None:
    refusal = {"outcome": "refused_help", "told_station_contact": True, "persuasion_note": "告知热线，仍拒绝"}
    a, b = "officer_a", "officer_b"
    e1 = record.encounter(
        a,
        local(3, 1, 0, 10),  # 28 February in UTC, 1 March in Shanghai
        IN_A,
        age_band="60_plus",
        categories=["elderly"],
        outcome="escorted_to_station",
        consent_recorded=True,
        destination_organisation_id=station.id,
    )
    e2 = record.encounter(
        a, local(3, 5, 10), IN_A, age_band="60_plus", categories=["elderly", "disabled"], **refusal
    )
    record.encounter(
        a, local(3, 5, 14), IN_A, age_band="60_plus", categories=["elderly"], revisit_id=e2["revisit_task_id"]
    )
    e4 = record.encounter(
        a,
        local(3, 12, 9),
        IN_A,
        categories=["critically_ill"],
        outcome="escorted_to_hospital",
        destination_organisation_id=hospital.id,
    )
    record.encounter(
        a,
        local(3, 31, 23, 30),
        IN_A,
        categories=["with_minor"],
        outcome="police_referral",
        critical="minor_in_danger",
    )
    record.encounter(a, local(4, 1, 0, 30), IN_A)  # 31 March in UTC, April in Shanghai
    record.encounter(
        b,
        local(3, 15, 20),
        IN_B,
        categories=["intoxicated"],
        outcome="emergency_services_called",
        critical="danger_of_death",
    )
    record.encounter(b, local(3, 15, 21), IN_B, **refusal)  # an able adult: no revisit
    record.encounter(b, local(3, 20, 11), IN_B, age_band="60_plus", categories=["elderly"], **refusal)
    e11 = record.encounter(
        b,
        local(3, 25, 18),
        IN_B,
        categories=["disabled"],
        outcome="escorted_to_station",
        consent_recorded=True,
        destination_organisation_id=station.id,
    )
    record.encounter(b, local(2, 28, 23), IN_B, outcome="no_contact")  # February in Shanghai
    record.encounter("officer_f", local(3, 10, 10), IN_FOREIGN, categories=["elderly"], outcome="no_contact")
    record.hand_over(a, "station_staff", e1)
    record.hand_over(b, "station_staff", e11)
    record.backdate_handover(e1, local(3, 1, 0, 20), local(3, 1, 2, 20), signed=local(3, 1, 1, 5))
    record.backdate_handover(e4, local(3, 12, 9, 5), local(3, 12, 10, 5))  # never signed: overdue
    record.backdate_handover(e11, local(3, 25, 18, 10), local(3, 25, 20, 10), signed=local(3, 25, 20, 25))
