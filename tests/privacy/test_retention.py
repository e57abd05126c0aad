"""Retention wipes exactly what is past its period, never what is held or in an open case."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from api.audit import service as audit
from api.audit.models import AuditEntry
from api.auth.models import Role
from api.encounters.models import Encounter
from api.leads.models import Lead, LeadPhoto
from api.patrols.partitions import add_months
from api.people.models import Person
from api.privacy import service
from tests.factories import make_organisation, make_user
from tests.privacy import records
from tests.privacy.records import NOW


@dataclass
class Seeded:
    expired_encounter: object
    kept_encounters: dict
    expired_contact_lead: object
    photo_only_lead: object
    kept_leads: dict
    expired_photo_person: object
    kept_people: dict
    finished_referral: object


@pytest.fixture
def seeded(session, city) -> Seeded:
    officer = make_user(session, Role.officer, "T101").user.id
    station = make_organisation(session).id

    def old_encounter(**kwargs):
        return records.encounter(session, officer, days=400, **kwargs)

    expired = old_encounter()
    kept = {
        "recent": records.encounter(session, officer, days=100),
        "open handover": old_encounter(),
        "open revisit": old_encounter(),
        "open lead": old_encounter(),
        "police referral": old_encounter(),
        "held lead": old_encounter(),
        "referral handed over": None,
    }
    records.handover(session, station, state="in_transit", encounter_id=kept["open handover"].id)
    records.revisit(session, kept["open revisit"])
    records.lead(session, status="accepted", encounter_ids=[kept["open lead"].id], photos=0)
    records.referral(session, kept["police referral"])
    held_lead = records.lead(session, closed_days_ago=400, encounter_ids=[kept["held lead"].id])
    records.hold(session, "lead", held_lead.id)
    # a police referral whose police handover is finished no longer holds its encounter
    done = old_encounter()
    records.referral(session, done)
    records.handover(session, station, state="closed", encounter_id=done.id, kind="police_referral")
    del kept["referral handed over"]

    expired_contact_lead = records.lead(session, closed_days_ago=200, encounter_ids=[expired.id])
    photo_only_lead = records.lead(session, closed_days_ago=60)
    kept_leads = {
        "held": held_lead,
        "recently closed": records.lead(session, closed_days_ago=10),
        "open": records.lead(session, status="new", photos=1),
    }

    expired_photo_person = records.person(session, updated_days_ago=400, photo_ref="photos/a.jpg")
    kept_people = {
        "held": records.person(session, updated_days_ago=400, photo_ref="photos/b.jpg"),
        "open handover": records.person(session, updated_days_ago=400, photo_ref="photos/c.jpg"),
        "seen lately": records.person(session, updated_days_ago=400, photo_ref="photos/d.jpg"),
        "recent": records.person(session, updated_days_ago=30, photo_ref="photos/e.jpg"),
    }
    records.hold(session, "person", kept_people["held"].id)
    records.handover(session, station, state="requested", person_id=kept_people["open handover"].id)
    records.encounter(session, officer, days=20, person_id=kept_people["seen lately"].id)
    return Seeded(
        expired,
        kept,
        expired_contact_lead,
        photo_only_lead,
        kept_leads,
        expired_photo_person,
        kept_people,
        done,
    )


def _notes(session, encounter_id):
    session.expire_all()
    return session.get(Encounter, encounter_id).notes


def _photos(session, lead_id) -> int:
    return session.scalar(sa.select(sa.func.count()).where(LeadPhoto.lead_id == lead_id))


def test_run_wipes_exactly_what_is_past_retention(session, seeded):
    report = service.run(session, now=NOW)
    session.commit()
    counts = {result.kind: result.count for result in report.results}
    assert counts == {
        "gps_partition": 0,
        "encounter_text": 2,  # the expired one and the one whose referral is finished
        "lead_contact": 1,
        "lead_photo": 2,
        "person_photo": 1,
    }
    session.expire_all()
    anonymised = session.get(Encounter, seeded.expired_encounter.id)
    assert (anonymised.notes, anonymised.answer, anonymised.persuasion_note) == (None, None, None)
    assert anonymised.outcome == "refused_help" and anonymised.age_band == "40_59"  # statistics stay
    assert _notes(session, seeded.finished_referral.id) is None
    for why, kept in seeded.kept_encounters.items():
        assert _notes(session, kept.id) == "睡在桥洞东侧", why

    wiped = session.get(Lead, seeded.expired_contact_lead.id)
    assert (wiped.reporter_contact, wiped.reporter_hint, wiped.media_url) == (None, None, None)
    assert wiped.outcome == "helped" and _photos(session, wiped.id) == 0
    photo_only = session.get(Lead, seeded.photo_only_lead.id)
    assert photo_only.reporter_contact == b"encrypted-contact" and _photos(session, photo_only.id) == 0
    for why, kept in seeded.kept_leads.items():
        lead = session.get(Lead, kept.id)
        assert lead.reporter_contact == b"encrypted-contact" and _photos(session, lead.id) == 1, why

    assert session.get(Person, seeded.expired_photo_person.id).photo_ref is None
    for why, kept in seeded.kept_people.items():
        assert session.get(Person, kept.id).photo_ref is not None, why


def test_run_writes_counts_to_the_audit_log_as_the_system(session, seeded):
    report = service.run(session, now=NOW)
    session.commit()
    entries = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    by_kind = {entry.subject_type: entry for entry in entries}
    assert set(by_kind) == {"encounter_text", "lead_contact", "lead_photo", "person_photo"}
    assert by_kind["lead_photo"].action == "retention_delete"
    assert by_kind["lead_photo"].reason.startswith("2 past retention")
    assert by_kind["encounter_text"].action == "retention_anonymise"
    assert by_kind["lead_contact"].fields == ["reporter_contact", "reporter_hint"]
    assert all(e.actor_id is None and e.subject_id == str(report.run_id) for e in entries)
    assert audit.verify(session).intact


def test_dry_run_counts_and_changes_nothing(session, seeded):
    report = service.run(session, now=NOW, dry_run=True)
    session.rollback()
    assert sum(result.count for result in report.results) == 6
    assert _notes(session, seeded.expired_encounter.id) == "睡在桥洞东侧"
    assert session.get(Lead, seeded.expired_contact_lead.id).reporter_hint == "138****0000"
    assert session.get(Person, seeded.expired_photo_person.id).photo_ref == "photos/a.jpg"
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_a_second_run_finds_nothing_left(session, seeded):
    service.run(session, now=NOW)
    session.commit()
    again = service.run(session, now=NOW)
    assert all(result.count == 0 for result in again.results)


def test_gps_partitions_past_retention_are_dropped_and_audited(session, city):
    this_month = NOW.date().replace(day=1)
    too_old, kept = add_months(this_month, -13), add_months(this_month, -11)
    for month in (too_old, kept):
        session.execute(sa.select(sa.func.patrol_gps_partition(month)))
    session.commit()
    dry = service.run(session, now=NOW, dry_run=True)
    assert dry.results[0].names == [f"gps_points_{too_old:%Y_%m}"]
    session.rollback()
    service.run(session, now=NOW)
    session.commit()
    names = set(
        session.scalars(sa.text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'gps_points_%'"))
    )
    assert f"gps_points_{too_old:%Y_%m}" not in names and f"gps_points_{kept:%Y_%m}" in names
    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.subject_type == "gps_partition")).all()
    assert len(entries) == 2  # one per top-level jurisdiction: T100 and X200
    assert all(f"gps_points_{too_old:%Y_%m}" in entry.reason for entry in entries)


def test_command_prints_the_dry_run_then_applies(session, seeded, run_patrol):
    dry = run_patrol("retention", "run", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run" in dry.stdout and "lead_photo" in dry.stdout
    assert _notes(session, seeded.expired_encounter.id) == "睡在桥洞东侧"
    applied = run_patrol("retention", "run")
    assert applied.returncode == 0, applied.stderr
    assert "encounter_text" in applied.stdout
    assert _notes(session, seeded.expired_encounter.id) is None
    assert session.get(Lead, seeded.kept_leads["held"].id).reporter_hint == "138****0000"


def test_the_worker_job_runs_the_same_retention(session, seeded):
    from api.privacy.jobs import retention

    retention(timestamp=0)
    assert _notes(session, seeded.expired_encounter.id) is None
    assert _notes(session, seeded.kept_encounters["open lead"].id) == "睡在桥洞东侧"
