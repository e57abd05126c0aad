"""Each role's allowed and forbidden calls on every hotspot route."""

import pytest

from api.auth.models import Role
from api.hotspots.routes import EDITORS, READERS
from tests.factories import IN_WEST, make_user, point_feature

URL = "/api/v1/hotspots"


@pytest.fixture
def existing(client, dispatcher):
    return client.post(URL, json=point_feature(*IN_WEST), headers=dispatcher.headers).json()["id"]


def calls(hotspot_id):
    return {
        "list": ("GET", URL, None, READERS),
        "get": ("GET", f"{URL}/{hotspot_id}", None, READERS),
        "history": ("GET", f"{URL}/{hotspot_id}/history", None, READERS),
        "export": ("GET", f"{URL}/export", None, READERS),
        "create": ("POST", URL, point_feature(*IN_WEST), EDITORS),
        "update": ("PATCH", f"{URL}/{hotspot_id}", {"properties": {"notes": "checked"}}, EDITORS),
        "retire": ("POST", f"{URL}/{hotspot_id}/retire", {"reason": "closed"}, EDITORS),
        "import": (
            "POST",
            f"{URL}/import",
            {"type": "FeatureCollection", "features": [point_feature(*IN_WEST)]},
            EDITORS,
        ),
    }


@pytest.mark.parametrize(
    "route", ["list", "get", "history", "export", "create", "update", "retire", "import"]
)
@pytest.mark.parametrize("role", list(Role))
def test_role_matrix(client, session, existing, count_rows, route, role):
    method, url, body, allowed = calls(existing)[route]
    account = make_user(session, role, "T100")
    before = (count_rows("hotspots"), count_rows("hotspot_revisions"))
    response = client.request(method, url, json=body, headers=account.headers)
    if role in allowed:
        assert response.status_code in (200, 201), response.text
    else:
        assert response.status_code == 403, response.text
        assert f"role {role.value} may not do this" in response.json()["detail"]
        assert (count_rows("hotspots"), count_rows("hotspot_revisions")) == before


def test_hospital_staff_cannot_read_hotspots_and_officers_cannot_edit():
    assert Role.hospital_staff not in READERS
    assert Role.officer in READERS and Role.officer not in EDITORS
