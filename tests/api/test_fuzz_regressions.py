"""Answers the whole-API fuzz run (tests/api/test_fuzz_api.py) found wrong, pinned down."""

from api.auth.models import Role
from api.main import app
from tests.factories import IN_WEST, make_user

PLACE = {"lon": IN_WEST[0], "lat": IN_WEST[1]}


def test_an_organisation_id_beyond_the_column_is_a_422_not_a_500(client, dispatcher):
    answer = client.get("/api/v1/organisations/101772897505", headers=dispatcher.headers)
    assert answer.status_code == 422


def test_a_method_a_literal_path_lacks_is_405_not_an_id_parsing_error(client, dispatcher):
    for path in ("/api/v1/routes/plan", "/api/v1/handovers/discharges"):
        answer = client.get(path, headers=dispatcher.headers)
        assert answer.status_code == 405, path


def test_times_given_as_numbers_are_refused(client, session, city):
    officer = make_user(session, Role.officer, "T101")
    incident = {
        "id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "kind": "danger_of_death",
        "occurred_at": 0,
        "place": PLACE,
        "description": "桥洞内发现一名老人意识模糊",
    }
    answer = client.post("/api/v1/incidents", json=incident, headers=officer.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "occurred_at"]


def test_lead_flags_given_as_numbers_are_refused(client, session, city):
    hotline = make_user(session, Role.hotline_operator, "T100")
    lead = {"description": "桥洞下有一位老人，衣服单薄", "place": PLACE, "minor_involved": 0}
    staff = client.post("/api/v1/leads", json=lead, headers=hotline.headers)
    assert staff.status_code == 422 and staff.json()["errors"][0]["loc"] == ["body", "minor_involved"]
    public = client.post("/api/v1/public/leads", json={**lead, "urgent": 1, "minor_involved": False})
    assert public.status_code == 422 and public.json()["errors"][0]["loc"] == ["body", "urgent"]


def test_an_unknown_jurisdiction_for_a_landmark_is_a_documented_404(client, session, city):
    admin = make_user(session, Role.admin, "T100")
    landmark = {"name": "人民广场", "jurisdiction": "330102", "place": PLACE}
    assert client.post("/api/v1/landmarks", json=landmark, headers=admin.headers).status_code == 404
    assert "404" in app.openapi()["paths"]["/api/v1/landmarks"]["post"]["responses"]


def test_a_body_that_is_not_json_is_a_documented_400(client, session, city):
    admin = make_user(session, Role.admin, "T100")
    url = f"/api/v1/users/{admin.user.id}/password"
    headers = {**admin.headers, "Content-Type": "application/json"}
    assert client.put(url, content=b"\xff", headers=headers).status_code == 400
    with_bodies = [
        op
        for ops in app.openapi()["paths"].values()
        for op in ops.values()
        if "application/json" in op.get("requestBody", {}).get("content", {})
    ]
    assert with_bodies and all("400" in op["responses"] for op in with_bodies)
