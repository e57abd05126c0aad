import pytest

from api.auth.models import Role
from tests.factories import make_user

URL = "/api/v1/devices"
PHONE = {"token": "fcm-token-abcdefgh", "platform": "android", "app_version": "1.4.2", "locale": "zh-CN"}


def test_register_refresh_list_and_retire(client, session, city):
    officer = make_user(session, Role.officer, "T101")
    first = client.post(URL, json=PHONE, headers=officer.headers)
    assert first.status_code == 201
    refreshed = client.post(URL, json={**PHONE, "app_version": "1.5.0"}, headers=officer.headers)
    assert refreshed.status_code == 200 and refreshed.json()["id"] == first.json()["id"]
    assert refreshed.json()["app_version"] == "1.5.0"
    client.post(
        URL, json={**PHONE, "token": "second-phone-token", "platform": "ios"}, headers=officer.headers
    )
    assert len(client.get(URL, headers=officer.headers).json()) == 2
    assert client.delete(f"{URL}/{first.json()['id']}", headers=officer.headers).status_code == 204
    assert [d["platform"] for d in client.get(URL, headers=officer.headers).json()] == ["ios"]
    assert client.delete(f"{URL}/{first.json()['id']}", headers=officer.headers).status_code == 404


def test_a_phone_handed_to_another_officer_follows_the_new_login(client, session, city):
    first, second = make_user(session, Role.officer, "T101"), make_user(session, Role.officer, "T101")
    device_id = client.post(URL, json=PHONE, headers=first.headers).json()["id"]
    assert client.post(URL, json=PHONE, headers=second.headers).json()["id"] == device_id
    assert client.get(URL, headers=first.headers).json() == []
    assert client.delete(f"{URL}/{device_id}", headers=first.headers).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"platform": "symbian"},
        {"token": "short"},
        {"app_version": "1.0; DROP"},
        {"locale": "中文"},
        {"token": None},
        {"app_version": ""},
    ],
)
def test_bad_registrations_are_refused(client, session, city, change, count_rows):
    officer = make_user(session, Role.officer, "T101")
    assert client.post(URL, json={**PHONE, **change}, headers=officer.headers).status_code == 422
    assert count_rows("devices") == 0


def test_devices_need_a_login(client, city):
    assert client.post(URL, json=PHONE).status_code == 401
