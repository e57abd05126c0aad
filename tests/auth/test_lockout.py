"""Failed logins lock a username and an address out for the rest of the window."""

import logging
import time

import pytest

from tests.auth.conftest import login

WINDOW_S = 60


def start_of_a_window(window_s: int, room_s: float) -> None:
    """Wait, if need be, so that ``room_s`` seconds remain in the current window."""
    left = window_s - time.time() % window_s
    if left < room_s:
        time.sleep(left + 0.05)


@pytest.fixture
def limits(monkeypatch, settings):
    monkeypatch.setattr(settings, "login_window_s", WINDOW_S)
    monkeypatch.setattr(settings, "login_failures_per_username", 3)
    monkeypatch.setattr(settings, "login_failures_per_address", 100)
    start_of_a_window(WINDOW_S, room_s=15)
    return settings


def fail(client, username, times):
    return [login(client, username, "not-the-password").status_code for _ in range(times)]


@pytest.mark.parametrize("who", ["existing", "unknown"])
def test_a_username_is_locked_after_its_failures_whether_or_not_it_exists(client, officer, limits, who):
    username = officer.user.username if who == "existing" else "nobody.here"
    assert fail(client, username, 3) == [401, 401, 401]
    locked = login(client, username, "not-the-password")
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert locked.json()["type"] == "/problems/login-locked"
    assert locked.json()["detail"].startswith("too many failed logins for this username or from this address")
    assert 0 < int(locked.headers["retry-after"]) <= WINDOW_S


def test_the_locked_answer_does_not_tell_accounts_apart(client, officer, limits):
    fail(client, officer.user.username, 3)
    fail(client, "nobody.here", 3)
    real = login(client, officer.user.username, "x")
    unknown = login(client, "nobody.here", "x")
    assert real.status_code == unknown.status_code == 429
    assert real.json() | {"detail": None} == unknown.json() | {"detail": None}
    assert set(real.headers) - {"date"} == set(unknown.headers) - {"date"}


def test_the_right_password_is_refused_during_the_lock_and_other_users_go_on(
    client, session, officer, limits
):
    from api.auth.models import Role
    from tests.factories import make_user

    colleague = make_user(session, Role.officer, "T101")
    fail(client, officer.user.username, 3)
    assert login(client, officer.user.username, officer.password).status_code == 429
    assert login(client, officer.user.username.upper(), officer.password).status_code == 429
    assert login(client, colleague.user.username, colleague.password).status_code == 200


def test_an_address_is_locked_after_failures_on_many_usernames(client, officer, monkeypatch, settings):
    monkeypatch.setattr(settings, "login_window_s", WINDOW_S)
    monkeypatch.setattr(settings, "login_failures_per_username", 100)
    monkeypatch.setattr(settings, "login_failures_per_address", 4)
    start_of_a_window(WINDOW_S, room_s=15)
    assert [login(client, f"guess{n}", "123456").status_code for n in range(4)] == [401] * 4
    refused = login(client, officer.user.username, officer.password)
    assert refused.status_code == 429 and "retry-after" in refused.headers


def test_a_success_clears_the_username_count(client, officer, limits):
    fail(client, officer.user.username, 2)
    assert login(client, officer.user.username, officer.password).status_code == 200
    assert fail(client, officer.user.username, 2) == [401, 401]
    assert login(client, officer.user.username, officer.password).status_code == 200


def test_the_lock_ends_with_its_window(client, officer, monkeypatch, settings):
    window = 3
    monkeypatch.setattr(settings, "login_window_s", window)
    monkeypatch.setattr(settings, "login_failures_per_username", 2)
    start_of_a_window(window, room_s=2.5)
    fail(client, officer.user.username, 2)
    locked = login(client, officer.user.username, officer.password)
    assert locked.status_code == 429
    wait = int(locked.headers["retry-after"])
    assert 1 <= wait <= window
    time.sleep(wait + 0.1)
    assert login(client, officer.user.username, officer.password).status_code == 200


def test_failures_are_logged_without_the_password(client, officer, limits, caplog):
    with caplog.at_level(logging.WARNING, logger="api.auth.lockout"):
        fail(client, officer.user.username, 1)
    messages = [r.getMessage() for r in caplog.records if r.name == "api.auth.lockout"]
    assert any(officer.user.username in m and "127.0.0.1" in m for m in messages), messages
    assert not any("not-the-password" in m for m in messages)
