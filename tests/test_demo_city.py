"""The demo city is complete, loads once, and its accounts are the ones the README lists."""

from pathlib import Path

from sqlalchemy import text

from api.auth.models import Role
from api.demo import city, load
from api.hotspots.models import HotspotKind
from api.jurisdictions.models import JurisdictionLevel
from api.organisations.models import OrganisationKind

README = Path(__file__).resolve().parents[1] / "README.md"


def counts(session, sql):
    return dict(session.execute(text(sql)).all())


def test_demo_city_loads_once_with_every_kind_of_record(session, client):
    assert load.load(session) is True
    assert load.load(session) is False, "a second load changes nothing"
    levels = counts(session, "SELECT level, count(*) FROM jurisdictions GROUP BY level")
    assert levels[JurisdictionLevel.district] >= 3
    assert {lvl.value for lvl in JurisdictionLevel} <= set(levels)
    kinds = counts(session, "SELECT kind, count(*) FROM hotspots GROUP BY kind")
    assert sum(kinds.values()) >= 40 and set(kinds) == {k.value for k in HotspotKind}
    orgs = counts(session, "SELECT kind, count(*) FROM organisations GROUP BY kind")
    assert orgs[OrganisationKind.rescue_station] >= 1 and orgs[OrganisationKind.hospital] >= 3
    assert orgs[OrganisationKind.police_station] >= 1 and orgs[OrganisationKind.city_management] >= 1
    roles = counts(session, "SELECT role, count(*) FROM users GROUP BY role")
    assert set(roles) == {r.value for r in Role}
    assert roles[Role.officer] >= 12, "two officers for each of six patrol teams"
    assert counts(session, "SELECT 'teams', count(*) FROM teams")["teams"] == 6
    placed = counts(session, "SELECT coalesce(place_source, 'none'), count(*) FROM leads GROUP BY 1")
    assert placed == {"reported": 1, "gazetteer": 1, "none": 1}, "one lead of each kind for the console"
    members = session.execute(
        text(
            "SELECT t.call_sign, array_agg(o.kind ORDER BY o.kind) FROM teams t "
            "JOIN team_members m ON m.team_id = t.id JOIN users u ON u.id = m.user_id "
            "JOIN organisations o ON o.id = u.organisation_id GROUP BY 1"
        )
    ).all()
    assert all(kinds == ["city_management", "police_station"] for _, kinds in members), "joint patrols"
    stops = counts(session, "SELECT route_id, count(*) FROM route_stops GROUP BY 1")
    assert (
        len(stops) == 6
        and sum(stops.values()) == session.execute(text("SELECT count(*) FROM hotspots")).scalar()
    )
    outside = session.execute(
        text(
            "SELECT count(*) FROM hotspots h JOIN jurisdictions j ON j.code = '990100' "
            "WHERE NOT ST_Covers(j.boundary, h.geom)"
        )
    ).scalar_one()
    assert outside == 0

    for user in city.USERS:
        response = client.post(
            "/api/v1/auth/token", data={"username": user.username, "password": user.password}
        )
        assert response.status_code == 200, user.username


def test_readme_lists_every_demo_account():
    readme = README.read_text(encoding="utf-8")
    for user in city.USERS:
        if user.role is not Role.officer:
            assert f"`{user.username}`" in readme and user.password in readme, user.username
    assert city.OFFICER_PASSWORD in readme and "`officer01`" in readme and "`officer12`" in readme
