"""Sweep jobs run by ``patrol worker``."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from api.db import get_engine
from api.sweeps import forecasts, service
from notifications.queue import PATROL_QUEUE, app


@app.task(name="sweep_deadline", queue=PATROL_QUEUE)
def sweep_deadline(sweep_id: str, deadline: str) -> None:
    with Session(get_engine()) as session:
        service.check_deadline(session, uuid.UUID(sweep_id), datetime.fromisoformat(deadline))
        session.commit()


@app.periodic(cron="7 * * * *")
@app.task(name="poll_forecasts", queue=PATROL_QUEUE)
def poll_forecasts(timestamp: int) -> None:
    with Session(get_engine()) as session:
        forecasts.poll(session)
        session.commit()
