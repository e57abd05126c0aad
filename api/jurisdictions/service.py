"""Jurisdictions and the scoping rule: a user sees their jurisdiction and everything below it."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from geoalchemy2 import functions as gf
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Select, func, select
from sqlmodel import Session

from api.auth.deps import Principal
from api.errors import ProblemError, forbidden, invalid, not_found
from api.geojson import to_db
from api.jurisdictions.models import Jurisdiction, JurisdictionLevel


def is_within(path: str, scope_path: str) -> bool:
    """True when ``path`` is ``scope_path`` or lies below it (the empty path covers all)."""
    return not scope_path or path == scope_path or path.startswith(scope_path + ".")


def scope_ids(principal: Principal) -> Select:
    """Ids of the jurisdictions the caller may see (their own and every one below it)."""
    return select(Jurisdiction.id).where(Jurisdiction.path.descendant_of(principal.jurisdiction_path))


def id_in_scope(session: Session, principal: Principal, jurisdiction_id: int) -> bool:
    """Whether a record of this jurisdiction is the caller's to see: one primary-key lookup,
    not a read of every jurisdiction in the caller's scope."""
    jurisdiction = session.get(Jurisdiction, jurisdiction_id)
    return jurisdiction is not None and is_within(jurisdiction.path, principal.jurisdiction_path)


def in_scope(column, principal: Principal):
    """``column`` (a jurisdiction id) lies in the caller's scope.

    Written as ``= ANY(ARRAY(subquery))`` so the planner computes the scope once and keeps it a
    filter: a nearest-first (KNN) index scan can then still drive the query.
    """
    return column == sa.any_(sa.func.array(scope_ids(principal).scalar_subquery()))


def get_by_code(*, session: Session, code: str) -> Jurisdiction | None:
    return session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def get_in_scope(*, session: Session, principal: Principal, code: str) -> Jurisdiction:
    """The jurisdiction with this code if the caller may see it; 404 otherwise (no existence leak)."""
    jurisdiction = get_by_code(session=session, code=code)
    if jurisdiction is None or not is_within(jurisdiction.path, principal.jurisdiction_path):
        raise not_found(f"jurisdiction {code!r}")
    return jurisdiction


def require_writable(*, principal: Principal, jurisdiction: Jurisdiction) -> None:
    if not is_within(jurisdiction.path, principal.jurisdiction_path):
        raise forbidden(
            f"jurisdiction {jurisdiction.code} is outside your jurisdiction {principal.jurisdiction_code}"
        )


def deepest_covering(*, session: Session, point_wgs84: BaseGeometry) -> Jurisdiction | None:
    """The most specific jurisdiction whose boundary covers the point (boundaries included)."""
    return session.scalar(
        select(Jurisdiction)
        .where(gf.ST_Covers(Jurisdiction.boundary, to_db(point_wgs84)))
        .order_by(func.nlevel(Jurisdiction.path).desc(), Jurisdiction.code)  # shared edge: lower code
        .limit(1)
    )


def list_in_scope(
    *, session: Session, principal: Principal, level: JurisdictionLevel | None
) -> Sequence[Jurisdiction]:
    query = select(Jurisdiction).where(Jurisdiction.id.in_(scope_ids(principal)))
    if level is not None:
        query = query.where(Jurisdiction.level == level.value)
    return session.scalars(query.order_by(Jurisdiction.path)).all()


def as_multipolygon(geometry: BaseGeometry | None) -> MultiPolygon | None:
    if geometry is None or isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    raise invalid("a boundary must be a Polygon or MultiPolygon", loc=["body", "geometry"])


def create(
    *,
    session: Session,
    code: str,
    name: str,
    level: JurisdictionLevel,
    parent_code: str | None,
    boundary: BaseGeometry | None,
    timezone: str | None = None,
) -> Jurisdiction:
    """Add a jurisdiction below its parent; the level must be deeper than the parent's."""
    if get_by_code(session=session, code=code) is not None:
        raise ProblemError(409, f"jurisdiction code {code!r} exists", kind="duplicate")
    parent = None
    if parent_code is not None:
        parent = get_by_code(session=session, code=parent_code)
        if parent is None:
            raise invalid(f"unknown parent jurisdiction {parent_code!r}", loc=["body", "parent"])
        if JurisdictionLevel(parent.level).depth >= level.depth:
            raise invalid(f"a {level} cannot sit below a {parent.level}", loc=["body", "level"])
    jurisdiction = Jurisdiction(
        code=code,
        name=name,
        level=level.value,
        parent_id=parent.id if parent else None,
        path=f"{parent.path}.{code}" if parent else code,
        timezone=timezone or (parent.timezone if parent else "Asia/Shanghai"),
        boundary=to_db(multi) if (multi := as_multipolygon(boundary)) is not None else None,
    )
    session.add(jurisdiction)
    session.flush()
    return jurisdiction
