"""Sweep start for a city of 5,000 hotspots and 300 teams on duty: from the CAP alert's arrival
to every task assigned and every team's inbox row written (one transaction), against COPY of
the same task rows in the same run."""

from __future__ import annotations

import uuid

import numpy as np
from rich.console import Console
from sqlalchemy import text
from sqlmodel import Session

from api.auth.deps import system_principal
from api.db import get_engine
from api.sweeps import service
from tests.bench.common import Report, make_officers_on_duty, scratch_jurisdiction, stopwatch
from tests.sweeps.cap_samples import alert, polygon_area

RING = [(100.0, 20.0), (100.5, 20.0), (100.5, 20.5), (100.0, 20.5), (100.0, 20.0)]


def _city(session: Session, code: str, hotspots: int, teams: int, rng) -> None:
    lon, lat = 100.0 + rng.random(hotspots) * 0.5, 20.0 + rng.random(hotspots) * 0.5
    session.execute(
        text("""
        INSERT INTO hotspots (id, name, kind, risk_level, jurisdiction_id, geom, radius_m, version)
        SELECT gen_random_uuid(), 'h' || n, 'other', (ARRAY['low','medium','high','critical'])[1 + n % 4],
               (SELECT id FROM jurisdictions WHERE code = :c), ST_SetSRID(ST_MakePoint(x, y), 4326), 60, 1
        FROM unnest(CAST(:lon AS float8[]), CAST(:lat AS float8[])) WITH ORDINALITY AS h(x, y, n)"""),
        {"c": code, "lon": lon.tolist(), "lat": lat.tolist()},
    )
    session.commit()
    make_officers_on_duty(session, code, teams)
    session.execute(
        text("""
        INSERT INTO live_positions (user_id, shift_id, team_id, jurisdiction_id, geom, recorded_at,
                                    received_at, accuracy_m)
        SELECT m.user_id, s.id, s.team_id, s.jurisdiction_id,
               ST_SetSRID(ST_MakePoint(100 + random() * 0.5, 20 + random() * 0.5), 4326), now(), now(), 8
        FROM shifts s JOIN team_members m ON m.team_id = s.team_id
        WHERE s.jurisdiction_id = (SELECT id FROM jurisdictions WHERE code = :c)"""),
        {"c": code},
    )
    session.execute(text("ANALYZE hotspots; ANALYZE live_positions"))
    session.commit()


def _copy_tasks(session: Session, code: str) -> float:
    hotspot_ids = (
        session.execute(
            text(
                "SELECT id FROM hotspots "
                "WHERE jurisdiction_id = (SELECT id FROM jurisdictions WHERE code = :c)"
            ),
            {"c": code},
        )
        .scalars()
        .all()
    )
    sweep_id = session.scalar(
        text("SELECT id FROM sweeps WHERE jurisdiction_id = (SELECT id FROM jurisdictions WHERE code = :c)"),
        {"c": code},
    )
    raw = session.connection().connection.driver_connection
    session.execute(text("DELETE FROM sweep_tasks WHERE sweep_id = :s"), {"s": sweep_id})
    with (
        stopwatch() as elapsed,
        raw.cursor() as cursor,
        cursor.copy("COPY sweep_tasks (id, sweep_id, hotspot_id) FROM STDIN") as copy,
    ):
        for hotspot_id in hotspot_ids:
            copy.write_row((uuid.uuid4(), sweep_id, hotspot_id))
    session.rollback()
    return elapsed[0]


def run(quick: bool, console: Console) -> Report:
    hotspots, teams = (500, 30) if quick else (5000, 300)
    report = Report("sweep")
    with Session(get_engine()) as session, scratch_jurisdiction(session) as code:
        _city(session, code, hotspots, teams, np.random.default_rng(5))
        document = alert(f"BENCH-{uuid.uuid4()}", area=polygon_area(RING))
        with stopwatch() as elapsed:
            _, sweep, _ = service.receive_alert(session, principal=system_principal(), document=document)
            session.commit()
        tasks, assigned = session.execute(
            text("SELECT count(*), count(team_id) FROM sweep_tasks WHERE sweep_id = :s"), {"s": sweep.id}
        ).one()
        inbox = session.scalar(
            text(
                "SELECT count(*) FROM notifications WHERE kind = 'sweep.tasks' AND payload->>'sweep_id' = :s"
            ),
            {"s": str(sweep.id)},
        )
        copy_s = _copy_tasks(session, code)
        session.execute(
            text("DELETE FROM notifications WHERE payload->>'sweep_id' = :s"), {"s": str(sweep.id)}
        )
        session.execute(text("DELETE FROM events WHERE payload->>'sweep_id' = :s"), {"s": str(sweep.id)})
        session.execute(
            text("UPDATE weather_alerts SET sweep_id = NULL WHERE sweep_id = :s"), {"s": sweep.id}
        )
        session.execute(text("DELETE FROM weather_alerts WHERE identifier LIKE 'BENCH-%'"))
        session.execute(text("DELETE FROM sweep_tasks WHERE sweep_id = :s"), {"s": sweep.id})
        session.execute(
            text(
                "DELETE FROM procrastinate_jobs WHERE task_name = 'sweep_deadline' AND args->>'sweep_id' = :s"
            ),
            {"s": str(sweep.id)},
        )
        session.execute(text("DELETE FROM sweeps WHERE id = :s"), {"s": sweep.id})
        session.commit()

    report.add("hotspots in the alert area", "hotspots", hotspots)
    report.add("teams on duty", "teams", teams)
    report.add("tasks created", "tasks", int(tasks))
    report.add("tasks assigned", "assigned", int(assigned))
    report.add("team inbox rows", "inbox_rows", int(inbox))
    report.add("alert in -> tasks assigned and inboxes written", "start_s", elapsed[0], "s")
    report.add("baseline: COPY of the same task rows", "copy_s", copy_s, "s")
    report.add("sweep start / COPY", "ratio_vs_copy", elapsed[0] / copy_s)
    return report
