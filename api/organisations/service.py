from __future__ import annotations

from collections.abc import Sequence

from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlmodel import Session

from api.auth.deps import Principal
from api.errors import invalid, not_found
from api.geojson import to_db
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.organisations.models import KINDS_WITH_CAPACITY, Organisation, OrganisationKind
from api.organisations.schemas import OrganisationProperties


def create(
    *, session: Session, props: OrganisationProperties, location: BaseGeometry, jurisdiction: Jurisdiction
) -> Organisation:
    if props.kind in KINDS_WITH_CAPACITY and props.capacity is None:
        raise invalid(f"a {props.kind} needs its capacity", loc=["body", "properties", "capacity"])
    organisation = Organisation(
        name=props.name,
        kind=props.kind.value,
        jurisdiction_id=jurisdiction.id,
        location=to_db(location),
        address=props.address,
        phone=props.phone,
        hotline=props.hotline,
        opening_hours=props.opening_hours,
        capacity=props.capacity,
    )
    session.add(organisation)
    session.flush()
    return organisation


def list_in_scope(
    *, session: Session, principal: Principal, kind: OrganisationKind | None
) -> Sequence[tuple[Organisation, str]]:
    """Organisations in the caller's jurisdiction subtree, with their jurisdiction codes."""
    query = (
        select(Organisation, Jurisdiction.code)
        .join(Jurisdiction, Jurisdiction.id == Organisation.jurisdiction_id)
        .where(Organisation.jurisdiction_id.in_(jurisdictions.scope_ids(principal)))
    )
    if kind is not None:
        query = query.where(Organisation.kind == kind.value)
    return session.execute(query.order_by(Organisation.id)).all()


def get_in_scope(*, session: Session, principal: Principal, organisation_id: int) -> tuple[Organisation, str]:
    row = session.execute(
        select(Organisation, Jurisdiction.code)
        .join(Jurisdiction, Jurisdiction.id == Organisation.jurisdiction_id)
        .where(
            Organisation.id == organisation_id,
            Organisation.jurisdiction_id.in_(jurisdictions.scope_ids(principal)),
        )
    ).first()
    if row is None:
        raise not_found(f"organisation {organisation_id}")
    return row
