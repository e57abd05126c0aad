"""Hotspot registry rules: scoping, shape consistency, history, all-or-nothing import."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from geoalchemy2 import functions as gf
from geoalchemy2.shape import to_shape
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Float, Select, cast, func, null, select
from sqlmodel import Session

from api.auth.deps import Principal
from api.db import as_geography
from api.errors import ProblemError, invalid, not_found
from api.geojson import geometry_in, geometry_out, to_db
from api.hotspots.models import Hotspot, HotspotKind, HotspotRevision, RiskLevel
from api.hotspots.schemas import (
    HotspotCreate,
    HotspotFeature,
    HotspotPatch,
    HotspotPublicProperties,
)
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from geo.datum import Datum
from notifications.service import publish_event

_SHAPES = ("Point", "Polygon")
_NO_DISTANCE = cast(null(), Float).label("distance_m")


@dataclass
class HotspotFilters:
    kinds: list[HotspotKind] = field(default_factory=list)
    risks: list[RiskLevel] = field(default_factory=list)
    jurisdiction_code: str | None = None
    bbox: BaseGeometry | None = None
    near: tuple[float, float] | None = None
    radius_m: float = 1000.0
    include_retired: bool = False


def to_feature(
    hotspot: Hotspot, jurisdiction_code: str, datum: Datum = Datum.wgs84, distance_m: float | None = None
) -> HotspotFeature:
    return HotspotFeature(
        id=hotspot.id,
        geometry=geometry_out(hotspot.geom, datum),
        properties=HotspotPublicProperties(
            name=hotspot.name,
            kind=hotspot.kind,
            risk_level=hotspot.risk_level,
            radius_m=hotspot.radius_m,
            jurisdiction=jurisdiction_code,
            notes=hotspot.notes,
            aliases=hotspot.aliases,
            version=hotspot.version,
            created_at=hotspot.created_at,
            updated_at=hotspot.updated_at,
            retired_at=hotspot.retired_at,
            retired_reason=hotspot.retired_reason,
            distance_m=round(distance_m, 1) if distance_m is not None else None,
        ),
    )


def _check_shape(geometry: BaseGeometry, radius_m: float | None, loc: list[str | int]) -> None:
    if isinstance(geometry, ShapelyPoint) and radius_m is None:
        raise invalid(
            "a Point hotspot needs properties.radius_m (metres)", loc=[*loc, "properties", "radius_m"]
        )
    if not isinstance(geometry, ShapelyPoint) and radius_m is not None:
        raise invalid("a Polygon hotspot takes no radius_m", loc=[*loc, "properties", "radius_m"])


def _resolve_jurisdiction(
    *,
    session: Session,
    principal: Principal,
    code: str | None,
    geometry: BaseGeometry,
    loc: list[str | int],
) -> Jurisdiction:
    """The jurisdiction named, or the most specific one covering the place; it must be writable."""
    if code is not None:
        jurisdiction = jurisdictions.get_by_code(session=session, code=code)
        if jurisdiction is None:
            raise invalid(f"unknown jurisdiction {code!r}", loc=[*loc, "properties", "jurisdiction"])
    else:
        jurisdiction = jurisdictions.deepest_covering(
            session=session, point_wgs84=geometry.representative_point()
        )
        if jurisdiction is None:
            raise invalid(
                "no jurisdiction covers this place; give properties.jurisdiction",
                loc=[*loc, "properties", "jurisdiction"],
            )
    jurisdictions.require_writable(principal=principal, jurisdiction=jurisdiction)
    return jurisdiction


def _record_revision(session: Session, hotspot: Hotspot, code: str, action: str, by: uuid.UUID) -> None:
    """Keep the hotspot as it now is in its history, and tell the live stream."""
    session.flush()
    session.refresh(hotspot)
    snapshot = to_feature(hotspot, code).model_dump(mode="json")
    publish_event(
        session,
        kind=f"hotspot.{action}",
        payload={"feature": snapshot},
        jurisdiction_id=hotspot.jurisdiction_id,
    )
    session.add(
        HotspotRevision(
            hotspot_id=hotspot.id,
            jurisdiction_id=hotspot.jurisdiction_id,
            version=hotspot.version,
            action=action,
            changed_by=by,
            snapshot=snapshot,
        )
    )


def create(
    *,
    session: Session,
    principal: Principal,
    feature: HotspotCreate,
    datum: Datum,
    loc: list[str | int] = ("body",),
) -> tuple[Hotspot, str]:
    loc = list(loc)
    if feature.id is not None and session.get(Hotspot, feature.id) is not None:
        raise ProblemError(409, f"hotspot {feature.id} exists; PATCH it instead", kind="duplicate")
    geometry = geometry_in(
        feature.geometry.model_dump(), datum=datum, allowed=_SHAPES, loc=[*loc, "geometry"]
    )
    props = feature.properties
    _check_shape(geometry, props.radius_m, loc)
    jurisdiction = _resolve_jurisdiction(
        session=session, principal=principal, code=props.jurisdiction, geometry=geometry, loc=loc
    )
    hotspot = Hotspot(
        id=feature.id or uuid.uuid4(),
        name=props.name,
        kind=props.kind.value,
        risk_level=props.risk_level.value,
        jurisdiction_id=jurisdiction.id,
        geom=to_db(geometry),
        radius_m=props.radius_m,
        notes=props.notes,
        aliases=props.aliases,
        created_by=principal.id,
        updated_by=principal.id,
    )
    session.add(hotspot)
    _record_revision(session, hotspot, jurisdiction.code, "create", principal.id)
    return hotspot, jurisdiction.code


def get(
    *, session: Session, principal: Principal, hotspot_id: uuid.UUID, for_update: bool = False
) -> tuple[Hotspot, str]:
    """A hotspot in the caller's scope (retired ones included); 404 otherwise."""
    query = (
        select(Hotspot, Jurisdiction.code)
        .join(Jurisdiction, Jurisdiction.id == Hotspot.jurisdiction_id)
        .where(Hotspot.id == hotspot_id, Hotspot.jurisdiction_id.in_(jurisdictions.scope_ids(principal)))
    )
    if for_update:
        query = query.with_for_update(of=Hotspot)
    row = session.execute(query).first()
    if row is None:
        raise not_found(f"hotspot {hotspot_id}")
    return row


def _apply_patch(
    *,
    session: Session,
    principal: Principal,
    hotspot: Hotspot,
    code: str,
    patch: HotspotPatch,
    datum: Datum,
    loc: list[str | int],
) -> str:
    changes = patch.properties.model_dump(exclude_unset=True, exclude={"version"})
    geometry = to_shape(hotspot.geom)
    if patch.geometry is not None:
        geometry = geometry_in(
            patch.geometry.model_dump(), datum=datum, allowed=_SHAPES, loc=[*loc, "geometry"]
        )
        hotspot.geom = to_db(geometry)
        if not isinstance(geometry, ShapelyPoint) and "radius_m" not in changes:
            hotspot.radius_m = None
    for name in ("name", "kind", "risk_level", "radius_m", "notes", "aliases"):
        if name in changes:
            value = changes[name]
            setattr(hotspot, name, value.value if hasattr(value, "value") else value)
    for required in ("name", "kind", "risk_level", "aliases"):
        if getattr(hotspot, required) is None:
            raise invalid(f"{required} cannot be null", loc=[*loc, "properties", required])
    _check_shape(geometry, hotspot.radius_m, loc)
    if "jurisdiction" in changes or patch.geometry is not None:
        jurisdiction = _resolve_jurisdiction(
            session=session,
            principal=principal,
            code=changes.get("jurisdiction"),  # a moved hotspot without one: re-derived
            geometry=geometry,
            loc=loc,
        )
        hotspot.jurisdiction_id, code = jurisdiction.id, jurisdiction.code
    return code


def update(
    *, session: Session, principal: Principal, hotspot_id: uuid.UUID, patch: HotspotPatch, datum: Datum
) -> tuple[Hotspot, str]:
    hotspot, code = get(session=session, principal=principal, hotspot_id=hotspot_id, for_update=True)
    if hotspot.retired_at is not None:
        raise ProblemError(409, "hotspot is retired; it can no longer be changed", kind="retired")
    expected = patch.properties.version
    if expected is not None and expected != hotspot.version:
        raise ProblemError(
            409,
            f"hotspot is at version {hotspot.version}, not {expected}; reload it",
            kind="version-conflict",
        )
    code = _apply_patch(
        session=session,
        principal=principal,
        hotspot=hotspot,
        code=code,
        patch=patch,
        datum=datum,
        loc=["body"],
    )
    _bump(hotspot, principal)
    _record_revision(session, hotspot, code, "update", principal.id)
    return hotspot, code


def _bump(hotspot: Hotspot, principal: Principal) -> None:
    hotspot.version += 1
    hotspot.updated_at = datetime.now(UTC)
    hotspot.updated_by = principal.id


def retire(
    *, session: Session, principal: Principal, hotspot_id: uuid.UUID, reason: str
) -> tuple[Hotspot, str]:
    hotspot, code = get(session=session, principal=principal, hotspot_id=hotspot_id, for_update=True)
    if hotspot.retired_at is not None:
        raise ProblemError(409, "hotspot is already retired", kind="retired")
    hotspot.retired_at = datetime.now(UTC)
    hotspot.retired_reason = reason
    _bump(hotspot, principal)
    _record_revision(session, hotspot, code, "retire", principal.id)
    return hotspot, code


def history(*, session: Session, principal: Principal, hotspot_id: uuid.UUID) -> Sequence[HotspotRevision]:
    get(session=session, principal=principal, hotspot_id=hotspot_id)
    return session.scalars(
        select(HotspotRevision)
        .where(HotspotRevision.hotspot_id == hotspot_id)
        .order_by(HotspotRevision.version)
    ).all()


def _filtered(principal: Principal, filters: HotspotFilters, session: Session) -> Select:
    query = (
        select(Hotspot, Jurisdiction.code)
        .join(Jurisdiction, Jurisdiction.id == Hotspot.jurisdiction_id)
        .where(jurisdictions.in_scope(Hotspot.jurisdiction_id, principal))
    )
    if not filters.include_retired:
        query = query.where(Hotspot.retired_at.is_(None))
    if filters.kinds:
        query = query.where(Hotspot.kind.in_([k.value for k in filters.kinds]))
    if filters.risks:
        query = query.where(Hotspot.risk_level.in_([r.value for r in filters.risks]))
    if filters.jurisdiction_code is not None:
        below = jurisdictions.get_in_scope(
            session=session, principal=principal, code=filters.jurisdiction_code
        )
        query = query.where(Jurisdiction.path.descendant_of(below.path))
    if filters.bbox is not None:
        query = query.where(gf.ST_Intersects(Hotspot.area, to_db(filters.bbox)))
    return query


def search_query(*, session: Session, principal: Principal, filters: HotspotFilters) -> Select:
    """Hotspots in scope matching the filters; nearest first with ``near`` (GiST on area::geography)."""
    query = _filtered(principal, filters, session)
    if filters.near is not None:
        here = as_geography(gf.ST_SetSRID(gf.ST_MakePoint(*filters.near), 4326))
        area = as_geography(Hotspot.area)
        distance = gf.ST_Distance(area, here)
        query = (
            query.add_columns(distance.label("distance_m"))
            .where(gf.ST_DWithin(area, here, filters.radius_m))
            .order_by(distance, Hotspot.id)
        )
    else:
        query = query.add_columns(_NO_DISTANCE).order_by(Hotspot.name, Hotspot.id)
    return query


def search(
    *, session: Session, principal: Principal, filters: HotspotFilters, limit: int, offset: int
) -> tuple[list[tuple[Hotspot, str, float | None]], int]:
    """One page of hotspots in scope and the number matched; sorted by distance with ``near``."""
    query = search_query(session=session, principal=principal, filters=filters)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(limit).offset(offset)).all()
    return list(rows), int(total or 0)


def import_collection(
    *,
    session: Session,
    principal: Principal,
    features: Sequence[HotspotCreate],
    datum: Datum,
    progress=None,
) -> tuple[int, int]:
    """Create or update every feature, or nothing: the first failures name their feature index."""
    _reject_duplicate_ids(features)
    created = updated = 0
    errors: list[dict] = []
    for index, feature in enumerate(features):
        loc: list[str | int] = ["body", "features", index]
        try:
            with session.begin_nested():
                if feature.id is not None and session.get(Hotspot, feature.id) is not None:
                    update(
                        session=session,
                        principal=principal,
                        hotspot_id=feature.id,
                        datum=datum,
                        patch=HotspotPatch(
                            geometry=feature.geometry, properties=feature.properties.model_dump()
                        ),
                    )
                    updated += 1
                else:
                    create(session=session, principal=principal, feature=feature, datum=datum, loc=loc)
                    created += 1
        except ProblemError as exc:
            errors.append({"loc": loc, "msg": exc.detail, "type": exc.kind or "invalid-input"})
            if len(errors) >= 50:
                break
        if progress is not None:
            progress(index + 1)
    if errors:
        raise ProblemError(
            422,
            f"{len(errors)} feature(s) rejected, nothing imported; first: features[{errors[0]['loc'][2]}]: "
            f"{errors[0]['msg']}",
            kind="import-rejected",
            errors=errors,
        )
    return created, updated


def _reject_duplicate_ids(features: Sequence[HotspotCreate]) -> None:
    first_seen: dict[uuid.UUID, int] = {}
    for index, feature in enumerate(features):
        if feature.id is None:
            continue
        if feature.id in first_seen:
            raise invalid(
                f"features[{index}] repeats the id of features[{first_seen[feature.id]}]",
                loc=["body", "features", index, "id"],
                kind="duplicate-id",
            )
        first_seen[feature.id] = index
