from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query

from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.errors import problems
from api.geojson import DatumQuery, parse_bbox, parse_near
from api.hotspots import service
from api.hotspots.models import HotspotKind, RiskLevel
from api.hotspots.schemas import (
    HotspotCollection,
    HotspotCreate,
    HotspotFeature,
    HotspotImport,
    HotspotPatch,
    HotspotRevisionPublic,
    ImportResult,
    RetireRequest,
)
from api.phone import PHONE
from geo.datum import Datum

READERS = (
    Role.officer,
    Role.dispatcher,
    Role.station_staff,
    Role.supervisor,
    Role.hotline_operator,
    Role.admin,
)
EDITORS = (Role.dispatcher, Role.supervisor, Role.admin)
MAX_PAGE = 1000

router = APIRouter(
    prefix="/hotspots",
    tags=["hotspots"],
    responses=problems(400, 401, 403, 404, 422),
)


def _filters(
    datum: Datum,
    kind,
    risk,
    jurisdiction,
    bbox,
    near,
    radius,
    include_retired,
) -> service.HotspotFilters:
    return service.HotspotFilters(
        kinds=kind or [],
        risks=risk or [],
        jurisdiction_code=jurisdiction,
        bbox=parse_bbox(bbox, datum) if bbox else None,
        near=parse_near(near, datum) if near else None,
        radius_m=radius,
        include_retired=include_retired,
    )


KindQuery = Annotated[list[HotspotKind] | None, Query(description="Repeat to match several kinds.")]
RiskQuery = Annotated[list[RiskLevel] | None, Query(description="Repeat to match several levels.")]
JurisdictionQuery = Annotated[
    str | None, Query(pattern=r"^[A-Za-z0-9_]{1,32}$", description="Only this jurisdiction and below.")
]
BboxQuery = Annotated[
    str | None, Query(description="minlon,minlat,maxlon,maxlat", examples=["118.7,32.0,118.8,32.1"])
]
NearQuery = Annotated[
    str | None,
    Query(
        description="lon,lat: only hotspots within `radius` metres, nearest first.",
        examples=["118.7623,32.0511"],
    ),
]
RadiusQuery = Annotated[float, Query(gt=0, le=50_000, description="Metres around `near`.")]


@router.get("", response_model=HotspotCollection, operation_id="listHotspots", tags=[PHONE])
def list_hotspots(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*READERS)],
    datum: DatumQuery = Datum.wgs84,
    kind: KindQuery = None,
    risk: RiskQuery = None,
    jurisdiction: JurisdictionQuery = None,
    bbox: BboxQuery = None,
    near: NearQuery = None,
    radius: RadiusQuery = 1000.0,
    include_retired: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> HotspotCollection:
    """Hotspots in the caller's jurisdiction, filtered; nearest first when `near` is given."""
    filters = _filters(datum, kind, risk, jurisdiction, bbox, near, radius, include_retired)
    rows, total = service.search(
        session=session, principal=principal, filters=filters, limit=limit, offset=offset
    )
    features = [service.to_feature(h, code, datum, dist) for h, code, dist in rows]
    return HotspotCollection(features=features, numberMatched=total, numberReturned=len(features))


@router.post(
    "",
    response_model=HotspotFeature,
    status_code=201,
    operation_id="createHotspot",
    responses=problems(409),
)
def create_hotspot(
    feature: Annotated[HotspotCreate, Body()],
    session: SessionDep,
    principal: Annotated[Principal, Allow(*EDITORS)],
    datum: DatumQuery = Datum.wgs84,
) -> HotspotFeature:
    hotspot, code = service.create(session=session, principal=principal, feature=feature, datum=datum)
    session.commit()
    return service.to_feature(hotspot, code, datum)


@router.get("/export", response_model=HotspotCollection, operation_id="exportHotspots")
def export_hotspots(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*READERS)],
    datum: DatumQuery = Datum.wgs84,
    jurisdiction: JurisdictionQuery = None,
    include_retired: bool = False,
) -> HotspotCollection:
    """Every hotspot in scope as one FeatureCollection (feeds `import` on another system)."""
    filters = service.HotspotFilters(jurisdiction_code=jurisdiction, include_retired=include_retired)
    rows, total = service.search(
        session=session, principal=principal, filters=filters, limit=10_000_000, offset=0
    )
    features = [service.to_feature(h, code, datum) for h, code, _ in rows]
    return HotspotCollection(features=features, numberMatched=total, numberReturned=len(features))


@router.post("/import", response_model=ImportResult, operation_id="importHotspots")
def import_hotspots(
    collection: Annotated[HotspotImport, Body()],
    session: SessionDep,
    principal: Annotated[Principal, Allow(*EDITORS)],
    datum: DatumQuery = Datum.wgs84,
) -> ImportResult:
    """All or nothing: if any feature is rejected, the 422 names each offending index."""
    created, updated = service.import_collection(
        session=session, principal=principal, features=collection.features, datum=datum
    )
    session.commit()
    return ImportResult(created=created, updated=updated)


@router.get(
    "/{hotspot_id:uuid}",
    response_model=HotspotFeature,
    operation_id="getHotspot",
    tags=[PHONE],
)
def get_hotspot(
    hotspot_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*READERS)],
    datum: DatumQuery = Datum.wgs84,
) -> HotspotFeature:
    hotspot, code = service.get(session=session, principal=principal, hotspot_id=hotspot_id)
    return service.to_feature(hotspot, code, datum)


@router.patch(
    "/{hotspot_id:uuid}",
    response_model=HotspotFeature,
    operation_id="updateHotspot",
    responses=problems(409),
)
def update_hotspot(
    hotspot_id: uuid.UUID,
    patch: Annotated[HotspotPatch, Body()],
    session: SessionDep,
    principal: Annotated[Principal, Allow(*EDITORS)],
    datum: DatumQuery = Datum.wgs84,
) -> HotspotFeature:
    hotspot, code = service.update(
        session=session, principal=principal, hotspot_id=hotspot_id, patch=patch, datum=datum
    )
    session.commit()
    return service.to_feature(hotspot, code, datum)


@router.post(
    "/{hotspot_id:uuid}/retire",
    response_model=HotspotFeature,
    operation_id="retireHotspot",
    responses=problems(409),
)
def retire_hotspot(
    hotspot_id: uuid.UUID,
    body: RetireRequest,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*EDITORS)],
    datum: DatumQuery = Datum.wgs84,
) -> HotspotFeature:
    """Soft delete: the hotspot leaves lists and sweeps but keeps its history and visits."""
    hotspot, code = service.retire(
        session=session, principal=principal, hotspot_id=hotspot_id, reason=body.reason
    )
    session.commit()
    return service.to_feature(hotspot, code, datum)


@router.get(
    "/{hotspot_id:uuid}/history",
    response_model=list[HotspotRevisionPublic],
    operation_id="hotspotHistory",
)
def hotspot_history(
    hotspot_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*READERS)],
) -> list[HotspotRevisionPublic]:
    revisions = service.history(session=session, principal=principal, hotspot_id=hotspot_id)
    return [HotspotRevisionPublic.model_validate(r, from_attributes=True) for r in revisions]
