"""Administrators create accounts over the API, only in their own jurisdiction."""

from api.auth.models import Role
from tests.factories import make_organisation, make_user


def test_admin_creates_an_account_that_can_log_in(client, city, session):
    admin = make_user(session, Role.admin, "T100")
    police = make_organisation(session, jurisdiction="T101")
    body = {
        "username": "officer.new",
        "password": "long-enough-1",
        "role": "officer",
        "jurisdiction": "T101",
        "organisation_id": police.id,
        "display_name": "新警员",
    }
    created = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert created.status_code == 201, created.text
    assert created.json()["jurisdiction_code"] == "T101" and created.json()["organisation_id"] == police.id
    again = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert again.status_code == 409
    login = client.post("/api/v1/auth/token", data={"username": "officer.new", "password": "long-enough-1"})
    assert login.status_code == 200


def test_accounts_stay_inside_the_admins_jurisdiction(client, city, session):
    west_admin = make_user(session, Role.admin, "T101")
    east_police = make_organisation(session, jurisdiction="T102")
    body = {"username": "someone", "password": "long-enough-1", "role": "officer", "jurisdiction": "T102"}
    assert client.post("/api/v1/users", json=body, headers=west_admin.headers).status_code == 404
    foreign_org = {**body, "jurisdiction": "T101", "organisation_id": east_police.id}
    assert client.post("/api/v1/users", json=foreign_org, headers=west_admin.headers).status_code == 404
    dispatcher = make_user(session, Role.dispatcher, "T100")
    assert client.post("/api/v1/users", json=body, headers=dispatcher.headers).status_code == 403
