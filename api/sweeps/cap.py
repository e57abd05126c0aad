"""Reading CAP 1.2 (Common Alerting Protocol) alerts, as China's warning signals travel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.shapes import circle
from geo.validate import GeometryError, check_position, check_valid

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
STATUSES = {"Actual", "Exercise", "System", "Test", "Draft"}
MESSAGE_TYPES = {"Alert", "Update", "Cancel", "Ack", "Error"}
MAX_BYTES = 1_000_000


class CapError(ValueError):
    """A CAP document that cannot be accepted; the message says what is wrong."""


@dataclass(frozen=True)
class CapArea:
    description: str
    shapes: list[BaseGeometry]  # WGS84 polygons and circles
    geocodes: list[str]  # administrative codes (行政区划代码)


@dataclass(frozen=True)
class CapAlert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    references: list[tuple[str, str]]  # (sender, identifier) of earlier alerts
    event: str
    severity: str
    urgency: str
    certainty: str
    onset: datetime | None
    expires: datetime | None
    headline: str
    instruction: str
    areas: list[CapArea] = field(default_factory=list)

    def shape(self) -> MultiPolygon | None:
        polygons = [p for area in self.areas for s in area.shapes for p in getattr(s, "geoms", [s])]
        return MultiPolygon(polygons) if polygons else None

    @property
    def geocodes(self) -> list[str]:
        return [code for area in self.areas for code in area.geocodes]


def _text(node, path: str, *, required: bool = True) -> str:
    found = node.find(path, NS)
    value = (found.text or "").strip() if found is not None else ""
    if required and not value:
        raise CapError(f"CAP alert has no {path.removeprefix('cap:')}")
    return value


def _time(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CapError(f"{name} is not a date-time: {value!r}") from exc
    if parsed.tzinfo is None:
        raise CapError(f"{name} needs its UTC offset: {value!r}")
    return parsed


def _pairs(text: str, where: str) -> list[tuple[float, float]]:
    """CAP writes "lat,lon lat,lon ..."; return (lon, lat) pairs, checked."""
    points = []
    for index, pair in enumerate(text.split()):
        try:
            lat, lon = (float(v) for v in pair.split(","))
            points.append(check_position(lon, lat, where=f"{where} point {index}"))
        except (ValueError, GeometryError) as exc:
            raise CapError(
                f"{where}: {exc if isinstance(exc, GeometryError) else f'bad point {pair!r}'}"
            ) from exc
    return points


def _polygon(text: str, where: str) -> Polygon:
    points = _pairs(text, where)
    if len(points) < 4:
        raise CapError(f"{where}: a CAP polygon needs at least 4 points, got {len(points)}")
    if points[0] != points[-1]:
        raise CapError(f"{where}: the polygon does not close (first point differs from the last)")
    polygon = Polygon(points)
    try:
        check_valid(polygon)
    except GeometryError as exc:
        raise CapError(f"{where}: {exc}") from exc
    return polygon


def _circle(text: str, where: str) -> Polygon:
    try:
        centre, radius = text.split()
        radius_km = float(radius)
    except ValueError as exc:
        raise CapError(f"{where}: a CAP circle is 'lat,lon radius_km', got {text!r}") from exc
    [(lon, lat)] = _pairs(centre, where)
    if not 0 < radius_km <= 1000:
        raise CapError(f"{where}: radius {radius_km} km is out of range")
    return circle(Point(lon, lat), radius_km * 1000)


def _area(node, index: int) -> CapArea:
    where = f"area {index}"
    shapes = [
        _polygon(p.text or "", f"{where} polygon {i}") for i, p in enumerate(node.findall("cap:polygon", NS))
    ]
    shapes += [
        _circle((c.text or "").strip(), f"{where} circle {i}")
        for i, c in enumerate(node.findall("cap:circle", NS))
    ]
    geocodes = [_text(g, "cap:value") for g in node.findall("cap:geocode", NS)]
    if not shapes and not geocodes:
        raise CapError(f"{where} has no polygon, circle or geocode")
    return CapArea(_text(node, "cap:areaDesc"), shapes, geocodes)


def parse(document: bytes) -> CapAlert:
    if len(document) > MAX_BYTES:
        raise CapError(f"CAP document larger than {MAX_BYTES} bytes")
    try:
        root = ElementTree.fromstring(document)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise CapError(f"not well-formed XML: {exc}") from exc
    if root.tag != f"{{{NS['cap']}}}alert":
        raise CapError("the root element is not a CAP 1.2 alert")
    status, msg_type = _text(root, "cap:status"), _text(root, "cap:msgType")
    if status not in STATUSES:
        raise CapError(f"unknown status {status!r}")
    if msg_type not in MESSAGE_TYPES:
        raise CapError(f"unknown msgType {msg_type!r}")
    references = []
    for item in _text(root, "cap:references", required=False).split():
        parts = item.split(",")
        if len(parts) != 3:
            raise CapError(f"a reference is sender,identifier,sent; got {item!r}")
        references.append((parts[0], parts[1]))
    if msg_type in ("Update", "Cancel") and not references:
        raise CapError(f"an {msg_type} names the alerts it refers to (references)")
    info = root.find("cap:info", NS)
    if info is None:
        raise CapError("CAP alert has no info block")
    onset, expires = _text(info, "cap:onset", required=False), _text(info, "cap:expires", required=False)
    areas = [_area(node, i) for i, node in enumerate(info.findall("cap:area", NS))]
    if not areas and msg_type != "Cancel":
        raise CapError("CAP alert has no area")
    return CapAlert(
        identifier=_text(root, "cap:identifier"),
        sender=_text(root, "cap:sender"),
        sent=_time(_text(root, "cap:sent"), "sent"),
        status=status,
        msg_type=msg_type,
        references=references,
        event=_text(info, "cap:event"),
        severity=_text(info, "cap:severity"),
        urgency=_text(info, "cap:urgency"),
        certainty=_text(info, "cap:certainty"),
        onset=_time(onset, "onset") if onset else None,
        expires=_time(expires, "expires") if expires else None,
        headline=_text(info, "cap:headline", required=False),
        instruction=_text(info, "cap:instruction", required=False),
        areas=areas,
    )
