"""The layers served as OGC API - Features collections, and the SQL behind each.

Every layer is built for a map, not for casework: it carries places and aggregates only, never
a person, a person's description, an officer or where an officer is. Each feature is rendered
as GeoJSON text by PostgreSQL (``json_build_object`` and ``ST_AsGeoJSON``), so a page of
features reaches the client without being parsed in Python. Only for a Chinese datum does the
geometry come as WKB, to be moved by ``geo.shapes`` in one vectorised pass.
"""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from geoalchemy2 import functions as gf
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Integer, Select, Text, cast, func, literal, literal_column, select
from sqlalchemy.orm import aliased

from api.auth.deps import Principal
from api.encounters.models import Encounter
from api.geojson import to_db
from api.hotspots.models import Hotspot
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.organisations.models import Organisation
from api.patrols.models import HotspotVisit
from geo.datum import Datum
from geo.grid import EQUAL_AREA_SRID, CellRange, cell_bounds, cells_covering

GEOJSON_DECIMALS = 7  # about 1 cm, as everywhere else in the API


@dataclass(frozen=True)
class Window:
    """A time window [start, end) of whole days; no start counts from the first record."""

    start: datetime | None
    end: datetime


@dataclass(frozen=True)
class Filters:
    principal: Principal
    bbox: BaseGeometry | None = None  # WGS84
    window: Window | None = None
    datum: Datum = Datum.wgs84  # of the geometries answered


class Layer(ABC):
    id: ClassVar[str]
    title: ClassVar[str]
    description: str
    temporal: ClassVar[bool] = False

    @abstractmethod
    def page(self, filters: Filters, limit: int, offset: int) -> Select:
        """(feature, geometry) rows of one page of the features matching the filters, in a stable
        order; see ``feature_json`` and ``geometry_column``."""

    @abstractmethod
    def count(self, filters: Filters) -> Select:
        """One row: how many features match the filters."""

    @abstractmethod
    def select_one(self, filters: Filters, feature_id: str) -> Select | None:
        """The feature with this id among those the filters admit; None for an id this layer
        could never have."""


def _name(text: str) -> ColumnElement[Any]:
    """A constant JSON member name; names are fixed in this module, never user input."""
    return literal_column("'" + text.replace("'", "''") + "'")


def feature_json(identifier: Any, properties: dict[str, Any]) -> ColumnElement[str]:
    """A GeoJSON Feature without its geometry, built by PostgreSQL, as text."""
    members = [part for name, value in properties.items() for part in (_name(name), value)]
    return cast(
        func.json_build_object(
            _name("type"),
            _name("Feature"),
            _name("id"),
            identifier,
            _name("properties"),
            func.json_build_object(*members),
        ),
        Text,
    )


def geometry_column(geometry: Any, datum: Datum) -> ColumnElement[Any]:
    """The geometry as GeoJSON text in WGS84, or as WKB to be moved to another datum."""
    if datum is Datum.wgs84:
        return func.ST_AsGeoJSON(geometry, GEOJSON_DECIMALS)
    return func.ST_AsBinary(geometry)


def _intersecting(column: Any, bbox: BaseGeometry | None) -> list[ColumnElement[bool]]:
    """``ST_Intersects`` also tests ``&&``, so the GiST index on ``column`` serves the bbox."""
    return [] if bbox is None else [gf.ST_Intersects(column, to_db(bbox))]


class TableLayer(Layer):
    """A layer with one feature per row of ``table``.

    A page is chosen by its keys first and only then rendered: rows skipped by OFFSET are never
    turned into JSON, so the last page of 20,000 costs about what the first does.
    """

    table: ClassVar[Any]
    key: ClassVar[Any]  # the primary key, as a table column (an ORM attribute would bind to self)
    order: ClassVar[tuple[Any, ...]]  # a total order, ending with a unique column

    @abstractmethod
    def _where(self, filters: Filters) -> list[ColumnElement[bool]]:
        """What the caller may see and asked for."""

    @abstractmethod
    def _features(self, datum: Datum) -> Select:
        """(feature, geometry) of each row, before filtering."""

    def page(self, filters: Filters, limit: int, offset: int) -> Select:
        keys = (
            select(self.key.label("key"))
            .where(*self._where(filters))
            .order_by(*self.order)
            .limit(limit)
            .offset(offset)
            .subquery("page")
        )
        return self._features(filters.datum).join(keys, keys.c.key == self.key).order_by(*self.order)

    def count(self, filters: Filters) -> Select:
        return select(func.count()).select_from(self.table).where(*self._where(filters))

    def _one(self, filters: Filters, key: Any) -> Select:
        return self._features(filters.datum).where(self.key == key, *self._where(filters))


class HotspotLayer(TableLayer):
    id = "hotspots"
    title = "Hotspots (重点区域)"
    description = (
        "Active hotspots as the areas a patrol covers: the polygon, or the circle of radius_m "
        "around a point hotspot. Properties: name, kind, risk_level, radius_m, jurisdiction (code), "
        "last_visited_at (when a patrol last left it, null if never). Notes are left out: free "
        "text is where a person's name or number could slip in."
    )
    table = Hotspot
    key = Hotspot.__table__.c.id
    order = (Hotspot.id,)

    def _where(self, filters: Filters) -> list[ColumnElement[bool]]:
        return [
            jurisdictions.in_scope(Hotspot.jurisdiction_id, filters.principal),
            Hotspot.retired_at.is_(None),
            *_intersecting(Hotspot.area, filters.bbox),
        ]

    def _features(self, datum: Datum) -> Select:
        last_visit = (
            select(func.max(HotspotVisit.departed_at))
            .where(HotspotVisit.hotspot_id == Hotspot.id)
            .scalar_subquery()
        )
        feature = feature_json(
            Hotspot.id,
            {
                "name": Hotspot.name,
                "kind": Hotspot.kind,
                "risk_level": Hotspot.risk_level,
                "radius_m": Hotspot.radius_m,
                "jurisdiction": Jurisdiction.code,
                "last_visited_at": last_visit,
            },
        )
        return (
            select(feature, geometry_column(Hotspot.area, datum))
            .select_from(Hotspot)
            .join(Jurisdiction, Jurisdiction.id == Hotspot.jurisdiction_id)
        )

    def select_one(self, filters: Filters, feature_id: str) -> Select | None:
        try:
            return self._one(filters, uuid.UUID(feature_id))
        except ValueError:
            return None


class JurisdictionLayer(TableLayer):
    id = "jurisdictions"
    title = "Jurisdictions (辖区)"
    description = (
        "Administrative areas from your own down to grids (网格), with their boundaries. "
        "Properties: code (行政区划代码, also the feature id), name, level, parent (code)."
    )
    table = Jurisdiction
    key = Jurisdiction.__table__.c.id
    order = (Jurisdiction.path,)

    def _where(self, filters: Filters) -> list[ColumnElement[bool]]:
        return [
            Jurisdiction.path.descendant_of(filters.principal.jurisdiction_path),
            *_intersecting(Jurisdiction.boundary, filters.bbox),
        ]

    def _features(self, datum: Datum) -> Select:
        parent = aliased(Jurisdiction)
        feature = feature_json(
            Jurisdiction.code,
            {
                "code": Jurisdiction.code,
                "name": Jurisdiction.name,
                "level": Jurisdiction.level,
                "parent": parent.code,
            },
        )
        return (
            select(feature, geometry_column(Jurisdiction.boundary, datum))
            .select_from(Jurisdiction)
            .outerjoin(parent, parent.id == Jurisdiction.parent_id)
        )

    def select_one(self, filters: Filters, feature_id: str) -> Select | None:
        return self._features(filters.datum).where(Jurisdiction.code == feature_id, *self._where(filters))


class OrganisationLayer(TableLayer):
    id = "organisations"
    title = "Organisations (机构)"
    description = (
        "Rescue stations, hospitals, police stations, city-management units, civil-affairs "
        "bureaus and street offices. Properties: name, kind, jurisdiction (code), address, "
        "hotline (the published one), opening_hours, capacity (beds). Direct phone lines are "
        "left out."
    )
    table = Organisation
    key = Organisation.__table__.c.id
    order = (Organisation.id,)

    def _where(self, filters: Filters) -> list[ColumnElement[bool]]:
        return [
            jurisdictions.in_scope(Organisation.jurisdiction_id, filters.principal),
            *_intersecting(Organisation.location, filters.bbox),
        ]

    def _features(self, datum: Datum) -> Select:
        feature = feature_json(
            Organisation.id,
            {
                "name": Organisation.name,
                "kind": Organisation.kind,
                "jurisdiction": Jurisdiction.code,
                "address": Organisation.address,
                "hotline": Organisation.hotline,
                "opening_hours": Organisation.opening_hours,
                "capacity": Organisation.capacity,
            },
        )
        return (
            select(feature, geometry_column(Organisation.location, datum))
            .select_from(Organisation)
            .join(Jurisdiction, Jurisdiction.id == Organisation.jurisdiction_id)
        )

    def select_one(self, filters: Filters, feature_id: str) -> Select | None:
        if not feature_id.isdigit() or len(feature_id) > 18:
            return None
        return self._one(filters, int(feature_id))


class EncounterGridLayer(Layer):
    """Encounters counted per fixed equal-area cell (see ``geo.grid``), sparse cells left out.

    A count never depends on the bbox asked for: a bbox selects whole cells, and every cell is
    counted over all its encounters, so comparing overlapping requests cannot isolate one
    encounter. The window is whole days, for the same reason.
    """

    id = "encounter-grid"
    title = "Encounters per grid cell"
    temporal = True

    def __init__(self, *, cell_m: int, min_count: int, default_days: int) -> None:
        self.cell_m = cell_m
        self.min_count = min_count
        self.default_days = default_days
        self._id_pattern = re.compile(rf"^{cell_m}m_(-?\d{{1,9}})_(-?\d{{1,9}})$")
        self.description = (
            f"Encounters logged in your jurisdiction, counted per {self.cell_m} m square cell of "
            f"equal area (EASE-Grid 2.0, EPSG:{EQUAL_AREA_SRID}). Cells with fewer than "
            f"{self.min_count} encounters are left out, so no single person can be picked out. "
            f"`datetime` chooses the window (whole days; default the last {self.default_days} "
            "complete days). Properties: encounters, cell_m, from, until. Nothing about anyone met."
        )

    def _cells(self, filters: Filters, cells: CellRange | None) -> Any:
        """(i, j, encounters) of every cell shown: counted, then thinned to ``min_count``."""
        window = filters.window
        assert window is not None, "the grid is always counted over a window"
        where = [
            jurisdictions.in_scope(Encounter.jurisdiction_id, filters.principal),
            Encounter.occurred_at < window.end,
        ]
        if window.start is not None:
            where.append(Encounter.occurred_at >= window.start)
        if cells is not None:
            # A hair wider than the cells, so no encounter on their outer edge is lost to rounding;
            # the cell numbers then decide exactly.
            where.append(
                Encounter.geom.op("&&")(func.ST_Expand(func.ST_MakeEnvelope(*cells.bounds_wgs84, 4326), 1e-9))
            )
        projected = (
            select(func.ST_Transform(Encounter.geom, EQUAL_AREA_SRID).label("at")).where(*where).subquery()
        )
        i = cast(func.floor(func.ST_X(projected.c.at) / self.cell_m), Integer)
        j = cast(func.floor(func.ST_Y(projected.c.at) / self.cell_m), Integer)
        counted = select(i.label("i"), j.label("j"), func.count().label("encounters")).select_from(projected)
        if cells is not None:
            counted = counted.where(i.between(cells.i_min, cells.i_max), j.between(cells.j_min, cells.j_max))
        return counted.group_by(i, j).having(func.count() >= self.min_count).subquery("cells")

    def _features(self, filters: Filters, cells: Any) -> Select:
        window = filters.window
        assert window is not None
        origin = func.ST_SetSRID(func.ST_MakePoint(0, 0), EQUAL_AREA_SRID)
        square = func.ST_Transform(func.ST_Square(self.cell_m, cells.c.i, cells.c.j, origin), 4326)
        identifier = func.concat(_name(f"{self.cell_m}m_"), cells.c.i, _name("_"), cells.c.j)
        feature = feature_json(
            identifier,
            {
                "encounters": cells.c.encounters,
                "cell_m": literal(self.cell_m, Integer),
                "from": cast(literal(window.start.isoformat() if window.start else None), Text),
                "until": cast(literal(window.end.isoformat()), Text),
            },
        )
        return select(feature, geometry_column(square, filters.datum)).select_from(cells)

    def _covered(self, filters: Filters) -> Any:
        covered = cells_covering(filters.bbox.bounds, self.cell_m) if filters.bbox is not None else None
        return self._cells(filters, covered)

    def page(self, filters: Filters, limit: int, offset: int) -> Select:
        cells = self._covered(filters)
        north_to_south = (cells.c.j.desc(), cells.c.i)
        shown = select(cells).order_by(*north_to_south).limit(limit).offset(offset).subquery("shown")
        return self._features(filters, shown).order_by(shown.c.j.desc(), shown.c.i)

    def count(self, filters: Filters) -> Select:
        return select(func.count()).select_from(self._covered(filters))

    def select_one(self, filters: Filters, feature_id: str) -> Select | None:
        match = self._id_pattern.match(feature_id)
        if match is None:
            return None
        i, j = int(match[1]), int(match[2])
        cells = self._cells(filters, CellRange(i, j, i, j, cell_bounds(i, j, self.cell_m)))
        return self._features(filters, cells)
