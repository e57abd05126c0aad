from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from shapely.geometry import shape
from sse_starlette import EventSourceResponse

from api.auth.deps import ALL_STAFF, Allow, Principal
from api.db import SessionDep
from api.errors import invalid, problems
from api.events.hub import EventHub, Viewer
from api.geojson import DatumQuery
from geo.datum import Datum, point_from_wgs84
from geo.shapes import to_geojson
from notifications.cursor import CursorError, decode, encode

router = APIRouter(tags=["events"], responses=problems(401, 403, 422))

RECHECK_S = 5.0  # also catches events held back while an older transaction was still open


def _hub(request: Request) -> EventHub:
    return request.app.state.event_hub


_GEOMETRY_TYPES = {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"}


def in_datum(value: Any, datum: Datum) -> Any:
    """An event payload with its coordinates (``lon``/``lat`` pairs and GeoJSON geometries, at
    any depth) moved from WGS84, where events are stored, to ``datum``."""
    if datum is Datum.wgs84:
        return value
    if isinstance(value, list):
        return [in_datum(item, datum) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get("type") in _GEOMETRY_TYPES and "coordinates" in value:
        return to_geojson(shape(value), datum)
    moved = {key: in_datum(item, datum) for key, item in value.items()}
    lon, lat = value.get("lon"), value.get("lat")
    if isinstance(lon, int | float) and isinstance(lat, int | float):
        out_lon, out_lat = point_from_wgs84(datum, lon, lat)
        moved["lon"], moved["lat"] = round(out_lon, 7), round(out_lat, 7)
    return moved


async def _stream(
    request: Request, hub: EventHub, viewer: Viewer, tx: str, event_id: int, datum: Datum
) -> AsyncIterator[dict]:
    waiter = hub.subscribe()
    try:
        while not await request.is_disconnected():
            waiter.clear()
            rows = await hub.visible_after(viewer, tx, event_id)
            for row in rows:
                tx, event_id = row["tx"], row["id"]
                yield {
                    "id": encode(tx, event_id),
                    "event": row["kind"],
                    "data": json.dumps(
                        {
                            "kind": row["kind"],
                            "at": row["created_at"].isoformat(),
                            **in_datum(row["payload"], datum),
                        },
                        ensure_ascii=False,
                        default=str,
                    ),
                }
            if rows:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), timeout=RECHECK_S)
    finally:
        hub.unsubscribe(waiter)


@router.get(
    "/events",
    operation_id="streamEvents",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "text/event-stream of events the caller may see",
            "content": {
                "text/event-stream": {
                    "example": 'id: 7412-88\nevent: inbox.new\ndata: {"kind": "inbox.new", ...}\n\n'
                }
            },
        }
    },
)
async def stream_events(
    request: Request,
    principal: Annotated[Principal, Allow(*ALL_STAFF)],
    session: SessionDep,
    last_event_id: Annotated[
        str | None, Header(max_length=60, description="Resume after this event.")
    ] = None,
    datum: DatumQuery = Datum.wgs84,
) -> EventSourceResponse:
    """Server-sent events: new inbox items for the caller and domain events in their jurisdiction.

    Reconnect with `Last-Event-ID` to receive what was missed (events are kept for a replay
    window, an hour by default). Coordinates in the events come in `datum`.
    """
    session.close()  # the login check is done: a long stream must not hold a pooled connection
    hub = _hub(request)
    if last_event_id:
        try:
            tx, event_id = decode(last_event_id)
        except CursorError as exc:
            raise invalid(str(exc), loc=["header", "last-event-id"]) from exc
        tx = str(tx)
    else:
        tx, event_id = await hub.head()
    viewer = Viewer(principal.id, principal.role.value, principal.jurisdiction_path)
    return EventSourceResponse(_stream(request, hub, viewer, tx, event_id, datum), ping=15)
