"""OGC API - Features, Part 1 (Core and GeoJSON): read-only map layers for desktop GIS (QGIS)
and scripts. Served under the versioned API, behind the same bearer tokens and scopes."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.datastructures import URL

from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import ReadSessionDep
from api.errors import ProblemError, problems, validation_problem
from api.geojson import DatumQuery
from api.ogc import service
from api.ogc.layers import Filters, Layer
from api.ogc.schemas import (
    CONFORMANCE,
    GEOJSON,
    JSON,
    Collection,
    Collections,
    Conformance,
    Extent,
    Feature,
    FeatureCollection,
    LandingPage,
    Link,
    SpatialExtent,
    TemporalExtent,
)
from geo.datum import Datum

# The layers show where vulnerable people sleep: for the people who plan the work, not for
# everyone with an account.
READERS = (Role.admin, Role.dispatcher, Role.supervisor)
OPENAPI = "application/vnd.oai.openapi+json;version=3.1"


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


class OgcRoute(APIRoute):
    """A route under the standard's rule for query parameters: one the route does not define, or
    a value it cannot use, is a 400 problem (the rest of the API answers 422)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        known = _query_names(self.dependant)

        async def handle(request: Request) -> Response:
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                raise ProblemError(
                    400,
                    f"unknown query parameter {', '.join(unknown)}; this route takes "
                    f"{', '.join(sorted(known)) or 'none'}",
                    kind="unknown-parameter",
                )
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise validation_problem(exc, status=400) from exc

        return handle


class GeoJSONResponse(JSONResponse):
    """GeoJSON already rendered by PostgreSQL, passed through as bytes. A JSONResponse, so that
    the OpenAPI document shows the response model's schema rather than a bare string."""

    media_type = GEOJSON

    def render(self, content: object) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)


router = APIRouter(
    prefix="/ogc",
    tags=["ogc"],
    route_class=OgcRoute,
    responses=problems(400, 401, 403, 404),
)

FormatQuery = Annotated[
    Literal["json", "geojson", "application/json", "application/geo+json"] | None,
    Query(description="Only JSON is offered (GeoJSON for features); the media types are also accepted."),
]
Reader = Annotated[Principal, Allow(*READERS)]
DatetimeQuery = Annotated[
    str | None,
    Query(
        alias="datetime",
        description=(
            "Temporal layers only (encounter-grid): a date, an RFC 3339 date-time or an interval "
            "`start/end` (`..` or empty for open), widened to whole days."
        ),
        examples=["2026-11-01/2026-11-30"],
    ),
]


def _url(request: Request, name: str, datum: Datum, **path: str) -> str:
    """An absolute link to a route of this API, keeping a datum other than WGS84."""
    url = URL(str(request.url_for(name, **path)))
    return str(url.include_query_params(datum=datum.value) if datum is not Datum.wgs84 else url)


def _collection(request: Request, layer: Layer, bbox: list[float] | None, datum: Datum) -> Collection:
    spatial = SpatialExtent(bbox=[bbox]) if bbox is not None else None
    temporal = None
    if layer.temporal:
        window = service.window(layer, None)
        assert window is not None
        temporal = TemporalExtent(interval=[[None, window.end.isoformat()]])
    return Collection(
        id=layer.id,
        title=layer.title,
        description=layer.description,
        extent=Extent(spatial=spatial, temporal=temporal) if spatial or temporal else None,
        links=[
            Link(
                href=_url(request, "ogcCollection", datum, collectionId=layer.id),
                rel="self",
                type=JSON,
                title=f"{layer.title}: description",
            ),
            Link(
                href=_url(request, "ogcItems", datum, collectionId=layer.id),
                rel="items",
                type=GEOJSON,
                title=f"{layer.title}: features",
            ),
        ],
    )


@router.get(
    "/",
    response_model=LandingPage,
    response_model_exclude_none=True,
    operation_id="ogcLanding",
    name="ogcLanding",
    dependencies=[Allow(*READERS)],
)
def landing(request: Request, f: FormatQuery = None) -> LandingPage:
    """Where the layers start: links to the API definition, conformance and collections."""
    return LandingPage(
        title="Street patrol and relief: map layers",
        description=(
            "Hotspots, jurisdictions, organisations and encounter counts per grid cell, as OGC API - "
            "Features. Nothing here names or describes a person."
        ),
        links=[
            Link(href=str(request.url_for("ogcLanding")), rel="self", type=JSON, title="This page"),
            Link(
                href=str(request.url_for("openapi")), rel="service-desc", type=OPENAPI, title="API definition"
            ),
            Link(
                href=str(request.url_for("swagger_ui_html")),
                rel="service-doc",
                type="text/html",
                title="API documentation",
            ),
            Link(
                href=str(request.url_for("ogcConformance")),
                rel="conformance",
                type=JSON,
                title="Conformance classes",
            ),
            Link(href=str(request.url_for("ogcCollections")), rel="data", type=JSON, title="The layers"),
        ],
    )


@router.get(
    "/conformance",
    response_model=Conformance,
    operation_id="ogcConformance",
    name="ogcConformance",
    dependencies=[Allow(*READERS)],
)
def conformance(f: FormatQuery = None) -> Conformance:
    return Conformance(conformsTo=CONFORMANCE)


@router.get(
    "/collections",
    response_model=Collections,
    response_model_exclude_none=True,
    operation_id="ogcCollections",
    name="ogcCollections",
)
def collections(
    request: Request,
    session: ReadSessionDep,
    principal: Reader,
    datum: DatumQuery = Datum.wgs84,
    f: FormatQuery = None,
) -> Collections:
    """Every layer, with its extent: the box around the caller's jurisdictions."""
    bbox = service.scope_bbox(session=session, principal=principal, datum=datum)
    return Collections(
        links=[
            Link(
                href=_url(request, "ogcCollections", datum),
                rel="self",
                type=JSON,
                title="The layers",
            )
        ],
        collections=[_collection(request, layer, bbox, datum) for layer in service.layers().values()],
    )


@router.get(
    "/collections/{collectionId}",
    response_model=Collection,
    response_model_exclude_none=True,
    operation_id="ogcCollection",
    name="ogcCollection",
)
def collection(
    collectionId: str,
    request: Request,
    session: ReadSessionDep,
    principal: Reader,
    datum: DatumQuery = Datum.wgs84,
    f: FormatQuery = None,
) -> Collection:
    layer = service.get_layer(collectionId)
    bbox = service.scope_bbox(session=session, principal=principal, datum=datum)
    return _collection(request, layer, bbox, datum)


@router.get(
    "/collections/{collectionId}/items",
    response_model=FeatureCollection,
    response_class=GeoJSONResponse,
    operation_id="ogcItems",
    name="ogcItems",
)
def items(
    collectionId: str,
    request: Request,
    session: ReadSessionDep,
    principal: Reader,
    datum: DatumQuery = Datum.wgs84,
    bbox: Annotated[
        str | None,
        Query(
            description="minlon,minlat,maxlon,maxlat in `datum` (six numbers with heights also do).",
            examples=["112.9,28.1,113.0,28.3"],
        ),
    ] = None,
    when: DatetimeQuery = None,
    limit: Annotated[
        int,
        Query(
            ge=1,
            description=f"Features per page; above {service.MAX_LIMIT} is served as {service.MAX_LIMIT}.",
            json_schema_extra={"maximum": service.MAX_LIMIT},
        ),
    ] = service.DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=service.MAX_OFFSET, description="Features to skip; follow `next` links.")
    ] = 0,
    f: FormatQuery = None,
) -> Response:
    """A page of features, with `next` and `prev` links, `numberMatched` and `numberReturned`."""
    layer = service.get_layer(collectionId)
    filters = Filters(
        principal=principal,
        bbox=service.parse_bbox(bbox, datum),
        window=service.window(layer, when),
        datum=datum,
    )
    size = service.page_size(limit)
    page = service.page(session=session, layer=layer, filters=filters, limit=size, offset=offset)
    body = service.collection_body(
        page=page, links=_page_links(request, layer, page, datum), timestamp=datetime.now(UTC)
    )
    return GeoJSONResponse(body)


def _page_links(request: Request, layer: Layer, page: service.Page, datum: Datum) -> list[dict]:
    here = request.url
    links = [
        Link(href=str(here), rel="self", type=GEOJSON, title="This page"),
        Link(
            href=_url(request, "ogcCollection", datum, collectionId=layer.id),
            rel="collection",
            type=JSON,
            title=layer.title,
        ),
    ]
    if page.offset + page.returned < page.matched:
        after = here.include_query_params(offset=page.offset + page.limit, limit=page.limit)
        links.append(Link(href=str(after), rel="next", type=GEOJSON, title="Next page"))
    if page.offset > 0:
        before = here.include_query_params(offset=max(0, page.offset - page.limit), limit=page.limit)
        links.append(Link(href=str(before), rel="prev", type=GEOJSON, title="Previous page"))
    return [link.model_dump() for link in links]


@router.get(
    "/collections/{collectionId}/items/{featureId}",
    response_model=Feature,
    response_class=GeoJSONResponse,
    operation_id="ogcItem",
    name="ogcItem",
)
def item(
    collectionId: str,
    featureId: str,
    request: Request,
    session: ReadSessionDep,
    principal: Reader,
    datum: DatumQuery = Datum.wgs84,
    when: DatetimeQuery = None,
    f: FormatQuery = None,
) -> Response:
    """One feature; 404 when it does not exist, lies outside your jurisdiction or, in the grid,
    is a cell with too few encounters to show."""
    layer = service.get_layer(collectionId)
    filters = Filters(principal=principal, window=service.window(layer, when), datum=datum)
    text = service.feature(session=session, layer=layer, filters=filters, feature_id=featureId)
    links = [
        Link(href=str(request.url), rel="self", type=GEOJSON, title="This feature"),
        Link(
            href=_url(request, "ogcCollection", datum, collectionId=layer.id),
            rel="collection",
            type=JSON,
            title=layer.title,
        ),
    ]
    return GeoJSONResponse(service.feature_body(text, [link.model_dump() for link in links]))
