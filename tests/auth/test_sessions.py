"""Login sessions: logout, password changes, refresh-token reuse and administrators end them at
once, not when the access token would have expired."""

import pytest

from api.auth.models import Role
from tests.auth.conftest import bearer, login
from tests.factories import make_user


def me(client, tokens):
    return client.get("/api/v1/auth/me", headers=bearer(tokens)).status_code


def refresh(client, tokens):
    return client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})


def test_logout_ends_the_access_token_at_once(client, officer):
    tokens = login(client, officer.user.username, officer.password).json()
    other = login(client, officer.user.username, officer.password).json()
    assert me(client, tokens) == 200
    assert client.post("/api/v1/auth/logout", headers=bearer(tokens)).status_code == 204
    gone = client.get("/api/v1/auth/me", headers=bearer(tokens))
    assert gone.status_code == 401 and "log in again" in gone.json()["detail"]
    assert refresh(client, tokens).status_code == 401
    assert me(client, other) == 200  # another device's login goes on


def test_password_change_ends_every_other_login(client, officer):
    here = login(client, officer.user.username, officer.password).json()
    elsewhere = login(client, officer.user.username, officer.password).json()
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": officer.password, "new_password": "a-new-and-long-one-7"},
        headers=bearer(here),
    )
    assert changed.status_code == 204, changed.text
    assert me(client, here) == 200
    assert me(client, elsewhere) == 401 and refresh(client, elsewhere).status_code == 401
    assert login(client, officer.user.username, officer.password).status_code == 401
    assert login(client, officer.user.username, "a-new-and-long-one-7").status_code == 200


@pytest.mark.parametrize(
    ("current", "new", "status", "kind"),
    [
        ("wrong-password-1", "a-new-and-long-one-7", 403, "wrong-password"),
        (None, "short-1", 422, "weak-password"),
        (None, "13812345678", 422, "weak-password"),
        (None, "abababababab", 422, "weak-password"),
        (None, None, 422, "invalid-input"),
    ],
)
def test_password_change_wants_the_current_password_and_a_strong_new_one(
    client, officer, current, new, status, kind
):
    tokens = login(client, officer.user.username, officer.password).json()
    response = client.post(
        "/api/v1/auth/password",
        json={"current_password": current or officer.password, "new_password": new or officer.password},
        headers=bearer(tokens),
    )
    assert response.status_code == status, response.text
    assert response.json()["type"] == f"/problems/{kind}"
    assert login(client, officer.user.username, officer.password).status_code == 200


def test_refresh_token_reuse_ends_the_whole_login(client, officer):
    first = login(client, officer.user.username, officer.password).json()
    second = refresh(client, first)
    assert second.status_code == 200
    second = second.json()
    assert me(client, second) == 200
    reused = refresh(client, first)  # a stolen copy of the first refresh token, used late
    assert reused.status_code == 401
    assert reused.json()["type"] == "/problems/refresh-token-reused"
    assert me(client, second) == 401  # the thief's (or the owner's) newer tokens die with it
    assert refresh(client, second).status_code == 401


def test_an_administrator_disabling_a_user_ends_their_logins(client, session, officer):
    admin = make_user(session, Role.admin, "T100")
    tokens = login(client, officer.user.username, officer.password).json()
    path = f"/api/v1/users/{officer.user.id}"
    assert client.post(f"{path}/disable", headers=admin.headers).status_code == 204
    assert me(client, tokens) == 401 and refresh(client, tokens).status_code == 401
    assert login(client, officer.user.username, officer.password).status_code == 401
    assert client.post(f"{path}/enable", headers=admin.headers).status_code == 204
    assert me(client, tokens) == 401  # enabling does not bring old logins back
    assert login(client, officer.user.username, officer.password).status_code == 200


def test_an_administrator_resetting_a_password_ends_their_logins(client, session, officer):
    admin = make_user(session, Role.admin, "T100")
    tokens = login(client, officer.user.username, officer.password).json()
    reset = client.put(
        f"/api/v1/users/{officer.user.id}/password",
        json={"new_password": "temporary-Pass-4821"},
        headers=admin.headers,
    )
    assert reset.status_code == 204, reset.text
    assert me(client, tokens) == 401
    assert login(client, officer.user.username, "temporary-Pass-4821").status_code == 200


def test_administrators_manage_only_their_jurisdiction(client, session, officer):
    foreign_admin = make_user(session, Role.admin, "X200")
    dispatcher = make_user(session, Role.dispatcher, "T100")
    path = f"/api/v1/users/{officer.user.id}/disable"
    assert client.post(path, headers=foreign_admin.headers).status_code == 404
    assert client.post(path, headers=dispatcher.headers).status_code == 403
    assert (
        client.post(f"/api/v1/users/{foreign_admin.user.id}/disable", headers=foreign_admin.headers).json()[
            "type"
        ]
        == "/problems/own-account"
    )
    assert login(client, officer.user.username, officer.password).status_code == 200


def test_the_command_line_resets_and_disables_accounts(client, officer, run_patrol):
    tokens = login(client, officer.user.username, officer.password).json()
    weak = run_patrol("users", "reset-password", officer.user.username, env={"PATROL_PASSWORD": "123"})
    assert weak.returncode == 1 and "at least 10 characters" in weak.stdout
    reset = run_patrol(
        "users", "reset-password", officer.user.username, env={"PATROL_PASSWORD": "from-the-cli-2027"}
    )
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert "logins ended" in reset.stdout
    assert me(client, tokens) == 401
    assert login(client, officer.user.username, "from-the-cli-2027").status_code == 200
    assert run_patrol("users", "disable", officer.user.username).returncode == 0
    assert login(client, officer.user.username, "from-the-cli-2027").status_code == 401
