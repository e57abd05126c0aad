import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import select

from api.auth.models import LoginSession, Role, User
from api.auth.security import create_access_token
from api.settings import get_settings
from tests.factories import make_city, make_user


@pytest.fixture
def officer(session):
    make_city(session)
    return make_user(session, Role.officer, "T101")


def login(client, username, password):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_password_login_returns_a_working_token_pair(client, officer):
    response = login(client, officer.user.username, officer.password)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == officer.user.username
    assert me.json()["jurisdiction_code"] == "T101"


@pytest.mark.parametrize("who", ["wrong-password", "unknown-user"])
def test_bad_credentials_get_the_same_401(client, officer, who):
    username = officer.user.username if who == "wrong-password" else "nobody"
    response = login(client, username, "not-the-password")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "wrong username or password"


def test_refresh_rotates_and_the_old_refresh_token_dies(client, officer):
    first = login(client, officer.user.username, officer.password).json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401


def test_logout_revokes_the_refresh_token(client, officer):
    tokens = login(client, officer.user.username, officer.password).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (
        client.post(
            "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=headers
        ).status_code
        == 204
    )
    assert (
        client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code
        == 401
    )


def test_expired_token_is_refused(client, session, officer):
    login_session = session.scalars(select(LoginSession).where(LoginSession.user_id == officer.user.id)).one()
    token, _ = create_access_token(
        officer.user.id, "officer", login_session.id, now=datetime.now(UTC) - timedelta(hours=1)
    )
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer not-a-jwt",
        "Bearer "
        + jwt.encode(
            {"sub": str(uuid.uuid4()), "typ": "access", "iat": 0, "exp": 9999999999},
            "some-other-key-that-is-long-enough-for-hs256",
            algorithm="HS256",
        ),
    ],
)
def test_missing_or_forged_tokens_are_refused(client, officer, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/hotspots", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_token_of_a_user_that_no_longer_exists(client, officer):
    claims = {
        "sub": str(uuid.uuid4()),
        "typ": "access",
        "iat": datetime.now(UTC),
        "exp": datetime.now(UTC) + timedelta(minutes=5),
    }
    token = jwt.encode(claims, get_settings().secret_key.get_secret_value(), algorithm="HS256")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_disabled_account_is_locked_out_at_once(client, session, officer):
    user = session.get(User, officer.user.id)
    user.is_active = False
    session.commit()
    assert client.get("/api/v1/auth/me", headers=officer.headers).status_code == 401
    assert login(client, officer.user.username, officer.password).status_code == 401


def test_passwords_are_stored_as_argon2id(session, officer):
    stored = session.get(User, officer.user.id).password_hash
    assert stored.startswith("$argon2id$") and officer.password not in stored


def test_cli_creates_a_user_that_can_log_in(client, session, run_patrol):
    make_city(session)
    result = run_patrol(
        "users",
        "create",
        "--username",
        "cli.dispatcher",
        "--role",
        "dispatcher",
        "--jurisdiction",
        "T102",
        env={"PATROL_PASSWORD": "from-the-env-1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert login(client, "cli.dispatcher", "from-the-env-1").status_code == 200
    duplicate = run_patrol(
        "users",
        "create",
        "--username",
        "cli.dispatcher",
        "--role",
        "dispatcher",
        "--jurisdiction",
        "T102",
        env={"PATROL_PASSWORD": "from-the-env-1"},
    )
    assert duplicate.returncode == 1 and "is taken" in duplicate.stdout
    unknown = run_patrol(
        "users",
        "create",
        "--username",
        "x",
        "--role",
        "officer",
        "--jurisdiction",
        "NOPE",
        env={"PATROL_PASSWORD": "from-the-env-1"},
    )
    assert unknown.returncode == 1 and "unknown jurisdiction" in unknown.stdout
