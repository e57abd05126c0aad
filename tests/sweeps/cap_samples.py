"""CAP 1.2 documents written for these tests (a fictional issuing office, code T101)."""

from datetime import UTC, datetime, timedelta


def _when(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0).isoformat()


def alert(
    identifier: str,
    *,
    msg_type: str = "Alert",
    status: str = "Actual",
    event: str = "寒潮橙色预警",
    area: str = "",
    references: str = "",
    severity: str = "Severe",
    onset: float = -1,
    expires: float = 23,
) -> bytes:
    refs = f"<references>{references}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>T101-weather-office</sender>
  <sent>{_when(0)}</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  {refs}
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>{event}</event>
    <urgency>Immediate</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    <onset>{_when(onset)}</onset>
    <expires>{_when(expires)}</expires>
    <headline>测试气象台发布{event}</headline>
    <instruction>注意防寒保暖</instruction>
    {area}
  </info>
</alert>""".encode()


def polygon_area(ring: list[tuple[float, float]]) -> str:
    """CAP polygons are "lat,lon" pairs."""
    points = " ".join(f"{lat},{lon}" for lon, lat in ring)
    return f"<area><areaDesc>测试区域</areaDesc><polygon>{points}</polygon></area>"


def geocode_area(code: str) -> str:
    return (
        f"<area><areaDesc>{code}</areaDesc><geocode><valueName>行政区划代码</valueName>"
        f"<value>{code}</value></geocode></area>"
    )


def circle_area(lon: float, lat: float, km: float) -> str:
    return f"<area><areaDesc>圆形区域</areaDesc><circle>{lat},{lon} {km}</circle></area>"
