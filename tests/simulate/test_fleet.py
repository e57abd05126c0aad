"""A small fleet of virtual phones against the real server: what the phones meant to store is
exactly what the server holds, with faults on purpose and without."""

from collections import Counter

from sqlalchemy import text

from api.simulate.scenario import OUTCOMES

FAST = ["--officers", "4", "--minutes", "10", "--speed", "50"]
# Offers need teams live on the map: at 50x the replay leaves ~1.4 s of real time between a
# team's last upload and its position going stale, which a loaded two-core CI machine can miss.
LIVE = ["--officers", "4", "--minutes", "10", "--speed", "20"]


def rows(session, sql: str, **params) -> list:
    session.rollback()  # see what the server committed since
    return session.execute(text(sql), params).all()


def expected_closures(ledger) -> dict:
    """How each lead the phones closed must stand, (outcome, encounters): its own or, for a linked
    duplicate, its primary's (duplicates close with the lead they joined)."""
    own = {
        i: (lead["outcome"], lead["encounter_ids"]) for i, lead in ledger.leads.items() if "outcome" in lead
    }
    linked = {
        i: own[lead["duplicate_of"]] for i, lead in ledger.leads.items() if lead.get("duplicate_of") in own
    }
    return {**own, **linked}


def closures(session) -> dict:
    found = rows(session, "SELECT id::text, outcome, encounter_ids FROM leads WHERE status = 'closed'")
    return {i: (outcome, [str(e) for e in encounters]) for i, outcome, encounters in found}


def test_with_every_fault_on_the_server_holds_exactly_what_the_phones_meant(run_fleet, session):
    run = run_fleet(*FAST, "--faults", "all", "--fault-rate", "0.15", "--refresh-after", "3", "--seed", "7")
    summary, ledger = run.summary, run.ledger
    assert run.returncode == 0 and summary["ok"], (
        summary["errors"],
        summary["server_errors"],
        run.stderr[-2000:],
    )
    faults = summary["faults"]
    assert faults["dropped_after_commit"] > 10 and faults["duplicated"] > 10 and faults["skewed_phones"] > 0
    assert summary["points"]["duplicates"] > 0, "answers lost after commit were retried with the same ids"
    assert summary["auth"]["refreshes"] > 0

    points = rows(session, "SELECT id::text, shift_id::text, count(*) OVER (PARTITION BY id) FROM gps_points")
    assert all(copies == 1 for _, _, copies in points), "every point stored once"
    assert {p: s for p, s, _ in points} == ledger.points, "every point the phones recorded, nothing else"

    shifts = dict(rows(session, "SELECT id::text, ended_at IS NOT NULL FROM shifts"))
    assert shifts == {shift_id: True for shift_id in ledger.shifts}

    checkins = rows(session, "SELECT id::text, hotspot_id::text FROM hotspot_visits WHERE source = 'checkin'")
    assert dict(checkins) == ledger.checkins

    encounters = dict(rows(session, "SELECT id::text, outcome FROM encounters"))
    assert encounters == {i: e["outcome"] for i, e in ledger.encounters.items()}
    people = [p for (p,) in rows(session, "SELECT id::text FROM people")]
    assert sorted(people) == sorted(ledger.people) and len(set(people)) == len(people)

    handovers = rows(session, "SELECT id::text, kind, state, encounter_id::text FROM handovers")
    assert {h: (k, s, e) for h, k, s, e in handovers} == {
        h: (v["kind"], v["state"], v["encounter_id"]) for h, v in ledger.handovers.items()
    }

    reported = rows(session, "SELECT id::text FROM leads WHERE created_by IS NOT NULL")
    assert {i for (i,) in reported} == set(ledger.leads)
    assert closures(session) == expected_closures(ledger)

    done = {t for (t,) in rows(session, "SELECT id::text FROM sweep_tasks WHERE status = 'done'")}
    assert set(ledger.sweep_tasks_done) <= done
    acknowledged = {
        n for (n,) in rows(session, "SELECT id::text FROM notifications WHERE acknowledged_at IS NOT NULL")
    }
    assert set(ledger.acknowledged) <= acknowledged
    assert Counter(ledger.acknowledged).most_common(1)[0][1] == 1, "each item acknowledged once"


def test_without_faults_every_outcome_and_every_flow_happens(run_fleet, session):
    run = run_fleet(*LIVE, "--seed", "11")
    summary, ledger = run.summary, run.ledger
    assert run.returncode == 0 and summary["ok"], (summary["errors"], run.stderr[-2000:])
    assert not any(status.startswith("5") for by in summary["requests"].values() for status in by)
    assert summary["faults"]["dropped_after_commit"] == summary["faults"]["duplicated"] == 0

    assert set(ledger.outcomes()) == set(OUTCOMES), ledger.outcomes()
    referrals = rows(session, "SELECT encounter_id::text FROM police_referrals")
    assert {e for (e,) in referrals} >= {
        i for i, e in ledger.encounters.items() if "with_minor" in e["categories"]
    }
    assert summary["encounters"]["police_referrals"] >= 1

    signed = rows(
        session,
        "SELECT kind, receiver_name, record_sha256 FROM handovers "
        "WHERE state = 'closed' AND record_pdf IS NOT NULL",
    )
    assert {kind for kind, *_ in signed} >= {"to_station"}, "an escort handed over with the code and closed"
    assert all(name and digest for _, name, digest in signed)
    assert {h["kind"] for h in ledger.handovers.values()} >= {"to_station", "to_hospital", "police_referral"}

    closed = closures(session)
    assert closed, "a lead reported on the hotline was taken and closed by a team"
    assert closed == expected_closures(ledger)
    assert summary["leads"].get("accepted", 0) >= 1, "a lead offered to the nearest live team was accepted"
    assert summary["leads"].get("assigned_by_dispatcher", 0) >= 1, (
        "one no team was offered was placed by hand"
    )

    assert ledger.sweep_tasks_done, "the sweep's tasks were checked and reported"
    findings = rows(
        session,
        "SELECT count(*) FROM sweep_tasks WHERE id = ANY(:ids) AND done_by IS NOT NULL",
        ids=ledger.sweep_tasks_done,
    )
    assert findings[0][0] == len(set(ledger.sweep_tasks_done))
    positions = rows(session, "SELECT count(*) FROM live_positions")
    assert positions[0][0] == 0, "ended shifts leave nobody on the map"
