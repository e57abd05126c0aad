from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.auth.deps import ALL_STAFF, Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.errors import problems
from api.geojson import DatumQuery, geometry_in, geometry_out
from api.jurisdictions import service as jurisdictions
from api.organisations import service
from api.organisations.models import Organisation, OrganisationKind
from api.organisations.schemas import (
    OrganisationCollection,
    OrganisationCreate,
    OrganisationFeature,
    OrganisationPublicProperties,
)
from geo.datum import Datum

router = APIRouter(
    prefix="/organisations",
    tags=["organisations"],
    responses=problems(400, 401, 403, 404, 422),
)


def _feature(organisation: Organisation, jurisdiction_code: str, datum: Datum) -> OrganisationFeature:
    return OrganisationFeature(
        id=organisation.id,
        geometry=geometry_out(organisation.location, datum),
        properties=OrganisationPublicProperties(
            id=organisation.id,
            name=organisation.name,
            kind=organisation.kind,
            jurisdiction=jurisdiction_code,
            address=organisation.address,
            phone=organisation.phone,
            hotline=organisation.hotline,
            opening_hours=organisation.opening_hours,
            capacity=organisation.capacity,
        ),
    )


@router.get("", response_model=OrganisationCollection, operation_id="listOrganisations")
def list_organisations(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*ALL_STAFF)],
    datum: DatumQuery = Datum.wgs84,
    kind: OrganisationKind | None = None,
) -> OrganisationCollection:
    rows = service.list_in_scope(session=session, principal=principal, kind=kind)
    return OrganisationCollection(features=[_feature(o, code, datum) for o, code in rows])


@router.get(
    "/{organisation_id}",
    response_model=OrganisationFeature,
    operation_id="getOrganisation",
)
def get_organisation(
    organisation_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    session: SessionDep,
    principal: Annotated[Principal, Allow(*ALL_STAFF)],
    datum: DatumQuery = Datum.wgs84,
) -> OrganisationFeature:
    organisation, code = service.get_in_scope(
        session=session, principal=principal, organisation_id=organisation_id
    )
    return _feature(organisation, code, datum)


@router.post("", response_model=OrganisationFeature, status_code=201, operation_id="createOrganisation")
def create_organisation(
    body: OrganisationCreate,
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.admin)],
    datum: DatumQuery = Datum.wgs84,
) -> OrganisationFeature:
    jurisdiction = jurisdictions.get_in_scope(
        session=session, principal=principal, code=body.properties.jurisdiction
    )
    location = geometry_in(body.geometry, datum=datum, allowed=("Point",), loc=["body", "geometry"])
    organisation = service.create(
        session=session, props=body.properties, location=location, jurisdiction=jurisdiction
    )
    session.commit()
    return _feature(organisation, jurisdiction.code, datum)
