"""Each rule of the work with a passing and a failing case; the 422 names the rule."""

import pytest

from tests.encounters.conftest import encounter

URL = "/api/v1/encounters"

REFUSAL = {"outcome": "refused_help", "told_station_contact": True, "persuasion_note": "劝导并告知热线"}
CASES = {
    "escort-needs-consent": (
        lambda f: encounter(outcome="escorted_to_station", destination_organisation_id=f["station"].id),
        {"consent_recorded": True},
    ),
    "escort-needs-destination": (
        lambda f: encounter(outcome="escorted_to_station", consent_recorded=True),
        None,  # passing: add the destination, below
    ),
    "refusal-needs-station-contact": (
        lambda f: encounter(**{**REFUSAL, "told_station_contact": False}),
        {"told_station_contact": True},
    ),
    "refusal-needs-persuasion-note": (
        lambda f: encounter(**{**REFUSAL, "persuasion_note": "  "}),
        {"persuasion_note": "劝说其去救助站，拒绝"},
    ),
    "minor-cannot-be-left": (
        lambda f: encounter(age_band="14_17", **REFUSAL),
        {"outcome": "police_referral"},
    ),
    "medical-needs-outcome-or-reason": (
        lambda f: encounter(categories=["intoxicated"]),
        {"no_medical_reason": "已清醒，可自行行走，由家属接回"},
    ),
}


@pytest.mark.parametrize("rule", list(CASES))
def test_each_rule_fails_then_passes(client, field, count_rows, rule):
    make, fix = CASES[rule]
    body = make(field)
    failing = client.post(URL, json=body, headers=field["officer"].headers)
    assert failing.status_code == 422, failing.text
    problem = failing.json()
    assert problem["type"] == "/problems/rule-broken"
    assert f"rule:{rule}" in [e["type"] for e in problem["errors"]]
    assert rule in problem["detail"]
    assert count_rows("encounters") == 0
    fix = fix or {"destination_organisation_id": field["station"].id}
    passing = client.post(URL, json={**body, **fix}, headers=field["officer"].headers)
    assert passing.status_code == 201, passing.text


def test_a_drunk_person_may_go_straight_to_hospital_without_consent(client, field):
    body = encounter(
        categories=["intoxicated"],
        outcome="escorted_to_hospital",
        destination_organisation_id=field["hospital"].id,
    )
    assert client.post(URL, json=body, headers=field["officer"].headers).status_code == 201


def test_a_minor_is_never_resolved_on_site(client, field):
    body = encounter(categories=["minor"], age_band="unknown")
    response = client.post(URL, json=body, headers=field["officer"].headers)
    assert response.status_code == 422 and "minor-cannot-be-left" in response.json()["detail"]


def test_several_broken_rules_are_named_together(client, field):
    body = encounter(age_band="under_14", categories=["critically_ill"], outcome="refused_help")
    types = {
        e["type"] for e in client.post(URL, json=body, headers=field["officer"].headers).json()["errors"]
    }
    assert types == {
        "rule:refusal-needs-station-contact",
        "rule:refusal-needs-persuasion-note",
        "rule:minor-cannot-be-left",
        "rule:medical-needs-outcome-or-reason",
    }


def test_the_escort_destination_must_be_of_the_right_kind(client, field):
    body = encounter(
        outcome="escorted_to_station", consent_recorded=True, destination_organisation_id=field["hospital"].id
    )
    response = client.post(URL, json=body, headers=field["officer"].headers)
    assert response.status_code == 422 and "is not a rescue_station" in response.json()["detail"]


def test_the_rules_are_published_with_their_messages(client, field):
    rules = client.get(f"{URL}/rules", headers=field["officer"].headers).json()
    assert {r["id"] for r in rules} >= set(CASES) | {"police-referral", "revisit", "critical-incident"}
