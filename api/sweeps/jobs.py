"""Sweep jobs run by ``patrol worker``."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from api.db import get_engine
from api.sweeps import service
from notifications.queue import PATROL_QUEUE, app


@app.task(name="sweep_deadline", queue=PATROL_QUEUE)
def sweep_deadline(sweep_id: str, deadline: str) -> None:
    with Session(get_engine()) as session:
        service.check_deadline(session, uuid.UUID(sweep_id), datetime.fromisoformat(deadline))
        session.commit()
