"""Supplies carried by teams and kept by stations: counted down by what is handed out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from api.auth.models import Role
from api.jurisdictions.models import Jurisdiction
from api.sweeps.models import SupplyStock
from api.teams.models import Team
from notifications import service as notifications
from notifications.audience import Audience
from notifications.models import Priority


def set_stock(
    session: Session,
    *,
    team_id: uuid.UUID | None,
    organisation_id: int | None,
    jurisdiction_id: int,
    kind: str,
    quantity: int,
    low_at: int,
) -> SupplyStock:
    holder = SupplyStock.team_id == team_id if team_id else SupplyStock.organisation_id == organisation_id
    stock = session.scalar(sa.select(SupplyStock).where(holder, SupplyStock.kind == kind).with_for_update())
    if stock is None:
        stock = SupplyStock(
            team_id=team_id, organisation_id=organisation_id, jurisdiction_id=jurisdiction_id, kind=kind
        )
        session.add(stock)
    stock.quantity, stock.low_at, stock.updated_at = quantity, low_at, datetime.now(UTC)
    session.flush()
    return stock


def consume(session: Session, *, team_id: uuid.UUID | None, handed_out: dict[str, int]) -> list[SupplyStock]:
    """Take what a team handed out off its stock; warn the dispatchers when a kind runs low.

    Kinds the team has no stock record for are not tracked and are left alone."""
    if team_id is None or not handed_out:
        return []
    low = []
    for kind, count in handed_out.items():
        stock = session.scalar(
            sa.select(SupplyStock)
            .where(SupplyStock.team_id == team_id, SupplyStock.kind == kind)
            .with_for_update()
        )
        if stock is None or count <= 0:
            continue
        was_above = stock.quantity > stock.low_at
        stock.quantity = max(0, stock.quantity - count)
        stock.updated_at = datetime.now(UTC)
        if was_above and stock.quantity <= stock.low_at:
            low.append(stock)
    session.flush()
    if low:
        team = session.get(Team, team_id)
        code = session.get(Jurisdiction, team.jurisdiction_id).code
        listing = "、".join(f"{s.kind} 剩 {s.quantity}" for s in low)
        notifications.notify(
            session,
            audience=Audience.responsible(code, Role.dispatcher),
            kind="supplies.low",
            title=f"{team.call_sign} 物资不足",
            body=listing,
            priority=Priority.high,
            payload={"team_id": str(team_id), "kinds": ",".join(s.kind for s in low)},
        )
    return low
