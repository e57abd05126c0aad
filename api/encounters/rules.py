"""The rules of the work, as the server enforces them (see DOMAIN.md, "Rules of the work").

Each rule has a stable id and one message; the phone shows the same messages before saving
(GET /api/v1/encounters/rules), and a 422 names the rule ids that failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api.encounters.models import (
    ADULT_BANDS,
    ESCORTS,
    MEDICAL,
    MEDICAL_OUTCOMES,
    MINOR_BANDS,
    Capacity,
    Category,
    Outcome,
)
from api.encounters.schemas import EncounterCreate


@dataclass(frozen=True)
class Rule:
    id: str
    message: str
    field: str
    broken: Callable[[EncounterCreate], bool]


def is_minor(e: EncounterCreate) -> bool:
    return e.age_band in MINOR_BANDS or Category.minor in e.categories


def _has(e: EncounterCreate, *categories: Category) -> bool:
    return any(c in e.categories for c in categories)


def _blank(text: str | None) -> bool:
    return not (text and text.strip())


RULES = [
    Rule(
        "escort-needs-consent",
        "escorting an adult with full civil capacity needs their recorded consent (consent_recorded)",
        "consent_recorded",
        lambda e: (
            e.outcome in ESCORTS
            and e.age_band in ADULT_BANDS
            and e.civil_capacity == Capacity.full
            and not is_minor(e)
            and not e.consent_recorded
            # a person who appears mentally ill, critically ill or drunk may be taken straight to hospital
            and not (e.outcome == Outcome.escorted_to_hospital and _has(e, *MEDICAL))
        ),
    ),
    Rule(
        "escort-needs-destination",
        "an escort names the receiving rescue station or hospital (destination_organisation_id)",
        "destination_organisation_id",
        lambda e: e.outcome in ESCORTS and e.destination_organisation_id is None,
    ),
    Rule(
        "refusal-needs-station-contact",
        "a person who refuses help must be told how to reach the rescue station and its hotline "
        "(told_station_contact)",
        "told_station_contact",
        lambda e: e.outcome == Outcome.refused_help and not e.told_station_contact,
    ),
    Rule(
        "refusal-needs-persuasion-note",
        "a refusal is written down: record what was said to persuade them (persuasion_note)",
        "persuasion_note",
        lambda e: e.outcome == Outcome.refused_help and _blank(e.persuasion_note),
    ),
    Rule(
        "minor-cannot-be-left",
        "a minor cannot be left: the outcome cannot be refused_help or resolved_on_site",
        "outcome",
        lambda e: is_minor(e) and e.outcome in (Outcome.refused_help, Outcome.resolved_on_site),
    ),
    Rule(
        "medical-needs-outcome-or-reason",
        "suspected mental illness, critical illness or intoxication needs emergency services or a "
        "hospital escort, or the reason why not (no_medical_reason)",
        "no_medical_reason",
        lambda e: _has(e, *MEDICAL) and e.outcome not in MEDICAL_OUTCOMES and _blank(e.no_medical_reason),
    ),
]

AUTOMATIC = [
    (
        "police-referral",
        "a minor carried along while begging, or signs of exploitation, always creates a police referral",
    ),
    ("revisit", "a refusal by an elderly, disabled or ill person schedules a revisit for the team"),
    (
        "critical-incident",
        "a person dead or in danger of death, or a minor in danger, alerts the supervisors "
        "and the civil-affairs bureau at once",
    ),
]


def broken_rules(encounter: EncounterCreate) -> list[Rule]:
    return [rule for rule in RULES if rule.broken(encounter)]
