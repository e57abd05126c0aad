from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from sqlalchemy import select

from api.auth.deps import ALL_STAFF, Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.errors import forbidden, problems
from api.geojson import DatumQuery, geometry_in, geometry_out
from api.jurisdictions import service
from api.jurisdictions.models import Jurisdiction, JurisdictionLevel
from api.jurisdictions.schemas import (
    JurisdictionCollection,
    JurisdictionCreate,
    JurisdictionFeature,
    JurisdictionProperties,
)
from geo.datum import Datum

router = APIRouter(
    prefix="/jurisdictions",
    tags=["jurisdictions"],
    responses=problems(400, 401, 403, 404, 422),
)


def _feature(jurisdiction: Jurisdiction, codes: dict[int, str], datum: Datum, with_boundary: bool):
    return JurisdictionFeature(
        id=jurisdiction.code,
        geometry=geometry_out(jurisdiction.boundary, datum) if with_boundary else None,
        properties=JurisdictionProperties(
            code=jurisdiction.code,
            name=jurisdiction.name,
            level=jurisdiction.level,
            parent=codes.get(jurisdiction.parent_id) if jurisdiction.parent_id else None,
            timezone=jurisdiction.timezone,
        ),
    )


def _parent_codes(session, jurisdictions) -> dict[int, str]:
    parent_ids = {j.parent_id for j in jurisdictions if j.parent_id}
    if not parent_ids:
        return {}
    rows = session.execute(select(Jurisdiction.id, Jurisdiction.code).where(Jurisdiction.id.in_(parent_ids)))
    return {row.id: row.code for row in rows}


@router.get("", response_model=JurisdictionCollection, operation_id="listJurisdictions")
def list_jurisdictions(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*ALL_STAFF)],
    datum: DatumQuery = Datum.wgs84,
    level: JurisdictionLevel | None = None,
    boundaries: Annotated[bool, Query(description="Include boundary geometries.")] = True,
) -> JurisdictionCollection:
    """The caller's jurisdiction and everything below it."""
    found = service.list_in_scope(session=session, principal=principal, level=level)
    codes = _parent_codes(session, found)
    return JurisdictionCollection(features=[_feature(j, codes, datum, boundaries) for j in found])


@router.get(
    "/{code}",
    response_model=JurisdictionFeature,
    operation_id="getJurisdiction",
)
def get_jurisdiction(
    code: str,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*ALL_STAFF)],
    datum: DatumQuery = Datum.wgs84,
) -> JurisdictionFeature:
    jurisdiction = service.get_in_scope(session=session, principal=principal, code=code)
    return _feature(jurisdiction, _parent_codes(session, [jurisdiction]), datum, True)


@router.post(
    "",
    response_model=JurisdictionFeature,
    status_code=201,
    operation_id="createJurisdiction",
    responses=problems(409),
)
def create_jurisdiction(
    body: Annotated[JurisdictionCreate, Body()],
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.admin)],
    datum: DatumQuery = Datum.wgs84,
) -> JurisdictionFeature:
    """Add a jurisdiction below one in the caller's scope (admins only)."""
    props = body.properties
    if props.parent is None:
        raise forbidden("only the setup command may create a root jurisdiction")
    parent = service.get_in_scope(session=session, principal=principal, code=props.parent)
    boundary = None
    if body.geometry is not None:
        boundary = geometry_in(
            body.geometry, datum=datum, allowed=("Polygon", "MultiPolygon"), loc=["body", "geometry"]
        )
    created = service.create(
        session=session,
        code=props.code,
        name=props.name,
        level=props.level,
        parent_code=parent.code,
        boundary=boundary,
        timezone=props.timezone,
    )
    session.commit()
    return _feature(created, {parent.id: parent.code}, datum, True)
