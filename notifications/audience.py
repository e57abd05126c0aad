"""Who a notification is for, expanded to user ids at the moment it is sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from api.auth.models import Role, User
from api.jurisdictions.models import Jurisdiction


@dataclass(frozen=True)
class Audience:
    """Users named one by one, plus users of some roles in an organisation or jurisdiction.

    ``responsible_for`` reaches users whose scope covers the jurisdiction (that office and the
    ones above it: supervisors, the bureau); ``within`` reaches users in it and below it (the
    officers of a district).
    """

    user_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    roles: frozenset[Role] = field(default_factory=frozenset)
    organisation_id: int | None = None
    responsible_for: str | None = None  # jurisdiction code
    within: str | None = None  # jurisdiction code

    @classmethod
    def users(cls, ids: Iterable[uuid.UUID]) -> Audience:
        return cls(user_ids=frozenset(ids))

    @classmethod
    def organisation(cls, organisation_id: int, *roles: Role) -> Audience:
        return cls(organisation_id=organisation_id, roles=frozenset(roles))

    @classmethod
    def responsible(cls, jurisdiction_code: str, *roles: Role) -> Audience:
        return cls(responsible_for=jurisdiction_code, roles=frozenset(roles))

    @classmethod
    def in_jurisdiction(cls, jurisdiction_code: str, *roles: Role) -> Audience:
        return cls(within=jurisdiction_code, roles=frozenset(roles))


def _group_condition(audience: Audience):
    """Condition on (users u, jurisdictions j) for the role-based part, or None."""
    if audience.organisation_id is None and audience.responsible_for is None and audience.within is None:
        return None
    conditions = [User.is_active.is_(True)]
    if audience.roles:
        conditions.append(User.role.in_([r.value for r in audience.roles]))
    if audience.organisation_id is not None:
        conditions.append(User.organisation_id == audience.organisation_id)
    target = (
        sa.select(Jurisdiction.path)
        .where(Jurisdiction.code == (audience.responsible_for or audience.within))
        .scalar_subquery()
    )
    if audience.responsible_for is not None:
        conditions.append(Jurisdiction.path.op("@>", is_comparison=True)(target))
    if audience.within is not None:
        conditions.append(Jurisdiction.path.descendant_of(target))
    return sa.and_(*conditions)


def users_query(audience: Audience) -> sa.Select:
    """SELECT user id, user's jurisdiction id for everyone in the audience (each user once)."""
    parts = []
    if audience.user_ids:
        parts.append(User.id.in_(list(audience.user_ids)) & User.is_active.is_(True))
    group = _group_condition(audience)
    if group is not None:
        parts.append(group)
    if not parts:
        return sa.select(User.id, User.jurisdiction_id).where(sa.false())
    return (
        sa.select(User.id, User.jurisdiction_id)
        .join(Jurisdiction, Jurisdiction.id == User.jurisdiction_id)
        .where(sa.or_(*parts))
        .distinct()
    )


def resolve(session: Session, audience: Audience) -> list[uuid.UUID]:
    return [row.id for row in session.execute(users_query(audience))]
