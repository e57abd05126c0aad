"""Who may read the summary, over which jurisdictions, and what bad input gets."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from shapely.geometry import box

from api.auth.models import Role
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import JurisdictionLevel
from api.settings import get_settings
from tests.factories import make_user
from tests.reports.scenario import add_streets

URL = "/api/v1/reports/summary"
CHART = f"{URL}/chart.png"
MONTH = {"from": "2025-03-01", "to": "2025-03-31"}
PROBLEM = "application/problem+json"


@pytest.fixture
def streets(session, city):
    add_streets(session)


@pytest.mark.parametrize(
    "role", [Role.officer, Role.station_staff, Role.hospital_staff, Role.hotline_operator]
)
def test_field_roles_are_refused(client, session, streets, role):
    account = make_user(session, role, "T100")
    for path in (URL, CHART):
        response = client.get(path, params={"jurisdiction": "T100", **MONTH}, headers=account.headers)
        assert response.status_code == 403, path
        assert (
            response.headers["content-type"] == PROBLEM and f"role {role.value}" in response.json()["detail"]
        )


def test_a_login_is_needed(client, streets):
    response = client.get(URL, params={"jurisdiction": "T100", **MONTH})
    assert response.status_code == 401 and response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("role", [Role.supervisor, Role.dispatcher, Role.admin])
def test_command_roles_read_their_own_subtree_only(client, session, streets, role):
    account = make_user(session, role, "T101")
    mine = client.get(URL, params={"jurisdiction": "T101", **MONTH}, headers=account.headers)
    assert mine.status_code == 200, mine.text
    assert [row["code"] for row in mine.json()["rows"]] == ["T101", "T101A", "T101B"]
    street = client.get(CHART, params={"jurisdiction": "T101A", **MONTH}, headers=account.headers)
    assert street.status_code == 200 and street.headers["content-type"] == "image/png"
    for outside in ("T100", "T102", "X200"):
        for path in (URL, CHART):
            response = client.get(path, params={"jurisdiction": outside, **MONTH}, headers=account.headers)
            assert response.status_code == 404, (outside, path)
            assert response.headers["content-type"] == PROBLEM
            assert response.json()["detail"] == f"jurisdiction {outside!r} not found", "no existence leak"


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"from": "2025-03-31", "to": "2025-03-01"}, 422, "from (2025-03-31) is after to (2025-03-01)"),
        ({"from": "2024-01-01", "to": "2025-02-04"}, 422, "spans 401 days; at most 400"),
        ({"from": "2025-02-30", "to": "2025-03-31"}, 422, "query.from"),
        ({"from": "0001-01-01", "to": "0001-01-01"}, 422, "beyond the dates a report can cover"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, 422, "beyond the dates a report can cover"),
        ({"from": "yesterday", "to": "2025-03-31"}, 422, "query.from"),
        ({"to": "2025-03-31"}, 422, "query.from"),
        ({**MONTH, "format": "pdf"}, 422, "query.format"),
        ({**MONTH, "levels": 9}, 422, "query.levels"),
        ({**MONTH, "jurisdiction": "T1 00"}, 422, "query.jurisdiction"),
        ({**MONTH, "jurisdiction": "T999"}, 404, "jurisdiction 'T999' not found"),
    ],
)
def test_bad_input_is_a_clear_problem(client, dispatcher, params, status, detail):
    paths = (URL,) if {"format", "levels"} & params.keys() else (URL, CHART)  # the chart has neither
    for path in paths:
        response = client.get(path, params={"jurisdiction": "T100", **params}, headers=dispatcher.headers)
        assert response.status_code == status, (path, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert detail in response.json()["detail"], response.json()


def test_four_hundred_days_are_reported(client, dispatcher):
    response = client.get(
        URL,
        params={"jurisdiction": "T100", "from": "2024-01-01", "to": "2025-02-03"},
        headers=dispatcher.headers,
    )
    assert response.status_code == 200 and len(response.json()["daily"]) == 400


def test_days_are_the_jurisdictions_own(client, session, city):
    """An encounter at 20:00 UTC on 1 March is on 1 March in London and on 2 March in Shanghai."""
    jurisdictions.create(
        session=session,
        code="Z300",
        name="伦敦测试",
        level=JurisdictionLevel.city,
        parent_code=None,
        boundary=box(-0.2, 51.4, 0.0, 51.6),
        timezone="Europe/London",
    )
    session.commit()
    officer, admin = make_user(session, Role.officer, "Z300"), make_user(session, Role.admin, "Z300")
    encounter = {
        "id": str(uuid.uuid4()),
        "occurred_at": "2025-03-01T20:00:00Z",
        "place": {"lon": -0.1, "lat": 51.5},
        "age_band": "40_59",
        "outcome": "no_contact",
    }
    assert client.post("/api/v1/encounters", json=encounter, headers=officer.headers).status_code == 201

    def first_of_march() -> dict:
        params = {"jurisdiction": "Z300", "from": "2025-03-01", "to": "2025-03-01"}
        return client.get(URL, params=params, headers=admin.headers).json()

    london = first_of_march()
    assert (london["timezone"], london["as_of"]) == ("Europe/London", "2025-03-02T00:00:00Z")
    assert london["rows"][0]["figures"]["encounters"]["total"] == 1
    session.execute(sa.text("UPDATE jurisdictions SET timezone = 'Nowhere/Atlantis' WHERE code = 'Z300'"))
    session.commit()
    unknown_zone = first_of_march()
    assert unknown_zone["timezone"] == "Asia/Shanghai", "the configured default"
    assert unknown_zone["rows"][0]["figures"]["encounters"]["total"] == 0


def test_without_the_chinese_font_the_chart_is_refused_clearly(
    client, dispatcher, monkeypatch, patrol, tmp_path
):
    missing = tmp_path / "no-such-font.ttf"
    monkeypatch.setattr(get_settings(), "pdf_cjk_font_file", missing)
    params = {"jurisdiction": "T100", **MONTH}
    for query in (params, {**params, "format": "xlsx"}):
        path = CHART if "format" not in query else URL
        response = client.get(path, params=query, headers=dispatcher.headers)
        assert response.status_code == 503 and response.headers["content-type"] == PROBLEM
        assert (
            "fonts-droid-fallback" in response.json()["detail"] and str(missing) in response.json()["detail"]
        )
    out = tmp_path / "summary.xlsx"
    done = patrol(
        "report", "summary", "--jurisdiction", "T100", "--from", "2025-03-01", "--to", "2025-03-31",
        "--format", "xlsx", "--out", str(out),
        PATROL_PDF_CJK_FONT_FILE=str(missing),
    )  # fmt: skip
    assert done.returncode == 1 and "fonts-droid-fallback" in done.stdout.decode()
    assert not Path(out).exists()


def test_the_command_line_refuses_bad_input(patrol, city):
    backwards = patrol(
        "report", "summary", "--jurisdiction", "T100", "--from", "2025-03-31", "--to", "2025-03-01"
    )
    assert backwards.returncode == 1 and "is after" in backwards.stdout.decode()
    unknown = patrol(
        "report", "summary", "--jurisdiction", "T999", "--from", "2025-03-01", "--to", "2025-03-31"
    )
    assert unknown.returncode == 1 and "jurisdiction 'T999' not found" in unknown.stdout.decode()
    malformed = patrol(
        "report", "summary", "--jurisdiction", "T100", "--from", "2025-3-x", "--to", "2025-03-31"
    )
    assert malformed.returncode == 2 and "--from" in malformed.stderr.decode()
    wrong_format = patrol(
        "report",
        "summary",
        "--jurisdiction",
        "T100",
        "--from",
        "2025-03-01",
        "--to",
        "2025-03-01",
        "--format",
        "pdf",
    )
    assert wrong_format.returncode == 2 and "'pdf' is not one of" in wrong_format.stderr.decode()
