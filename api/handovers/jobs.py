"""Handover jobs run by ``patrol worker``."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from api.db import get_engine
from api.handovers import service
from notifications.queue import PATROL_QUEUE, app


@app.task(name="handover_deadline", queue=PATROL_QUEUE)
def handover_deadline(handover_id: str, deadline: str) -> None:
    with Session(get_engine()) as session:
        service.check_deadline(session, uuid.UUID(handover_id), datetime.fromisoformat(deadline))
        session.commit()
